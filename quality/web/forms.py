"""The quality pages' forms: they read the fields; the services decide what is allowed and their messages are shown
on the fields (core.web.form_error)."""

from django import forms

from core.forms import GovukDateField, GovukForm
from quality.models import ActionProgress, IntelligenceCategory, IntelligenceSeverity, Score

NOT_ASSESSED = ""
SCORE_CHOICES = [
    *[(str(value), label) for value, label in sorted(Score.choices, reverse=True)],
    (NOT_ASSESSED, "Not assessed"),
]


class AuditPlanForm(GovukForm):
    location = forms.ModelChoiceField(label="Home or agency", queryset=None, empty_label="Choose the home or agency")
    planned_for = GovukDateField(label="First day of the visit", subject="The first day of the visit")

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["location"].error_messages["required"] = "Choose the home or agency"
        self.fields["planned_for"].error_messages["required"] = "Enter the first day of the visit"


class AuditStartForm(GovukForm):
    visited_on = GovukDateField(label="Day of the visit", subject="The day of the visit")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].error_messages["required"] = "Enter the day of the visit"


class AuditDraftForm(GovukForm):
    summary = forms.CharField(label="Summary of the report", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary"].error_messages["required"] = "Enter the summary of the report"


class FindingsForm(GovukForm):
    """A score and the evidence for each standard of the audit's framework, as score-<n> and evidence-<n>."""

    def __init__(self, *args, standards, findings, **kwargs):
        super().__init__(*args, **kwargs)
        self.standards = list(standards)
        for standard in self.standards:
            finding = findings.get(standard.pk)
            self.fields[f"score-{standard.number}"] = forms.ChoiceField(
                label=f"{standard.number}. {standard.title}",
                choices=SCORE_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                help_text=standard.looked_for,
                initial=str(finding.score) if finding and finding.score else NOT_ASSESSED,
            )
            self.fields[f"evidence-{standard.number}"] = forms.CharField(
                label=f"Evidence for standard {standard.number}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=finding.evidence if finding else "",
            )

    def rows(self):
        return [
            {
                "standard": standard,
                "score": self[f"score-{standard.number}"],
                "evidence": self[f"evidence-{standard.number}"],
            }
            for standard in self.standards
        ]

    def findings(self):
        for standard in self.standards:
            raw = self.cleaned_data.get(f"score-{standard.number}") or NOT_ASSESSED
            yield standard, (int(raw) if raw else None), self.cleaned_data.get(f"evidence-{standard.number}", "")


class IntelligenceForm(GovukForm):
    received_on = GovukDateField(label="Day received", subject="The day received")
    category = forms.ChoiceField(label="Category", choices=IntelligenceCategory.choices, widget=forms.RadioSelect)
    severity = forms.ChoiceField(label="Severity", choices=IntelligenceSeverity.choices, widget=forms.RadioSelect)
    summary = forms.CharField(
        label="What was reported",
        help_text="No names or other personal data.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reference = forms.CharField(
        label="Case reference (optional)", required=False, max_length=32, help_text="For example, CMP-2026-0012."
    )
    widths = {"reference": "govuk-input--width-20"}


class CommentForm(GovukForm):
    finding = forms.ChoiceField(label="About", required=False)
    text = forms.CharField(
        label="Your comment on the report's factual accuracy", widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, findings, **kwargs):
        super().__init__(*args, **kwargs)
        self.finding_rows = {str(finding.pk): finding for finding in findings}
        self.fields["finding"].choices = [("", "The whole report")] + [
            (str(finding.pk), f"{finding.standard.number}. {finding.standard.title}") for finding in findings
        ]
        self.fields["text"].error_messages["required"] = "Enter your comment"

    def chosen_finding(self):
        return self.finding_rows.get(self.cleaned_data.get("finding") or "")


class ActionPlanForm(GovukForm):
    """One action for each issue: what will be done, who is responsible and by when."""

    def __init__(self, *args, issues, **kwargs):
        super().__init__(*args, **kwargs)
        self.issues = list(issues)
        for finding in self.issues:
            number = finding.standard.number
            self.fields[f"description-{number}"] = forms.CharField(
                label=f"What will be done about standard {number}", widget=forms.Textarea(attrs={"rows": 3})
            )
            self.fields[f"owner-{number}"] = forms.CharField(
                label=f"Who is responsible for standard {number}'s action", help_text="Their role, e.g. Home manager."
            )
            self.fields[f"due_on-{number}"] = GovukDateField(
                label=f"Due date for standard {number}'s action", subject="The due date"
            )
            self.fields[f"description-{number}"].error_messages["required"] = (
                f"Say what will be done about standard {number}"
            )
            self.fields[f"owner-{number}"].error_messages["required"] = f"Say who is responsible for standard {number}"
            self.fields[f"due_on-{number}"].error_messages["required"] = f"Enter the due date for standard {number}"

    def rows(self):
        return [
            {
                "finding": finding,
                "description": self[f"description-{finding.standard.number}"],
                "owner": self[f"owner-{finding.standard.number}"],
                "due_on": self[f"due_on-{finding.standard.number}"],
            }
            for finding in self.issues
        ]

    def actions(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "finding": finding,
                "description": data[f"description-{finding.standard.number}"],
                "owner": data[f"owner-{finding.standard.number}"],
                "due_on": data[f"due_on-{finding.standard.number}"],
            }
            for finding in self.issues
        ]

    def field_for(self, error_field: str | None) -> str | None:
        """The form's field for a service's `actions.<index>.<name>`."""
        if not error_field or not error_field.startswith("actions."):
            return None
        _, index, name = error_field.split(".")
        return f"{name}-{self.issues[int(index)].standard.number}"


class ProgressForm(GovukForm):
    progress = forms.ChoiceField(label="Progress", choices=ActionProgress.choices)
    note = forms.CharField(label="What has been done", required=False, widget=forms.Textarea(attrs={"rows": 2}))
