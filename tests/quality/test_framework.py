"""The framework is data: PAMMS' five domains and sixteen standards are there after migrating, and a change
to a framework already used makes a new version, so an old audit keeps the standards it was done under."""

from decimal import Decimal

import pytest

from core.errors import Conflict
from quality.models import Framework
from quality.selectors import framework_current, standards_of
from quality.services import framework_version_new, standard_update
from tests.quality.factories import drafted

pytestmark = pytest.mark.django_db


def test_the_pamms_framework_is_seeded_with_five_domains_and_sixteen_standards():
    framework = framework_current()
    assert framework.name == "PAMMS" and framework.version == 1
    assert [domain.name for domain in framework.domains.order_by("number")] == [
        "Involvement and information",
        "Personalised care and support",
        "Safeguarding and safety",
        "Suitability of staffing",
        "Quality of management",
    ]
    standards = list(standards_of(framework=framework))
    assert [standard.number for standard in standards] == list(range(1, 17))
    assert standards[5].title == "Safeguarding" and standards[5].domain.name == "Safeguarding and safety"
    assert standards[15].title == "Records" and all(standard.looked_for for standard in standards)


def test_a_standard_not_yet_used_is_edited_in_place():
    standard = standards_of(framework=framework_current()).get(number=4)
    standard_update(standard=standard, weight=Decimal("1.5"), looked_for="Food and drink to each person's taste.")
    standard.refresh_from_db()
    assert standard.weight == Decimal("1.5") and standard.looked_for == "Food and drink to each person's taste."


def test_a_used_framework_is_kept_and_a_new_version_takes_the_change():
    audit = drafted()
    old = audit.framework
    medicines = standards_of(framework=old).get(number=8)
    with pytest.raises(Conflict, match="make a new version"):
        standard_update(standard=medicines, weight=Decimal(3))

    new = framework_version_new(framework=old, notes="Medicines count triple.")
    standard_update(standard=standards_of(framework=new).get(number=8), weight=Decimal(3))

    assert framework_current() == new and new.version == 2
    assert Framework.objects.get(pk=old.pk).current is False
    assert standards_of(framework=old).get(number=8).weight == Decimal(2)
    assert standards_of(framework=new).get(number=8).weight == Decimal(3)
    assert standards_of(framework=new).count() == 16 and new.domains.count() == 5
    audit.refresh_from_db()
    assert audit.framework == old
