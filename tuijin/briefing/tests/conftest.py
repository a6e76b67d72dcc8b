import datetime
from decimal import Decimal

import pytest

AS_OF = datetime.date(2022, 11, 30)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Published files go to a fresh directory per test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def bz(zone):
    """small_zone (郑州经开区: projects a, b, c; 洛阳: d) with what a monthly briefing reports on as of 2022-11-30:
    accepted monthly reports for 2022, a checklist behind its target (red nodes), meetings, tasks (one closed on
    time, one overdue, one open) and problems (one solved)."""
    from tuijin.coordination import services as co
    from tuijin.coordination.models import ProblemCategory
    from tuijin.investment.models import MonthlyReport
    from tuijin.schedule import services as sched

    jk = zone["regions"]["jingkai"]
    a, b, c, d = (zone["projects"][k] for k in "abcd")
    for month in range(1, 11):
        MonthlyReport.objects.create(project=a, year=2022, month=month, invested=Decimal("800.25"), status="accepted")
        MonthlyReport.objects.create(project=c, year=2022, month=month, invested=Decimal("310.10"), status="accepted")
        MonthlyReport.objects.create(project=d, year=2022, month=month, invested=Decimal("99.99"), status="accepted")
    MonthlyReport.objects.create(project=a, year=2022, month=11, invested=Decimal("500"), status="draft")  # not counted
    sched.checklist_create(project=a)
    sched.target_set(project=a, node="投产", date=datetime.date(2023, 3, 31), as_of=datetime.date(2022, 7, 1))

    office, dept_user = zone["users"]["admin"], zone["users"]["department"]
    dept = zone["department"]
    co.meeting_create(user=office, region=jk, date=datetime.date(2022, 11, 7), chair="王明")
    co.meeting_create(user=office, region=jk, date=datetime.date(2022, 11, 28), chair="王明")
    co.meeting_create(user=office, region=jk, date=datetime.date(2022, 5, 9), chair="王明")

    def task(content, assigned, deadline):
        return co.task_create(
            user=office, content=content, lead_unit=dept, deadline=deadline, assigned_on=assigned, project=a
        )

    done = task("协调办理施工许可证", datetime.date(2022, 11, 7), datetime.date(2022, 11, 20))
    co.task_accept(user=dept_user, task=done, today=datetime.date(2022, 11, 8))
    co.task_report_done(user=dept_user, task=done, text="已办结", today=datetime.date(2022, 11, 18))
    co.task_close(user=office, task=done, today=datetime.date(2022, 11, 19))
    task("协调供电线路迁改", datetime.date(2022, 11, 7), datetime.date(2022, 11, 25))  # overdue on 11-30
    task("推进土地摘牌", datetime.date(2022, 11, 28), datetime.date(2022, 12, 5))  # open, due in the next 7 days
    task("年初交办：规划许可", datetime.date(2022, 3, 1), datetime.date(2022, 3, 31))  # overdue since March

    category, _ = ProblemCategory.objects.get_or_create(name="土地", defaults={"order": 1})
    p1 = co.problem_raise(
        user=office, category=category, description="项目用地指标不足", project=a, raised_on=datetime.date(2022, 11, 10)
    )
    co.problem_assign(user=office, problem=p1, unit=dept, deadline=datetime.date(2022, 11, 30))
    co.problem_solve(user=dept_user, problem=p1, solution="已调剂指标", today=datetime.date(2022, 11, 20))
    co.problem_raise(
        user=office, category=category, description="供电容量不足", project=a, raised_on=datetime.date(2022, 11, 25)
    )
    return zone
