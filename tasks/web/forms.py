"""The inbox's forms: the filters (a strict GET form: an unknown parameter or value is an error on the form) and the
actions, whose values go to the alert services unchanged so their own messages show on the fields."""

from datetime import datetime, time

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Team, User
from accounts.selectors import teams_list, users_list
from core.forms import GovukDateField, GovukForm
from geo.models import Locality
from providers.models import Provider
from tasks.capabilities import WORK_ALERTS
from tasks.models import Alert, AlertStatus, Severity

UNRESOLVED = [AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.SNOOZED]
SORTS = [("severity", "Most severe first"), ("newest", "Newest first")]
BULK_ACTIONS = [("acknowledge", "Acknowledge"), ("assign", "Assign"), ("resolve", "Resolve")]


class InboxFilterForm(GovukForm):
    status = forms.MultipleChoiceField(
        choices=AlertStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="With no box ticked: every status but resolved.",
    )
    severity = forms.MultipleChoiceField(choices=Severity.choices, required=False, widget=forms.CheckboxSelectMultiple)
    rule = forms.ChoiceField(choices=[], required=False)
    locality = forms.ChoiceField(choices=[], required=False, label="Area")
    provider = forms.ChoiceField(choices=[], required=False)
    mine = forms.BooleanField(required=False, label="Only alerts assigned to me or my teams")
    sort = forms.ChoiceField(choices=SORTS, required=False, label="Order")

    # Read by the page besides the fields.
    extra_parameters = ("page",)

    def __init__(self, *args, alerts, staff: bool, **kwargs):
        """`alerts`: the alerts the person may see (their own providers' for a provider user), for the choices."""
        super().__init__(*args, **kwargs)
        from tasks.selectors import rules_list

        self.fields["rule"].choices = [("", "Any rule"), *((rule.code, rule.name) for rule in rules_list())]
        # The areas with alerts and the areas just above them. One probe of the alerts' locality index per area,
        # rather than reading every alert's locality.
        with_alerts = Locality.objects.filter(Exists(alerts.filter(locality=OuterRef("pk")))).values_list(
            "pk", "parent_id"
        )
        areas = Locality.objects.filter(pk__in={pk for pair in with_alerts for pk in pair if pk is not None})
        self.fields["locality"].choices = [
            ("", "Anywhere"),
            *((area.code, f"{area.name} ({area.code})") for area in areas.order_by("name")),
        ]
        providers = Provider.objects.filter(pk__in=alerts.values("provider_id")).order_by("name")
        self.fields["provider"].choices = [("", "Any provider"), *((str(p.pk), p.name) for p in providers)]
        if not staff:  # provider users own no alerts
            del self.fields["mine"]

    def clean(self):
        cleaned = super().clean()
        known = set(self.fields) | set(self.extra_parameters)
        unknown = sorted(name for name in (self.data or {}) if name not in known)
        if unknown:
            raise forms.ValidationError(f"Unknown filter: {', '.join(unknown)}.")
        return cleaned

    def filter_data(self) -> dict:
        """The values in the shape of the API's AlertFilter, which does the filtering for both."""
        data = self.cleaned_data
        values = {"status": ",".join(data.get("status") or UNRESOLVED)}
        if data.get("severity"):
            values["severity"] = ",".join(data["severity"])
        for name in ("rule", "locality", "provider"):
            if data.get(name):
                values[name] = data[name]
        if data.get("mine"):
            values["mine"] = "true"
        return values


def _staff_users():
    return (
        users_list()
        .filter(Q(groups__name__in=[str(role) for role in WORK_ALERTS.roles]) | Q(is_superuser=True))
        .distinct()
    )


class OwnerFields(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Person", empty_label="Nobody")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="No team")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _staff_users()
        self.fields["user"].label_from_instance = lambda user: user.get_full_name() or user.username
        self.fields["team"].queryset = teams_list()


class BulkActionForm(GovukForm, OwnerFields):
    ids = forms.ModelMultipleChoiceField(
        queryset=Alert.objects.none(),
        label="Alerts",
        error_messages={"required": "Select at least one alert.", "invalid_choice": "Alert %(value)s is not listed."},
    )
    action = forms.ChoiceField(
        choices=BULK_ACTIONS,
        widget=forms.RadioSelect,
        label="Action",
        error_messages={"required": "Choose what to do with the selected alerts."},
    )
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Needed to resolve; kept in the history."
    )

    def __init__(self, *args, alerts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].queryset = alerts


class NoteForm(GovukForm):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Note (optional)")


class ResolveForm(GovukForm):
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why is it resolved?",
        help_text="Kept with the alert and shown in its history.",
    )


class AssignForm(GovukForm, OwnerFields):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note (optional)")


