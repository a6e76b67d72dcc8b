"""The investment part of `tuijin demo`: two years (2021, 2022) of split annual plans and monthly reports.

Called by `projects.demo.load_demo` once the ledger, its annual plans and the demo users exist, inside the same
transaction and change context. Deterministic for a seed. What the zone's projects report:

- every project with an annual plan reports each month it was being prepared or built (from the month it was
  signed to the month it went into production), the year's total a share of its plan (a few far behind), spread
  by the usual shape: light in February (Spring Festival), heavy in December;
- history (2021 and 2022 through the third-last month) is written in bulk (`core.bulk`, one change record per
  report): accepted, some late, some returned once before they were accepted, a few months never reported;
- the last two months before the demo's end go through the services as the enterprises and the office did it,
  on the days they did it: submitted, late, returned with an opinion, resubmitted, accepted, still waiting for
  review, saved as drafts or missing; a couple of reports carry site photos (small generated JPEGs);
- the plans are split by month: 2021 by the default seasonal profile (a few evenly), 2022 by the zone's own
  profile measured from its 2021 reports (kept as the zone's editable profile), one by hand;
- the reminders are refreshed as of the demo's last day.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import random
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tuijin.accounts.choices import Role
from tuijin.accounts.models import User
from tuijin.core.bulk import ChangeRows, insert_rows_with_ids
from tuijin.core.changelog import snapshot
from tuijin.core.choices import ChangeAction
from tuijin.core.fields import CENT
from tuijin.projects.models import Project

from . import services
from .choices import ReportStatus, SplitMethod
from .models import AnnualPlan, MonthlyReport, SeasonalProfile
from .selectors import month_end, rules_for
from .summary import refresh_reported

SEED = 20221220
YEARS = (2021, 2022)
# How a year's investment usually falls across the months (relative): February is the Spring Festival, December
# is when projects book the year's investment.
SHAPE = (4.0, 2.5, 6.0, 7.5, 8.0, 8.5, 8.0, 7.5, 9.0, 9.5, 10.5, 21.0)
PREPARING = 0.3  # a month before construction starts spends this share of a building month (design, land, fees)
PRODUCING = 0.15  # and a month after production started (the last equipment, retentions)

PROGRESS = {
    "preparing": [
        "完成土地摘牌，正在进行规划方案设计",
        "施工图设计及审查中，桩基工程招标完成",
        "场地平整完成，临时设施搭建中",
        "办理施工许可，施工单位已进场",
    ],
    "building": [
        "桩基施工完成，承台及地梁施工中",
        "1号厂房主体结构施工至三层",
        "钢结构厂房吊装完成约七成",
        "1号厂房主体封顶，2号厂房基础施工",
        "综合楼二次结构砌筑，厂房屋面施工",
        "室外管网、道路及配套工程施工",
        "主要生产设备进场，设备基础施工",
        "生产线设备安装调试，洁净车间装修",
    ],
    "producing": [
        "已投产，二期设备安装及厂区绿化收尾",
        "已投产，支付设备尾款及工程结算款",
        "已投产，配套仓库及研发楼装修",
    ],
}
DIFFICULTIES = [
    "重污染天气管控期间土方作业暂停",
    "配套10千伏供电线路尚未接入",
    "部分进口设备到货延迟",
    "项目贷款审批进度较慢，资金到位不足",
    "周边道路未打通，大型设备运输受限",
]
RETURN_OPINIONS = [
    "本月完成投资与形象进度不符，请核实后重报",
    "请补充现场施工照片",
    "完成投资含土地出让金，请按统计口径剔除后重报",
    "形象进度过于简单，请写明施工部位和完成工程量",
]
CORRECTIONS = ["已按统计口径核减土地款", "已补充现场照片", "已核实，按实际完成额修改"]
# What happened to the last two months' reports (weights): the month before last, and the last month.
OUTCOMES = (
    {"accepted": 65, "returned": 14, "resubmitted": 9, "submitted": 6, "missing": 6},
    {"submitted": 42, "late": 14, "accepted": 18, "missing": 8, "draft": 6, "returned": 6},
)
# The demo enterprise user's projects get these, in order, so its pages show each kind of report.
ENTERPRISE_OUTCOMES = [("returned", "draft"), ("accepted", "submitted"), ("resubmitted", "missing")]


def _money(value: float) -> Decimal:
    return Decimal(repr(max(value, 0.0))).quantize(CENT, rounding=ROUND_HALF_UP)


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A working-hours moment on `day` in the zone's time."""
    t = datetime.time(rng.randint(8, 18), rng.randint(0, 59), rng.randint(0, 59))
    return timezone.make_aware(datetime.datetime.combine(day, t))


