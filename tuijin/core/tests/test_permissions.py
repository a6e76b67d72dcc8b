"""Row-level access: restrict() and can() for every role, in and out of scope."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tuijin.accounts.models import Organization
from tuijin.core.models import ChangeRecord
from tuijin.core.permissions import Action, can
from tuijin.projects.models import Listing, Period, Project
from tuijin.regions.models import Region

IN_SCOPE = ["admin", "leader", "department", "viewer"]


def names(qs, attr="name"):
    return sorted(getattr(o, attr) for o in qs)


PROJECTS = {
    "superuser": ["新材料研发基地", "新能源汽车零部件项目", "智能装备产业园", "高端数控机床项目"],
    "admin": ["新能源汽车零部件项目", "智能装备产业园", "高端数控机床项目"],
    "leader": ["新能源汽车零部件项目", "智能装备产业园", "高端数控机床项目"],
    "department": ["新能源汽车零部件项目", "智能装备产业园", "高端数控机床项目"],
    "viewer": ["新能源汽车零部件项目", "智能装备产业园", "高端数控机床项目"],
    "enterprise": ["新能源汽车零部件项目", "高端数控机床项目"],  # its own enterprise's projects only
    "admin_out": ["新材料研发基地"],
    "enterprise_out": ["新材料研发基地"],
}


@pytest.mark.parametrize("role", list(PROJECTS))
def test_project_view(zone, role):
    assert names(Project.objects.restrict(zone["users"][role], Action.VIEW)) == sorted(PROJECTS[role])


@pytest.mark.parametrize("role", list(PROJECTS))
def test_listing_view_follows_the_project(zone, role):
    seen = sorted({lst.project.name for lst in Listing.objects.restrict(zone["users"][role], Action.VIEW)})
    assert seen == sorted(PROJECTS[role])


@pytest.mark.parametrize(
    ("role", "expected"),
    [("superuser", 4), ("admin", 3), ("admin_out", 1), ("leader", 0), ("department", 0), ("enterprise", 0),
     ("viewer", 0), ("enterprise_out", 0)],
)  # fmt: skip
@pytest.mark.parametrize("action", [Action.ADD, Action.CHANGE, Action.DELETE])
def test_project_writes_are_for_admins_in_scope(zone, role, expected, action):
    assert Project.objects.restrict(zone["users"][role], action).count() == expected


@pytest.mark.parametrize(
    ("role", "codes"),
    [("superuser", ["410000", "410100", "410171", "410173", "410300", "410371"]), ("admin", ["410171"]),
     ("leader", ["410171"]), ("enterprise", ["410171"]), ("viewer", ["410171"]), ("admin_out", ["410371"])],
)  # fmt: skip
def test_region_view_is_the_users_subtree(zone, role, codes):
    assert names(Region.objects.restrict(zone["users"][role]), "code") == codes


@pytest.mark.parametrize(
    ("role", "orgs"),
    [
        ("admin", ["河南甲汽车有限公司", "经开区发展改革局", "经开区重点项目办", "郑州乙装备股份有限公司"]),
        ("department", ["河南甲汽车有限公司", "经开区发展改革局", "经开区重点项目办", "郑州乙装备股份有限公司"]),
        ("enterprise", ["河南甲汽车有限公司"]),
        ("admin_out", ["洛阳丙材料有限公司"]),
        ("enterprise_out", ["洛阳丙材料有限公司"]),
    ],
)
def test_organization_view(zone, role, orgs):
    assert names(Organization.objects.restrict(zone["users"][role])) == sorted(orgs)


def test_change_records_for_admin_and_leader_in_scope_only(zone):
    jk, ly = zone["regions"]["jingkai"].path, zone["regions"]["luoyang_gx"].path
    for role in ("admin", "leader"):
        seen = ChangeRecord.objects.restrict(zone["users"][role])
        assert seen.exists()
        assert all(r.scope_path.startswith(jk) or r.scope_path == "" for r in seen)
        assert seen.filter(content_type__model="period").count() == 2  # periods belong to everyone
        assert not seen.filter(scope_path__startswith=ly).exists()
    assert ChangeRecord.objects.restrict(zone["users"]["admin_out"]).filter(scope_path__startswith=ly).exists()
    assert ChangeRecord.objects.restrict(zone["users"]["superuser"]).count() == ChangeRecord.objects.count()


@pytest.mark.parametrize("role", ["department", "enterprise", "viewer", "enterprise_out"])
def test_change_records_hidden_from_other_roles(zone, role):
    assert ChangeRecord.objects.restrict(zone["users"][role]).count() == 0


@pytest.mark.parametrize("action", [Action.CHANGE, Action.ADD, Action.DELETE])
def test_nobody_writes_change_records_but_superusers(zone, action):
    for role in ("admin", "leader", "admin_out"):
        assert ChangeRecord.objects.restrict(zone["users"][role], action).count() == 0


def test_anonymous_and_inactive_users_see_nothing(zone):
    assert Project.objects.restrict(AnonymousUser()).count() == 0
    assert Project.objects.restrict(None).count() == 0
    admin = zone["users"]["admin"]
    admin.is_active = False
    admin.save()
    assert Project.objects.restrict(admin).count() == 0
    assert not can(admin, Action.VIEW, zone["projects"]["a"])


def test_user_without_region_sees_no_regional_rows(zone):
    from tuijin.core.testing import user

    lost = user("lost_admin", "admin", None)
    assert Project.objects.restrict(lost).count() == 0
    assert Period.objects.restrict(lost).count() == 2  # periods are not regional


def test_can(zone):
    u, p = zone["users"], zone["projects"]
    assert can(u["admin"], Action.CHANGE, p["a"])
    assert not can(u["admin"], Action.CHANGE, p["d"])
    assert can(u["admin_out"], Action.CHANGE, p["d"])
    assert can(u["leader"], Action.VIEW, p["b"]) and not can(u["leader"], Action.CHANGE, p["b"])
    assert can(u["enterprise"], Action.VIEW, p["a"]) and not can(u["enterprise"], Action.VIEW, p["b"])
    assert not can(u["enterprise_out"], Action.VIEW, p["a"])
    assert can(u["superuser"], Action.DELETE, p["d"])
    # Given a model: may the user do it to some object of that model?
    assert can(u["admin"], Action.ADD, Project) and not can(u["viewer"], Action.ADD, Project)
    assert can(u["admin"], Action.ADD, Period) and not can(u["leader"], Action.ADD, Period)
    assert not can(AnonymousUser(), Action.VIEW, Project)
    # An unsaved object: the role decides (save_checked checks the saved row again).
    assert can(u["admin"], Action.ADD, Project(name="x"))
