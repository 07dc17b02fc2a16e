"""The boundary upload form: the API's fields (geo.api.serializers.BoundaryImportRequestSerializer), GOV.UK style."""

from django import forms

from core.forms import GovukForm
from geo.models import LocalityKind


class BoundaryUploadForm(GovukForm):
    widths = {
        "code_field": "govuk-input--width-10",
        "name_field": "govuk-input--width-10",
        "parent_field": "govuk-input--width-10",
        "crs": "govuk-input--width-10",
        "layer": "govuk-input--width-20",
    }

    file = forms.FileField(
        label="Upload a boundary file",
        help_text="GeoJSON, newline-delimited GeoJSON, TopoJSON, GeoPackage or a zipped shapefile.",
        error_messages={"required": "Select a boundary file", "empty": "The selected file is empty"},
    )
    kind = forms.ChoiceField(label="Kind of locality", choices=LocalityKind.choices, widget=forms.RadioSelect)
    code_field = forms.CharField(
        label="Code field", max_length=100, help_text="The attribute holding each locality's code, e.g. WD13CD."
    )
    name_field = forms.CharField(
        label="Name field", max_length=100, help_text="The attribute holding each locality's name, e.g. WD13NM."
    )
    parent_field = forms.CharField(
        label="Parent code field (optional)",
        max_length=100,
        required=False,
        help_text="Without it, each locality goes under the locality of the next kind up that holds most of it.",
    )
    allow_distant_parent = forms.BooleanField(
        label="Import even where a parent holds less than half of its child's area (the report lists them)",
        required=False,
    )
    layer = forms.CharField(
        label="Layer (optional)", max_length=200, required=False, help_text="For a GeoPackage with several layers."
    )
    crs = forms.CharField(
        label="Coordinate reference system (optional)",
        max_length=50,
        required=False,
        help_text="For a file that declares none, e.g. EPSG:27700.",
    )
