"""Forms for the pages, drawn the GOV.UK way by templates/includes/field.html and error_summary.html.

`GovukForm` gives each widget its GOV.UK class (with the error modifier when the field has errors) and points
aria-describedby at the field's hint and error messages, so the templates stay plain.

`GovukDateField` is the GOV.UK date input: day, month and year boxes (named `<name>-day`, `-month`, `-year`),
drawn by templates/includes/date_input.html, with GOV.UK's messages ("... must include a month", "... must be a
real date") and the error modifier on the boxes that are wrong only.
"""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField

DATE_PARTS = (
    ("day", "Day", "govuk-input--width-2"),
    ("month", "Month", "govuk-input--width-2"),
    ("year", "Year", "govuk-input--width-4"),
)
DATE_PART_NAMES = tuple(part for part, _label, _width in DATE_PARTS)


class GovukDateWidget(forms.Widget):
    """Reads the three boxes; includes/date_input.html draws them (from GovukDateBoundField.parts)."""

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}-{part}", "") for part in DATE_PART_NAMES]

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}-{part}" not in data for part in DATE_PART_NAMES)

    def id_for_label(self, id_):
        return f"{id_}-day" if id_ else id_


class GovukDateBoundField(BoundField):
    @property
    def error_parts(self) -> tuple[str, ...]:
        """The boxes to mark: those the field's own check found wrong, or all three for any other error on it
        (a service's, e.g. a date in the past)."""
        if not self.errors:
            return ()
        return getattr(self.field, "error_parts", ()) or DATE_PART_NAMES

    @property
    def id_for_label(self) -> str:
        # The error summary links to the first box that is wrong (GOV.UK), else to the day.
        first = next(iter(self.error_parts), "day")
        return f"{self.auto_id}-{first}"

    @property
    def parts(self) -> list[dict]:
        value = self.value()
        if isinstance(value, date):
            values = [str(value.day), str(value.month), str(value.year)]
        elif isinstance(value, (list, tuple)):
            values = [str(item or "") for item in value]
        else:
            values = ["", "", ""]
        wrong = self.error_parts
        return [
            {
                "name": f"{self.html_name}-{part}",
                "id": f"{self.auto_id}-{part}",
                "label": label,
                "value": values[index],
                "classes": " ".join(
                    [
                        "govuk-input",
                        "govuk-date-input__input",
                        width,
                        *(["govuk-input--error"] if part in wrong else []),
                    ]
                ),
            }
            for index, (part, label, width) in enumerate(DATE_PARTS)
        ]


class GovukDateField(forms.Field):
    """A date from day, month and year boxes. `subject` names the date in messages, e.g. "The date to snooze
    until" gives "The date to snooze until must include a month"."""

    widget = GovukDateWidget

    def __init__(self, *, subject: str = "", **kwargs):
        super().__init__(**kwargs)
        self.subject = subject or str(self.label or "The date")
        self.error_parts: tuple[str, ...] = ()

    def get_bound_field(self, form, field_name):
        return GovukDateBoundField(form, self, field_name)

    def _refuse(self, message: str, code: str, parts: tuple[str, ...]) -> None:
        self.error_parts = parts
        raise ValidationError(message, code=code)

    def clean(self, value):
        self.error_parts = ()
        values = [str(item or "").strip() for item in (value or ["", "", ""])]
        if not any(values):
            if self.required:
                self._refuse(self.error_messages["required"], "required", DATE_PART_NAMES)
            return None
        missing = tuple(part for part, item in zip(DATE_PART_NAMES, values, strict=True) if not item)
        if missing:
            self._refuse(f"{self.subject} must include a {' and a '.join(missing)}", "incomplete", missing)
        # ASCII digits only ("²" is a digit to str.isdigit but not to int), at most two for a day or month.
        not_numbers = tuple(
            part
            for part, item, most in zip(DATE_PART_NAMES, values, (2, 2, 4), strict=True)
            if not re.fullmatch(rf"[0-9]{{1,{most}}}", item)
        )
        if not_numbers == ("year",) and values[2].isascii() and values[2].isdigit():
            self._refuse("Year must include 4 numbers", "invalid_year", ("year",))
        if not_numbers:
            self._refuse(f"{self.subject} must be a real date", "invalid", not_numbers)
        day, month, year = (int(item) for item in values)
        if len(values[2]) != 4 or year < 1:
            self._refuse("Year must include 4 numbers", "invalid_year", ("year",))
        try:
            cleaned = date(year, month, day)
        except ValueError:
            wrong = ("month",) if not 1 <= month <= 12 else ("day",)
            self._refuse(f"{self.subject} must be a real date", "invalid", wrong)
        self.run_validators(cleaned)
        return cleaned


_WIDGET_CLASSES = {
    forms.Select: ("govuk-select", "govuk-select--error"),
    forms.Textarea: ("govuk-textarea", "govuk-textarea--error"),
    forms.ClearableFileInput: ("govuk-file-upload", "govuk-file-upload--error"),
    forms.FileInput: ("govuk-file-upload", "govuk-file-upload--error"),
    forms.CheckboxInput: ("govuk-checkboxes__input", ""),
}
_INPUT_CLASSES = ("govuk-input", "govuk-input--error")
_SKIPPED = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.HiddenInput, GovukDateWidget)


class GovukForm(forms.Form):
    # Widths by field name, e.g. {"postcode": "govuk-input--width-10"}.
    widths: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # GOV.UK error messages say what to do about this field, not "This field is required."
            if field.error_messages.get("required") == forms.Field.default_error_messages["required"]:
                if isinstance(field, forms.FileField):
                    # GOV.UK's file upload: "Select a CSV file", from the label "Upload a CSV file".
                    what = str(field.label or "a file").removeprefix("Upload ")
                    field.error_messages["required"] = f"Select {what}"
                    continue
                verb = "Choose" if isinstance(field.widget, (forms.Select, forms.RadioSelect)) else "Enter"
                field.error_messages["required"] = f"{verb} {str(field.label or '').lower()}".strip()

    def _style(self) -> None:
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, _SKIPPED):
                continue
            classes = next(
                (pair for kind, pair in _WIDGET_CLASSES.items() if isinstance(widget, kind)),
                _INPUT_CLASSES,
            )
            css = [classes[0]]
            if name in self.errors and classes[1]:
                css.append(classes[1])
            if name in self.widths:
                css.append(self.widths[name])
            widget.attrs["class"] = " ".join(css)
            described = []
            bound = self[name]
            if field.help_text:
                described.append(f"{bound.auto_id}-hint")
            if name in self.errors:
                described.append(f"{bound.auto_id}-error")
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)
            else:
                widget.attrs.pop("aria-describedby", None)

    def __getitem__(self, name):
        # Styled when first drawn, once errors are known.
        if not getattr(self, "_styled", False):
            self._styled = True
            self._style()
        return super().__getitem__(name)

    def add_error(self, field, error):
        super().add_error(field, error)
        self._styled = False
