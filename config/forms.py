"""Forms for the pages, drawn the GOV.UK way by templates/includes/field.html and error_summary.html.

`GovukForm` gives each widget its GOV.UK class (with the error modifier when the field has errors) and points
aria-describedby at the field's hint and error messages, so the templates stay plain.
"""

from django import forms

_WIDGET_CLASSES = {
    forms.Select: ("govuk-select", "govuk-select--error"),
    forms.Textarea: ("govuk-textarea", "govuk-textarea--error"),
    forms.ClearableFileInput: ("govuk-file-upload", "govuk-file-upload--error"),
    forms.FileInput: ("govuk-file-upload", "govuk-file-upload--error"),
    forms.CheckboxInput: ("govuk-checkboxes__input", ""),
}
_INPUT_CLASSES = ("govuk-input", "govuk-input--error")
_SKIPPED = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.HiddenInput)


class GovukForm(forms.Form):
    # Widths by field name, e.g. {"postcode": "govuk-input--width-10"}.
    widths: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # GOV.UK error messages say what to do about this field, not "This field is required."
            if field.error_messages.get("required") == forms.Field.default_error_messages["required"]:
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
