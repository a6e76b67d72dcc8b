"""Template helpers shared by every page: money, 亿元, choice badges, ledger cells and query strings.

Load with `{% load tuijin_tags %}`.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.module_loading import import_string

register = template.Library()

# Badge kinds: which TextChoices (with a `.color`) a stored value belongs to.
BADGE_CHOICES = {
    "batch": "tuijin.projects.choices.Batch",
    "listing": "tuijin.projects.choices.ListingAction",
    "stage": "tuijin.projects.choices.Stage",
    "change": "tuijin.core.choices.ChangeAction",
    "source": "tuijin.core.choices.ChangeSource",
    "job": "tuijin.core.choices.JobStatus",
}
SOURCE_COLORS = {"web": "blue", "api": "purple", "cli": "dark", "import": "teal", "job": "cyan", "system": "secondary"}


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value, places: int = 2) -> str:
    """12345.6 → "12,345.60" (万元, two decimals); empty stays empty."""
    number = _decimal(value)
    if number is None:
        return ""
    quantum = Decimal(1).scaleb(-int(places))
    return f"{number.quantize(quantum, rounding=ROUND_HALF_UP):,}"


@register.filter
def yi(value, places: int = 2) -> str:
    """万元 → 亿元 for headline figures: 123456.78 → "12.35"."""
    number = _decimal(value)
    if number is None:
        return ""
    return money(number / Decimal(10000), places)


@register.filter
def badge(value, kind: str = ""):
    """A Tabler badge in the choice's colour: `{{ listing.batch|badge:"batch" }}` or `{{ project.stage|badge }}`."""
    if value is None or value == "":
        return ""
    member = value
    if kind:
        choices = import_string(BADGE_CHOICES[kind])
        try:
            member = choices(value)
        except ValueError:
            return value
    color = getattr(member, "color", None) or SOURCE_COLORS.get(str(member), "secondary")
    return format_html('<span class="badge bg-{}-lt tj-badge">{}</span>', color, member.label)


@register.filter
def column_value(obj, column):
    """The value a `tables.Column` shows for one row."""
    return column.value(obj)


@register.filter
def isodate(value) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else ("" if value is None else str(value))


@register.simple_tag(takes_context=True)
def sort_query(context, key: str) -> str:
    """The query string that sorts the current list by `key` (ascending first, then descending), on page 1."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("sort", "")
    params["sort"] = f"-{key}" if current == key else key
    params.pop("page", None)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def sort_state(context, key: str) -> str:
    """ "asc", "desc" or "" for a column header."""
    current = context["request"].GET.get("sort", "")
    if current == key:
        return "asc"
    if current == f"-{key}":
        return "desc"
    return ""


@register.simple_tag(takes_context=True)
def query(context, **changes) -> str:
    """The current query string with some parameters replaced (None removes one): `{% query page=2 %}`."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def elided_pages(page):
    """Page numbers around the current page, with … for the gaps."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)


@register.filter
def period_name(number) -> str:
    """7 → 第七期."""
    from tuijin.projects.numerals import period_name as name

    return name(int(number)) if number not in (None, "") else ""


@register.simple_tag(takes_context=True)
def readable_changes(context, record):
    """(field, old, new) rows of a change record, names instead of ids: `{% readable_changes r as rows %}`."""
    from tuijin.core.views import readable_diff

    request = context.get("request")
    cache = getattr(request, "_tj_diff_cache", None)
    if cache is None:
        cache = {}
        if request is not None:
            request._tj_diff_cache = cache
    return readable_diff(record, cache)


@register.filter
def type_name(content_type) -> str:
    """A content type as its model's verbose name (项目, 列入记录 …)."""
    model = content_type.model_class() if content_type is not None else None
    return str(model._meta.verbose_name) if model is not None else ""


def _detail_urls():
    """project pk → its page's URL, reversing once per call site instead of once per row (same result)."""
    from django.urls import reverse

    marker = 987654321
    template_url = reverse("projects:project_detail", args=[marker])
    head, tail = template_url.split(str(marker), 1)
    return lambda pk: f"{head}{pk}{tail}"


