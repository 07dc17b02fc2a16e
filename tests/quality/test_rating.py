"""The overall rating, worked by hand: Σ weight × score / Σ weight over the standards assessed (4 Excellent, 3 Good,
2 Requires improvement, 1 Poor), banded at 3.50, 2.50 and 1.50; a standard not assessed counts in neither sum."""

from decimal import Decimal

import pytest

from quality.models import QualityRating, Score
from quality.selectors import rating_of
from tests.quality.factories import drafted

E, G, R, P = Score.EXCELLENT, Score.GOOD, Score.REQUIRES_IMPROVEMENT, Score.POOR


def weighted(*pairs):
    return [(Decimal(weight), score) for weight, score in pairs]


@pytest.mark.parametrize(
    "pairs, rating, mean",
    [
        # All Good: 3.00.
        ([(1, G)] * 16, QualityRating.GOOD, "3.00"),
        # Twelve Excellent and four Good, equal weights: (48 + 12) / 16 = 3.75.
        ([(1, E)] * 12 + [(1, G)] * 4, QualityRating.EXCELLENT, "3.75"),
        # Half Excellent, half Good: exactly 3.50 is Excellent.
        ([(1, E)] * 8 + [(1, G)] * 8, QualityRating.EXCELLENT, "3.50"),
        # Weights move it: medicines Poor at weight 2, the other 15 Good at 1: (45 + 2) / 17 = 2.76, Good.
        ([(2, P)] + [(1, G)] * 15, QualityRating.GOOD, "2.76"),
        # Three heavy Poor (weight 2) and 13 Requires improvement: (6 + 26) / 19 = 1.68, Requires improvement.
        ([(2, P)] * 3 + [(1, R)] * 13, QualityRating.REQUIRES_IMPROVEMENT, "1.68"),
        # Mostly Poor: (12 + 8) / 16 = 1.25, Poor.
        ([(1, P)] * 12 + [(1, R)] * 4, QualityRating.POOR, "1.25"),
    ],
)
def test_worked_examples(pairs, rating, mean):
    result = rating_of(weighted(*pairs))
    assert (result.rating, result.weighted_score) == (rating, Decimal(mean))


def test_a_standard_not_assessed_neither_helps_nor_harms():
    # Fifteen Good and one Excellent: (45 + 4) / 16 = 3.06, Good.
    assessed = rating_of(weighted(*([(1, G)] * 15 + [(1, E)])))
    # The same with the Excellent one not assessed: 45 / 15 = 3.00; had it counted as 0 the rating would be lower.
    without = rating_of(weighted(*([(1, G)] * 15 + [(1, None)])))
    assert assessed.weighted_score == Decimal("3.06") and assessed.assessed == 16
    assert without.weighted_score == Decimal("3.00") and without.rating == QualityRating.GOOD
    assert (without.assessed, without.not_assessed) == (15, 1)


def test_a_heavy_standard_not_assessed_leaves_the_lighter_ones_to_decide():
    # Medicines (weight 2) not assessed; seven Requires improvement and seven Good at weight 1: 35 / 14 = 2.50, Good.
    result = rating_of(weighted((2, None), *([(1, R)] * 7 + [(1, G)] * 7)))
    assert (result.rating, result.weighted_score) == (QualityRating.GOOD, Decimal("2.50"))


def test_nothing_assessed_is_no_rating():
    assert rating_of(weighted((1, None), (2, None))).rating == ""


@pytest.mark.django_db
def test_a_drafted_audit_is_rated_from_its_findings_under_its_framework_weights():
    # Safeguarding (6) and medicines (8) Poor at weight 2, care and welfare (3) not assessed, the other 13 Good:
    # (2 + 2 + 39) / (4 + 13) = 43 / 17 = 2.53, Good.
    audit = drafted({6: P, 8: P, 3: None})
    assert audit.rating == QualityRating.GOOD and audit.weighted_score == Decimal("2.53")
