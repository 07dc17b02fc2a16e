from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords


class LocalityKind(models.TextChoices):
    COUNTRY = "country", "Country"
    REGION = "region", "Region"
    COUNTY = "county", "County"
    DISTRICT = "district", "District"
    WARD = "ward", "Ward"
    CLUSTER = "cluster", "Cluster"
    LOT_AREA = "lot_area", "Lot area"
    CUSTOM = "custom", "Custom area"


class Locality(models.Model):
    """A place commissioners think in. Its geometry is in LocalityBoundary (`locality.geometry`), a row of
    its own so that lists of localities, or of anything joined to its ward and district, never read it by
    accident; the bounding box, centroid and area stay here, so ordinary indexed SQL prefilters by place."""

    code = models.CharField(max_length=40, unique=True, help_text="ONS GSS code (e.g. E07000009) or a local code.")
    name = models.CharField(max_length=200, db_index=True)
    kind = models.CharField(max_length=20, choices=LocalityKind.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    members = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="member_of",
        help_text="For clusters, lot areas and custom areas: the localities whose union this area is.",
    )
    min_latitude = models.FloatField(null=True, blank=True)
    max_latitude = models.FloatField(null=True, blank=True)
    min_longitude = models.FloatField(null=True, blank=True)
    max_longitude = models.FloatField(null=True, blank=True)
    centroid_latitude = models.FloatField(null=True, blank=True)
    centroid_longitude = models.FloatField(null=True, blank=True)
    area_km2 = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="File or service the boundary came from.")
    attribution = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name_plural = "localities"
        indexes = [
            models.Index(fields=["kind", "parent"]),
            models.Index(fields=["min_latitude", "max_latitude", "min_longitude", "max_longitude"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": "A locality cannot be its own parent."})


class LocalityBoundary(models.Model):
    """The geometry of one locality, GeoJSON in WGS84 (no spatial database): `boundary` is the full
    MultiPolygon for analysis, `display_boundary` a simplification for maps. A locality with no boundary
    (an area whose members have none yet) has no row. Written only by the geo services, which also keep the
    locality's bounding box, centroid and area and its updated_at (the geography's version) in step."""

    locality = models.OneToOneField(Locality, primary_key=True, on_delete=models.CASCADE, related_name="geometry")
    boundary = models.JSONField(help_text="GeoJSON MultiPolygon, WGS84.")
    display_boundary = models.JSONField(null=True, blank=True, help_text="Simplified for maps.")

    class Meta:
        verbose_name = "locality boundary"
        verbose_name_plural = "locality boundaries"

    def __str__(self) -> str:
        return f"Boundary of {self.locality}"

    def clean(self) -> None:
        if self.boundary is not None and self.boundary.get("type") != "MultiPolygon":
            raise ValidationError({"boundary": "The boundary must be a GeoJSON MultiPolygon."})


class Postcode(models.Model):
    """A row of the ONS Postcode Directory: where a postcode is and which district and ward it lies in."""

    postcode = models.CharField(max_length=8, unique=True, help_text="Normalised: upper case, one space.")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    district_code = models.CharField(max_length=9, blank=True, db_index=True)
    ward_code = models.CharField(max_length=9, blank=True, db_index=True)
    terminated = models.BooleanField(default=False)

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode


class BoundaryImport(models.Model):
    """An administrator's upload of a boundary file, imported by a Celery task. While it runs, live progress
    is kept in the cache (the import writes in one transaction, invisible to others until it commits);
    `progress` and `report` here are the final word."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Imported"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Failed"

    file = models.FileField(upload_to="geo/boundary-imports/%Y/%m/")
    kind = models.CharField(max_length=20, choices=LocalityKind.choices)
    code_field = models.CharField(max_length=100)
    name_field = models.CharField(max_length=100)
    parent_field = models.CharField(max_length=100, blank=True)
    allow_distant_parent = models.BooleanField(
        default=False,
        help_text="Import even where a child's parent holds less than half of its area (the report lists them).",
    )
    layer = models.CharField(max_length=200, blank=True)
    crs = models.CharField(max_length=50, blank=True, help_text="For files that declare no CRS, e.g. EPSG:27700.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    report = models.JSONField(default=dict, blank=True, help_text="Counts, notes and any problems (row, field).")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="When its task reached the broker; empty while the broker was unreachable."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} boundaries from {self.file.name} ({self.status})"

    @property
    def file_name(self) -> str:
        """The uploaded file's own name, without the storage folder."""
        return self.file.name.rsplit("/", 1)[-1]
