"""Helpers for the payments tests: the commune's receiving account, dossiers with a fee, and
transfers as a bank would report them."""

from __future__ import annotations

from datetime import datetime
from itertools import count
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import citizen, handed_in
from tinhso.dossiers import services
from tinhso.dossiers.models import Channel, Dossier
from tinhso.payments.models import FeeAccount
from tinhso.payments.services import Transfer, fee_account_save

ACCOUNT = "0011001932418"
_ids = count(1)


@pytest.fixture
def account(world) -> FeeAccount:
    return fee_account_save(principal=None, agency=world.commune, bank_bin="970436", account_number=ACCOUNT,
                            account_name="UBND PHUONG VIET TRI")[0]


def received(world: Any, **kwargs: Any) -> Dossier:
    return services.dossier_receive(
        principal=world.reception, procedure=kwargs.pop("procedure", world.procedure), agency=world.commune,
        channel=Channel.COUNTER, applicant=citizen(), components=handed_in(world.procedure), **kwargs,
    ).dossier


def transfer(content: str, amount: int, *, account: str = ACCOUNT, provider_id: str | None = None,
             reference: str = "", at: datetime | None = None, credit: bool = True) -> Transfer:
    return Transfer(provider="sepay", provider_id=provider_id or str(next(_ids)), account_number=account,
                    amount=amount, content=content, occurred_at=at or timezone.now(), credit=credit,
                    gateway="Vietcombank", bank_reference=reference)
