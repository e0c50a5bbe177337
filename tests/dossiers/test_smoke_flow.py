"""A whole dossier, from the counter to the rating, through the services."""

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.factories import citizen, finish, sign
from tinhso.audit.models import AuditEntry
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel, Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_counter_to_rating(world):
    """Receives Monday 10:00 with 3 working days → due Thursday 10:00; walks every step to the rating."""
    at = datetime(2026, 3, 2, 10, 0, tzinfo=VN)
    r = s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                          channel=Channel.COUNTER, applicant=citizen(), at=at)
    d = r.dossier
    assert d.code == "H44.100-260302-0001"
    assert d.due_at == datetime(2026, 3, 5, 10, 0, tzinfo=VN)
    assert r.form == "01"
    code = d.code
    s.dossier_forward(principal=world.specialist, code=code)
    s.dossier_forward(principal=world.head, code=code)
    s.dossier_approve(principal=world.leader, code=code)
    sign(principal=world.leader, code=code, result_kind="paper")
    finish(principal=world.clerk, code=code)
    s.dossier_return(principal=world.reception, code=code)
    d = s.dossier_rate(principal=None, code=code, rating="satisfied").dossier
    assert d.status == Status.RETURNED and d.rating == "satisfied"
    assert list(d.events.values_list("action", flat=True)) == [
        "receive", "forward", "forward", "approve", "sign", "finish", "return", "rate"]
    assert AuditEntry.objects.filter(object_id=code).count() == 8
