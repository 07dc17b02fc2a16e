"""The contracts admin saves through the services: what the API refuses, the admin refuses, on the form."""

from datetime import date
from decimal import Decimal

import pytest

from contracts.models import BedLine, Contract, Placement, RateChange
from tests.contracts.factories import make_contract, make_line, place
from tests.factories import ProviderFactory, UserFactory

# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]

NO_RATE_ROWS = {"rate_changes-TOTAL_FORMS": 0, "rate_changes-INITIAL_FORMS": 0}


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def form_errors(response) -> dict:
    assert response.status_code == 200, response.status_code  # the form again, not a redirect
    form = response.context["adminform"].form
    return {field: " ".join(messages) for field, messages in form.errors.items()}


def contract_form(contract: Contract, **changes) -> dict:
    values = {
        "reference": contract.reference,
        "provider": contract.provider_id,
        "kind": contract.kind,
        "service": contract.service,
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat() if contract.end_date else "",
        "break_clause_date": contract.break_clause_date.isoformat() if contract.break_clause_date else "",
        "notice_period_months": contract.notice_period_months,
        "status": contract.status,
        "commissioning_partner": contract.commissioning_partner,
        "documents_url": contract.documents_url,
        "notes": contract.notes,
        "uplift_nlw_weight": contract.uplift_nlw_weight,
        "uplift_cpi_weight": contract.uplift_cpi_weight,
        "uplift_cap_percent": contract.uplift_cap_percent or "",
        "bed_lines-TOTAL_FORMS": 0,
        "bed_lines-INITIAL_FORMS": 0,
    }
    values.update(changes)
    return values


def test_the_admin_refuses_block_beds_beyond_a_homes_registered_beds(admin_client):
    line = make_line(beds=8, registered_beds=10)
    form = {
        "contract": line.contract_id,
        "location": line.location_id,
        "care_type": "residential",
        "beds": 3,
        "activation_date": "2026-06-01",
        "weekly_rate": "720.00",
        "notes": "",
        **NO_RATE_ROWS,
    }
    response = admin_client.post("/admin/contracts/bedline/add/", form)
    assert "registered beds" in form_errors(response)["beds"]
    assert BedLine.objects.count() == 1
    form["beds"] = 2
    assert admin_client.post("/admin/contracts/bedline/add/", form).status_code == 302
    added = BedLine.objects.exclude(pk=line.pk).get()
    assert added.rate_changes.get().weekly_rate == Decimal("720.00")  # priced like a line added by the API


def test_the_admin_refuses_a_placement_on_a_full_line_or_with_a_personal_reference(admin_client):
    line = make_line(beds=1)
    form = {
        "reference": "John Smith",
        "service": "care_home",
        "kind": "block",
        "bed_line": line.pk,
        "start_date": "2026-03-01",
        "source": "community",
    }
    response = admin_client.post("/admin/contracts/placement/add/", form)
    assert "pseudonymous reference" in form_errors(response)["reference"]
    form["reference"] = "BRK-2026-0001"
    assert admin_client.post("/admin/contracts/placement/add/", form).status_code == 302
    form["reference"] = "BRK-2026-0002"
    response = admin_client.post("/admin/contracts/placement/add/", form)
    assert "No bed on this line" in form_errors(response)["bed_line"]
    assert Placement.objects.count() == 1
    assert Placement.objects.get().weekly_cost == Decimal("700.00")  # the line's rate, as the service sets it


@pytest.mark.parametrize("status", ["draft", "ended"])
def test_the_admin_refuses_a_placement_on_a_draft_or_ended_contract(admin_client, status):
    line = make_line(beds=2, contract=make_contract(status=status))
    form = {
        "reference": "BRK-2026-0003",
        "service": "care_home",
        "kind": "block",
        "bed_line": line.pk,
        "start_date": "2026-03-01",
        "source": "community",
    }
    response = admin_client.post("/admin/contracts/placement/add/", form)
    assert "not live" in form_errors(response)["bed_line"]
    assert not Placement.objects.exists()


