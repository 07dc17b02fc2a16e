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
    """At least one action for each issue, and as many more as the provider adds: what will be done, who is
    responsible and by when. An issue's first action is `description-<standard>` (and owner, due_on); its second
    `description-<standard>-2`, and so on; `actions-<standard>` says how many the form shows. "Add another action"
    posts the form back with one more (no JavaScript needed)."""

    MAX_ACTIONS = 10

    def __init__(self, *args, issues, add: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.issues = list(issues)
        self.counts: dict[int, int] = {}
        for finding in self.issues:
            number = finding.standard.number
            count = self._count(number) + (1 if add == number else 0)
            self.counts[number] = min(count, self.MAX_ACTIONS)
            for position in range(1, self.counts[number] + 1):
                self._action_fields(number, position)

    def _count(self, number: int) -> int:
        try:
            return max(1, int(self.data.get(f"actions-{number}", 1)))
        except (TypeError, ValueError):
            return 1

    @staticmethod
    def suffix(number: int, position: int) -> str:
        return f"{number}" if position == 1 else f"{number}-{position}"

    def _action_fields(self, number: int, position: int) -> None:
        suffix = self.suffix(number, position)
        which = f"standard {number}" if position == 1 else f"action {position} for standard {number}"
        required = position == 1  # a further action is optional: left empty, it is not part of the plan
        self.fields[f"description-{suffix}"] = forms.CharField(
            label=f"What will be done about standard {number}"
            if position == 1
            else f"Action {position}: what will be done about standard {number}",
            required=required,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.fields[f"owner-{suffix}"] = forms.CharField(
            label=f"Who is responsible for standard {number}'s action"
            if position == 1
            else f"Who is responsible for action {position} for standard {number}",
            required=required,
            help_text="Their role, e.g. Home manager.",
        )
        self.fields[f"due_on-{suffix}"] = GovukDateField(
            label=f"Due date for standard {number}'s action"
            if position == 1
            else f"Due date for action {position} for standard {number}",
            required=required,
            subject="The due date",
        )
        self.fields[f"description-{suffix}"].error_messages["required"] = f"Say what will be done about {which}"
        self.fields[f"owner-{suffix}"].error_messages["required"] = f"Say who is responsible for {which}"
        self.fields[f"due_on-{suffix}"].error_messages["required"] = f"Enter the due date for {which}"

    def _filled(self, suffix: str) -> bool:
        return any(
            str(self.data.get(name, "")).strip()
            for name in (
                f"description-{suffix}",
                f"owner-{suffix}",
                f"due_on-{suffix}-day",
                f"due_on-{suffix}-month",
                f"due_on-{suffix}-year",
            )
        )

    def clean(self):
        data = super().clean()
        for number, count in self.counts.items():
            for position in range(2, count + 1):
                suffix = self.suffix(number, position)
                if not self._filled(suffix):
                    continue
                which = f"action {position} for standard {number}"
                for name, message in (
                    ("description", f"Say what will be done about {which}, or leave all its answers empty"),
                    ("owner", f"Say who is responsible for {which}, or leave all its answers empty"),
                    ("due_on", f"Enter the due date for {which}, or leave all its answers empty"),
                ):
                    field = f"{name}-{suffix}"
                    if field not in self.errors and not data.get(field):
                        self.add_error(field, message)
        return data

    def rows(self):
        """Each issue with its actions' fields, in the order of the form."""
        return [
            {
                "finding": finding,
                "count": self.counts[finding.standard.number],
                "may_add": self.counts[finding.standard.number] < self.MAX_ACTIONS,
                "actions": [
                    {
                        "position": position,
                        "description": self[f"description-{self.suffix(finding.standard.number, position)}"],
                        "owner": self[f"owner-{self.suffix(finding.standard.number, position)}"],
                        "due_on": self[f"due_on-{self.suffix(finding.standard.number, position)}"],
                    }
                    for position in range(1, self.counts[finding.standard.number] + 1)
                ],
            }
            for finding in self.issues
        ]

    def _entries(self) -> list[tuple[object, str]]:
        """(finding, field suffix) of each action the provider gave, in order."""
        entries = []
        for finding in self.issues:
            number = finding.standard.number
            for position in range(1, self.counts[number] + 1):
                suffix = self.suffix(number, position)
                if position == 1 or self.cleaned_data.get(f"description-{suffix}"):
                    entries.append((finding, suffix))
        return entries

    def actions(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "finding": finding,
                "description": data[f"description-{suffix}"],
                "owner": data[f"owner-{suffix}"],
                "due_on": data[f"due_on-{suffix}"],
            }
            for finding, suffix in self._entries()
        ]

    def field_for(self, error_field: str | None) -> str | None:
        """The form's field for a service's `actions.<index>.<name>`."""
        if not error_field or not error_field.startswith("actions."):
            return None
        _, index, name = error_field.split(".")
        _, suffix = self._entries()[int(index)]
        return f"{name}-{suffix}"


class ProgressForm(GovukForm):
    progress = forms.ChoiceField(label="Progress", choices=ActionProgress.choices)
    note = forms.CharField(label="What has been done", required=False, widget=forms.Textarea(attrs={"rows": 2}))
