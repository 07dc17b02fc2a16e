"""Who gets what: subscriptions by rule, severity and locality, the role defaults, provider users' scope, teams,
and the subscriptions and channels API."""

import pytest

from accounts.models import Team
from accounts.roles import Role
from accounts.services import user_roles_set, user_upsert
from tasks.models import Alert, Channel, Notification, NotificationItem, Subscription
from tasks.services.delivery.fanout import notifications_fan_out
from tests.factories import LocalityFactory, ProviderFactory, ProviderMembershipFactory, UserFactory
from tests.tasks.delivery_factories import AlertFactory, RuleFactory, event_for, inbox_of, subscribe


def heard(channel: Channel) -> set[str]:
    return set(NotificationItem.objects.filter(channel=channel).values_list("event__alert__title", flat=True))


@pytest.fixture
def places(db):
    county = LocalityFactory(code="E10000003", name="Cambridgeshire", kind="county")
    district = LocalityFactory(code="E07000009", name="East Cambridgeshire", parent=county)
    ward = LocalityFactory(code="E05002945", name="Ely North", kind="ward", parent=district)
    elsewhere = LocalityFactory(code="E07000011", name="Huntingdonshire", parent=county)
    return {"county": county, "district": district, "ward": ward, "elsewhere": elsewhere}


@pytest.mark.django_db
def test_severity_rule_and_locality_filters_each_narrow_what_a_subscriber_hears(places):
    voids, ratings = RuleFactory(code="void-level"), RuleFactory(code="rating-downgrade")
    by_severity, by_rule, by_place, everything = (UserFactory(roles=[Role.COMPLIANCE_OFFICER]) for _ in range(4))
    subscribe(by_severity, severities=["critical"])
    subscribe(by_rule, rules=[voids])
    subscribe(by_place, localities=[places["district"]])
    subscribe(everything)
    AlertFactory(rule=voids, severity="high", title="void in Ely", locality=places["ward"])
    AlertFactory(rule=ratings, severity="critical", title="inadequate in Hunts", locality=places["elsewhere"])
    AlertFactory(rule=ratings, severity="warning", title="nowhere in particular")
    for alert in Alert.objects.all():
        event_for(alert)
    notifications_fan_out()
    assert heard(inbox_of(by_severity)) == {"inadequate in Hunts"}
    assert heard(inbox_of(by_rule)) == {"void in Ely"}
    assert heard(inbox_of(by_place)) == {"void in Ely"}  # a ward inside the district subscribed to
    assert heard(inbox_of(everything)) == {"void in Ely", "inadequate in Hunts", "nowhere in particular"}


@pytest.mark.django_db
def test_a_subscriber_hears_only_of_alerts_meeting_every_filter_of_theirs_among_many(places):
    voids, ratings = RuleFactory(code="void-level"), RuleFactory(code="rating-downgrade")
    narrow, by_rule_and_place, wide = (UserFactory(roles=[Role.COMPLIANCE_OFFICER]) for _ in range(3))
    subscribe(narrow, rules=[voids], severities=["critical"], localities=[places["district"]])
    subscribe(by_rule_and_place, rules=[ratings], localities=[places["county"]])
    subscribe(wide, severities=["high", "critical"])
    expected = {narrow: set(), by_rule_and_place: set(), wide: set()}
    number = 0
    for rule in (voids, ratings):
        for severity in ("warning", "high", "critical"):
            for where in ("ward", "elsewhere", None):
                for _ in range(2):  # alerts alike in everything still each reach their subscribers
                    number += 1
                    title = f"alert {number}"
                    event_for(AlertFactory(rule=rule, severity=severity, title=title, locality=where and places[where]))
                    if rule == voids and severity == "critical" and where == "ward":
                        expected[narrow].add(title)
                    if rule == ratings and where is not None:
                        expected[by_rule_and_place].add(title)
                    if severity in ("high", "critical"):
                        expected[wide].add(title)
    notifications_fan_out()
    for user, titles in expected.items():
        assert heard(inbox_of(user)) == titles
    assert len(expected[narrow]) == 2 and len(expected[by_rule_and_place]) == 12 and len(expected[wide]) == 24


@pytest.mark.django_db
def test_a_provider_user_hears_only_of_their_own_providers_whatever_they_subscribe_to():
    own, other = ProviderFactory(), ProviderFactory()
    member = ProviderMembershipFactory(provider=own).user
    subscribe(member)  # everything, as far as the subscription goes
    event_for(AlertFactory(provider=own, title="own home void"))
    event_for(AlertFactory(provider=other, title="another provider's home"))
    event_for(AlertFactory(provider=None, title="a district's capacity gap"))
    notifications_fan_out()
    assert heard(inbox_of(member)) == {"own home void"}


@pytest.mark.django_db
def test_a_team_subscription_reaches_the_team_mailbox_and_webhook():
    team = Team.objects.create(name="Quality and compliance", email="quality@council.example")
    mailbox = Channel.objects.create(team=team, kind="email")
    hook = Channel.objects.create(team=team, kind="webhook", url="https://hooks.example/q", secret="s")
    subscribe(team, mailbox, hook, severities=["critical"])
    event_for(AlertFactory(severity="critical", title="provider failure"))
    notifications_fan_out()
    assert heard(mailbox) == heard(hook) == {"provider failure"}


@pytest.mark.django_db
def test_a_switched_off_channel_or_subscription_or_an_inactive_user_hears_nothing():
    quiet, paused, gone = (UserFactory(roles=[Role.COMPLIANCE_OFFICER]) for _ in range(3))
    subscribe(quiet)
    Channel.objects.filter(user=quiet).update(enabled=False)
    subscribe(paused)
    Subscription.objects.filter(user=paused).update(enabled=False)
    subscribe(gone)
    gone.is_active = False
    gone.save()
    event_for(AlertFactory())
    assert notifications_fan_out() == 0


