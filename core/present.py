"""How the service shows a value to a person: one function for each kind of value, used by the pages (through the
template filters in core.templatetags.present, loaded in every template) and by e-mails and digests alike.

Money is `£63,791,044.92`, a day `7 December 2026`, a period `1 October to 31 December 2026`, a moment
`14 December 2026 at 9am` in the council's time zone, a choice its label, and nothing is `—` or a sentence the
caller gives ("No break clause"): never `None`, never the database's own word. Styles follow the GOV.UK style
guide (dates, times, money, numbers).
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils import timezone
from django.utils.html import format_html

NOTHING = "—"


def _missing(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def otherwise(value, text: str = NOTHING):
    """The value, or `text` when there is none (None or blank). Unlike Django's |default, 0 and False are values."""
    return text if _missing(value) else value


def _decimal(value) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip().replace(",", "").lstrip("£"))
    except (InvalidOperation, ValueError):
        return None


def _grouped(amount: Decimal, places: int) -> str:
    """With thousands separators and `places` decimal places; a negative `places` is at most that many, without
    trailing zeros (3.00 is 3, 2.50 is 2.5)."""
    rounded = amount.quantize(Decimal(1).scaleb(-abs(places)), rounding=ROUND_HALF_UP)
    text = f"{abs(rounded):,.{abs(places)}f}"
    return text.rstrip("0").rstrip(".") if places < 0 and "." in text else text


def money(value, *, pence: bool = True, none: str = NOTHING) -> str:
    """`£985.38`, `£63,791,044.92`; `-£12.50` below nothing; whole pounds (`£640,266`) with pence=False."""
    if _missing(value):
        return none
    amount = _decimal(value)
    if amount is None or not amount.is_finite():
        return str(value)
    text = "£" + _grouped(amount, 2 if pence else 0)
    return ("-" + text) if amount < 0 and text.strip("£0.,") else text


def number(value, *, places: int = 0, none: str = NOTHING) -> str:
    """A count or figure with thousands separators and `places` decimal places: `1,234`, `3.5`."""
    if _missing(value):
        return none
    if isinstance(value, bool):
        return "Yes" if value else "No"
    amount = _decimal(value)
    if amount is None or not amount.is_finite():
        return str(value)
    text = _grouped(amount, places)
    return ("-" + text) if amount < 0 and text.strip("0.,") else text


def percent(value, *, places: int = 1, fraction: bool = False, none: str = NOTHING) -> str:
    """A percentage: `12.5%` from 12.5 (or from 0.125 with fraction=True), `places` decimal places."""
    if _missing(value):
        return none
    amount = _decimal(value)
    if amount is None or not amount.is_finite():
        return str(value)
    if fraction:
        amount *= 100
    return number(amount, places=places) + "%"


def _local_day(value) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def day(value, *, short: bool = False, none: str = NOTHING) -> str:
    """`7 December 2026` (`7 Dec 2026` with short=True, for tables). A datetime is first put in the council's time
    zone; an ISO text (as evidence stores them) is read first."""
    if _missing(value):
        return none
    if isinstance(value, str):
        value = _parsed(value)
        if isinstance(value, str):
            return value
    value = _local_day(value)
    return f"{value.day} {value:%b %Y}" if short else f"{value.day} {value:%B %Y}"


def period(start, end, *, none: str = NOTHING) -> str:
    """`1 October to 31 December 2026`, `1 to 31 December 2026`, `1 October 2026 to 31 March 2027`;
    `from 1 October 2026` with no end, `until 31 March 2027` with no start."""
    if _missing(start) and _missing(end):
        return none
    if _missing(end):
        return f"from {day(start)}"
    if _missing(start):
        return f"until {day(end)}"
    start, end = _local_day(start), _local_day(end)
    if start == end:
        return day(start)
    if start.year != end.year:
        return f"{day(start)} to {day(end)}"
    if start.month != end.month:
        return f"{start.day} {start:%B} to {day(end)}"
    return f"{start.day} to {day(end)}"


def time_of_day(value) -> str:
    """`9am`, `5:30pm`, `midday`, `midnight` (GOV.UK style)."""
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    if value.hour == 12 and value.minute == 0:
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def moment(value, *, short: bool = False, none: str = NOTHING) -> str:
    """A point in time in the council's time zone: `14 December 2026 at 9am` (`14 Dec 2026, 9am` with short=True).
    An ISO text is read first; a plain date is shown as a day."""
    if _missing(value):
        return none
    if isinstance(value, str):
        value = _parsed(value)
        if isinstance(value, str):
            return value
    if not isinstance(value, datetime):
        return day(value, short=short)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{day(local, short=True)}, {time_of_day(local)}" if short else f"{day(local)} at {time_of_day(local)}"


def _parsed(text: str):
    """A date or datetime from ISO text; the text itself when it is not one."""
    text = text.strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        return text


