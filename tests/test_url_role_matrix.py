"""Every address of the service (API and pages; not the Django admin, whose group permissions the same tables grant
through `role_permissions`), opened by every role and by someone not signed in, answers as the capability tables
say (`<app>/capabilities.py`, see accounts.capabilities):

- a role the view's capability allows is never refused: GET answers neither 401 nor 403 (a 2xx, a redirect, a 400
  for a query it needs, a 405 where the address takes no GET; a provider user may get a 404 for another provider's
  record);
- a role it does not allow gets a 403 (a provider user may get a 404); someone not signed in is sent to the sign-in
  page (pages) or gets a 401/403 (API);
- on an address that writes, each role the write capability does not allow gets a 403 to a POST with an empty body
  (never a 2xx), and someone not signed in the sign-in page or a 401/403.

The addresses are found by walking the URL patterns, so a new page or endpoint is covered as soon as it is added;
an address whose view declares no capability FAILS `test_every_address_declares_its_capability`, naming it.

How a view declares its capability (an entry of its app's table, e.g. `from contracts import capabilities as caps`):

- an API view or viewset, in its permission classes:
      permission_classes = [allow(read=caps.READ_REGISTER, write=caps.EDIT_CONTRACTS)]
  (`allow` is accounts.permissions.allow; an @action with other rules passes its own `permission_classes=[...]`);
  a bare role set (`allow(read={Role.BROKER})`) still works but is not a declaration, and fails here;
- a page (a class view), with core.web.RoleRequiredMixin:
      class HoldListView(RoleRequiredMixin, TemplateView):
          capability = caps.HOLD_BEDS
          post_capability = caps.WORK_ALERTS   # only when its POST needs more than reading the page
  (`roles = {...}` on a page is obeyed but is not a declaration, and fails here);
- a function page: `@capability_required(caps.X)` (core.web);
- anything anyone may open, or a third-party view: `declare(PUBLIC)(view)` in the URLconf (core.web.declare,
  accounts.capabilities.PUBLIC), or a `capability = PUBLIC` class attribute; SIGNED_IN for "anyone signed in, who
  then sees only their own rows".

A new entry goes in the app's table with the roles and a sentence saying why. An address that takes an id needs an
example below (`EXAMPLES` or, for pages, tests/web/test_every_page.py's examples); the test says which is missing.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.capabilities import Capability
from accounts.models import User
from accounts.roles import Role
from core.web import RoleRequiredMixin
from tests.factories import UserFactory

SKIPPED_PREFIXES = ("admin/",)
WRITE_METHODS = {"post", "put", "patch", "delete"}


@dataclass(frozen=True)
class Address:
    name: str
    route: str
    callback: object

    @property
    def api(self) -> bool:
        return self.route.startswith(("api/", "^api/"))


def addresses(patterns=None, prefix: str = "", namespace: str = ""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from addresses(pattern.url_patterns, prefix + str(pattern.pattern), inner or namespace)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if not route.startswith(SKIPPED_PREFIXES):
                name = (f"{namespace}:" if namespace else "") + (pattern.name or "")
                yield Address(name=name, route=route, callback=pattern.callback)


def _drf_capabilities(callback) -> tuple[Capability | None, Capability | None] | None:
    view_class = callback.cls
    classes = getattr(callback, "initkwargs", {}).get("permission_classes") or view_class.permission_classes
    declared = [permission for permission in classes if getattr(permission, "declared", False)]
    if not declared:
        return None
    return declared[0].read_capability, declared[0].write_capability


def declared(callback) -> tuple[Capability | None, Capability | None] | None:
    """(the capability a GET needs, the one a write needs) as the view declares them; None if it declares none."""
    explicit = getattr(callback, "capability", None)
    if explicit is not None:
        return explicit, explicit
    if hasattr(callback, "cls"):  # Django REST framework
        return _drf_capabilities(callback)
    view_class = getattr(callback, "view_class", None)
    if view_class is None:
        return None
    if issubclass(view_class, RoleRequiredMixin):
        if view_class.capability is None:
            return None
        return view_class.capability, view_class.post_capability or view_class.capability
    capability = getattr(view_class, "capability", None)
    return (capability, capability) if capability is not None else None


def writes(address: Address) -> bool:
    callback = address.callback
    actions = getattr(callback, "actions", None)
    if actions is not None:
        return bool(WRITE_METHODS & set(actions))
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:
        return False
    allowed = set(getattr(view_class, "http_method_names", WRITE_METHODS))
    return any(hasattr(view_class, method) and method in allowed for method in WRITE_METHODS)


def test_every_address_declares_its_capability():
    undeclared = [f"/{address.route} ({address.name})" for address in addresses() if declared(address.callback) is None]
    assert not undeclared, (
        "These views declare no capability (see the docstring of tests/test_url_role_matrix.py for how):\n"
        + "\n".join(undeclared)
    )


def test_a_role_set_written_on_a_view_is_not_a_declaration():
    from django.views.generic import TemplateView
    from rest_framework.views import APIView

    from accounts.permissions import allow
    from contracts.capabilities import FIND_BEDS

    class OldPage(RoleRequiredMixin, TemplateView):
        roles = {Role.BROKER}

    class NewPage(RoleRequiredMixin, TemplateView):
        capability = FIND_BEDS

    class OldEndpoint(APIView):
        permission_classes = [allow(read={Role.BROKER})]

    class BareEndpoint(APIView):
        pass

    assert [declared(view.as_view()) for view in (OldPage, OldEndpoint, BareEndpoint)] == [None, None, None]
    assert declared(NewPage.as_view()) == (FIND_BEDS, FIND_BEDS)


def test_each_table_names_each_action_once_and_says_why():
    seen: dict[str, str] = {}
    for config in apps.get_app_configs():
        try:
            module = __import__(f"{config.name}.capabilities", fromlist=["CAPABILITIES"])
        except ModuleNotFoundError:
            continue
        for name, capability in module.CAPABILITIES.items():
            assert isinstance(capability, Capability) and capability.name == name
            assert capability.why, f"{name} says nobody why"
            assert name not in seen or seen[name] == config.name, f"{name} is in two tables"
            seen[name] = config.name
    assert {"contracts.edit", "market.edit", "quality.audit", "tasks.work_alerts", "geo.manage_boundaries"} <= set(seen)


# --- the walk ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def estate(django_db_setup, django_db_blocker):
    """The demo's estate, loaded once for the module inside a transaction rolled back at its end; each test runs
    in a savepoint of it. A user per role (the provider user is the demo's, a member of its provider)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo_load", stdout=open("/dev/null", "w"))  # noqa: SIM115
        admin = User.objects.get(username="admin")
        _extra_rows(admin)
        people = {role: UserFactory(username=f"matrix-{role.value}", roles=[role]) for role in Role}
        people[Role.PROVIDER_USER] = User.objects.get(username="provider")
        yield people
        transaction.set_rollback(True)


def _extra_rows(admin: User) -> None:
    """Rows the demo leaves out that an address needs: a hold, a boundary upload, a sync run, and delivery's."""
    from contracts.models import BedLine
    from contracts.selectors.voids import free_beds_on
    from contracts.services import hold_place
    from geo.models import BoundaryImport
    from providers.models import SyncRun
    from tasks.models import Channel, Notification, NotificationKind

    today = timezone.localdate()
    broker = User.objects.get(username="broker")
    line = next(line for line in BedLine.objects.filter(contract__status="live") if free_beds_on(line=line, on=today))
    hold_place(bed_line=line, reference="P-0001", start_date=today, by=broker)
    BoundaryImport.objects.create(
        file=SimpleUploadedFile("wards.geojson", b"{}"),
        kind="ward",
        code_field="WD13CD",
        name_field="WD13NM",
        created_by=admin,
    )
    SyncRun.objects.create()
    # An in-app notification, as the fan-out would write after the demo's transaction commits.
    Notification.objects.create(
        channel=Channel.objects.order_by("pk").first(),
        kind=NotificationKind.ALERTS,
        idempotency_key="matrix-example",
        subject="An example",
        due_at=timezone.now(),
    )


def _first(model_path: str, **filters):
    model = apps.get_model(model_path)
    row = model.objects.filter(**filters).order_by("pk").first()
    assert row is not None, f"The estate has no {model_path} {filters or ''}: add one in _extra_rows"
    return row


def api_examples() -> dict[str, dict]:
    """An id for each API address that takes one (pages take theirs from tests/web/test_every_page.py)."""
    from accounts.models import Team
    from tasks.models import Rule

    location = _first("providers.Location")
    return {
        "accounts:user-detail": {"pk": _first("accounts.User").pk},
        "accounts:team-detail": {"pk": (Team.objects.first() or Team.objects.create(name="Matrix team")).pk},
        "geo:locality-detail": {"code": _first("geo.Locality").code},
        "geo:postcode": {"postcode": _first("geo.Postcode").postcode.replace(" ", "")},
        "geo:boundary-import-detail": {"pk": _first("geo.BoundaryImport").pk},
        "providers:provider-detail": {"pk": location.provider_id},
        "providers:location-detail": {"pk": location.pk},
        "providers:location-ratings": {"pk": location.pk},
        "providers:location-rating-changes": {"pk": location.pk},
        "providers:location-registration-events": {"pk": location.pk},
        "providers:rating-change-detail": {"pk": _first("providers.RatingChange").pk},
        "quality:framework-detail": {"pk": _first("quality.Framework").pk},
        "quality:audit-detail": {"pk": _first("quality.Audit").pk},
        "quality:intelligence-detail": {"pk": _first("quality.Intelligence").pk},
        "contracts:contract-detail": {"pk": _first("contracts.Contract").pk},
        "contracts:contract-break-decision": {"pk": _first("contracts.Contract").pk},
        "contracts:bed-line-detail": {"pk": _first("contracts.BedLine").pk},
        "contracts:rate-change-detail": {"pk": _first("contracts.RateChange").pk},
        "contracts:placement-detail": {"pk": _first("contracts.Placement").pk},
        "contracts:placement-end": {"pk": _first("contracts.Placement").pk},
        "contracts:hold-detail": {"pk": _first("contracts.Hold").pk},
        "contracts:hold-convert": {"pk": _first("contracts.Hold").pk},
        "contracts:hold-release": {"pk": _first("contracts.Hold").pk},
        "contracts:closure-detail": {"pk": _first("contracts.Closure").pk},
        "contracts:vacancy-report-detail": {"pk": _first("contracts.VacancyReport").pk},
        "market:tender-detail": {"pk": _first("market.Tender").pk},
        "market:tender-stages": {"pk": _first("market.Tender").pk},
        "market:lot-detail": {"pk": _first("market.Lot").pk},
        "market:lot-status": {"pk": _first("market.Lot").pk},
        "market:round-detail": {"pk": _first("market.ProcurementRound").pk},
        "market:round-close": {"pk": _first("market.ProcurementRound").pk},
        "market:bid-detail": {"pk": _first("market.Bid").pk},
        "market:award-detail": {"pk": _first("market.Award").pk},
        "market:award-end": {"pk": _first("market.Award").pk},
        "market:mobilisation-template-detail": {"pk": _first("market.MobilisationTemplate").pk},
        "market:mobilisation-plan-detail": {"pk": _first("market.MobilisationPlan").pk},
        "market:mobilisation-plan-recruitment-reports": {"pk": _first("market.MobilisationPlan").pk},
        "market:mobilisation-plan-recruitment-trajectory": {"pk": _first("market.MobilisationPlan").pk},
        "market:milestone-detail": {"pk": _first("market.Milestone").pk},
        "market:milestone-progress": {"pk": _first("market.Milestone").pk},
        "market:gateway-detail": {"pk": _first("market.ReadinessGateway").pk},
        "market:gateway-assess": {"pk": _first("market.ReadinessGateway").pk},
        "market:gateway-decide": {"pk": _first("market.ReadinessGateway").pk},
        "market:gateway-decision-detail": {"pk": _first("market.GatewayDecision").pk},
        "market:contingency-arrangement-detail": {"pk": _first("market.ContingencyArrangement").pk},
        "market:contingency-arrangement-trend": {"pk": _first("market.ContingencyArrangement").pk},
        "market:spot-inflation-detail": {"pk": _first("market.SpotInflation").pk},
        "market:spot-price-detail": {"pk": _first("market.SpotPrice").pk},
        "market:demand-detail": {"pk": _first("market.Demand").pk},
        "market:pending-arrangement-detail": {"pk": _first("market.PendingArrangement").pk},
        "market:micro-enterprise-detail": {"pk": _first("market.MicroEnterprise").pk},
        "market:micro-enterprise-status": {"pk": _first("market.MicroEnterprise").pk},
        "market:micro-enterprise-return-detail": {"pk": _first("market.MicroEnterpriseReturn").pk},
        "market:programme-detail": {"pk": _first("market.Programme").pk},
        "market:programme-figures": {"pk": _first("market.Programme").pk},
        "market:programme-figures-export": {"pk": _first("market.Programme").pk},
        "market:programme-health": {"pk": _first("market.Programme").pk},
        "tasks:alert-detail": {"pk": _first("tasks.Alert").pk},
        **{
            f"tasks:alert-{action}": {"pk": _first("tasks.Alert").pk}
            for action in ("acknowledge", "assign", "comment", "reopen", "resolve", "snooze")
        },
        "tasks:alert-rule-detail": {"code": Rule.objects.order_by("code").first().code},
        "tasks:alert-silence-detail": {"pk": _silence().pk},
        "tasks:alert-silence-expire": {"pk": _silence().pk},
        "notifications:channel-detail": {"pk": _first("tasks.Channel").pk},
        "notifications:channel-rotate-secret": {"pk": _first("tasks.Channel").pk},
        "notifications:channel-test": {"pk": _first("tasks.Channel").pk},
        "notifications:subscription-detail": {"pk": _first("tasks.Subscription").pk},
        "notifications:inbox-detail": {"pk": _first("tasks.Notification").pk},
        "notifications:inbox-read": {"pk": _first("tasks.Notification").pk},
        "notifications:delivery-detail": {"pk": _first("tasks.Notification").pk},
        "notifications:delivery-retry": {"pk": _first("tasks.Notification").pk},
        "api-not-found": {"path": "no-such-thing/"},
        # Pages that only take a POST, which tests/web/test_every_page.py does not open.
        "contracts-web:hold-release": {"hold_id": _first("contracts.Hold").pk},
        "tasks-web:alert-action": {"pk": _first("tasks.Alert").pk, "action": "acknowledge"},
        "tasks-web:channel-action": {"pk": _first("tasks.Channel").pk, "action": "test"},
        "failure:person-settle": {
            "pk": _first("market.FailureResponsePerson").response_id,
            "person_id": _first("market.FailureResponsePerson").pk,
        },
        **{
            f"market:oversight-entry-{action}": {"pk": _first("market.OversightEntry").pk}
            for action in ("detail", "stage", "leave")
        },
        **{
            f"market:failure-response-{action}": {"pk": _first("market.FailureResponse").pk}
            for action in ("detail", "close")
        },
        **{
            f"market:failure-response-person-{action}": {"pk": _first("market.FailureResponsePerson").pk}
            for action in ("detail", "move", "stay")
        },
        "market:provider-failure": {"provider_id": _failing_provider()},
        "market:provider-failure-export": {"provider_id": _failing_provider()},
    }


def _failing_provider() -> int:
    """The demo's provider under a failure response (a block provider with people in its beds)."""
    return _first("market.FailureResponse").provider_id


def _silence():
    from tasks.models import Silence

    silence = Silence.objects.order_by("pk").first()
    if silence is None:
        from tasks.services.silences import silence_create

        rule = apps.get_model("tasks.Rule").objects.order_by("code").first()
        silence = silence_create(
            rule=rule,
            provider=_first("providers.Provider"),
            ends_at=timezone.now() + timedelta(days=1),
            reason="A matrix example",
            by=User.objects.get(username="admin"),
        )
    return silence


class MissingExample(Exception):
    pass


# Arguments no id stands for.
FIXED = {"fmt": "csv", "format": "json"}


def fill(address: Address, ids: dict[str, dict]) -> str:
    route = address.route
    if route.startswith("^") or "(?P<" in route or "^" in route:
        path = route.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: "<" + match.group(1) + ">", path)
    else:
        path = route
    names = re.findall(r"<(?:\w+:)?(\w+)>", path)
    for name in names:
        if name in FIXED:
            value = FIXED[name]
        else:
            if name not in ids.get(address.name, {}):
                raise MissingExample(f"/{route} ({address.name}) takes an id: give an example in api_examples()")
            value = ids[address.name][name]
        path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
    return "/" + path


