"""The alert inbox and an alert's page, for people. Thin: the reads are the alerts selectors (filtered by the API's
own AlertFilter), the changes are the alert services, and their messages are shown on the forms.

Council staff see every alert and act on them; a provider user sees the alerts about their own providers, read
only (another provider's alert is a 404, a change a 403: the services refuse it as well).
"""

import re
from datetime import datetime

from django.contrib import messages
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from core import present
from core.errors import DomainError
from core.web import RoleRequiredMixin, form_error, paginate, query_without
from tasks import capabilities as caps
from tasks import selectors
from tasks.api.filters import AlertFilter
from tasks.links import subject_path
from tasks.models import Alert, AlertChange, AlertStatus, EventKind, Severity, severity_rank_in_sql
from tasks.selectors.delivery import who_hears_what
from tasks.selectors.evidence import evidence_in_words, with_subjects
from tasks.services import alerts as actions
from tasks.web.forms import (
    AssignForm,
    BulkActionForm,
    CommentForm,
    InboxFilterForm,
    NoteForm,
    ResolveForm,
    SnoozeForm,
)

SEVERITY_COLOURS = {"info": "blue", "warning": "yellow", "high": "orange", "critical": "red"}
STATUS_COLOURS = {"open": "red", "acknowledged": "blue", "snoozed": "grey", "resolved": "green"}
SEEN_KEY = "tasks.inbox.seen_at"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][\d:.]+([+-]\d{2}:\d{2}|Z)?)?$")
PER_PAGE = 50


def _ordered(alerts: QuerySet[Alert], sort: str) -> QuerySet[Alert]:
    if sort == "newest":
        return alerts.order_by("-last_seen", "-id")
    return alerts.order_by(severity_rank_in_sql().desc(), "-last_seen", "-id")


def newly_assigned(*, user, since: datetime | None) -> QuerySet[Alert]:
    """Unresolved alerts given to the user (or a team of theirs) by someone else since `since`; with no `since`
    (the first visit of a session), those given to them that nobody has acknowledged yet."""
    given = AlertChange.objects.filter(alert=OuterRef("pk"), field__in=["owner_user", "owner_team"]).exclude(by=user)
    if since is not None:
        given = given.filter(at__gt=since)
    alerts = (
        selectors.alerts_list(user=user)
        .filter(selectors.assigned_to(user))
        .exclude(status=AlertStatus.RESOLVED)
        .filter(Exists(given))
    )
    return alerts if since is not None else alerts.filter(status=AlertStatus.OPEN)


def _decorate(alert: Alert) -> Alert:
    alert.severity_colour = SEVERITY_COLOURS.get(alert.severity, "grey")
    alert.status_colour = STATUS_COLOURS.get(alert.status, "grey")
    return alert


