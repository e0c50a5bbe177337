"""Demo mode's page of kept messages and the seeding banner, through the test client."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from tinhso.demo.progress import SeedingProgress, clear_progress, read_progress, write_progress
from tinhso.feedback.sms import sms_deliver, sms_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_mode(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.TINHSO_DEMO = True
    settings.TINHSO_SMS_BACKEND = "tinhso.demo.outbox.DemoSmsBackend"
    settings.EMAIL_BACKEND = "tinhso.demo.outbox.DemoEmailBackend"
    return tmp_path


def _progress(done: int, total: int = 200, finished: bool = False) -> SeedingProgress:
    return SeedingProgress(total=total, done=done, province="25", per_day=3, seed=1, now="2026-03-20T16:30:00+07:00",
                           remaining_days=[] if finished else ["2026-03-01"], finished=finished)


@pytest.mark.parametrize(("done", "total", "finished", "percent"), [
    (0, 200, False, 0), (80, 200, False, 40), (199, 200, False, 99), (200, 200, False, 99), (200, 200, True, 100),
    (0, 0, False, 100),
])
def test_percent_never_claims_the_end_early(done, total, finished, percent):
    assert _progress(done, total, finished).percent == percent


def test_progress_file_round_trip(tmp_path):
    path = tmp_path / "p.json"
    assert read_progress(path) is None
    write_progress(_progress(80), path)
    assert read_progress(path) == _progress(80)
    path.write_text("{not json")
    assert read_progress(path) is None
    clear_progress(path)
    assert not path.exists()


def test_messages_page_is_a_404_outside_demo_mode(settings):
    settings.TINHSO_DEMO = False
    assert Client().get("/demo/messages/").status_code == 404
    assert "Đang tạo dữ liệu mẫu" not in Client().get("/tra-cuu/", follow=True).content.decode()


def test_messages_page_lists_the_kept_sms_and_emails(demo_mode):
    """Returns, to anyone in demo mode, the SMS (a verification code among them) and the e-mails
    the demo kept instead of sending; nothing went out."""
    message = sms_send(phone="0912345678", body="Mã xác minh của bạn: 482913")
    assert sms_deliver(message.pk)
    mail.get_connection().send_messages([mail.EmailMessage("Phản ánh quá hạn", "Phản ánh PA-1 đã quá hạn.",
                                                           "tinhso@localhost", ["lanhdao@example.vn"])])
    page = Client().get("/demo/messages/").content.decode()
    assert "0912345678" in page and "482913" in page
    assert "Phản ánh quá hạn" in page and "lanhdao@example.vn" in page and "PA-1 đã quá hạn" in page
    assert len(list((demo_mode / "demo-mail").glob("*.eml"))) == 1


def test_banner_shows_the_seeding_progress_until_it_is_done(demo_mode):
    client = Client()
    write_progress(_progress(80))
    page = client.get("/", follow=True).content.decode()
    assert "Đang tạo dữ liệu mẫu: 40 %" in page and "/demo/messages/" in page
    write_progress(_progress(200, finished=True))
    page = client.get("/", follow=True).content.decode()
    assert "Đang tạo dữ liệu mẫu" not in page and "/demo/messages/" in page
