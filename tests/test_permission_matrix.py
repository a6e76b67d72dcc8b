"""The permission matrix: every page URL and API endpoint × every role, in and out of scope.

Rules under test (tuijin.core.permissions): a signed-in user sees their region's subtree, an enterprise only its own
projects; only the project office (admin) writes the ledger; objects outside what a user may see answer 404, actions
a user may not take on what they can see answer 403, anonymous visitors are sent to sign in (pages) or get 401 (API).
A refused write changes nothing: no change record appears.

`test_every_url_is_in_the_matrix` fails when a URL is added without a row here.
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tuijin.core.models import ChangeRecord, Job

ROLES = [
    "anonymous",
    "superuser",
    "admin",
    "leader",
    "department",
    "enterprise",
    "viewer",
    "admin_out",
    "enterprise_out",
]
SIGNED_IN = set(ROLES) - {"anonymous"}
IN_SCOPE_VIEW = {"superuser", "admin", "leader", "department", "enterprise", "viewer"}  # project a (ent_a's, 经开区)
OFFICE = {"superuser", "admin"}  # may write in 经开区
OFFICES = {"superuser", "admin", "admin_out"}  # may write somewhere
CHANGE_LOG_READERS = {"superuser", "admin", "leader", "admin_out"}


def expect(ok: set[str], *, hidden: set[str] = frozenset(), ok_status: int = 200) -> dict[str, int]:
    """Status per role: `ok` roles get ok_status, `hidden` 404, other signed-in roles 403, anonymous a redirect."""
    out = {}
    for role in ROLES:
        if role == "anonymous":
            out[role] = 302
        elif role in ok:
            out[role] = ok_status
        elif role in hidden:
            out[role] = 404
        else:
            out[role] = 403
    return out


def _listing_of_a(z):
    return z["projects"]["a"].listings.get(period_id=2).pk


def _job_of_admin(z):
    return Job.objects.create(
        kind="ledger_import",
        user=z["users"]["admin"],
        status="done",
        params={"phase": "preview"},
        result={"errors": []},
    ).pk


def _change_of_a(z):
    return ChangeRecord.objects.filter(object_id=z["projects"]["a"].pk, content_type__model="project").first().pk


def _token_of_admin(z):
    from tuijin.accounts.models import APIToken

    return APIToken.issue(user=z["users"]["admin"], name="集成")[0].pk


# (url name, args builder, {role: expected status on GET})
PAGES = [
    ("projects:dashboard", None, expect(SIGNED_IN)),
    ("projects:project_list", None, expect(SIGNED_IN)),
    ("projects:project_export", None, expect(SIGNED_IN)),
    ("projects:project_add", None, expect(OFFICES)),
    (
        "projects:project_detail",
        lambda z: [z["projects"]["a"].pk],
        expect(IN_SCOPE_VIEW, hidden={"admin_out", "enterprise_out"}),
    ),
    (
        "projects:project_edit",
        lambda z: [z["projects"]["a"].pk],
        expect(OFFICE, hidden={"admin_out", "enterprise_out"}),
    ),
    (
        "projects:project_delete",
        lambda z: [z["projects"]["a"].pk],
        expect(OFFICE, hidden={"admin_out", "enterprise_out"}),
    ),
    ("projects:listing_add", lambda z: [z["projects"]["a"].pk], expect(OFFICE, hidden={"admin_out", "enterprise_out"})),
    ("projects:listing_edit", lambda z: [_listing_of_a(z)], expect(OFFICE, hidden={"admin_out", "enterprise_out"})),
    ("projects:listing_delete", lambda z: [_listing_of_a(z)], expect(OFFICE, hidden={"admin_out", "enterprise_out"})),
    ("projects:period_list", None, expect(SIGNED_IN)),
    ("projects:period_add", None, expect(OFFICES)),
    ("projects:period_edit", lambda z: [z["periods"][1].pk], expect(OFFICES)),
    ("projects:import_start", None, expect(OFFICES)),
    ("projects:import_template", None, expect(OFFICES)),
    ("projects:import_job", lambda z: [_job_of_admin(z)], expect(OFFICE, hidden={"admin_out"})),
    ("regions:region_list", None, expect(SIGNED_IN)),
    ("regions:region_add", None, expect(OFFICES)),
    (
        "regions:region_edit",
        lambda z: [z["regions"]["jingkai"].pk],
        expect(OFFICE, hidden={"admin_out", "enterprise_out"}),
    ),
    ("core:change_list", None, expect(CHANGE_LOG_READERS)),
    ("core:change_detail", lambda z: [_change_of_a(z)], expect({"superuser", "admin", "leader"}, hidden={"admin_out"})),
    ("accounts:tokens", None, expect(SIGNED_IN)),
]


def _node_of_a(z):
    from tuijin.schedule.services import checklist_create

    nodes = checklist_create(project=z["projects"]["a"])
    return next(n for n in nodes if not n.milestone).pk


def _node_with_evidence(z):
    from django.core.files.base import ContentFile

    from tuijin.schedule.models import ProjectNode

    node = ProjectNode.objects.get(pk=_node_of_a(z))
    node.evidence.save("施工许可证.pdf", ContentFile(b"%PDF-1.4 evidence"), save=True)
    return node.pk


def _checklist_of_a(z):
    _node_of_a(z)
    return z["projects"]["a"].pk


def _default_template():
    from tuijin.schedule.models import NodeTemplate

    return NodeTemplate.objects.get(is_default=True).pk


def _calendar_day():
    from tuijin.schedule.models import CalendarDay

    return CalendarDay.objects.filter(date__year=2026).first().pk


A_HIDDEN = {"admin_out", "enterprise_out"}
a_pk = lambda z: [z["projects"]["a"].pk]  # noqa: E731
PAGES += [
    ("schedule:portfolio", None, expect(SIGNED_IN)),
    ("schedule:portfolio_pdf", None, expect(SIGNED_IN)),
    ("schedule:warnings", None, expect(SIGNED_IN)),
    ("schedule:project", a_pk, expect(IN_SCOPE_VIEW, hidden=A_HIDDEN)),
    ("schedule:project_pdf", lambda z: [_checklist_of_a(z)], expect(IN_SCOPE_VIEW, hidden=A_HIDDEN)),
    # the progress form: the office, the node's responsible department, the project's own enterprise
    ("schedule:node_report", lambda z: [_node_of_a(z)], expect({"superuser", "admin", "enterprise"}, hidden=A_HIDDEN)),
    ("schedule:node_edit", lambda z: [_node_of_a(z)], expect(OFFICE, hidden=A_HIDDEN)),
    ("schedule:node_add", a_pk, expect(OFFICE, hidden=A_HIDDEN)),
    ("schedule:node_delete", lambda z: [_node_of_a(z)], expect(OFFICE, hidden=A_HIDDEN)),
    ("schedule:node_evidence", lambda z: [_node_with_evidence(z)], expect(IN_SCOPE_VIEW, hidden=A_HIDDEN)),
    # templates and the calendar: shared reference data (like periods), every office writes them
    ("schedule:template_list", None, expect(SIGNED_IN)),
    ("schedule:template_detail", lambda z: [_default_template()], expect(SIGNED_IN)),
    ("schedule:template_add", None, expect(OFFICES)),
    ("schedule:template_edit", lambda z: [_default_template()], expect(OFFICES)),
    ("schedule:calendar", None, expect(SIGNED_IN)),
    ("schedule:calendar_year", lambda z: [2027], expect(SIGNED_IN)),
]
# POST-only URLs: (url name, args builder, roles allowed) — refused roles must change nothing.
POSTS = [
    ("projects:import_confirm", lambda z: [_job_of_admin(z)], OFFICE),
    ("accounts:token_revoke", lambda z: [_token_of_admin(z)], {"admin"}),
    ("accounts:logout", None, SIGNED_IN),
    ("schedule:checklist_create", a_pk, OFFICE),
    ("schedule:target_set", a_pk, OFFICE),
    ("schedule:target_clear", a_pk, OFFICE),
    ("schedule:baseline_add", a_pk, OFFICE),
    ("schedule:calendar_day_add", lambda z: [2028], OFFICES),
    ("schedule:calendar_year_edit", lambda z: [2027], OFFICES),
    ("schedule:calendar_day_remove", lambda z: [_calendar_day()], OFFICES),
]
PUBLIC = {"accounts:login"}


def _photo_of_a(z):
    """A site photo on a draft report of project a (stored through Django's storage, as an upload is)."""
    import io
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from tuijin.investment.models import MonthlyReport
    from tuijin.investment.services import photo_add

    report = MonthlyReport.objects.create(project=z["projects"]["a"], year=2022, month=4, invested=Decimal("10"))
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (90, 120, 150)).save(out, "JPEG")
    return photo_add(user=None, report=report, upload=SimpleUploadedFile("site.jpg", out.getvalue())).pk


