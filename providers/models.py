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
    registered_manager_absent_date = models.DateField(
        null=True,
        blank=True,
        help_text="Since when CQC records the location as without its registered manager (CQC's "
        "registeredManagerAbsentDate). Managers' names are personal data and are not kept.",
    )
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


class LocationReport(models.Model):
    """One of a location's CQC inspection reports as the API lists them (`reports[]`), kept by the sync."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="reports")
    link_id = models.CharField(max_length=100, help_text="CQC's report link id (the report is at /reports/<id>).")
    report_date = models.DateField(null=True, blank=True)
    report_type = models.CharField(max_length=100, blank=True, help_text="e.g. Location, Provider.")
    first_visit_date = models.DateField(null=True, blank=True, help_text="The first day of the inspection.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-report_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["location", "link_id"], name="location_report_unique")]

    def __str__(self) -> str:
        return f"{self.report_type or 'Report'} {self.report_date or ''} ({self.link_id})"


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


class Question(models.TextChoices):
    """Which part of a rating: the overall rating or one of CQC's five key questions."""

    OVERALL = "overall", "Overall"
    SAFE = "safe", "Safe"
    EFFECTIVE = "effective", "Effective"
    CARING = "caring", "Caring"
    RESPONSIVE = "responsive", "Responsive"
    WELL_LED = "well_led", "Well-led"


class Direction(models.TextChoices):
    UP = "up", "Up"
    DOWN = "down", "Down"
    # To or from a value that is not a rating ("Inspected but not rated", ...): neither better nor worse.
    CHANGED = "changed", "Changed (not comparable)"


class RatingChange(models.Model):
    """A location's current rating on one question differed from the one stored before. Written by the rating
    service (imports, sync, manual entry), never by signals; the alert engine reads these rows."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="rating_changes")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="rating_changes")
    rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes", help_text="The new rating."
    )
    question = models.CharField(max_length=20, choices=Question.choices)
    from_value = models.CharField(max_length=40, choices=RatingValue.choices)
    to_value = models.CharField(max_length=40, choices=RatingValue.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices, db_index=True)
    report_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=40, blank=True)
    historic = models.BooleanField(
        default=False,
        db_index=True,
        help_text="Found while a location's rating history was loaded for the first time (a first sync or the "
        "first import that saw it): part of the history, not news, so it is left out of new changes and alerts.",
    )
    detected_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-detected_at", "-id"]
        indexes = [models.Index(fields=["location", "question"])]

    def __str__(self) -> str:
        return f"{self.location_id} {self.question}: {self.from_value} → {self.to_value}"


class RegistrationEventKind(models.TextChoices):
    REGISTERED = "registered", "Registered"
    DEREGISTERED = "deregistered", "Deregistered"
    DORMANT_FROM = "dormant_from", "Dormant from"
    DORMANT_TO = "dormant_to", "Dormant until (active again)"


class RegistrationEvent(models.Model):
    """A change in a provider's or location's CQC registration, as first seen by an import or sync."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="registration_events")
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="registration_events"
    )
    kind = models.CharField(max_length=20, choices=RegistrationEventKind.choices)
    on = models.DateField(help_text="The date CQC gives, or the date the change was first seen.")
    source = models.CharField(max_length=40, blank=True)
    detected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["location", "on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class SyncStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    # A first load that ran out of its time budget: what it read is stored and the next run continues it.
    INCOMPLETE = "incomplete", "Incomplete (the next run continues)"
    FAILED = "failed", "Failed"


class CqcSyncState(models.Model):
    """The CQC sync's cursor and scope, one row (key "cqc"). The cursor is the `endTimestamp` of the last
    successful run; the scope lists override settings.CQC_LOCAL_AUTHORITIES / CQC_REGIONS when not empty."""

    key = models.CharField(max_length=40, unique=True, default="cqc")
    cursor = models.DateTimeField(null=True, blank=True, help_text="End of the last window synced successfully.")
    local_authorities = models.JSONField(
        default=list, blank=True, help_text='Local authorities as CQC names them, e.g. ["Cambridgeshire"].'
    )
    regions = models.JSONField(default=list, blank=True, help_text='CQC regions, e.g. ["East Midlands"].')
    all_england = models.BooleanField(
        default=False, help_text="Track every location in England (only when no local authority or region is set)."
    )
    enabled = models.BooleanField(default=True)
    # Where a first load (no cursor yet) has got to: it is committed page by page of CQC's list of locations,
    # so a load longer than one task continues over several runs.
    load_scope = models.JSONField(
        default=list, blank=True, help_text="The lists being loaded: [kind, name] pairs (all, local authority, region)."
    )
    load_part = models.PositiveIntegerField(default=0, help_text="Which of those lists the load is in.")
    load_next_page = models.CharField(
        max_length=1000, blank=True, help_text="CQC's address of the next page to load (blank: the list's first)."
    )
    load_pages = models.PositiveIntegerField(default=0, help_text="Pages of the first load stored so far.")
    load_started_at = models.DateTimeField(
        null=True, blank=True, help_text="When the first load began: the cursor once it is complete."
    )
    load_first_run = models.PositiveIntegerField(null=True, blank=True, help_text="The run that began the load.")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "CQC sync settings"
        verbose_name_plural = "CQC sync settings"

    def __str__(self) -> str:
        return f"CQC sync (cursor {self.cursor:%Y-%m-%d %H:%M})" if self.cursor else "CQC sync (never run)"


class SyncRun(models.Model):
    """One run of the CQC sync: its window, what it did and what went wrong."""

    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=SyncStatus.choices, default=SyncStatus.RUNNING)
    full_load = models.BooleanField(default=False, help_text="No cursor yet: every location in scope was read.")
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    out_of_scope = models.PositiveIntegerField(default=0)
    rating_changes = models.PositiveIntegerField(default=0)
    # Progress while it runs. A first load commits page by page, so pages_done is seen as it grows; a window of
    # changes writes in one transaction, so its live count of locations read is kept in the cache meanwhile.
    pages_done = models.PositiveIntegerField(
        default=0, help_text="Pages of CQC's list of locations the first load has stored, this run's included."
    )
    pages_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="Pages in the list being loaded, as CQC counts them."
    )
    to_fetch = models.PositiveIntegerField(
        null=True, blank=True, help_text="Changed locations this run reads (a window of changes)."
    )
    skipped_ids = models.JSONField(default=list, blank=True, help_text="Changed ids CQC answered 404 for.")
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"CQC sync {self.started_at:%Y-%m-%d %H:%M} ({self.status})"