REFUSED = {401, 403}


def _sent_to_sign_in(answer) -> bool:
    return answer.status_code == 302 and answer["Location"].startswith(settings.LOGIN_URL)


def check(answer, *, allowed: bool, role: Role | None, api: bool) -> str | None:
    """What is wrong with the answer, or None."""
    status = answer.status_code
    if status == 500:  # a 503 is an answer (health, while no worker has reported)
        return "answered 500"
    if role is None:
        if allowed:
            return None if status not in REFUSED else f"refused someone not signed in ({status}) on a public address"
        if api:
            return None if status in REFUSED else f"answered {status} to someone not signed in, not 401/403"
        return None if _sent_to_sign_in(answer) else f"answered {status} to someone not signed in, not the sign-in page"
    if allowed:
        return f"refused ({status}) a role its capability allows" if status in REFUSED else None
    if status == 403 or (status == 404 and role == Role.PROVIDER_USER):
        return None
    return f"answered {status} to a role its capability does not allow, not 403"


def ask(client: Client, method: str, path: str):
    """The answer, or the failure a view raised (the test client raises what the view did not answer)."""
    try:
        if method == "GET":
            return client.get(path)
        with transaction.atomic():
            answer = client.post(path, {})
            transaction.set_rollback(True)  # were a refusal to fail, nothing it wrote stays
        return answer
    except Exception as error:  # noqa: BLE001 - reported with the address and role below
        return f"raised {type(error).__name__}: {error}"


