from django.contrib import admin

from core.admin import NoDeleteAdmin, ReadOnlyAdmin, ServiceForm
from geo.geometry import MEASURE_FIELDS
from geo.models import BoundaryImport, Locality, LocalityBoundary, Postcode
from geo.selectors import boundary_import_progress
from geo.services import boundary_import_request, locality_update


class LocalityForm(ServiceForm):
    class Meta:
        model = Locality
        fields = ["name", "parent", "members", "source", "attribution"]

    def write(self, data: dict) -> Locality:
        return locality_update(locality=self.instance, **data)


@admin.register(Locality)
class LocalityAdmin(NoDeleteAdmin):
    """Localities come from boundary files (Boundaries, or `manage.py boundaries_import`) and areas are composed
    of them (`locality_compose`); here they are renamed, re-parented and given members through locality_update,
    which recomputes an area's boundary. None is deleted here: homes, lots and alerts are placed in them."""

    form = LocalityForm
    list_display = ["code", "name", "kind", "parent", "area_km2", "source", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "members"]
    readonly_fields = ["code", "kind", *MEASURE_FIELDS, "updated_at"]
    list_select_related = ["parent"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(LocalityBoundary)
class LocalityBoundaryAdmin(admin.ModelAdmin):
    """Read only: boundaries are written by imports and compositions (geo.services), which keep each
    locality's bounding box, area and map geometry in step with them."""

    list_display = ["locality", "kind"]
    list_select_related = ["locality"]
    search_fields = ["locality__code", "locality__name"]
    fields = ["locality", "kind", "polygons", "points", "display_points"]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("_changelist"):
            queryset = queryset.defer("boundary", "display_boundary")  # a list never reads the geometry
        return queryset

    @admin.display(description="kind")
    def kind(self, row: LocalityBoundary) -> str:
        return row.locality.get_kind_display()

    @admin.display(description="polygons")
    def polygons(self, row: LocalityBoundary) -> int:
        return len(row.boundary["coordinates"])

    @admin.display(description="points (full boundary)")
    def points(self, row: LocalityBoundary) -> int:
        return sum(len(ring) for polygon in row.boundary["coordinates"] for ring in polygon)

    @admin.display(description="points (map)")
    def display_points(self, row: LocalityBoundary) -> int | None:
        if not row.display_boundary:
            return None
        return sum(len(ring) for polygon in row.display_boundary["coordinates"] for ring in polygon)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Postcode)
class PostcodeAdmin(ReadOnlyAdmin):
    """ONS's postcode directory, loaded by `manage.py postcodes_import`: looked up here, not edited."""

    list_display = ["postcode", "district_code", "ward_code", "latitude", "longitude", "terminated"]
    list_filter = ["terminated"]
    search_fields = ["postcode", "district_code", "ward_code"]


@admin.register(BoundaryImport)
class BoundaryImportAdmin(NoDeleteAdmin):
    """Administrators upload a boundary file here; a background task imports it."""

    list_display = ["id", "file", "kind", "status", "live_progress", "created_by", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    fields = [
        "file",
        "kind",
        "code_field",
        "name_field",
        "parent_field",
        "allow_distant_parent",
        "layer",
        "crs",
        "status",
        "live_progress",
        "report",
        "created_by",
        "enqueued_at",
        "started_at",
        "finished_at",
    ]
    readonly_fields = ["status", "live_progress", "report", "created_by", "enqueued_at", "started_at", "finished_at"]

    @admin.display(description="progress (%)")
    def live_progress(self, record: BoundaryImport) -> int:
        return boundary_import_progress(record)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a queued import is not edited; upload a new file instead
            return [*self.fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        record = boundary_import_request(
            file=form.cleaned_data["file"],
            kind=obj.kind,
            code_field=obj.code_field,
            name_field=obj.name_field,
            parent_field=obj.parent_field,
            allow_distant_parent=obj.allow_distant_parent,
            layer=obj.layer,
            crs=obj.crs,
            by=request.user,
        )
        obj.pk = record.pk
        obj.file = record.file

    def save_related(self, request, form, formsets, change):
        """Nothing is related: boundary_import_request stored the request, and the import writes its report."""
