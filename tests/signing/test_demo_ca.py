"""`tinhso signing demo-ca`: a test CA, a PKCS#12 key for every leader and every agency seal,
registered and usable at once; refused in production."""

from __future__ import annotations

import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.signing.conftest import plain_pdf
from tinhso.signing.models import KeyKind, SigningKey, TrustRoot
from tinhso.signing.pades import sign_result
from tinhso.signing.verification import verify_pdf


def test_demo_ca_gives_every_leader_and_seal_a_working_key(world, settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path / "var"
    call_command("signing", "demo-ca")
    assert "signatory" in capsys.readouterr().out
    signatories = SigningKey.objects.filter(kind=KeyKind.SIGNATORY, is_active=True)
    assert {(k.user.username, k.agency.code) for k in signatories} == {("lanhdao", "H44.100"), ("chutich", "H44")}
    seals = SigningKey.objects.filter(kind=KeyKind.SEAL, is_active=True)
    assert set(seals.values_list("agency__code", flat=True)) == {"H44.100", "H44"}
    assert TrustRoot.objects.filter(origin="demo_ca").count() == 1
    secrets = tmp_path / "var" / "signing" / "secrets.env"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    for key in [*signatories, *seals]:
        assert key.passphrase_variable and key.passphrase_variable not in (key.pkcs12_path, key.signer_name)
        assert stat.S_IMODE((tmp_path / "var" / "signing").joinpath(key.pkcs12_path.rsplit("/", 1)[-1]).stat().st_mode) == 0o600
    key = signatories.get(user__username="lanhdao")
    signed = sign_result(plain_pdf(), key, signer_name=key.signer_name, title=key.title, agency_name=key.agency.name,
                         verify_url="https://x/xac-thuc/")
    assert verify_pdf(signed).valid


def test_demo_ca_again_retires_the_old_keys(world, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    call_command("signing", "demo-ca")
    call_command("signing", "demo-ca")
    assert SigningKey.objects.filter(kind=KeyKind.SIGNATORY, is_active=True).count() == 2
    assert SigningKey.objects.filter(kind=KeyKind.SIGNATORY, is_active=False).count() == 2


def test_demo_ca_is_refused_in_production(world, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.PRODUCTION = True
    with pytest.raises(CommandError) as refused:
        call_command("signing", "demo-ca")
    assert refused.value.returncode == 2
    assert not SigningKey.objects.exists() and not (tmp_path / "var" / "signing").exists()
