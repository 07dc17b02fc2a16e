"""Contract officers' forms: the uplift, a contract's variation. They read the fields; the contracts services decide
what is allowed and their messages are shown on the fields."""

from django import forms

from contracts.models import Contract, ContractKind, live_contract
from contracts.services.register import REASON_LENGTH
from core.forms import GovukDateField, GovukForm


class UpliftForm(GovukForm):
    widths = {"nlw_percent": "govuk-input--width-5", "cpi_percent": "govuk-input--width-5"}

    effective_from = GovukDateField(
        label="New rates from",
        subject="The date the new rates apply from",
        help_text="Usually 1 April. Lines live the day before are uplifted from their rate that day.",
    )
    nlw_percent = forms.DecimalField(
        label="National Living Wage increase (%)", max_digits=6, decimal_places=3, help_text="For example, 6.7"
    )
    cpi_percent = forms.DecimalField(
        label="CPI increase (%)", max_digits=6, decimal_places=3, help_text="For example, 3.8"
    )
    contract = forms.ModelChoiceField(
        label="Contract",
        required=False,
        queryset=Contract.objects.none(),
        empty_label="Every live block contract",
        to_field_name="reference",
        help_text="Leave as every live block contract for the annual uplift.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.filter(live_contract(), kind=ContractKind.BLOCK).order_by(
            "reference"
        )
        self.fields["contract"].label_from_instance = lambda contract: f"{contract.reference} ({contract.provider})"
        self.fields["nlw_percent"].error_messages.update(
            required="Enter the National Living Wage increase", invalid="Enter the increase as a number, like 6.7"
        )
        self.fields["cpi_percent"].error_messages.update(
            required="Enter the CPI increase", invalid="Enter the increase as a number, like 3.8"
        )
        self.fields["nlw_percent"].widget = forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"})
        self.fields["cpi_percent"].widget = forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"})


class VariationForm(GovukForm):
    """A variation of a contract's break clause, end date or notice period; the reason is kept in the history."""

    widths = {"notice_period_months": "govuk-input--width-3"}

    break_clause_date = GovukDateField(
        label="Break clause", required=False, help_text="Leave empty for no break clause. For example, 1 4 2029"
    )
    end_date = GovukDateField(label="End date", required=False, help_text="Leave empty for an open-ended contract.")
    notice_period_months = forms.IntegerField(label="Notice period (months)", min_value=0, max_value=60)
    reason = forms.CharField(
        label="Reason for the variation",
        max_length=REASON_LENGTH,
        help_text=f"Kept in the contract's history, in {REASON_LENGTH} characters at most. For example, "
        "Deed of variation signed 3 March",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice_period_months"].widget = forms.TextInput(attrs={"inputmode": "numeric"})
        self.fields["notice_period_months"].error_messages.update(
            required="Enter the notice period in months",
            invalid="Enter the notice period as a whole number of months",
            min_value="The notice period cannot be negative",
            max_value="The notice period must be 60 months or fewer",
        )
        self.fields["reason"].error_messages.update(
            required="Say why the contract is varied",
            max_length=f"The reason must be {REASON_LENGTH} characters or fewer",
        )
