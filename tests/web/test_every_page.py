"""Every page, opened by each role over the demo data, reads as a council's own: no `None`, no stored choice value
such as `nursing_dementia`, no unformatted decimal or ISO datetime, and never Django's debug page.

The pages are found by walking the URL patterns (not /api/ or /admin/), so a new page is covered as soon as it is
added; a page with an id in its address needs an example below, and the test says which one is missing."""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import Team, User
from contracts.models import BedLine, Contract, Hold, Placement
from contracts.selectors.voids import free_beds_on
from contracts.services import hold_place
from core.present import _project_choices
from geo.models import BoundaryImport
from market.models import (
    Bid,
    FailureResponse,
    Lot,
    MicroEnterprise,
    Milestone,
    OversightEntry,
    PendingArrangement,
    ProcurementRound,
    Tender,
)
from providers.models import Location, Provider, SyncRun
from quality.models import Audit
from tasks.models import Alert, Subscription

SKIPPED_PREFIXES = ("api/", "api-auth/", "admin/", "health/", "^api/")
# Addresses that only take a POST (their forms are on the pages this test opens).
POST_ONLY = {
    "accounts-web:sign-out",
    "contracts-web:hold-release",
    "tasks-web:alert-action",
    "tasks-web:channel-action",
    "providers-sync:run-now",
    "failure:person-settle",
}


def page_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from page_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner or namespace)
        elif isinstance(pattern, URLPattern):
            path = prefix + str(pattern.pattern)
            if not path.startswith(SKIPPED_PREFIXES):
                yield (f"{namespace}:" if namespace else "") + (pattern.name or ""), path


def examples() -> dict[str, dict]:
    """An id of the demo for each address that takes one."""
    provider_home = Location.objects.filter(provider__memberships__user__username="provider").first()
    hold = Hold.objects.first()
    alert = Alert.objects.exclude(status="resolved").first()
    milestone = Milestone.objects.filter(plan__award__ended_on__isnull=True).select_related("plan__award").first()
    contingency_lot = Lot.objects.filter(contingency_arrangements__isnull=False).first() or Lot.objects.first()
    care_home_stay = Placement.objects.filter(service="care_home", end_date__isnull=True).first()
    provider_audit = Audit.objects.filter(location__provider__memberships__user__username="provider").first()
    open_round = ProcurementRound.objects.filter(closed_on__isnull=True).first() or ProcurementRound.objects.first()
    bid = Bid.objects.filter(rank__isnull=False).first() or Bid.objects.first()
    micro = MicroEnterprise.objects.first()
    delivering = (
        Milestone.objects.filter(
            plan__award__ended_on__isnull=True, plan__award__bid__provider__memberships__user__username="provider"
        ).first()
        or milestone
    )
    waiting = PendingArrangement.objects.filter(ended_on__isnull=True).first()
    # The compliance officer's own subscription, and the team they own (the others' answer 404: not theirs).
    subscription = Subscription.objects.filter(user__username="compliance").first()
    owned_team = Team.objects.filter(owners__username="compliance").first()
    return {
        "tenders:tender": {"pk": bid.round.tender_id},
        "tenders:round-new": {"pk": Tender.objects.first().pk},
        "tenders:invite": {"round_id": open_round.pk},
        "tenders:bid-new": {"round_id": open_round.pk},
        "tenders:award": {"bid_id": bid.pk},
        "micro:detail": {"pk": micro.pk},
        "micro:status": {"pk": micro.pk},
        "micro:return-new": {"pk": micro.pk},
        "lots:lot-status": {"pk": Lot.objects.first().pk},
        "lots:milestone-report": {"pk": milestone.plan.award.lot_id, "milestone_id": milestone.pk},
        "lots:contingency-transfer": {"pk": contingency_lot.pk},
        "contracts-web:hold-new": {"bed_line_id": BedLine.objects.first().pk},
        "contracts-web:person": {"reference": care_home_stay.reference},
        "contracts-web:placement-end": {"placement_id": care_home_stay.pk},
        "contracts-web:placement-move": {"placement_id": care_home_stay.pk},
        "contracts-web:hold-place": {"hold_id": hold.pk},
        "providers-portal:home": {"location_id": provider_home.pk},
        "tasks-web:alert": {"pk": alert.pk},
        "tasks-web:subscription": {"pk": subscription.pk},
        "tasks-web:subscription-remove": {"pk": subscription.pk},
        "tasks-web:team-subscription-new": {"team_id": owned_team.pk},
        "tasks-web:team-channel-new": {"team_id": owned_team.pk},
        "geo-web:boundary-import": {"pk": BoundaryImport.objects.first().pk},
        "providers-sync:run": {"pk": SyncRun.objects.first().pk},
        "register:provider": {"pk": Provider.objects.filter(contracts__isnull=False).first().pk},
        "register:home": {"pk": BedLine.objects.first().location_id},
        "register:contract": {"pk": Contract.objects.filter(bed_lines__isnull=False).first().pk},
        "register:contract-vary": {"pk": Contract.objects.filter(bed_lines__isnull=False).first().pk},
        "register:bed-line": {"pk": BedLine.objects.first().pk},
        "lots:lot": {"pk": (Lot.objects.filter(status="vacant").first() or Lot.objects.first()).pk},
        "quality-web:audit": {"pk": Audit.objects.filter(action_plan__isnull=False).first().pk},
        "quality-web:findings": {"pk": Audit.objects.filter(status="published").first().pk},
        "quality-web:home": {"location_id": Audit.objects.filter(status="published").first().location_id},
        "quality-portal:audit": {"pk": provider_audit.pk},
        "market-portal:milestone": {"milestone_id": delivering.pk},
        "market-portal:recruitment": {"plan_id": delivering.plan_id},
        "waiting:close": {"pk": waiting.pk},
        "failure:provider": {"provider_id": Provider.objects.filter(contracts__isnull=False).first().pk},
        "failure:respond": {"provider_id": Provider.objects.filter(contracts__isnull=False).first().pk},
        "failure:oversight-entry": {"pk": OversightEntry.objects.first().pk},
        "failure:response": {"pk": FailureResponse.objects.first().pk},
    }