def walk(people: dict[Role, User]) -> tuple[list[str], int]:
    """Every address as every role and as someone not signed in: the failures, and how many requests were made."""
    from tests.web.test_every_page import examples as page_examples

    ids = {**page_examples(), **api_examples()}
    clients: dict[Role | None, Client] = {None: Client()}
    for role, user in people.items():
        clients[role] = Client()
        clients[role].force_login(user)

    failures, asked = [], 0
    for address in addresses():
        capabilities = declared(address.callback)
        if capabilities is None:
            continue  # test_every_address_declares_its_capability names it
        read, write = capabilities
        try:
            path = fill(address, ids)
        except MissingExample as missing:
            failures.append(str(missing))
            continue
        for role, client in clients.items():
            user = people.get(role)
            checks = [("GET", read.allows(user) if user is not None else read.public)]
            if writes(address):
                may_write = write is not None and (write.allows(user) if user is not None else write.public)
                if not may_write:  # only refusals: an empty body is refused by the form or serializer anyway
                    checks.append(("POST", False))
            for method, allowed in checks:
                answer = ask(client, method, path)
                asked += 1
                problem = (
                    answer if isinstance(answer, str) else check(answer, allowed=allowed, role=role, api=address.api)
                )
                if problem:
                    failures.append(f"{method} /{address.route} ({address.name}) as {role or 'anonymous'}: {problem}")
    return failures, asked


