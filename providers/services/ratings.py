"""Recording CQC ratings: the rating history, each location's current rating, and the RatingChange rows the
alert engine reads. Every import, the sync and manual entry go through `ratings_record`, so a change is
detected the same way whatever brought it in."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from django.db import connection, transaction

from core.errors import DomainError
from providers.models import RATING_RANK, Direction, Location, Question, Rating, RatingChange, RatingValue
from providers.signals import risk_changed_send

KEY_QUESTIONS = ("safe", "effective", "caring", "responsive", "well_led")
QUESTIONS = ("overall", *KEY_QUESTIONS)
# The questions as CQC names them, lower-cased: "Domain" in the ratings sheet, keyQuestionRatings[].name in the API.
QUESTION_NAMES = {
    "overall": "overall",
    "safe": "safe",
    "effective": "effective",
    "caring": "caring",
    "responsive": "responsive",
    "well-led": "well_led",
    "well led": "well_led",
    "well_led": "well_led",
}
VALID_VALUES = frozenset(RatingValue.values)


@dataclass(frozen=True)
class RatingInput:
    """One published rating of one location, as a file or the API gives it. Blank key questions are unknown,
    not "no rating"."""

    location_id: int
    overall: str
    report_date: date | None = None
    report_link_id: str = ""
    safe: str = ""
    effective: str = ""
    caring: str = ""
    responsive: str = ""
    well_led: str = ""


@dataclass
class RatingsOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[RatingChange] = field(default_factory=list)


def direction_of(from_value: str, to_value: str) -> Direction:
    """Up or down only between real ratings; "Inspected but not rated" and the like are never better or worse."""
    before, after = RATING_RANK.get(from_value), RATING_RANK.get(to_value)
    if before is None or after is None:
        return Direction.CHANGED
    return Direction.UP if after > before else Direction.DOWN


def rating_value_check(value: str, *, field_name: str) -> str:
    if value not in VALID_VALUES:
        raise DomainError(
            f"{value!r} is not a CQC rating value (expected one of: {', '.join(RatingValue.values)}).",
            field=field_name,
        )
    return value


def rating_input_check(item: RatingInput) -> None:
    """Refuse a value CQC does not publish, naming the question it was given for."""
    rating_value_check(item.overall, field_name="overall")
    for question in KEY_QUESTIONS:
        if getattr(item, question):
            rating_value_check(getattr(item, question), field_name=question)


def _is_newer_or_same(candidate: date | None, current: date | None) -> bool:
    # An undated rating is taken as just published: CQC always dates its reports, so this only happens with
    # hand-made data, where "the one I am entering now" is the intended reading.
    return candidate is None or current is None or candidate >= current


def _same_as(stored: Rating | SimpleNamespace, given: RatingInput) -> bool:
    if stored.overall != given.overall:
        return False
    return all(not getattr(given, q) or getattr(given, q) == getattr(stored, q) for q in KEY_QUESTIONS)


def _differences(old: Rating, new: Rating | RatingInput) -> list[tuple[str, str, str]]:
    found = []
    for question in QUESTIONS:
        before, after = getattr(old, question), getattr(new, question)
        # A blank key question is "not given", so it neither starts nor ends a change.
        if before and after and before != after:
            found.append((question, before, after))
    return found


def _drop_already_current(by_location: dict[int, list[RatingInput]]) -> int:
    """Remove the locations whose every given rating is their current one already, reading plain values.
    An unchanged re-import is mostly such locations, and it then builds no model instances at all."""
    fields = ("overall", *KEY_QUESTIONS, "report_date", "report_link_id")
    current: dict[int, SimpleNamespace] = {}
    ids = list(by_location)
    for start in range(0, len(ids), 10000):
        rows = Location.objects.filter(pk__in=ids[start : start + 10000], current_rating__isnull=False).values_list(
            "id", *(f"current_rating__{name}" for name in fields)
        )
        current.update((row[0], SimpleNamespace(**dict(zip(fields, row[1:], strict=True)))) for row in rows)
    dropped = 0
    for location_id in ids:
        stored = current.get(location_id)
        if stored is None:
            continue
        items = by_location[location_id]
        if all(
            _is_newer_or_same(item.report_date, stored.report_date)
            and _same_as(stored, item)
            and not (item.report_link_id and stored.report_link_id and item.report_link_id != stored.report_link_id)
            for item in items
        ):
            dropped += len(items)
            del by_location[location_id]
    return dropped


@transaction.atomic
def ratings_record(*, ratings: Iterable[RatingInput], source: str) -> RatingsOutcome:
    """Store many ratings at once (a few queries in all, whatever their number). A rating at least as recent
    as a location's current one becomes current, and each question whose value differs from the stored
    current rating gives one RatingChange. Older ratings join the history quietly. Seen-before ratings write
    nothing, so running the same input twice is harmless.

    Changes among the ratings of a location that had none before (a first sync replaying years of reports, the
    first file that sees it), and changes between older reports read together with a newer one, are marked
    historic: they happened long ago and were only now read, so they are kept in the history but are not news
    for the rating-changes list or the alerts."""
    given = list(ratings)
    for item in given:
        rating_input_check(item)
    outcome = RatingsOutcome()
    if not given:
        return outcome

    by_location: dict[int, list[RatingInput]] = defaultdict(list)
    for item in given:
        by_location[item.location_id].append(item)
    outcome.unchanged = _drop_already_current(by_location)
    if not by_location:
        return outcome
    locations = {
        location.pk: location
        for location in Location.objects.select_for_update(of=("self",))
        .select_related("current_rating")
        .filter(pk__in=by_location)
        .only("id", "provider_id", "current_rating")
    }
    missing = set(by_location) - set(locations)
    if missing:
        raise DomainError(f"No location with id {sorted(missing)[0]}.", field="location_id")
    stored: dict[tuple[int, date | None, str], Rating] = {
        (rating.location_id, rating.report_date, rating.overall): rating
        for rating in Rating.objects.filter(location_id__in=by_location)
    }

    new_ratings: list[Rating] = []
    edited: dict[int, Rating] = {}
    pending_changes: list[tuple[Rating, Location, str, str, str]] = []
    moved: set[int] = set()
    first_seen: set[int] = set()

    for location_id, items in by_location.items():
        location = locations[location_id]
        current = location.current_rating
        if current is None:
            first_seen.add(location_id)
        items.sort(key=lambda item: (item.report_date is None, item.report_date or date.min))
        for item in items:
            key = (location_id, item.report_date, item.overall)
            is_current_candidate = current is None or _is_newer_or_same(item.report_date, current.report_date)
            if current is not None and is_current_candidate and _same_as(current, item):
                new_report = (
                    item.report_link_id and current.report_link_id and (item.report_link_id != current.report_link_id)
                )
                if not new_report or key in stored:
                    outcome.unchanged += 1
                    continue
            rating = stored.get(key)
            if rating is not None:
                # The same report seen again with more (or corrected) key question ratings.
                fills = {q: getattr(item, q) for q in KEY_QUESTIONS if getattr(item, q)}
                fills = {q: v for q, v in fills.items() if getattr(rating, q) != v}
                if item.report_link_id and not rating.report_link_id:
                    fills["report_link_id"] = item.report_link_id
                if not fills:
                    outcome.unchanged += 1
                    if is_current_candidate and current is not rating:
                        current = rating
                        location.current_rating = rating
                        moved.add(location_id)
                    continue
                if current is rating:
                    for question in KEY_QUESTIONS:
                        if question in fills and getattr(rating, question):
                            pending_changes.append(
                                (rating, location, question, getattr(rating, question), fills[question])
                            )
                for name, value in fills.items():
                    setattr(rating, name, value)
                if rating.pk:
                    edited[rating.pk] = rating
                outcome.updated += 1
                continue
            rating = Rating(
                location_id=location_id,
                provider_id=location.provider_id,
                overall=item.overall,
                report_date=item.report_date,
                report_link_id=item.report_link_id,
                source=source,
                **{q: getattr(item, q) for q in KEY_QUESTIONS},
            )
            stored[key] = rating
            new_ratings.append(rating)
            outcome.created += 1
            if is_current_candidate:
                if current is not None:
                    for question, before, after in _differences(current, rating):
                        pending_changes.append((rating, location, question, before, after))
                current = rating
                location.current_rating = rating
                moved.add(location_id)

    Rating.objects.bulk_create(new_ratings, batch_size=2000)
    if edited:
        Rating.objects.bulk_update(list(edited.values()), [*KEY_QUESTIONS, "report_link_id"], batch_size=2000)
    if moved:
        # executemany rather than bulk_update: Django's CASE WHEN statement grows quadratically to build, and
        # a whole-directory import moves tens of thousands of current ratings at once.
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Location._meta.db_table} SET current_rating_id = %s WHERE id = %s",  # noqa: S608 - model's own table; values are parameters
                [(locations[pk].current_rating.pk, pk) for pk in moved],
            )
    outcome.changes = RatingChange.objects.bulk_create(
        [
            RatingChange(
                location_id=location.pk,
                provider_id=location.provider_id,
                rating=rating if rating.pk else None,
                question=Question(question),
                from_value=before,
                to_value=after,
                direction=direction_of(before, after),
                report_date=rating.report_date,
                source=source,
                # Only a change to the rating that ends up current is news; the steps before it in the same
                # batch (older reports read together) are history, as is everything of a first load.
                historic=location.pk in first_seen or location.current_rating is not rating,
            )
            for rating, location, question, before, after in pending_changes
        ],
        batch_size=2000,
    )
    risk_changed_send("ratings")
    return outcome


def rating_record(
    *,
    location: Location,
    overall: str,
    report_date: date | None,
    source: str = "manual",
    report_link_id: str = "",
    safe: str = "",
    effective: str = "",
    caring: str = "",
    responsive: str = "",
    well_led: str = "",
) -> RatingsOutcome:
    """One rating of one location (manual entry, demo data): the same rules as the imports. A blank key
    question is "not given"."""
    return ratings_record(
        ratings=[
            RatingInput(
                location_id=location.pk,
                overall=overall,
                report_date=report_date,
                report_link_id=report_link_id,
                safe=safe,
                effective=effective,
                caring=caring,
                responsive=responsive,
                well_led=well_led,
            )
        ],
        source=source,
    )
