"""An httpx client for the CQC public API (https://api.service.cqc.org.uk/public/v1).

Politeness and patience come from settings: CQC_REQUESTS_PER_SECOND spaces the requests, CQC_TIMEOUT_SECONDS
bounds each one. HTTP 429, the API's "soft" 429 (HTTP 200 whose JSON body says `"statusCode": 429`), 5xx and
network failures are retried with exponential backoff; when the attempts run out the caller gets
CqcUnavailable. A 404 is CqcNotFound so a sync can skip the id and record it.
"""

import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

import httpx
from django.conf import settings

from core.errors import DomainError, NotFound, ServiceUnavailable

logger = logging.getLogger(__name__)

CQC_TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"


class CqcUnavailable(ServiceUnavailable):
    code = "cqc_unavailable"


class CqcNotFound(NotFound):
    code = "cqc_not_found"


@dataclass(frozen=True)
class LocationPage:
    number: int
    ids: list[str]
    next_uri: str  # "" on the last page
    total_pages: int | None = None  # as CQC counts the list's pages, when it says


class CqcClient:
    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        requests_per_second: float | None = None,
        timeout_seconds: float | None = None,
        max_attempts: int = 5,
        backoff_seconds: float = 1.0,
        max_backoff_seconds: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        per_page: int = 1000,
    ):
        self.base_url = (base_url or settings.CQC_API_BASE_URL).rstrip("/") + "/"
        rate = requests_per_second if requests_per_second is not None else settings.CQC_REQUESTS_PER_SECOND
        self.min_interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.sleep = sleep
        self.clock = clock
        self.per_page = per_page
        self._last_request: float | None = None
        key = api_key if api_key is not None else settings.CQC_API_KEY
        headers = {"Accept": "application/json", "User-Agent": f"{settings.SITE_NAME} CQC sync"}
        if key:
            headers["Ocp-Apim-Subscription-Key"] = key
        self.http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout_seconds or settings.CQC_TIMEOUT_SECONDS),
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "CqcClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- single records -------------------------------------------------------------------------------
    def location(self, location_id: str) -> dict:
        return self.get(f"locations/{location_id}")

    def provider(self, provider_id: str) -> dict:
        return self.get(f"providers/{provider_id}")

    # --- paged lists ----------------------------------------------------------------------------------
    def location_ids(self, *, local_authority: str = "", region: str = "") -> Iterator[str]:
        """Ids of every location, optionally in one local authority or region (CQC filters server-side)."""
        for page in self.location_id_pages(local_authority=local_authority, region=region):
            yield from page.ids

    def location_id_pages(
        self, *, local_authority: str = "", region: str = "", start_uri: str = ""
    ) -> Iterator["LocationPage"]:
        """The list of locations page by page, from its first page or from `start_uri` (a `nextPageUri` kept
        by an interrupted load). An item without its `locationId` is a DomainError naming the field and page."""
        params = {"perPage": self.per_page}
        if local_authority:
            params["localAuthority"] = local_authority
        if region:
            params["region"] = region
        bodies = self.pages("locations", params=None if start_uri else params, start_uri=start_uri)
        for number, body in enumerate(bodies, start=1):
            page = body.get("page") or number
            ids = []
            for position, row in enumerate(body.get("locations") or [], start=1):
                if not isinstance(row, dict) or not row.get("locationId"):
                    raise DomainError(
                        f"CQC's list of locations, page {page}, item {position}, has no locationId; "
                        "the load stopped there and continues from that page next time.",
                        field="locationId",
                    )
                ids.append(str(row["locationId"]))
            total = body.get("totalPages")
            yield LocationPage(
                number=page,
                ids=ids,
                next_uri=body.get("nextPageUri") or "",
                total_pages=total if isinstance(total, int) and total >= 0 else None,
            )

    def changed_location_ids(self, *, start: datetime, end: datetime) -> Iterator[str]:
        yield from self._changes("changes/location", start=start, end=end)

    def changed_provider_ids(self, *, start: datetime, end: datetime) -> Iterator[str]:
        yield from self._changes("changes/provider", start=start, end=end)

    def _changes(self, path: str, *, start: datetime, end: datetime) -> Iterator[str]:
        params = {
            "startTimestamp": start.strftime(CQC_TIMESTAMP),
            "endTimestamp": end.strftime(CQC_TIMESTAMP),
            "perPage": self.per_page,
        }
        for page in self.pages(path, params=params):
            yield from page.get("changes") or []

    def pages(self, path: str, *, params: dict | None = None, start_uri: str = "") -> Iterator[dict]:
        """Each page of a paged answer, following `nextPageUri` (relative to the API root) to the end; from
        `start_uri` instead of `path` when given."""
        body = self.get(self._absolute(start_uri)) if start_uri else self.get(path, params=params)
        seen = set()
        while True:
            yield body
            next_uri = body.get("nextPageUri")
            if not next_uri or next_uri in seen:
                return
            seen.add(next_uri)
            body = self.get(self._absolute(next_uri))

    def _absolute(self, uri: str) -> str:
        if uri.startswith(("http://", "https://")):
            return uri
        # CQC gives "/locations?page=2..." meaning under /public/v1, not under the host root.
        return urljoin(self.base_url, uri.lstrip("/"))

    # --- transport ------------------------------------------------------------------------------------
    def get(self, path: str, *, params: dict | None = None) -> dict:
        last_problem = ""
        for attempt in range(1, self.max_attempts + 1):
            self._wait_turn()
            try:
                response = self.http.get(path, params=params)
            except httpx.TimeoutException:
                last_problem = f"no answer within {self.http.timeout.read} s"
                self._back_off(attempt, None)
                continue
            except httpx.TransportError as exc:
                last_problem = f"network error ({type(exc).__name__})"
                self._back_off(attempt, None)
                continue
            if response.status_code == 404:
                raise CqcNotFound(f"CQC has no record at {response.request.url.path}.")
            if response.status_code == 429:
                last_problem = "rate limited (HTTP 429)"
                self._back_off(attempt, _retry_after(response.headers.get("Retry-After"), ""))
                continue
            if response.status_code >= 500:
                last_problem = f"HTTP {response.status_code}"
                self._back_off(attempt, None)
                continue
            if response.status_code >= 400:
                raise CqcUnavailable(f"CQC refused {response.request.url.path} (HTTP {response.status_code}).")
            try:
                body = response.json()
            except ValueError:
                last_problem = "an answer that is not JSON"
                self._back_off(attempt, None)
                continue
            if isinstance(body, dict) and _soft_status(body) == 429:
                # The API gateway sometimes answers 200 with the throttling message in the body.
                last_problem = "rate limited (statusCode 429 in the body)"
                self._back_off(attempt, _retry_after(None, str(body.get("message", ""))))
                continue
            if isinstance(body, dict) and (_soft_status(body) or 0) >= 500:
                last_problem = f"statusCode {_soft_status(body)} in the body"
                self._back_off(attempt, None)
                continue
            return body
        raise CqcUnavailable(f"The CQC API is unavailable: {last_problem} after {self.max_attempts} attempts.")

    def _wait_turn(self) -> None:
        if self.min_interval and self._last_request is not None:
            pause = self._last_request + self.min_interval - self.clock()
            if pause > 0:
                self.sleep(pause)
        self._last_request = self.clock()

    def _back_off(self, attempt: int, suggested: float | None) -> None:
        if attempt >= self.max_attempts:
            return
        delay = suggested if suggested is not None else self.backoff_seconds * 2 ** (attempt - 1)
        logger.info("CQC API: retrying after %.1f s (attempt %d of %d)", delay, attempt, self.max_attempts)
        self.sleep(min(delay, self.max_backoff_seconds))


def _soft_status(body: dict) -> int | None:
    value = body.get("statusCode")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _retry_after(header: str | None, message: str) -> float | None:
    if header:
        try:
            return float(header)
        except ValueError:
            return None
    found = re.search(r"(\d+)\s*second", message)
    return float(found.group(1)) if found else None
