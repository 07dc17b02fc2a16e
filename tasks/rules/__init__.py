"""The risk rules. Each module here registers its rules (see base.py); `load()` imports them all."""

import importlib
import pkgutil

from tasks.rules.base import RULES, SENTENCES, Risk, RuleDefinition, register, says

__all__ = ["RULES", "SENTENCES", "Risk", "RuleDefinition", "load", "register", "says"]


def load() -> dict[str, RuleDefinition]:
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")
    return RULES
