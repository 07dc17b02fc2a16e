from rest_framework import exceptions, serializers

from core.errors import NotFound
from core.query import CommaChoicesField
from geo.layers import layer_properties_names
from geo.models import BoundaryImport, Locality, LocalityKind
from geo.selectors import boundary_import_progress


class LayerPropertiesField(CommaChoicesField):
    """`?properties=voids,ratings`: names other apps registered with geo.layers.register_layer_properties."""

    def __init__(self, **kwargs):
        super().__init__(choices=layer_properties_names, noun="layer property", **kwargs)

    def to_internal_value(self, data) -> list[str]:
        names = super().to_internal_value(data)
        request = self.context.get("request")
        staff = not (request is not None and request.user.is_authenticated and request.user.is_provider_user)
        withheld = sorted(set(names) - set(layer_properties_names(staff=staff)))
        if withheld:
            raise exceptions.PermissionDenied(f"Layer properties {', '.join(withheld)} are for council staff only.")
        return sorted(set(names))


class LayerPropertiesQuerySerializer(serializers.Serializer):
    properties = LayerPropertiesField(
        required=False, help_text="Extra feature properties added by other apps, comma-separated (e.g. voids)."
    )


class LocalityLayerQuerySerializer(LayerPropertiesQuerySerializer):
    kind = serializers.ChoiceField(choices=LocalityKind.choices, required=False, help_text="Which kind of locality.")
    parent = serializers.CharField(
        required=False, max_length=40, help_text="Code of the parent locality, e.g. E10000003 (404 if unknown)."
    )

    def validate_parent(self, code: str) -> Locality:
        parent = Locality.objects.filter(code=code).only("pk", "code").first()
        if parent is None:
            raise NotFound(f"There is no locality with code {code}.", field="parent")
        return parent

    def validate(self, attrs):
        if not attrs.get("kind") and not attrs.get("parent"):
            raise serializers.ValidationError(
                {"kind": "Say which localities: give kind (e.g. district) or parent (a code), or both."}
            )
        return attrs


class NoQuerySerializer(serializers.Serializer):
    """For addresses that take no query parameters: any given is refused."""


class BoundaryImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=LocalityKind.choices)
    code_field = serializers.CharField(max_length=100)
    name_field = serializers.CharField(max_length=100)
    parent_field = serializers.CharField(max_length=100, required=False, allow_blank=True)
    allow_distant_parent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Import even where a child's parent holds less than half of its area; the report lists them.",
    )
    layer = serializers.CharField(max_length=200, required=False, allow_blank=True)
    crs = serializers.CharField(max_length=50, required=False, allow_blank=True)


class BoundaryImportSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    file = serializers.SerializerMethodField()

    class Meta:
        model = BoundaryImport
        fields = [
            "id",
            "file",
            "kind",
            "code_field",
            "name_field",
            "parent_field",
            "allow_distant_parent",
            "layer",
            "crs",
            "status",
            "progress",
            "report",
            "created_at",
            "enqueued_at",
            "started_at",
            "finished_at",
        ]

    def get_progress(self, record: BoundaryImport) -> int:
        return boundary_import_progress(record)

    def get_file(self, record: BoundaryImport) -> str:
        return record.file_name


class PostcodeSerializer(serializers.Serializer):
    postcode = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    district_code = serializers.CharField()
    ward_code = serializers.CharField()