def _draft_report_of_a(z):
    from decimal import Decimal

    from tuijin.investment.models import MonthlyReport

    return MonthlyReport.objects.create(project=z["projects"]["a"], year=2022, month=3, invested=Decimal("10")).pk


# monthly reporting (tuijin/investment/views/reporting.py): the enterprise reports its own projects' months, the
# office any in its zone; whoever sees the project sees its reports and photos (read-only).
PAGES += [
    ("investment:report_home", None, expect(SIGNED_IN)),
    ("investment:report_edit", lambda z: [z["projects"]["a"].pk, 2022, 5], expect(IN_SCOPE_VIEW, hidden=A_HIDDEN)),
    (
        "investment:report_detail",
        lambda z: [_draft_report_of_a(z)],
        {**expect(IN_SCOPE_VIEW, hidden=A_HIDDEN), **{r: 302 for r in IN_SCOPE_VIEW}},
    ),
    ("investment:photo", lambda z: [_photo_of_a(z)], expect(IN_SCOPE_VIEW, hidden=A_HIDDEN)),
    ("investment:photo_thumbnail", lambda z: [_photo_of_a(z)], expect(IN_SCOPE_VIEW, hidden=A_HIDDEN)),
]
POSTS += [
    ("investment:photo_delete", lambda z: [_photo_of_a(z)], OFFICE | {"enterprise"}),
]

# the office's investment pages (tuijin/investment/views/office.py): everyone signed in sees the dashboard (of what
# they may see) and a visible project's investment tab; the review queue, review actions and plans are the office's.
PAGES += [
    ("investment:dashboard", None, expect(SIGNED_IN)),
    ("investment:review_queue", None, expect(OFFICES)),
    ("investment:project", a_pk, expect(IN_SCOPE_VIEW, hidden=A_HIDDEN)),
]
POSTS += [
    ("investment:review_accept", lambda z: [_report_of_a("submitted")(z)], OFFICE),
    ("investment:review_return", lambda z: [_report_of_a("submitted")(z)], OFFICE),
    ("investment:review_reopen", lambda z: [_report_of_a("accepted")(z)], OFFICE),
    ("investment:project_plan", a_pk, OFFICE),
]


# coordination pages (tuijin/coordination/views/): a department sees the tasks and problems of its unit, an
# enterprise only the problems it raised (no tasks, meetings or letters); the office runs meetings and routes.
def _co_task(z):
    from tuijin.coordination.services import task_create

    return task_create(
        user=None,
        content="协调办理施工许可",
        lead_unit=z["users"]["department"].organization,
        deadline="2099-12-31",
        project=z["projects"]["a"],
        assigner=z["users"]["admin"],
    )


def _co_task_pk(z):
    return _co_task(z).pk


