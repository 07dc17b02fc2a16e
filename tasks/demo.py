"""Loads the demo data of every app, in dependency order. Idempotent: run it as often as you like.

Each app keeps its own demo in `<app>/demo.py` with a `demo_load() -> dict[str, int]` of counts."""

from accounts.demo import demo_users_load
from contracts.demo import demo_load as contracts_demo_load
from contracts.demo import free_beds_demo_load
from geo.demo import demo_load as geo_demo_load
from market.demo import demo_load as market_demo_load
from market.demo_mobilisation import demo_load as mobilisation_demo_load
from providers.demo import demo_load as providers_demo_load
from quality.demo import demo_load as quality_demo_load
from tasks.demo_delivery import demo_load as delivery_demo_load


def alerts_demo_load() -> dict[str, int]:
    """The rule rows, then a first sweep, so the demo's own risks are alerts in the inbox when it opens."""
    from tasks.models import Alert
    from tasks.services.engine import sweep
    from tasks.services.rules import rules_sync

    rules_sync()
    sweep(trigger="manual")
    return {"open_alerts": Alert.objects.exclude(status="resolved").count()}


# Order matters: providers place their homes inside the geo demo's wards; contracts buy beds in those homes;
# the market's lots lie over the geo demo's lot areas and are awarded to the providers demo's providers.
STEPS = [
    ("geography", geo_demo_load),
    ("providers", providers_demo_load),
    ("contracts", contracts_demo_load),
    ("market", market_demo_load),  # the lots' call-off contracts and awards point at providers and contracts
    ("mobilisation and contingency", mobilisation_demo_load),  # plans for the market's awards; homecare people
    ("quality audits", quality_demo_load),  # the council's audits and intelligence about the providers demo's homes
    ("free-bed state", free_beds_demo_load),  # after every step that bought beds or placed people
    # Before the first sweep: the subscriptions must exist when the demo's alerts are fanned out.
    ("alert subscriptions", delivery_demo_load),
    ("alerts", alerts_demo_load),  # last: the rules read everything above
]


def demo_load(*, stdout=None) -> dict[str, int]:
    counts: dict[str, int] = {"users": len(demo_users_load())}
    for name, step in STEPS:
        if stdout is not None:
            stdout.write(f"Loading demo {name} ...")
        counts.update(step())
    return counts
