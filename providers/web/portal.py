"""The provider portal's homes: a provider user's own care homes and each one's page. Another provider's home is
a 404, as in the API (the selectors scope every read to the user's providers)."""

from django.http import Http404
from django.views.generic import TemplateView

from core.web import RoleRequiredMixin
from providers.capabilities import PROVIDER_PORTAL
from providers.selectors import location_detail_queryset, locations_list


class HomesView(RoleRequiredMixin, TemplateView):
    capability = PROVIDER_PORTAL
    template_name = "providers/portal/homes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["homes"] = list(locations_list(user=self.request.user).filter(care_home=True))
        return context


class HomeView(RoleRequiredMixin, TemplateView):
    capability = PROVIDER_PORTAL
    template_name = "providers/portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        home = location_detail_queryset(user=self.request.user).filter(pk=self.kwargs["location_id"]).first()
        if home is None:
            raise Http404("No such home of your provider.")
        context["home"] = home
        return context
