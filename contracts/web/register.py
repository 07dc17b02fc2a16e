"""Register pages: a provider, a home (a CQC location), the contracts register and a contract. Thin: each reads
through the same selectors as the API, scoped the same way (a provider user sees its own provider and homes
only, and another's is a 404; the contracts register is for council staff)."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.selectors import provider_scope
from contracts import capabilities as caps
from contracts.models import BedLine, Contract
from contracts.selectors import bed_lines_with_voids, contract_variations, contracts_register
from contracts.web.register_forms import ContractFilterForm
from core.slots import slot_contents
from core.web import RoleRequiredMixin, query_without
from providers.selectors import location_detail_queryset, provider_detail_queryset, ratings_of
from quality.capabilities import AUDIT
from quality.selectors import latest_ratings

PAGE_SIZE = 25
KEY_QUESTIONS = [
    ("overall", "Overall"),
    ("safe", "Safe"),
    ("effective", "Effective"),
    ("caring", "Caring"),
    ("responsive", "Responsive"),
    ("well_led", "Well-led"),
]


def _lines_with_voids(lines, *, on):
    """Bed lines with their void and free beds on `on` (BedLine.void_beds), as the bed finder counts them."""
    return list(
        bed_lines_with_voids(lines.select_related("contract", "location"), on=on).order_by("contract__reference", "id")
    )


class ProviderView(RoleRequiredMixin, TemplateView):
    capability = caps.READ_REGISTER  # a provider user sees its own providers only (404 for others)
    template_name = "contracts/provider.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        provider = get_object_or_404(provider_detail_queryset(user=user), pk=kwargs["pk"])
        contracts = contracts_register(provider_scope(Contract.objects.filter(provider=provider), user))
        homes = list(provider.locations.all())
        council = latest_ratings(location_ids=[home.pk for home in homes])
        for home in homes:
            home.council_audit = council.get(home.pk)  # the council's own quality rating, beside CQC's
        return super().get_context_data(provider=provider, homes=homes, contracts=contracts, **kwargs)


class HomeView(RoleRequiredMixin, TemplateView):
    capability = caps.READ_REGISTER
    template_name = "contracts/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        home = get_object_or_404(location_detail_queryset(user=user), pk=kwargs["pk"])
        ratings = list(ratings_of(location=home))
        lines = _lines_with_voids(BedLine.objects.filter(location=home), on=timezone.localdate())
        return super().get_context_data(
            home=home,
            ratings=[
                {"report_date": rating.report_date, "values": [getattr(rating, key) or "—" for key, _ in KEY_QUESTIONS]}
                for rating in ratings
            ],
            key_questions=[label for _, label in KEY_QUESTIONS],
            conditions=home.active_conditions,
            lines=lines,
            void_beds=sum(line.void_beds for line in lines),
            home_alerts=slot_contents("contracts.home_alerts", request=self.request, home=home),
            council_audit=latest_ratings(location_ids=[home.pk]).get(home.pk),
            may_audit=AUDIT.allows(user),
            **kwargs,
        )


class ContractListView(RoleRequiredMixin, TemplateView):
    capability = caps.READ_CONTRACTS
    template_name = "contracts/contract_list.html"

    def get(self, request, *args, **kwargs):
        form = ContractFilterForm(request.GET)
        valid = form.is_valid()
        contracts = contracts_register(provider_scope(Contract.objects.all(), request.user))
        if valid:
            contracts = form.apply(contracts)
        page = Paginator(contracts, PAGE_SIZE).get_page(form.cleaned_data.get("page") if valid else 1)
        query = query_without(request, "page")
        context = self.get_context_data(form=form, page=page, contracts=page.object_list, query=query, **kwargs)
        return self.render_to_response(context, status=200 if valid else 400)


class ContractView(RoleRequiredMixin, TemplateView):
    capability = caps.READ_CONTRACTS
    template_name = "contracts/contract.html"

    def get_context_data(self, **kwargs):
        contracts = contracts_register(provider_scope(Contract.objects.all(), self.request.user))
        contract = get_object_or_404(contracts, pk=kwargs["pk"])
        lines = _lines_with_voids(BedLine.objects.filter(contract=contract), on=timezone.localdate())
        return super().get_context_data(
            contract=contract,
            lines=lines,
            variations=contract_variations(contract=contract),
            may_vary=caps.EDIT_CONTRACTS.allows(self.request.user),
            **kwargs,
        )
