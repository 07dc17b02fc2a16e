from django import forms

from market.models import DemandCareType
from market.web.map import LAYERS, LOT_COLUMNS, colourings_offered

NAMES = ("layer", "colour", "care_type", "sort")
DEFAULT_CARE_TYPE = "residential"

ALWAYS_SORTABLE = [("name", "Area"), ("code", "Code")]


def sort_choices(kind: str) -> list[tuple[str, str]]:
    columns = ALWAYS_SORTABLE + [(colouring.key, colouring.label) for colouring in colourings_offered()]
    if kind == "lot_area":
        columns += [*LOT_COLUMNS, ("mobilisation_rag", "Mobilisation RAG")]
    return [choice for key, label in columns for choice in ((key, label), (f"-{key}", f"{label}, descending"))]


class MapForm(forms.Form):
    """The map's query: which areas, what colours them and how the table beside it is sorted. Every parameter
    is checked: an unknown one, or one given empty, is an error naming it."""

    layer = forms.ChoiceField(label="Areas", required=False)
    colour = forms.ChoiceField(label="Colour areas by", required=False)
    care_type = forms.ChoiceField(
        label="Care type (for the capacity gap)", required=False, choices=DemandCareType.choices
    )
    sort = forms.ChoiceField(label="Sort the table by", required=False)

    def __init__(self, data, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        self.unknown = sorted(name for name in data if name not in NAMES)
        self.empty = sorted(name for name in NAMES if name in data and not data.get(name))
        super().__init__(data, *args, **kwargs)
        self.fields["layer"].choices = [(layer.kind, layer.label) for layer in LAYERS]
        self.fields["colour"].choices = [(colouring.key, colouring.label) for colouring in colourings_offered()]
        kind = data.get("layer") if data.get("layer") in {layer.kind for layer in LAYERS} else LAYERS[0].kind
        self.fields["sort"].choices = sort_choices(kind)

    def clean(self):
        cleaned = super().clean()
        for name in self.empty:
            self.add_error(name if name in self.fields else None, f"Choose a value for {name}, or leave it out.")
        for name in self.unknown:
            self.add_error(None, f"The map does not understand the parameter {name!r}.")
        cleaned["layer"] = cleaned.get("layer") or LAYERS[0].kind
        offered = colourings_offered()
        cleaned["colour"] = cleaned.get("colour") or (offered[0].key if offered else "")
        cleaned["care_type"] = cleaned.get("care_type") or DEFAULT_CARE_TYPE
        cleaned["sort"] = cleaned.get("sort") or "name"
        return cleaned
