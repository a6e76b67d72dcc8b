"""Generate the province-scale benchmark dataset (deterministic) and the 10,000-row ledger for the import benchmark.

    .venv/bin/python bench/generate.py --db sqlite|postgres [--projects 20000] [--seed 7]

河南省: 18 cities (410100 … 411700 and 419001 济源) with 2–4 zones each, 20,000 projects over 10 quarterly
periods (2021-03 … 2023-06) with conversions and removals, annual plans for 2021–2023, a superuser `bench`
and a zone admin `bench_zone` (郑州经开区). Rows are written with bulk_create: the change log is set aside
for generation (the figures measured never read it; the import benchmark does write its change records).

Also writes bench/data/ledger-10000.xlsx: period 11's province list (new projects, conversions, rows
listed again, removals) in the ledger template, imported by `bench/run.py` on a fresh copy of the dataset.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

CITIES = [  # code, name, zones (code, name, weight)
    (
        "410100",
        "郑州市",
        [
            ("410171", "郑州经济技术开发区", 6),
            ("410172", "郑州高新技术产业开发区", 5),
            ("410173", "郑州航空港经济综合实验区", 6),
            ("410182", "荥阳市", 2),
        ],
    ),
    ("410200", "开封市", [("410271", "开封城乡一体化示范区", 2), ("410212", "祥符区", 1), ("410221", "杞县", 1)]),
    (
        "410300",
        "洛阳市",
        [
            ("410371", "洛阳高新技术产业开发区", 4),
            ("410305", "涧西区", 2),
            ("410323", "新安县", 1),
            ("410307", "偃师区", 1),
        ],
    ),
    (
        "410400",
        "平顶山市",
        [("410471", "平顶山高新技术产业开发区", 2), ("410472", "平顶山市城乡一体化示范区", 1), ("410482", "汝州市", 1)],
    ),
    ("410500", "安阳市", [("410571", "安阳高新技术产业开发区", 2), ("410581", "林州市", 1)]),
    ("410600", "鹤壁市", [("410671", "鹤壁经济技术开发区", 2), ("410621", "浚县", 1)]),
    (
        "410700",
        "新乡市",
        [
            ("410771", "新乡高新技术产业开发区", 2),
            ("410772", "新乡经济技术开发区", 2),
            ("410773", "新乡市平原城乡一体化示范区", 1),
            ("410781", "卫辉市", 1),
        ],
    ),
    ("410800", "焦作市", [("410871", "焦作城乡一体化示范区", 2), ("410882", "沁阳市", 1), ("410883", "孟州市", 1)]),
    ("410900", "濮阳市", [("410971", "河南濮阳工业园区", 2), ("410972", "濮阳经济技术开发区", 2)]),
    ("411000", "许昌市", [("411071", "许昌经济技术开发区", 2), ("411081", "禹州市", 1), ("411082", "长葛市", 1)]),
    ("411100", "漯河市", [("411171", "漯河经济技术开发区", 2), ("411121", "舞阳县", 1)]),
    ("411200", "三门峡市", [("411271", "河南三门峡经济开发区", 2), ("411282", "灵宝市", 1)]),
    (
        "411300",
        "南阳市",
        [("411371", "南阳高新技术产业开发区", 3), ("411372", "南阳市城乡一体化示范区", 1), ("411381", "邓州市", 1)],
    ),
    (
        "411400",
        "商丘市",
        [("411471", "豫东综合物流产业聚集区", 2), ("411472", "河南商丘经济开发区", 2), ("411481", "永城市", 1)],
    ),
    ("411500", "信阳市", [("411571", "信阳高新技术产业开发区", 2), ("411502", "浉河区", 1)]),
    ("411600", "周口市", [("411671", "河南周口经济开发区", 2), ("411681", "项城市", 1)]),
    ("411700", "驻马店市", [("411771", "河南驻马店经济开发区", 2), ("411722", "上蔡县", 1)]),
    ("419001", "济源市", [("419071", "济源虎岭高新技术产业开发区", 1), ("419072", "济源玉川产业集聚区", 1)]),
]
PERIOD_DATES = [datetime.date(2021, 3, 26) + datetime.timedelta(days=round(91.3 * i)) for i in range(10)]
IMPORT_PERIOD = (11, datetime.date(2023, 9, 26))
AS_OF = datetime.date(2023, 6, 30)
INDUSTRIES = {
    "汽车及零部件": ("汽车零部件", ["新能源汽车电驱动系统", "汽车热管理系统", "智能座舱", "线控底盘", "轻量化车身件"]),
    "装备制造": ("智能装备", ["智能数控机床", "工业机器人", "矿山智能装备", "高端液压件", "盾构机关键部件"]),
    "电子信息": ("电子科技", ["柔性显示模组", "智能传感器", "5G通信模组", "服务器整机", "功率半导体器件"]),
    "新材料": ("新材料", ["高性能铝合金板带", "碳纤维复合材料", "锂电池隔膜", "特种尼龙", "超硬材料"]),
    "生物医药": ("生物医药", ["生物疫苗", "高端医疗器械", "创新药", "体外诊断试剂", "医用敷料"]),
    "现代物流": ("供应链管理", ["智慧物流园", "冷链物流中心", "多式联运中心", "电商分拨中心", "保税物流中心"]),
    "新能源": ("新能源科技", ["动力电池", "储能电池系统", "氢燃料电池系统", "光伏组件", "充换电设备"]),
    "食品加工": ("食品", ["速冻食品", "休闲食品", "中央厨房预制菜", "乳制品", "调味品"]),
    "数字经济": ("数字科技", ["数字经济产业园", "工业互联网平台", "大数据中心", "智能算力中心", "软件服务基地"]),
    "现代服务业": ("商业管理", ["区域总部基地", "科创孵化园", "检验检测认证中心", "商务综合体", "会展服务中心"]),
}
CHARS = (
    "华瑞恒昌宏远金阳天健博纳鼎诚中誉嘉润领航汇智格安泰德万邦星兴启明弘毅睿创卓越海鸿正通达瀚永茂聚鑫新宇丰昊锦程荣盛"
)
DEPARTMENTS = [
    "发展改革局",
    "自然资源和规划局",
    "住房和城乡建设局",
    "生态环境分局",
    "财政局",
    "招商局",
    "应急管理局",
    "市场监管局",
    "税务局",
    "供电公司",
    "水务公司",
    "燃气公司",
]
LEADER_NAMES = [a + b for a in "王李张刘陈杨赵黄周吴" for b in ["立新", "海峰", "卫东", "晓明", "志强", "红梅"]]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "敏", "静", "磊", "洋", "勇", "军", "杰", "娟", "涛", "建华", "晓东", "志刚", "海燕", "国强", "亚楠"]
REASONS = ["企业经营困难", "项目主体变更", "未按期履约", "用地规划调整", "资金未落实"]


def days(rng: random.Random, lo: int, hi: int) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(lo, hi))


ORDER = ("signed_on", "started_on", "production_on", "effective_on")


def keep_order(dates: dict) -> None:
    """Milestones in lifecycle order: an earlier one that came out later is pulled back before the next."""
    for earlier, later in reversed(list(zip(ORDER, ORDER[1:], strict=False))):
        if earlier in dates and later in dates and dates[earlier] > dates[later]:
            dates[earlier] = dates[later] - datetime.timedelta(days=30)


def money(rng: random.Random, lo: float, hi: float) -> Decimal:
    return Decimal(f"{10 ** rng.uniform(lo, hi):.2f}")


class World:
    """The dataset in memory: plain dicts, written with bulk_create."""

    def __init__(self, seed: int, n_projects: int):
        self.rng = random.Random(seed)
        self.n = n_projects
        self.zones = [(city, z) for city in CITIES for z in city[2]]
        self.stems = [a + b for a in CHARS for b in CHARS if a != b]
        self.rng.shuffle(self.stems)
        self.enterprise_names: set[str] = set()
        self.enterprises: list[dict] = []  # {name, zone}
        self.projects: list[dict] = []
        self.names_by_zone: dict[str, set[str]] = {}

    def enterprise(self, zone_code: str, city_name: str, industry: str) -> int:
        word = INDUSTRIES[industry][0]
        while True:
            name = (
                f"{self.rng.choice(['河南', city_name[:-1], ''])}{self.rng.choice(self.stems)}{word}"
                f"{'股份有限公司' if self.rng.random() < 0.15 else '有限公司'}"
            )
            if name not in self.enterprise_names:
                break
        self.enterprise_names.add(name)
        self.enterprises.append({"name": name, "zone": zone_code, "industry": industry})
        return len(self.enterprises) - 1

    def project_name(self, zone_code: str, stem: str, industry: str) -> str:
        taken = self.names_by_zone.setdefault(zone_code, set())
        things = INDUSTRIES[industry][1]
        for _ in range(10):
            if self.rng.random() < 0.5:
                name = f"{stem}{self.rng.choice(things)}项目"
            else:
                name = f"年产{self.rng.choice([2, 5, 10, 20, 30, 50])}万套（吨）{self.rng.choice(things)}项目"
            if name not in taken:
                break
        else:
            k = 2
            while f"{name}（{k}期）" in taken:
                k += 1
            name = f"{name}（{k}期）"
        taken.add(name)
        return name

    def simulate(self, p: dict, first: int) -> None:
        """First listing, conversions and maybe a removal across the ten periods (as the demo does)."""
        rng, when, last = self.rng, PERIOD_DATES, len(PERIOD_DATES)
        d0 = when[first - 1]
        batch = rng.choices(["signed", "started", "production"], weights=[45, 35, 20])[0]
        dates = p["dates"]
        if batch == "signed":
            dates["signed_on"] = d0 - days(rng, 10, 75)
            dates["planned_started_on"] = dates["signed_on"] + days(rng, 90, 270)
        elif batch == "started":
            dates["signed_on"] = d0 - days(rng, 120, 420)
            dates["planned_started_on"] = d0 - days(rng, -40, 40)
            if rng.random() < 0.8:
                dates["started_on"] = d0 - days(rng, 5, 70)
        else:
            dates["signed_on"] = d0 - days(rng, 640, 900)
            dates["started_on"] = dates["signed_on"] + days(rng, 60, 180)
            dates["planned_production_on"] = d0 - days(rng, -30, 30)
            if rng.random() < 0.85:
                dates["production_on"] = d0 - days(rng, 5, 70)
                if rng.random() < 0.4 and dates["production_on"] + datetime.timedelta(days=200) < AS_OF:
                    dates["effective_on"] = dates["production_on"] + days(rng, 120, 200)
        p["listings"].append((first, batch, ""))
        period = first
        while True:
            if batch == "signed" and period < last and rng.random() < 0.55:
                period = min(last, period + rng.randint(1, 3))
                batch = "started"
                if rng.random() < 0.85:
                    dates["started_on"] = max(
                        when[period - 1] - days(rng, 5, 60), dates["signed_on"] + days(rng, 20, 40)
                    )
                p["listings"].append((period, batch, ""))
                continue
            if batch == "started" and period + 2 <= last and rng.random() < 0.45:
                period = min(last, period + rng.randint(2, 4))
                batch = "production"
                started = dates.get("started_on") or when[period - 1] - days(rng, 300, 400)
                dates["started_on"] = started
                dates["production_on"] = min(
                    max(when[period - 1] - days(rng, 5, 60), started + days(rng, 100, 160)), when[period - 1]
                )
                p["listings"].append((period, batch, ""))
            break
        if period < last and rng.random() < 0.08:
            p["listings"].append((rng.randint(period + 1, last), batch, rng.choice(REASONS)))
        p["batch"] = None if p["listings"][-1][2] else batch
        keep_order(dates)

    def plans(self, p: dict) -> None:
        first_year = PERIOD_DATES[p["listings"][0][0] - 1].year
        done = p["dates"].get("production_on")
        removed = p["listings"][-1][2] and PERIOD_DATES[p["listings"][-1][0] - 1].year
        for year in (2021, 2022, 2023):
            if year < first_year or (done and done.year < year) or (removed and removed < year):
                continue
            p["plans"][year] = min(p["total"], Decimal(f"{float(p['total']) * self.rng.uniform(0.1, 0.45):.2f}"))

    def build(self) -> None:
        rng = self.rng
        weights = [z[2] for _c, z in self.zones]
        zone_of = rng.choices(range(len(self.zones)), weights=weights, k=self.n)
        by_zone_ents: dict[str, list[int]] = {}
        for i in range(self.n):
            (city_code, city_name, _zs), (zcode, _zname, _w) = self.zones[zone_of[i]]
            ents = by_zone_ents.setdefault(zcode, [])
            if ents and rng.random() < 0.35:
                ent = rng.choice(ents)
                industry = self.enterprises[ent]["industry"]
            else:
                industry = rng.choice(list(INDUSTRIES))
                ent = self.enterprise(zcode, city_name, industry)
                ents.append(ent)
            stem = self.short(self.enterprises[ent]["name"])
            p = {
                "zone": zcode,
                "name": self.project_name(zcode, stem, industry),
                "enterprise": ent,
                "industry": industry,
                "total": min(Decimal("900000.00"), money(rng, 3.5, 5.6)),
                "nature": rng.choices(["新建", "扩建", "技改"], weights=[7, 2, 1])[0],
                "leader": rng.randrange(8),
                "unit": rng.choices(range(12), weights=[6, 5, 5, 2, 1, 6, 1, 1, 1, 1, 1, 1])[0],
                "person": f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)} 1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                "dates": {},
                "listings": [],
                "plans": {},
            }
            self.simulate(p, rng.randint(1, len(PERIOD_DATES)))
            self.plans(p)
            self.projects.append(p)

    @staticmethod
    def short(enterprise_name: str) -> str:
        for word in ("股份有限公司", "有限公司"):
            enterprise_name = enterprise_name.removesuffix(word)
        for word, _things in INDUSTRIES.values():
            enterprise_name = enterprise_name.removesuffix(word)
        return enterprise_name[-2:]


def write_database(world: World) -> dict:
    from django.db import connection, transaction

    from tuijin.accounts.choices import OrganizationKind, Role
    from tuijin.accounts.models import Leader, Organization, User
    from tuijin.core.changelog import change_context
    from tuijin.investment.models import AnnualPlan
    from tuijin.projects.models import Listing, Period, Project
    from tuijin.projects.numerals import period_name
    from tuijin.projects.services import derive_listing_chain
    from tuijin.regions.models import Region, name_key

    t0 = time.perf_counter()
    with transaction.atomic(), change_context(source="cli", label="bench/generate.py"):
        province = Region.objects.create(code="410000", name="河南省")
        zones: dict[str, Region] = {}
        for code, name, zone_list in CITIES:
            city = Region.objects.create(code=code, name=name, parent=province)
            for zcode, zname, _w in zone_list:
                zones[zcode] = Region.objects.create(code=zcode, name=zname, parent=city)
        for number, day in enumerate(PERIOD_DATES, start=1):
            Period.objects.create(number=number, date=day, name=period_name(number))

        def short_zone(zone: Region) -> str:
            return zone.name.replace("经济技术开发区", "经开区").replace("高新技术产业开发区", "高新区")

        orgs = []
        for zone in zones.values():
            orgs.append(
                Organization(kind=OrganizationKind.OFFICE, name=f"{short_zone(zone)}重点项目办公室", region=zone)
            )
            orgs += [
                Organization(kind=OrganizationKind.DEPARTMENT, name=f"{short_zone(zone)}{d}", region=zone)
                for d in DEPARTMENTS
            ]
        orgs += [
            Organization(kind=OrganizationKind.ENTERPRISE, name=e["name"], region=zones[e["zone"]])
            for e in world.enterprises
        ]
        for o in orgs:
            o.name_key = name_key(o.name)
        Organization.objects.bulk_create(orgs, batch_size=2000)
        departments = {
            (o.region_id, o.name.removeprefix(short_zone(o.region))): o
            for o in orgs
            if o.kind == OrganizationKind.DEPARTMENT
        }
        enterprises = orgs[-len(world.enterprises) :]

        rng = random.Random(len(world.projects))
        leaders = {}
        for zone in zones.values():
            for i, name in enumerate(rng.sample(LEADER_NAMES, 8)):
                leaders[(zone.code, i)] = Leader(name=name, title="管委会副主任", region=zone)
        Leader.objects.bulk_create(list(leaders.values()), batch_size=2000)

        seq: dict[str, int] = {}
        projects = []
        for p in world.projects:
            zone = zones[p["zone"]]
            seq[zone.code] = seq.get(zone.code, 0) + 1
            p["code"] = f"{zone.code}-{seq[zone.code]:05d}"
            projects.append(
                Project(
                    code=p["code"],
                    name=p["name"],
                    name_key=name_key(p["name"]),
                    region=zone,
                    enterprise=enterprises[p["enterprise"]],
                    industry=p["industry"],
                    nature=p["nature"],
                    location=f"{zone.name}产业园区",
                    total_investment=p["total"],
                    leader=leaders[(zone.code, p["leader"])],
                    responsible_unit=departments[(zone.pk, DEPARTMENTS[p["unit"]])],
                    responsible_person=p["person"],
                    **p["dates"],
                )
            )
        Project.objects.bulk_create(projects, batch_size=2000)

        listings, plans = [], []
        for p, project in zip(world.projects, projects, strict=True):
            mine = [
                Listing(project=project, period_id=n, batch=b, action="removed" if r else "listed", reason=r)
                for n, b, r in p["listings"]
            ]
            derive_listing_chain(mine)
            listings += mine
            plans += [AnnualPlan(project=project, year=y, amount=a) for y, a in p["plans"].items()]
        Listing.objects.bulk_create(listings, batch_size=2000)
        AnnualPlan.objects.bulk_create(plans, batch_size=2000)

        User.objects.create_superuser("bench", password="Bench#2023pass", role=Role.ADMIN)
        User.objects.create_user("bench_zone", password="Bench#2023pass", role=Role.ADMIN, region=zones["410171"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {
        "regions": 1 + len(CITIES) + len(zones),
        "zones": len(zones),
        "projects": len(projects),
        "listings": len(listings),
        "annual_plans": len(plans),
        "organizations": len(orgs),
        "enterprises": len(enterprises),
        "leaders": len(leaders),
        "periods": len(PERIOD_DATES),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def write_import_ledger(world: World, path: Path, rows: int = 10000) -> dict:
    """Period 11's province list: conversions, rows listed again, removals and new projects."""
    from tuijin.projects.numerals import period_name
    from tuijin.projects.tests.builders import write_ledger

    rng = random.Random(11)
    number, day = IMPORT_PERIOD
    zone_names = {z[0]: z[1] for _c, _n, zs in CITIES for z in zs}
    current = [p for p in world.projects if p["batch"]]
    rng.shuffle(current)
    want = {"converted": int(rows * 0.4), "listed": int(rows * 0.15), "removed": int(rows * 0.05)}
    want["new"] = rows - sum(want.values())
    out = []

    def row(p: dict, batch: str, adjustment: str | None = None, source: World = world) -> dict:
        d = p["dates"]
        year_plan = p["plans"].get(day.year)
        return {
            "项目编号": p.get("code"),
            "项目名称": p["name"],
            "建设单位": source.enterprises[p["enterprise"]]["name"],
            "所属区域": zone_names[p["zone"]],
            "产业类别": p["industry"],
            "批次": {"signed": "签约", "started": "开工", "production": "投产"}[batch],
            "期次": period_name(number),
            "总投资(万元)": float(p["total"]),
            "年度计划投资(万元)": float(year_plan) if year_plan is not None else None,
            "签约时间": d.get("signed_on"),
            "实际开工时间": d.get("started_on"),
            "实际投产时间": d.get("production_on"),
            "达效时间": d.get("effective_on"),
            "责任领导": None,
            "责任单位": None,
            "调整情况": adjustment,
        }

    pool = iter(current)
    counts = {"converted": 0, "listed": 0, "removed": 0}
    for p in pool:
        if counts["converted"] < want["converted"] and p["batch"] in ("signed", "started"):
            nxt = "started" if p["batch"] == "signed" else "production"
            key = "started_on" if nxt == "started" else "production_on"
            if key not in p["dates"]:
                p["dates"][key] = day - days(rng, 5, 60)
                if nxt == "production" and "started_on" not in p["dates"]:
                    p["dates"]["started_on"] = p["dates"][key] - days(rng, 200, 300)
            keep_order(p["dates"])
            p["plans"].setdefault(day.year, min(p["total"], Decimal(f"{float(p['total']) * 0.2:.2f}")))
            out.append(row(p, nxt))
            counts["converted"] += 1
        elif counts["listed"] < want["listed"]:
            out.append(row(p, p["batch"]))
            counts["listed"] += 1
        elif counts["removed"] < want["removed"]:
            out.append(row(p, p["batch"], f"调出：{rng.choice(REASONS)}"))
            counts["removed"] += 1
        if sum(counts.values()) >= rows - want["new"]:
            break
    new_world = World(seed=99, n_projects=want["new"])
    new_world.names_by_zone = {z: set(names) for z, names in world.names_by_zone.items()}
    new_world.enterprise_names = set(world.enterprise_names)
    new_world.build()
    for p in new_world.projects:
        p["listings"], p["dates"] = [], {"signed_on": day - days(rng, 10, 60)}
        p["plans"] = {day.year: Decimal(f"{float(p['total']) * 0.2:.2f}")}
        out.append(row(p, "signed", source=new_world))
    out.sort(key=lambda r: r["所属区域"])
    for i, r in enumerate(out, start=1):
        r["序号"] = i
    headers = [
        "序号",
        "项目编号",
        "项目名称",
        "建设单位",
        "所属区域",
        "产业类别",
        "批次",
        "期次",
        "总投资(万元)",
        "年度计划投资(万元)",
        "签约时间",
        "实际开工时间",
        "实际投产时间",
        "达效时间",
        "责任领导",
        "责任单位",
        "调整情况",
    ]
    write_ledger(path, out, headers=headers, title="河南省第十一期“三个一批”项目汇总表")
    return {"rows": len(out), **counts, "new": len(new_world.projects), "period": number, "date": day.isoformat()}


def reset_database(db: str) -> None:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{common.DATA / 'bench.sqlite3'}{suffix}").unlink(missing_ok=True)
    else:
        common.pg_admin(f"DROP DATABASE IF EXISTS {common.PG_NAME} WITH (FORCE)")
        common.pg_admin(f"CREATE DATABASE {common.PG_NAME}")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ledger-rows", type=int, default=10000)
    args = parser.parse_args(argv)
    common.DATA.mkdir(parents=True, exist_ok=True)
    reset_database(args.db)
    common.setup_django(common.database_url(args.db))
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    world = World(args.seed, args.projects)
    t0 = time.perf_counter()
    world.build()
    counts = write_database(world)
    counts["simulate_seconds"] = round(time.perf_counter() - t0 - counts["seconds"], 1)
    ledger = write_import_ledger(world, common.LEDGER_XLSX, args.ledger_rows)
    manifest = {
        "db": args.db,
        "seed": args.seed,
        "as_of": AS_OF.isoformat(),
        "counts": counts,
        "ledger": ledger,
        "ledger_file": str(common.LEDGER_XLSX.relative_to(common.ROOT)),
    }
    common.manifest_path(args.db).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    print(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


if __name__ == "__main__":
    main()