class InboxView(RoleRequiredMixin, TemplateView):
    """GET: the filtered, paginated list. POST (staff): one action on the ticked alerts, all or nothing, then
    back to the same list with a message saying what was done or, if nothing was, why and which alerts."""

    capability = caps.READ_ALERTS
    post_capability = caps.WORK_ALERTS
    template_name = "tasks/inbox.html"

    @cached_property
    def staff(self) -> bool:
        return caps.WORK_ALERTS.allows(self.request.user)

    @cached_property
    def visible(self) -> QuerySet[Alert]:
        return selectors.alerts_list(user=self.request.user)

    def filtered(self, form: InboxFilterForm) -> QuerySet[Alert] | None:
        if not form.is_valid():
            return None
        filterset = AlertFilter(data=form.filter_data(), queryset=self.visible, request=self.request)
        if not filterset.is_valid():  # the form's choices are the filter's, so only a stale choice lands here
            for name, errors in filterset.errors.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
            return None
        return _ordered(filterset.qs, form.cleaned_data.get("sort") or "severity")

    def get_context_data(self, bulk_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        form = InboxFilterForm(request.GET or None, alerts=self.visible, staff=self.staff)
        alerts = self.filtered(form) if request.GET else _ordered(self.filtered_default(), "severity")
        page = paginate(request, alerts if alerts is not None else Alert.objects.none(), per_page=PER_PAGE)
        for alert in with_subjects(list(page.object_list)):
            _decorate(alert)
            alert.evidence_text = evidence_in_words(alert)
        if self.staff and bulk_form is None:
            bulk_form = BulkActionForm(alerts=self.visible)
        context.update(
            form=form,
            filter_errors=form.errors if request.GET else None,
            page=page,
            query=query_without(request, "page"),
            staff=self.staff,
            bulk_form=bulk_form,
            selected=[str(pk) for pk in (bulk_form["ids"].value() or [])] if bulk_form is not None else [],
            selected_filters=self.selected_filters(form),
        )
        if self.staff and request.method == "GET":
            context["new_for_me"] = self.new_for_me()
        return context

    def filtered_default(self) -> QuerySet[Alert]:
        return self.visible.exclude(status=AlertStatus.RESOLVED)

    def selected_filters(self, form: InboxFilterForm) -> list[dict]:
        """The MOJ filter's "selected filters": one tag per value, each a link that removes it."""
        if not (self.request.GET and form.is_bound and form.is_valid()):
            return []
        groups = []
        for name in ("status", "severity", "rule", "locality", "provider", "mine"):
            if name not in form.fields:
                continue
            field = form.fields[name]
            values = self.request.GET.getlist(name)
            tags = []
            for value in values:
                if not value:
                    continue
                rest = self.request.GET.copy()
                rest.setlist(name, [other for other in values if other != value])
                rest.pop("page", None)
                label = dict(getattr(field, "choices", [])).get(value, "Yes" if name == "mine" else value)
                tags.append({"label": label, "href": "?" + rest.urlencode()})
            if tags:
                groups.append({"heading": field.label or name.capitalize(), "tags": tags})
        return groups

    def new_for_me(self) -> dict | None:
        session = self.request.session
        seen = session.get(SEEN_KEY)
        since = datetime.fromisoformat(seen) if seen else None
        alerts = list(newly_assigned(user=self.request.user, since=since)[:6])
        session[SEEN_KEY] = timezone.now().isoformat()
        if not alerts:
            return None
        return {"alerts": alerts[:5], "more": len(alerts) > 5, "since": since}

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        form = BulkActionForm(request.POST, alerts=self.visible)
        if form.is_valid():
            data = form.cleaned_data
            ids = [alert.pk for alert in data["ids"]]
            action = data["action"]
            try:
                if action == "acknowledge":
                    done = actions.alerts_acknowledge(ids=ids, by=request.user, note=data["note"])
                elif action == "assign":
                    done = actions.alerts_assign(
                        ids=ids, by=request.user, user=data["user"], team=data["team"], note=data["note"]
                    )
                else:
                    done = actions.alerts_resolve(ids=ids, by=request.user, note=data["note"])
            except DomainError as error:
                if error.field in (None, "ids"):
                    form.add_error(None, f"No alerts were changed. {error.message}")
                else:
                    form_error(form, error)
            else:
                messages.success(request, _done_message(action, done, data))
                return HttpResponseRedirect(request.get_full_path())
        return self.render_to_response(self.get_context_data(bulk_form=form))


def _owner_text(user, team) -> str:
    names = [
        name
        for name in ((user.get_full_name() or user.username) if user else None, team.name if team else None)
        if name
    ]
    return " and ".join(names) if names else "nobody"


def _done_message(action: str, done: list[Alert], data: dict) -> str:
    count = f"{len(done)} alert{'s' if len(done) != 1 else ''}"
    # Named by their titles, as the inbox lists them: a person does not know the alerts by their ids.
    names = present.listed(alert.title for alert in sorted(done, key=lambda alert: alert.pk))
    if action == "acknowledge":
        return f"{count} acknowledged: {names}."
    if action == "assign":
        return f"{count} assigned to {_owner_text(data['user'], data['team'])}: {names}."
    return f"{count} resolved: {names}."


# --- an alert's page ---------------------------------------------------------------------------------------


def subject_name(alert: Alert) -> str:
    for related in (alert.lot, alert.contract, alert.location, alert.provider, alert.locality):
        if related is not None and alert.subject_kind != "service":
            return str(related)
    return alert.get_subject_kind_display()


def _evidence_value(value, key: str = "") -> str:
    """A figure of a rule's evidence in words (core.present): its key says a share (`void_level`, `..._share`, a
    fraction), a percentage (`..._percent`) or money (`..._cost`, `..._rate`, `..._price`)."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        return present.day(value) if len(value) == 10 else present.moment(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(_evidence_value(item) for item in value) or "None listed"
    if isinstance(value, dict):
        return "; ".join(f"{_label(name)}: {_evidence_value(item, name)}" for name, item in value.items())
    if isinstance(value, int | float) and not isinstance(value, bool):
        if key.endswith(("_level", "_share", "level", "share")) and abs(value) <= 1:
            return present.percent(value, fraction=True)
        if key.endswith("percent"):
            return present.percent(value)
        if key.endswith(("_cost", "_rate", "_price")):
            return present.money(value)
        return present.number(value, places=0 if value == int(value) else -2)
    if isinstance(value, str) and key.endswith(("_cost", "_rate", "_price")):
        return present.money(value)
    if isinstance(value, str):
        return present.label(value) if value in present.choice_labels() else present.otherwise(value)
    return present.otherwise(value)


def _label(key: str) -> str:
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def evidence_rows(evidence: dict) -> list[dict]:
    return [{"key": _label(key), "value": _evidence_value(value, key)} for key, value in (evidence or {}).items()]


def history_rows(changes) -> list[AlertChange]:
    """The changes with owners named: the history stores ids, shown here as people's and teams' names (two
    queries, whatever the length of the history)."""
    from accounts.models import Team, User

    changes = list(changes)
    ids = {"owner_user": set(), "owner_team": set()}
    for change in changes:
        if change.field in ids:
            ids[change.field].update(value for value in (change.old_value, change.new_value) if value.isdigit())
    names = {
        "owner_user": {
            str(user.pk): user.get_full_name() or user.username
            for user in (User.objects.filter(pk__in=ids["owner_user"]) if ids["owner_user"] else [])
        },
        "owner_team": {
            str(team.pk): team.name
            for team in (Team.objects.filter(pk__in=ids["owner_team"]) if ids["owner_team"] else [])
        },
    }
    labels = {"owner_user": "Assigned person", "owner_team": "Assigned team", "snoozed_until": "Snoozed until"}
    for change in changes:
        change.label = labels.get(change.field, _label(change.field))
        if change.note in EventKind.values:  # the engine notes which event opened the alert by its kind
            change.note = EventKind(change.note).label
        if change.field in names:
            change.old_value = names[change.field].get(change.old_value, change.old_value)
            change.new_value = names[change.field].get(change.new_value, change.new_value)
        elif change.field == "status":
            change.old_value, change.new_value = (
                AlertStatus(value).label if value in AlertStatus.values else value
                for value in (change.old_value, change.new_value)
            )
        else:
            change.old_value, change.new_value = (
                _evidence_value(value) if value else value for value in (change.old_value, change.new_value)
            )
    return changes


class AlertView(RoleRequiredMixin, TemplateView):
    capability = caps.READ_ALERTS
    post_capability = caps.WORK_ALERTS
    template_name = "tasks/alert.html"
    forms = {
        "acknowledge": NoteForm,
        "assign": AssignForm,
        "snooze": SnoozeForm,
        "resolve": ResolveForm,
        "reopen": NoteForm,
        "comment": CommentForm,
    }

    @cached_property
    def staff(self) -> bool:
        return caps.WORK_ALERTS.allows(self.request.user)

    @cached_property
    def alert(self) -> Alert:
        alert = selectors.alert_detail_queryset(user=self.request.user).filter(pk=self.kwargs["pk"]).first()
        if alert is None:
            raise Http404("No such alert.")
        return _decorate(alert)

    def get_context_data(self, bound=None, **kwargs):
        context = super().get_context_data(**kwargs)
        alert = self.alert
        forms = {}
        if self.staff:
            for name, form_class in self.forms.items():
                prefix = name
                if bound is not None and bound[0] == name:
                    forms[name] = bound[1]
                elif name == "assign":
                    forms[name] = form_class(
                        prefix=prefix, initial={"user": alert.owner_user, "team": alert.owner_team}
                    )
                else:
                    forms[name] = form_class(prefix=prefix)
        context.update(
            alert=alert,
            staff=self.staff,
            forms=forms,
            failed=bound[0] if bound is not None else None,
            subject_href=subject_path(alert, staff=self.staff),
            subject_name=subject_name(alert),
            evidence=evidence_rows(alert.evidence),
            evidence_text=evidence_in_words(alert),
            history=history_rows(alert.changes.all()),
            comments=list(alert.comments.all()),
            resolved=alert.status == AlertStatus.RESOLVED,
        )
        return context


class AlertActionView(AlertView):
    """One action on one alert (POST), through the service; back to the alert's page with what was done."""

    capability = caps.WORK_ALERTS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        name = self.kwargs["action"]
        if name not in self.forms:
            raise Http404("No such action.")
        alert = self.alert
        form = self.forms[name](request.POST, prefix=name)
        if form.is_valid():
            data = form.cleaned_data
            try:
                message = self.perform(name, alert, data, form)
            except DomainError as error:
                form_error(form, error if error.field != "ids" else DomainError(error.message))
            else:
                messages.success(request, message)
                return HttpResponseRedirect(reverse("tasks-web:alert", kwargs={"pk": alert.pk}))
        return self.render_to_response(self.get_context_data(bound=(name, form)))

    def perform(self, name: str, alert: Alert, data: dict, form) -> str:
        by, ids = self.request.user, [alert.pk]
        if name == "acknowledge":
            actions.alerts_acknowledge(ids=ids, by=by, note=data["note"])
            return "Alert acknowledged."
        if name == "assign":
            actions.alerts_assign(ids=ids, by=by, user=data["user"], team=data["team"], note=data["note"])
            return f"Alert assigned to {_owner_text(data['user'], data['team'])}."
        if name == "snooze":
            until = form.until()
            try:
                actions.alerts_snooze(ids=ids, by=by, until=until, note=data["note"])
            except DomainError as error:
                if error.field == "until":
                    raise DomainError(error.message, field="until_date") from error
                raise
            return f"Alert snoozed until {present.moment(until)}."
        if name == "resolve":
            actions.alerts_resolve(ids=ids, by=by, note=data["note"])
            return "Alert resolved."
        if name == "reopen":
            actions.alerts_reopen(ids=ids, by=by, note=data["note"])
            return "Alert reopened."
        actions.alert_comment(alert=alert, by=by, text=data["text"])
        return "Comment added."


class WhoHearsWhatView(RoleRequiredMixin, TemplateView):
    """For administrators: each rule and severity with the people and teams who would be told of its alerts, and
    those nobody would hear of, so a gap is closed before an alert falls into it."""

    capability = caps.KEEP_DELIVERY
    template_name = "tasks/who_hears_what.html"

    def get_context_data(self, **kwargs):
        rows = [
            {
                "rule": row.rule,
                "severity": Severity(row.severity).label,
                "colour": SEVERITY_COLOURS.get(row.severity, "grey"),
                "listeners": row.listeners,
                "heard_everywhere": row.heard_everywhere,
            }
            for row in who_hears_what()
        ]
        unheard = [row for row in rows if not row["listeners"]]
        return super().get_context_data(rows=rows, unheard=unheard, **kwargs)
