"""The statistics page's figure cell: a number linking to the list of exactly the rows it counts (0: plain)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def stat_cell(n, url, fig: str, cls: str = "", hide: str = ""):
    """`{% stat_cell r.overdue r.links.overdue "overdue" "text-red" "d-none d-md-table-cell" %}`"""
    td_class = f"tj-num {hide}".strip()
    if n:
        link_class = format_html(' class="{}"', cls) if cls else ""
        inner = format_html('<a href="{}"{}>{}</a>', url, link_class, n)
    else:
        inner = format_html('<span class="text-secondary">{}</span>', 0)
    return format_html('<td class="{}" data-figure="{}" data-value="{}">{}</td>', td_class, fig, n or 0, inner)
