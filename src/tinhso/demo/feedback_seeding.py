"""Demo citizen feedback: routing for the demo communes and a few weeks of reports from every
channel, handled through the feedback services (answered, rated, reopened, rejected, still open)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from tinhso.agencies.models import Agency, Role
from tinhso.agencies.principals import Principal
from tinhso.core.errors import ApplicationError
from tinhso.feedback import services as fs
from tinhso.feedback.models import Category, Report, RoutingRule
from tinhso.feedback.services import NewReport

PROBLEMS = {
    "duong-cau": ["Mặt đường có ổ gà lớn gây nguy hiểm cho xe máy", "Cầu tạm bị lún, lan can gãy"],
    "chieu-sang": ["Đèn đường tắt cả tuần nay, buổi tối rất tối", "Cột đèn bị nghiêng sau mưa bão"],
    "rac-ve-sinh": ["Rác thải tập kết ven đường không được thu gom", "Bãi rác tự phát bốc mùi"],
    "cap-thoat-nuoc": ["Cống thoát nước bị tắc, ngập sau mưa", "Mất nước sinh hoạt hai ngày"],
    "trat-tu": ["Lấn chiếm vỉa hè buôn bán", "Tụ tập gây ồn ào sau 23 giờ"],
    "moi-truong": ["Khói từ xưởng gây ô nhiễm khu dân cư", "Xả nước thải ra kênh"],
    "thu-tuc": ["Hồ sơ chứng thực phải đi lại nhiều lần", "Niêm yết thủ tục chưa đầy đủ"],
    "can-bo": ["Cán bộ tiếp nhận thái độ chưa đúng mực", "Cán bộ hẹn trả kết quả nhưng không gọi lại"],
    "khac": ["Đề nghị bố trí thêm ghế chờ tại bộ phận một cửa"],
}
STREETS = ["Hùng Vương", "Trần Phú", "Nguyễn Tất Thành", "Lê Quý Đôn", "Hòa Phong", "Châu Phong"]


def seed_feedback(*, committee: Agency, communes: list[tuple[Agency, dict[str, Principal]]], days: int, seed: int,
                  now: datetime | None = None) -> int:
    """File and handle demo reports at the given communes over the last `days` days.
    `communes` pairs each commune committee with its officers by role. Returns the number filed."""
    rng = random.Random(seed + 311)
    now = now or timezone.now()
    Category.objects.filter(agency__isnull=True).update(agency=committee)
    for agency, _ in communes:
        RoutingRule.objects.get_or_create(category=None, commune=agency.unit, defaults={"agency": agency})
    categories = list(Category.objects.filter(is_active=True, code__in=PROBLEMS))
    if Report.objects.exists() or not categories or days <= 0:
        return 0
    filed = 0
    for agency, people in communes:
        for _ in range(max(3, days // 7)):
            category = rng.choice(categories)
            at = _office_moment(rng, now - timedelta(days=rng.uniform(0.5, days)))
            channel = rng.choices(["web", "hotline", "open311", "counter"], weights=[45, 30, 15, 10])[0]
            data = NewReport(
                category_code=category.code, description=rng.choice(PROBLEMS[category.code]) + ".",
                channel=channel, commune_code=agency.unit.code,
                address=f"Số {rng.randint(1, 300)} đường {rng.choice(STREETS)}",
                reporter_name=rng.choice(["Nguyễn Văn Hải", "Trần Thị Mai", "Lê Minh Tuấn", "Phạm Thu Hà"]),
                reporter_phone=f"09{rng.randint(10_000_000, 99_999_999)}", phone_verified=True,
                anonymous=rng.random() < 0.2,
            )
            operator = people[Role.RECEPTION] if channel in ("hotline", "counter") else None
            try:
                with transaction.atomic():
                    report = fs.report_submit(data=data, principal=operator, at=at)
                    filed += 1
                    _handle(rng, report, people, at, now)
            except ApplicationError:
                continue
    return filed


def _office_moment(rng: random.Random, day: datetime) -> datetime:
    local = timezone.localtime(day)
    return local.replace(hour=rng.randint(7, 16), minute=rng.randint(0, 59), second=0, microsecond=0)


def _handle(rng: random.Random, report: Report, people: dict[str, Principal], at: datetime, now: datetime) -> None:
    specialist, head = people[Role.SPECIALIST], people[Role.HEAD]
    roll = rng.random()
    t = at + timedelta(hours=rng.uniform(1, 30))
    if roll < 0.08 or t >= now:
        return  # still waiting
    if roll < 0.14:
        fs.report_reject(principal=head, report_id=report.pk, reason="duplicate", note="Trùng với phản ánh đã tiếp nhận.",
                         at=t)
        return
    fs.report_start(principal=specialist, report_id=report.pk, at=t)
    answer_at = t + timedelta(days=rng.choice([1, 2, 3, 5, 9, 16]))
    if answer_at >= now:
        return  # in progress (some of them past their deadline)
    fs.report_answer(principal=specialist, report_id=report.pk, at=answer_at,
                     answer="UBND đã kiểm tra thực tế và giao đơn vị chức năng khắc phục; đã xử lý xong.")
    rate_at = answer_at + timedelta(hours=rng.uniform(2, 60))
    if rate_at >= now or rng.random() < 0.15:
        return  # not rated (yet)
    fs.report_rate(survey_token=report.survey_token, satisfied=rng.random() < 0.85, at=rate_at)
