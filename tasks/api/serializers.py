"""Thin serializers: they parse and present; the services check and write."""

from django.utils import timezone
from rest_framework import serializers

from accounts.models import Team, User
from core.query import SlugRelatedField
from core.renderers import moment_text
from geo.models import Locality
from providers.models import Provider
from tasks.models import Alert, AlertChange, AlertComment, AlertEvent, Rule, Severity, Silence
from tasks.rules import RULES


class _Named(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


# The inbox's alert, key by key in the answer's order, with the column of tasks.selectors.alert_rows_of each is
# written from (alert_rows).
ALERT_ROW = {
    "id": "id",
    "rule": "rule__code",
    "rule_name": "rule__name",
    "severity": "severity",
    "status": "status",
    "title": "title",
    "subject_kind": "subject_kind",
    "subject_id": "subject_id",
    "provider": "provider_id",
    "provider_name": "provider_name_by_id",
    "location": "location_id",
    "location_name": "location_name_by_id",
    "contract": "contract_id",
    "bed_line": "bed_line_id",
    "lot": "lot_id",
    "locality": "locality__code",
    "locality_name": "locality__name",
    "fingerprint": "fingerprint",
    "first_seen": "first_seen",
    "last_seen": "last_seen",
    "clear_since": "clear_since",
    "acknowledged_at": "acknowledged_at",
    "snoozed_until": "snoozed_until",
    "owner_user": "owner_user_id",
    "owner_user_name": "owner_user_name",
    "owner_team": "owner_team_id",
    "owner_team_name": "owner_team_name",
    "recurrence_of": "recurrence_of_id",
    "resolved_at": "resolved_at",
    "resolution_note": "resolution_note",
    "inhibited": "inhibited",
    "silenced": "silenced",
    "silenced_by": "silenced_by_id",
    "evidence": "evidence",
}
ALERT_MOMENTS = frozenset({"first_seen", "last_seen", "clear_since", "acknowledged_at", "snoozed_until", "resolved_at"})


class AlertSerializer(serializers.ModelSerializer):
    rule = SlugRelatedField(slug_field="code", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True, default=None)
    location_name = serializers.CharField(source="location.name", read_only=True, default=None)
    locality = SlugRelatedField(slug_field="code", read_only=True)
    locality_name = serializers.CharField(source="locality.name", read_only=True, default=None)
    owner_user = serializers.PrimaryKeyRelatedField(read_only=True)
    owner_user_name = serializers.CharField(source="owner_user.get_full_name", read_only=True, default=None)
    owner_team = serializers.PrimaryKeyRelatedField(read_only=True)
    owner_team_name = serializers.CharField(source="owner_team.name", read_only=True, default=None)

    class Meta:
        model = Alert
        fields = list(ALERT_ROW)
        read_only_fields = fields


def _moment(value, zone):
    """DRF's DateTimeField.to_representation for an aware moment (ISO 8601 in the current time zone `zone`, UTC as
    Z), without the field's lookups: the inbox list writes six of them for each of its rows."""
    return None if value is None else moment_text(value.astimezone(zone))


_ROW_LAYOUT = tuple(ALERT_ROW.items())
_ROW_MOMENTS = tuple(key for key in ALERT_ROW if key in ALERT_MOMENTS)


def alert_rows(rows: list[dict]) -> list[dict]:
    """AlertSerializer's answer for the rows of tasks.selectors.alert_rows_of, written straight into its shape:
    passing 33 fields through DRF's field objects for each row cost more CPU than the rest of the request
    (bench/README.md). tests/tasks/test_alert_rows.py holds the two to the same answer."""
    zone = timezone.get_current_timezone()
    answers = []
    for row in rows:
        answer = {key: row[column] for key, column in _ROW_LAYOUT}
        for key in _ROW_MOMENTS:
            answer[key] = _moment(answer[key], zone)
        answers.append(answer)
    return answers


class AlertChangeSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True, default=None)

    class Meta:
        model = AlertChange
        fields = ["at", "by", "field", "old_value", "new_value", "note"]


class AlertCommentSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True, default=None)

    class Meta:
        model = AlertComment
        fields = ["id", "at", "by", "text"]


class AlertEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertEvent
        fields = ["id", "kind", "created_at", "notify", "severity", "status"]


class AlertDetailSerializer(AlertSerializer):
    history = AlertChangeSerializer(source="changes", many=True, read_only=True)
    comments = AlertCommentSerializer(many=True, read_only=True)
    events = AlertEventSerializer(many=True, read_only=True)

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "history", "comments", "events"]
        read_only_fields = fields


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ResolveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, help_text="Why it is resolved.")


class AssignSerializer(NoteSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), allow_null=True, required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), allow_null=True, required=False)


class SnoozeSerializer(NoteSerializer):
    until = serializers.DateTimeField()


class CommentSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10000)


class _Ids(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=1000)


class BulkNoteSerializer(_Ids, NoteSerializer):
    pass


class BulkResolveSerializer(_Ids, ResolveSerializer):
    pass


class BulkAssignSerializer(_Ids, AssignSerializer):
    pass


class BulkSnoozeSerializer(_Ids, SnoozeSerializer):
    pass


class BulkAnswerSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    alerts = AlertSerializer(many=True)


class RuleSerializer(serializers.ModelSerializer):
    default_thresholds = serializers.SerializerMethodField()
    triggers = serializers.SerializerMethodField()

    class Meta:
        model = Rule
        fields = [
            "id",
            "code",
            "name",
            "description",
            "enabled",
            "severity",
            "pending_for",
            "resolve_after",
            "thresholds",
            "default_thresholds",
            "triggers",
            "last_run_at",
            "updated_at",
        ]
        read_only_fields = ["id", "code", "last_run_at", "updated_at"]

    def get_default_thresholds(self, rule) -> dict:
        definition = RULES.get(rule.code)
        return dict(definition.thresholds) if definition else {}

    def get_triggers(self, rule) -> list[str]:
        definition = RULES.get(rule.code)
        return sorted(definition.triggers) if definition else []


class RuleListSerializer(serializers.Serializer):
    results = RuleSerializer(many=True)


class RuleUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    pending_for = serializers.DurationField(required=False)
    resolve_after = serializers.DurationField(required=False)
    thresholds = serializers.DictField(required=False, help_text="Only the thresholds to change.")


class SilenceSerializer(serializers.ModelSerializer):
    rule = SlugRelatedField(slug_field="code", queryset=Rule.objects.all(), allow_null=True, required=False)
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all(), allow_null=True, required=False)
    locality = SlugRelatedField(slug_field="code", queryset=Locality.objects.all(), allow_null=True, required=False)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)
    active = serializers.SerializerMethodField()

    class Meta:
        model = Silence
        fields = [
            "id",
            "rule",
            "provider",
            "locality",
            "severity",
            "starts_at",
            "ends_at",
            "reason",
            "created_by",
            "created_at",
            "active",
        ]
        read_only_fields = ["id", "created_by", "created_at", "active"]
        extra_kwargs = {"starts_at": {"required": False}, "severity": {"required": False}}

    def get_active(self, silence) -> bool:
        from django.utils import timezone

        now = timezone.now()
        return silence.starts_at <= now < silence.ends_at