def _co_note_pk(z):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tuijin.coordination.services import task_accept, task_progress

    task = _co_task(z)
    task_accept(user=None, task=task)
    return task_progress(user=None, task=task, text="已受理", upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")).pk


def _co_problem_pk(z):
    from tuijin.coordination.models import ProblemCategory
    from tuijin.coordination.services import problem_assign, problem_raise

    problem = problem_raise(
        user=z["users"]["enterprise"],
        category=ProblemCategory.objects.first(),
        description="用地未摘牌",
        project=z["projects"]["a"],
    )
    return problem_assign(user=None, problem=problem, unit=z["users"]["department"].organization, deadline="2099-01-31")


def _co_meeting(z):
    from tuijin.coordination.services import meeting_create

    return meeting_create(user=None, region=z["regions"]["jingkai"], date="2023-03-06")


def _co_item_pk(z):
    from tuijin.coordination.services import agenda_item_add

    return agenda_item_add(user=None, meeting=_co_meeting(z), topic="开工手续").pk


def _co_letter_pk(z):
    from tuijin.coordination.supervision import letter_issue

    return letter_issue(user=None, kind="supervision", task=_co_task(z)).pk


CO_NO_ENTERPRISE = SIGNED_IN - {"enterprise", "enterprise_out"}
CO_UNIT = {"superuser", "admin", "leader", "department", "viewer"}  # who sees the department's task in 经开区
CO_HIDDEN = {"enterprise", "admin_out", "enterprise_out"}
PAGES += [
    ("coordination:home", None, expect(SIGNED_IN)),
    ("coordination:inbox", None, expect(SIGNED_IN)),
    ("coordination:task_list", None, expect(CO_NO_ENTERPRISE)),
    ("coordination:task_add", None, expect(OFFICES | {"leader"})),
    ("coordination:task_detail", lambda z: [_co_task_pk(z)], expect(CO_UNIT, hidden=CO_HIDDEN)),
    ("coordination:note_file", lambda z: [_co_note_pk(z)], expect(CO_UNIT, hidden=CO_HIDDEN)),
    ("coordination:problem_list", None, expect(SIGNED_IN)),
    ("coordination:problem_add", None, expect(SIGNED_IN - {"viewer"})),
    ("coordination:problem_detail", lambda z: [_co_problem_pk(z).pk], expect(IN_SCOPE_VIEW, hidden=A_HIDDEN)),
    ("coordination:meeting_list", None, expect(CO_NO_ENTERPRISE)),
    ("coordination:meeting_add", None, expect(OFFICES)),
    ("coordination:meeting_detail", lambda z: [_co_meeting(z).pk], expect(CO_UNIT, hidden=CO_HIDDEN)),
    ("coordination:meeting_minutes", lambda z: [_co_meeting(z).pk], expect(CO_UNIT, hidden=CO_HIDDEN)),
    ("coordination:board", None, expect(CO_NO_ENTERPRISE)),
    ("coordination:letter_list", None, expect(CO_NO_ENTERPRISE)),
    ("coordination:letter_docx", lambda z: [_co_letter_pk(z)], expect(CO_UNIT, hidden=CO_HIDDEN)),
]
POSTS += [
    ("coordination:inbox_read", None, SIGNED_IN),
    ("coordination:task_step", lambda z: [_co_task_pk(z), "accept"], {"superuser", "admin", "department"}),
    ("coordination:problem_step", lambda z: [_co_problem_pk(z).pk, "confirm"], {"enterprise"}),
    ("coordination:meeting_step", lambda z: [_co_meeting(z).pk, "item"], OFFICE),
    ("coordination:item_step", lambda z: [_co_item_pk(z), "carry"], OFFICE),
    ("coordination:letter_reply", lambda z: [_co_letter_pk(z)], OFFICE | {"department"}),
]


# coordination statistics and channel settings pages (tuijin/coordination/views/stats.py, channels.py): the
# statistics are everyone's but an enterprise's (no tasks); everyone manages their own channels, the office its
# region's units' (a department sees its unit's channel read-only: 403; others 404).
def _co_channel_pk(z):
    from tuijin.coordination.models import Channel

    return Channel.objects.create(
        kind="wecom", organization=z["department"], address="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    ).pk


PAGES += [
    ("coordination:stats", None, expect(CO_NO_ENTERPRISE)),
    ("coordination:channels", None, expect(SIGNED_IN)),
]
POSTS += [
    ("coordination:channel_add", None, SIGNED_IN),
    ("coordination:channel_test", lambda z: [_co_channel_pk(z)], OFFICE),
    ("coordination:channel_toggle", lambda z: [_co_channel_pk(z)], OFFICE),
    ("coordination:channel_delete", lambda z: [_co_channel_pk(z)], OFFICE),
]

# assessment pages (tuijin/assessment/): everyone but enterprises sees the schemes and the assessments of their
# region; a subject's breakdown is the office's and the subject's own (经开区发展改革局: the department user); the
# office computes, publishes and adjusts; a shipped scheme gets a new version from a superuser only.
AS_VIEW = SIGNED_IN - {"enterprise", "enterprise_out"}
AS_JK = {"superuser", "admin", "leader", "department", "viewer"}
AS_HIDDEN = {"enterprise", "admin_out", "enterprise_out"}
PAGES += [
    ("assessment:index", None, expect(AS_VIEW)),
    ("assessment:scheme_detail", lambda z: [_shipped_schemes(z)], expect(AS_VIEW)),
    ("assessment:detail", lambda z: [_assessment_of_jk("draft")(z)], expect(AS_JK, hidden=AS_HIDDEN)),
    (
        "assessment:breakdown",
        lambda z: [_assessment_of_jk("draft")(z), str(z["department"].pk)],
        expect({"superuser", "admin", "department"}, hidden=AS_HIDDEN),
    ),
    ("assessment:export_xlsx", lambda z: [_assessment_of_jk("draft")(z)], expect(AS_JK, hidden=AS_HIDDEN)),
    ("assessment:export_docx", lambda z: [_assessment_of_jk("draft")(z)], expect(AS_JK, hidden=AS_HIDDEN)),
]
POSTS += [
    ("assessment:compute", None, OFFICES),
    ("assessment:scheme_version", lambda z: [_shipped_schemes(z)], {"superuser"}),
    ("assessment:publish", lambda z: [_assessment_of_jk("draft")(z)], OFFICE),
    ("assessment:adjust", lambda z: [_assessment_of_jk("draft")(z)], OFFICE),
    ("assessment:adjustment_delete", lambda z: [_assessment_of_jk("adjusted")(z)], OFFICE),
]

# the big screen (tuijin/screen/)
SCREEN_VIEWERS = SIGNED_IN - {"enterprise", "enterprise_out"}  # an enterprise sees only its own projects: no wall
PAGES += [
    ("screen:index", None, expect(SCREEN_VIEWERS)),
]
POSTS += []


# briefings (tuijin/briefing/)
# The office and leaders see briefings (of their regions) and the shared templates; the office generates, edits,
# publishes and edits templates (every office: templates are shared reference data, like node templates).
def _briefing_of_jk(z):
    from tuijin.briefing.models import Briefing, BriefingTemplate
    from tuijin.briefing.shipped import ensure_shipped

    ensure_shipped()
    template = BriefingTemplate.objects.get(name="monthly")
    return Briefing.objects.create(
        template=template,
        region=z["regions"]["jingkai"],
        kind="monthly",
        as_of="2022-11-30",
        year=2022,
        number=1,
        title="郑州经开区重点项目建设工作简报",
        issuer="经开区重点项目办",
        text="= 2022年11月份全区重点项目建设进展情况\n# 一、总体情况\n截至11月底，全区项目共3个。\n",
    ).pk


BRIEFING_READERS = {"superuser", "admin", "leader", "admin_out"}
PAGES += [
    ("briefing:briefing_list", None, expect(BRIEFING_READERS)),
    ("briefing:briefing_generate", None, expect(OFFICES)),
    ("briefing:briefing_detail", lambda z: [_briefing_of_jk(z)], expect(OFFICE | {"leader"}, hidden={"admin_out"})),
    ("briefing:briefing_docx", lambda z: [_briefing_of_jk(z)], expect(OFFICE | {"leader"}, hidden={"admin_out"})),
    ("briefing:briefing_pdf", lambda z: [_briefing_of_jk(z)], expect(OFFICE | {"leader"}, hidden={"admin_out"})),
    ("briefing:template_list", None, expect(BRIEFING_READERS)),
    ("briefing:template_add", None, expect(OFFICES)),
    ("briefing:template_edit", lambda z: ["monthly"], expect(BRIEFING_READERS)),
]
POSTS += [
    ("briefing:briefing_publish", lambda z: [_briefing_of_jk(z)], OFFICE),
    ("briefing:briefing_delete", lambda z: [_briefing_of_jk(z)], OFFICE),
    ("briefing:template_preview", None, BRIEFING_READERS),
]


def _client_for(client, zone, role):
    if role != "anonymous":
        client.force_login(zone["users"][role])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_page(client, zone, role, name, args, expected):
    url = reverse(name, args=args(zone) if args else None)
    before = ChangeRecord.objects.count()
    response = _client_for(client, zone, role).get(url)
    assert response.status_code == expected[role], f"{role} GET {url}"
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]
    assert ChangeRecord.objects.count() == before  # looking never writes


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "allowed"), POSTS, ids=[p[0] for p in POSTS])
def test_post_only(client, zone, role, name, args, allowed):
    url = reverse(name, args=args(zone) if args else None)
    before = ChangeRecord.objects.count()
    got = _client_for(client, zone, role).get(url).status_code
    assert ChangeRecord.objects.count() == before  # a GET never writes
    if role in allowed or role == "anonymous":
        assert got in {302, 405}
        return
    assert got in {403, 404, 405}
    before = ChangeRecord.objects.count(), Job.objects.filter(status="running").count()
    response = client.post(url)
    assert response.status_code in {403, 404}, f"{role} POST {url}"
    assert (ChangeRecord.objects.count(), Job.objects.filter(status="running").count()) == before