def addresses() -> list[str]:
    """Every page's address, with the demo's ids filled in, and a few searches the pages answer."""
    ids = examples()
    found = []
    for name, path in page_patterns():
        if name in POST_ONLY:
            continue
        kwargs = re.findall(r"<(?:\w+:)?(\w+)>", path)
        if kwargs:
            assert name in ids, f"{path} ({name}) takes an id: give an example in tests/web/test_every_page.py"
            for key in kwargs:
                path = re.sub(rf"<(?:\w+:)?{key}>", str(ids[name][key]), path)
        found.append("/" + path)
    today = timezone.localdate()
    found += [
        f"/beds/?care_type=residential&district=&postcode={POSTCODE}&radius_km=40&from={today.isoformat()}",
        f"/beds/?care_type=nursing_dementia&district=E07000009&postcode=&radius_km=&from={today.isoformat()}",
        "/map/?layer=lot_area",
        "/map/?layer=ward",
        f"/beds/vacancies/?postcode={POSTCODE}",
    ]
    return found


class Text(HTMLParser):
    """The text a person reads: each piece of text between tags, without scripts and styles."""

    def __init__(self):
        super().__init__()
        self.pieces: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.pieces.append(" ".join(data.split()))


DEMO_USERS = ["admin", "commissioner", "compliance", "broker", "contracts", "provider"]


def stored_values() -> tuple[set[str], set[str]]:
    """The service's own stored choice values (lower-case identifiers such as `nursing_dementia`; CQC's own words
    such as `Requires improvement` are their labels too) a person should never read: those with an underscore are
    never English; the others (`live` for `Live`, `red` for `Red`) are ordinary words too, and are caught only when
    they stand alone or follow a colon. The demo's user names are shown as they are, though some are also roles."""
    compound, words = set(), set()
    for cls in _project_choices():
        for member in cls:
            value = member.value
            if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_]*", value) and value != str(member.label):
                (compound if "_" in value else words).add(value)
    return compound, words - set(DEMO_USERS)


ISO_MOMENT = re.compile(r"\b\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}|\b)")
LONG_DECIMAL = re.compile(r"\b\d+\.\d{3,}\b|\b\d{5,}\.\d+\b|£\d{4,}")
NONE = re.compile(r"\bNone\b")
POSTCODE = "CB1+1AA"  # one of the demo's postcodes (geo/data/demo_postcodes.csv)


def problems_of(html: str, compound: set[str], words: set[str]) -> list[str]:
    if "DEBUG = True" in html or "technical_500" in html or "Traceback" in html:
        return ["Django's debug page"]
    parser = Text()
    parser.feed(html)
    found = ["an error summary (the page's own query was refused)"] if "There is a problem" in html else []
    for piece in parser.pieces:
        if NONE.search(piece):
            found.append(f"None in {piece!r}")
        if ISO_MOMENT.search(piece):
            found.append(f"ISO date in {piece!r}")
        if LONG_DECIMAL.search(piece):
            found.append(f"unformatted number in {piece!r}")
        tokens = set(re.findall(r"[a-z][a-z0-9_]*_[a-z0-9_]+", piece))
        for value in tokens & compound:
            found.append(f"stored value {value!r} in {piece!r}")
        standalone = piece.strip(" .,;()") if ":" not in piece else piece.rsplit(":", 1)[1].strip(" .,;()")
        if standalone in words:
            found.append(f"stored value {standalone!r} in {piece!r}")
    return found


def demo_with_every_page() -> None:
    """The demo, and the few rows it lacks for every page to have an example: a hold, a boundary upload, a CQC sync."""
    call_command("demo_load", stdout=open("/dev/null", "w"))  # noqa: SIM115
    admin = User.objects.get(username="admin")
    broker = User.objects.get(username="broker")
    today = timezone.localdate()
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


@pytest.mark.slow
@pytest.mark.django_db(transaction=False)
def test_every_page_as_every_role_shows_values_in_words():
    demo_with_every_page()
    compound, words = stored_values()
    assert "nursing_dementia" in compound and "live" in words

    failures = []
    pages = addresses()
    opened = 0
    for user in User.objects.filter(username__in=DEMO_USERS):
        client = Client()
        client.force_login(user)
        for address in pages:
            answer = client.get(address, follow=True)
            if answer.status_code in (403, 404) and b"govuk-template" in answer.content:
                continue  # not this role's page: the service's own 403 or 404 page
            if answer.status_code != 200:
                failures.append(f"{user.username} {address}: answered {answer.status_code}")
                continue
            if not answer["Content-Type"].startswith("text/html"):
                continue  # a file to download (the vacancy CSV template), not a page to read
            opened += 1
            found = problems_of(answer.content.decode(), compound, words)
            failures += [f"{user.username} {address}: {problem}" for problem in found]
    assert opened > 60
    assert not failures, "\n".join(sorted(set(failures)))
