"""`tuijin demo`: a realistic, deterministic synthetic zone, loaded through the ledger importer.

郑州经济技术开发区 runs seven quarterly rounds of 三个一批 (2021-03 … 2022-09). Each round's list is written as
the province would publish it (an .xlsx in the ledger template) and imported with `plan_import`/`apply_plan`,
so the demo proves the import path and every write is in the change log (source "cli", label "tuijin demo").
What happens after the last round (late starts, production, 达效, next year's plans) is saved through the
model layer under the same change context, as the office would enter it by hand.

A sibling zone (郑州高新技术产业开发区) holds a few projects so that scopes can be seen: the zone's users see
their own zone, the city viewer sees both.
"""

from __future__ import annotations

import datetime
import random
import tempfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Count

from tuijin.accounts.choices import OrganizationKind, Role
from tuijin.accounts.models import Leader, Organization, User
from tuijin.core.changelog import change_context
from tuijin.core.choices import ChangeSource
from tuijin.investment.models import AnnualPlan
from tuijin.regions.models import Region

from .importer import apply_plan, plan_import
from .models import Project
from .numerals import period_name
from .services import period_create, region_create, save_checked

SEED = 20220928
LABEL = "tuijin demo"
CENT = Decimal("0.01")
# What the demo knows: nothing happens after this day.
DEMO_END = datetime.date(2022, 12, 20)

PERIOD_DATES = [
    datetime.date(2021, 3, 26),
    datetime.date(2021, 6, 25),
    datetime.date(2021, 9, 28),
    datetime.date(2021, 12, 28),
    datetime.date(2022, 3, 29),
    datetime.date(2022, 6, 28),
    datetime.date(2022, 9, 28),
]

REGIONS = [  # code, name, parent code
    ("410000", "河南省", None),
    ("410100", "郑州市", "410000"),
    ("410171", "郑州经济技术开发区", "410100"),
    ("410172", "郑州高新技术产业开发区", "410100"),
]
ZONE, SIBLING = "410171", "410172"

OFFICE = "经开区重点项目办公室"
DEPARTMENTS = [
    "经开区发展改革局",
    "经开区自然资源和规划局",
    "经开区住房和城乡建设局",
    "经开区生态环境分局",
    "经开区财政局",
    "经开区招商局",
    "经开区应急管理局",
    "经开区市场监管局",
    "经开区税务局",
    "经开区供电公司",
    "经开区水务公司",
    "经开区燃气公司",
]
# The units that usually answer for a project, by weight (the utilities and tax rarely lead).
UNIT_WEIGHTS = [6, 5, 5, 2, 1, 6, 1, 1, 1, 1, 1, 1]

LEADERS = [
    ("张立新", "党工委书记、管委会主任"),
    ("王海峰", "管委会常务副主任"),
    ("刘卫东", "党工委副书记、管委会副主任"),
    ("陈晓明", "管委会副主任"),
    ("杨志强", "党工委委员、管委会副主任"),
    ("赵红梅", "管委会副主任"),
    ("孙国庆", "党工委委员"),
    ("周文斌", "管委会主任助理"),
]

INDUSTRIES = [
    "汽车及零部件",
    "装备制造",
    "电子信息",
    "新材料",
    "生物医药",
    "现代物流",
    "新能源",
    "食品加工",
    "数字经济",
    "现代服务业",
]

