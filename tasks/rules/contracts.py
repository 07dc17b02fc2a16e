"""Rules over the contracts register: void levels, contract end and break clause dates, break dates passed
without a recorded decision, stale vacancy reports."""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import DateField, Exists, Max, OuterRef, Q, Subquery
from rest_framework import serializers

from accounts.roles import Role
from contracts.models import BedLine, Contract, VacancyReport, live_contract
from contracts.selectors.voids import active_on, void_report
from core import present
from core.days import months_after
from providers.models import Location
from tasks.models import Severity, SubjectKind
from tasks.rules.base import (
    Risk,
    RuleDefinition,
    contract_name,
    evaluated_on,
    fingerprint,
    home_name,
    location_risk,
    plural,
    register,
    says,
)

VOID_GROUPINGS = {"line": SubjectKind.BED_LINE, "location": SubjectKind.LOCATION, "contract": SubjectKind.CONTRACT}


class VoidThresholds(serializers.Serializer):
    level = serializers.FloatField(min_value=0, max_value=1, help_text="Void bed-days / contracted bed-days.")
    days = serializers.IntegerField(min_value=1, max_value=366, help_text="Over the last this many days.")
    per = serializers.ListField(child=serializers.ChoiceField(choices=list(VOID_GROUPINGS)), allow_empty=False)
    high_level = serializers.FloatField(min_value=0, max_value=1, help_text="At or above: severity high.")


def void_levels(*, rule, now) -> list[Risk]:
    """Void level over the last N days above the threshold, per bed line, home or contract, with the void cost.
    One statement per grouping (contracts' void report) and one to name the subjects."""
    thresholds = RULES_BY_CODE["void_level"].thresholds_of(rule)
    end = evaluated_on(now)
    start = end - timedelta(days=thresholds["days"] - 1)
    lines = BedLine.objects.filter(live_contract("contract__"))
    risks = []
    for group_by in thresholds["per"]:
        kind = VOID_GROUPINGS[group_by]
        over = [
            figures
            for figures in void_report(start=start, end=end, group_by=group_by, bed_lines=lines)
            if figures.void_level is not None and figures.void_level > thresholds["level"]
        ]
        if not over:
            continue
        subjects = _void_subjects(group_by, [figures.key for figures in over])
        for figures in over:
            subject = subjects.get(figures.key)
            if subject is None:
                continue
            risks.append(
                Risk(
                    fingerprint=fingerprint("void_level", kind, figures.key),
                    subject_kind=kind,
                    subject_id=figures.key,
                    title=f"{figures.label}: {figures.void_level:.0%} void over {thresholds['days']} days "
                    f"(£{figures.void_cost:,} void cost)",
                    evidence={
                        "from": start.isoformat(),
                        "to": end.isoformat(),
                        "void_level": figures.void_level,
                        "void_bed_days": figures.void_bed_days,
                        "contracted_bed_days": figures.contracted_bed_days,
                        "void_cost": str(figures.void_cost),
                        "bed_lines": figures.lines,
                        "threshold": thresholds["level"],
                    },
                    severity=Severity.HIGH if figures.void_level >= thresholds["high_level"] else None,
                    **subject,
                )
            )
    return risks


def _void_subjects(group_by: str, keys: list[int]) -> dict[int, dict]:
    if group_by == "line":
        rows = BedLine.objects.filter(pk__in=keys).values(
            "id", "contract_id", "location_id", "location__provider_id", "location__district_id"
        )
        return {
            row["id"]: {
                "bed_line_id": row["id"],
                "contract_id": row["contract_id"],
                "location_id": row["location_id"],
                "provider_id": row["location__provider_id"],
                "locality_id": row["location__district_id"],
            }
            for row in rows
        }
    if group_by == "location":
        rows = Location.objects.filter(pk__in=keys).values("id", "provider_id", "district_id")
        return {
            row["id"]: {"location_id": row["id"], "provider_id": row["provider_id"], "locality_id": row["district_id"]}
            for row in rows
        }
    rows = Contract.objects.filter(pk__in=keys).values("id", "provider_id")
    return {row["id"]: {"contract_id": row["id"], "provider_id": row["provider_id"]} for row in rows}


class EndThresholds(serializers.Serializer):
    margin_days = serializers.IntegerField(min_value=0, max_value=730, help_text="Warn this long before notice.")