# Refused writes through the pages: the object must stay as it was.
WRITES = [
    ("projects:project_edit", lambda z: [z["projects"]["a"].pk], {"name": "改名", "total_investment": "1"}),
    ("projects:project_delete", lambda z: [z["projects"]["a"].pk], {}),
    ("projects:listing_add", lambda z: [z["projects"]["a"].pk], {"period": "1", "batch": "production"}),
    ("projects:listing_delete", lambda z: [_listing_of_a(z)], {}),
    ("regions:region_edit", lambda z: [z["regions"]["jingkai"].pk], {"code": "410171", "name": "改名"}),
]


@pytest.mark.parametrize("role", sorted(SIGNED_IN - OFFICE))
@pytest.mark.parametrize(("name", "args", "data"), WRITES, ids=[w[0] for w in WRITES])
def test_refused_write_changes_nothing(client, zone, role, name, args, data):
    from tuijin.projects.models import Listing, Project
    from tuijin.regions.models import Region

    url = reverse(name, args=args(zone))

    def state():
        return (
            ChangeRecord.objects.count(),
            list(Project.objects.values_list("name", "total_investment")),
            Listing.objects.count(),
            list(Region.objects.values_list("name", flat=True)),
        )

    before = state()
    response = _client_for(client, zone, role).post(url, data)
    assert response.status_code in {403, 404}
    assert state() == before


# ---- API ----


