"""Every write of the quality audits: the framework and its versions, an audit from planned to published, the
provider's comments and action plan, and the council's intelligence. Each is one named function; the pages, the
API and the admin call these and show their DomainError on the field it names."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import may_act_for_provider
from core.errors import Conflict, DomainError
from core.writes import UNCHANGED, given
from providers.models import Location
from quality.capabilities import AUDIT
from quality.models import (
    NEEDS_ACTION_PLAN,
    Action,
    ActionPlan,
    ActionProgress,
    Audit,
    AuditStatus,
    Domain,
    Finding,
    Framework,
    Intelligence,
    IntelligenceCategory,
    IntelligenceSeverity,
    ProviderComment,
    Score,
    Standard,
)
from quality.selectors import (
    audit_rating,
    comment_window_close,
    comment_window_open,
    framework_current,
    framework_in_use,
)
from quality.signals import risk_changed_send

# --- the framework -----------------------------------------------------------------------------------------


def _editable(framework: Framework) -> None:
    if framework_in_use(framework=framework):
        raise Conflict(
            f"{framework} is the framework of audits already done, which keep it as it was: make a new version "
            "and change that.",
            field="framework",
        )


@transaction.atomic
def framework_seed(*, using: str = "default") -> Framework | None:
    """PAMMS as version 1 and current when there is no framework at all (after every migrate, and after a test
    database is flushed); an existing framework is left as administrators keep it."""
    from quality import pamms

    if Framework.objects.using(using).exists():
        return None
    framework = Framework.objects.using(using).create(name=pamms.NAME, version=1, current=True, notes=pamms.NOTES)
    for number, name, standards in pamms.DOMAINS:
        domain = Domain.objects.using(using).create(framework=framework, number=number, name=name)
        Standard.objects.using(using).bulk_create(
            Standard(
                framework=framework,
                domain=domain,
                number=standard_number,
                title=title,
                looked_for=looked_for,
                weight=2 if standard_number in pamms.DOUBLE_WEIGHT else 1,
            )
            for standard_number, title, looked_for in standards
        )
    return framework


@transaction.atomic
def framework_create(*, name: str, version: int = 1, current: bool = False, notes: str = "") -> Framework:
    if Framework.objects.filter(name=name, version=version).exists():
        raise Conflict(f"{name} already has a version {version}.", field="version")
    if current:
        Framework.objects.filter(current=True).update(current=False)
    return Framework.objects.create(name=name, version=version, current=current, notes=notes)


@transaction.atomic
def framework_make_current(*, framework: Framework) -> Framework:
    Framework.objects.filter(current=True).exclude(pk=framework.pk).update(current=False)
    framework.current = True
    framework.save(update_fields=["current"])
    return framework


@transaction.atomic
def framework_version_new(*, framework: Framework, notes: str = "") -> Framework:
    """A copy of `framework` as its name's next version, with every domain and standard, made current: the
    version to change, while audits done under the old one keep theirs."""
    latest = Framework.objects.filter(name=framework.name).order_by("-version").first()
    copy = framework_create(name=framework.name, version=latest.version + 1, current=True, notes=notes)
    domains = {}
    for domain in framework.domains.order_by("number"):
        domains[domain.pk] = Domain.objects.create(framework=copy, number=domain.number, name=domain.name)
    for standard in framework.standards.order_by("number"):
        Standard.objects.create(
            framework=copy,
            domain=domains[standard.domain_id],
            number=standard.number,
            title=standard.title,
            looked_for=standard.looked_for,
            weight=standard.weight,
        )
    return copy


@transaction.atomic
def domain_create(*, framework: Framework, number: int, name: str) -> Domain:
    _editable(framework)
    if Domain.objects.filter(framework=framework, number=number).exists():
        raise Conflict(f"{framework} already has a domain {number}.", field="number")
    return Domain.objects.create(framework=framework, number=number, name=name)


@transaction.atomic
def domain_update(*, domain: Domain, number: int = UNCHANGED, name: str = UNCHANGED) -> Domain:
    _editable(domain.framework)
    for key, value in given(number=number, name=name).items():
        setattr(domain, key, value)
    domain.save()
    return domain


def _weight(weight) -> Decimal:
    weight = Decimal(weight)
    if weight <= 0:
        raise DomainError("A standard's weight is more than 0.", field="weight")
    return weight


@transaction.atomic
def standard_create(
    *, domain: Domain, number: int, title: str, looked_for: str, weight: Decimal = Decimal(1)
) -> Standard:
    _editable(domain.framework)
    if Standard.objects.filter(framework=domain.framework, number=number).exists():
        raise Conflict(f"{domain.framework} already has a standard {number}.", field="number")
    return Standard.objects.create(
        framework=domain.framework,
        domain=domain,
        number=number,
        title=title,
        looked_for=looked_for,
        weight=_weight(weight),
    )


@transaction.atomic
def standard_update(
    *,
    standard: Standard,
    title: str = UNCHANGED,
    looked_for: str = UNCHANGED,
    weight: Decimal = UNCHANGED,
    number: int = UNCHANGED,
    domain: Domain = UNCHANGED,
) -> Standard:
    _editable(standard.framework)
    changes = given(title=title, looked_for=looked_for, weight=weight, number=number, domain=domain)
    if "weight" in changes:
        changes["weight"] = _weight(changes["weight"])
    if "domain" in changes and changes["domain"].framework_id != standard.framework_id:
        raise DomainError("The domain belongs to another framework.", field="domain")
    for key, value in changes.items():
        setattr(standard, key, value)
    standard.save()
    return standard


# --- audits ------------------------------------------------------------------------------------------------


def _locked(audit: Audit, by: User | None = None) -> Audit:
    locked = Audit.objects.select_for_update().select_related("location").get(pk=audit.pk)
    locked._history_user = by  # the history names who did it, from a page, the API or a task alike
    return locked


def _move(audit: Audit, *, allowed: tuple[str, ...], to: str, doing: str, by: User) -> Audit:
    locked = _locked(audit, by)
    if locked.status not in allowed:
        raise Conflict(f"An audit {locked.get_status_display().lower()} cannot be {doing}.", field="status")
    locked.status = to
    return locked


@transaction.atomic
def audit_plan(*, location: Location, planned_for: date, officer: User, by: User, now: datetime | None = None) -> Audit:
    """A new audit of `location` under the current framework, led by `officer`. `now` is when it is planned (the
    demo and imports of past audits pass theirs)."""
    framework = framework_current()
    if framework is None:
        raise DomainError("There is no current audit framework: an administrator sets one.", field="framework")
    if not AUDIT.allows(officer):
        raise DomainError(f"{officer} is not a quality officer.", field="officer")
    if planned_for < timezone.localdate(now or timezone.now()) - settings.QUALITY_PLAN_BACKDATE:
        raise DomainError("The visit cannot be planned for a day long gone.", field="planned_for")
    open_audit = Audit.objects.filter(location=location).exclude(status=AuditStatus.PUBLISHED).first()
    if open_audit is not None:
        raise Conflict(
            f"{location} already has an audit {open_audit.get_status_display().lower()} "
            f"(planned for {open_audit.planned_for:%-d %B %Y}).",
            field="location",
        )
    audit = Audit(location=location, framework=framework, planned_for=planned_for, officer=officer)
    audit._history_user = by
    audit.save()
    risk_changed_send("quality")
    return audit


@transaction.atomic
def audit_start(*, audit: Audit, visited_on: date, by: User, now: datetime | None = None) -> Audit:
    if visited_on > timezone.localdate(now or timezone.now()):
        raise DomainError("The visit day cannot be in the future.", field="visited_on")
    locked = _move(audit, allowed=(AuditStatus.PLANNED,), to=AuditStatus.IN_PROGRESS, doing="started", by=by)
    locked.visited_on = visited_on
    locked.save(update_fields=["status", "visited_on", "updated_at"])
    risk_changed_send("quality")
    return locked


FINDING_STATUSES = (AuditStatus.IN_PROGRESS, AuditStatus.DRAFT, AuditStatus.UNDER_REVIEW)


@transaction.atomic
def finding_record(*, audit: Audit, standard: Standard, score: int | None, evidence: str, by: User) -> Finding:
    """The finding against one standard; `score` None is "not assessed". A score needs its evidence."""
    locked = _locked(audit, by)
    if locked.status not in FINDING_STATUSES:
        raise Conflict(
            f"Findings cannot change while the audit is {locked.get_status_display().lower()}.", field="status"
        )
    if standard.framework_id != locked.framework_id:
        raise DomainError("The standard is not in this audit's framework.", field="standard")
    if score is not None and score not in Score.values:
        raise DomainError(f"{score} is not a score.", field="score")
    evidence = (evidence or "").strip()
    if score is not None and not evidence:
        raise DomainError(f"Standard {standard.number}: give the evidence for the score.", field="evidence")
    finding = Finding.objects.filter(audit=locked, standard=standard).first() or Finding(
        audit=locked, standard=standard
    )
    finding.score, finding.evidence = score, evidence
    finding._history_user = by
    finding.save()
    if locked.status != AuditStatus.IN_PROGRESS:
        _rate(locked)
    return finding


def _rate(audit: Audit) -> None:
    result = audit_rating(audit=audit)
    if not result.rating:
        raise DomainError("Score at least one standard before the audit is rated.", field="findings")
    audit.rating = result.rating
    audit.weighted_score = result.weighted_score
    audit.save(update_fields=["rating", "weighted_score", "status", "updated_at"])


@transaction.atomic
def audit_draft(*, audit: Audit, summary: str = UNCHANGED, by: User) -> Audit:
    """The officer's draft report: rated from the findings (the weighted rating)."""
    locked = _move(audit, allowed=(AuditStatus.IN_PROGRESS,), to=AuditStatus.DRAFT, doing="drafted", by=by)
    if summary is not UNCHANGED:
        locked.summary = summary
        locked.save(update_fields=["summary"])
    _rate(locked)
    return locked


