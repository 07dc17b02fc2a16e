"""Default subscriptions for the people who already hold roles.

Until now a person's defaults were made the first time they opened their inbox or subscriptions through the API,
so a compliance officer who used only the pages had none and heard of nothing. From now on they are made when a
role is given (tasks.services.delivery.subscriptions.subscriptions_follow_roles); this makes them for everyone
who holds a role today. What the sets and the rules' owners were at this release is written out here, as a
migration must not follow later code.

People whose defaults were made before (a SubscriptionDefaults row) keep their choices: a set they deleted is not
made again, except the sets new in this release (each rule's owning role hearing every severity of it); an
unchanged default of theirs is brought up to date.
"""

from django.db import migrations

COMPLIANCE, COMMISSIONER, CONTRACTS, BROKER, PROVIDER = (
    "compliance_officer",
    "commissioner",
    "contract_officer",
    "broker",
    "provider_user",
)
OWNERS = {
    "rating_downgrade": COMPLIANCE,
    "home_in_use_at_risk": COMPLIANCE,
    "provider_deregistered": COMPLIANCE,
    "cqc_sync_failing": COMPLIANCE,
    "void_level": COMMISSIONER,
    "capacity_gap": COMMISSIONER,
    "long_waits": COMMISSIONER,
    "block_beds_over_limit": COMMISSIONER,
    "market_concentration": COMMISSIONER,
    "programme_behind": COMMISSIONER,
    "contract_end_near": CONTRACTS,
    "vacancy_reports_stale": CONTRACTS,
    "milestone_red": CONTRACTS,
    "recruitment_behind": CONTRACTS,
    "gateway_not_passed": CONTRACTS,
    "lot_unserved": CONTRACTS,
    "transfers_behind": CONTRACTS,
}
# (role, name, severities, rules: "owned" / a prefix tuple / None for all, e-mail too, new in this release)
SETS = [
    (COMPLIANCE, "Quality and registration", [], "owned", False, True),
    (COMPLIANCE, "High and critical alerts", ["high", "critical"], None, True, False),
    (COMMISSIONER, "Capacity and market", [], "owned", False, True),
    (CONTRACTS, "Contracts, mobilisation and contingency", [], "owned", False, True),
    (BROKER, "Void beds", [], ("void",), False, False),
    (PROVIDER, "Your providers", [], None, False, False),
]


def make_defaults(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Rule = apps.get_model("tasks", "Rule")
    Channel = apps.get_model("tasks", "Channel")
    Subscription = apps.get_model("tasks", "Subscription")
    SubscriptionDefaults = apps.get_model("tasks", "SubscriptionDefaults")
    rules = {rule.code: rule for rule in Rule.objects.all()}
    had_defaults = set(SubscriptionDefaults.objects.values_list("user_id", flat=True))
    for user in User.objects.filter(is_active=True).prefetch_related("groups"):
        roles = {group.name for group in user.groups.all()}
        if roles & {COMPLIANCE, COMMISSIONER, CONTRACTS, BROKER}:
            roles.discard(PROVIDER)  # a council officer who is also a provider's member hears as an officer
        sets = [entry for entry in SETS if entry[0] in roles]
        if not sets:
            continue
        have = {subscription.name: subscription for subscription in Subscription.objects.filter(user=user, is_default=True)}
        inbox = None
        for role, name, severities, chosen, email, new in sets:
            if chosen == "owned":
                picked = [rules[code] for code, owner in sorted(OWNERS.items()) if owner == role and code in rules]
            elif chosen:
                picked = [rule for code, rule in sorted(rules.items()) if code.startswith(chosen)]
            else:
                picked = []
            if chosen and not picked:
                continue
            if name in have:
                have[name].severities = severities
                have[name].save(update_fields=["severities"])
                have[name].rules.set(picked)
                continue
            if user.pk in had_defaults and not new:
                continue  # they had it and deleted it
            if inbox is None:
                inbox, _ = Channel.objects.get_or_create(user=user, kind="in_app", defaults={"name": "Inbox"})
            channels = [inbox]
            if email and user.email:
                mail = Channel.objects.filter(user=user, kind="email", email="").first()
                channels.append(mail or Channel.objects.create(user=user, kind="email", name="E-mail"))
            subscription = Subscription.objects.create(user=user, name=name, severities=severities, is_default=True)
            subscription.rules.set(picked)
            subscription.channels.set(channels)
        SubscriptionDefaults.objects.get_or_create(user=user)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0008_alert_indexes_where_set"), ("accounts", "0002_role_groups")]

    operations = [migrations.RunPython(make_defaults, migrations.RunPython.noop)]
