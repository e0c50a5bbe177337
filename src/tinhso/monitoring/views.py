"""`/metrics`: Prometheus' scrape endpoint, behind the settings that name who may read it."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """404 when metrics are off (no token, no addresses set), 403 for a caller not allowed."""
    # Imported here, not at the top: prometheus_client must first be imported after `tinhso
    # serve` has chosen the multiprocess directory (tinhso.monitoring.metrics).
    from tinhso.monitoring.metrics import exposition, metrics_enabled, scrape_allowed

    if not metrics_enabled():
        raise Http404("metrics are off")
    if not scrape_allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)
