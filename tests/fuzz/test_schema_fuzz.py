"""Fuzzing from the service's own OpenAPI schema (schemathesis), with a token for each kind of user.

For a read-only role, a writing role and a provider user, every operation of the schema served at /api/schema/
is called in-process with generated requests (a fixed seed, a bounded number of examples each) over a small
estate like the demo's. Every answer must be no server error (5xx), a status code the schema documents, the
content type it documents and a body that matches its documented schema.

Each request runs in a savepoint that is rolled back afterwards, so every example meets the same data and a
write that fails half-way cannot spoil the ones after it. Run alone with `pytest -m fuzz`.
"""

import logging
import os
from collections import Counter
from datetime import date

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.roles import Role
from contracts.services import hold_place, vacancy_report_record
from tests.contracts.factories import make_line, place
from tests.factories import (
    LocalityFactory,
    LocationFactory,
    PostcodeFactory,
    ProviderFactory,
    ProviderMembershipFactory,
    RatingFactory,
    UserFactory,
    square,
)

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Examples per operation: 64 operations x 3 roles x 20 examples take about two minutes on two cores.
EXAMPLES = int(os.getenv("FUZZ_EXAMPLES", "20"))


def estate() -> dict:
    """A small estate like the demo's: a county of two districts, homes with ratings, block contracts with
    placed, held and void beds, and a provider with its own user and a vacancy report."""
    county = LocalityFactory(code="E10000003", name="Cambridgeshire", kind="county", boundary=square(0.0, 52.0, 0.4))
    east = LocalityFactory(code="E07000009", name="East Cambridgeshire", parent=county, boundary=square(0.2, 52.3))
    LocalityFactory(code="E07000008", name="Cambridge", parent=county, boundary=square(0.0, 52.1))
    PostcodeFactory(postcode="CB6 1AA", district_code=east.code)
    providers = [ProviderFactory() for _ in range(3)]
    homes = [LocationFactory(provider=providers[n % 3], district=east) for n in range(5)]
    for home in homes:
        RatingFactory(location=home, report_date=date(2024, 5, 1))
    line = make_line(location=homes[0], beds=4, care_type="nursing_dementia")
    place(line)
    hold_place(bed_line=line, reference="BRK-2026-0042", start_date=date(2026, 12, 1))
    make_line(location=homes[1], beds=3, care_type="residential")
    member = ProviderMembershipFactory(provider=providers[0]).user
    vacancy_report_record(
        location=homes[0],
        report_date=date(2026, 11, 30),
        today=date(2026, 11, 30),
        care_type="nursing",
        vacant_beds=2,
        accepting_admissions=True,
        by=member,
    )
    return {"provider_user": member}


@pytest.fixture
def wsgi_app(caplog):
    caplog.set_level(logging.ERROR, logger="django.request")  # the 4xx answers are expected; 500s keep their trace
    # Django's test client keeps the test's connection open across requests; a bare WSGI handler would close it
    # at each request's end (the test's transaction looks like an obsolete connection). Do as the client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def fuzz(app, user) -> list[str]:
    token = Token.objects.create(user=user).key
    headers = {"Authorization": f"Token {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    aim_at_real_rows(schema)
    findings: dict[tuple[str, str], str] = {}

    operations = [result.ok() for result in schema.get_all_operations()]
    # A harness that reached nothing would pass: the schema has some 64 operations.
    assert len(operations) >= 50, f"only {len(operations)} operations in the served schema"
    statuses: Counter[int] = Counter()
    for operation in operations:
        fuzz_operation(operation, headers, findings, statuses)
    # The token was used (nothing asked to sign in) and the requests reached the views, not only their checks.
    assert statuses[401] == 0, statuses
    assert sum(count for status, count in statuses.items() if status < 300) >= 100, statuses
    return [f"{label}: {report}" for (label, _title), report in sorted(findings.items())]


def rows_behind(path: str) -> list[int]:
    """Ids of the rows a `/.../{id}/...` operation reads, from its view's serializer model (empty if unknown)."""
    try:
        view = resolve(path.replace("{id}", "1").replace("{", "").replace("}", "")).func.cls
        model = view.serializer_class.Meta.model
    except (Resolver404, AttributeError):
        return []
    return sorted(model.objects.values_list("pk", flat=True)[:5])


def aim_at_real_rows(schema) -> None:
    """Random ids nearly always miss (a 404); half the examples use ids of rows in the estate instead, in the
    path and in bodies that point at a bed line, location, contract, provider, placement or hold."""
    from contracts.models import BedLine, Contract, Hold, Placement
    from providers.models import Location, Provider

    body_ids = {
        name: sorted(model.objects.values_list("pk", flat=True)[:5])
        for name, model in {
            "bed_line": BedLine,
            "location": Location,
            "contract": Contract,
            "provider": Provider,
            "placement": Placement,
            "hold": Hold,
        }.items()
    }
    path_ids = {}

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        if not path_parameters or "id" not in path_parameters:
            return st.just(path_parameters)
        label = context.operation.path
        if label not in path_ids:
            path_ids[label] = rows_behind(label)
        return st.sampled_from([path_parameters] + [{**path_parameters, "id": pk} for pk in path_ids[label]])

    @schema.hook
    def flatmap_body(context, body):
        if not isinstance(body, dict) or not (names := [name for name in body_ids if name in body]):
            return st.just(body)
        variants = [body]
        for index in range(5):
            variants.append({**body, **{name: ids[index % len(ids)] for name in names if (ids := body_ids[name])}})
        return st.sampled_from(variants)


def fuzz_operation(operation, headers: dict, findings: dict, statuses: Counter) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        savepoint = transaction.savepoint()
        try:
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as failure:  # a finding, reported with its request at the end
                title = str(failure).strip().splitlines()[0]
                findings.setdefault((operation.label, title), str(failure))
        finally:
            transaction.savepoint_rollback(savepoint)

    run()


def assert_no_findings(findings: list[str]) -> None:
    assert not findings, f"{len(findings)} findings:\n\n" + "\n\n".join(findings)


def test_fuzz_as_a_compliance_officer_finds_no_server_error_or_schema_violation(wsgi_app):
    estate()  # a role that reads everything and writes nothing of the register
    assert_no_findings(fuzz(wsgi_app, UserFactory(roles=[Role.COMPLIANCE_OFFICER])))


def test_fuzz_as_a_contract_officer_finds_no_server_error_or_schema_violation(wsgi_app):
    estate()
    assert_no_findings(fuzz(wsgi_app, UserFactory(roles=[Role.CONTRACT_OFFICER, Role.BROKER])))


def test_fuzz_as_a_provider_user_finds_no_server_error_or_schema_violation(wsgi_app):
    people = estate()
    assert_no_findings(fuzz(wsgi_app, people["provider_user"]))
