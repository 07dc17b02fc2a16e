"""The register of what was bought: contracts, block bed lines and their prices, placements, closures,
holds and provider vacancy reports.

Date ranges are inclusive: `end_date` is the last day something applies (a 28-day closure from 1 December
ends on 28 December); an empty end date means open-ended. Void beds are never stored: they are computed
from bed lines, placements and closures (see selectors.py).

A person (a pseudonymous reference) is in at most one placement at a time. A move is an end and a start:
the next placement may start on the day the previous one ends (its `end_date`, the last day in the old bed),
so on the move day itself both homes count the person, as both hold a bed for them that day; any longer
overlap is refused (contracts.services.placements).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class ContractKind(models.TextChoices):
    BLOCK = "block", "Block contract"
    SPOT = "spot", "Spot contract"
    CALL_OFF = "call_off", "Framework call-off"


class ContractService(models.TextChoices):
    CARE_HOME_BEDS = "care_home_beds", "Care home beds"
    HOMECARE_HOURS = "homecare_hours", "Homecare hours"
    OTHER = "other", "Other"


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    MOBILISING = "mobilising", "Mobilising"
    LIVE = "live", "Live"
    ENDING = "ending", "Ending (notice given)"
    ENDED = "ended", "Ended"


# Contracts in force now: their beds are offered to brokers, counted as supply and on the map, uplifted, shown as
# active in the register and watched by the alert rules. A draft has not come into force; an ended one has stopped.
LIVE_STATUSES = (ContractStatus.MOBILISING, ContractStatus.LIVE, ContractStatus.ENDING)
# Contracts that came into force at some time: a report over a period counts their beds on the days their lines
# ran, so last year's void cost of a contract that has ended since stays in last year's figures. A draft never ran.
STARTED_STATUSES = (*LIVE_STATUSES, ContractStatus.ENDED)


def live_contract(prefix: str = "") -> Q:
    """Contracts in force (LIVE_STATUSES): `live_contract()` over contracts, `live_contract("contract__")` over
    bed lines and anything else that points at one."""
    return Q(**{f"{prefix}status__in": LIVE_STATUSES})


def started_contract(prefix: str = "") -> Q:
    """Contracts that came into force at some time (STARTED_STATUSES), for reports over a period."""
    return Q(**{f"{prefix}status__in": STARTED_STATUSES})


def live_contract_sql(column: str) -> tuple[str, list[str]]:
    """live_contract in hand-written SQL: `<column> IN (%s, ...)` over a contract's status column, and its
    parameters."""
    return f"{column} IN ({', '.join(['%s'] * len(LIVE_STATUSES))})", [status.value for status in LIVE_STATUSES]


class BreakDecision(models.TextChoices):
    EXERCISED = "exercised", "Break exercised: the contract ends on its break date"
    NOT_EXERCISED = "not_exercised", "Break not exercised: the contract runs on"


class CommissioningPartner(models.TextChoices):
    COUNCIL = "council", "Council"
    NHS = "nhs", "NHS partner"
    JOINT = "joint", "Council and NHS jointly"


class CareType(models.TextChoices):
    RESIDENTIAL = "residential", "Residential"
    RESIDENTIAL_DEMENTIA = "residential_dementia", "Residential dementia"
    NURSING = "nursing", "Nursing"
    NURSING_DEMENTIA = "nursing_dementia", "Nursing dementia"
    PLANNED_RESPITE = "planned_respite", "Planned respite"
    SHORT_TERM = "short_term", "Short-term / emergency"


class Contract(models.Model):
    reference = models.CharField(max_length=60, unique=True)
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="contracts")
    kind = models.CharField(max_length=20, choices=ContractKind.choices, db_index=True)
    service = models.CharField(max_length=20, choices=ContractService.choices, default=ContractService.CARE_HOME_BEDS)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Last day of the contract; empty if open-ended.")
    break_clause_date = models.DateField(null=True, blank=True)
    # Recorded through contracts.services.contract_break_decide; a break date passed without one is an alert.
    break_decision = models.CharField(max_length=20, choices=BreakDecision.choices, blank=True)
    break_decided_on = models.DateField(null=True, blank=True)
    break_decision_note = models.TextField(blank=True)
    notice_period_months = models.PositiveSmallIntegerField(default=6)
    status = models.CharField(
        max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT, db_index=True
    )
    commissioning_partner = models.CharField(
        max_length=20, choices=CommissioningPartner.choices, default=CommissioningPartner.COUNCIL
    )
    documents_url = models.URLField(blank=True, max_length=500)
    notes = models.TextField(blank=True)
    # Annual uplift rule: weighted National Living Wage and CPI increases, capped (3% in the block bed tender).
    uplift_nlw_weight = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Share of the uplift that follows the National Living Wage increase (0 to 1).",
    )
    uplift_cpi_weight = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Share of the uplift that follows CPI (0 to 1).",
    )
    uplift_cap_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="Largest uplift in a year, e.g. 3.00."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="contract_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


def void_and_free(*, contracted: int, placed: int, closed: int, held: int) -> tuple[int, int]:
    """Void beds (contracted − placed − closed, never below 0) and free beds (void − unexpired holds)."""
    void = max(contracted - placed - closed, 0)
    return void, max(void - held, 0)


class BedLine(models.Model):
    """N block beds of one care type at one location. Its weekly rate comes from RateChange rows."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="bed_lines")
    location = models.ForeignKey("providers.Location", on_delete=models.PROTECT, related_name="bed_lines")
    care_type = models.CharField(max_length=30, choices=CareType.choices)
    beds = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    activation_date = models.DateField(help_text="The day these beds go live.")
    end_date = models.DateField(null=True, blank=True, help_text="Last day; empty means until the contract ends.")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["contract__reference", "location__name", "care_type", "activation_date"]
        indexes = [models.Index(fields=["care_type", "location"], name="bedline_caretype_location")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("activation_date")),
                name="bedline_ends_after_activation",
            ),
            models.CheckConstraint(condition=Q(beds__gte=1), name="bedline_has_beds"),
        ]

    def __str__(self) -> str:
        return f"{self.beds} {self.get_care_type_display()} at {self.location_id} ({self.contract_id})"

    # Set by contracts.selectors.bed_lines_with_voids for one day; void and free beds follow from them.
    @property
    def void_beds(self) -> int | None:
        return self._void_and_free()[0]

    @property
    def free_beds(self) -> int | None:
        return self._void_and_free()[1]

    def _void_and_free(self) -> tuple[int | None, int | None]:
        if not hasattr(self, "placed_beds"):
            return None, None
        return void_and_free(
            contracted=self.contracted_beds, placed=self.placed_beds, closed=self.closed_beds, held=self.held_beds
        )


