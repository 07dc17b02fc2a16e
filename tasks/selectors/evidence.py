"""A rule's evidence in words, for the alert page, the inbox, e-mail and the digest (see tasks.rules.base.says)."""

import logging

from django.db.models import prefetch_related_objects

from tasks.models import Alert
from tasks.rules import SENTENCES, load

logger = logging.getLogger(__name__)


def evidence_in_words(alert: Alert, evidence: dict | None = None) -> str:
    """The sentence of the alert's rule over `evidence` (the alert's own when not given: an event passes the
    evidence as it was then). Empty for a rule the code no longer has, and for evidence its sentence cannot read
    (logged: the figures are still on the alert's page)."""
    load()
    words = SENTENCES.get(alert.rule.code)
    if words is None:
        return ""
    try:
        return words(alert.evidence if evidence is None else evidence, alert)
    except (KeyError, TypeError, ValueError, AttributeError):
        logger.warning("The evidence of alert %s does not read as its rule's sentence.", alert.pk, exc_info=True)
        return ""


def with_subjects(alerts: list[Alert]) -> list[Alert]:
    """The subjects the sentences name that a list did not join (contract, bed line, lot): one query each, only for
    the kinds the alerts have, whatever their number."""
    prefetch_related_objects(
        [alert for alert in alerts if alert.contract_id or alert.bed_line_id or alert.lot_id],
        "contract",
        "bed_line",
        "lot",
    )
    return alerts
