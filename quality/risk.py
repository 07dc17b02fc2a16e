"""What the schedule of visits reads from apps above quality, without importing them: each registers a signal
from its AppConfig.ready(), as map layers take properties through geo.layers.

    from quality.risk import risk_signal_register

    risk_signal_register(
        "people_placed", values=people_placed_at, points=lambda n: min(15, n), describe=lambda n: f"{n} people placed"
    )

`values(location_ids=, on=)` answers {location id: a whole number} for every location at once (one query).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RiskSignal:
    name: str
    values: Callable[..., dict[int, int]]
    points: Callable[[int], int]
    describe: Callable[[int], str]


_signals: dict[str, RiskSignal] = {}


def risk_signal_register(name: str, *, values, points, describe) -> None:
    """Registers (or, with the same name, replaces) one signal."""
    _signals[name] = RiskSignal(name=name, values=values, points=points, describe=describe)


def risk_signals() -> list[RiskSignal]:
    return list(_signals.values())
