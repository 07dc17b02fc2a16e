import pytest
from django.utils import timezone

from market.demo_demand import EAST_CAMBRIDGESHIRE, HUNTINGDONSHIRE, demo_load
from market.selectors.gaps import capacity_gaps

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Geography, providers and contracts demos once for this module, then the demand demo on top."""
    from contracts.demo import demo_load as contracts_demo_load
    from geo.demo import demo_load as geo_demo_load
    from providers.demo import demo_load as providers_demo_load

    with django_db_blocker.unblock():
        geo_demo_load()
        providers_demo_load()
        contracts_demo_load()
        counts = demo_load()
        yield counts
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


def _gap(gaps, code, care_type):
    return next(gap for gap in gaps if gap.locality_code == code and gap.care_type == care_type)


def test_east_cambridgeshire_is_short_of_nursing_dementia_beds_and_huntingdonshire_is_not(demo):
    gaps = capacity_gaps(on=timezone.localdate())
    east = _gap(gaps, EAST_CAMBRIDGESHIRE, "nursing_dementia")
    huntingdonshire = _gap(gaps, HUNTINGDONSHIRE, "nursing_dementia")
    assert east.gap > 0
    assert east.gap == east.demand + east.waiting - east.supply
    assert huntingdonshire.gap <= 0
    assert huntingdonshire.block_beds > 0


def test_some_people_have_waited_more_than_six_weeks_and_a_second_run_writes_nothing(demo):
    gaps = capacity_gaps(on=timezone.localdate())
    east = _gap(gaps, EAST_CAMBRIDGESHIRE, "nursing_dementia")
    assert (east.waiting, east.waiting_long) == (4, 3)  # 63, 51 and 44 days; 20 days is not yet a long wait
    assert sum(gap.waiting_long for gap in gaps) == 6
    assert _gap(gaps, EAST_CAMBRIDGESHIRE, "homecare_hours").demand == 750
    assert demo_load() == demo == {"demand_figures": 41, "pending_arrangements": 15}
