"""The forms of a person's record: find a person, end a placement, move a person, record a spot placement. The
contracts services check everything that matters (the reference, the dates, the bed, the voids before spot);
these forms only read what was typed, and show the services' messages on their fields."""

from django import forms
from django.utils import timezone

from contracts.models import CareType, PlacementEndReason
from core.forms import GovukDateField, GovukForm
from providers.models import Location, RegistrationStatus

END_REASONS = [(value, label) for value, label in PlacementEndReason.choices if value != PlacementEndReason.MOVED]
SPOT_BED = "spot"


def _reference_field(**kwargs) -> forms.CharField:
    field = forms.CharField(
        label="The person's reference",
        help_text="Their pseudonymous reference, such as BRK-2026-0042: never a name, NHS number or postcode.",
        **kwargs,
    )
    field.widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})
    return field


def _care_homes():
    return (
        Location.objects.filter(care_home=True, registration_status=RegistrationStatus.REGISTERED)
        .select_related("provider")
        .order_by("name", "pk")
    )


class PersonFindForm(GovukForm):
    widths = {"reference": "govuk-input--width-20"}

    reference = _reference_field()


class PlacementEndForm(GovukForm):
    end_date = GovukDateField(
        label="Last day in the placement", subject="The last day", help_text="For example, 27 3 2026."
    )
    reason = forms.ChoiceField(label="Why did the placement end?", choices=END_REASONS, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].error_messages["required"] = "Enter the last day in the placement"
        self.fields["reason"].error_messages["required"] = "Choose why the placement ended"


class SpotFields(GovukForm):
    """A spot bed: the home, its care type and weekly price, and the reason when block beds are free nearby."""

    widths = {"weekly_cost": "govuk-input--width-10"}

    location = forms.TypedChoiceField(label="Home", coerce=int, empty_value=None)
    care_type = forms.ChoiceField(label="Care type", choices=[("", "Choose a care type"), *CareType.choices])
    weekly_cost = forms.DecimalField(
        label="Weekly price (£)", min_value=0, max_digits=10, decimal_places=2, help_text="For example, 1050.00."
    )
    spot_reason = forms.CharField(
        label="Why a spot bed and not a free block bed?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed only when a block bed of this care type is free nearby on the day: say why it will not do.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.homes = {home.pk: home for home in _care_homes()}
        self.fields["location"].choices = [("", "Choose a home")] + [
            (home.pk, f"{home.name} ({home.postcode})" if home.postcode else home.name) for home in self.homes.values()
        ]
        self.fields["location"].error_messages["required"] = "Choose the home"
        self.fields["weekly_cost"].error_messages.update(
            required="Enter the weekly price", invalid="Enter the weekly price in pounds, such as 1050.00"
        )
        self.fields["weekly_cost"].widget.attrs["inputmode"] = "decimal"


class SpotPlacementForm(SpotFields):
    widths = {**SpotFields.widths, "reference": "govuk-input--width-20"}

    reference = _reference_field()
    start_date = GovukDateField(label="First day", subject="The first day", help_text="For example, 27 3 2026.")
    field_order = ["reference", "location", "care_type", "start_date", "weekly_cost", "spot_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].error_messages["required"] = "Enter the first day"


class PlacementMoveForm(SpotFields):
    """Where the person moves: one of the free block beds offered, or a spot bed (then the spot fields)."""

    on = GovukDateField(
        label="Day of the move", subject="The day of the move", help_text="Their last day in the current bed."
    )
    destination = forms.ChoiceField(label="Where to", widget=forms.RadioSelect)
    field_order = ["on", "destination", "location", "care_type", "weekly_cost", "spot_reason"]

    def __init__(self, *args, free_lines: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].error_messages["required"] = "Enter the day of the move"
        self.fields["destination"].error_messages["required"] = "Choose where the person moves to"
        self.fields["destination"].choices = [
            (
                str(row["bed_line_id"]),
                f"{row['location']}: block bed, {row['free_beds']} free, {row['contract']}",
            )
            for row in free_lines
        ] + [(SPOT_BED, "A spot bed at a home (give the home, care type and price below)")]
        for name in ("location", "care_type", "weekly_cost"):
            self.fields[name].required = False
        self.initial.setdefault("on", timezone.localdate())

    def clean(self):
        data = super().clean()
        if data.get("destination") == SPOT_BED:
            for name, message in (
                ("location", "Choose the home"),
                ("care_type", "Choose a care type"),
                ("weekly_cost", "Enter the weekly price"),
            ):
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, message)
        return data