def test_the_admin_refuses_to_shrink_a_line_below_the_people_placed_on_it(admin_client):
    line = make_line(beds=3, activation_date=date(2026, 1, 1))
    place(line, start=date(2026, 1, 1))
    place(line, start=date(2026, 1, 5))
    form = {
        "care_type": line.care_type,
        "beds": 1,
        "activation_date": "2026-01-01",
        "end_date": "",
        "notes": "",
        **NO_RATE_ROWS,
    }
    response = admin_client.post(f"/admin/contracts/bedline/{line.pk}/change/", form)
    assert "fewer beds than people placed" in form_errors(response)["beds"]
    line.refresh_from_db()
    assert line.beds == 3
    form["beds"] = 2
    del form["rate_changes-TOTAL_FORMS"], form["rate_changes-INITIAL_FORMS"]  # the rates shown are not posted back
    assert admin_client.post(f"/admin/contracts/bedline/{line.pk}/change/", form).status_code == 302
    line.refresh_from_db()
    assert line.beds == 2


def test_the_admin_refuses_to_move_a_block_contract_with_bed_lines_to_another_provider_or_kind(admin_client):
    line = make_line(beds=2)
    contract = line.contract
    other = ProviderFactory()
    response = admin_client.post(
        f"/admin/contracts/contract/{contract.pk}/change/", contract_form(contract, provider=other.pk)
    )
    assert "cannot change provider" in form_errors(response)["provider"]
    response = admin_client.post(
        f"/admin/contracts/contract/{contract.pk}/change/", contract_form(contract, kind="spot")
    )
    assert "stays a block contract" in form_errors(response)["kind"]
    contract.refresh_from_db()
    assert (contract.provider_id, contract.kind) == (line.location.provider_id, "block")

    saved = admin_client.post(
        f"/admin/contracts/contract/{contract.pk}/change/", contract_form(contract, notes="Renewed")
    )
    assert saved.status_code == 302
    contract.refresh_from_db()
    assert contract.notes == "Renewed"
    assert contract.history.first().history_user is not None  # the administrator is recorded as the author


def test_the_admin_adds_a_contract_through_the_service_and_refuses_a_taken_reference(admin_client):
    existing = make_contract()
    form = contract_form(existing)
    response = admin_client.post("/admin/contracts/contract/add/", form)
    assert "exists already" in form_errors(response)["reference"]
    form["reference"] = "CCC-BLOCK-NEW"
    form["uplift_cpi_weight"] = "0.1"
    response = admin_client.post("/admin/contracts/contract/add/", form)
    assert "add up to 1" in form_errors(response)["uplift_cpi_weight"]
    form["uplift_cpi_weight"] = existing.uplift_cpi_weight
    assert admin_client.post("/admin/contracts/contract/add/", form).status_code == 302
    assert Contract.objects.filter(reference="CCC-BLOCK-NEW").exists()


def test_the_admin_ends_a_placement_through_the_service_and_changes_nothing_else(admin_client):
    line = make_line(beds=1)
    placed = place(line, start=date(2026, 1, 1), reference="BRK-2026-0009")
    form = {"end_date": "2025-12-01", "weekly_cost": "700.00", "hours_per_week": "", "source": "community"}
    response = admin_client.post(f"/admin/contracts/placement/{placed.pk}/change/", form)
    assert "before the start date" in form_errors(response)["end_date"]
    form["end_date"] = "2026-02-01"
    assert admin_client.post(f"/admin/contracts/placement/{placed.pk}/change/", form).status_code == 302
    placed.refresh_from_db()
    assert (placed.end_date, placed.reference, placed.bed_line_id) == (date(2026, 2, 1), "BRK-2026-0009", line.pk)