@pytest.mark.django_db
def test_role_defaults_compliance_hears_its_rules_in_the_inbox_and_high_and_critical_by_email_too():
    RuleFactory(code="void-level")
    officer = user_upsert(username="quality", roles=[Role.COMPLIANCE_OFFICER], email="quality@council.example")
    made = {subscription.name: subscription for subscription in Subscription.objects.filter(user=officer)}
    loud = made["High and critical alerts"]
    assert sorted(loud.severities) == ["critical", "high"]
    assert not loud.rules.exists() and not loud.localities.exists()
    assert sorted(loud.channels.values_list("kind", flat=True)) == ["email", "in_app"]
    owned = made["Quality and registration"]
    assert owned.severities == [] and list(owned.channels.values_list("kind", flat=True)) == ["in_app"]
    assert {"rating_downgrade", "home_in_use_at_risk"} <= set(owned.rules.values_list("code", flat=True))
    provider_user = ProviderMembershipFactory(user=UserFactory()).user
    user_roles_set(user=provider_user, roles=[Role.PROVIDER_USER])
    [theirs] = Subscription.objects.filter(user=provider_user)
    assert list(theirs.channels.values_list("kind", flat=True)) == ["in_app"]
    commissioner = user_upsert(username="planner", roles=[Role.COMMISSIONER])
    [market] = Subscription.objects.filter(user=commissioner)
    codes = set(market.rules.values_list("code", flat=True))
    assert {"void_level", "capacity_gap", "market_concentration"} <= codes  # the rules commissioners own
    assert "rating_downgrade" not in codes and "cqc_sync_failing" not in codes


@pytest.mark.django_db
def test_subscribing_through_the_api_with_strict_answers(api, places):
    RuleFactory(code="void-level")
    user = api.as_role(Role.COMPLIANCE_OFFICER)
    inbox = inbox_of(user)
    made = api.post(
        "/api/v1/notifications/subscriptions/",
        {"rules": ["void-level"], "severities": ["high"], "localities": ["E07000009"], "channels": [inbox.pk]},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["localities"] == ["E07000009"] and made.json()["user"] == user.pk
    bad = api.post(
        "/api/v1/notifications/subscriptions/", {"severities": ["urgent"], "channels": [inbox.pk]}, format="json"
    )
    assert bad.status_code == 400 and "severities" in bad.json()["error"]["fields"]
    unknown_rule = api.post(
        "/api/v1/notifications/subscriptions/", {"rules": ["no-such-rule"], "channels": [inbox.pk]}, format="json"
    )
    assert unknown_rule.status_code == 400 and "rules" in unknown_rule.json()["error"]["fields"]
    changed = api.patch(f"/api/v1/notifications/subscriptions/{made.json()['id']}/", {"digest": True}, format="json")
    assert changed.status_code == 200 and changed.json()["digest"] is True
    assert api.get("/api/v1/notifications/subscriptions/?colour=red").status_code == 400


@pytest.mark.django_db
def test_someone_elses_channel_cannot_be_subscribed_to_and_their_subscriptions_are_not_found(api):
    other = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    theirs = subscribe(other)
    api.as_role(Role.COMPLIANCE_OFFICER)
    answer = api.post("/api/v1/notifications/subscriptions/", {"channels": [inbox_of(other).pk]}, format="json")
    assert answer.status_code == 400 and "channels" in answer.json()["error"]["fields"]
    assert api.get(f"/api/v1/notifications/subscriptions/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/notifications/subscriptions/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/v1/notifications/channels/{inbox_of(other).pk}/").status_code == 404


@pytest.mark.django_db
def test_administrators_see_everyones_subscriptions_and_make_team_channels(api):
    team = Team.objects.create(name="Brokerage", email="brokerage@council.example")
    subscribe(UserFactory(roles=[Role.BROKER]))
    api.as_role(Role.ADMINISTRATOR)
    assert api.get("/api/v1/notifications/subscriptions/").json()["count"] >= 1
    made = api.post("/api/v1/notifications/channels/", {"kind": "email", "team": team.pk}, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["team"] == team.pk and made.json()["user"] is None


@pytest.mark.django_db
def test_channels_refuse_what_does_not_fit_their_kind(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    no_url = api.post("/api/v1/notifications/channels/", {"kind": "webhook"}, format="json")
    assert no_url.status_code == 400 and "url" in no_url.json()["error"]["fields"]
    inbox = api.post("/api/v1/notifications/channels/", {"kind": "in_app"}, format="json")
    assert inbox.status_code == 400 and "kind" in inbox.json()["error"]["fields"]
    team = Team.objects.create(name="Someone else's team")
    not_admin = api.post("/api/v1/notifications/channels/", {"kind": "email", "team": team.pk}, format="json")
    assert not_admin.status_code == 404
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_the_demo_compliance_officer_hears_of_high_and_critical_alerts_in_the_inbox_and_a_digest():
    from accounts.demo import demo_users_load
    from tasks.demo_delivery import demo_load

    demo_users_load()
    demo_load()
    demo_load()
    compliance = Subscription.objects.get(user__username="compliance", name="High and critical alerts")
    assert compliance.digest and sorted(compliance.severities) == ["critical", "high"]
    assert Subscription.objects.filter(user__username="compliance").count() == 2  # and their own rules' alerts
    event_for(AlertFactory(severity="critical", title="Inadequate lead provider with live lots"))
    notifications_fan_out()
    assert "Inadequate lead provider with live lots" in heard(inbox_of(compliance.user))
