"""Tenders for commissioners and contract officers: the list, a tender's page (its lots' rounds with the
organisations invited and the date services are due, the bids best first with their scores, and the awards), and
the forms that create a tender, open a round, record who a round takes in, record a bid and make an award. Each
writes through the market service the API uses and shows its messages on the fields. Bids and their scores are
commercial: other roles are refused, as the API refuses them its writes."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from core import present
from core.errors import DomainError
from core.web import JobFormView, RoleRequiredMixin, paginate
from market import capabilities as caps
from market.models import Bid, ProcurementRound, Tender
from market.selectors import tenders_list
from market.selectors.tenders import lots_to_procure, tender_rounds
from market.services.tenders import award_make, bid_record, round_invite, round_open, round_update, tender_create
from market.web.tender_forms import AwardForm, BidForm, InviteForm, RoundForm, TenderForm


class TenderListView(RoleRequiredMixin, TemplateView):
    capability = caps.RUN_TENDERS
    template_name = "market/tender_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(page=paginate(self.request, tenders_list(user=self.request.user)), **kwargs)


class TenderView(RoleRequiredMixin, TemplateView):
    capability = caps.RUN_TENDERS
    template_name = "market/tender.html"

    def get_context_data(self, **kwargs):
        tender = get_object_or_404(tenders_list(user=self.request.user), pk=self.kwargs["pk"])
        rounds = list(tender_rounds(tender=tender))
        for round_ in rounds:
            round_.bid_rows = list(round_.bids.all())
            round_.under_way = round_.closed_on is None
            round_.award = next((bid.award for bid in round_.bid_rows if hasattr(bid, "award")), None)
        return super().get_context_data(
            tender=tender,
            stages=tender.stages.all(),
            lots=tender.lots.select_related("area").order_by("code"),
            rounds=rounds,
            may_open=lots_to_procure(tender=tender).exists(),
            **kwargs,
        )


class JobView(JobFormView):
    """A job's form on the generic template (market/job_form.html); a refusal is answered with 400."""

    capability = caps.RUN_TENDERS
    template_name = "market/job_form.html"
    title = ""
    button = ""

    def caption(self) -> str:
        return ""

    def back(self) -> tuple[str, str]:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        back_url, back_label = self.back()
        return super().get_context_data(
            title=self.title,
            button=self.button,
            caption=self.caption(),
            back_url=back_url,
            back_label=back_label,
            **kwargs,
        )


class TenderCreateView(JobView):
    form_class = TenderForm
    title = "Create a tender"
    button = "Create the tender"

    def back(self):
        return reverse("tenders:list"), "Back to tenders"

    def form_valid(self, form):
        try:
            tender = tender_create(by=self.request.user, **form.cleaned_data)
        except DomainError as error:
            return self.refused(form, error)
        messages.success(self.request, f"Tender {tender.reference} is created.")
        return redirect("tenders:tender", pk=tender.pk)


class TenderJobView(JobView):
    @cached_property
    def tender(self) -> Tender:
        return get_object_or_404(Tender, pk=self.kwargs["pk"])

    def caption(self):
        return f"Tender {self.tender.reference}: {self.tender.title}"

    def back(self):
        return reverse("tenders:tender", kwargs={"pk": self.tender.pk}), f"Back to tender {self.tender.reference}"


class RoundCreateView(TenderJobView):
    form_class = RoundForm
    title = "Open a procurement round"
    button = "Open the round"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "lots": lots_to_procure(tender=self.tender)}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data["procedure"] = data["procedure"] or None
        try:
            round_ = round_open(tender=self.tender, by=self.request.user, **data)
        except DomainError as error:
            return self.refused(form, error)
        messages.success(self.request, f"Round {round_.number} of {round_.lot.code} is open.")
        return redirect(reverse("tenders:tender", kwargs={"pk": self.tender.pk}) + f"#round-{round_.pk}")


class RoundJobView(JobView):
    """A job on one round under way: a closed round's page says so and offers no form."""

    @cached_property
    def round(self) -> ProcurementRound:
        return get_object_or_404(ProcurementRound.objects.select_related("lot", "tender"), pk=self.kwargs["round_id"])

    def caption(self):
        return f"Lot {self.round.lot.code}, round {self.round.number}"

    def back(self):
        url = reverse("tenders:tender", kwargs={"pk": self.round.tender_id}) + f"#round-{self.round.pk}"
        return url, f"Back to tender {self.round.tender.reference}"

    def done(self, text: str):
        messages.success(self.request, text)
        return redirect(self.back()[0])


class InviteView(RoundJobView):
    form_class = InviteForm
    title = "Organisations invited and services due"
    button = "Save"

    def get_initial(self):
        return {
            "organisations_invited": self.round.organisations_invited,
            "services_due_on": self.round.services_due_on,
        }

    def get_context_data(self, **kwargs):
        names = [invitation.name for invitation in self.round.invitations.all()]
        intro = f"Already invited: {present.listed(names)}." if names else "No organisations are named yet."
        return super().get_context_data(intro=intro, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                added = []
                if data["organisations"]:
                    added = round_invite(round=self.round, organisations=data["organisations"], by=self.request.user)
                changes = {"services_due_on": data["services_due_on"]}
                # The number is the form's only when changed: naming more organisations raises it by itself.
                if "organisations_invited" in form.changed_data:
                    changes["organisations_invited"] = data["organisations_invited"]
                round_ = round_update(round=self.round, by=self.request.user, **changes)
        except DomainError as error:
            return self.refused(form, error)
        count = round_.organisations_invited or 0
        text = f"{count} organisation{'s' if count != 1 else ''} invited to round {round_.number}."
        if added:
            text = f"{present.listed(invitation.name for invitation in added)} invited to round {round_.number}; " + (
                f"{count} organisation{'s' if count != 1 else ''} in all."
            )
        return self.done(text)


class BidCreateView(RoundJobView):
    form_class = BidForm
    title = "Record a bid"
    button = "Save the bid"

    def form_valid(self, form):
        try:
            bid = bid_record(round=self.round, by=self.request.user, **form.cleaned_data)
        except DomainError as error:
            return self.refused(form, error)
        where = f"ranked {bid.rank}" if bid.rank else "not ranked"
        return self.done(f"{bid.provider.name}'s bid is recorded: weighted total {bid.weighted_total}, {where}.")


class AwardCreateView(JobView):
    form_class = AwardForm
    title = "Make the award"
    button = "Make the award"

    @cached_property
    def bid(self) -> Bid:
        return get_object_or_404(
            Bid.objects.select_related("provider", "round__lot", "round__tender"), pk=self.kwargs["bid_id"]
        )

    def caption(self):
        return f"Lot {self.bid.round.lot.code}, round {self.bid.round.number}"

    def back(self):
        url = reverse("tenders:tender", kwargs={"pk": self.bid.round.tender_id}) + f"#round-{self.bid.round_id}"
        return url, f"Back to tender {self.bid.round.tender.reference}"

    def get_context_data(self, **kwargs):
        bid = self.bid
        intro = (
            f"To {bid.provider.name}: quality {bid.quality_score}, price {bid.price_score}, weighted total "
            f"{bid.weighted_total}. The round closes as awarded and the lot goes to awarded."
        )
        return super().get_context_data(intro=intro, **kwargs)

    def form_valid(self, form):
        try:
            award = award_make(bid=self.bid, by=self.request.user, **form.cleaned_data)
        except DomainError as error:
            return self.refused(form, error)
        messages.success(self.request, f"{award.lot.code} is awarded to {self.bid.provider.name}.")
        return redirect(self.back()[0])
