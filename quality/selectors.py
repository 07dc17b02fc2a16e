"""Every read of the quality audits: the framework, the rating of a set of findings (one function), audits as each
user may see them, the comment window, the council's intelligence and the schedule of visits by risk."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import User
from accounts.selectors import provider_scope
from providers.models import Location, RatingValue
from quality.models import (
    NEEDS_ACTION_PLAN,
    Action,
    ActionProgress,
    Audit,
    AuditStatus,
    Finding,
    Framework,
    Intelligence,
    IntelligenceSeverity,
    QualityRating,
    Standard,
)

# --- the framework -----------------------------------------------------------------------------------------


def framework_current() -> Framework | None:
    return Framework.objects.filter(current=True).first()


def standards_of(*, framework: Framework) -> QuerySet[Standard]:
    return Standard.objects.filter(framework=framework).select_related("domain").order_by("number")


def framework_in_use(*, framework: Framework) -> bool:
    return Audit.objects.filter(framework=framework).exists()


# --- the rating --------------------------------------------------------------------------------------------

# The weighted mean score (4 Excellent ... 1 Poor) from which each rating starts, best first.
RATING_BANDS = (
    (Decimal("3.50"), QualityRating.EXCELLENT),
    (Decimal("2.50"), QualityRating.GOOD),
    (Decimal("1.50"), QualityRating.REQUIRES_IMPROVEMENT),
    (Decimal("0"), QualityRating.POOR),
)


@dataclass(frozen=True)
class RatingResult:
    rating: str  # a QualityRating, or "" when no standard was assessed
    weighted_score: Decimal | None
    assessed: int
    not_assessed: int


def rating_of(scored: Iterable[tuple[Decimal, int | None]]) -> RatingResult:
    """The overall rating from (weight, score) pairs, score 4 (Excellent) to 1 (Poor) or None (not assessed).

    The weighted mean of the assessed standards' scores, Σ weight × score / Σ weight, rounded half up to two
    places, falls in a band: 3.50 and over Excellent, 2.50 Good, 1.50 Requires improvement, below that Poor.
    A standard not assessed counts in neither sum: it neither helps nor harms the rating. The one function
    for the rating: the services store what it says, and the pages and API show what was stored."""
    total_weight = Decimal(0)
    total = Decimal(0)
    assessed = not_assessed = 0
    for weight, score in scored:
        if score is None:
            not_assessed += 1
            continue
        assessed += 1
        total_weight += Decimal(weight)
        total += Decimal(weight) * score
    if not total_weight:
        return RatingResult(rating="", weighted_score=None, assessed=0, not_assessed=not_assessed)
    mean = (total / total_weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    rating = next(rating for floor, rating in RATING_BANDS if mean >= floor)
    return RatingResult(rating=rating, weighted_score=mean, assessed=assessed, not_assessed=not_assessed)


def audit_rating(*, audit: Audit) -> RatingResult:
    """The rating of an audit's findings under its own framework's weights; a standard with no finding is not
    assessed."""
    scores = dict(Finding.objects.filter(audit=audit).values_list("standard_id", "score"))
    weights = Standard.objects.filter(framework_id=audit.framework_id).values_list("pk", "weight")
    return rating_of((weight, scores.get(pk)) for pk, weight in weights)


# --- the comment window ------------------------------------------------------------------------------------


def comment_window_close(*, shared_at: datetime) -> datetime:
    """When the provider's window to comment on a shared draft closes: the end of its last day in the council's
    time zone. Shared on 1 March, the 14 days are 2 to 15 March and the window closes at midnight at the end of
    15 March, London time (GMT or BST, whichever is in force then)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    shared_day = shared_at.astimezone(zone).date()
    last_day = shared_day + timedelta(days=settings.QUALITY_COMMENT_DAYS)
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone)


def comment_window_open(*, audit: Audit, now: datetime) -> bool:
    return audit.status == AuditStatus.SHARED and audit.comments_close_at is not None and now < audit.comments_close_at


def comments_last_day(*, audit: Audit) -> date | None:
    """The last day the provider may comment, for the pages."""
    if audit.comments_close_at is None:
        return None
    return audit.comments_close_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date() - timedelta(days=1)


