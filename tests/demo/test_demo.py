"""`tinhso demo` seeds a realistic province through the services, and `tinhso serve` really serves."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from tinhso.agencies.models import Agency, Role, StaffRole
from tinhso.audit.models import AuditEntry
from tinhso.core.codes import is_citizen_id, is_tax_code
from tinhso.dossiers.models import Channel, Dossier, DossierEvent, Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# A Friday afternoon: two weeks of simulated work end here, whatever day the tests run.
UNTIL = datetime(2026, 3, 20, 16, 30, tzinfo=VN)
DEMO_ARGS = ["--no-serve", "--days", "15", "--per-day", "2", "--seed", "7", "--until", UNTIL.isoformat(), "-v", "0"]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """One seeding for the module, rolled back at the end."""
    from django.conf import settings

    saved = settings.STATIC_ROOT, settings.PASSWORD_HASHERS
    settings.STATIC_ROOT = tmp_path_factory.mktemp("static")
    # The fast hasher the function fixtures in tests/conftest.py switch to, so logins check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), transaction.atomic():
        out, err = io.StringIO(), io.StringIO()
        started = time.monotonic()
        call_command("demo", *DEMO_ARGS, stdout=out, stderr=err)
        seconds = time.monotonic() - started
        yield {"output": out.getvalue(), "errors": err.getvalue(), "seconds": seconds}
        transaction.set_rollback(True)
    settings.STATIC_ROOT, settings.PASSWORD_HASHERS = saved


pytestmark = pytest.mark.django_db


def test_logins_exist_with_their_roles(seeded):
    User = get_user_model()  # noqa: N806
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("tinhso-demo")
    expected = {
        "chutich": ("H44", Role.LEADER), "theodoi": ("H44", Role.VIEWER), "quantri": ("H44", Role.ADMINISTRATOR),
        "tiepnhan": ("H44.100", Role.RECEPTION), "chuyenvien": ("H44.100", Role.SPECIALIST),
        "truongphong": ("H44.100", Role.HEAD), "lanhdao": ("H44.100", Role.LEADER),
        "vanthu": ("H44.100", Role.RECORDS_CLERK), "tiepnhan.h44.101": ("H44.101", Role.RECEPTION),
    }
    for username, (agency, role) in expected.items():
        user = User.objects.get(username=username)
        assert list(StaffRole.objects.filter(user=user).values_list("agency__code", "role")) == [(agency, role)]
    assert User.objects.get(username="lanhdao").check_password("tinhso-demo")
    assert AuditEntry.objects.filter(action="staff.role_grant").count() == StaffRole.objects.count()
    # The logins are printed, with the password and the URLs.
    for text in ("http://127.0.0.1:8000/", "/api/v1/docs", "truongphong", "tinhso-demo", "tiepnhan.h44.101"):
        assert text in seeded["output"]


def test_agencies_come_from_the_real_phu_tho_list(seeded):
    assert Agency.objects.get(code="H44.100").name == "UBND Phường Việt Trì"
    assert Agency.objects.filter(kind="commune_committee", parent__code="H44").count() == 148
    assert Agency.objects.get(code="H44.19").name.startswith("Sở Tư pháp")


def test_dossiers_in_every_kind_of_state(seeded):
    assert "not simulated" not in seeded["errors"]  # no simulated move was refused by the rules
    by_status = Counter(Dossier.objects.values_list("status", flat=True))
    for status in (Status.REGISTERED, Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED,
                   Status.REFUSED, Status.PROCESSED, Status.RETURNED):
        assert by_status[status] > 0, f"no dossier is {status.label}: {by_status}"
    assert by_status[Status.WITHDRAWN] + by_status[Status.STOPPED] > 0
    total = sum(by_status.values())
    assert 150 <= total <= 800
    assert by_status[Status.RETURNED] > total / 4  # much of two weeks' work is done


def test_deadlines_extensions_and_lateness_are_real(seeded):
    finished = Dossier.objects.filter(finished_at__isnull=False, status__in=[Status.PROCESSED, Status.RETURNED])
    late = [d for d in finished if d.finished_at > d.due_at]
    assert 0 < len(late) < finished.count() * 0.25
    extended = Dossier.objects.filter(extended=True)
    assert extended.exists()
    for dossier in extended:
        extension = dossier.events.get(action="extend")
        assert extension.due_after > extension.due_before and extension.at < extension.due_before
    # Overdue dossiers still open on the last day.
    assert Dossier.objects.filter(status__in=[Status.RECEIVED, Status.IN_PROGRESS], due_at__lt=UNTIL,
                                  paused_at__isnull=True).exists()
    # Waiting for supplements: the clock is paused.
    assert all(d.paused_at is not None for d in Dossier.objects.filter(status=Status.SUPPLEMENT_REQUESTED))


def test_every_dossier_has_history_and_audit_in_office_hours(seeded):
    codes = set(Dossier.objects.values_list("code", flat=True))
    with_events = set(DossierEvent.objects.values_list("dossier__code", flat=True))
    audited = set(AuditEntry.objects.filter(object_type="dossier").values_list("object_id", flat=True))
    assert codes and codes <= with_events and codes <= audited
    # Audited changes that are not steps of the history: a file added, the result put into the
    # citizen's store, the applicant's choice of how to receive it.
    assert DossierEvent.objects.count() == AuditEntry.objects.filter(action__startswith="dossier.").exclude(
        action__in=["dossier.attachment_added", "dossier.result_stored", "dossier.result_delivery"]).count()
    for event in DossierEvent.objects.exclude(action__in=["submit", "rate"]).only("at")[:2000]:
        local = event.at.astimezone(VN)
        assert local.weekday() < 5 and 7 <= local.hour < 17, event
        assert event.at <= UNTIL


def test_channels_applicants_and_ratings_look_real(seeded):
    channels = Counter(Dossier.objects.values_list("channel", flat=True))
    total = sum(channels.values())
    assert 0.40 < channels[Channel.COUNTER] / total < 0.70
    assert 0.25 < channels[Channel.ONLINE] / total < 0.55
    for d in Dossier.objects.all()[:500]:
        if d.applicant_type == "citizen":
            assert is_citizen_id(d.applicant_id_number) and d.applicant_id_number.startswith("025")
        else:
            assert is_tax_code(d.applicant_id_number) and len(d.applicant_id_number) == 10
        assert len(d.applicant_name.split()) >= 3
    ratings = Counter(Dossier.objects.exclude(rating="").values_list("rating", flat=True))
    assert ratings["very_satisfied"] > ratings["satisfied"] > 0


def test_running_again_duplicates_nothing(seeded):
    User = get_user_model()  # noqa: N806
    counts = (Agency.objects.count(), User.objects.count(), StaffRole.objects.count(), Dossier.objects.count())
    out = io.StringIO()
    call_command("demo", *DEMO_ARGS, stdout=out, stderr=io.StringIO())
    assert "already there" in out.getvalue()
    assert (Agency.objects.count(), User.objects.count(), StaffRole.objects.count(), Dossier.objects.count()) == counts


def test_bad_arguments_exit_2_naming_them(seeded):
    with pytest.raises(CommandError, match="--province") as exc:
        call_command("demo", "--no-serve", "--province", "99", "-v", "0", stdout=io.StringIO())
    assert exc.value.returncode == 2
    with pytest.raises(CommandError, match="--port") as exc:
        call_command("demo", "--port", "70000", "-v", "0", stdout=io.StringIO())
    assert exc.value.returncode == 2
    # --reset throws away a whole SQLite demo file, never rows of the append-only history.
    with pytest.raises(CommandError, match="--reset") as exc:
        call_command("demo", "--no-serve", "--reset", "-v", "0", stdout=io.StringIO())
    assert exc.value.returncode == 2 and Dossier.objects.exists()


def test_any_province_can_be_demoed(seeded):
    out = io.StringIO()
    call_command("demo", "--no-serve", "--province", "01", "--days", "0", "-v", "0", stdout=out, stderr=io.StringIO())
    committee = Agency.objects.get(code="P01")
    assert committee.name == "UBND Thành phố Hà Nội"
    communes = Agency.objects.filter(parent=committee, kind="commune_committee")
    assert communes.count() > 100 and communes.filter(code="P01.100").exists()
    assert Agency.objects.get(code="P01.02").name.startswith("Sở Tư pháp")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_health(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TINHSO_ENV"}}
    env["TINHSO_VAR_DIR"] = str(tmp_path)
    tinhso = [sys.executable, "-m", "tinhso"]
    subprocess.run([*tinhso, "setup", "--no-catalogue", "-v", "0"], env=env, check=True, timeout=300, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([*tinhso, "serve", "--port", str(port), "--workers", "1"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5) as response:
                    body = json.loads(response.read())
                    break
            except OSError:
                time.sleep(0.3)
        assert body is not None and body["status"] == "ok", server.stdout.read() if server.poll() is not None else "no answer"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/vendor/htmx.min.js", timeout=5) as response:
            assert response.status == 200 and b"htmx" in response.read(2000)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
    assert "GET /api/v1/health" in output  # the access log goes to stdout


def test_serve_rejects_a_bad_port(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TINHSO_VAR_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "tinhso", "serve", "--port", "0x50"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "--port" in result.stderr


def test_citizen_feedback_is_filed_routed_and_handled(seeded):
    """The demo files reports from every channel, routes each to its commune and handles them
    through the feedback services: some answered and rated, some still open."""
    from tinhso.feedback.models import Report, ReportEvent

    reports = Report.objects.all()
    assert reports.count() >= 10
    assert "citizen feedback:" in seeded["output"]
    assert not reports.filter(agency__isnull=True).exists()
    assert all(r.agency.unit_id == r.commune_id for r in reports.select_related("agency"))
    statuses = set(reports.values_list("status", flat=True))
    assert {"closed"} <= statuses and statuses & {"assigned", "in_progress", "answered", "reopened"}
    assert len(set(reports.values_list("channel", flat=True))) >= 3
    assert ReportEvent.objects.filter(action="answer").exists()
