"""Charts as PNG images for the .docx and the PDF, drawn on the server with matplotlib (Agg, no display) in the
installed CJK font (the one the PDF embeds: schedule.pdf's candidates, WenQuanYi Micro Hei here).

`render_png(chart) -> bytes` takes a chart dict from tables.CHARTS (plain data stored with the briefing).
"""

from __future__ import annotations

import io
import json
import os
import threading
from functools import lru_cache
from pathlib import Path

WIDTH_IN, HEIGHT_IN, DPI = 6.2, 3.3, 170
COLORS = ["#9fb7d9", "#1f5fa8", "#f0a030", "#c0392b"]
FLAG_COLORS = {"red": "#c0392b", "yellow": "#e0a020", "green": "#2e8b57"}
_LOCK = threading.Lock()  # pyplot's state is global: one chart at a time


@lru_cache(maxsize=1)
def _font():
    """A FontProperties for the first CJK font file found (the same list the PDF uses)."""
    from matplotlib import font_manager

    from tuijin.schedule.pdf import FONT_CANDIDATES

    for path in [os.environ.get("TUIJIN_PDF_FONT", ""), *FONT_CANDIDATES]:
        if path and Path(path).exists():
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path)
    return font_manager.FontProperties()


def _number(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.1f}".rstrip("0").rstrip(".")


def render_png(chart: dict) -> bytes:
    """The chart as a PNG (the same chart twice in a process — the .docx and the PDF — is drawn once)."""
    return _render(json.dumps(chart, sort_keys=True, ensure_ascii=False))


@lru_cache(maxsize=32)
def _render(key: str) -> bytes:
    chart = json.loads(key)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _font()
    matplotlib.rcParams["font.family"] = font.get_name()
    matplotlib.rcParams["axes.unicode_minus"] = False
    with _LOCK:
        fig, ax = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
        try:
            kind = chart.get("kind")
            if kind == "bar_line":
                _bar_line(ax, chart, font)
            elif kind == "hbar":
                _hbar(ax, chart, font)
            else:
                _bars(ax, chart, font)
            ax.set_title(chart.get("title", ""), fontproperties=font, fontsize=11, pad=8)
            for spine in ("top", "right"):
                ax.spines[spine].set_visible(False)
            ax.tick_params(labelsize=8)
            for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
                label.set_fontproperties(font)
                label.set_fontsize(8)
            fig.tight_layout()
            out = io.BytesIO()
            fig.savefig(out, format="png", dpi=DPI)
            return out.getvalue()
        finally:
            plt.close(fig)


def _legend(ax, font, **kw):
    legend = ax.legend(prop=font, fontsize=8, frameon=False, **kw)
    for text in legend.get_texts():
        text.set_fontsize(8)


def _bar_line(ax, chart: dict, font) -> None:
    labels = chart["labels"]
    bars = [s for s in chart["series"] if s["type"] == "bar"]
    lines = [s for s in chart["series"] if s["type"] == "line"]
    x = list(range(len(labels)))
    width = 0.8 / max(len(bars), 1)
    for i, s in enumerate(bars):
        offs = [v - 0.4 + width * (i + 0.5) for v in x[: len(s["values"])]]
        ax.bar(offs, s["values"], width=width, color=COLORS[i % 2], label=s["name"])
    ax.set_xticks(x)
    ax.set_xticklabels(labels)
    ax.set_ylabel(f"月度（{chart.get('unit', '')}）", fontproperties=font, fontsize=8)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    handles, names = ax.get_legend_handles_labels()
    if lines:
        ax2 = ax.twinx()
        for i, s in enumerate(lines):
            ax2.plot(x[: len(s["values"])], s["values"], color=COLORS[2 + i % 2], marker="o", markersize=3, lw=1.6)
            ax2.lines[-1].set_label(s["name"])
        ax2.set_ylabel(f"累计（{chart.get('unit', '')}）", fontproperties=font, fontsize=8)
        ax2.spines["top"].set_visible(False)
        ax2.tick_params(labelsize=8)
        ax2.set_ylim(bottom=0)
        h2, n2 = ax2.get_legend_handles_labels()
        handles, names = handles + h2, names + n2
    ax.set_ylim(bottom=0)
    legend = ax.legend(handles, names, prop=font, frameon=False, loc="upper left", ncol=4)
    for text in legend.get_texts():
        text.set_fontsize(8)


def _hbar(ax, chart: dict, font) -> None:
    labels = chart["labels"]
    values = chart["series"][0]["values"] if chart["series"] else []
    colors = [FLAG_COLORS.get(c, COLORS[1]) for c in chart.get("colors", [])] or COLORS[1]
    y = list(range(len(labels)))
    ax.barh(y, values, color=colors, height=0.6)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    for yi, v in zip(y, values, strict=False):
        ax.text(v, yi, f" {v:.1f}%", va="center", fontproperties=font, fontsize=7)
    if chart.get("line") is not None:
        ax.axvline(chart["line"], color="#c0392b", linestyle="--", linewidth=1)
        ax.text(chart["line"], -0.8, chart.get("line_label", ""), color="#c0392b", fontproperties=font, fontsize=7)
    ax.set_xlim(0, max([*values, chart.get("line") or 0, 100]) * 1.12)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    if not labels:
        ax.text(0.5, 0.5, "暂无数据", transform=ax.transAxes, ha="center", fontproperties=font)


def _bars(ax, chart: dict, font) -> None:
    labels = chart["labels"]
    series = chart["series"]
    x = list(range(len(labels)))
    width = 0.8 / max(len(series), 1)
    palette = ["#1f5fa8", "#4f8fd0", "#f0a030", "#2e8b57"]
    for i, s in enumerate(series):
        offs = [v - 0.4 + width * (i + 0.5) for v in x]
        bars = ax.bar(offs, s["values"], width=width, color=palette[i % len(palette)], label=s["name"])
        for rect, v in zip(bars, s["values"], strict=False):
            ax.text(rect.get_x() + rect.get_width() / 2, v, _number(v), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(x)
    ax.set_xticklabels(labels)
    ax.set_ylabel(chart.get("unit", ""), fontproperties=font, fontsize=8)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    _legend(ax, font, loc="upper right", ncol=len(series))