def _api_rows():
    a = lambda z: z["projects"]["a"].pk  # noqa: E731
    read_all = {r: 200 for r in SIGNED_IN}
    project_a = {r: (200 if r in IN_SCOPE_VIEW else 404) for r in SIGNED_IN}
    return [
        ("GET", "/api/v1/regions", None, None, read_all),
        (
            "GET",
            "/api/v1/regions/{}",
            lambda z: "410171",
            None,
            {r: (404 if r in {"admin_out", "enterprise_out"} else 200) for r in SIGNED_IN},
        ),
        # Only the province's office may add a zone under 郑州市 (a zone's office sees no parent to put it under).
        (
            "POST",
            "/api/v1/regions",
            None,
            {"code": "410199", "name": "新区", "parent": "410100"},
            {r: (201 if r == "superuser" else {422} if r in OFFICES else {403}) for r in SIGNED_IN},
        ),
        (
            "PATCH",
            "/api/v1/regions/{}",
            lambda z: "410171",
            {"name": "改名区"},
            {r: (200 if r in OFFICE else (404 if r in {"admin_out", "enterprise_out"} else 403)) for r in SIGNED_IN},
        ),
        ("GET", "/api/v1/periods", None, None, read_all),
        ("GET", "/api/v1/periods/{}", lambda z: 1, None, read_all),
        (
            "POST",
            "/api/v1/periods",
            None,
            {"number": 3, "date": "2022-09-20"},
            {r: (201 if r in OFFICES else 403) for r in SIGNED_IN},
        ),
        ("GET", "/api/v1/projects", None, None, read_all),
        ("GET", "/api/v1/projects/{}", a, None, project_a),
        (
            "PATCH",
            "/api/v1/projects/{}",
            a,
            {"note": "已协调"},
            {r: (200 if r in OFFICE else (404 if r not in IN_SCOPE_VIEW else 403)) for r in SIGNED_IN},
        ),
        ("GET", "/api/v1/projects/{}/listings", a, None, project_a),
        (
            "POST",
            "/api/v1/projects/{}/listings",
            a,
            {"period": 1, "batch": "signed"},
            {r: (201 if r in OFFICE else (404 if r not in IN_SCOPE_VIEW else 403)) for r in SIGNED_IN},
        ),
        (
            "GET",
            "/api/v1/projects/{}/changes",
            a,
            None,
            {
                r: (200 if r in {"superuser", "admin", "leader"} else (404 if r not in IN_SCOPE_VIEW else 403))
                for r in SIGNED_IN
            },
        ),
        ("GET", "/api/v1/projects/{}/schedule", a, None, project_a),
        ("GET", "/api/v1/stats/campaign", None, None, read_all),
        ("GET", "/api/v1/changes", None, None, {r: (200 if r in CHANGE_LOG_READERS else 403) for r in SIGNED_IN}),
        (
            "DELETE",
            "/api/v1/listings/{}",
            _listing_of_a,
            None,
            {r: (204 if r in OFFICE else (404 if r not in IN_SCOPE_VIEW else 403)) for r in SIGNED_IN},
        ),
        (
            "DELETE",
            "/api/v1/projects/{}",
            a,
            None,
            {r: (204 if r in OFFICE else (404 if r not in IN_SCOPE_VIEW else 403)) for r in SIGNED_IN},
        ),
        (
            "DELETE",
            "/api/v1/periods/{}",
            lambda z: 2,
            None,
            {r: (409 if r in OFFICES else 403) for r in SIGNED_IN},
        ),  # still has listings
        (
            "DELETE",
            "/api/v1/regions/{}",
            lambda z: "410173",
            None,  # 郑州高新区: empty
            {
                r: (
                    204
                    if r in {"superuser"}
                    else 404
                    if r in {"admin_out", "enterprise_out", "admin", "leader", "department", "enterprise", "viewer"}
                    else 403
                )
                for r in SIGNED_IN
            },
        ),
        (
            "PATCH",
            "/api/v1/periods/{}",
            lambda z: 1,
            {"name": "第一期（调整）"},
            {r: (200 if r in OFFICES else 403) for r in SIGNED_IN},
        ),
        ("POST", "/api/v1/projects", None, None, None),  # covered by tuijin/projects/tests/test_api.py per role
        ("POST", "/api/v1/imports/ledger", None, None, None),  # multipart: covered by test_api.py per role
    ]


def _report_of_a(status: str):
    def build(z):
        from decimal import Decimal

        from tuijin.investment.models import MonthlyReport

        return MonthlyReport.objects.create(
            project=z["projects"]["a"], year=2022, month=5, invested=Decimal("100"), status=status
        ).pk

    return build


