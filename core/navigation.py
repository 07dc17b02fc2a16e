"""The service navigation: each app registers the pages it offers, and each person sees those their roles may use.

Apps register their items from their AppConfig.ready(), so the kernel imports no app:

    from core.navigation import nav_item

    nav_item("Find a bed", "contracts-web:bed-finder", roles={Role.BROKER}, order=20)

`order` places the item (lower first) and also decides where the home page sends a person: to the first item
they may use. An item with `prefix` shows as the current section on every page whose path starts with it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    order: int
    prefix: str | None

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_items: dict[str, NavItem] = {}


def nav_item(label: str, url_name: str, *, roles: Iterable[str], order: int = 100, prefix: str | None = None) -> None:
    """Registers (or, with the same url_name, replaces) one navigation item for the given roles."""
    _items[url_name] = NavItem(
        label=label,
        url_name=url_name,
        roles=frozenset(str(role) for role in roles),
        order=order,
        prefix=prefix,
    )


def nav_items_for(user) -> list[NavItem]:
    """The items a user may use, in order; none for someone not signed in."""
    if not (user and user.is_authenticated):
        return []
    roles = user.roles
    items = [item for item in _items.values() if item.roles & roles]
    return sorted(items, key=lambda item: (item.order, item.label))


def start_url_for(user) -> str | None:
    """Where the home page sends a user: the first page the navigation offers them."""
    for item in nav_items_for(user):
        try:
            return item.url
        except NoReverseMatch:  # an item whose app's URLs are not included in this configuration
            continue
    return None


def navigation(request) -> dict:
    """Template context processor: `navigation`, the items for the signed-in user, each marked current or not."""
    user = getattr(request, "user", None)
    entries = []
    for item in nav_items_for(user):
        try:
            url = item.url
        except NoReverseMatch:
            continue
        prefix = item.prefix or url
        entries.append({"label": item.label, "href": url, "prefix": prefix, "current": request.path.startswith(prefix)})
    # Only the longest matching prefix is the current section.
    current = [entry for entry in entries if entry["current"]]
    if len(current) > 1:
        longest = max(current, key=lambda entry: len(entry["prefix"]))
        for entry in current:
            entry["current"] = entry is longest
    return {"navigation": entries}