# --- audits ------------------------------------------------------------------------------------------------

# A provider sees an audit once the council has shared its draft.
PROVIDER_VISIBLE = (AuditStatus.SHARED, AuditStatus.UNDER_REVIEW, AuditStatus.PUBLISHED)


def audits_list(*, user: User) -> QuerySet[Audit]:
    """Audits a user may see: council staff all; a provider user those of their own locations from sharing on."""
    audits = Audit.objects.select_related("location", "location__provider", "officer", "framework")
    if user.is_authenticated and user.is_provider_user:
        audits = audits.filter(status__in=PROVIDER_VISIBLE)
    return provider_scope(audits, user, provider_field="location__provider")


def audit_detail_queryset(*, user: User) -> QuerySet[Audit]:
    return audits_list(user=user).prefetch_related(
        Prefetch("findings", queryset=Finding.objects.select_related("standard", "standard__domain")),
        Prefetch("comments", queryset=_comments()),
        Prefetch("action_plan__actions", queryset=Action.objects.select_related("finding__standard")),
    )


def _comments():
    from quality.models import ProviderComment

    return ProviderComment.objects.select_related("created_by", "finding__standard")


def audit_issues(*, audit: Audit) -> list[Finding]:
    """The findings the action plan must answer: those scored Requires improvement or Poor."""
    return [finding for finding in audit.findings.all() if finding.is_issue]


@dataclass(frozen=True)
class PlanProgress:
    submitted: bool
    actions: int
    done: int
    overdue: int


def action_plan_progress(*, audit: Audit, on: date) -> PlanProgress:
    plan = getattr(audit, "action_plan", None) if hasattr(audit, "action_plan") else None
    if plan is None:
        return PlanProgress(submitted=False, actions=0, done=0, overdue=0)
    actions = list(plan.actions.all())
    return PlanProgress(
        submitted=True,
        actions=len(actions),
        done=sum(1 for action in actions if action.progress == ActionProgress.DONE),
        overdue=sum(1 for action in actions if action.progress != ActionProgress.DONE and action.due_on < on),
    )


def published_ratings(*, user: User) -> QuerySet[Audit]:
    """Published audits with their rating, newest first: the partners' export."""
    return audits_list(user=user).filter(status=AuditStatus.PUBLISHED).order_by("-published_on", "-id")


def latest_ratings(*, location_ids: Iterable[int]) -> dict[int, Audit]:
    """Each location's latest published audit (its rating and date), in one query: for the pages that show the
    council's rating beside CQC's."""
    ids = list(location_ids)
    latest: dict[int, Audit] = {}
    rows = (
        Audit.objects.filter(location_id__in=ids, status=AuditStatus.PUBLISHED)
        .order_by("location_id", "-published_on", "-id")
        .only("id", "location_id", "rating", "published_on")
    )
    for audit in rows:
        latest.setdefault(audit.location_id, audit)
    return latest


def next_audit_due(*, rating: str, published_on: date) -> date:
    """When the next audit is due after one published with `rating`: sooner after Requires improvement or Poor."""
    months = settings.QUALITY_REAUDIT_MONTHS if rating in NEEDS_ACTION_PLAN else settings.QUALITY_AUDIT_CYCLE_MONTHS
    return published_on + relativedelta(months=months)


# --- intelligence ------------------------------------------------------------------------------------------


def intelligence_list(*, location: Location | None = None, since: date | None = None) -> QuerySet[Intelligence]:
    entries = Intelligence.objects.select_related("location", "recorded_by")
    if location is not None:
        entries = entries.filter(location=location)
    if since is not None:
        entries = entries.filter(received_on__gte=since)
    return entries


def intelligence_counts(*, since: date, through: date) -> dict[int, dict]:
    """Per location: entries received in [since, through] and how many were high severity. One query."""
    rows = (
        Intelligence.objects.filter(received_on__gte=since, received_on__lte=through)
        .values("location_id")
        .annotate(entries=Count("id"), high=Count("id", filter=Q(severity=IntelligenceSeverity.HIGH)))
    )
    return {row["location_id"]: {"entries": row["entries"], "high": row["high"]} for row in rows}


# --- the schedule of visits by risk ------------------------------------------------------------------------