def _investment_rows():
    a = lambda z: z["projects"]["a"].pk  # noqa: E731
    read_all = {r: 200 for r in SIGNED_IN}
    in_view = {r: (200 if r in IN_SCOPE_VIEW else 404) for r in SIGNED_IN}

    def office(ok):
        return {r: (ok if r in OFFICE else (404 if r not in IN_SCOPE_VIEW else 403)) for r in SIGNED_IN}

    def office_and_owner(ok):
        return {
            r: (ok if r in OFFICE | {"enterprise"} else (404 if r not in IN_SCOPE_VIEW else 403)) for r in SIGNED_IN
        }

    return [
        ("GET", "/api/v1/investment/plans", None, None, read_all),
        ("GET", "/api/v1/investment/reports", None, None, read_all),
        ("GET", "/api/v1/investment/reminders", None, None, read_all),
        ("GET", "/api/v1/investment/missing?year=2022&month=7", None, None, read_all),
        ("GET", "/api/v1/investment/completion?year=2022", None, None, read_all),
        ("GET", "/api/v1/stats/investment?year=2022", None, None, read_all),
        ("GET", "/api/v1/investment/plans/{}/2022", a, None, in_view),
        ("PUT", "/api/v1/investment/plans/{}/2022", a, {"amount": "1"}, office(200)),
        ("POST", "/api/v1/investment/plans/{}/2022/split", a, {"method": "even"}, office(200)),
        ("GET", "/api/v1/investment/reports/{}", _report_of_a("draft"), None, in_view),
        (
            "POST",
            "/api/v1/investment/reports",
            None,
            {"project": "A", "year": 2022, "month": 7, "invested": 1},
            office_and_owner(201),
        ),
        ("PATCH", "/api/v1/investment/reports/{}", _report_of_a("draft"), {"invested": 2}, office_and_owner(200)),
        ("POST", "/api/v1/investment/reports/{}/submit", _report_of_a("draft"), None, office_and_owner(200)),
        ("DELETE", "/api/v1/investment/reports/{}", _report_of_a("draft"), None, office_and_owner(204)),
        (
            "POST",
            "/api/v1/investment/reports/{}/return",
            _report_of_a("submitted"),
            {"opinion": "请补充照片"},
            office(200),
        ),
        ("POST", "/api/v1/investment/reports/{}/accept", _report_of_a("submitted"), None, office(200)),
        ("POST", "/api/v1/investment/reports/{}/reopen", _report_of_a("accepted"), {"reason": "数据更正"}, office(200)),
        # multipart photo upload/delete: covered per role in tuijin/investment/tests/test_api.py
        ("POST", "/api/v1/investment/reports/{}/photos", None, None, None),
        ("DELETE", "/api/v1/investment/reports/{}/photos/{}", None, None, None),
    ]


def _task_of_dept(state: str):
    """A task of 经开区 led by its 发改局 (the department user's unit), assigned by office_jk, brought to `state`."""

    def build(z):
        import datetime

        from tuijin.coordination import services

        task = services.task_create(
            user=z["users"]["admin"],
            content="协调办理施工许可证",
            lead_unit=z["department"],
            deadline=datetime.date(2023, 3, 31),
            assigned_on=datetime.date(2023, 3, 1),
            project=z["projects"]["a"],
        )
        if state != "assigned":
            services.task_accept(user=None, task=task)
        if state == "reported_done":
            services.task_report_done(user=None, task=task, text="已办结")
        if state == "extension":
            return services.task_request_extension(user=None, task=task, new_deadline="2023-04-30", reason="等批复").pk
        return task.pk

    return build


def _problem_of_a(state: str):
    """A problem ent_a raised on project a, unrouted ("open"), routed to 发改局, solved or confirmed."""

    def build(z):
        import datetime

        from tuijin.coordination import services
        from tuijin.coordination.models import ProblemCategory

        problem = services.problem_raise(
            user=z["users"]["enterprise"],
            category=ProblemCategory.objects.get(name="土地"),
            description="项目用地尚未摘牌",
            project=z["projects"]["a"],
            raised_on=datetime.date(2023, 3, 1),
        )
        if state != "open":
            services.problem_assign(user=None, problem=problem, unit=z["department"], deadline="2023-04-30")
        if state in ("solved", "confirmed"):
            services.problem_solve(user=None, problem=problem, solution="已摘牌")
        if state == "confirmed":
            services.problem_confirm(user=None, problem=problem)
        return problem.pk

    return build


def _coordination_rows():
    read_all = {r: 200 for r in SIGNED_IN}
    task_view = {"superuser", "admin", "leader", "department", "viewer"}
    problem_view = {"superuser", "admin", "leader", "viewer", "enterprise"}  # raised by ent_a; not routed yet

    def rows(ok_roles, visible, ok=200):
        return {r: (ok if r in ok_roles else 403 if r in visible else 404) for r in SIGNED_IN}

    worker, reviewer = {"superuser", "admin", "department"}, {"superuser", "admin"}
    routed = problem_view | {"department"}
    t, p = "/api/v1/coordination/tasks", "/api/v1/coordination/problems"
    new_task = {
        "content": "协调供电接入",
        "lead_unit": "经开区发展改革局",
        "deadline": "2023-04-30",
        "assigned_on": "2023-04-01",
        "project": "A",
    }
    return [
        ("GET", t, None, None, read_all),
        ("POST", t, None, new_task, {**rows({"superuser", "admin", "leader"}, SIGNED_IN, 201), "admin_out": 404}),
        ("GET", t + "/{}", _task_of_dept("assigned"), None, rows(task_view, set())),
        ("POST", t + "/{}/accept", _task_of_dept("assigned"), None, rows(worker, task_view)),
        ("POST", t + "/{}/progress", _task_of_dept("accepted"), {"text": "已受理"}, rows(worker, task_view)),
        ("POST", t + "/{}/report-done", _task_of_dept("accepted"), {"text": "已办结"}, rows(worker, task_view)),
        ("POST", t + "/{}/close", _task_of_dept("reported_done"), None, rows(reviewer, task_view)),
        ("POST", t + "/{}/send-back", _task_of_dept("reported_done"), {"opinion": "缺材料"}, rows(reviewer, task_view)),
        (
            "POST",
            t + "/{}/extensions",
            _task_of_dept("accepted"),
            {"new_deadline": "2023-05-31", "reason": "等待批复"},
            rows(worker, task_view, 201),
        ),
        (
            "POST",
            "/api/v1/coordination/extensions/{}/grant",
            _task_of_dept("extension"),
            None,
            rows(reviewer, task_view),
        ),
        (
            "POST",
            "/api/v1/coordination/extensions/{}/refuse",
            _task_of_dept("extension"),
            {"opinion": "时间充足"},
            rows(reviewer, task_view),
        ),
        ("GET", p, None, None, read_all),
        (
            "POST",
            p,
            None,
            {"category": "土地", "description": "用地指标不足", "project": "A"},
            {
                **rows({"superuser", "admin", "leader", "department", "enterprise"}, {"viewer"}, 201),
                "enterprise_out": 404,
            },
        ),
        ("GET", p + "/{}", _problem_of_a("open"), None, rows(problem_view, set())),
        (
            "POST",
            p + "/{}/assign",
            _problem_of_a("open"),
            {"unit": "经开区发展改革局", "deadline": "2023-04-30"},
            rows(reviewer, problem_view),
        ),
        ("POST", p + "/{}/start", _problem_of_a("routed"), None, rows(worker, routed)),
        ("POST", p + "/{}/solve", _problem_of_a("routed"), {"solution": "已摘牌"}, rows(worker, routed)),
        ("POST", p + "/{}/confirm", _problem_of_a("solved"), None, rows({"enterprise"}, routed)),
        ("POST", p + "/{}/reopen", _problem_of_a("solved"), {"reason": "仍未摘牌"}, rows({"enterprise"}, routed)),
        ("POST", p + "/{}/rate", _problem_of_a("confirmed"), {"rating": 4}, rows({"enterprise"}, routed)),
        ("POST", p + "/{}/escalate", _problem_of_a("open"), {"note": "需市级统筹"}, rows(reviewer, problem_view)),
        ("GET", "/api/v1/coordination/categories", None, None, read_all),
        ("GET", "/api/v1/coordination/notifications", None, None, read_all),
        ("GET", "/api/v1/stats/coordination?from=2023-01-01&to=2023-12-31", None, None, read_all),
    ]


