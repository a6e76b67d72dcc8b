"""Figures as the big screen writes them (screen.js formats refreshed figures the same way)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """A rate in percent with one decimal: 42.5 → "42.5"; none → "—"."""
    if value in (None, ""):
        return "—"
    return f"{Decimal(value):.1f}"


@register.filter
def signed(value) -> str:
    """Points ahead (+) or behind (−) 序时进度: -3.25 → "−3.3"; none → "—"."""
    if value in (None, ""):
        return "—"
    value = Decimal(value).quantize(Decimal("0.1"))
    return f"+{value}" if value > 0 else (f"−{-value}" if value < 0 else "0.0")


@register.filter
def count(value) -> str:
    """A count with thousands separators."""
    return f"{int(value or 0):,}"
