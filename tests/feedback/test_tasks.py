"""Background work: the reporter's notifications, the every-minute deadline jobs (idempotent,
on the working calendar), the huey configuration and `tinhso worker`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail
from huey import crontab
from huey.api import PeriodicTask

from tests.feedback.conftest import MONDAY, VN, file_report
from tinhso.audit.models import AuditEntry
from tinhso.feedback import services as fs
from tinhso.feedback import tasks
from tinhso.feedback.models import Report, ReportEvent, SmsMessage

ROOT = Path(__file__).resolve().parents[2]
# Street lighting (5 working days) filed Monday 2 March 2026 09:00 is due Monday 9 March 09:00.
DUE = datetime(2026, 3, 9, 9, 0, tzinfo=VN)


@pytest.fixture
def emails(categories):
    w = categories
    for principal, address in ((w.head, "truongphong@vt.gov.vn"), (w.leader, "lanhdao@vt.gov.vn"),
                               (w.specialist, "chuyenvien@vt.gov.vn")):
        principal.user.email = address
        principal.user.save(update_fields=["email"])
    return w


# --- notifications to the reporter ------------------------------------------------------------


def test_submit_sends_the_code_and_tracking_link(categories, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = file_report(reporter_phone="0987 654 321")
    sms = SmsMessage.objects.get()
    assert sms.phone == "0987654321"
    assert report.code in sms.body
    assert f"http://127.0.0.1:8000/phan-anh/{report.pk}/" in sms.body
    assert sms.sent_at is not None  # huey immediate in tests: delivered inline


def test_no_sms_without_a_mobile_number(categories, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        file_report(reporter_phone="")
        file_report(reporter_phone="02103123456")  # a landline cannot receive SMS
    assert not SmsMessage.objects.exists()


def test_nothing_is_sent_before_commit(categories):
    file_report()  # the test's transaction never commits
    assert not SmsMessage.objects.exists()


def test_answer_sends_the_survey_link_by_sms_and_email(categories, settings, django_capture_on_commit_callbacks):
    w = categories
    settings.TINHSO_PUBLIC_BASE_URL = "https://motcua.phutho.gov.vn/"
    report = file_report(reporter_email="binh@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        fs.report_answer(principal=w.specialist, report_id=report.pk, answer="Đã thay bóng đèn.",
                         at=MONDAY + timedelta(days=1))
    link = f"https://motcua.phutho.gov.vn/phan-anh/khao-sat/{report.survey_token}/"
    sms = SmsMessage.objects.get()
    assert link in sms.body and report.code in sms.body
    [message] = mail.outbox
    assert message.to == ["binh@example.vn"]
    assert report.code in message.subject
    assert "Đã thay bóng đèn." in message.body and link in message.body


def test_other_actions_send_nothing(categories, django_capture_on_commit_callbacks):
    w = categories
    report = file_report()
    with django_capture_on_commit_callbacks(execute=True):
        fs.report_start(principal=w.specialist, report_id=report.pk, at=MONDAY + timedelta(hours=1))
        fs.report_note(principal=w.specialist, report_id=report.pk, note="Đã báo đội điện",
                       at=MONDAY + timedelta(hours=2))
    assert not SmsMessage.objects.exists() and not mail.outbox


# --- warn before the deadline ----------------------------------------------------------------


def test_warning_counts_working_time_not_clock_time(emails):
    report = file_report()
    assert report.due_at == DUE
    # Friday 08:00: 7 office hours left on Friday + 2 on Monday = 9 h, more than a working day.
    assert tasks.warn_before_deadline.call_local(now=datetime(2026, 3, 6, 8, 0, tzinfo=VN)) == 0
    # Friday 10:00: 5 h + 2 h = 7 h ≤ 8 h, although the deadline is 71 clock hours away.
    friday = datetime(2026, 3, 6, 10, 0, tzinfo=VN)
    assert tasks.warn_before_deadline.call_local(now=friday) == 1
    report.refresh_from_db()
    assert report.warned_at == friday
    event = report.events.get(action="warn")
    assert (event.from_status, event.to_status, event.is_public, event.actor_id) == ("assigned", "assigned", False, None)
    assert AuditEntry.objects.filter(action="report.warn", object_id=str(report.pk)).count() == 1
    # No handler yet: the agency's heads and leaders are told.
    [message] = mail.outbox
    assert sorted(message.to) == ["lanhdao@vt.gov.vn", "truongphong@vt.gov.vn"]
    assert report.code in message.subject
    # Idempotent: a second run (or a second worker) does nothing more.
    assert tasks.warn_before_deadline.call_local(now=friday + timedelta(minutes=1)) == 0
    assert report.events.filter(action="warn").count() == 1 and len(mail.outbox) == 1


def test_warning_goes_to_the_handler_when_there_is_one(emails):
    w = emails
    report = file_report()
    fs.report_start(principal=w.specialist, report_id=report.pk, at=MONDAY + timedelta(hours=1))
    assert tasks.warn_before_deadline.call_local(now=datetime(2026, 3, 6, 16, 0, tzinfo=VN)) == 1
    assert [m.to for m in mail.outbox] == [["chuyenvien@vt.gov.vn"]]


def test_answered_or_overdue_reports_are_not_warned(emails):
    w = emails
    answered = file_report()
    fs.report_answer(principal=w.specialist, report_id=answered.pk, answer="Đã xử lý.", at=MONDAY + timedelta(days=1))
    file_report()
    # After the deadline: escalation's business, not a warning.
    assert tasks.warn_before_deadline.call_local(now=DUE + timedelta(minutes=1)) == 0
    assert not Report.objects.filter(warned_at__isnull=False).exists()


# --- escalate overdue ------------------------------------------------------------------------


def test_overdue_report_is_escalated_once_to_heads_and_leaders(emails):
    report = file_report()
    assert tasks.escalate_overdue.call_local(now=DUE) == 0  # due now is not yet late
    late = DUE + timedelta(minutes=1)
    assert tasks.escalate_overdue.call_local(now=late) == 1
    report.refresh_from_db()
    assert report.escalated_at == late and report.status == "assigned" and report.version == 1
    assert report.events.filter(action="escalate").count() == 1
    assert AuditEntry.objects.filter(action="report.escalate", object_id=str(report.pk)).exists()
    [message] = mail.outbox
    assert sorted(message.to) == ["lanhdao@vt.gov.vn", "truongphong@vt.gov.vn"]  # not the specialist
    assert tasks.escalate_overdue.call_local(now=late + timedelta(minutes=1)) == 0
    assert len(mail.outbox) == 1


def test_closed_reports_are_not_escalated(emails):
    w = emails
    report = file_report()
    fs.report_answer(principal=w.specialist, report_id=report.pk, answer="Đã xử lý.", at=DUE + timedelta(hours=1))
    assert tasks.escalate_overdue.call_local(now=DUE + timedelta(days=1)) == 0
    assert fs.report_escalate(report.pk, DUE + timedelta(days=1)) is None
    assert not mail.outbox


# --- close unrated answers -------------------------------------------------------------------


def test_unrated_answer_closes_when_the_survey_window_ends(categories, settings):
    w = categories
    settings.TINHSO_FEEDBACK_REOPEN_DAYS = 7
    answered_at = MONDAY + timedelta(days=1)
    quiet = file_report()
    rated = file_report()
    for report in (quiet, rated):
        fs.report_answer(principal=w.specialist, report_id=report.pk, answer="Đã thay bóng đèn.", at=answered_at)
    fs.report_rate(survey_token=rated.survey_token, satisfied=False, at=answered_at + timedelta(days=2))

    assert tasks.close_unrated_answers.call_local(now=answered_at + timedelta(days=7, seconds=-1)) == 0
    end = answered_at + timedelta(days=7, minutes=1)
    assert tasks.close_unrated_answers.call_local(now=end) == 1
    quiet.refresh_from_db()
    rated.refresh_from_db()
    assert (quiet.status, quiet.closed_at, quiet.satisfied) == ("closed", end, None)
    assert rated.status == "reopened"
    close = quiet.events.get(action="close")
    assert close.actor_id is None and close.from_status == "answered"
    assert tasks.close_unrated_answers.call_local(now=end + timedelta(minutes=1)) == 0
    assert ReportEvent.objects.filter(action="close").count() == 1


# --- huey wiring -----------------------------------------------------------------------------


def test_the_three_jobs_run_every_minute():
    for job in (tasks.warn_before_deadline, tasks.escalate_overdue, tasks.close_unrated_answers):
        task = job.s()
        assert isinstance(task, PeriodicTask)
        assert task.validate_datetime(datetime(2026, 3, 2, 9, 17))  # noqa: DTZ001 (huey compares naive UTC)
    assert crontab(minute="*") is not None


def _settings_in_subprocess(env: dict[str, str], expression: str) -> str:
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'tinhso.settings'; django.setup(); "
            f"from django.conf import settings; from huey.contrib.djhuey import HUEY; print(repr(({expression})))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def clean_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUEY_", "TINHSO_HUEY", "DATABASE_URL"))}
    env.update({"TINHSO_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    return env


def test_huey_backend_follows_the_environment(clean_env, tmp_path):
    assert _settings_in_subprocess(clean_env, "type(HUEY).__name__, HUEY.immediate, HUEY.storage.filename") == (
        f"('SqliteHuey', False, '{tmp_path / 'var' / 'huey.sqlite3'}')")
    assert _settings_in_subprocess({**clean_env, "TINHSO_HUEY_IMMEDIATE": "1"},
                                   "type(HUEY).__name__, HUEY.immediate") == "('SqliteHuey', True)"
    # Redis: the settings alone (the `redis` client is only installed where Redis is used).
    code = "import tinhso.settings as s; print(s.HUEY['huey_class'], s.HUEY['url'], 'filename' in s.HUEY)"
    done = subprocess.run([sys.executable, "-c", code], env={**clean_env, "HUEY_REDIS_URL": "redis://127.0.0.1:6399/3"},
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.stdout.split() == ["huey.RedisHuey", "redis://127.0.0.1:6399/3", "False"], done.stderr


def test_worker_starts_and_stops_on_sigint(clean_env, tmp_path):
    out = tmp_path / "worker.out"
    with out.open("w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "tinhso", "worker", "--workers", "1"], env=clean_env,
                                stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            deadline = time.monotonic() + 30
            while "Ctrl-C to stop" not in out.read_text() and time.monotonic() < deadline:
                assert proc.poll() is None, out.read_text()
                time.sleep(0.1)
            time.sleep(0.5)
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=30) == 0, out.read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
    text = out.read_text()
    assert "huey.sqlite3" in text and "Consumer exiting" in text and "tinhso worker: stopped." in text


def test_worker_refuses_immediate_mode(clean_env):
    done = subprocess.run([sys.executable, "-m", "tinhso", "worker"], env={**clean_env, "TINHSO_HUEY_IMMEDIATE": "1"},
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2
    assert "TINHSO_HUEY_IMMEDIATE" in done.stderr