def _coordination_more_rows():
    """Meetings, the supervision board, ladder trails and letters in the API (tuijin/coordination/api/). Meetings
    are the zone's (no enterprise sees them) and only its office runs them; a letter is seen by its zone and the
    unit it is addressed to, which replies (or the office)."""
    read_all = {r: 200 for r in SIGNED_IN}
    meeting_view = {"superuser", "admin", "leader", "department", "viewer"}
    task_view = {"superuser", "admin", "leader", "department", "viewer"}
    problem_view = {"superuser", "admin", "leader", "viewer", "enterprise"}
    letter_view = {"superuser", "admin", "leader", "department", "viewer"}

    def rows(ok_roles, visible, ok=200):
        return {r: (ok if r in ok_roles else 403 if r in visible else 404) for r in SIGNED_IN}

    def meeting_pk(z):
        return _co_meeting(z).pk

    def attendee_pk(z):
        from tuijin.coordination.services import attendee_add

        return attendee_add(user=None, meeting=_co_meeting(z), name="张明").pk

    m = "/api/v1/coordination/meetings"
    zone_writes = {**rows(OFFICE, SIGNED_IN - {"admin_out", "enterprise_out"}), "admin_out": 404, "enterprise_out": 404}
    return [
        ("GET", m, None, None, read_all),
        ("POST", m, None, {"region": "410171", "date": "2023-03-13"}, {**zone_writes, "superuser": 201, "admin": 201}),
        ("POST", m + "/schedule", None, {"region": "410171", "year": 2023}, zone_writes),
        ("GET", m + "/{}", meeting_pk, None, rows(meeting_view, set())),
        ("POST", m + "/{}/attendees", meeting_pk, {"name": "张明"}, rows(OFFICE, meeting_view, 201)),
        (
            "POST",
            "/api/v1/coordination/attendees/{}/attendance",
            attendee_pk,
            {"attendance": "absent"},
            rows(OFFICE, meeting_view),
        ),
        ("POST", m + "/{}/items", meeting_pk, {"topic": "开工手续"}, rows(OFFICE, meeting_view, 201)),
        ("POST", m + "/{}/reorder", meeting_pk, {"items": []}, rows(OFFICE, meeting_view)),
        ("POST", m + "/{}/draft-agenda", meeting_pk, None, rows(OFFICE, meeting_view)),
        (
            "POST",
            "/api/v1/coordination/items/{}/outcomes",
            _co_item_pk,
            {"kind": "decision", "text": "本周内办结"},
            rows(OFFICE, meeting_view, 201),
        ),
        ("POST", "/api/v1/coordination/items/{}/carry", _co_item_pk, None, rows(OFFICE, meeting_view)),
        ("GET", m + "/{}/minutes.docx", meeting_pk, None, rows(meeting_view, set())),
        (
            "GET",
            "/api/v1/coordination/supervision",
            None,
            None,
            {r: (403 if r in {"enterprise", "enterprise_out"} else 200) for r in SIGNED_IN},
        ),
        ("GET", "/api/v1/coordination/tasks/{}/steps", _task_of_dept("assigned"), None, rows(task_view, set())),
        ("GET", "/api/v1/coordination/problems/{}/steps", _problem_of_a("open"), None, rows(problem_view, set())),
        ("GET", "/api/v1/coordination/letters", None, None, read_all),
        ("GET", "/api/v1/coordination/letters/{}", _co_letter_pk, None, rows(letter_view, set())),
        (
            "POST",
            "/api/v1/coordination/letters/{}/reply",
            _co_letter_pk,
            {"reply": "已按期整改"},
            rows({"superuser", "admin", "department"}, letter_view),
        ),
        ("GET", "/api/v1/coordination/letters/{}/letter.docx", _co_letter_pk, None, rows(letter_view, set())),
    ]


def _shipped_schemes(z):
    """The shipped schemes (a transactional test elsewhere may have flushed what the migration made)."""
    from tuijin.assessment.shipped import ensure_shipped_schemes

    ensure_shipped_schemes()
    return "zone-monthly"


def _assessment_of_jk(state: str):
    """经开区's units scored by the shipped zone-monthly scheme for 2022-11 (by the system), a draft or published;
    `adjusted`: a draft with a bonus for 经开区发展改革局 (returns the adjustment)."""

    def build(z):
        from tuijin.assessment import services

        _shipped_schemes(z)
        a = services.assessment_compute(
            scheme=services.scheme_by_name("zone-monthly"), period="2022-11", region=z["regions"]["jingkai"]
        )
        if state == "published":
            services.assessment_publish(assessment=a)
        if state == "adjusted":
            return services.adjustment_add(assessment=a, subject="经开区发展改革局", points="2", reason="加分").pk
        return a.pk

    return build