class RateChange(models.Model):
    """The weekly rate of a bed line from `effective_from` until the next change."""

    class Reason(models.TextChoices):
        INITIAL = "initial", "Initial price"
        UPLIFT = "uplift", "Annual uplift"
        NEGOTIATED = "negotiated", "Negotiated change"
        CORRECTION = "correction", "Correction"

    bed_line = models.ForeignKey(BedLine, on_delete=models.CASCADE, related_name="rate_changes")
    effective_from = models.DateField()
    weekly_rate = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.INITIAL)
    uplift_percent = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    nlw_percent = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    cpi_percent = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["bed_line", "effective_from"]
        # The rate on a day is read from the index alone (the bed finder asks for it on every line it shows).
        indexes = [
            models.Index(fields=["bed_line", "effective_from"], include=["weekly_rate"], name="ratechange_line_rate")
        ]
        constraints = [
            models.UniqueConstraint(fields=["bed_line", "effective_from"], name="ratechange_one_per_line_and_day"),
        ]

    def __str__(self) -> str:
        return f"£{self.weekly_rate}/week from {self.effective_from}"


class PlacementKind(models.TextChoices):
    BLOCK = "block", "Block bed"
    SPOT = "spot", "Spot purchase"
    RESPITE = "respite", "Respite"
    EMERGENCY = "emergency", "Emergency / short-term use of a void"
    CONTINGENCY = "contingency", "Contingency provider"
    LEAD_PROVIDER = "lead_provider", "Lot lead provider"
    DIRECT_PAYMENT = "direct_payment", "Direct payment"


