"""Micro-enterprises and the programme that develops them.

A micro-enterprise is a small community care business or a self-employed carer in a locality (a ward or a
district). Its status is a history of dated changes (enquiry, developing, trading, ceased), so that "trading on a
day" and "started trading in a quarter" are answered from the dates, not from whatever the status is now; its
periodic returns say the hours a week it delivers and the people it supports from a date. A sole trader working
one to one needs no CQC registration; one that does has its CQC location in the providers register.

A development programme covers areas (localities) from a start date, with yearly targets, a planned trajectory of
hours a week and its spending, both per programme quarter, and the hourly cost it avoids against framework home
care rates. Its figures are computed by market.selectors.programmes.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords


class MicroEnterpriseStatus(models.TextChoices):
    ENQUIRY = "enquiry", "Enquiry"
    DEVELOPING = "developing", "Developing"
    TRADING = "trading", "Trading"
    CEASED = "ceased", "Ceased"


class MicroEnterprise(models.Model):
    trading_name = models.CharField(max_length=200)
    locality = models.ForeignKey(
        "geo.Locality", on_delete=models.PROTECT, related_name="micro_enterprises", help_text="Ward or district."
    )
    services = models.TextField(blank=True, help_text="What it offers: personal care, companionship, meals, ...")
    needs_cqc_registration = models.BooleanField(
        default=False, help_text="A sole trader working one to one needs no CQC registration."
    )
    cqc_location = models.ForeignKey(
        "providers.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="micro_enterprises",
        help_text="Its CQC-registered location, if it has one.",
    )
    # The latest entry of the status history, kept here for lists; written only by the status service.
    status = models.CharField(max_length=20, choices=MicroEnterpriseStatus.choices, editable=False)
    status_since = models.DateField(editable=False)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["trading_name", "id"]

    def __str__(self) -> str:
        return self.trading_name


class MicroEnterpriseStatusChange(models.Model):
    """From `on`, the micro-enterprise has `status` (until its next change)."""

    micro_enterprise = models.ForeignKey(MicroEnterprise, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=20, choices=MicroEnterpriseStatus.choices)
    on = models.DateField()
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["micro_enterprise", "on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["micro_enterprise", "on"], name="micro_enterprise_one_status_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.micro_enterprise_id}: {self.status} from {self.on}"


class MicroEnterpriseReturn(models.Model):
    """A periodic return: from `from_date` (until the next return), the hours a week delivered and the people
    supported."""

    micro_enterprise = models.ForeignKey(MicroEnterprise, on_delete=models.CASCADE, related_name="returns")
    from_date = models.DateField()
    hours_per_week = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    people_supported = models.PositiveIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["micro_enterprise", "-from_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["micro_enterprise", "from_date"], name="micro_enterprise_return_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.micro_enterprise_id}: {self.hours_per_week} hours a week from {self.from_date}"


class MicroEnterpriseMembership(models.Model):
    """Links a user (role provider_user) to the micro-enterprise whose returns they report. Kept in market, not
    accounts, so that accounts stays beneath every app; market.selectors.micro_enterprises scopes by it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="micro_enterprise_memberships"
    )
    micro_enterprise = models.ForeignKey(MicroEnterprise, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "micro_enterprise"], name="micro_enterprise_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.micro_enterprise}"


def default_hourly_cost_avoidance() -> Decimal:
    return settings.MICRO_ENTERPRISE_HOURLY_COST_AVOIDANCE


class Programme(models.Model):
    name = models.CharField(max_length=200, unique=True)
    areas = models.ManyToManyField(
        "geo.Locality",
        related_name="micro_enterprise_programmes",
        help_text="Localities it covers: micro-enterprises in them, or in their wards, count towards it.",
    )
    start_date = models.DateField(help_text="First day of its first quarter.")
    hourly_cost_avoidance = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=default_hourly_cost_avoidance,
        validators=[MinValueValidator(0)],
        help_text="£ an hour of micro-enterprise care saves against framework home care rates.",
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[areas])

    class Meta:
        ordering = ["start_date", "name"]

    def __str__(self) -> str:
        return self.name


class ProgrammeYear(models.Model):
    """The targets of one programme year (year 1 is the first four quarters): counted within the year, except
    hours a week, which is the level to reach by the year's end."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    enquiries_target = models.PositiveIntegerField()
    trading_target = models.PositiveIntegerField(help_text="New micro-enterprises trading in the year.")
    hours_per_week_target = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "year"]
        constraints = [models.UniqueConstraint(fields=["programme", "year"], name="programme_year_unique")]

    def __str__(self) -> str:
        return f"{self.programme_id} year {self.year}"


class ProgrammeQuarter(models.Model):
    """One programme quarter (quarter 1 starts on the programme's start date): the hours a week planned at its
    end and the programme's spending in it."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="quarters")
    quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    planned_hours_per_week = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    spending = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "quarter"]
        constraints = [models.UniqueConstraint(fields=["programme", "quarter"], name="programme_quarter_unique")]

    def __str__(self) -> str:
        return f"{self.programme_id} quarter {self.quarter}"