def _assessment_rows():
    """Assessment (tuijin/assessment/api.py): every signed-in user but an enterprise sees the schemes and the
    assessments of their region; only the office computes, publishes and adjusts; a shipped scheme gets a new
    version from a superuser only."""
    read_all = {r: 200 for r in SIGNED_IN}
    no_enterprise = {r: (404 if r in {"enterprise", "enterprise_out"} else 200) for r in SIGNED_IN}
    in_jk = {"superuser", "admin", "leader", "department", "viewer"}

    def office(ok):
        return {r: (ok if r in OFFICE else 403 if r in in_jk else 404) for r in SIGNED_IN}

    a = "/api/v1/assessment/assessments"
    compute = {"scheme": "zone-monthly", "period": "2022-11", "region": "410171"}
    return [
        ("GET", "/api/v1/assessment/schemes", _shipped_schemes, None, read_all),
        ("GET", "/api/v1/assessment/schemes/{}", _shipped_schemes, None, no_enterprise),
        (
            "POST",
            "/api/v1/assessment/schemes/{}/versions",
            _shipped_schemes,
            {"reason": "调整权重"},
            {**office(403), "superuser": 201, "admin_out": 403},
        ),
        ("GET", a, None, None, read_all),
        ("POST", a, lambda z: _shipped_schemes(z) and "", compute, {**office(200), "enterprise": 404}),
        ("GET", a + "/{}", _assessment_of_jk("draft"), None, {r: (200 if r in in_jk else 404) for r in SIGNED_IN}),
        ("POST", a + "/{}/publish", _assessment_of_jk("draft"), None, office(200)),
        (
            "POST",
            a + "/{}/adjustments",
            _assessment_of_jk("draft"),
            {"subject": "经开区发展改革局", "points": "1.5", "reason": "重大项目招引加分"},
            office(201),
        ),
        ("DELETE", "/api/v1/assessment/adjustments/{}", _assessment_of_jk("adjusted"), None, office(204)),
    ]


def _screen_rows():
    not_enterprise = {r: (403 if r.startswith("enterprise") else 200) for r in SIGNED_IN}
    return [
        ("GET", "/api/v1/screen", None, None, not_enterprise),
        # 经开区 by code: its own office and users; the other zone's office: 404 (an enterprise: 403 first)
        (
            "GET",
            "/api/v1/screen?region=410171",
            None,
            None,
            {**not_enterprise, "admin_out": 404},
        ),
    ]


def _briefing_rows():
    readers = {"superuser", "admin", "leader"}
    one = {r: (200 if r in readers else 404) for r in SIGNED_IN}
    return [
        ("GET", "/api/v1/briefings/templates", None, None, {r: 200 for r in SIGNED_IN}),
        ("GET", "/api/v1/briefings", None, None, {r: 200 for r in SIGNED_IN}),
        ("GET", "/api/v1/briefings/{}", _briefing_of_jk, None, one),
        (
            "POST",
            "/api/v1/briefings",
            None,
            {"template": "weekly", "as_of": "2022-11-30", "region": "410171"},
            {**{r: 404 for r in SIGNED_IN}, "superuser": 201, "admin": 201, "leader": 403},
        ),
        ("POST", "/api/v1/briefings/{}/publish", _briefing_of_jk, None, {**one, "leader": 403}),
    ]


API_ROWS = (
    _api_rows()
    + _investment_rows()
    + _coordination_rows()
    + _coordination_more_rows()
    + _assessment_rows()
    + _screen_rows()
    + _briefing_rows()
)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "arg", "body", "expected"),
    [r for r in API_ROWS if r[4] is not None],
    ids=[f"{r[0]} {r[1]}" for r in API_ROWS if r[4]],
)
def test_api(client, zone, role, method, path, arg, body, expected):
    url = path.format(arg(zone)) if arg else path
    if body and body.get("project") == "A":  # the in-scope project's id, known only once the zone exists
        body = {**body, "project": zone["projects"]["a"].pk}
    before = ChangeRecord.objects.count()
    _client_for(client, zone, role)
    response = client.generic(method, url, data=json.dumps(body) if body else "", content_type="application/json")
    if role == "anonymous":
        assert response.status_code == 401
        assert ChangeRecord.objects.count() == before
        return
    wanted = expected[role] if isinstance(expected[role], set) else {expected[role]}
    assert response.status_code in wanted, f"{role} {method} {url}: {response.content[:300]!r}"
    if response.status_code >= 400 or method == "GET":
        assert ChangeRecord.objects.count() == before


def _patterns(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else prefix
            yield from _patterns(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{prefix}{p.name}"


def test_every_url_is_in_the_matrix():
    covered = {p[0] for p in PAGES} | {p[0] for p in POSTS} | PUBLIC
    apps = {
        "projects",
        "regions",
        "core",
        "accounts",
        "schedule",
        "investment",
        "coordination",
        "assessment",
        "screen",
        "briefing",
    }
    names = {n for n in _patterns(get_resolver()) if n.split(":")[0] in apps}
    assert names - covered == set(), "add these URLs to the permission matrix"


def test_every_api_endpoint_is_in_the_matrix():
    from tuijin.api import api

    schema = api.get_openapi_schema()
    endpoints = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    covered = {(r[0], re.sub(r"\{\}|(?<=/)\d+(?=/|$)", "{x}", r[1].split("?")[0])) for r in API_ROWS}
    normalised = {(m, re.sub(r"\{[^}]+\}", "{x}", p)) for m, p in endpoints}
    assert normalised - covered == set(), "add these endpoints to the permission matrix"
