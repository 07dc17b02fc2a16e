"""Loads the demo data of every app, in dependency order. Idempotent: run it as often as you like.

Each app keeps its own demo in `<app>/demo.py` with a `demo_load() -> dict[str, int]` of counts."""

from accounts.demo import demo_users_load


def demo_load(*, stdout=None) -> dict[str, int]:
    counts: dict[str, int] = {"users": len(demo_users_load())}
    # Apps join here as their demo data arrives: geo, then providers, then contracts, then market.
    return counts