class _Clock:
    """`django.utils.timezone` as the services see it, with now() at a moment of the demo's story, so that
    review and reminder times fall on the days the story says (the change log keeps the real time)."""

    def __init__(self, moment: datetime.datetime):
        self.moment = moment

    def now(self) -> datetime.datetime:
        return self.moment

    def __getattr__(self, name):
        return getattr(timezone, name)


@contextlib.contextmanager
def _services_clock(moment: datetime.datetime):
    clock = _Clock(moment)
    with mock.patch.object(services, "timezone", clock):
        yield clock


def site_photo(seed: int, size=(480, 360)) -> bytes:
    """A small generated "site photo" (sky, ground, a building going up, a crane) as JPEG bytes."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    w, h = size
    img = Image.new("RGB", size, (150, 190, 225))
    draw = ImageDraw.Draw(img)
    horizon = int(h * 0.62)
    for y in range(horizon):  # the sky, lighter towards the horizon
        c = 150 + 60 * y // horizon
        draw.line([(0, y), (w, y)], fill=(c - 20, c + 10, 235))
    draw.rectangle([0, horizon, w, h], fill=(140, 120, 95))
    x0 = rng.randint(40, w // 3)
    floors = rng.randint(3, 6)
    for f in range(floors):
        top = horizon - (f + 1) * 28
        draw.rectangle([x0, top, x0 + 220, top + 26], fill=(200, 200, 195), outline=(90, 90, 90))
        for k in range(6):
            draw.rectangle([x0 + 12 + k * 34, top + 7, x0 + 30 + k * 34, top + 19], fill=(70, 90, 110))
    mast = x0 + 250
    draw.rectangle([mast, horizon - 230, mast + 8, horizon], fill=(230, 180, 30))
    draw.rectangle([mast - 120, horizon - 230, mast + 90, horizon - 222], fill=(230, 180, 30))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def _active_months(project: Project, year: int) -> list[int]:
    """The months of `year` the project reports: from its signing to the year's end (a project that went into
    production during the year still books what is left of its plan: equipment, the last payments)."""
    first = 1
    if project.signed_on:
        if project.signed_on.year > year:
            return []
        if project.signed_on.year == year:
            first = project.signed_on.month
    if project.production_on and project.production_on.year < year:
        return []
    return list(range(first, 13))


def _amounts(rng: random.Random, project: Project, plan: AnnualPlan, months: list[int], factor: float) -> dict:
    """The year's investment (plan × factor) spread over its active months by the usual shape, with noise."""
    weights = {}
    for m in months:
        w = SHAPE[m - 1] * rng.uniform(0.6, 1.4)
        if project.started_on is None or month_end(plan.year, m) < project.started_on:
            w *= PREPARING
        elif project.production_on and datetime.date(plan.year, m, 1) > project.production_on:
            w *= PRODUCING
        weights[m] = w
    total = sum(weights.values()) or 1.0
    year_total = float(plan.amount) * factor
    return {m: _money(year_total * w / total) for m, w in weights.items()}


def _note(rng: random.Random, project: Project, year: int, month: int) -> tuple[str, int]:
    building = project.started_on is not None and project.started_on <= month_end(year, month)
    if project.production_on and project.production_on < datetime.date(year, month, 1):
        return rng.choice(PROGRESS["producing"]), rng.randint(10, 60)
    note = rng.choice(PROGRESS["building" if building else "preparing"])
    workers = rng.randint(60, 480) if building else rng.randint(5, 40)
    return note, workers


