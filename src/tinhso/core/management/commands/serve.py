"""`tinhso serve`: the production web server, gunicorn inside this process.

gunicorn runs `tinhso.wsgi:application` through its `BaseApplication` API, so `tinhso serve`
needs no separate `gunicorn` binary or config file. Static files are served by whitenoise (in
MIDDLEWARE) from `STATIC_ROOT`, which `tinhso setup` fills. `tinhso demo` serves through
`run_server` below, so both commands start the same server.
"""

from __future__ import annotations

import copy
import os
import socket
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

# More workers than this gains nothing on one machine and costs memory (each is a process).
MAX_DEFAULT_WORKERS = 8
THREADS = 4


def default_workers() -> int:
    """2 × cores + 1, the usual gunicorn rule, capped at MAX_DEFAULT_WORKERS."""
    return min(2 * (os.cpu_count() or 1) + 1, MAX_DEFAULT_WORKERS)


def check_address(host: str, port: int) -> None:
    """Raise CommandError (exit 2) naming --port or --host when the server could not listen there."""
    if not 1 <= port <= 65535:
        raise CommandError(f"--port {port}: must be a TCP port between 1 and 65535", returncode=2)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CommandError(f"--host {host!r}: cannot be resolved ({exc.strerror})", returncode=2) from None
    family, _type, _proto, _name, address = infos[0]
    probe = socket.socket(family, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
    except PermissionError:
        raise CommandError(f"--port {port}: permission denied (ports below 1024 need root)", returncode=2) from None
    except OSError as exc:
        raise CommandError(f"--port {port}: cannot listen on {host}:{port} ({exc.strerror})", returncode=2) from None
    finally:
        probe.close()


ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s" request_id=%({x-request-id}o)s'


def gunicorn_logging() -> dict[str, Any]:
    """Django's LOGGING with gunicorn's two loggers sent to the same console handler."""
    config = copy.deepcopy(settings.LOGGING)
    for name in ("gunicorn.error", "gunicorn.access"):
        config["loggers"][name] = {"handlers": ["console"], "level": "INFO", "propagate": False}
    return config


def gunicorn_options(*, host: str, port: int, workers: int) -> dict[str, Any]:
    bind = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"
    return {
        "bind": [bind],
        "workers": workers,
        "worker_class": "gthread",
        "threads": THREADS,
        "timeout": 60,
        "graceful_timeout": 30,
        "keepalive": 5,
        # The longest request line gunicorn reads (its maximum); longer ones are answered 414.
        "limit_request_line": 8190,
        # Recycle workers now and then so a slow leak never grows without bound.
        "max_requests": 5000,
        "max_requests_jitter": 500,
        "accesslog": "-",
        "errorlog": "-",
        # gunicorn's own lines (start, workers, access) in tinhso's format: timestamp, level,
        # logger and request id (JSON lines with TINHSO_LOG_FORMAT=json); the access line names
        # the request id tinhso answered in X-Request-ID.
        "logconfig_dict": gunicorn_logging(),
        "access_log_format": ACCESS_LOG_FORMAT,
        "loglevel": settings.LOG_LEVEL.lower(),
        "proc_name": "tinhso",
        "forwarded_allow_ips": settings.FORWARDED_ALLOW_IPS,
        # gunicorn ≥ 24 opens a control socket in ~/.gunicorn by default; two servers on one
        # machine would fight over it, and tinhso does not use it.
        "control_socket_disable": True,
    }


def run_server(*, host: str, port: int, workers: int) -> None:
    """Run gunicorn in the foreground until it is stopped (SIGINT/SIGTERM → graceful shutdown)."""
    from gunicorn.app.base import BaseApplication

    class TinhsoApplication(BaseApplication):  # type: ignore[misc]
        def __init__(self, options: dict[str, Any]) -> None:
            self.options = options
            super().__init__()

        def load_config(self) -> None:
            for key, value in self.options.items():
                if key in self.cfg.settings:  # settings a given gunicorn version lacks are skipped
                    self.cfg.set(key, value)

        def load(self) -> Any:
            from tinhso.wsgi import application

            return application

    # Workers are forked from this process: none may inherit an open database connection.
    connections.close_all()
    prepare_metrics_directory()
    options = gunicorn_options(host=host, port=port, workers=workers)
    options["child_exit"] = _metrics_child_exit
    TinhsoApplication(options).run()


def prepare_metrics_directory() -> Path:
    """Point prometheus_client's multiprocess mode at an empty directory shared by the workers.

    `PROMETHEUS_MULTIPROC_DIR` if set (systemd's RuntimeDirectory), else `$TINHSO_VAR_DIR/metrics`;
    emptied at each start, as prometheus_client requires, so /metrics adds up every worker."""
    directory = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or Path(settings.VAR_DIR) / "metrics")
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    return directory


def _metrics_child_exit(_server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


class Command(BaseCommand):
    help = "Serve tinhso with gunicorn (threaded workers, access log to stdout) and whitenoise for static files."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", default="8000", help="TCP port (default 8000)")
        parser.add_argument(
            "--workers", default=None, help=f"worker processes (default 2 × cores + 1, at most {MAX_DEFAULT_WORKERS})"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port, workers = parse_server_options(options)
        self.stdout.write(f"tinhso: serving on http://{_url_host(host)}:{port}/ with {workers} workers × {THREADS} threads")
        self.stdout.flush()
        run_server(host=host, port=port, workers=workers)


def parse_server_options(options: dict[str, Any]) -> tuple[str, int, int]:
    """(host, port, workers) from the --host/--port/--workers options, checked; CommandError (exit 2) otherwise."""
    host = str(options.get("host") or "127.0.0.1")
    try:
        port = int(str(options.get("port")))
    except ValueError:
        raise CommandError(f"--port {options.get('port')!r}: must be a whole number", returncode=2) from None
    raw_workers = options.get("workers")
    if raw_workers is None:
        workers = default_workers()
    else:
        try:
            workers = int(str(raw_workers))
        except ValueError:
            raise CommandError(f"--workers {raw_workers!r}: must be a whole number", returncode=2) from None
        if not 1 <= workers <= 64:
            raise CommandError(f"--workers {workers}: must be between 1 and 64", returncode=2)
    check_address(host, port)
    return host, port, workers


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
