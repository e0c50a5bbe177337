"""Every page and download, asked with hostile query strings, answers below 500.

The walk of `tests/test_viewer_sees_no_personal_data.py` gives every route of the project with
its path filled from a seeded province; here each address is asked again with the query
parameters the pages and the API read (`q`, `page`, `period`, `from`, `format`, `limit`…) set to
values people do not type but attackers and broken clients send: NUL and control characters,
lone surrogates, numbers past 64 bits, negative pages, years 0001 and 9999, offsets of ±23:59,
NaN, ten-thousand-character strings — signed out and as the province's viewer, each value in
every parameter at once; then, as those two and as an officer of the seeded commune, mixes of
hostile and plausible values with each export format. The mixes are drawn with fixed seeds, so a
failure reproduces.
"""

from __future__ import annotations

import random
from urllib.parse import urlencode

from django.test import Client

from tests.test_viewer_sees_no_personal_data import SKIPPED, _fillers, all_routes, province  # noqa: F401

NAMES = [
    "q", "code", "page", "period", "agency", "status", "from", "to", "format", "limit", "offset", "metric", "by",
    "kind", "commune", "category", "wall", "procedure", "channel", "start_date", "end_date", "received_from",
    "received_to", "due_before", "overdue", "service_request_id", "service_code", "locale", "level", "province",
    "start", "amount", "unit", "next", "set",
]
VALUES = [
    "\x00", "\x1b[31m", "\ud800", "%", "'", "x" * 10_000, "-1", str(2**70), "-" + str(2**70), "NaN", "1e999999",
    "0.5", "0001-01-01", "9999-12-31", "9999-12-31T23:59:59-12:00", "2026-01-01T00:00:00+23:59", "2026-Q9", "9999",
    "[]", "../../etc/passwd", "//evil.example", "🙂" * 100,
]
# Values that make sense to some parameter, mixed with the hostile ones.
PLAUSIBLE = ["csv", "xlsx", "pdf", "json", "xml", "true", "0", "H44", "H44.100", "2026-03", "2026-Q1", "2026"]


def _address(base: str, query: dict[str, str]) -> str:
    try:
        return f"{base}?{urlencode(query)}"
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8 form: send the bytes a client would
        return base + "?" + "&".join(f"{name}=%ED%A0%80" for name in query)


def _ask(client: Client, url: str, rng: random.Random, who: str, failures: list[str], *, every: bool) -> int:
    """With `every`, each hostile value in every parameter at once; then, always, mixes of
    hostile and plausible values with each export format. Returns how many requests were made."""
    base = url.split("?", 1)[0]
    queries = [dict.fromkeys(NAMES, value) for value in VALUES] if every else []
    for fmt in ("csv", "xlsx", "pdf", "json"):
        queries.append({name: rng.choice(VALUES + PLAUSIBLE) for name in NAMES} | {"format": fmt})
    for query in queries:
        address = _address(base, query)
        response = client.get(address)
        if response.status_code >= 500:
            failures.append(f"{who} {response.status_code} {address[:300]}")
    return len(queries)


def test_hostile_query_strings_never_cause_a_server_error(province, world):  # noqa: F811
    # A view's exception is answered 500 and collected, as a real server would, not raised.
    officer = Client(raise_request_exception=False)
    officer.force_login(world.reception.user)
    viewer = Client(raise_request_exception=False)
    viewer.force_login(world.province_viewer.user)
    clients = {"anonymous": Client(raise_request_exception=False), "viewer": viewer, "officer": officer}
    fillers = _fillers(province)
    failures: list[str] = []
    asked = 0
    for index, route in enumerate(all_routes()):
        if route.key in SKIPPED:
            continue
        url = fillers[route.key]()[0]
        for who, client in clients.items():
            rng = random.Random(f"{route.key}:{who}:{index}")
            asked += _ask(client, url, rng, who, failures, every=who != "officer")
    assert asked > 2000
    assert not failures, "\n".join(failures[:20])