def load_investment_demo(*, regions, end: datetime.date, seed: int = SEED, log=None) -> dict:
    """Plans split by month and monthly reports for 2021 and 2022 in `regions` (the demo's zones), as known on
    `end`. Needs the ledger and the demo users; returns counts."""
    log = log or (lambda _msg: None)
    rng = random.Random(seed)
    regions = list(regions)
    zone = regions[0]
    office = User.objects.filter(role=Role.ADMIN, region=zone).order_by("pk").first()
    enterprise_user = User.objects.filter(role=Role.ENTERPRISE, region=zone).order_by("pk").first()
    projects = list(Project.objects.filter(region__in=regions).select_related("region").order_by("code"))
    plans = {
        (ap.project_id, ap.year): ap
        for ap in AnnualPlan.objects.filter(project__in=projects, year__in=YEARS).select_related("project__region")
    }
    rules = rules_for({p.region_id for p in projects})
    # The months the story knows the end of; the last two go through the services.
    ended = [(y, m) for y in YEARS for m in range(1, 13) if month_end(y, m) < end]
    live = ended[-2:]

    # ---- what each project invested, month by month (in Python first: deterministic, then written) ----
    figures: dict[tuple[int, int, int], Decimal] = {}
    for project in projects:
        since_start = Decimal(0)
        for year in YEARS:
            plan = plans.get((project.pk, year))
            months = _active_months(project, year)
            if plan is None or not months or plan.amount <= 0:
                continue
            behind = year == YEARS[-1] and rng.random() < 0.12  # a few far behind this year
            factor = rng.uniform(0.35, 0.65) if behind else rng.uniform(0.85, 1.15)
            amounts = {m: a for m, a in _amounts(rng, project, plan, months, factor).items() if (year, m) in ended}
            room = project.total_investment * Decimal("0.97") - since_start
            total = sum(amounts.values(), Decimal(0))
            if total > room:  # never above the project's total investment
                scale = max(room, Decimal(0)) / total
                amounts = {m: (a * scale).quantize(CENT, rounding=ROUND_DOWN) for m, a in amounts.items()}
            since_start += sum(amounts.values(), Decimal(0))
            for m, a in amounts.items():
                figures[(project.pk, year, m)] = a
    by_id = {p.pk: p for p in projects}

    # ---- 2021's plans split by the default seasonal profile (a few evenly) ----
    for (_pid, year), plan in sorted(plans.items()):
        if year == YEARS[0]:
            method = SplitMethod.EVEN if rng.random() < 0.2 else SplitMethod.SEASONAL
            services.plan_split(plan=plan, method=method)

    # ---- history, in bulk: accepted, some late, some returned once first, a few never reported ----
    history = []
    rows = ChangeRows()
    for (pid, year, month), invested in sorted(figures.items()):
        if (year, month) in live:
            continue
        if rng.random() < (0.08 if (year, month) == ended[-3] else 0.01):
            continue  # never reported
        project = by_id[pid]
        due = rules[project.region_id].due_date(year, month)
        late = rng.random() < (0.1 if year == YEARS[0] else 0.13)
        submitted_on = (
            due + datetime.timedelta(days=rng.randint(1, 12))
            if late
            else due - datetime.timedelta(days=rng.randint(0, 5))
        )
        submitted_at = _moment(submitted_on, rng)
        returned = rng.random() < 0.06
        note, workers = _note(rng, project, year, month)
        history.append(
            MonthlyReport(
                project=project,
                year=year,
                month=month,
                invested=invested,
                progress_note=note,
                workers=workers,
                difficulties=rng.choice(DIFFICULTIES) if rng.random() < 0.12 else "",
                status=ReportStatus.ACCEPTED,
                submitted_at=submitted_at,
                late=late,
                return_count=1 if returned else 0,
                review_opinion=rng.choice(RETURN_OPINIONS) if returned else "",
                reviewed_by=office if project.region_id == zone.pk else None,
                reviewed_at=submitted_at + datetime.timedelta(days=rng.randint(1, 4) + (5 if returned else 0)),
            )
        )
    insert_rows_with_ids(MonthlyReport, history)
    refresh_reported(pairs={(r.project_id, r.year) for r in history})  # core.bulk bypasses MonthlyReport.save()
    for report in history:
        rows.add(report, ChangeAction.CREATE, None, report._clean_snapshot(snapshot(report)))
    rows.write()
    log(f"monthly reports: {len(history)} accepted from {ended[0][0]}-{ended[0][1]:02d} on, written in bulk")

    # ---- the zone's own seasonal profile, measured from its first year, and the next year's split by it ----
    first_year = [0.0] * 12
    for r in history:
        if r.year == YEARS[0] and r.project.region_id == zone.pk:
            first_year[r.month - 1] += float(r.invested)
    if sum(first_year) > 0:
        weights = [max(1, round(1000 * v / sum(first_year))) for v in first_year]
        profile = SeasonalProfile(region=zone, weights=weights)
        profile.full_clean()
        profile.save()
    manual_done = False
    for (_pid, year), plan in sorted(plans.items()):
        if year != YEARS[-1]:
            continue
        if not manual_done and plan.project.region_id == zone.pk and plan.amount >= 1000:
            quarter = (plan.amount / 4).quantize(CENT, rounding=ROUND_DOWN)
            months = [Decimal(0)] * 12
            for m in (2, 5, 8):
                months[m] = quarter
            months[11] = plan.amount - 3 * quarter  # what the enterprise agreed with the office, by quarter
            services.plan_split(plan=plan, method=SplitMethod.MANUAL, months=months)
            manual_done = True
            continue
        method = SplitMethod.EVEN if rng.random() < 0.15 else SplitMethod.SEASONAL
        services.plan_split(plan=plan, method=method)

    # ---- the last two months, through the services, on the days it happened ----
    counts = {k: 0 for k in ("accepted", "returned", "resubmitted", "submitted", "late", "draft", "missing")}
    photos = 0
    own = [p for p in projects if enterprise_user and p.enterprise_id == enterprise_user.organization_id]
    own_live = [p for p in own if all((p.pk, y, m) in figures for y, m in live)]
    forced = {p.pk: outcome for p, outcome in zip(own_live, ENTERPRISE_OUTCOMES, strict=False)}
    for i, (year, month) in enumerate(live):
        for project in projects:
            invested = figures.get((project.pk, year, month))
            if invested is None:
                continue
            outcome = rng.choices(list(OUTCOMES[i]), weights=list(OUTCOMES[i].values()))[0]
            if project.pk in forced:
                outcome = forced[project.pk][i]
            counts[outcome] += 1
            if outcome == "missing":
                continue
            user = enterprise_user if project in own else None
            reviewer = office if project.region_id == zone.pk else None  # the sibling zone's office is not a user
            due = rules[project.region_id].due_date(year, month)
            day = due - datetime.timedelta(days=rng.randint(0, 4))
            if outcome == "late":
                day = min(due + datetime.timedelta(days=rng.randint(3, 12)), end - datetime.timedelta(days=1))
            moment = _moment(day, rng)
            note, workers = _note(rng, project, year, month)
            difficulties = rng.choice(DIFFICULTIES) if rng.random() < 0.2 else ""
            with _services_clock(moment) as clock:
                report = services.report_save(
                    user=user,
                    project=project,
                    year=year,
                    month=month,
                    invested=invested,
                    progress_note=note,
                    workers=workers,
                    difficulties=difficulties,
                    today=day,
                )
                if user is not None and outcome in ("draft", "submitted") and photos < 4:
                    for k in range(2):
                        upload = SimpleUploadedFile(
                            f"IMG_{year}{month:02d}{k + 1:02d}.jpg", site_photo(project.pk * 100 + k), "image/jpeg"
                        )
                        services.photo_add(user=user, report=report, upload=upload)
                        photos += 1
                if outcome == "draft":
                    continue
                services.report_submit(user=user, report=report, now=moment)
                if outcome in ("submitted", "late"):
                    continue
                clock.moment = moment + datetime.timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 4))
                clock.moment = min(clock.moment, _moment(end - datetime.timedelta(days=1), rng))
                if outcome == "accepted":
                    services.report_accept(user=reviewer, report=report)
                    continue
                services.report_return(user=reviewer, report=report, opinion=rng.choice(RETURN_OPINIONS))
                if outcome == "returned":
                    continue
                clock.moment += datetime.timedelta(days=rng.randint(1, 3))
                corrected = (invested * Decimal(rng.choice(["0.85", "0.9", "0.95"]))).quantize(CENT)
                report = services.report_save(
                    user=user,
                    project=project,
                    year=year,
                    month=month,
                    invested=corrected,
                    progress_note=f"{note}（{rng.choice(CORRECTIONS)}）",
                    today=clock.moment.date(),
                )
                services.report_submit(user=user, report=report, now=clock.moment)
        log(
            f"monthly reports {year}-{month:02d}: "
            + ", ".join(f"{k} {v}" for k, v in counts.items() if v)
            + " (through the services)"
        )
        counts = dict.fromkeys(counts, 0)

    with _services_clock(_moment(end, rng)):
        reminders = services.reminders_refresh(as_of=end)
    log(f"reminders as of {end}: {reminders['open']} open; {photos} site photos")
    return {
        "annual_plans": len(plans),
        "monthly_reports": MonthlyReport.objects.filter(project__in=projects).count(),
        "photos": photos,
        "reminders": reminders["open"],
    }
