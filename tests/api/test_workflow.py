"""The workflow through the API: every action by the officer whose role it is, with the history,
the optimistic `version`, and the 403 / 409 answers."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.api.conftest import URL, act, as_officer, receive, with_key
from tinhso.audit.models import AuditEntry
from tinhso.dossiers.models import Dossier
from tinhso.workcalendar.selectors import calendar_for_agency


def test_counter_to_rating_through_the_api(world):
    """Each officer finds their action in `allowed_actions`, takes it, and the dossier moves on."""
    reception, specialist, head = as_officer(world.reception), as_officer(world.specialist), as_officer(world.head)
    leader, clerk = as_officer(world.leader), as_officer(world.clerk)
    data = receive(reception, world)
    code = data["code"]

    steps = [
        (specialist, "forward", {"note": "Đủ điều kiện"}, 4, "Lãnh đạo phòng xem xét", None),
        (head, "forward", {}, 4, "Lãnh đạo phê duyệt", None),
        (leader, "approve", {"note": "Đồng ý"}, 4, "Ký kết quả", None),
        (leader, "sign", {"result_number": "12/GCN", "result_kind": "paper"}, 4, "Phát hành, chuyển trả kết quả", None),
        (clerk, "finish", {}, 9, None, None),
        (reception, "return", {"note": "Công dân đã nhận"}, 10, None, None),
        (reception, "rate", {"rating": "very_satisfied", "comment": "Nhanh"}, 10, None, None),
    ]
    for client, action, body, status, step_name, form in steps:
        before = client.get(f"{URL}/{code}").json()
        assert action in before["allowed_actions"], (action, before["allowed_actions"])
        response = act(client, code, action, {**body, "version": before["version"]})
        assert response.status_code == 200, (action, response.content)
        out = response.json()
        assert out["status"]["code"] == status, action
        assert (out["current_step"] or {}).get("name") == step_name, action
        assert out["form"] == form
        assert out["event"]["action"] == action.replace("-", "_")
        assert out["version"] == before["version"] + 1
        assert action not in out["allowed_actions"] or action == "forward"

    final = reception.get(f"{URL}/{code}").json()
    assert final["rating"] == "very_satisfied"
    assert final["result_kind"] == "paper" and final["result_number"] == "12/GCN"
    assert final["finished_at"] is not None and final["returned_at"] is not None
    assert final["finished_at"].endswith("+07:00")
    assert final["allowed_actions"] == []
    assert final["overdue"] is False

    history = reception.get(f"{URL}/{code}/history")
    assert history.status_code == 200
    events = history.json()
    assert [e["action"] for e in events] == [
        "receive", "forward", "forward", "approve", "sign", "finish", "return", "rate"]
    assert events[0]["from_status"] is None and events[0]["to_status"]["code"] == 2
    assert events[0]["to_agency"] == "H44.100" and events[0]["due_after"] == data["due_at"]
    assert events[1]["from_step"] == "Thẩm định hồ sơ" and events[1]["note"] == "Đủ điều kiện"
    assert events[1]["actor_name"] == world.specialist.display_name
    assert events[-1]["note"] == "Nhanh"
    assert AuditEntry.objects.filter(object_id=code).count() == 8


def test_supplement_pauses_and_resumes(world):
    reception = as_officer(world.reception)
    code = receive(reception, world)["code"]
    out = act(as_officer(world.specialist), code, "request-supplement",
              {"reason": "Thiếu giấy khai sinh", "documents": ["Giấy khai sinh"]}).json()
    assert out["status"]["code"] == 5 and out["form"] == "02" and out["paused"] is True
    assert "supplement-received" in out["allowed_actions"]
    out = act(reception, code, "supplement-received", {"note": "Đã nộp"}).json()
    assert out["status"]["code"] == 4 and out["paused"] is False


def test_extend_once_then_conflict(world):
    head = as_officer(world.head)
    data = receive(as_officer(world.reception), world)
    due = Dossier.objects.get(code=data["code"]).due_at
    week_later = calendar_for_agency(world.commune).next_due_instant((due + timedelta(days=7)).replace(microsecond=0), after=due)
    new_due = timezone.localtime(week_later).isoformat()
    response = act(head, data["code"], "extend", {"new_due_at": new_due, "reason": "Cần xác minh thêm"})
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["form"] == "04" and out["extended"] is True and out["due_at"] == new_due
    assert out["legal_due_at"] == data["legal_due_at"]
    assert "extend" not in out["allowed_actions"]
    again = act(head, data["code"], "extend", {"new_due_at": new_due, "reason": "Lần nữa"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_extended"


def test_transfer_refuse_stop_withdraw(world):
    reception, leader = as_officer(world.reception), as_officer(world.leader)
    one = receive(reception, world)["code"]
    response = act(leader, one, "transfer", {"to_agency": "H44.03", "reason": "Thuộc thẩm quyền Sở"})
    assert response.status_code == 200, response.content
    assert response.json()["handling_agency"] == {"code": "H44.03", "name": "Sở Tư pháp"}
    assert act(leader, one, "transfer", {"to_agency": "H00.000", "reason": "x"}).json()["error"]["fields"] == {
        "to_agency": "Không có cơ quan này."}

    two = receive(reception, world)["code"]
    assert act(reception, two, "refuse", {"reason": "Không thuộc thẩm quyền"}).json()["form"] == "03"
    three = receive(reception, world)["code"]
    assert act(leader, three, "stop", {"reason": "Công dân đề nghị"}).json()["status"]["code"] == 8
    four = receive(reception, world)["code"]
    out = act(reception, four, "withdraw", {"reason": "Rút hồ sơ"}).json()
    assert out["status"]["code"] == 7 and out["allowed_actions"] == []


def test_blank_reason_is_422(world):
    code = receive(as_officer(world.reception), world)["code"]
    response = act(as_officer(world.reception), code, "refuse", {"reason": "   "})
    assert response.status_code == 422
    assert "reason" in response.json()["error"]["fields"]
    missing = act(as_officer(world.reception), code, "refuse", {})
    assert missing.status_code == 422 and "reason" in missing.json()["error"]["fields"]


def test_stale_version_is_409(world):
    """Two officers saw version 1; the second to act gets 409 stale_version and nothing changes."""
    data = receive(as_officer(world.reception), world)
    first = act(as_officer(world.specialist), data["code"], "forward", {"version": data["version"]})
    assert first.status_code == 200
    second = act(as_officer(world.specialist), data["code"], "request-supplement",
                 {"reason": "Thiếu", "version": data["version"]})
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "stale_version"
    assert Dossier.objects.get(code=data["code"]).status == 4


def test_invalid_transition_is_409(world):
    """Returning a result before processing has finished: 409 invalid_transition."""
    code = receive(as_officer(world.reception), world)["code"]
    response = act(as_officer(world.reception), code, "return")
    assert response.status_code == 409
    body = response.json()
    assert body["error"]["code"] == "invalid_transition" and body["error"]["message"]
    assert act(as_officer(world.reception), code, "rate", {"rating": "satisfied"}).status_code == 409
    # Approving at the appraisal step: the leader's role is right, the step is not.
    assert act(as_officer(world.leader), code, "approve").json()["error"]["code"] == "wrong_step"


def test_wrong_role_is_403(world):
    """A specialist may not stop a dossier (heads and leaders do); the reception officer may not forward it."""
    code = receive(as_officer(world.reception), world)["code"]
    response = act(as_officer(world.specialist), code, "stop", {"reason": "Không rõ"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "role_not_allowed"
    assert act(as_officer(world.reception), code, "forward").status_code == 403
    assert Dossier.objects.get(code=code).version == 1


def test_allowed_actions_follow_the_callers_roles(world):
    code = receive(with_key(world.commune), world)["code"]
    as_reception = as_officer(world.reception).get(f"{URL}/{code}").json()["allowed_actions"]
    as_specialist = as_officer(world.specialist).get(f"{URL}/{code}").json()["allowed_actions"]
    as_head = as_officer(world.head).get(f"{URL}/{code}").json()["allowed_actions"]
    assert set(as_reception) == {"request-supplement", "refuse", "withdraw"}
    assert set(as_specialist) == {"request-supplement", "refuse", "forward", "transfer"}
    assert set(as_head) == {"request-supplement", "refuse", "transfer", "extend", "stop"}
    assert as_officer(world.province_viewer).get(f"{URL}/{code}").json()["allowed_actions"] == []
