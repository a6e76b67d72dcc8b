"""The template language and saving templates: the engine is locked down, errors come with their line number,
and a template that does not compile is never saved."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tuijin.briefing import services, templatelang
from tuijin.briefing.models import BriefingTemplate
from tuijin.briefing.shipped import ensure_shipped
from tuijin.core.models import ChangeRecord

pytestmark = pytest.mark.django_db

GOOD = "# 一、总体情况\n截至{{ date.cut }}，共{{ ledger.total.count }}个项目。\n[[table:campaign_batches]]\n"
BROKEN = "# 一、总体情况\n共{{ ledger.total.count }}个项目。\n{% for b in ledger.batch_list %}{{ b.label }}\n# 二、\n"


def state():
    return (
        list(BriefingTemplate.objects.values_list("name", "title", "text", "version", "last_updated")),
        ChangeRecord.objects.count(),
    )


# ---- the language ----


@pytest.mark.parametrize(
    ("value", "filter_", "arg", "shown"),
    [
        (Decimal("1234567.89"), "yi", None, "123.46"),
        (Decimal("49.99"), "yi", None, "0.00"),
        (Decimal("50"), "yi", None, "0.01"),  # half up
        (None, "yi", None, "—"),
        (Decimal("1234.5"), "wan", None, "1234.50"),
        (Decimal("85.3"), "pct", None, "85.3%"),
        (Decimal("85.35"), "pct", 0, "85%"),
        (None, "pct", None, "—"),
        (2, "share", 3, "66.7%"),
        (1, "share", 0, "—"),
        (Decimal("-3.25"), "gap", None, "低于序时进度3.3个百分点"),
        (Decimal("4"), "gap", None, "高于序时进度4.0个百分点"),
        (Decimal("0"), "gap", None, "与序时进度持平"),
        (Decimal("-3.25"), "points", None, "3.3"),
        (12, "cn", None, "十二"),
        ("2022-11-30", "cn_date", None, "2022年11月30日"),
        (datetime.date(2022, 11, 30), "cn_month", None, "2022年11月"),
        ("协调办理施工许可。", "clause", None, "协调办理施工许可"),
    ],
)
def test_filters(value, filter_, arg, shown):
    source = "{{ v|" + filter_ + (":a" if arg is not None else "") + " }}"
    text, problems = templatelang.render(source, {"v": value, "a": arg})
    assert (text, problems) == (shown, [])


def test_loops_and_conditions_over_plain_data():
    context = {"ledger": {"batch_list": [{"label": "签约一批", "count": 3}, {"label": "开工一批", "count": 0}]}}
    source = "{% for b in ledger.batch_list %}{% if b.count %}{{ b.label }}{{ b.count }}个{% endif %}{% endfor %}"
    assert templatelang.render(source, context) == ("签约一批3个", [])


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("第一行\n第二行\n{% load static %}\n", 3),
        ("{% include 'base.html' %}", 1),
        ("一\n{% extends 'base.html' %}", 2),
        ("一\n二\n三\n{% debug %}", 4),
        ("{% url 'projects:dashboard' %}", 1),
        ("一\n{% csrf_token %}", 2),
        ("一\n{{ x|pprint }}", 2),
        ("一\n{{ x|random }}", 2),
        (BROKEN, 3),  # an unclosed for
        ("一\n{% if %}\n", 2),
    ],
)
def test_locked_down_engine_refuses_with_the_line(source, line):
    problems = templatelang.check(source)
    assert len(problems) == 1
    assert problems[0].line == line, problems[0]


def test_unknown_variables_are_shown_and_listed():
    text, problems = templatelang.render("一\n共{{ ledger.totl.count }}个", {"ledger": {"total": {"count": 3}}})
    assert text == "一\n共【未知：ledger.totl.count】个"
    assert [(p.line, p.where) for p in problems] == [(2, "result")]
    assert "ledger.totl.count" in problems[0].message


def test_no_model_instances_reach_a_template(bz):
    """The context is plain data: dicts, lists, str, numbers, Decimals, None (no model methods to call)."""
    from tuijin.briefing.context import PROVIDERS, build_context, resolved

    ctx = build_context(bz["regions"]["jingkai"], datetime.date(2022, 11, 30))

    def plain(value, path):
        if isinstance(value, dict):
            for k, v in value.items():
                plain(v, f"{path}.{k}")
        elif isinstance(value, list | tuple):
            for i, v in enumerate(value):
                plain(v, f"{path}[{i}]")
        else:
            assert value is None or isinstance(value, str | int | float | Decimal | bool), (path, type(value))

    for name in PROVIDERS:
        plain(resolved(ctx, name), name)


# ---- saving ----


def test_a_template_with_a_syntax_error_is_refused_with_its_line_and_nothing_is_saved(zone):
    ensure_shipped()
    template = BriefingTemplate.objects.get(name="monthly")
    before = state()
    with pytest.raises(ValidationError) as err:
        services.template_update(user=zone["users"]["admin"], template=template, title=template.title, text=BROKEN)
    assert "3" in " ".join(err.value.message_dict["text"])  # the unclosed {% for %} is on line 3
    assert state() == before
    with pytest.raises(ValidationError):
        services.template_create(user=zone["users"]["admin"], name="broken", title="简报", kind="weekly", text=BROKEN)
    assert state() == before


def test_unknown_table_is_refused_with_its_line(zone):
    before = state()
    with pytest.raises(ValidationError) as err:
        services.template_create(
            user=zone["users"]["admin"], name="t1", title="简报", kind="monthly", text="一\n二\n[[table:nope]]\n"
        )
    assert "line 3" in err.value.message_dict["text"][0] or "3" in err.value.message_dict["text"][0]
    assert state() == before


def test_saving_raises_the_version_and_keeps_the_old_text_in_the_change_log(zone):
    ensure_shipped()
    template = BriefingTemplate.objects.get(name="weekly")
    old = template.text
    saved = services.template_update(user=zone["users"]["admin"], template=template, title=template.title, text=GOOD)
    assert (saved.version, saved.text) == (2, GOOD)
    record = ChangeRecord.objects.filter(object_id=template.pk, content_type__model="briefingtemplate").first()
    assert record.action == "update"
    assert record.before == {"text": old, "version": 1} and record.after == {"text": GOOD, "version": 2}
    same = services.template_update(user=zone["users"]["admin"], template=saved, title=saved.title, text=GOOD)
    assert same.version == 2  # nothing changed: no new version


def test_only_the_office_saves_templates(zone):
    ensure_shipped()
    template = BriefingTemplate.objects.get(name="weekly")
    before = state()
    for role in ("leader", "department", "viewer", "enterprise"):
        with pytest.raises(Exception) as err:
            services.template_update(user=zone["users"][role], template=template, title="x", text=GOOD)
        assert err.type.__name__ == "PermissionDenied"
    assert state() == before


def test_the_editor_page_refuses_a_broken_template_and_shows_the_line(zone, client):
    ensure_shipped()
    client.force_login(zone["users"]["admin"])
    before = state()
    response = client.post("/briefings/templates/weekly/", {"title": "周报", "kind": "weekly", "text": BROKEN})
    assert response.status_code == 422
    html = response.content.decode()
    assert "endfor" in html and ("3" in html)
    assert state() == before
    response = client.post("/briefings/templates/weekly/", {"title": "周报", "kind": "weekly", "text": GOOD})
    assert response.status_code == 302
    assert BriefingTemplate.objects.get(name="weekly").version == 2


def test_the_preview_renders_figures_or_the_errors(bz, client):
    ensure_shipped()
    client.force_login(bz["users"]["admin"])
    jk = bz["regions"]["jingkai"]
    data = {"title": "{{ region.name }}简报", "preview-region": jk.pk, "preview-as_of": "2022-11-30"}
    response = client.post("/briefings/templates/preview/", {**data, "text": GOOD})
    html = response.content.decode()
    assert response.status_code == 200
    assert "郑州经开区简报" in html and "截至11月底，共2个项目。" in html
    assert "“三个一批”项目推进情况表" in html  # the table, with its totals row
    assert 'class="tj-total"' in html
    response = client.post("/briefings/templates/preview/", {**data, "text": BROKEN})
    html = response.content.decode()
    assert 'id="preview-problems"' in html and "3" in html
    assert BriefingTemplate.objects.filter(text=BROKEN).count() == 0


def test_shipped_templates_compile_and_come_back_when_missing(zone):
    ensure_shipped()
    for t in BriefingTemplate.objects.filter(name__in=["monthly", "weekly"]):
        assert services.template_problems(title=t.title, text=t.text) == []
    BriefingTemplate.objects.filter(name="weekly").delete()
    assert ensure_shipped() == 1
    assert ensure_shipped() == 0
