"""Throttles for everything that checks a secret: how many tries a key gets in a time window.

`throttle_hit(rule, key)` counts one try and says whether it is still within the rule's limit;
`throttle_exceeded(rule, key)` only looks. The count is one atomic upsert
(`INSERT … ON CONFLICT … DO UPDATE … RETURNING`, PostgreSQL and SQLite alike), so a limit holds
under parallel requests from several processes: of twenty codes asked for one phone at the same
instant, exactly `limit` are sent. Windows are fixed (a rule of 3 per 15 minutes counts from :00,
:15, :30, :45). Keys are stored as a digest keyed with the site's secret, never as the phone,
the dossier code or the address itself. The worker deletes windows once they are over.

The rules in use, each read from a setting so a province can tune them:

| rule | key | default |
|---|---|---|
| `OTP_PER_PHONE` | phone | 3 codes per 15 minutes |
| `OTP_PER_ADDRESS` | client address | 10 codes per hour |
| `OTP_CHECKS_PER_ADDRESS` | client address | 30 checks per hour |
| `RATING_PER_DOSSIER` | dossier code | 5 wrong "last four digits" per day |
| `RATING_PER_ADDRESS` | client address | 20 wrong "last four digits" per hour |
| `API_KEY_PER_ADDRESS` | client address | 30 unknown API keys per 10 minutes |
| `CITIZEN_TOKEN_PER_ADDRESS` | client address | 30 refused citizen access tokens per 10 minutes |
| `STAFF_OTP_PER_USER` | staff user | 5 wrong second-factor codes per 15 minutes |
| `STAFF_OTP_PER_ADDRESS` | client address | 20 wrong second-factor codes per hour |
| `VERIFY_PER_ADDRESS` | client address | 60 signed PDFs checked per hour (`/xac-thuc/`, `POST /api/v1/verify`) |
| `PAYMENT_WEBHOOK_PER_ADDRESS` | client address | 30 wrong payment-webhook secrets per 10 minutes |

Staff passwords are throttled by django-axes (lockout after `TINHSO_LOGIN_FAILURE_LIMIT`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from tinhso.throttling.models import ThrottleCount

_TABLE = ThrottleCount._meta.db_table


@dataclass(frozen=True)
class Rule:
    scope: str
    limit: int
    window: timedelta


# Each rule: the setting that holds its limit, and its window.
RULES: dict[str, tuple[str, timedelta]] = {
    "OTP_PER_PHONE": ("TINHSO_OTP_MAX_PER_PHONE", timedelta(minutes=15)),
    "OTP_PER_ADDRESS": ("TINHSO_OTP_MAX_PER_IP", timedelta(hours=1)),
    "OTP_CHECKS_PER_ADDRESS": ("TINHSO_OTP_MAX_CHECKS_PER_IP", timedelta(hours=1)),
    "RATING_PER_DOSSIER": ("TINHSO_RATING_MAX_FAILURES_PER_DOSSIER", timedelta(days=1)),
    "RATING_PER_ADDRESS": ("TINHSO_RATING_MAX_FAILURES_PER_IP", timedelta(hours=1)),
    "API_KEY_PER_ADDRESS": ("TINHSO_API_KEY_MAX_FAILURES_PER_IP", timedelta(minutes=10)),
    "CITIZEN_TOKEN_PER_ADDRESS": ("TINHSO_CITIZEN_TOKEN_MAX_FAILURES_PER_IP", timedelta(minutes=10)),
    "STAFF_OTP_PER_USER": ("TINHSO_STAFF_OTP_MAX_FAILURES_PER_USER", timedelta(minutes=15)),
    "STAFF_OTP_PER_ADDRESS": ("TINHSO_STAFF_OTP_MAX_FAILURES_PER_IP", timedelta(hours=1)),
    "VERIFY_PER_ADDRESS": ("TINHSO_VERIFY_MAX_PER_IP", timedelta(hours=1)),
    "PAYMENT_WEBHOOK_PER_ADDRESS": ("TINHSO_PAYMENT_WEBHOOK_MAX_FAILURES_PER_IP", timedelta(minutes=10)),
}


def rule(name: str) -> Rule:
    """A rule by its name in the table above, with its limit read from the settings now."""
    setting, window = RULES[name]
    return Rule(scope=name.lower().replace("_", "."), limit=int(getattr(settings, setting)), window=window)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window ends

    @property
    def retry_minutes(self) -> int:
        return max(1, -(-self.retry_after // 60))


def _digest(scope: str, key: str) -> str:
    secret = hashlib.sha256(f"tinhso.throttling:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(secret, f"{scope}:{key}".encode(), hashlib.sha256).hexdigest()


def _window(rule: Rule, now: datetime) -> datetime:
    seconds = int(rule.window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def _verdict(rule: Rule, count: int, start: datetime, now: datetime) -> Verdict:
    retry = int((start + rule.window - now).total_seconds()) + 1
    return Verdict(allowed=count <= rule.limit, count=count, retry_after=max(retry, 1))


def throttle_hit(rule: Rule, key: str, *, now: datetime | None = None) -> Verdict:
    """Count one try of `key` under `rule`; `allowed` is False once the tries exceed the limit."""
    now = now or timezone.now()
    start = _window(rule, now)
    sql = (
        f"INSERT INTO {_TABLE} (scope, key, window_start, count, expires_at) VALUES (%s, %s, %s, 1, %s) "
        f"ON CONFLICT (scope, key, window_start) DO UPDATE SET count = {_TABLE}.count + 1 RETURNING count"
    )
    with connection.cursor() as cursor:
        adapt = connection.ops.adapt_datetimefield_value  # what the ORM writes, on SQLite too
        cursor.execute(sql, [rule.scope, _digest(rule.scope, key), adapt(start), adapt(start + rule.window)])
        row = cursor.fetchone()
    assert row is not None
    return _verdict(rule, int(row[0]), start, now)


def throttle_exceeded(rule: Rule, key: str, *, now: datetime | None = None) -> Verdict | None:
    """The verdict when `key` has used up its tries under `rule`, None while it has tries left."""
    now = now or timezone.now()
    start = _window(rule, now)
    count = (
        ThrottleCount.objects.filter(scope=rule.scope, key=_digest(rule.scope, key), window_start=start)
        .values_list("count", flat=True).first()
    ) or 0
    return _verdict(rule, count, start, now) if count >= rule.limit else None


def throttle_purge(*, now: datetime | None = None) -> int:
    deleted, _counts = ThrottleCount.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
