"""The map page: areas coloured by a figure, care homes by rating, lots with status and RAG, and the same
areas and figures as a sortable table below it. Thin: the figures come from geo.layers' registered
properties (the API's map layers) and the homes from providers' selector."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.views.generic import TemplateView

from core import present
from core.web import RoleRequiredMixin
from geo.layers import locality_figures
from market.capabilities import READ_PLANS
from market.models import DemandCareType, LotStatus
from market.web.map import LAYERS, LOT_COLUMNS, colourings_offered, layer_of, properties_for
from market.web.map_forms import DEFAULT_CARE_TYPE, MapForm
from providers.selectors import care_homes_on_map
from quality.selectors import latest_ratings


def _sorted(rows: list[dict], sort: str) -> list[dict]:
    key, descending = sort.lstrip("-"), sort.startswith("-")
    present = [row for row in rows if row.get(key) is not None]
    missing = [row for row in rows if row.get(key) is None]  # areas without the figure go last either way

    def order(row):
        value = row[key]
        return value.casefold() if isinstance(value, str) else value

    return sorted(present, key=order, reverse=descending) + missing


TEXT_COLUMNS = {key for key, _ in LOT_COLUMNS} | {"mobilisation_rag"}
NOTHING_IN = {"lot_code": "No lot", "lot_status": "No lot", "lead_provider": "No lead provider"}


def _cell(key: str, value, *, share: bool) -> dict:
    if key == "mobilisation_rag":
        if not value:
            return {"text": "No plan"}
        return {"text": str(value).capitalize(), "tag": f"govuk-tag--{present.rag_colour(value)}"}
    if key == "lot_status":
        return {"text": present.label(value, LotStatus, none=NOTHING_IN[key])}
    if key in TEXT_COLUMNS:
        return {"text": present.otherwise(value, NOTHING_IN.get(key, present.NOTHING))}
    if value is None:
        return {"text": "No figure", "numeric": True}
    if share:
        return {"text": present.percent(value, fraction=True), "numeric": True}
    return {"text": present.number(value, places=0 if value == int(value) else 1), "numeric": True}


def _label_of(colouring, care_type_label: str) -> str:
    return f"{colouring.label} ({care_type_label.lower()})" if colouring.by_care_type else colouring.label


def area_href(row: dict) -> str | None:
    """An area's own page: a lot area's lot, else the capacity gaps of the district (a ward's, for a ward)."""
    if row.get("lot_id"):
        return reverse("lots:lot", args=[row["lot_id"]])
    district = (
        row["code"] if row.get("kind") == "district" else row.get("parent") if row.get("kind") == "ward" else None
    )
    return f"{reverse('market-web:capacity-gaps')}?{urlencode({'locality': district})}" if district else None


class MapView(RoleRequiredMixin, TemplateView):
    capability = READ_PLANS  # provider users may not see other providers' figures
    template_name = "market/map.html"

    def get(self, request, *args, **kwargs):
        form = MapForm(request.GET)
        valid = form.is_valid()
        query = (
            form.cleaned_data
            if valid
            else {"layer": LAYERS[0].kind, "colour": "", "care_type": DEFAULT_CARE_TYPE, "sort": "name"}
        )
        if not valid:
            offered = colourings_offered()
            query["colour"] = offered[0].key if offered else ""
        context = self.get_context_data(form=form, query=query)
        return self.render_to_response(context, status=200 if valid else 400)

    def get_context_data(self, *, form, query, **kwargs):
        layer = layer_of(query["layer"])
        colourings = colourings_offered()
        properties = properties_for(layer)
        care_type = query["care_type"]
        care_type_label = DemandCareType(care_type).label
        columns = [(colouring.key, _label_of(colouring, care_type_label), colouring.share) for colouring in colourings]
        if layer.kind == "lot_area":
            lot_columns = [*LOT_COLUMNS, ("mobilisation_rag", "Mobilisation RAG")]
            columns = [(key, label, False) for key, label in lot_columns] + columns
        query_string = urlencode({"kind": layer.kind, **({"properties": ",".join(properties)} if properties else {})})
        layer_address = f"{reverse('geo:locality-layer')}?{query_string}"
        rows = locality_figures(kind=layer.kind, properties=properties)
        for row in rows:
            for colouring in colourings:
                if colouring.by_care_type:  # one figure per care type: the chosen one's
                    row[colouring.key] = (row.get(colouring.key) or {}).get(care_type)
        rows = _sorted(rows, query["sort"])
        links = self._sort_links(query, ["name", "code", *(key for key, _, _ in columns)])
        # A lot area's code is its lot's, in the Lot column: the table keeps to the page's width without it.
        show_code = layer.kind != "lot_area"
        headers = [
            {"label": "Area", **links["name"]},
            *([{"label": "Code", **links["code"]}] if show_code else []),
            *({"label": label, "numeric": key not in TEXT_COLUMNS, **links[key]} for key, label, _ in columns),
        ]
        table = [
            {
                "name": row["name"],
                "code": row["code"],
                "href": area_href(row),
                "cells": [_cell(key, row.get(key), share=share) for key, _, share in columns],
            }
            for row in rows
        ]
        fields = [
            {
                "name": field.name,
                "label": field.label,
                "errors": field.errors,
                "options": [(value, label, value == query[field.name]) for value, label in field.field.choices],
            }
            for field in form
        ]
        on_map = list(care_homes_on_map(user=self.request.user))
        council = latest_ratings(location_ids=[home["id"] for home in on_map])
        homes = [
            {
                "id": home["id"],
                "name": home["name"],
                "provider": home["provider__name"],
                "lat": home["latitude"],
                "lng": home["longitude"],
                "beds": home["registered_beds"],
                "rating": home["current_rating__overall"] or "Not yet rated",
                # The council's own quality rating and the day it was published, shown beside CQC's.
                "councilRating": council[home["id"]].get_rating_display() if home["id"] in council else "",
                "councilRatedOn": present.day(council[home["id"]].published_on) if home["id"] in council else "",
            }
            for home in on_map
        ]
        return super().get_context_data(
            form=form,
            fields=fields,
            layer=layer,
            headers=headers,
            table=table,
            show_code=show_code,
            map_config={
                "layerAddress": layer_address,
                "kind": layer.kind,
                "properties": properties,
                "colour": query["colour"],
                "careType": care_type,
                "careTypes": dict(DemandCareType.choices),
                "colourings": [
                    {"key": c.key, "label": c.label, "share": c.share, "hint": c.hint, "byCareType": c.by_care_type}
                    for c in colourings
                ],
                "lotUrl": reverse("lots:lot", args=[0]),
                "gapsUrl": reverse("market-web:capacity-gaps"),
                "homeUrl": reverse("register:home", args=[0]),
                "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION}
                if settings.MAP_TILE_URL
                else None,
                "lotArea": layer.kind == "lot_area",
                "lotStatuses": dict(LotStatus.choices),
            },
            homes=homes,
            layer_address=layer_address,
            **kwargs,
        )

    def _sort_links(self, query: dict, keys: list[str]) -> dict[str, dict]:
        """For each sortable column: the address that sorts by it (ascending, or descending when it is the
        current ascending sort) and aria-sort for its header."""
        links = {}
        params = {"layer": query["layer"], "colour": query["colour"], "care_type": query["care_type"]}
        for key in keys:
            current = query["sort"] in (key, f"-{key}")
            descending = query["sort"] == f"-{key}"
            target = f"-{key}" if current and not descending else key
            links[key] = {
                "href": "?" + urlencode({name: value for name, value in params.items() if value} | {"sort": target}),
                "aria": ("descending" if descending else "ascending") if current else "none",
            }
        return links