@transaction.atomic
def audit_share(*, audit: Audit, by: User, now: datetime | None = None) -> Audit:
    """The draft goes to the provider, whose window to comment opens now."""
    now = now or timezone.now()
    locked = _move(audit, allowed=(AuditStatus.DRAFT,), to=AuditStatus.SHARED, doing="shared", by=by)
    locked.shared_at = now
    locked.comments_close_at = comment_window_close(shared_at=now)
    locked.save(update_fields=["status", "shared_at", "comments_close_at", "updated_at"])
    return locked


@transaction.atomic
def audit_review(*, audit: Audit, by: User) -> Audit:
    """A senior officer reviews a disputed report: comments close and findings may change again."""
    locked = _move(audit, allowed=(AuditStatus.SHARED,), to=AuditStatus.UNDER_REVIEW, doing="taken to review", by=by)
    locked.save(update_fields=["status", "updated_at"])
    return locked


@transaction.atomic
def audit_publish(*, audit: Audit, by: User, now: datetime | None = None) -> Audit:
    """Publish the report. From shared only once the provider's window has closed (a review settles a disputed
    report sooner). A Requires improvement or Poor rating starts the action plan's 14 days."""
    now = now or timezone.now()
    locked = _locked(audit, by)
    if locked.status == AuditStatus.SHARED and comment_window_open(audit=locked, now=now):
        raise Conflict(
            f"The provider may comment until the end of {timezone.localtime(locked.comments_close_at):%-d %B %Y} "
            "(less a day): publish after that, or take the report to review.",
            field="status",
        )
    locked = _move(
        locked,
        allowed=(AuditStatus.SHARED, AuditStatus.UNDER_REVIEW),
        to=AuditStatus.PUBLISHED,
        doing="published",
        by=by,
    )
    locked.published_on = timezone.localdate(now)
    _rate(locked)
    if locked.rating in NEEDS_ACTION_PLAN:
        locked.action_plan_due = locked.published_on + timedelta(days=settings.QUALITY_ACTION_PLAN_DAYS)
    locked.save(update_fields=["published_on", "action_plan_due"])
    risk_changed_send("quality")
    return locked