def _project_choices() -> list[type[models.Choices]]:
    """Every Choices class the service's own apps define (found once their modules are imported)."""
    found, queue = [], list(models.Choices.__subclasses__())
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT_APPS and cls.__members__:
            found.append(cls)
    return found


PROJECT_APPS = {"accounts", "geo", "providers", "quality", "contracts", "market", "tasks"}


def choice_labels() -> dict[str, str]:
    """Each text value of the service's own choices and its label, where every class that has the value agrees on
    one label (a value two classes label differently needs its class named: see `label`)."""
    labels: dict[str, set[str]] = {}
    for cls in _project_choices():
        for member in cls:
            if isinstance(member.value, str):
                labels.setdefault(member.value, set()).add(str(member.label))
    return {value: next(iter(names)) for value, names in labels.items() if len(names) == 1}


def label(value, choices: type[models.Choices] | None = None, *, none: str = NOTHING) -> str:
    """A choice's label: `nursing_dementia` is `Nursing dementia`. With `choices`, from that class; without, from
    the service's own choices; a value in none of them is shown as it is, with underscores as spaces."""
    if _missing(value):
        return none
    if choices is not None:
        try:
            return str(choices(value).label)
        except ValueError:
            pass
    found = choice_labels().get(str(value))
    if found is not None:
        return found
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:]


def joined(*parts, sep: str = ", ", none: str = NOTHING) -> str:
    """The parts that are there, joined: an address without its missing lines (`Kingsmoor, CB7 4EE`)."""
    present = [str(part).strip() for part in parts if not _missing(part)]
    return sep.join(present) if present else none


def listed(items, *, none: str = NOTHING) -> str:
    """`a, b and c`: names in a sentence."""
    items = [str(item) for item in items if not _missing(item)]
    if not items:
        return none
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# One colour for each meaning (GOV.UK tag colours): green is well, yellow needs attention, red is a failure.
# The council's own quality ratings (Excellent, Poor) take the colours of their CQC neighbours.
RATING_COLOURS = {
    "Outstanding": "turquoise",
    "Excellent": "turquoise",
    "Good": "green",
    "Requires improvement": "yellow",
    "Inadequate": "red",
    "Poor": "red",
}
RAG_COLOURS = {"green": "green", "amber": "yellow", "red": "red"}


def rating_colour(rating) -> str:
    return RATING_COLOURS.get(str(rating) if rating else "", "grey")


def rag_colour(rag) -> str:
    return RAG_COLOURS.get(str(rag).lower() if rag else "", "grey")


def tag(text: str, colour: str | None = None) -> str:
    """A GOV.UK tag (HTML, escaped)."""
    if colour:
        return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, text)
    return format_html('<strong class="govuk-tag">{}</strong>', text)


def rating_tag(rating, *, none: str = "Not yet rated") -> str:
    """A CQC rating as a tag: the same colour for the same rating on every page."""
    return tag(none if _missing(rating) else str(rating), rating_colour(rating))


def rag_tag(rag, *, none: str = "Not mobilising") -> str:
    """A RAG status as a tag: Red, Amber, Green, the same colour everywhere; `none` when there is none."""
    if _missing(rag):
        return format_html('<span class="govuk-body-s">{}</span>', none)
    return tag(str(rag).capitalize(), rag_colour(rag))


def cell(value, heading: str = "") -> dict:
    """A table cell for a figure under `heading`, as the exports head their columns: "(£)" is money, "(%)" a
    percentage; a day is short, a choice its label, nothing a dash, "yes"/"no" a capital. Returns the text and
    whether the column is numeric (right-aligned)."""
    if _missing(value):
        return {"text": NOTHING, "numeric": False}
    if heading.endswith("(£)"):
        return {"text": money(value), "numeric": True}
    if heading.endswith("(%)"):
        return {"text": percent(value), "numeric": True}
    if isinstance(value, bool):
        return {"text": "Yes" if value else "No", "numeric": False}
    if isinstance(value, datetime):
        return {"text": moment(value, short=True), "numeric": False}
    if isinstance(value, date):
        return {"text": day(value, short=True), "numeric": False}
    if isinstance(value, int):
        return {"text": number(value), "numeric": True}
    if isinstance(value, float | Decimal):
        places = 0 if value == int(value) else 1
        return {"text": number(value, places=places), "numeric": True}
    if value in ("yes", "no"):
        return {"text": value.capitalize(), "numeric": False}
    return {"text": label(value) if value in choice_labels() else str(value), "numeric": False}


def heading_without_unit(heading: str) -> str:
    """A column heading without the unit its cells now carry ("Void cost (£)" is "Void cost")."""
    for unit in (" (£)", " (%)"):
        if heading.endswith(unit):
            return heading[: -len(unit)]
    return heading
