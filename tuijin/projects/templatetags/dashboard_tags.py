"""Money for the dashboard: exact 万元 with thousands separators, and 亿元 headlines (two decimals)."""

from decimal import Decimal

from django import template

from tuijin.core.fields import CENT

register = template.Library()


@register.filter
def wan(value) -> str:
    """1234567.5 → "1,234,567.50" (万元, exact)."""
    if value in (None, ""):
        return "—"
    return f"{Decimal(value).quantize(CENT):,}"


@register.filter
def yi(value) -> str:
    """万元 → 亿元 with two decimals: 1234567.5 → "123.46"."""
    if value in (None, ""):
        return "—"
    return f"{(Decimal(value) / 10000).quantize(CENT):,}"