class PlacementService(models.TextChoices):
    CARE_HOME = "care_home", "Care home bed"
    HOMECARE = "homecare", "Homecare"
    DIRECT_PAYMENT = "direct_payment", "Direct payment"


class PlacementSource(models.TextChoices):
    HOSPITAL_DISCHARGE = "hospital_discharge", "Hospital discharge"
    COMMUNITY = "community", "Community"
    OTHER = "other", "Other"


class PlacementEndReason(models.TextChoices):
    MOVED = "moved", "Moved to another placement"
    DIED = "died", "Died"
    WENT_HOME = "went_home", "Went home"
    HOSPITAL = "hospital", "Went into hospital"


# Kinds that occupy a block bed line (a spot placement is at a location outside any block).
BED_LINE_KINDS = {PlacementKind.BLOCK, PlacementKind.RESPITE, PlacementKind.EMERGENCY}


class Placement(models.Model):
    """A person, known here only by a pseudonymous reference, in a bed or receiving homecare."""

    reference = models.CharField(max_length=32, db_index=True, help_text="Pseudonymous, e.g. BRK-2026-0042.")
    service = models.CharField(max_length=20, choices=PlacementService.choices, default=PlacementService.CARE_HOME)
    kind = models.CharField(max_length=20, choices=PlacementKind.choices, db_index=True)
    bed_line = models.ForeignKey(BedLine, null=True, blank=True, on_delete=models.PROTECT, related_name="placements")
    location = models.ForeignKey(
        "providers.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="placements"
    )
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="placements"
    )
    care_type = models.CharField(max_length=30, choices=CareType.choices, blank=True)
    # Where the person lives, to the ward only (never a postcode: references stay pseudonymous). A homecare
    # package or direct payment has no bed to place it, and its provider's office is not where care is given;
    # the ward is what puts the person in a homecare lot's area.
    home_ward = models.ForeignKey(
        "geo.Locality",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "ward"},
        help_text="The ward the person lives in (homecare and direct payments).",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Last day; empty while the placement goes on.")
    weekly_cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    hours_per_week = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    source = models.CharField(max_length=30, choices=PlacementSource.choices, default=PlacementSource.COMMUNITY)
    end_reason = models.CharField(
        max_length=20, choices=PlacementEndReason.choices, blank=True, help_text="Why the placement ended."
    )
    # A spot bed bought while a block bed of its care type was free nearby on its first day (an avoidable spot
    # purchase): the broker's reason, and the weekly rate of the nearest such block bed, so that the extra cost
    # (weekly_cost - block_rate_passed_over) stays as it was on the day, whatever the rates do afterwards.
    spot_reason = models.TextField(blank=True, help_text="Why a spot bed was bought while block beds were free.")
    block_rate_passed_over = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["bed_line", "start_date", "end_date"], name="placement_line_dates"),
            models.Index(fields=["service", "kind"], name="placement_service_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="placement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_kind_display()})"


class PersonReference(models.Model):
    """One row per pseudonymous reference ever placed or held: the row a write locks before it checks the
    person's other placements, so two brokers placing one person at once are settled one after the other."""

    reference = models.CharField(max_length=32, primary_key=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_written_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.reference


class Closure(models.Model):
    """Beds of a line that cannot take anyone for a while (an outbreak closure, refurbishment)."""

    bed_line = models.ForeignKey(BedLine, on_delete=models.CASCADE, related_name="closures")
    beds = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    start_date = models.DateField()
    end_date = models.DateField(help_text="Last day of the closure (28-day outbreak closure: start + 27 days).")
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["bed_line", "start_date", "end_date"], name="closure_line_dates")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="closure_ends_after_start"),
            models.CheckConstraint(condition=Q(beds__gte=1), name="closure_has_beds"),
        ]

    def __str__(self) -> str:
        return f"{self.beds} closed {self.start_date}–{self.end_date}: {self.reason}"


