"""Loads the demo data of every app, in dependency order. Idempotent: run it as often as you like."""

from accounts.demo import demo_users_load


def demo_load(*, stdout=None) -> dict[str, int]:
    counts: dict[str, int] = {}
    users = demo_users_load()
    counts["users"] = len(users)
    return counts
