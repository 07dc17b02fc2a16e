from rest_framework import serializers

from providers.models import Location
from quality.models import Action, Audit, Finding, Framework, Intelligence, ProviderComment, Standard


class StandardSerializer(serializers.ModelSerializer):
    domain = serializers.CharField(source="domain.name")

    class Meta:
        model = Standard
        fields = ["id", "number", "title", "domain", "looked_for", "weight"]


class FrameworkSerializer(serializers.ModelSerializer):
    standards = StandardSerializer(many=True, read_only=True)

    class Meta:
        model = Framework
        fields = ["id", "name", "version", "current", "notes", "standards"]


class FindingSerializer(serializers.ModelSerializer):
    standard = serializers.IntegerField(source="standard.number")
    title = serializers.CharField(source="standard.title")

    class Meta:
        model = Finding
        fields = ["standard", "title", "score", "evidence"]


class CommentSerializer(serializers.ModelSerializer):
    standard = serializers.IntegerField(source="finding.standard.number", allow_null=True, default=None)

    class Meta:
        model = ProviderComment
        fields = ["standard", "text", "created_at"]


class ActionSerializer(serializers.ModelSerializer):
    standard = serializers.IntegerField(source="finding.standard.number")

    class Meta:
        model = Action
        fields = ["id", "standard", "description", "owner", "due_on", "progress", "progress_note"]


class AuditSerializer(serializers.ModelSerializer):
    location_name = serializers.CharField(source="location.name")
    provider = serializers.IntegerField(source="location.provider_id")
    framework = serializers.CharField(source="framework.__str__")

    class Meta:
        model = Audit
        fields = [
            "id",
            "location",
            "location_name",
            "provider",
            "framework",
            "status",
            "planned_for",
            "visited_on",
            "rating",
            "weighted_score",
            "shared_at",
            "comments_close_at",
            "published_on",
            "action_plan_due",
        ]


class AuditDetailSerializer(AuditSerializer):
    findings = FindingSerializer(many=True, read_only=True)
    comments = CommentSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta(AuditSerializer.Meta):
        fields = [*AuditSerializer.Meta.fields, "summary", "findings", "comments", "actions"]

    def get_actions(self, audit) -> list[dict]:
        plan = getattr(audit, "action_plan", None) if hasattr(audit, "action_plan") else None
        return ActionSerializer(plan.actions.all(), many=True).data if plan else []


class IntelligenceSerializer(serializers.ModelSerializer):
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())

    class Meta:
        model = Intelligence
        fields = ["id", "location", "received_on", "category", "severity", "summary", "reference", "recorded_at"]
        read_only_fields = ["recorded_at"]


class ScheduleQuery(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="The day the schedule is worked out for (default today).")


class ScheduleEntrySerializer(serializers.Serializer):
    position = serializers.IntegerField()
    location = serializers.IntegerField(source="location.pk")
    location_name = serializers.CharField(source="location.name")
    points = serializers.IntegerField()
    due_on = serializers.DateField()
    reasons = serializers.ListField(child=serializers.CharField())
    last_rating = serializers.CharField(source="last_audit.rating", default="")
