"""The lots register and a lot's page: rounds, award, mobilisation plan (milestones with their RAG, readiness
gateways and the decision form) and contingency arrangements with their transfers. Council staff only; the
decision is recorded by market.services.gateway_decide, whose own messages are shown field by field."""

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import TemplateView

from core.errors import DomainError
from core.web import RoleRequiredMixin, form_error, query_without
from market import capabilities as caps
from market.models import ContingencyArrangement, GatewayCriterion, LotStatus, MobilisationPlan, ReadinessGateway
from market.selectors import lot_delivery, lot_detail_queryset, lots_register
from market.selectors.contingency import people_trend, transfer_progress
from market.selectors.mobilisation import plan_progress, plans_with_progress
from market.services.mobilisation import gateway_decide
from market.web.lot_forms import GatewayDecisionForm, LotFilterForm

PAGE_SIZE = 25
TREND_MONTHS = 6  # the contingency trend on a lot's page: people by arrangement at each month's end
TREND_KINDS = ("lead_provider", "contingency", "direct_payment")


class LotListView(RoleRequiredMixin, TemplateView):
    capability = caps.READ_PLANS
    template_name = "market/lot_list.html"

    def get(self, request, *args, **kwargs):
        form = LotFilterForm(request.GET)
        valid = form.is_valid()
        lots = lots_register(user=request.user)
        if valid:
            lots = form.apply(lots)
        page = Paginator(lots, PAGE_SIZE).get_page(form.cleaned_data.get("page") if valid else 1)
        rows = list(page.object_list)
        delivery = lot_delivery(lots=rows, on=timezone.localdate())
        for lot in rows:
            lot.delivery = delivery[lot.pk]
        query = query_without(request, "page")
        context = self.get_context_data(form=form, page=page, lots=rows, query=query, **kwargs)
        return self.render_to_response(context, status=200 if valid else 400)


class LotView(RoleRequiredMixin, TemplateView):
    capability = caps.READ_PLANS
    post_capability = caps.EDIT_MARKET  # a readiness gateway's decision, as the API's mobilisation writes
    template_name = "market/lot.html"

    @property
    def lot(self):
        if not hasattr(self, "_lot"):
            self._lot = get_object_or_404(lot_detail_queryset(user=self.request.user), pk=self.kwargs["pk"])
        return self._lot

    def _plan(self):
        plans = plans_with_progress(
            MobilisationPlan.objects.filter(award__lot=self.lot, award__ended_on__isnull=True)
        ).prefetch_related(
            Prefetch(
                "gateways",
                queryset=ReadinessGateway.objects.order_by("position", "id").prefetch_related(
                    Prefetch("criteria", queryset=GatewayCriterion.objects.order_by("position", "id")),
                    "decisions__decided_by",
                ),
            )
        )
        return plans.first()

    def get_context_data(self, *, forms=None, **kwargs):
        today = timezone.localdate()
        plan = self._plan()
        progress = plan_progress(plan, on=today) if plan else None
        milestones = (
            [{"milestone": milestone, "rag": progress.milestones[milestone.pk]} for milestone in plan.milestones.all()]
            if plan
            else []
        )
        gateways = list(plan.gateways.all()) if plan else []
        forms = forms or {}
        can_decide = caps.EDIT_MARKET.allows(self.request.user)
        for gateway in gateways:
            gateway.form = forms.get(gateway.pk) or GatewayDecisionForm(prefix=f"gateway-{gateway.pk}")
        arrangements = list(
            ContingencyArrangement.objects.filter(lot=self.lot).select_related("lot").order_by("-start_date", "-pk")
        )
        for arrangement in arrangements:
            arrangement.progress = transfer_progress(arrangement=arrangement, on=today)
        trend = people_trend(area=self.lot.area, start=today - relativedelta(months=TREND_MONTHS), end=today)
        return super().get_context_data(
            lot=self.lot,
            delivery=lot_delivery(lots=[self.lot], on=today)[self.lot.pk],
            rounds=self.lot.rounds.all(),
            status_changes=self.lot.status_changes.all(),
            plan=plan,
            progress=progress,
            milestones=milestones,
            gateways=gateways,
            can_decide=can_decide,
            # Once a lot is live its readiness gateways are behind it: their decisions stay, their forms go.
            gateways_open=can_decide and self.lot.status != LotStatus.LIVE,
            arrangements=arrangements,
            trend=trend if any(point[kind] for point in trend for kind in TREND_KINDS) else [],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if self.lot.status == LotStatus.LIVE:
            messages.error(request, f"{self.lot.code} is live: its readiness gateways are closed.")
            return self.render_to_response(self.get_context_data(), status=400)
        plan = self._plan()
        gateway = get_object_or_404(ReadinessGateway, pk=request.POST.get("gateway"), plan=plan) if plan else None
        if gateway is None:
            return self.render_to_response(self.get_context_data(), status=404)
        form = GatewayDecisionForm(request.POST, prefix=f"gateway-{gateway.pk}")
        if form.is_valid():
            try:
                gateway_decide(gateway=gateway, by=request.user, **form.cleaned_data)
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, f"{gateway.name}: decision recorded.")
                return redirect(request.path + f"#gateway-{gateway.pk}")
        return self.render_to_response(self.get_context_data(forms={gateway.pk: form}), status=400)