# Per industry: words for the enterprise's name, and project name templates ({stem}, {n}, {x}).
INDUSTRY_WORDS = {
    "汽车及零部件": ["汽车零部件", "汽车科技", "新能源汽车"],
    "装备制造": ["智能装备", "重工机械", "精密机械"],
    "电子信息": ["电子科技", "智能终端", "光电科技"],
    "新材料": ["新材料", "先进材料科技", "材料科技"],
    "生物医药": ["生物医药", "生物科技", "药业"],
    "现代物流": ["供应链管理", "物流", "冷链物流"],
    "新能源": ["新能源科技", "储能科技", "氢能科技"],
    "食品加工": ["食品", "食品科技", "农业科技"],
    "数字经济": ["数字科技", "信息技术", "大数据科技"],
    "现代服务业": ["商业管理", "企业管理", "检测技术"],
}
# Per industry: project name templates as (pattern, things, sizes); {stem} is the enterprise's brand.
PROJECT_TEMPLATES = {
    "汽车及零部件": [
        ("年产{n}万套新能源汽车{x}项目", ["电驱动系统", "热管理系统", "智能座舱", "线控底盘"], [10, 20, 30, 50]),
        ("{stem}汽车{x}智能制造基地项目", ["轻量化车身件", "动力总成", "内外饰件", "底盘结构件"], [0]),
    ],
    "装备制造": [
        (
            "年产{n}台（套）{x}项目",
            ["智能数控机床", "工业机器人", "矿山智能装备", "智能仓储装备"],
            [500, 1000, 2000, 3000],
        ),
        ("{stem}{x}产业园项目", ["高端液压件", "盾构机关键部件", "智能装备", "精密传动件"], [0]),
    ],
    "电子信息": [
        ("年产{n}万片{x}项目", ["柔性显示模组", "智能传感器", "功率半导体器件"], [300, 500, 1000, 2000]),
        ("{stem}{x}生产线项目", ["5G通信模组", "服务器整机", "智能终端", "车规级芯片封测"], [0]),
    ],
    "新材料": [
        ("年产{n}万吨{x}项目", ["高性能铝合金板带", "特种尼龙", "电子级化学品", "锂电池正极材料"], [2, 5, 10, 20]),
        ("{stem}{x}产业化项目", ["碳纤维复合材料", "锂电池隔膜", "超硬材料", "高端耐火材料"], [0]),
    ],
    "生物医药": [
        ("{stem}{x}产业化项目", ["生物疫苗", "高端医疗器械", "体外诊断试剂", "医用敷料"], [0]),
        ("{stem}{x}研发生产基地项目", ["创新药", "中药现代化", "生物制剂"], [0]),
    ],
    "现代物流": [
        ("{stem}{x}项目", ["智慧物流园", "冷链物流中心", "电商分拨中心", "汽车零部件集配中心"], [0]),
        ("{x}（二期）项目", ["国际陆港多式联运中心", "保税物流中心", "城市配送中心"], [0]),
    ],
    "新能源": [
        ("年产{n}GWh{x}项目", ["动力电池", "储能电池系统", "锂电池电芯"], [2, 5, 10, 20]),
        ("{stem}{x}项目", ["氢燃料电池系统", "光伏组件", "充换电设备", "分布式光伏电站"], [0]),
    ],
    "食品加工": [
        ("年产{n}万吨{x}项目", ["速冻食品", "休闲食品", "乳制品", "调味品"], [5, 10, 20, 30]),
        ("{stem}{x}生产基地项目", ["中央厨房预制菜", "冷链食品", "烘焙食品"], [0]),
    ],
    "数字经济": [
        ("{stem}{x}项目", ["数字经济产业园", "工业互联网平台", "大数据中心", "智能算力中心"], [0]),
        ("{stem}{x}建设项目", ["软件信息服务基地", "数字孪生平台", "区块链应用中心"], [0]),
    ],
    "现代服务业": [
        ("{stem}{x}项目", ["区域总部基地", "科创孵化园", "检验检测认证中心", "商务综合体"], [0]),
        ("{stem}{x}建设项目", ["人才公寓及配套", "会展服务中心", "产业服务中心"], [0]),
    ],
}
CONTENTS = {
    "signed": "总用地约{land}亩，新建生产厂房、研发楼及配套设施约{area}万平方米，购置生产及检测设备{dev}台（套）",
    "service": "总建筑面积约{area}万平方米，建设{x}及配套设施",
}
STEMS = [
    "华锐",
    "恒昌",
    "宏远",
    "金阳",
    "天健",
    "博纳",
    "鼎诚",
    "中誉",
    "嘉润",
    "领航",
    "汇智",
    "格瑞",
    "安泰",
    "德润",
    "万邦",
    "星途",
    "兴业",
    "启明",
    "弘毅",
    "睿创",
    "卓越",
    "海鸿",
    "正弘",
    "通达",
    "瀚海",
    "永兴",
    "华茂",
    "聚鑫",
    "明泰",
    "新宇",
    "润丰",
    "昊天",
    "锦程",
    "荣盛",
    "中科瑞",
    "豫辰",
    "方源",
    "利通",
    "东昇",
    "恒信",
    "瑞祥",
]
STREETS_NS = ["第三大街", "第五大街", "第八大街", "第九大街", "第十大街", "第十五大街", "第十八大街", "第二十一大街"]
STREETS_EW = ["经北一路", "经南三路", "经南五路", "经南八路", "经南十二路", "航海东路", "京港澳高速辅道", "浔江东路"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = [
    "伟",
    "敏",
    "静",
    "磊",
    "洋",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "鹏",
    "辉",
    "华",
    "建华",
    "晓东",
    "志刚",
    "海燕",
    "文静",
    "红霞",
    "国强",
    "永辉",
    "学军",
    "亚楠",
]
REMOVAL_REASONS = ["企业经营困难暂缓实施", "项目主体变更", "未按期履约", "用地规划调整", "资金未落实"]

# Roles, user names and demo passwords (they satisfy AUTH_PASSWORD_VALIDATORS; checked when set).
DEMO_USERS = [
    {"username": "admin", "role": Role.ADMIN, "password": "Tuijin#Office2022", "region": ZONE},
    {"username": "leader", "role": Role.LEADER, "password": "Tuijin#Leader2022", "region": ZONE},
    {"username": "department", "role": Role.DEPARTMENT, "password": "Tuijin#Dept2022", "region": ZONE},
    {"username": "enterprise", "role": Role.ENTERPRISE, "password": "Tuijin#Ent2022", "region": ZONE},
    {"username": "viewer", "role": Role.VIEWER, "password": "Tuijin#View2022", "region": "410100"},
]

HEADERS = [
    "序号",
    "项目编号",
    "项目名称",
    "建设单位",
    "产业类别",
    "建设性质",
    "建设内容及规模",
    "建设地点",
    "批次",
    "期次",
    "总投资(万元)",
    "年度计划投资(万元)",
    "签约时间",
    "计划开工时间",
    "实际开工时间",
    "计划投产时间",
    "实际投产时间",
    "达效时间",
    "责任领导",
    "责任单位",
    "责任人",
    "调整情况",
    "备注",
]
BATCH_WORDS = {"signed": "签约", "started": "开工", "production": "投产"}
ACTUAL = ("signed_on", "started_on", "production_on", "effective_on")


@dataclass
class Story:
    """One project's life in the demo: its ledger fields, milestones and listings."""

    zone: str
    name: str
    enterprise: str
    industry: str
    nature: str
    content: str
    location: str
    total: Decimal
    leader: str
    unit: str
    person: str
    dates: dict = field(default_factory=dict)  # milestone field -> date
    listings: list = field(default_factory=list)  # (period number, batch, removal reason or "")
    plans: dict = field(default_factory=dict)  # year -> Decimal


def _days(rng: random.Random, lo: int, hi: int) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(lo, hi))


