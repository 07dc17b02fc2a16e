"""The tender forms: a tender, a round of one of its lots, the organisations a round takes in and when services are
due, a bid with its scores, and an award. They read the fields; market.services.tenders decides what is allowed and
its messages are shown on the fields."""

from decimal import Decimal

from django import forms
from django.db.models import Q

from core.forms import GovukDateField, GovukForm
from market.models import LotService, Procedure, TenderStatus
from providers.models import Provider


def _score(label: str, *, help_text: str = "", initial=None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=100,
        decimal_places=2,
        max_digits=5,
        help_text=help_text,
        initial=initial,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a number, like 62.5",
            "min_value": f"The {label.lower()} must be between 0 and 100",
            "max_value": f"The {label.lower()} must be between 0 and 100",
            "max_decimal_places": f"Give the {label.lower()} to two decimal places at most",
            "max_digits": f"The {label.lower()} must be between 0 and 100",
            "max_whole_digits": f"The {label.lower()} must be between 0 and 100",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class TenderForm(GovukForm):
    widths = {
        "reference": "govuk-input--width-20",
        "quality_threshold": "govuk-input--width-5",
        "quality_weight": "govuk-input--width-5",
        "price_weight": "govuk-input--width-5",
    }

    reference = forms.CharField(label="Reference", max_length=60, help_text="For example, LCC-HTLAH-2027")
    title = forms.CharField(label="Title", max_length=300)
    service = forms.ChoiceField(label="Service", choices=LotService.choices, widget=forms.RadioSelect)
    procedure = forms.ChoiceField(label="Procedure", choices=[("", "Choose a procedure"), *Procedure.choices])
    quality_weight = _score(
        "Quality weight", help_text="Share of the weighted total from quality, in percent.", initial=Decimal("60")
    )
    price_weight = _score(
        "Price weight", help_text="Share from price, in percent: the two add up to 100.", initial=Decimal("40")
    )
    quality_threshold = _score(
        "Quality threshold", help_text="The lowest quality score, out of 100, a bid may be awarded with.", initial=0
    )
    status = forms.ChoiceField(label="Status", choices=TenderStatus.choices, initial=TenderStatus.PLANNED)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].error_messages["required"] = "Enter the tender's reference"
        self.fields["title"].error_messages["required"] = "Enter the tender's title"
        self.fields["service"].error_messages["required"] = "Choose the service the tender buys"
        self.fields["procedure"].error_messages["required"] = "Choose the procedure"


class RoundForm(GovukForm):
    """The next round of a lot under this tender (round_open)."""

    widths = {"organisations_invited": "govuk-input--width-4"}

    lot = forms.ModelChoiceField(label="Lot", queryset=None, empty_label="Choose a lot")
    procedure = forms.ChoiceField(
        label="Procedure", required=False, help_text="The tender's own procedure if left empty."
    )
    opened_on = GovukDateField(label="Opens on", subject="The day the round opens")
    closes_on = GovukDateField(label="Submission deadline", required=False, subject="The submission deadline")
    organisations_invited = forms.IntegerField(
        label="Organisations invited",
        required=False,
        min_value=0,
        help_text="Those taken into the round, such as the ones meeting the selection criteria.",
        error_messages={
            "invalid": "Enter the number of organisations invited as a whole number, like 6",
            "min_value": "The number of organisations invited cannot be negative",
        },
    )
    services_due_on = GovukDateField(
        label="Services due to start", required=False, subject="The day services are due to start"
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots
        self.fields["lot"].label_from_instance = lambda lot: f"{lot.code} {lot.name} ({lot.get_status_display()})"
        self.fields["lot"].error_messages.update(
            required="Choose the lot the round is for", invalid_choice="Choose a lot from the list"
        )
        self.fields["procedure"].choices = [("", "The tender's procedure"), *Procedure.choices]


class InviteForm(GovukForm):
    """The organisations a round takes in, by name, and when services are due (round_invite, round_update)."""

    widths = {"organisations_invited": "govuk-input--width-4"}

    organisations = forms.CharField(
        label="Organisations to invite",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One name a line. A name in the providers register, or a CQC provider ID like 1-101634239, is "
        "linked to that provider; others are kept as named. A name already invited is not added twice.",
    )
    organisations_invited = forms.IntegerField(
        label="Organisations invited in all",
        required=False,
        min_value=0,
        help_text="Only when more were taken in than are named, such as all those meeting the selection criteria.",
        error_messages={
            "invalid": "Enter the number of organisations invited as a whole number, like 6",
            "min_value": "The number of organisations invited cannot be negative",
        },
    )
    services_due_on = GovukDateField(
        label="Services due to start", required=False, subject="The day services are due to start"
    )

    def clean_organisations(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["organisations"].splitlines() if line.strip()]

    def clean(self):
        data = super().clean()
        if not data.get("organisations") and data.get("organisations_invited") is None and not self.errors:
            self.add_error("organisations", "Name the organisations invited, one a line, or give how many were invited")
        return data


class BidForm(GovukForm):
    """A provider's bid in a round under way with its scores (bid_record recomputes the round's ranks)."""

    widths = {
        "provider": "govuk-input--width-30",
        "quality_score": "govuk-input--width-5",
        "price_score": "govuk-input--width-5",
    }

    provider = forms.CharField(
        label="Provider",
        max_length=300,
        help_text="Its name as in the register, or its CQC provider ID, like 1-101634239.",
        error_messages={"required": "Enter the provider's name or CQC provider ID"},
    )
    quality_score = _score("Quality score", help_text="Out of 100.")
    price_score = _score("Price score", help_text="Out of 100.")
    compliant = forms.TypedChoiceField(
        label="Is the bid compliant?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the bid is compliant"},
    )
    non_compliance_reason = forms.CharField(
        label="Why it is not compliant", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    submitted_on = GovukDateField(label="Submitted on", required=False, subject="The day the bid was submitted")

    def clean_provider(self):
        text = self.cleaned_data["provider"].strip()
        found = list(Provider.objects.filter(Q(cqc_provider_id__iexact=text) | Q(name__iexact=text))[:2])
        if not found:
            raise forms.ValidationError(
                f"There is no provider called {text!r} in the register; enter its name as the register has it, or "
                "its CQC provider ID"
            )
        if len(found) > 1:
            raise forms.ValidationError(f"More than one provider is called {text!r}; enter its CQC provider ID")
        return found[0]


class AwardForm(GovukForm):
    """A round's award to one of its bids (award_make)."""

    awarded_on = GovukDateField(label="Awarded on", subject="The day of the award")
    go_live_on = GovukDateField(
        label="Planned go-live", subject="The planned go-live", help_text="The day the lead provider starts."
    )
