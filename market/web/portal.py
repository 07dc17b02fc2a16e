"""The provider portal's mobilisation: the milestones and recruitment of the lots the provider delivers, with
their RAG on the day, as market.selectors.mobilisation works them out for the API and the council's pages."""

from django.utils import timezone
from django.views.generic import TemplateView

from config.web import RoleRequiredMixin
from market.selectors.mobilisation import plan_progress, plans_delivered_by
from providers.capabilities import PROVIDER_PORTAL


class MobilisationView(RoleRequiredMixin, TemplateView):
    capability = PROVIDER_PORTAL
    template_name = "market/portal/mobilisation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        plans = []
        for plan in plans_delivered_by(user=self.request.user):
            progress = plan_progress(plan, on=today)
            milestones = [
                {
                    "milestone": milestone,
                    "rag": progress.milestones[milestone.pk].rag,
                    "status": progress.milestones[milestone.pk].status_label,
                    "reasons": progress.milestones[milestone.pk].reasons,
                }
                for milestone in plan.milestones.all()
            ]
            plans.append(
                {
                    "plan": plan,
                    "progress": progress,
                    "milestones": milestones,
                    "reports": list(plan.recruitment_reports.all())[-5:],
                }
            )
        context.update(plans=plans, today=today)
        return context