# --- the provider's side -----------------------------------------------------------------------------------


def _provider_may(user: User, audit: Audit) -> None:
    if not (user.is_provider_user and may_act_for_provider(user, audit.location.provider_id)):
        raise DomainError("Only the provider of the service may do this.", field="audit", code="permission_denied")


@transaction.atomic
def comment_add(
    *, audit: Audit, text: str, by: User, finding: Finding | None = None, now: datetime | None = None
) -> ProviderComment:
    """The provider's comment on factual accuracy, within the comment window."""
    now = now or timezone.now()
    locked = _locked(audit)
    _provider_may(by, locked)
    if not comment_window_open(audit=locked, now=now):
        raise Conflict("The window to comment on this report has closed.", field="text")
    text = (text or "").strip()
    if not text:
        raise DomainError("Write the comment.", field="text")
    if finding is not None and finding.audit_id != locked.pk:
        raise DomainError("That standard is not in this audit.", field="finding")
    return ProviderComment.objects.create(audit=locked, finding=finding, text=text, created_by=by, created_at=now)


@transaction.atomic
def action_plan_submit(*, audit: Audit, actions: list[dict], by: User, now: datetime | None = None) -> ActionPlan:
    """The provider's action plan: `actions` as dicts of finding, description, owner and due_on. Every issue
    (a standard scored Requires improvement or Poor) needs at least one action."""
    now = now or timezone.now()
    locked = _locked(audit)
    _provider_may(by, locked)
    if locked.status != AuditStatus.PUBLISHED or locked.rating not in NEEDS_ACTION_PLAN:
        raise Conflict("An action plan follows a published report rated Requires improvement or Poor.", field="audit")
    if ActionPlan.objects.filter(audit=locked).exists():
        raise Conflict("The action plan has been submitted; update each action's progress instead.", field="audit")
    issues = {
        finding.pk: finding
        for finding in Finding.objects.filter(audit=locked).select_related("standard")
        if finding.is_issue
    }
    today = timezone.localdate(now)
    for index, action in enumerate(actions):
        finding = action.get("finding")
        if finding is None or finding.pk not in issues:
            raise DomainError("An action answers one of the report's issues.", field=f"actions.{index}.finding")
        for name, words in (("description", "what will be done"), ("owner", "who is responsible")):
            if not (action.get(name) or "").strip():
                raise DomainError(f"Standard {finding.standard.number}: say {words}.", field=f"actions.{index}.{name}")
        if action.get("due_on") is None:
            raise DomainError(f"Standard {finding.standard.number}: give a due date.", field=f"actions.{index}.due_on")
        if action["due_on"] < today:
            raise DomainError(
                f"Standard {finding.standard.number}: the due date is in the past.", field=f"actions.{index}.due_on"
            )
    answered = {action["finding"].pk for action in actions}
    missing = [issues[pk] for pk in issues if pk not in answered]
    if missing:
        numbers = ", ".join(
            str(finding.standard.number) for finding in sorted(missing, key=lambda f: f.standard.number)
        )
        raise DomainError(f"Every issue needs at least one action: none for standard {numbers}.", field="actions")
    plan = ActionPlan.objects.create(audit=locked, submitted_by=by, submitted_at=now)
    for action in actions:
        Action.objects.create(
            plan=plan,
            finding=action["finding"],
            description=action["description"].strip(),
            owner=action["owner"].strip(),
            due_on=action["due_on"],
        )
    risk_changed_send("quality")
    return plan


