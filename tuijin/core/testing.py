"""Small builders for tests, benchmarks and the demo: readable, inline test data."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tuijin.accounts.choices import OrganizationKind, Role
from tuijin.accounts.models import Leader, Organization, User
from tuijin.investment.models import AnnualPlan
from tuijin.projects.models import Listing, Period, Project
from tuijin.projects.services import listing_set
from tuijin.regions.models import Region

PASSWORD = "Tuijin#2022pass"


def region_tree() -> dict[str, Region]:
    """河南省 > 郑州市 > {郑州经开区, 郑州高新区}, 河南省 > 洛阳市 > 洛阳高新区."""
    henan = Region.objects.create(code="410000", name="河南省")
    zhengzhou = Region.objects.create(code="410100", name="郑州市", parent=henan)
    jingkai = Region.objects.create(code="410171", name="郑州经开区", parent=zhengzhou)
    gaoxin = Region.objects.create(code="410173", name="郑州高新区", parent=zhengzhou)
    luoyang = Region.objects.create(code="410300", name="洛阳市", parent=henan)
    luoyang_gx = Region.objects.create(code="410371", name="洛阳高新区", parent=luoyang)
    return {
        "henan": henan,
        "zhengzhou": zhengzhou,
        "jingkai": jingkai,
        "gaoxin": gaoxin,
        "luoyang": luoyang,
        "luoyang_gx": luoyang_gx,
    }


def organization(name: str, region: Region, kind: str = OrganizationKind.ENTERPRISE) -> Organization:
    return Organization.objects.create(name=name, region=region, kind=kind)


def user(username: str, role: str, region: Region | None, organization: Organization | None = None, **extra) -> User:
    u = User(username=username, role=role, region=region, organization=organization, **extra)
    u.set_password(PASSWORD)
    u.save()
    return u


def period(number: int, date: str | datetime.date) -> Period:
    return Period.objects.create(number=number, date=datetime.date.fromisoformat(str(date)))


def project(name: str, region: Region, enterprise: Organization, total: str | Decimal = "1000", **fields) -> Project:
    return Project.objects.create(
        name=name, region=region, enterprise=enterprise, total_investment=Decimal(str(total)), **fields
    )


def listed(p: Project, per: Period, batch: str, removed: bool = False, reason: str = "") -> Listing:
    return listing_set(project=p, period=per, batch=batch, removed=removed, reason=reason)


def plan(p: Project, year: int, amount: str) -> AnnualPlan:
    return AnnualPlan.objects.create(project=p, year=year, amount=Decimal(amount))


def small_zone() -> dict:
    """A hand-made ledger used across tests: two zones, users of every role in and out of scope.

    郑州经开区 (in scope for the *_jk users): 3 projects; 洛阳高新区: 1 project (out of scope).
    """
    regions = region_tree()
    jk, ly = regions["jingkai"], regions["luoyang_gx"]
    ent_a = organization("河南甲汽车有限公司", jk)
    ent_b = organization("郑州乙装备股份有限公司", jk)
    ent_c = organization("洛阳丙材料有限公司", ly)
    dept = organization("经开区发展改革局", jk, OrganizationKind.DEPARTMENT)
    office = organization("经开区重点项目办", jk, OrganizationKind.OFFICE)
    leader = Leader.objects.create(name="王明", region=jk, title="管委会副主任")
    p1, p2 = period(1, "2022-03-15"), period(2, "2022-06-20")
    a = project(
        "新能源汽车零部件项目",
        jk,
        ent_a,
        "50000",
        industry="汽车及零部件",
        leader=leader,
        responsible_unit=dept,
        signed_on=datetime.date(2022, 3, 1),
        started_on=datetime.date(2022, 6, 1),
    )
    b = project(
        "智能装备产业园",
        jk,
        ent_b,
        "80000.25",
        industry="装备制造",
        signed_on=datetime.date(2021, 12, 1),
        started_on=datetime.date(2022, 3, 10),
    )
    c = project(
        "高端数控机床项目",
        jk,
        ent_a,
        "12000.10",
        industry="装备制造",
        signed_on=datetime.date(2021, 5, 1),
        started_on=datetime.date(2021, 8, 1),
        production_on=datetime.date(2022, 5, 1),
    )
    d = project("新材料研发基地", ly, ent_c, "30000", industry="新材料", signed_on=datetime.date(2022, 2, 1))
    listed(a, p1, "signed")
    listed(b, p1, "started")
    listed(c, p1, "production")
    listed(d, p1, "signed")
    listed(a, p2, "started")  # conversion
    listed(b, p2, "started", removed=True, reason="企业经营困难")
    plan(a, 2022, "12000.50")
    plan(c, 2022, "3000")
    users = {
        "superuser": user("root", Role.ADMIN, None, is_superuser=True, is_staff=True),
        "admin": user("office_jk", Role.ADMIN, jk, office),
        "leader": user("leader_jk", Role.LEADER, jk),
        "department": user("dept_jk", Role.DEPARTMENT, jk, dept),
        "enterprise": user("ent_a", Role.ENTERPRISE, jk, ent_a),
        "viewer": user("viewer_jk", Role.VIEWER, jk),
        "admin_out": user("office_ly", Role.ADMIN, ly),
        "enterprise_out": user("ent_c", Role.ENTERPRISE, ly, ent_c),
    }
    leader.user = users["leader"]
    leader.save()
    return {
        "regions": regions,
        "periods": {1: p1, 2: p2},
        "projects": {"a": a, "b": b, "c": c, "d": d},
        "enterprises": {"a": ent_a, "b": ent_b, "c": ent_c},
        "department": dept,
        "office": office,
        "leader": leader,
        "users": users,
    }
