"""Nothing raised reaches nobody: every rule, at every severity, is heard by the defaults of the role that owns it;
and administrators see who hears what, with any rule and severity nobody hears flagged."""

import pytest

from accounts.roles import Role
from accounts.services import user_upsert
from tasks.models import SEVERITY_ORDER, Severity
from tasks.rules import RULES, RuleDefinition, register
from tasks.selectors.delivery import who_hears_what
from tests.factories import UserFactory
from tests.tasks.alert_factories import rule

pytestmark = pytest.mark.django_db

COUNCIL_ROLES = [Role.COMPLIANCE_OFFICER, Role.COMMISSIONER, Role.CONTRACT_OFFICER, Role.BROKER]


def test_every_rule_at_every_severity_is_heard_in_an_inbox_by_the_defaults_of_one_person_per_role():
    rule("void_level")  # every rule's row, from the code
    for role in COUNCIL_ROLES:
        user_upsert(username=role.value, roles=[role])
    heard = {(row.rule.code, row.severity): row for row in who_hears_what()}
    unheard = [
        (code, severity)
        for code in sorted(RULES)
        for severity in SEVERITY_ORDER
        if not any("In-app inbox" in one.channels for one in heard[(code, severity)].listeners)
        or not heard[(code, severity)].heard_everywhere
    ]
    assert unheard == []
    owner = RULES["rating_downgrade"].owning_role
    assert owner == Role.COMPLIANCE_OFFICER
    assert [one.name for one in heard[("rating_downgrade", Severity.WARNING)].listeners] == ["compliance_officer"]


def test_a_rule_without_an_owning_role_cannot_be_registered():
    with pytest.raises(ValueError, match="owning_role"):
        register(RuleDefinition(code="test_nobodys", name="n", description="", evaluate=lambda *, rule, now: []))
    assert "test_nobodys" not in RULES


def test_the_page_lists_who_is_told_and_flags_what_nobody_hears(client):
    rule("void_level")
    user_upsert(username="broker1", roles=[Role.BROKER], first_name="Bea", last_name="Broker")
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    page = client.get("/alerts/who-hears-what/")
    assert page.status_code == 200
    text = page.content.decode()
    nobody = text[text.index('id="nobody-hears"') : text.index("</ul>", text.index('id="nobody-hears"'))]
    assert "CQC rating downgraded (rating_downgrade), warning" in nobody  # no compliance officer yet
    assert "(void_level)" not in nobody  # the broker's void beds
    assert "Bea Broker" in text

    user_upsert(username="quality1", roles=[Role.COMPLIANCE_OFFICER])
    assert "(rating_downgrade)" not in client.get("/alerts/who-hears-what/").content.decode().split("<table")[0]


def test_only_administrators_see_who_hears_what(client):
    client.force_login(UserFactory(roles=[Role.COMPLIANCE_OFFICER]))
    assert client.get("/alerts/who-hears-what/").status_code == 403
