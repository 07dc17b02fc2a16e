from rest_framework import serializers

from geo.models import BoundaryImport, LocalityKind
from geo.selectors import boundary_import_progress


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
            "started_at",
            "finished_at",
        ]

    def get_progress(self, record: BoundaryImport) -> int:
        return boundary_import_progress(record)

    def get_file(self, record: BoundaryImport) -> str:
        return record.file.name.rsplit("/", 1)[-1]


class PostcodeSerializer(serializers.Serializer):
    postcode = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    district_code = serializers.CharField()
    ward_code = serializers.CharField()