class SnoozeForm(GovukForm):
    until_date = GovukDateField(
        label="Snooze until",
        subject="The date to snooze until",
        help_text="For example, 31 1 2027",
        error_messages={"required": "Enter the date to snooze until"},
    )
    until_time = forms.TimeField(
        label="Time",
        initial=time(9, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": "Enter a time, for example 09:00.", "invalid": "Enter a time, for example 09:00."},
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note (optional)")
    widths = {"until_time": "govuk-input--width-5"}

    def until(self) -> datetime:
        data = self.cleaned_data
        return timezone.make_aware(datetime.combine(data["until_date"], data["until_time"]))


class CommentForm(GovukForm):
    text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Add a comment", max_length=10000
    )


# --- one's own alerting: subscriptions and channels (tasks.web.settings) ----------------------------------------

TIMINGS = [
    ("immediate", "As they happen (gathered for a few minutes)"),
    ("digest", "In a daily digest of what is open"),
    ("both", "Both"),
]
SWITCHED = [("on", "On"), ("off", "Off: hear nothing from it for now")]
# Areas a person chooses among: not every ward, which the areas above them include.
CHOSEN_AREA_KINDS = ("county", "district", "lot_area", "cluster", "custom")


class SubscriptionForm(GovukForm):
    """A subscription's values, handed to subscription_create / subscription_update unchanged."""

    name = forms.CharField(
        required=False, max_length=150, label="Name (optional)", help_text="For example, Voids in Fenland."
    )
    rules = forms.MultipleChoiceField(
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Rules",
        help_text="With none ticked: every rule.",
    )
    severities = forms.MultipleChoiceField(
        choices=Severity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="With none ticked: every severity.",
    )
    localities = forms.MultipleChoiceField(
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Areas",
        help_text="With none ticked: everywhere. An area includes the places inside it.",
    )
    channels = forms.MultipleChoiceField(
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one channel to hear on."},
    )
    timing = forms.ChoiceField(
        choices=TIMINGS, widget=forms.RadioSelect, label="When", error_messages={"required": "Choose when to hear."}
    )
    enabled = forms.ChoiceField(choices=SWITCHED, widget=forms.RadioSelect, initial="on", label="Switched")

    def __init__(self, *args, channels, **kwargs):
        """`channels`: the owner's channels, the only ones the subscription may use."""
        super().__init__(*args, **kwargs)
        from tasks.selectors import rules_list

        self._rules = {rule.code: rule for rule in rules_list()}
        self.fields["rules"].choices = [(code, rule.name) for code, rule in self._rules.items()]
        self._areas = {
            area.code: area for area in Locality.objects.filter(kind__in=CHOSEN_AREA_KINDS).order_by("kind", "name")
        }
        self.fields["localities"].choices = [
            (code, f"{area.name} ({area.get_kind_display()})") for code, area in self._areas.items()
        ]
        self._channels = {str(channel.pk): channel for channel in channels}
        self.fields["channels"].choices = [(pk, channel_label(channel)) for pk, channel in self._channels.items()]

    @classmethod
    def initial_of(cls, subscription) -> dict:
        timing = (
            "both"
            if subscription.immediate and subscription.digest
            else ("digest" if subscription.digest else "immediate")
        )
        return {
            "name": subscription.name,
            "rules": [rule.code for rule in subscription.rules.all()],
            "severities": list(subscription.severities),
            "localities": [area.code for area in subscription.localities.all()],
            "channels": [str(channel.pk) for channel in subscription.channels.all()],
            "timing": timing,
            "enabled": "on" if subscription.enabled else "off",
        }

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "rules": [self._rules[code] for code in data["rules"]],
            "severities": data["severities"],
            "localities": [self._areas[code] for code in data["localities"]],
            "channels": [self._channels[pk] for pk in data["channels"]],
            "immediate": data["timing"] in ("immediate", "both"),
            "digest": data["timing"] in ("digest", "both"),
            "enabled": data["enabled"] == "on",
        }


def channel_label(channel) -> str:
    """A channel in words: its kind and where it goes."""
    from tasks.services.delivery.transports import channel_address

    if channel.kind == "in_app":
        return "Your inbox in this service"
    where = (channel.url if channel.kind == "webhook" else channel_address(channel)) or "no address"
    named = f"{channel.name}: " if channel.name and channel.name != channel.get_kind_display() else ""
    return f"{named}{channel.get_kind_display()} to {where}"


class ChannelForm(GovukForm):
    kind = forms.ChoiceField(
        choices=[("email", "E-mail"), ("webhook", "Webhook (a signed request to a system of yours)")],
        widget=forms.RadioSelect,
        label="What kind of channel",
        error_messages={"required": "Choose e-mail or webhook."},
    )
    name = forms.CharField(required=False, max_length=150, label="Name (optional)")
    email = forms.EmailField(
        required=False,
        label="E-mail address",
        help_text="E-mail only. Leave blank to use your own address.",
        error_messages={"invalid": "Enter an e-mail address in the correct format, like name@example.org"},
    )
    url = forms.URLField(
        assume_scheme="https",
        required=False,
        max_length=500,
        label="Webhook address",
        help_text="Webhook only: where the signed requests are posted, starting https://",
        error_messages={"invalid": "Enter the webhook address in the correct format, like https://example.org/hook"},
    )
