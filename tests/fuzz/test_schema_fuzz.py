"""Fuzzing from the service's own OpenAPI schema (schemathesis), with a token for each of the six roles.

For each role, every operation of the schema served at /api/schema/ is called in-process with generated requests
(a fixed seed, a bounded number of examples each) over a small estate like the demo's: requests the schema calls
valid and requests it calls invalid. Every one of schemathesis's checks runs on every answer: no server error
(5xx); a status code, content type, headers and body the schema documents; a request the schema calls invalid is
refused (4xx) and one it calls valid is not refused as malformed (400/422); the answer without the token is a 401;
an unsupported method is a 405 with Allow; and the rest of its registry.

Each request runs in a savepoint that is rolled back afterwards, so every example meets the same data and a
write that fails half-way cannot spoil the ones after it. Run alone with `pytest -m fuzz`.
"""

import json
import logging
import os
import re
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
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import CHECKS as CHECK_REGISTRY
from schemathesis.checks import load_all_checks
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import RejectedPositiveData, positive_data_acceptance

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

load_all_checks()

# Refusals of a request the schema calls valid that no schema could prevent, because they depend on the estate's
# rows (a reference to a row that does not exist), on the clock, or on two fields together (JSON Schema cannot
# compare one field with another). Each is a whole message the service gives for exactly that, as "field: message"
# (any field, unless the pattern names it); any other refusal of a valid request is a finding.
DATA_REFUSALS = [
    # no such row
    r'Invalid pk "[^"]*" - object does not exist\.',
    r"Object with \w+=.* does not exist\.",
    r"No (district|ward|locality|district or ward) has the code.*",
    r"Select a valid choice\. That choice is not one of the available choices\.",  # a filter's row
    r"Postcode .* (is not in the postcode directory|has been terminated|has no grid reference)\.",
    # what the estate holds
    r"The home has no block beds in that period\.",
    r"The home has only \d+ registered beds\.",
    r"The rate takes effect before the contract starts\.",
    r"The beds activate before the contract starts\.",
    r"(Contract \S+ has no|No) live block contract .*",
    # what a file holds (the schema can say a file, not what is in it)
    r"The file is not UTF-8 text .*",
    # two fields together
    r"The period must end on or after its start\.",
    r"\w+ \(\d{4}-\d\d-\d\d\) is before the [\w ]+\(\d{4}-\d\d-\d\d\)\.",
    r"A silence ends after it starts\.",
    r"A trend covers at most three years\.",
    r"Give either a postcode or a district code .*",
    r"Say which localities: give kind .*",
    r"A webhook needs the address to post to\.",
    r"The quality and price weights must add up to 100\.",
    r"A weekly price is for a spot bed: give its home\.",
    # a bound on a decimal sent as text (JSON Schema's minimum and maximum bind numbers only), on these fields
    r"weekly_price: A weekly price is more than £0\.",
    r"(price_score|quality_score|price_weight|quality_weight|quality_threshold|percent): "
    r"Ensure this value is (less|greater) than or equal to -?\d+\.",
    r"(nlw_percent|cpi_percent): An increase of -?[\d.]+% is outside -20% to 50%.*",
    # the places of a decimal sent as a number: a JSON number is a binary float, and `multipleOf: 0.01` is refused
    # for 0.07 by validators that divide floats, so the schema says the places in words
    r"Ensure that there are no more than \d+ (decimal places|digits in total|digits before the decimal point)\.",
    # a bound on a date (JSON Schema has no earliest or latest date)
    r"priced_on: A spot price is dated between 2000 and 2100\.",
    # Django's URL check is stricter than JSON Schema's `uri` (a scheme and a host it can resolve the shape of)
    r"url: Enter a valid URL\.",
    # the clock
    r"Snooze until a time in the future\.",
    r"A silence must end in the future\.",
    r"Cost avoidance is worked out from what happened: today at the latest\.",
    r"The day received cannot be in the future\.",
    # the guard against personal data where a pseudonymous reference belongs (no schema can tell a name, an NHS
    # number or a postcode from a reference)
    r"reference: The reference (looks like|has spaces or symbols|is too short|is too long).*",
    r"reference: Give the council's case reference only.*",
]
# A pattern that names its field matches only that field's message; the others any field's.
DATA_REFUSAL = re.compile(
    "|".join(
        f"(?:{pattern})" if re.match(r"^\(?[\w|]+\)?: ", pattern) else rf"(?:(?:[\w.]+: )?(?:{pattern}))"
        for pattern in DATA_REFUSALS
    )
)