def contract_dates(*, rule, now) -> list[Risk]:
    """A live contract's end date or break clause date is within its notice period plus a margin: the decision
    to renew, re-procure or break is due. High once the last day to give notice has passed. One query."""
    margin = timedelta(days=RULES_BY_CODE["contract_end_near"].thresholds_of(rule)["margin_days"])
    today = evaluated_on(now)
    rows = (
        Contract.objects.filter(live_contract())
        .filter(Q(end_date__gte=today) | Q(break_clause_date__gte=today))
        .values("id", "reference", "provider_id", "end_date", "break_clause_date", "notice_period_months")
    )
    risks = []
    for row in rows:
        for which, day in (("break_clause", row["break_clause_date"]), ("end", row["end_date"])):
            if day is None or day < today:
                continue
            notice_by = _months_before(day, row["notice_period_months"])
            if today < notice_by - margin:
                continue
            label = "break clause" if which == "break_clause" else "end"
            risks.append(
                Risk(
                    fingerprint=fingerprint("contract_end_near", SubjectKind.CONTRACT, row["id"], which, day),
                    subject_kind=SubjectKind.CONTRACT,
                    subject_id=row["id"],
                    contract_id=row["id"],
                    provider_id=row["provider_id"],
                    title=f"{row['reference']}: {label} on {day:%-d %B %Y}, notice by {notice_by:%-d %B %Y}",
                    evidence={
                        "date_kind": which,
                        "date": day.isoformat(),
                        "notice_period_months": row["notice_period_months"],
                        "notice_by": notice_by.isoformat(),
                        "days_to_notice": (notice_by - today).days,
                    },
                    severity=Severity.HIGH if today > notice_by else None,
                )
            )
            break  # the earlier date is the one to act on
    return risks


def breaks_undecided(*, rule, now) -> list[Risk]:
    """A live contract whose break clause date has passed with no decision recorded on whether the break was
    exercised (contracts.services.contract_break_decide resolves it). One query."""
    today = evaluated_on(now)
    rows = (
        Contract.objects.filter(live_contract(), break_clause_date__lt=today, break_decision="")
        .order_by("break_clause_date", "pk")
        .values("id", "reference", "provider_id", "break_clause_date")
    )
    return [
        Risk(
            fingerprint=fingerprint(
                "contract_break_undecided", SubjectKind.CONTRACT, row["id"], row["break_clause_date"]
            ),
            subject_kind=SubjectKind.CONTRACT,
            subject_id=row["id"],
            contract_id=row["id"],
            provider_id=row["provider_id"],
            title=f"{row['reference']}: break date {row['break_clause_date']:%-d %B %Y} passed, no decision recorded",
            evidence={
                "break_clause_date": row["break_clause_date"].isoformat(),
                "days_since": (today - row["break_clause_date"]).days,
            },
        )
        for row in rows
    ]


def _months_before(day: date, months: int) -> date:
    return months_after(day, -months)


class StaleThresholds(serializers.Serializer):
    stale_days = serializers.IntegerField(min_value=1, max_value=365)


def stale_vacancy_reports(*, rule, now) -> list[Risk]:
    """Homes with live block beds whose last vacancy report is older than N days (or that never reported):
    the bed finder can no longer trust their vacancies. One query."""
    stale_days = RULES_BY_CODE["vacancy_reports_stale"].thresholds_of(rule)["stale_days"]
    today = evaluated_on(now)
    last = (
        VacancyReport.objects.filter(location=OuterRef("pk"))
        .order_by()
        .values("location")
        .annotate(last=Max("report_date"))
        .values("last")
    )
    live = BedLine.objects.filter(active_on(today, start="activation_date"), location=OuterRef("pk")).filter(
        live_contract("contract__")
    )
    rows = (
        Location.objects.filter(Exists(live))
        .annotate(last_report=Subquery(last, output_field=DateField()))
        .filter(Q(last_report__isnull=True) | Q(last_report__lt=today - timedelta(days=stale_days)))
        .values("id", "name", "provider_id", "district_id", "last_report")
    )
    return [
        location_risk(
            "vacancy_reports_stale",
            row,
            title=f"{row['name']}: no vacancy report "
            + (f"since {row['last_report']:%-d %B %Y}" if row["last_report"] else "ever"),
            evidence={
                "last_report": row["last_report"].isoformat() if row["last_report"] else None,
                "stale_days": stale_days,
            },
        )
        for row in rows
    ]


# --- the evidence in words ---------------------------------------------------------------------------------------


def _void_subject(alert) -> str:
    if alert.subject_kind == SubjectKind.BED_LINE:
        line = getattr(alert, "bed_line", None)
        what = f"{line.get_care_type_display().lower()} block beds" if line is not None else "A block bed line"
        where = f" at {alert.location.name}" if getattr(alert, "location", None) is not None else ""
        return f"{what[:1].upper()}{what[1:]}{where}"
    if alert.subject_kind == SubjectKind.CONTRACT:
        return contract_name(alert)
    return home_name(alert)