@pytest.mark.slow
@pytest.mark.django_db
def test_every_address_answers_every_role_as_its_capability_says(estate):
    failures, asked = walk(estate)
    assert asked > 1500
    assert not failures, "\n".join(failures)


@pytest.mark.slow
@pytest.mark.django_db
def test_a_provider_user_opens_its_own_records_and_another_providers_are_not_found(estate):
    from contracts.models import Contract
    from providers.models import Location
    from quality.models import Audit

    provider_user = estate[Role.PROVIDER_USER]
    own = set(provider_user.provider_memberships.values_list("provider_id", flat=True))
    client = Client()
    client.force_login(provider_user)

    def pair(model, provider_field: str):
        rows = model.objects.order_by("pk")
        return (
            rows.filter(**{f"{provider_field}__in": own}).first(),
            rows.exclude(**{f"{provider_field}__in": own}).first(),
        )

    homes = pair(Location, "provider_id")
    contracts = pair(Contract, "provider_id")
    audits = pair(Audit, "location__provider_id")
    addresses = {
        "/api/v1/locations/{}/": homes,
        "/homes/{}/": homes,
        "/portal/homes/{}/": homes,
        "/api/v1/contracts/{}/": contracts,
        "/api/v1/quality/audits/{}/": audits,
        "/portal/quality/{}/": audits,
    }
    answers = {}
    for address, (mine, theirs) in addresses.items():
        assert mine is not None and theirs is not None, address
        answers[address] = (
            client.get(address.format(mine.pk)).status_code,
            client.get(address.format(theirs.pk)).status_code,
        )
    assert answers == dict.fromkeys(addresses, (200, 404))


