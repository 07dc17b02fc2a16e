"""Rule rows: created from the defaults in code, changed by administrators."""

from datetime import timedelta

from django.db import transaction

from accounts.models import User
from core.errors import DomainError
from tasks.models import Rule, Severity
from tasks.rules import RULES, load


@transaction.atomic
def rules_sync(*, using: str = "default") -> dict[str, list[str]]:
    """Create the row of every rule in code that has none. Existing rows keep what an administrator set; only
    threshold keys the code has and the row lacks are added (a new threshold gets its default)."""
    report: dict[str, list[str]] = {"created": [], "thresholds_added": [], "kept": []}
    rows = {rule.code: rule for rule in Rule.objects.using(using).all()}
    for code, definition in load().items():
        rule = rows.get(code)
        if rule is None:
            Rule.objects.using(using).create(
                code=code,
                name=definition.name,
                description=definition.description,
                severity=definition.severity,
                pending_for=definition.pending_for,
                resolve_after=definition.resolve_after,
                thresholds=dict(definition.thresholds),
            )
            report["created"].append(code)
            continue
        missing = {key: value for key, value in definition.thresholds.items() if key not in (rule.thresholds or {})}
        if missing:
            rule.thresholds = {**(rule.thresholds or {}), **missing}
            rule.save(using=using, update_fields=["thresholds", "updated_at"])
            report["thresholds_added"].append(code)
        else:
            report["kept"].append(code)
    if report["created"]:
        from tasks.services.delivery.subscriptions import default_subscriptions_rules_refresh

        # A new rule reaches the role that owns it: the owners' default subscriptions take it in.
        default_subscriptions_rules_refresh(using=using)
    return report


def thresholds_validate(*, rule: Rule, thresholds: dict) -> dict:
    """The rule's thresholds checked by its own serializer: every key known, every value in range. Raises a
    DomainError naming the first bad threshold."""
    definition = RULES[rule.code]
    unknown = sorted(set(thresholds) - set(definition.thresholds))
    if unknown:
        raise DomainError(f"Unknown threshold {unknown[0]!r} for rule {rule.code}.", field="thresholds")
    merged = {**definition.thresholds_of(rule), **thresholds}
    if definition.thresholds_serializer is None:
        return merged
    serializer = definition.thresholds_serializer(data=merged)
    if not serializer.is_valid():
        name, problems = next(iter(serializer.errors.items()))
        raise DomainError(f"Threshold {name}: {problems[0]}", field="thresholds")
    return dict(serializer.validated_data)


@transaction.atomic
def rule_update(
    *,
    rule: Rule,
    by: User | None,
    enabled: bool | None = None,
    severity: str | None = None,
    pending_for: timedelta | None = None,
    resolve_after: timedelta | None = None,
    thresholds: dict | None = None,
    name: str | None = None,
    description: str | None = None,
) -> Rule:
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    if severity is not None and severity not in Severity.values:
        raise DomainError(f"Unknown severity {severity!r}.", field="severity")
    for field, value in (("pending_for", pending_for), ("resolve_after", resolve_after)):
        if value is not None and value < timedelta(0):
            raise DomainError("A duration cannot be negative.", field=field)
    if thresholds is not None:
        rule.thresholds = thresholds_validate(rule=rule, thresholds=thresholds)
    for field, value in (
        ("enabled", enabled),
        ("severity", severity),
        ("pending_for", pending_for),
        ("resolve_after", resolve_after),
        ("name", name),
        ("description", description),
    ):
        if value is not None:
            setattr(rule, field, value)
    rule.save()
    return rule