CONCERN_WINDOW_DAYS = 90
# A position soon enough to be proposed within four weeks, whatever the cycle says.
URGENT_POINTS = 60
URGENT_WITHIN_DAYS = 28
COUNCIL_POINTS = {QualityRating.POOR: 40, QualityRating.REQUIRES_IMPROVEMENT: 25, QualityRating.GOOD: 0}
CQC_POINTS = {RatingValue.INADEQUATE: 40, RatingValue.REQUIRES_IMPROVEMENT: 20}
CQC_OLD_YEARS = 2


@dataclass
class ScheduleEntry:
    location: Location
    points: int = 0
    reasons: list[str] = field(default_factory=list)
    due_on: date | None = None
    last_audit: Audit | None = None
    position: int = 0

    def add(self, points: int, reason: str) -> None:
        self.points += points
        self.reasons.append(reason)


def schedule_locations() -> QuerySet[Location]:
    """The services the council audits: registered care homes and agencies (not deregistered)."""
    return (
        Location.objects.exclude(registration_status="Deregistered")
        .select_related("provider", "current_rating", "district")
        .order_by("pk")
    )


def visit_schedule(*, on: date, locations: QuerySet[Location] | None = None) -> list[ScheduleEntry]:
    """Homes and agencies in the order to audit them next, most at risk first, each with its reasons in words
    and a proposed due date. Points: the last council rating, CQC's rating and its age, the concerns of the last
    90 days, time since the last audit, and what higher apps register in quality.risk (people placed, open
    alerts). A fixed number of queries whatever the number of locations."""
    from quality.risk import risk_signals

    locations = list(locations if locations is not None else schedule_locations())
    ids = [location.pk for location in locations]
    latest = latest_ratings(location_ids=ids)
    planned = dict(
        Audit.objects.filter(location_id__in=ids)
        .exclude(status=AuditStatus.PUBLISHED)
        .order_by("location_id", "planned_for")
        .values_list("location_id", "planned_for")
    )
    concerns = intelligence_counts(since=on - timedelta(days=CONCERN_WINDOW_DAYS), through=on)
    signals = [(signal, signal.values(location_ids=ids, on=on)) for signal in risk_signals()]
    entries = []
    for location in locations:
        entry = ScheduleEntry(location=location)
        audit = latest.get(location.pk)
        entry.last_audit = audit
        if audit is None:
            entry.add(15, "never audited by the council")
            due = on
        else:
            points = COUNCIL_POINTS.get(audit.rating, -5)
            entry.add(points, f"last council rating {audit.rating} ({audit.published_on:%-d %B %Y})")
            due = next_audit_due(rating=audit.rating, published_on=audit.published_on)
            months_over = (on.year - due.year) * 12 + on.month - due.month
            if due < on:
                entry.add(min(30, 5 + 2 * max(months_over, 0)), f"next audit was due {due:%-d %B %Y}")
        rating = location.current_rating
        if rating is None:
            entry.add(10, "no CQC rating")
        else:
            if rating.overall in CQC_POINTS:
                entry.add(CQC_POINTS[rating.overall], f"CQC rating {rating.overall}")
            if rating.report_date and rating.report_date < on - relativedelta(years=CQC_OLD_YEARS):
                years = (on - rating.report_date).days // 365
                entry.add(10, f"CQC rating {years} years old")
        found = concerns.get(location.pk)
        if found:
            entry.add(
                8 * found["entries"] + 7 * found["high"],
                f"{found['entries']} concerns, complaints or reports in the last {CONCERN_WINDOW_DAYS} days"
                + (f", {found['high']} of high severity" if found["high"] else ""),
            )
        for signal, values in signals:
            value = values.get(location.pk)
            if value:
                entry.add(signal.points(value), signal.describe(value))
        if entry.points >= URGENT_POINTS:
            due = min(due, on + timedelta(days=URGENT_WITHIN_DAYS))
        entry.due_on = max(due, on) if location.pk not in planned else planned[location.pk]
        entries.append(entry)
    entries.sort(key=lambda entry: (-entry.points, entry.due_on, entry.location.name))
    for position, entry in enumerate(entries, start=1):
        entry.position = position
    return entries