@says("void_level")
def void_level_words(evidence: dict, alert) -> str:
    void_days, contracted = evidence.get("void_bed_days", 0), evidence.get("contracted_bed_days", 0)
    return (
        f"{_void_subject(alert)} had {present.number(void_days)} of {plural(contracted, 'contracted bed-day')} void "
        f"from {present.period(*(date.fromisoformat(evidence[key]) for key in ('from', 'to')))} "
        f"({present.percent(evidence.get('void_level'), fraction=True, places=0)}; the limit is "
        f"{present.percent(evidence.get('threshold'), fraction=True, places=0)}), costing the council "
        f"{present.money(evidence.get('void_cost'))}."
    )


def _days_away(days: int) -> str:
    if days == 0:
        return "today"
    return f"in {plural(days, 'day')}" if days > 0 else f"{plural(-days, 'day')} ago"


@says("contract_end_near")
def contract_end_near_words(evidence: dict, alert) -> str:
    which = "break clause date" if evidence.get("date_kind") == "break_clause" else "end date"
    months = plural(evidence.get("notice_period_months", 0), "month")
    days = evidence.get("days_to_notice", 0)
    must = "had to be given" if days < 0 else "must be given"
    return (
        f"{contract_name(alert)}'s {which} is {present.day(evidence.get('date'))}; with {months}' notice, notice "
        f"{must} by {present.day(evidence.get('notice_by'))} ({_days_away(days)} when last checked)."
    )


@says("contract_break_undecided")
def contract_break_undecided_words(evidence: dict, alert) -> str:
    return (
        f"{contract_name(alert)}'s break clause date, {present.day(evidence.get('break_clause_date'))}, passed "
        f"{plural(evidence.get('days_since', 0), 'day')} ago and nobody has recorded whether the break was exercised."
    )


@says("vacancy_reports_stale")
def vacancy_reports_stale_words(evidence: dict, alert) -> str:
    last = evidence.get("last_report")
    since = f"has not reported its vacancies since {present.day(last)}" if last else "has never reported its vacancies"
    return (
        f"{home_name(alert)} has live block beds but {since} (reports are due at least every "
        f"{plural(evidence.get('stale_days', 0), 'day')}), so the bed finder cannot trust its free beds."
    )


RULES_BY_CODE = {
    definition.code: register(definition)
    for definition in [
        RuleDefinition(
            code="void_level",
            name="Block beds void",
            owning_role=Role.COMMISSIONER,
            description="The void level (void bed-days / contracted bed-days) over the last N days is above "
            "the threshold, per bed line, home or contract; the void cost is in the evidence.",
            evaluate=void_levels,
            severity=Severity.WARNING,
            pending_for=timedelta(days=0),
            resolve_after=timedelta(days=3),
            thresholds={"level": 0.1, "days": 28, "per": ["location"], "high_level": 0.5},
            thresholds_serializer=VoidThresholds,
            triggers=frozenset({"placement", "closure", "contract"}),
        ),
        RuleDefinition(
            code="contract_end_near",
            name="Contract end or break clause near",
            owning_role=Role.CONTRACT_OFFICER,
            description="A live contract's end or break clause date is within its notice period plus a margin.",
            evaluate=contract_dates,
            severity=Severity.WARNING,
            thresholds={"margin_days": 90},
            thresholds_serializer=EndThresholds,
            triggers=frozenset({"contract"}),
        ),
        RuleDefinition(
            code="contract_break_undecided",
            name="Break date passed without a decision",
            owning_role=Role.CONTRACT_OFFICER,
            description="A live contract's break clause date has passed and nobody recorded whether the break "
            "was exercised.",
            evaluate=breaks_undecided,
            severity=Severity.WARNING,
            triggers=frozenset({"contract"}),
        ),
        RuleDefinition(
            code="vacancy_reports_stale",
            name="Vacancy reports stale",
            owning_role=Role.CONTRACT_OFFICER,
            description="A home with live block beds has not reported its vacancies for N days.",
            evaluate=stale_vacancy_reports,
            severity=Severity.INFO,
            pending_for=timedelta(hours=1),
            thresholds={"stale_days": settings.VACANCY_REPORT_STALE_DAYS},
            thresholds_serializer=StaleThresholds,
            triggers=frozenset({"vacancy_report"}),
        ),
    ]
}
