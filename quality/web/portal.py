"""The provider portal's quality audits: a provider user's own services' reports from the day the draft is shared,
comments on factual accuracy within the window, the action plan after a Requires improvement or Poor report and
each action's progress. Another provider's audit is a 404 (the selectors scope every read to the user's providers)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import TemplateView

from core.errors import DomainError
from core.web import RoleRequiredMixin, form_error
from providers.capabilities import PROVIDER_PORTAL
from quality import services
from quality.models import NEEDS_ACTION_PLAN, AuditStatus
from quality.selectors import (
    action_plan_progress,
    audit_detail_queryset,
    audit_issues,
    audits_list,
    comment_window_open,
    comments_last_day,
)
from quality.web.forms import ActionPlanForm, CommentForm, ProgressForm


class AuditsView(RoleRequiredMixin, TemplateView):
    capability = PROVIDER_PORTAL
    template_name = "quality/portal/audits.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(audits=list(audits_list(user=self.request.user)), **kwargs)


class AuditView(RoleRequiredMixin, TemplateView):
    capability = PROVIDER_PORTAL
    template_name = "quality/portal/audit.html"

    def audit(self):
        return get_object_or_404(audit_detail_queryset(user=self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, *, audit=None, comment_form=None, plan_form=None, progress_forms=None, **kwargs):
        audit = audit or self.audit()
        findings = list(audit.findings.all())
        plan = getattr(audit, "action_plan", None) if hasattr(audit, "action_plan") else None
        may_comment = comment_window_open(audit=audit, now=timezone.now())
        needs_plan = audit.status == AuditStatus.PUBLISHED and audit.rating in NEEDS_ACTION_PLAN and plan is None
        actions = list(plan.actions.all()) if plan else []
        progress_forms = progress_forms or {}
        for action in actions:
            action.form = progress_forms.get(action.pk) or ProgressForm(
                prefix=f"action-{action.pk}", initial={"progress": action.progress, "note": action.progress_note}
            )
        return super().get_context_data(
            audit=audit,
            findings=findings,
            comments=list(audit.comments.all()),
            last_day=comments_last_day(audit=audit),
            may_comment=may_comment,
            comment_form=comment_form or (CommentForm(findings=findings) if may_comment else None),
            plan_form=plan_form or (ActionPlanForm(issues=audit_issues(audit=audit)) if needs_plan else None),
            plan=plan,
            actions=actions,
            progress=action_plan_progress(audit=audit, on=timezone.localdate()),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        audit = self.audit()
        kind = request.POST.get("form")
        if kind == "comment":
            form = CommentForm(request.POST, findings=list(audit.findings.all()))
            if form.is_valid():
                try:
                    services.comment_add(
                        audit=audit, text=form.cleaned_data["text"], finding=form.chosen_finding(), by=request.user
                    )
                except DomainError as error:
                    form_error(form, error)
                else:
                    messages.success(request, "Comment sent to the council.")
                    return redirect("quality-portal:audit", pk=audit.pk)
            return self.render_to_response(self.get_context_data(audit=audit, comment_form=form), status=400)
        if kind == "plan":
            add = request.POST.get("add")
            if add:
                # "Add another action": the same answers back with one more action for that standard, no errors.
                number = int(add) if add.isdigit() else None
                form = ActionPlanForm(request.POST, issues=audit_issues(audit=audit), add=number)
                return self.render_to_response(self.get_context_data(audit=audit, plan_form=form, added=number))
            form = ActionPlanForm(request.POST, issues=audit_issues(audit=audit))
            if form.is_valid():
                try:
                    services.action_plan_submit(audit=audit, actions=form.actions(), by=request.user)
                except DomainError as error:
                    field = form.field_for(error.field)
                    form.add_error(field if field in form.fields else None, error.message)
                else:
                    messages.success(request, "Action plan submitted.")
                    return redirect("quality-portal:audit", pk=audit.pk)
            return self.render_to_response(self.get_context_data(audit=audit, plan_form=form), status=400)
        if kind == "progress":
            plan = getattr(audit, "action_plan", None) if hasattr(audit, "action_plan") else None
            action = next(
                (a for a in (plan.actions.all() if plan else []) if str(a.pk) == request.POST.get("action")), None
            )
            if action is None:
                return self.render_to_response(self.get_context_data(audit=audit), status=404)
            form = ProgressForm(request.POST, prefix=f"action-{action.pk}")
            if form.is_valid():
                try:
                    services.action_progress_update(action=action, by=request.user, **form.cleaned_data)
                except DomainError as error:
                    form_error(form, error)
                else:
                    messages.success(request, "Progress saved.")
                    return redirect("quality-portal:audit", pk=audit.pk)
            return self.render_to_response(
                self.get_context_data(audit=audit, progress_forms={action.pk: form}), status=400
            )
        return self.render_to_response(self.get_context_data(audit=audit), status=400)
