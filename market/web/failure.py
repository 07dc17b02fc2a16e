"""The page of a provider failure what-if, for the council staff who plan for it (the API's readers): the
headline, the shortfall first, a map of the failing homes and where the plan sends their people, the plan (the table
the download gives), homecare to re-provide, the estimate of other residents and the market after. Provider users
are refused (see market.api.failure_views)."""

from collections import Counter, defaultdict

from django import forms
from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import TemplateView

from core.query import StrictBooleanField
from core.web import RoleRequiredMixin, paginate, query_without
from market import capabilities as caps
from market import exports_failure as exports
from market.api.failure_serializers import FailureQuery
from market.selectors.failure import OTHER_RESIDENTS_METHOD, WhatIf, failure_what_if
from market.web.analysis import shown_table
from market.web.forms import DATE_WIDGET, QueryForm
from providers.models import Location, Provider


class FailureForm(QueryForm):
    extra_names = frozenset({"page"})

    on = forms.DateField(label="The day it fails", required=False, help_text="Today if left empty.", **DATE_WIDGET)
    home = forms.ModelChoiceField(
        label="Only this home", queryset=Location.objects.none(), required=False, help_text="Every home if none."
    )
    area = forms.CharField(
        label="Only its homes in this area",
        required=False,
        max_length=20,
        help_text="A district, ward or area code, such as E07000010.",
    )
    radius_km = forms.FloatField(label="How far a person may move (km)", required=False)
    include_restricted = StrictBooleanField(
        label="Offer beds at Inadequate and no-admissions homes too",
        required=False,
        widget=forms.Select(choices=[("", "No"), ("true", "Yes")]),
    )
    market_after = StrictBooleanField(
        label="Also work out the market after (capacity gaps and concentration without it)",
        required=False,
        widget=forms.Select(choices=[("", "No"), ("true", "Yes")]),
        help_text="Takes longer than the plan.",
    )

    def __init__(self, *args, provider: Provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home"].queryset = Location.objects.filter(provider=provider).order_by("name", "id")
        self.fields["home"].error_messages["invalid_choice"] = "Choose one of the provider's homes."

        class Query(FailureQuery):
            def __init__(self, *args, **kwargs):
                kwargs.setdefault("context", {"provider": provider})
                super().__init__(*args, **kwargs)

        self.query_class = Query


def plan_map(answer: WhatIf) -> dict:
    """What the page's map draws (market/static/market/failure_map.js): the failing homes with their people and how
    many are short, the homes the plan sends people to, and one line per failing home, destination and kind of bed
    (block or spot) with its people and distance. Every person is on a line or counted short; homes without
    coordinates are counted, not drawn."""
    short = Counter(move.person.location_id for move in answer.short)
    failing = [
        {
            "id": home["location_id"],
            "name": home["location"],
            "lat": home["latitude"],
            "lng": home["longitude"],
            "people": home["people"],
            "short": short.get(home["location_id"], 0),
        }
        for home in answer.homes
        if home["latitude"] is not None and home["longitude"] is not None
    ]
    destinations: dict[int, dict] = {}
    flows: dict[tuple, list] = defaultdict(lambda: [0, 0.0])
    for move in answer.placed:
        bed = move.bed
        destination = destinations.setdefault(
            bed.location_id,
            {
                "id": bed.location_id,
                "name": bed.location,
                "provider": bed.provider,
                "lat": bed.latitude,
                "lng": bed.longitude,
                "people": 0,
            },
        )
        destination["people"] += 1
        flow = flows[(move.person.location_id, bed.location_id, bed.group)]
        flow[0] += 1
        flow[1] += move.distance_km or 0
    return {
        "layerAddress": f"{reverse('geo:locality-layer')}?kind=district",
        "homeUrl": reverse("register:home", args=[0]),
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION}
        if settings.MAP_TILE_URL
        else None,
        "radiusKm": answer.radius_km,
        "failing": failing,
        "unmapped": len(answer.homes) - len(failing),
        "destinations": sorted(destinations.values(), key=lambda row: row["id"]),
        # [failing home's id, destination's id, people, "block" or "spot", average km]
        "flows": [
            [origin, target, people, group, round(km / people, 1)]
            for (origin, target, group), (people, km) in sorted(flows.items())
        ],
    }


class FailurePage(RoleRequiredMixin, TemplateView):
    capability = caps.PLAN_FOR_FAILURE
    template_name = "market/failure/provider.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        provider = get_object_or_404(Provider, pk=kwargs["provider_id"])
        form = FailureForm(self.request.GET, provider=provider)
        context.update(provider=provider, form=form, answered=False, title=f"If {provider.name} failed")
        if not form.is_valid():
            return context
        answer = failure_what_if(provider=provider, **form.arguments)
        query = urlencode(form.query)
        rows = exports.plan_rows(answer)
        page = paginate(self.request, rows, per_page=100)
        plan_head, plan_rows = shown_table(exports.PLAN_HEADERS, list(page.object_list))
        context.update(
            answered=True,
            answer=answer,
            shortfall_head=exports.SHORTFALL_HEADERS,
            plan_head=plan_head,
            plan_rows=plan_rows,
            page=page,
            page_query=query_without(self.request, "page"),
            market_after_url="?" + query_without(self.request, "page", market_after="true"),
            other_residents_method=OTHER_RESIDENTS_METHOD,
            plan_map=plan_map(answer),
            downloads={
                fmt: reverse("market:provider-failure-export", kwargs={"provider_id": provider.pk, "fmt": fmt})
                + (f"?{query}" if query else "")
                for fmt in ("csv", "xlsx")
            },
        )
        return context