def test_the_admin_adds_bed_lines_and_rates_only_on_their_checked_screens(admin_client):
    line = make_line(beds=8, registered_beds=10)
    contract_form_page = admin_client.get(f"/admin/contracts/contract/{line.contract_id}/change/")
    assert contract_form_page.status_code == 200
    assert contract_form_page.context["inline_admin_formsets"][0].has_add_permission is False
    bed_line_form = admin_client.get(f"/admin/contracts/bedline/{line.pk}/change/")
    assert bed_line_form.context["inline_admin_formsets"][0].has_add_permission is False

    rate = {"bed_line": line.pk, "effective_from": "2020-01-01", "weekly_rate": "720.00", "reason": "negotiated"}
    response = admin_client.post("/admin/contracts/ratechange/add/", rate)
    assert "before the contract starts" in form_errors(response)["effective_from"]
    rate["effective_from"] = "2026-04-01"
    assert admin_client.post("/admin/contracts/ratechange/add/", rate).status_code == 302
    recorded = RateChange.objects.get(effective_from="2026-04-01")
    assert recorded.created_by is not None

    rate["weekly_rate"] = "1.00"
    assert admin_client.post(f"/admin/contracts/ratechange/{recorded.pk}/change/", rate).status_code == 403
    recorded.refresh_from_db()
    assert recorded.weekly_rate == Decimal("720.00")


def test_holds_are_shown_but_not_written_in_the_admin(admin_client):
    assert admin_client.get("/admin/contracts/hold/").status_code == 200
    assert admin_client.get("/admin/contracts/hold/add/").status_code == 403


def test_every_contracts_change_page_opens_for_an_administrator(admin_client):
    from contracts.services import closure_create, hold_place, vacancy_report_record
    from tests.factories import LocationFactory

    line = make_line(beds=2)
    placed = place(line, start=date(2026, 1, 1))
    closure = closure_create(
        bed_line=line, beds=1, start_date=date(2026, 2, 1), end_date=date(2026, 2, 28), reason="Outbreak"
    )
    hold = hold_place(bed_line=line, reference="BRK-2026-0077", start_date=date(2026, 3, 1))
    home = LocationFactory(registered_beds=10)
    report = vacancy_report_record(
        location=home, report_date=date(2026, 1, 1), care_type="nursing", vacant_beds=1, today=date(2026, 1, 1)
    )
    for path in [
        f"contract/{line.contract_id}",
        f"bedline/{line.pk}",
        f"ratechange/{line.rate_changes.get().pk}",
        f"placement/{placed.pk}",
        f"closure/{closure.pk}",
        f"hold/{hold.pk}",
        f"vacancyreport/{report.pk}",
        f"personreference/{placed.reference}",
    ]:
        response = admin_client.get(f"/admin/contracts/{path}/change/")
        assert response.status_code == 200, f"{path}: {response.status_code}"


def test_a_closure_changed_in_the_admin_stays_within_the_line(admin_client):
    from contracts.services import closure_create

    line = make_line(beds=2)
    closure = closure_create(
        bed_line=line, beds=1, start_date=date(2026, 2, 1), end_date=date(2026, 2, 28), reason="Outbreak"
    )
    form = {"beds": 3, "start_date": "2026-02-01", "end_date": "2026-02-28", "reason": "Outbreak"}
    response = admin_client.post(f"/admin/contracts/closure/{closure.pk}/change/", form)
    assert "Between 1 and 2 beds" in form_errors(response)["beds"]
    form["beds"] = 2
    assert admin_client.post(f"/admin/contracts/closure/{closure.pk}/change/", form).status_code == 302
    closure.refresh_from_db()
    assert closure.beds == 2


def test_a_rate_once_recorded_is_not_deleted_in_the_admin(admin_client):
    rate = make_line().rate_changes.get()
    assert admin_client.post(f"/admin/contracts/ratechange/{rate.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RateChange.objects.filter(pk=rate.pk).exists()
