from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class SizeBand(models.TextChoices):
    MICRO = "micro", "Micro"
    SMALL = "small", "Small"
    MEDIUM = "medium", "Medium"
    LARGE = "large", "Large"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "Registered", "Registered"
    DEREGISTERED = "Deregistered", "Deregistered"
    NOT_REGISTERED = "Not registered", "Not CQC-registered"


class RatingValue(models.TextChoices):
    """Exactly as CQC publishes them. The first four are ratings; the rest are not."""

    OUTSTANDING = "Outstanding"
    GOOD = "Good"
    REQUIRES_IMPROVEMENT = "Requires improvement"
    INADEQUATE = "Inadequate"
    NO_PUBLISHED_RATING = "No published rating"
    INSPECTED_BUT_NOT_RATED = "Inspected but not rated"
    INSUFFICIENT_EVIDENCE = "Insufficient evidence to rate"
    NOT_RATED = "Not Rated"


# Higher is better; values not in here are not ratings and are never "up" or "down" from anything.
RATING_RANK = {
    RatingValue.INADEQUATE: 1,
    RatingValue.REQUIRES_IMPROVEMENT: 2,
    RatingValue.GOOD: 3,
    RatingValue.OUTSTANDING: 4,
}


class Provider(models.Model):
    """A registered organisation (or an unregistered one, such as a sole-trader micro-enterprise)."""

    cqc_provider_id = models.CharField(max_length=20, unique=True, null=True, blank=True)
    name = models.CharField(max_length=300, db_index=True)
    organisation_type = models.CharField(max_length=100, blank=True)
    companies_house_number = models.CharField(max_length=20, blank=True)
    brand = models.CharField(max_length=200, blank=True)
    size_band = models.CharField(max_length=10, choices=SizeBand.choices, blank=True)
    registration_status = models.CharField(
        max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.REGISTERED, db_index=True
    )
    registration_date = models.DateField(null=True, blank=True)
    deregistration_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A service site: a care home (with or without nursing), a domiciliary care agency, ..."""

    cqc_location_id = models.CharField(max_length=20, unique=True, null=True, blank=True)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=300, db_index=True)
    address_line_1 = models.CharField(max_length=300, blank=True)
    address_line_2 = models.CharField(max_length=300, blank=True)
    town = models.CharField(max_length=100, blank=True)
    county = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    ward = models.ForeignKey(
        "geo.Locality", null=True, blank=True, on_delete=models.SET_NULL, related_name="ward_locations"
    )
    district = models.ForeignKey(
        "geo.Locality", null=True, blank=True, on_delete=models.SET_NULL, related_name="district_locations"
    )
    local_authority = models.CharField(max_length=100, blank=True, help_text="As CQC names it.")
    region = models.CharField(max_length=100, blank=True)
    location_type = models.CharField(max_length=100, blank=True, help_text="CQC's `type`, e.g. Social Care Org.")
    care_home = models.BooleanField(default=False, db_index=True)
    registered_beds = models.PositiveIntegerField(null=True, blank=True)
    service_types = models.JSONField(default=list, blank=True, help_text="CQC gacServiceTypes names.")
    regulated_activities = models.JSONField(default=list, blank=True)
    specialisms = models.JSONField(default=list, blank=True, help_text="e.g. Dementia, Physical disabilities.")
    service_user_bands = models.JSONField(default=list, blank=True)
    registration_status = models.CharField(
        max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.REGISTERED, db_index=True
    )
    registration_date = models.DateField(null=True, blank=True)
    deregistration_date = models.DateField(null=True, blank=True)
    dormant = models.BooleanField(default=False)
    current_rating = models.ForeignKey(
        "providers.Rating",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The latest overall rating; kept by the rating import.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    """One published CQC rating of a location (or, with no location, of a provider)."""

    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE, related_name="ratings")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="ratings")
    overall = models.CharField(max_length=40, choices=RatingValue.choices)
    safe = models.CharField(max_length=40, choices=RatingValue.choices, blank=True)
    effective = models.CharField(max_length=40, choices=RatingValue.choices, blank=True)
    caring = models.CharField(max_length=40, choices=RatingValue.choices, blank=True)
    responsive = models.CharField(max_length=40, choices=RatingValue.choices, blank=True)
    well_led = models.CharField(max_length=40, choices=RatingValue.choices, blank=True)
    report_date = models.DateField(null=True, blank=True)
    report_link_id = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=40, blank=True, help_text="cqc_api, cqc_directory, cqc_ratings, manual")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-report_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "report_date", "overall"],
                condition=Q(location__isnull=False),
                name="rating_unique_per_location_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.overall} ({self.report_date})"


class Condition(models.Model):
    """A condition on registration or an enforcement action, e.g. "no new admissions without CQC consent"."""

    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE, related_name="conditions")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="conditions")
    text = models.TextField()
    stops_admissions = models.BooleanField(
        default=False, help_text="The condition stops new admissions or new work while it lasts."
    )
    imposed_on = models.DateField()
    lifted_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-imposed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_on__isnull=True) | Q(lifted_on__gte=models.F("imposed_on")),
                name="condition_lifted_after_imposed",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class ProviderMembership(models.Model):
    """Links a provider user to a provider they report for. accounts.selectors.provider_scope reads it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_memberships")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "provider"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.provider}"