@transaction.atomic
def action_progress_update(*, action: Action, progress: str, note: str = "", by: User) -> Action:
    locked = Action.objects.select_for_update().select_related("plan__audit__location").get(pk=action.pk)
    _provider_may(by, locked.plan.audit)
    if progress not in ActionProgress.values:
        raise DomainError(f"{progress!r} is not a progress.", field="progress")
    locked.progress = progress
    locked.progress_note = (note or "").strip()
    locked.save(update_fields=["progress", "progress_note", "updated_at"])
    risk_changed_send("quality")
    return locked


# --- intelligence ------------------------------------------------------------------------------------------

# A case reference, as the council's case systems give them (CMP-2026-0012): letters, digits and hyphens with at
# least one digit, never ten digits in a row (an NHS number's shape) nor a word of five letters (a name's).
CASE_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")


def _case_reference(reference: str) -> str:
    value = (reference or "").strip().upper()
    if not value:
        return ""
    if (
        not CASE_REFERENCE.match(value)
        or not any(ch.isdigit() for ch in value)
        or re.search(r"\d{10}", value.replace("-", ""))
        or re.search(r"[A-Z]{5,}", value)
    ):
        raise DomainError(
            "Give the council's case reference only, such as CMP-2026-0012: letters, digits and hyphens, never "
            "a name or an NHS number.",
            field="reference",
        )
    return value


@transaction.atomic
def intelligence_record(
    *,
    location: Location,
    received_on: date,
    category: str,
    severity: str,
    summary: str,
    by: User,
    reference: str = "",
) -> Intelligence:
    if received_on > timezone.localdate():
        raise DomainError("The day received cannot be in the future.", field="received_on")
    if category not in IntelligenceCategory.values:
        raise DomainError(f"{category!r} is not a category.", field="category")
    if severity not in IntelligenceSeverity.values:
        raise DomainError(f"{severity!r} is not a severity.", field="severity")
    summary = (summary or "").strip()
    if not summary:
        raise DomainError("Say what was reported.", field="summary")
    entry = Intelligence.objects.create(
        location=location,
        received_on=received_on,
        category=category,
        severity=severity,
        summary=summary,
        reference=_case_reference(reference),
        recorded_by=by,
    )
    risk_changed_send("quality")
    return entry
