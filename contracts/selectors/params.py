"""Query parameters of the read endpoints, parsed once: a bad value is a 400 naming the parameter."""

from datetime import date

from config.errors import DomainError


def date_param(params, name: str, default: date | None = None) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError(f"{raw!r} is not a date (YYYY-MM-DD).", field=name) from None


def flag_param(params, name: str) -> bool:
    value = (params.get(name) or "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise DomainError(f"{name} must be true or false.", field=name)
