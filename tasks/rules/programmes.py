"""Rules over micro-enterprise development programmes (market part 2): a programme behind its planned trajectory.

The figures are market's own (market.selectors.programmes.programme_figures): hours a week delivered at each
quarter end from the micro-enterprises' returns, against the hours a week the programme planned for it."""

from datetime import timedelta

from rest_framework import serializers

from accounts.roles import Role
from core import present
from market.selectors.programmes import programme_figures, programmes_list, quarter_dates
from tasks.models import Severity, SubjectKind
from tasks.rules.base import Risk, RuleDefinition, evaluated_on, fingerprint, register, says


class TrajectoryThresholds(serializers.Serializer):
    tolerance_percent = serializers.FloatField(
        min_value=0, max_value=100, help_text="Behind by more than this share of the planned hours a week raises."
    )
    high_percent = serializers.FloatField(min_value=0, max_value=100, help_text="Behind by this much or more: high.")
    stale_after_days = serializers.IntegerField(
        min_value=1,
        max_value=3650,
        help_text="A programme whose latest quarter ended longer ago than this (its plan is over) is left out.",
    )


def _latest_quarter_end(programme, today):
    """The end of the programme's latest planned quarter that has ended by `today`, or None."""
    ends = [quarter_dates(programme.start_date, planned.quarter)[1] for planned in programme.quarters.all()]
    ended = [end for end in ends if end <= today]
    return max(ended) if ended else None


def programme_behind_risks(*, rule, now) -> list[Risk]:
    """Each programme whose hours a week at its latest quarter end are below the planned trajectory by more than
    the tolerance. The programmes with their areas, years and quarters (four queries), then market's figures of
    each current programme (three queries each, whatever the number of micro-enterprises and quarters: a council
    runs a programme or two, so programmes are counted in ones)."""
    thresholds = RULES_BY_CODE["programme_behind"].thresholds_of(rule)
    today = evaluated_on(now)
    risks = []
    for programme in programmes_list():
        measured_on = _latest_quarter_end(programme, today)
        if measured_on is None or measured_on < today - timedelta(days=thresholds["stale_after_days"]):
            continue
        figures = programme_figures(programme=programme, on=today)
        row = next(row for row in figures["quarters"] if row["end"] == measured_on)
        planned, actual = row["planned_hours_per_week"], row["hours_per_week"]
        if not planned:
            continue
        shortfall = planned - actual
        behind_percent = float(round(100 * shortfall / planned, 1))
        if behind_percent <= thresholds["tolerance_percent"]:
            continue
        areas = sorted(programme.areas.all(), key=lambda area: area.pk)
        risks.append(
            Risk(
                fingerprint=fingerprint("programme_behind", SubjectKind.PROGRAMME, programme.pk),
                subject_kind=SubjectKind.PROGRAMME,
                subject_id=programme.pk,
                locality_id=areas[0].pk if areas else None,
                title=f"{programme.name}: {actual:g} hours a week at the end of quarter {row['quarter']}, "
                f"{behind_percent:g}% behind the {planned:g} planned",
                evidence={
                    "programme": programme.name,
                    "areas": [area.code for area in areas],
                    "quarter": row["quarter"],
                    "quarter_end": measured_on.isoformat(),
                    "planned_hours_per_week": float(planned),
                    "hours_per_week": float(actual),
                    "shortfall_hours_per_week": float(shortfall),
                    "behind_percent": behind_percent,
                    "tolerance_percent": thresholds["tolerance_percent"],
                    "trading": row["trading"],
                    "cost_avoidance": str(row["cost_avoidance"]),
                    "forecast_cost_avoidance": str(row["forecast_cost_avoidance"]),
                    "cumulative_cash_flow": str(row["cumulative_cash_flow"]),
                    "forecast_cumulative_cash_flow": str(row["forecast_cumulative_cash_flow"]),
                    "break_even_quarter": figures["break_even_quarter"],
                    "forecast_break_even_quarter": figures["forecast_break_even_quarter"],
                },
                severity=Severity.HIGH if behind_percent >= thresholds["high_percent"] else None,
            )
        )
    return risks


# --- the evidence in words ---------------------------------------------------------------------------------------


@says("programme_behind")
def programme_behind_words(evidence: dict, alert) -> str:
    return (
        f"{evidence.get('programme')} reached {present.number(evidence.get('hours_per_week'), places=-1)} hours a "
        f"week at the end of quarter {evidence.get('quarter')} ({present.day(evidence.get('quarter_end'))}), "
        f"{present.percent(evidence.get('behind_percent'), places=-1)} behind the "
        f"{present.number(evidence.get('planned_hours_per_week'), places=-1)} planned (more than "
        f"{present.percent(evidence.get('tolerance_percent'), places=-1)} behind raises an alert)."
    )


RULES_BY_CODE = {
    definition.code: register(definition)
    for definition in [
        RuleDefinition(
            code="programme_behind",
            name="Micro-enterprise programme behind its trajectory",
            owning_role=Role.COMMISSIONER,
            description="A micro-enterprise development programme's hours a week at its latest quarter end are "
            "below the planned trajectory by more than the tolerance (high when far behind).",
            evaluate=programme_behind_risks,
            severity=Severity.WARNING,
            thresholds={"tolerance_percent": 10, "high_percent": 50, "stale_after_days": 365},
            thresholds_serializer=TrajectoryThresholds,
            triggers=frozenset({"micro_enterprise"}),
        ),
    ]
}