class HoldStatus(models.TextChoices):
    HELD = "held", "Held"
    CONVERTED = "converted", "Converted to a placement"
    RELEASED = "released", "Released"
    EXPIRED = "expired", "Expired"


class Hold(models.Model):
    """A broker's hold on a void bed. It counts only while status is held and expires_at is in the future;
    a periodic sweep marks the ones that lapsed."""

    bed_line = models.ForeignKey(BedLine, on_delete=models.CASCADE, related_name="holds")
    reference = models.CharField(max_length=32, help_text="Pseudonymous reference of the person.")
    start_date = models.DateField(help_text="The day the person would move in.")
    status = models.CharField(max_length=20, choices=HoldStatus.choices, default=HoldStatus.HELD, db_index=True)
    expires_at = models.DateTimeField(db_index=True)
    placement = models.OneToOneField(
        Placement, null=True, blank=True, on_delete=models.SET_NULL, related_name="from_hold"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["bed_line", "status", "expires_at"], name="hold_line_active")]

    def __str__(self) -> str:
        return f"Hold {self.reference} on line {self.bed_line_id} ({self.status})"

    def is_active(self, now=None) -> bool:
        return self.status == HoldStatus.HELD and self.expires_at > (now or timezone.now())


class VacancyReport(models.Model):
    """A provider's own report for one location, Capacity Tracker style."""

    location = models.ForeignKey("providers.Location", on_delete=models.CASCADE, related_name="vacancy_reports")
    report_date = models.DateField()
    care_type = models.CharField(max_length=30, choices=CareType.choices)
    vacant_beds = models.PositiveIntegerField()
    accepting_admissions = models.BooleanField(default=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-report_date", "-id"]
        indexes = [models.Index(fields=["location", "care_type", "report_date"], name="vacancy_latest")]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "care_type", "report_date"], name="vacancy_one_per_location_type_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location_id} {self.care_type} {self.report_date}: {self.vacant_beds}"


class FreeBedState(models.Model):
    """Each bed line's beds on the state's day (FreeBedStateDay), as contracts.selectors.bed_lines_with_voids
    counts them, kept by the services that change them in their own transaction; the bed finder reads it for
    searches on today instead of counting placements, closures, holds and rates for every candidate line.

    Only lines active on the day in a live contract have a row. What the answer shows about the home (name,
    coordinates, registration, rating, conditions) is read from the providers' own tables at search time, so
    their writers need not know of this table. A hold stops counting at its expires_at without any write:
    `holds_expire_first` says until when `held_beds` is right (the search counts holds afresh after that)."""

    bed_line = models.OneToOneField(BedLine, on_delete=models.CASCADE, primary_key=True, related_name="free_state")
    location = models.ForeignKey("providers.Location", on_delete=models.CASCADE, related_name="+")
    care_type = models.CharField(max_length=30, choices=CareType.choices)
    contract_reference = models.CharField(max_length=60)  # shown with every line; contract_update recounts its lines
    on = models.DateField()
    contracted_beds = models.IntegerField()
    placed_beds = models.IntegerField()
    closed_beds = models.IntegerField()
    void_beds = models.IntegerField()
    held_beds = models.IntegerField()
    holds_expire_first = models.DateTimeField(null=True, blank=True)
    weekly_rate = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        # The search finds the homes near a point by their own index, then each home's lines of the care type here.
        indexes = [models.Index(fields=["location", "care_type"], name="freebedstate_home_care_type")]

    def __str__(self) -> str:
        return f"{self.void_beds - self.held_beds} free on line {self.bed_line_id} on {self.on}"


class FreeBedStateDay(models.Model):
    """The day the whole free-bed state was last rebuilt for (one row). The bed finder reads the state only when
    this is today: after midnight and before the daily rebuild it counts beds as before."""

    on = models.DateField()
    rebuilt_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Free-bed state for {self.on}"
