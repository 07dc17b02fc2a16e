"""Page slots: a page of one app leaves a named slot that a higher app fills, so that neither imports the other
the wrong way (`contracts` must not import `tasks`). The higher app registers, from its AppConfig.ready():

    from core.slots import slot_fill

    slot_fill("contracts.home_alerts", key="tasks", template="tasks/home_alerts.html", context=home_alerts)

and the page's view passes `slot_contents("contracts.home_alerts", request=request, home=home)` to its template,
which includes each filler's template with its context (`{% include item.template with slot=item.context %}`).
`context(request=..., **subject)` returns the filler's context, or None to show nothing on this page.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SlotFiller:
    template: str
    context: Callable[..., dict | None]


_slots: dict[str, dict[str, SlotFiller]] = {}


def slot_fill(slot: str, *, key: str, template: str, context: Callable[..., dict | None]) -> None:
    """Registers (or, with the same key, replaces) what `key` shows in `slot`."""
    _slots.setdefault(slot, {})[key] = SlotFiller(template=template, context=context)


def slot_unfill(slot: str, *, key: str) -> None:
    _slots.get(slot, {}).pop(key, None)


def slot_contents(slot: str, *, request, **subject) -> list[dict]:
    """What fills `slot` on this page, in the order the fillers registered: [{"template", "context"}, ...]."""
    contents = []
    for filler in _slots.get(slot, {}).values():
        context = filler.context(request=request, **subject)
        if context is not None:
            contents.append({"template": filler.template, "context": context})
    return contents