@register.simple_tag
def ledger_cells(project, columns, detail_url=None):
    """The <td> cells of one ledger row, built in one pass (the page renders 50 rows × 10 columns; through
    template tags per cell that was most of the page's time). Same output as the per-column template branches."""
    from django.urls import reverse
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe
    from django.utils.text import Truncator

    cells = []
    for col in columns:
        if col.key == "name":
            url = detail_url(project.pk) if detail_url else reverse("projects:project_detail", args=[project.pk])
            cells.append(f'<td class="tj-name"><a href="{url}">{conditional_escape(project.name)}</a></td>')
        elif col.key == "code":
            cells.append(f'<td class="tj-nowrap text-secondary">{conditional_escape(project.code)}</td>')
        elif col.key == "batch":
            cells.append(f'<td class="tj-nowrap">{badge(getattr(project, "batch", None), "batch")}</td>')
        elif col.key == "period":
            cells.append(f'<td class="tj-nowrap">{period_name(getattr(project, "listed_period", None))}</td>')
        elif col.money:
            cells.append(f'<td class="tj-num">{money(col.value(project))}</td>')
        elif col.date:
            cells.append(f'<td class="tj-nowrap">{isodate(col.value(project))}</td>')
        elif col.key in ("content", "note"):
            text = Truncator(col.value(project) or "").chars(60)
            cells.append(f'<td class="tj-wrap">{conditional_escape(text)}</td>')
        else:
            cells.append(f"<td>{conditional_escape(col.value(project))}</td>")
    return mark_safe("".join(cells))  # noqa: S308 - every value escaped above


@register.simple_tag
def ledger_phone_rows(rows, empty_text):
    """The phone layout's list items (one compact line per project), built in one pass like `ledger_cells`."""
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    detail_url = _detail_urls()
    items = []
    for p in rows:
        url = detail_url(p.pk)
        industry = f" · {conditional_escape(p.industry)}" if p.industry else ""
        items.append(
            f'<a class="list-group-item list-group-item-action" href="{url}">\n'
            '      <div class="d-flex gap-2 align-items-start">\n'
            '        <div class="flex-fill">\n'
            f'          <div class="fw-medium text-body">{conditional_escape(p.name)}</div>\n'
            f'          <div class="text-secondary small">{conditional_escape(p.enterprise.name)}{industry}</div>\n'
            "        </div>\n"
            '        <div class="text-end">\n'
            f'          <div class="tj-num text-body">{money(p.total_investment)}</div>\n'
            f"          <div>{badge(getattr(p, 'batch', None), 'batch')}</div>\n"
            "        </div>\n"
            "      </div>\n"
            "    </a>"
        )
    if not items:
        empty = conditional_escape(empty_text)
        items.append(f'<div class="list-group-item text-center text-secondary py-5">{empty}</div>')
    return mark_safe("\n    ".join(items))  # noqa: S308 - every value escaped above


@register.simple_tag(takes_context=True)
def ledger_headers(context, columns, hx_target="#ledger-results"):
    """The ledger's <th> cells with sort links (same as `sort_query`/`sort_state` per column), in one pass."""
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    request = context["request"]
    current = request.GET.get("sort", "")
    base = request.GET.copy()
    base.pop("page", None)
    cells = []
    for col in columns:
        css = "tj-num" if col.money else ""
        label = conditional_escape(col.label)
        if not col.order_by:
            cells.append(f'<th class="{css}">{label}</th>')
            continue
        params = base.copy()
        params["sort"] = f"-{col.key}" if current == col.key else col.key
        link = conditional_escape("?" + params.urlencode())
        state = "asc" if current == col.key else "desc" if current == f"-{col.key}" else ""
        sort_css = f" tj-sort-{state}" if state else ""
        cells.append(
            f'<th class="{css}"><a class="tj-sort{sort_css}" href="{link}" hx-get="{link}" '
            f'hx-target="{hx_target}" hx-push-url="true">{label}</a></th>'
        )
    return mark_safe("".join(cells))  # noqa: S308 - every value escaped above


@register.simple_tag
def ledger_rows(page, columns, empty_text):
    """The ledger table's body rows (number + `ledger_cells`), in one pass; a "nothing matches" row when empty."""
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    start = page.start_index()
    detail_url = _detail_urls()
    rows = [
        f'<tr>\n          <td class="text-secondary">{start + i}</td>\n'
        f"          {ledger_cells(p, columns, detail_url)}\n        </tr>"
        for i, p in enumerate(page.object_list)
    ]
    if not rows:
        rows.append(
            f'<tr><td colspan="{len(columns) + 1}" class="text-center text-secondary py-5">'
            f"{conditional_escape(empty_text)}</td></tr>"
        )
    return mark_safe("\n        ".join(rows))  # noqa: S308 - every value escaped above
