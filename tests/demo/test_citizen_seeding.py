"""`tinhso demo` seeds citizens of the portal: profiles (from the identity provider, or declared),
documents in their stores and online dossiers in every state, made through the citizens' services
and the dossier one door, so the four "declare once" metrics of the index have real values."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from tinhso.audit.models import AuditEntry
from tinhso.citizens.models import Citizen, Document, DocumentOrigin, DocumentUse, FieldSource
from tinhso.demo.citizen_seeding import CITIZENS
from tinhso.dossiers.models import Channel, Dossier, DossierEvent, Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UNTIL = datetime(2026, 3, 20, 16, 30, tzinfo=VN)  # a Friday afternoon
DEMO_ARGS = ["--no-serve", "--days", "3", "--per-day", "1", "--seed", "5", "--until", UNTIL.isoformat(), "-v", "0"]
METRICS = ("REUSED_DIGITIZED_DATA", "SYNCED_WITH_DVCQG_PERSONAL_STORAGE", "CITIZEN_DATA_CONNECTED_DOSSIER",
           "CITIZEN_DATA_CONNECTED_FORMALITY")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    saved = settings.STATIC_ROOT, settings.PASSWORD_HASHERS, settings.MEDIA_ROOT
    settings.STATIC_ROOT = tmp_path_factory.mktemp("static")
    media = settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), transaction.atomic():
        out, err = io.StringIO(), io.StringIO()
        call_command("demo", *DEMO_ARGS, stdout=out, stderr=err)
        yield {"output": out.getvalue(), "errors": err.getvalue(), "media": media}
        transaction.set_rollback(True)
    settings.STATIC_ROOT, settings.PASSWORD_HASHERS, settings.MEDIA_ROOT = saved


pytestmark = pytest.mark.django_db


def _online():
    return Dossier.objects.filter(applicant_account__isnull=False)


def test_citizens_with_their_sources_and_printed_logins(seeded):
    citizens = {c.phone: c for c in Citizen.objects.all()}
    assert set(citizens) == {c.phone for c in CITIZENS}
    verified = [c for c in citizens.values() if c.sources.get("id_number") == FieldSource.IDENTITY_PROVIDER]
    declared = [c for c in citizens.values() if c.source_of("id_number") == FieldSource.DECLARED]
    assert len(verified) == 3 and len(declared) == 1
    assert declared[0].sources.get("full_name") == FieldSource.DECLARED and not declared[0].oidc_subject
    for citizen in citizens.values():
        assert citizen.is_verified("phone") is False  # the phone is always declared
        assert not citizen.user.is_staff and not citizen.user.has_usable_password()
        assert citizen.commune is not None and citizen.commune.level == "commune"
    # The logins are printed: each phone, where to sign in and where the code is shown.
    output = seeded["output"]
    for phone in citizens:
        assert phone in output
    assert "/cong-dan/dang-nhap/" in output and "/demo/messages/" in output
    assert "citizens: 4 with" in output
    assert "procedure" not in seeded["errors"], seeded["errors"]  # no planned dossier was skipped


def test_documents_in_every_store_stored_through_the_service(seeded, settings):
    settings.MEDIA_ROOT = seeded["media"]
    for citizen in Citizen.objects.all():
        uploads = Document.objects.filter(citizen=citizen, origin=DocumentOrigin.UPLOADED)
        # Their ID card, and any identity component uploaded with a dossier (typed by the catalogue).
        assert uploads.filter(document_type="cccd", name="Thẻ căn cước công dân").count() == 1
        for document in uploads:
            assert document.file.open("rb").read(5) == b"%PDF-"
            assert document.content_type == "application/pdf" and len(document.sha256) == 64
            assert document.is_usable(UNTIL.date())
    stored = AuditEntry.objects.filter(action="citizen.document_stored").count()
    assert stored == Document.objects.filter(origin=DocumentOrigin.UPLOADED).count() >= 6


def test_online_dossiers_in_every_state(seeded):
    assert "not simulated" not in seeded["errors"]
    online = _online()
    statuses = Counter(online.values_list("status", flat=True))
    for status in (Status.REGISTERED, Status.RECEIVED, Status.SUPPLEMENT_REQUESTED, Status.IN_PROGRESS,
                   Status.PROCESSED, Status.RETURNED, Status.REFUSED):
        assert statuses[status] >= 1, (status.label, statuses)
    assert set(online.values_list("channel", flat=True)) == {Channel.ONLINE}
    for dossier in online:
        citizen = Citizen.objects.get(user=dossier.applicant_account)
        assert dossier.applicant_name == citizen.full_name and dossier.applicant_id_number == citizen.id_number
        assert dossier.applicant_verified == (citizen.source_of("id_number") == FieldSource.IDENTITY_PROVIDER)
        assert dossier.events.filter(action="submit").exists()
        assert dossier.submitted_at <= UNTIL
        for event in dossier.events.exclude(action__in=["submit", "rate", "supplement_received"]):
            local = event.at.astimezone(VN)
            assert local.weekday() < 5 and 7 <= local.hour < 17 and event.at <= UNTIL, event
    returned = online.get(status=Status.RETURNED)
    assert returned.rating == "very_satisfied"


def test_some_reuse_stored_documents_and_some_upload(seeded):
    online = _online()
    assert online.filter(documents_reused=True).count() >= 3
    assert online.filter(documents_required=True, documents_reused=False).exists()
    reused = DocumentUse.objects.filter(reused=True)
    assert reused.count() >= 4
    for use in reused.select_related("document", "attachment"):
        assert use.attachment is not None and use.attachment.sha256 == use.document.sha256
        assert use.attachment.file.name == use.document.file.name  # the same stored file, not a copy
    assert DocumentUse.objects.filter(reused=False).exists()  # uploads kept in the store too


def test_officers_acted_and_the_supplement_was_answered_online(seeded):
    finished = _online().filter(status=Status.PROCESSED).get()
    answer = finished.events.get(action="supplement_received")
    citizen = Citizen.objects.get(user=finished.applicant_account)
    assert answer.actor_id == citizen.user_id
    assert finished.events.filter(action="request_supplement").exists()
    assert finished.attachments.filter(kind="supplement").exists()
    accepted = DossierEvent.objects.filter(dossier__in=_online(), action="receive")
    assert accepted.exists() and all(e.actor.username == "tiepnhan" for e in accepted.select_related("actor"))


def test_electronic_results_are_in_the_stores(seeded, settings):
    settings.MEDIA_ROOT = seeded["media"]
    for dossier in _online().filter(status__in=[Status.PROCESSED, Status.RETURNED]):
        assert dossier.result_kind == "electronic" and dossier.result_in_store
        document = Document.objects.get(result_of=dossier)
        assert document.origin == DocumentOrigin.RESULT
        assert document.citizen.user_id == dossier.applicant_account_id
        assert document.file.open("rb").read(5) == b"%PDF-"


def _metrics(body: dict) -> dict[str, dict]:
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if node.get("code") in METRICS and "source" in node:
                # The root agency's (the province, children included) is the largest.
                seen = found.get(node["code"])
                if seen is None or (node["denominator"] or 0) > (seen["denominator"] or 0):
                    found[node["code"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body)
    return found


def test_the_four_declare_once_metrics_have_values(seeded):
    online = _online()
    received = online.exclude(status__in=[Status.REGISTERED, Status.REFUSED])
    assert received.filter(documents_required=True, documents_reused=True).exists()  # REUSED_DIGITIZED_DATA n
    assert online.filter(result_kind="electronic", result_in_store=True).exists()  # SYNCED_… n
    assert received.filter(applicant_verified=True).exists()  # CITIZEN_DATA_CONNECTED_DOSSIER/FORMALITY n
    client = Client()
    client.force_login(Citizen.objects.first().user.__class__.objects.get(username="admin"))
    response = client.get("/api/v1/indicators/service-index", {"agency": "H44", "period": "2026-03"})
    assert response.status_code == 200, response.content[:300]
    metrics = _metrics(response.json())
    assert set(metrics) == set(METRICS)
    for metric in metrics.values():
        assert metric["source"] == "tinhso", metric
        assert metric["numerator"] > 0 and metric["denominator"] > 0, metric


def test_running_again_adds_no_citizen_or_dossier(seeded):
    counts = (Citizen.objects.count(), Document.objects.count(), Dossier.objects.count())
    out = io.StringIO()
    call_command("demo", *DEMO_ARGS, stdout=out, stderr=io.StringIO())
    assert (Citizen.objects.count(), Document.objects.count(), Dossier.objects.count()) == counts
    assert CITIZENS[0].phone in out.getvalue()  # still printed


def test_the_sign_in_code_is_shown_on_the_demo_messages_page(seeded, settings, tmp_path):
    """A demo citizen asks for a code at the sign-in page; the SMS is kept and listed, code and all."""
    from django.urls import reverse

    settings.VAR_DIR = tmp_path
    settings.TINHSO_DEMO = True
    settings.TINHSO_SMS_BACKEND = "tinhso.demo.outbox.DemoSmsBackend"
    client = Client()
    response = client.post(reverse("citizen:login"), {"phone": CITIZENS[0].phone})
    assert response.status_code in (200, 302), response.content[:500]
    page = client.get("/demo/messages/").content.decode()
    assert re.search(r"\b\d{6}\b", page) and "0912000101"[-4:] in page
