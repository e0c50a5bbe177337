"""Prometheus metrics at `/metrics`: what each web process measures, and what the database says.

Measured per request / per change (prometheus_client counters and histograms):
- `tinhso_http_request_duration_seconds{view, status}` — latency by URL name and status class;
- `tinhso_dossier_actions_total{action}` — every dossier action (receive, forward, approve, …)
  after it committed; `tinhso_dossier_receipts_total` — the receipts alone.
Read at scrape time from the database and the queue (the same in every process):
- `tinhso_queue_depth` — tasks waiting in huey's queue;
- `tinhso_sweep_lag_seconds` — age of the oldest open dossier past its due moment that the
  every-minute sweep has not marked yet (0 when none: the sweep keeps up);
- `tinhso_worker_heartbeat_age_seconds` — seconds since the worker's last heartbeat.

`tinhso serve` runs several gunicorn processes: it points `PROMETHEUS_MULTIPROC_DIR` at a fresh
directory before they start, so each scrape adds up every process (prometheus_client's
multiprocess mode). Without it (runserver, tests) the numbers are this process's own.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUEST_DURATION = Histogram(
    "tinhso_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL name and status class.",
    ["view", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DOSSIER_ACTIONS = Counter("tinhso_dossier_actions", "Dossier actions committed, by action.", ["action"])
RECEIPTS = Counter("tinhso_dossier_receipts", "Dossiers received (the receive action).")


def count_action(action: str) -> None:
    DOSSIER_ACTIONS.labels(action=action).inc()
    if action == "receive":
        RECEIPTS.inc()


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def view_label(request: HttpRequest) -> str:
    """The URL's name (`api-1.0.0:health`, `workspace:inbox`), never the raw path (unbounded labels)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or "unnamed"


class RequestMetricsMiddleware:
    """Times every request, by view and status class."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_DURATION.labels(view=view_label(request), status=status_class(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response


class DatabaseCollector(Collector):
    """Gauges read when Prometheus scrapes: queue depth, sweep lag, worker heartbeat age."""

    def collect(self) -> Iterator[Metric]:
        from django.db.models import Min

        from tinhso.dossiers.models import OPEN_STATUSES, Dossier
        from tinhso.monitoring.health import _huey
        from tinhso.monitoring.models import Heartbeat
        from tinhso.monitoring.services import WORKER

        now = timezone.now()
        queue = GaugeMetricFamily("tinhso_queue_depth", "Tasks waiting in the queue.")
        # The queue does not answer: no sample (the health check says why).
        with contextlib.suppress(Exception):
            queue.add_metric([], float(_huey().pending_count()))
        yield queue
        # The partial index dossier_overdue_pending holds exactly these rows: a cheap MIN.
        oldest = Dossier.objects.filter(
            status__in=OPEN_STATUSES, marked_overdue=False, paused_at__isnull=True, due_at__lt=now
        ).aggregate(oldest=Min("due_at"))["oldest"]
        lag = GaugeMetricFamily(
            "tinhso_sweep_lag_seconds", "Age of the oldest overdue open dossier the sweep has not marked yet."
        )
        lag.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
        yield lag
        beat = Heartbeat.objects.filter(name=WORKER).values_list("beat_at", flat=True).first()
        heartbeat = GaugeMetricFamily("tinhso_worker_heartbeat_age_seconds", "Seconds since the worker's last heartbeat.")
        if beat is not None:
            heartbeat.add_metric([], (now - beat).total_seconds())
        yield heartbeat


def registry() -> Any:
    """The registry a scrape reads: every process's files in multiprocess mode, else this process."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        reg = CollectorRegistry()
        multiprocess.MultiProcessCollector(reg)
    else:
        reg = CollectorRegistry()
        for collector in (REQUEST_DURATION, DOSSIER_ACTIONS, RECEIPTS):
            reg.register(collector)
    reg.register(DatabaseCollector())
    return reg


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    return generate_latest(registry()), CONTENT_TYPE_LATEST


def metrics_enabled() -> bool:
    return bool(settings.TINHSO_METRICS_TOKEN or settings.TINHSO_METRICS_ALLOWED_IPS)


def scrape_allowed(request: HttpRequest) -> bool:
    """/metrics answers only a caller the settings name: the bearer token, or an allowed address.

    Neither `TINHSO_METRICS_TOKEN` nor `TINHSO_METRICS_ALLOWED_IPS` set: /metrics does not exist (404)."""
    import hmac
    import ipaddress

    from tinhso.core.clients import client_address

    token = settings.TINHSO_METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "")
        if sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].strip().encode(), token.encode()):
            return True
    networks = settings.TINHSO_METRICS_ALLOWED_IPS
    if networks:
        address = client_address(request)
        if address:
            ip = ipaddress.ip_address(address)
            return any(ip in ipaddress.ip_network(net, strict=False) for net in networks)
    return False