# Where each zone's plots lie (south-west and north-east corners, degrees), so the demo's sites fall inside it.
SITE_BOXES = {"410171": ((34.690, 113.715), (34.760, 113.830)), "410172": ((34.800, 113.480), (34.860, 113.580))}


def _site(zone: str, name: str) -> tuple[Decimal, Decimal]:
    """A project's site: a fixed point inside its zone, the same for the same project on every load."""
    (lat0, lng0), (lat1, lng1) = SITE_BOXES[zone]
    rng = random.Random(f"{zone}/{name}")
    lat, lng = lat0 + rng.random() * (lat1 - lat0), lng0 + rng.random() * (lng1 - lng0)
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


def _money(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _person(rng: random.Random) -> str:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    return f"{name} 1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"


def _enterprises(rng: random.Random) -> list[tuple[str, str, str]]:
    """40 enterprises: (zone, name, industry). The first of each zone owns the most projects."""
    stems = rng.sample(STEMS, 40)
    out = []
    for i, stem in enumerate(stems):
        zone = ZONE if i < 36 else SIBLING
        industry = INDUSTRIES[i % len(INDUSTRIES)] if i else "汽车及零部件"
        prefix = rng.choice(["河南", "郑州", "河南", ""])
        suffix = "股份有限公司" if rng.random() < 0.2 else "有限公司"
        out.append((zone, f"{prefix}{stem}{rng.choice(INDUSTRY_WORDS[industry])}{suffix}", industry))
    return out


def _project_name(rng: random.Random, industry: str, stem: str, taken: set[str]) -> str:
    for _attempt in range(20):
        pattern, things, sizes = rng.choice(PROJECT_TEMPLATES[industry])
        name = pattern.format(stem=stem, x=rng.choice(things), n=rng.choice(sizes))
        if name not in taken:
            break
    else:
        name = f"{name}（二期）"
    taken.add(name)
    return name


def _first_periods(rng: random.Random, count: int, weights: list[int]) -> list[int]:
    return sorted(rng.choices(range(1, len(weights) + 1), weights=weights, k=count))


def _simulate(rng: random.Random, story: Story, first: int) -> None:
    """Walk the project through the rounds: first listing, conversions, maybe a removal, late milestones."""
    when = {n: d for n, d in enumerate(PERIOD_DATES, start=1)}
    last = len(PERIOD_DATES)
    d0 = when[first]
    batch = rng.choices(["signed", "started", "production"], weights=[45, 35, 20])[0]
    dates = story.dates
    if batch == "signed":
        dates["signed_on"] = d0 - _days(rng, 10, 75)
        dates["planned_started_on"] = dates["signed_on"] + _days(rng, 90, 270)
    elif batch == "started":
        dates["signed_on"] = d0 - _days(rng, 120, 420)
        dates["planned_started_on"] = d0 - _days(rng, -40, 40)
        if rng.random() < 0.75:
            dates["started_on"] = d0 - _days(rng, 5, 70)
    else:
        dates["signed_on"] = d0 - _days(rng, 640, 900)
        dates["started_on"] = dates["signed_on"] + _days(rng, 60, 180)
        dates["planned_production_on"] = d0 - _days(rng, -30, 30)
        if rng.random() < 0.85:
            dates["production_on"] = d0 - _days(rng, 5, 70)
    story.listings.append((first, batch, ""))
    period = first
    while True:
        if batch == "signed":
            step = rng.randint(1, 3)
            if period + step <= last and rng.random() < 0.6:  # 签约 → 开工
                period += step
                batch = "started"
                dates.setdefault("planned_started_on", when[period])
                if rng.random() < 0.85:
                    dates["started_on"] = max(when[period] - _days(rng, 5, 60), dates["signed_on"] + _days(rng, 30, 60))
                dates["planned_production_on"] = dates["planned_started_on"] + _days(rng, 300, 600)
                story.listings.append((period, batch, ""))
                continue
        elif batch == "started":
            step = rng.randint(2, 4)
            if period + step <= last and rng.random() < 0.5:  # 开工 → 投产 (结转)
                period += step
                batch = "production"
                started = dates.get("started_on") or (when[period] - _days(rng, 300, 400))
                dates["started_on"] = started
                dates["planned_production_on"] = when[period]
                dates["production_on"] = min(
                    max(when[period] - _days(rng, 5, 60), started + _days(rng, 120, 200)),
                    when[period] - datetime.timedelta(days=1),
                )
                story.listings.append((period, batch, ""))
                continue
        break
    if period < last and rng.random() < (0.2 if batch == "signed" else 0.08):  # 调出
        removed_in = rng.randint(period + 1, last)
        story.listings.append((removed_in, batch, rng.choice(REMOVAL_REASONS)))
        return
    # What happened after the last listing, up to the end of 2022.
    if batch == "signed" and rng.random() < 0.35:
        dates["started_on"] = when[period] + _days(rng, 30, 200)
    elif batch == "started" and "started_on" not in dates and rng.random() < 0.4:
        dates["started_on"] = when[period] + _days(rng, 20, 150)
    elif batch == "production":
        if "production_on" not in dates and rng.random() < 0.7:
            dates["production_on"] = when[period] + _days(rng, 20, 120)
        if "production_on" in dates and rng.random() < 0.6:
            dates["effective_on"] = dates["production_on"] + _days(rng, 120, 330)
    for key in ACTUAL:  # nothing after the demo's end; milestones keep their order
        if key in dates and dates[key] > DEMO_END:
            del dates[key]
    for earlier, later in zip(ACTUAL, ACTUAL[1:], strict=False):
        if later in dates and earlier not in dates:
            del dates[later]


def _plans(rng: random.Random, story: Story) -> None:
    """Annual planned investment for 2021 and 2022 while the project is being built."""
    first_year = PERIOD_DATES[story.listings[0][0] - 1].year
    removal = next((n for n, _b, reason in story.listings if reason), None)
    done = story.dates.get("production_on")
    for year in (2021, 2022):
        if year < first_year or (removal and PERIOD_DATES[removal - 1].year < year):
            continue
        if done and done.year < year:
            continue
        share = rng.uniform(0.12, 0.45)
        story.plans[year] = min(story.total, _money(float(story.total) * share))


def build_stories(seed: int = SEED) -> list[Story]:
    """The whole demo ledger, deterministic for a seed."""
    rng = random.Random(seed)
    enterprises = _enterprises(rng)
    # Projects per enterprise: the zone's first enterprise (the demo enterprise user's) owns four.
    owners = [0] * 4 + [i for i in range(1, 12) for _twice in range(2)] + list(range(12, 36))
    owners += [36, 36, 37, 37, 38, 39]
    firsts = _first_periods(rng, 50, [9, 8, 8, 7, 7, 6, 5]) + [1, 2, 3, 4, 5, 6]
    zone_owners = owners[:50]
    rng.shuffle(zone_owners)  # which enterprise's project comes up in which round
    owners = zone_owners + owners[50:]
    taken: set[str] = set()
    stories = []
    for owner, first in zip(owners, firsts, strict=True):
        zone, enterprise, industry = enterprises[owner]
        stem = next(s for s in STEMS if s in enterprise)
        name = _project_name(rng, industry, stem, taken)
        total = _money(round(10 ** rng.uniform(3.7, 5.7), 2))  # 5,000 … 500,000 万元, most in the tens of thousands
        total = min(max(total, Decimal("5000.00")), Decimal("500000.00"))
        if industry in ("现代物流", "数字经济", "现代服务业"):
            content = CONTENTS["service"].format(area=rng.randint(2, 30), x=name.removesuffix("项目"))
        else:
            content = CONTENTS["signed"].format(
                land=rng.randint(30, 600), area=rng.randint(2, 40), dev=rng.randint(40, 900)
            )
        zone_word = "经开区" if zone == ZONE else "高新区"
        story = Story(
            zone=zone,
            name=name,
            enterprise=enterprise,
            industry=industry,
            nature=rng.choices(["新建", "扩建", "技改"], weights=[7, 2, 1])[0],
            content=content,
            location=f"{zone_word}{rng.choice(STREETS_NS)}与{rng.choice(STREETS_EW)}交叉口"
            + rng.choice(["东北角", "西南角", "东南角", "西北角", "北侧", "南侧"]),
            total=total,
            leader=rng.choice(LEADERS)[0] if zone == ZONE else "",
            unit=rng.choices(DEPARTMENTS, weights=UNIT_WEIGHTS)[0] if zone == ZONE else "",
            person=_person(rng),
        )
        _simulate(rng, story, first)
        _plans(rng, story)
        stories.append(story)
    return stories


def _row(story: Story, number: int, batch: str, reason: str, code: str, seq: int) -> dict:
    """The project's row in period `number`'s ledger: what was known on that round's date."""
    day = PERIOD_DATES[number - 1]
    dates = story.dates
    row = {
        "序号": seq,
        "项目编号": code or None,
        "项目名称": story.name,
        "建设单位": story.enterprise,
        "产业类别": story.industry,
        "建设性质": story.nature,
        "建设内容及规模": story.content,
        "建设地点": story.location,
        "批次": BATCH_WORDS[batch] + "一批",
        "期次": period_name(number),
        "总投资(万元)": float(story.total),
        "年度计划投资(万元)": float(story.plans[day.year]) if day.year in story.plans else None,
        "签约时间": dates.get("signed_on"),
        "计划开工时间": dates.get("planned_started_on"),
        "计划投产时间": dates.get("planned_production_on"),
        "责任领导": story.leader or None,
        "责任单位": story.unit or None,
        "责任人": story.person,
        "调整情况": f"调出：{reason}" if reason else None,
    }
    for key, header in (
        ("started_on", "实际开工时间"),
        ("production_on", "实际投产时间"),
        ("effective_on", "达效时间"),
    ):
        if key in dates and dates[key] <= day:
            row[header] = dates[key]
    return row


def demo_is_loaded() -> bool:
    return Region.objects.exists()


@transaction.atomic
def load_demo(seed: int = SEED, *, log=None) -> dict:
    """Create the demo zone in an empty database; returns counts. Every write under the CLI change context."""
    log = log or (lambda _msg: None)
    stories = build_stories(seed)
    with change_context(source=ChangeSource.CLI, label=LABEL):
        regions: dict[str, Region] = {}
        for code, name, parent in REGIONS:
            regions[code] = region_create(code=code, name=name, parent=regions.get(parent))
        zone = regions[ZONE]
        for number, day in enumerate(PERIOD_DATES, start=1):
            period_create(number=number, date=day)
        office = save_checked(None, Organization(kind=OrganizationKind.OFFICE, name=OFFICE, region=zone), "add")
        for name in DEPARTMENTS:
            save_checked(None, Organization(kind=OrganizationKind.DEPARTMENT, name=name, region=zone), "add")
        for name, title in LEADERS:
            save_checked(None, Leader(name=name, title=title, region=zone), "add")

        # Each round's list, as an .xlsx in the ledger template, through the importer.
        with tempfile.TemporaryDirectory(prefix="tuijin-demo-") as tmp:
            from .tests.builders import write_ledger

            for number in range(1, len(PERIOD_DATES) + 1):
                for code in (ZONE, SIBLING):
                    region = regions[code]
                    entries = [
                        (s, batch, reason)
                        for s in stories
                        if s.zone == code
                        for n, batch, reason in s.listings
                        if n == number
                    ]
                    if not entries:
                        continue
                    known = dict(Project.objects.filter(region=region).values_list("name", "code"))
                    rows = [
                        _row(s, number, batch, reason, known.get(s.name, ""), i)
                        for i, (s, batch, reason) in enumerate(entries, start=1)
                    ]
                    path = Path(tmp) / f"{code}-{number}.xlsx"
                    write_ledger(
                        path, rows, headers=HEADERS, title=f"{region.name}{period_name(number)}“三个一批”项目台账"
                    )
                    summary = apply_plan(plan_import(str(path), region=region))
                    log(
                        f"{region.name} {period_name(number)}: {summary['rows']} rows, "
                        f"{summary['new_projects']} new, {summary['converted']} converted, "
                        f"{summary['removed']} removed"
                    )

        # After the last round: late milestones, the site's coordinates (for the big screen's map) and plans for
        # years with no listing, entered by hand.
        projects = {(p.region.code, p.name): p for p in Project.objects.select_related("region")}
        for s in stories:
            project = projects[(s.zone, s.name)]
            changed = False
            if project.latitude is None:
                project.latitude, project.longitude = _site(s.zone, s.name)
                changed = True
            for key in ACTUAL:
                if key in s.dates and getattr(project, key) != s.dates[key]:
                    setattr(project, key, s.dates[key])
                    changed = True
            if changed:
                save_checked(None, project, "change")
            stored = set(project.annual_plans.values_list("year", flat=True))
            for year, amount in s.plans.items():
                if year not in stored:
                    save_checked(None, AnnualPlan(project=project, year=year, amount=amount), "add")

        leader = Leader.objects.get(name=LEADERS[1][0], region=zone)
        department = Organization.objects.get(kind=OrganizationKind.DEPARTMENT, name=DEPARTMENTS[0])
        enterprise = (
            Project.objects.filter(region=zone)
            .order_by()
            .values("enterprise")
            .annotate(n=Count("pk"))
            .order_by("-n", "enterprise")[0]
        )
        organizations = {
            Role.ADMIN: office,
            Role.DEPARTMENT: department,
            Role.ENTERPRISE: Organization.objects.get(pk=enterprise["enterprise"]),
        }
        display = {
            Role.ADMIN: "项目办",
            Role.LEADER: leader.name,
            Role.DEPARTMENT: department.name,
            Role.ENTERPRISE: organizations[Role.ENTERPRISE].name,
            Role.VIEWER: "郑州市观察员",
        }
        for spec in DEMO_USERS:
            user = User(
                username=spec["username"],
                role=spec["role"],
                region=regions[spec["region"]],
                organization=organizations.get(spec["role"]),
                display_name=display[spec["role"]],
            )
            validate_password(spec["password"], user)
            user.set_password(spec["password"])
            user.save()
            if spec["role"] == Role.LEADER:
                leader.user = user
                leader.save()

        from tuijin.investment.demo import load_investment_demo

        load_investment_demo(regions=[zone, regions[SIBLING]], end=DEMO_END, log=log)
    from tuijin.schedule.demo import load_schedule_demo  # checklists, targets, baselines, progress (挂图作战)

    load_schedule_demo(region_code=ZONE, log=log)
    from tuijin.coordination.demo import load_coordination_demo  # a year of meetings, tasks, problems, 督办

    load_coordination_demo(region_code=ZONE, log=log)
    from tuijin.assessment.demo import load_assessment_demo  # a published month and quarter, briefings from them

    load_assessment_demo(region_code=ZONE, log=log)
    return {"projects": Project.objects.count(), "periods": len(PERIOD_DATES)}


def demo_users() -> list[dict]:
    """The demo accounts as they stand, with the password each was given (for the printed table)."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[s["username"] for s in DEMO_USERS]).select_related(
            "region", "organization", "leader"
        )
    }
    out = []
    for spec in DEMO_USERS:
        user = users.get(spec["username"])
        if user is None:
            continue
        out.append(
            {
                "username": user.username,
                "role": user.get_role_display(),
                "password": spec["password"],
                "region": f"{user.region.name} ({user.region.code})" if user.region else "",
                "organization": _affiliation(user),
            }
        )
    return out


def _affiliation(user: User) -> str:
    if user.organization:
        return user.organization.name
    leader = getattr(user, "leader", None)
    return f"{leader.name}（{leader.title}）" if leader else ""