def valid_data_accepted(ctx, response, case):
    """schemathesis's positive_data_acceptance, except for a 400 whose every message is a DATA_REFUSALS one."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code == 400 and all(DATA_REFUSAL.fullmatch(message) for message in messages_of(response)):
            return None
        raise


def messages_of(response) -> list[str]:
    try:
        error = json.loads(response.content)["error"]
    except (ValueError, KeyError, TypeError):
        return [""]
    if "fields" not in error:
        return [str(error.get("message", ""))]
    return list(field_messages(error["fields"])) or [""]


def field_messages(detail, field: str = ""):
    """ "field: message" for every message of an error's fields, nested ones (a list's rows, an object's keys)
    named by their innermost field."""
    if isinstance(detail, dict):
        for key, inner in detail.items():
            yield from field_messages(inner, field if str(key).isdigit() else str(key))
    elif isinstance(detail, list) and detail:
        for inner in detail:
            yield from field_messages(inner, field)
    else:
        yield f"{field}: {detail}" if field else str(detail)


# Every check schemathesis has, as `--checks all`, with the one above in place of positive_data_acceptance.
CHECKS = [valid_data_accepted if check is positive_data_acceptance else check for check in CHECK_REGISTRY.get_all()]
# Examples per operation, mode and role: about 90 operations x 2 modes x 6 roles x 3 examples take about five
# minutes on two cores. FUZZ_EXAMPLES=50 for a longer hunt.
EXAMPLES = int(os.getenv("FUZZ_EXAMPLES", "3"))


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
    findings: dict[tuple[str, str], str] = {}

    operations = [result.ok() for result in schema.get_all_operations()]
    # A harness that reached nothing would pass: the schema has some 90 operations.
    assert len(operations) >= 80, f"only {len(operations)} operations in the served schema"
    statuses: Counter[int] = Counter()
    aim = RealRows()
    for operation in operations:
        for mode in GenerationMode:
            fuzz_operation(operation, mode, aim, headers, findings, statuses)
    # The token was used (only the ignored-auth check's own requests go without it) and the requests reached the
    # views, not only their checks.
    # (A provider user is refused most of the register, so fewer of theirs are answered with rows.)
    assert sum(count for status, count in statuses.items() if status < 300) >= 50, statuses
    assert statuses[400] >= 100, statuses  # the invalid requests were made, and refused
    return [f"{label}: {report}" for (label, _title), report in sorted(findings.items())]


class RealRows:
    """Random ids nearly always miss (a 404); half the valid examples use ids of rows in the estate instead, in the
    path and in bodies that point at a bed line, location, contract, provider, placement or hold. Only valid
    examples are aimed: an invalid one must stay invalid."""

    def __init__(self):
        from contracts.models import BedLine, Contract, Hold, Placement
        from providers.models import Location, Provider

        self.body_ids = {
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

    @staticmethod
    def path_ids(path: str) -> list[int]:
        """Ids of the rows a `/.../{id}/...` operation reads, from its view's serializer model (empty if unknown)."""
        try:
            view = resolve(path.replace("{id}", "1").replace("{", "").replace("}", "")).func.cls
            model = view.serializer_class.Meta.model
        except (Resolver404, AttributeError):
            return []
        return sorted(model.objects.values_list("pk", flat=True)[:5])

    def strategy(self, operation):
        cases = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
        path_ids = self.path_ids(operation.path) if "{id}" in operation.path else []

        def aimed(case, index: int):
            if path_ids and case.path_parameters and "id" in case.path_parameters:
                case.path_parameters = {**case.path_parameters, "id": path_ids[index % len(path_ids)]}
            if isinstance(case.body, dict):
                for name, ids in self.body_ids.items():
                    if name in case.body and ids:
                        case.body = {**case.body, name: ids[index % len(ids)]}
            return case

        return st.one_of(cases, st.tuples(cases, st.integers(0, 4)).map(lambda pair: aimed(*pair)))


def fuzz_operation(operation, mode, aim: RealRows, headers: dict, findings: dict, statuses: Counter) -> None:
    if mode is GenerationMode.POSITIVE:
        strategy = aim.strategy(operation)
    else:
        strategy = operation.as_strategy(generation_mode=mode)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        savepoint = transaction.savepoint()
        try:
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as failure:  # a finding, reported with its request at the end
                title = str(failure).strip().splitlines()[0]
                findings.setdefault((f"{operation.label} ({mode.value})", title), str(failure))
        finally:
            transaction.savepoint_rollback(savepoint)

    try:
        run()
    except Unsatisfiable:
        # No request the schema calls invalid exists for an operation with nothing to get wrong (no parameter,
        # no body): there is nothing to send in the negative mode. Anything else is a schema too loose to test.
        if mode is GenerationMode.POSITIVE or operation_takes_input(operation):
            label = f"{operation.label} ({mode.value})"
            findings[(label, "unsatisfiable")] = "no example could be made: the schema declares nothing to get wrong"


def operation_takes_input(operation) -> bool:
    definition = operation.definition.raw
    return bool(definition.get("parameters") or definition.get("requestBody"))


def assert_no_findings(findings: list[str]) -> None:
    assert not findings, f"{len(findings)} findings:\n\n" + "\n\n".join(findings)


def user_for(role: Role, people: dict):
    if role is Role.PROVIDER_USER:
        return people["provider_user"]  # a member of one provider, who must see nothing of the others
    return UserFactory(roles=[role])


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_fuzz_with_every_check_finds_nothing(wsgi_app, role):
    people = estate()
    assert_no_findings(fuzz(wsgi_app, user_for(role, people)))