@pytest.mark.slow
@pytest.mark.django_db
def test_brokers_and_contract_officers_report_vacancies_through_the_api_but_the_portal_page_is_the_providers(estate):
    """The decision recorded in contracts/capabilities.py: one list of who reports vacancies (the API's and the
    admin's), and the portal's page, which lists a provider user's own homes, for provider users."""
    from contracts.models import BedLine

    line = BedLine.objects.filter(contract__status="live").order_by("pk").first()
    for role, expected_api in (
        (Role.BROKER, True),
        (Role.CONTRACT_OFFICER, True),
        (Role.COMMISSIONER, False),
        (Role.COMPLIANCE_OFFICER, False),
    ):
        client = Client()
        client.force_login(estate[role])
        answer = client.post(
            "/api/v1/vacancy-reports/",
            {"location": line.location_id, "care_type": line.care_type, "vacant_beds": 1},
            content_type="application/json",
        )
        assert (answer.status_code != 403) == expected_api, (role, answer.status_code)
        assert client.get("/portal/vacancies/").status_code == 403
        group = estate[role].groups.get(name=role.value)
        assert group.permissions.filter(codename="add_vacancyreport").exists() == expected_api
    client = Client()
    client.force_login(estate[Role.PROVIDER_USER])
    assert client.get("/portal/vacancies/").status_code == 200
