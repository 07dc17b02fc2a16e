from datetime import date

import pytest

from accounts.roles import Role
from core.errors import DomainError
from providers.models import Condition
from providers.selectors import active_conditions
from providers.services.conditions import condition_impose, condition_lift, membership_add
from tests.factories import LocationFactory, ProviderFactory, UserFactory

NO_NEW_WORK = "The registered provider must not take on new service users without CQC's written agreement."


@pytest.mark.django_db
def test_an_imposed_condition_is_active_until_lifted_and_is_not_recorded_twice():
    home = LocationFactory()
    condition = condition_impose(location=home, text=NO_NEW_WORK, imposed_on=date(2017, 1, 20), stops_admissions=True)
    again = condition_impose(location=home, text=NO_NEW_WORK, imposed_on=date(2017, 1, 20), stops_admissions=True)
    assert again == condition and Condition.objects.count() == 1
    assert condition.provider_id == home.provider_id
    assert list(active_conditions()) == [condition]

    condition_lift(condition=condition, lifted_on=date(2017, 6, 1))
    assert list(active_conditions()) == []
    assert condition.history.count() == 2  # imposed, then lifted: the audit trail keeps both


@pytest.mark.django_db
def test_a_condition_cannot_be_lifted_before_it_was_imposed():
    condition = condition_impose(location=LocationFactory(), text=NO_NEW_WORK, imposed_on=date(2017, 1, 20))
    with pytest.raises(DomainError) as error:
        condition_lift(condition=condition, lifted_on=date(2016, 12, 31))
    assert error.value.field == "lifted_on"
    condition.refresh_from_db()
    assert condition.lifted_on is None


@pytest.mark.django_db
def test_a_condition_needs_its_text():
    with pytest.raises(DomainError) as error:
        condition_impose(location=LocationFactory(), text="  ", imposed_on=date(2017, 1, 20))
    assert error.value.field == "text"


@pytest.mark.django_db
def test_only_provider_users_are_linked_to_providers():
    provider = ProviderFactory()
    broker = UserFactory(roles=[Role.BROKER])
    with pytest.raises(DomainError) as error:
        membership_add(user=broker, provider=provider)
    assert error.value.field == "user"
    provider_user = UserFactory(roles=[Role.PROVIDER_USER])
    membership_add(user=provider_user, provider=provider)
    membership_add(user=provider_user, provider=provider)
    assert list(provider_user.provider_memberships.values_list("provider_id", flat=True)) == [provider.pk]
