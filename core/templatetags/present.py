"""The presentation functions of core.present as template filters and tags, built into every template
(settings.TEMPLATES' builtins), so a page never shows a raw value:

    {{ line.weekly_rate|money }}              £985.38
    {{ contract.end_date|day }}               7 December 2026       (|day:"short" for 7 Dec 2026)
    {{ alert.last_seen|moment }}              14 December 2026 at 9am (|moment:"short")
    {% period start end %}                    1 October to 31 December 2026
    {{ row.care_type|label }}                 Nursing dementia
    {{ contract.break_clause_date|day|otherwise:"No break clause" }}
    {{ share|percent }}, {{ beds|count }}     12.5%, 1,234
    {% rating_tag home.current_rating.overall %}   {% rag_tag plan.rag %}
"""

from django import template

from core import present

register = template.Library()


@register.filter
def money(value, arg=None):
    """|money, or |money:"pounds" for whole pounds."""
    return present.money(value, pence=arg != "pounds")


@register.filter
def count(value):
    return present.number(value)


@register.filter
def number(value, places=0):
    return present.number(value, places=int(places))


@register.filter
def percent(value, places=1):
    return present.percent(value, places=int(places))


@register.filter
def share(value, places=1):
    """A fraction (0.125) as a percentage (12.5%)."""
    return present.percent(value, places=int(places), fraction=True)


@register.filter
def day(value, arg=None):
    return present.day(value, short=arg == "short")


@register.filter
def moment(value, arg=None):
    return present.moment(value, short=arg == "short")


@register.simple_tag
def period(start, end, none=present.NOTHING):
    return present.period(start, end, none=none)


@register.filter
def label(value):
    return present.label(value)


@register.filter
def otherwise(value, text=present.NOTHING):
    return present.otherwise(value, text)


@register.simple_tag
def joined(*parts, sep=", ", none=present.NOTHING):
    """{% joined home.address_line_1 home.town home.postcode %}: the parts that are there, joined."""
    return present.joined(*parts, sep=sep, none=none)


@register.filter
def listed(value):
    return present.listed(value or [])


@register.simple_tag
def rating_tag(rating, none="Not yet rated"):
    return present.rating_tag(rating, none=none)


@register.simple_tag
def rag_tag(rag, none="Not mobilising"):
    return present.rag_tag(rag, none=none)


@register.filter
def rating_colour(rating):
    return present.rating_colour(rating)


@register.filter
def rag_colour(rag):
    return present.rag_colour(rag)
