"""The wall chart on paper (挂图上墙): a project's Gantt and the portfolio Gantt as A3 landscape PDFs, drawn
directly with reportlab — the zone's title and the date on top, the node (or project) table at the left, the bars
at the right, today's line and a legend — in a CJK TrueType font.
"""

from __future__ import annotations

import datetime
import io
import os
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A3, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from . import cpm
from .choices import Level

# TrueType CJK fonts, best first. reportlab embeds TrueType outlines only: Noto CJK's usual .ttc/.otf files carry
# PostScript (CFF) outlines and are skipped when they fail to load; a TrueType build of Noto or a fangsong face
# is preferred when installed. TUIJIN_PDF_FONT names a file to use before all of these.
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
    "/usr/share/fonts/truetype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/fangsong/simfang.ttf",
    "/usr/share/fonts/truetype/simfang.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
]
FONT = "TuijinCJK"

PAGE = landscape(A3)
MARGIN = 12 * mm
INK = HexColor("#1e293b")
MUTED = HexColor("#64748b")
RULE = HexColor("#e2e8f0")
BAND = HexColor("#f8fafc")
TITLE_RED = HexColor("#9f1d20")
ACTUAL = HexColor("#206bc4")
COLORS = {
    cpm.RED: HexColor("#d63939"),
    cpm.YELLOW: HexColor("#f59f00"),
    cpm.GREEN: HexColor("#2fb344"),
    cpm.DONE: HexColor("#667382"),
    "": HexColor("#94a3b8"),
    "error": HexColor("#9f1d20"),
}


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register the first CJK TrueType font that loads and return its reportlab name."""
    tried = []
    paths = [os.environ.get("TUIJIN_PDF_FONT", ""), *FONT_CANDIDATES]
    for path in paths:
        if not path or not Path(path).exists():
            continue
        try:
            pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
        except Exception as exc:  # noqa: BLE001 - reportlab raises plain errors for CFF outlines
            tried.append(f"{path}: {exc}")
            continue
        return FONT
    raise ImproperlyConfigured(
        "No CJK TrueType font for the PDF wall chart: install fonts-wqy-microhei (scripts/setup does) "
        "or set TUIJIN_PDF_FONT to a .ttf/.ttc file." + (" Tried: " + "; ".join(tried) if tried else "")
    )


def _d(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def fit(text: str, size: float, width: float) -> str:
    """`text` cut with an ellipsis so that it fits `width` points at `size`."""
    text = text or ""
    if pdfmetrics.stringWidth(text, FONT, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text + "…"


def wrap(text: str, size: float, width: float) -> list[str]:
    """`text` broken into lines of at most `width` points (Chinese breaks anywhere; prefer after → or a space)."""
    lines, line = [], ""
    for ch in text:
        if pdfmetrics.stringWidth(line + ch, FONT, size) > width and line:
            cut = max(line.rfind("→"), line.rfind(" "), line.rfind("　"))
            if cut > len(line) // 2:
                lines.append(line[: cut + 1].rstrip())
                line = line[cut + 1 :].lstrip()
            else:
                lines.append(line)
                line = ""
        line += ch
    if line:
        lines.append(line)
    return lines or [""]


class TimeScale:
    """Days to x positions between `x0` and `x1`, with month (or quarter) ticks."""

    def __init__(self, first: datetime.date, last: datetime.date, x0: float, x1: float):
        self.first = first.replace(day=1)
        end = last + datetime.timedelta(days=1)
        self.last = datetime.date(end.year + (end.month == 12), end.month % 12 + 1, 1)
        self.x0, self.x1 = x0, x1
        self.per_day = (x1 - x0) / max(1, (self.last - self.first).days)

    def x(self, day: datetime.date) -> float:
        return self.x0 + (day - self.first).days * self.per_day

    def months(self):
        d = self.first
        while d < self.last:
            nxt = datetime.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
            yield d, nxt
            d = nxt


HEADER_HEIGHT = 16 + 62 + 30  # title, up to three subtitle lines, the rule and the time axis labels


def _header(c: Canvas, title: str, subtitles: list[str], page: int, pages: int) -> None:
    w, h = PAGE
    zone = settings.TUIJIN_ZONE_TITLE
    y = h - MARGIN - 16
    c.setFillColor(TITLE_RED)
    c.setFont(FONT, 20)
    c.drawCentredString(w / 2, y, fit(f"{zone}　{title}" if zone else title, 20, w - 2 * MARGIN - 120))
    c.setFont(FONT, 10)
    lines = []
    for k, text in enumerate(subtitles):
        lines += [(k, part) for part in wrap(text, 10, w - 2 * MARGIN)]
    for j, (k, line) in enumerate(lines[:3]):
        c.setFillColor(MUTED if k == 0 else INK)
        c.drawCentredString(w / 2, y - 18 - 13 * j, fit(line, 10, w - 2 * MARGIN))
    c.setFillColor(MUTED)
    c.setFont(FONT, 9)
    c.drawRightString(w - MARGIN, MARGIN - 4, _("Page %(page)s of %(pages)s") % {"page": page, "pages": pages})
    c.setStrokeColor(TITLE_RED)
    c.setLineWidth(1.2)
    c.line(MARGIN, y - 52, w - MARGIN, y - 52)


def _time_axis(c: Canvas, scale: TimeScale, top: float, bottom: float, today: datetime.date) -> None:
    """Month columns (labelled 1月…12月 under the year) for spans up to 30 months; for longer spans, year columns
    with quarter lines."""
    months = list(scale.months())
    long_span = len(months) > 30
    c.setFont(FONT, 7.5)
    year_seen = None
    for start, end in months:
        x0, x1 = scale.x(start), scale.x(end)
        shade = start.year % 2 == 0 if long_span else (start.year * 12 + start.month) % 2 == 0
        if shade:
            c.setFillColor(BAND)
            c.rect(x0, bottom, x1 - x0, top - bottom, stroke=0, fill=1)
        if not long_span or start.month in (1, 4, 7, 10):
            c.setStrokeColor(RULE if not long_span or start.month != 1 else MUTED)
            c.setLineWidth(0.4)
            c.line(x0, bottom, x0, top + (22 if not long_span or start.month == 1 else 4))
        if not long_span:
            label = f"{start.month}月"
            if x1 - x0 >= pdfmetrics.stringWidth(label, FONT, 7.5) + 2:
                c.setFillColor(INK)
                c.drawCentredString((x0 + x1) / 2, top + 4, label)
        if start.year != year_seen:
            year_seen = start.year
            c.setFillColor(TITLE_RED)
            c.setFont(FONT, 8.5)
            if long_span:
                year_end = scale.x(min(scale.last, datetime.date(start.year + 1, 1, 1)))
                if year_end - x0 > 30:
                    c.drawCentredString((x0 + year_end) / 2, top + 8, f"{start.year}年")
            else:
                c.drawString(x0 + 2, top + 13, f"{start.year}年")
            c.setFont(FONT, 7.5)
    c.setStrokeColor(RULE)
    c.line(scale.x0, top, scale.x1, top)
    if scale.first <= today <= scale.last:
        tx = scale.x(today)
        c.setStrokeColor(COLORS[cpm.RED])
        c.setLineWidth(1)
        c.setDash(3, 2)
        c.line(tx, bottom, tx, top)
        c.setDash()
        c.setFillColor(COLORS[cpm.RED])
        c.setFont(FONT, 7.5)
        c.drawCentredString(tx, bottom - 9, _("Today") + f" {today.isoformat()}")


def _diamond(c: Canvas, x: float, y: float, r: float, fill, stroke=None) -> None:
    p = c.beginPath()
    p.moveTo(x, y + r)
    p.lineTo(x + r, y)
    p.lineTo(x, y - r)
    p.lineTo(x - r, y)
    p.close()
    c.setFillColor(fill)
    if stroke is not None:
        c.setStrokeColor(stroke)
        c.setLineWidth(1.2)
    c.drawPath(p, stroke=1 if stroke is not None else 0, fill=1)


def _legend(c: Canvas, items: list[tuple[str, object]], y: float) -> None:
    x = MARGIN
    c.setFont(FONT, 8)
    for label, draw in items:
        draw(c, x, y)
        c.setFillColor(INK)
        c.drawString(x + 20, y - 3, label)
        x += 28 + pdfmetrics.stringWidth(label, FONT, 8) + 10


def _table_head(c: Canvas, columns, top: float) -> None:
    c.setFont(FONT, 8)
    c.setFillColor(MUTED)
    for label, x, width, align in columns:
        if align == "r":
            c.drawRightString(x + width - 2, top + 4, label)
        else:
            c.drawString(x + 2, top + 4, fit(label, 8, width - 4))


def _cell(c: Canvas, text: str, x: float, width: float, y: float, size: float, align: str = "l", color=INK) -> None:
    c.setFillColor(color)
    c.setFont(FONT, size)
    text = fit(text, size, width - 4)
    if align == "r":
        c.drawRightString(x + width - 2, y, text)
    elif align == "c":
        c.drawCentredString(x + width / 2, y, text)
    else:
        c.drawString(x + 2, y, text)


# --- one project ------------------------------------------------------------------------------------------


def project_pdf(project, result: cpm.Schedule, data: dict) -> bytes:
    """A project's wall chart on A3 landscape: nodes at left, bars (actual, forecast, latest window, baseline)
    at right, critical path in red, today and the target."""
    cjk_font()
    nodes = data["nodes"]
    w, h = PAGE
    levels = {lv.value: str(lv.label) for lv in Level}
    target = result.targets[0] if result.targets else None
    if target is None:
        state = _("No target set")
    elif result.feasible:
        state = _("Target %(node)s by %(date)s: can be met") % {"node": target.node, "date": target.date.isoformat()}
    else:
        state = _("Target %(node)s by %(date)s: cannot be met, %(n)s days short (%(chain)s)") % {
            "node": target.node,
            "date": target.date.isoformat(),
            "n": result.days_short,
            "chain": " → ".join(result.chain),
        }
    subtitles = [
        "　".join(
            [
                f"{project.code}",
                _("Leader: %(name)s") % {"name": project.leader.name if project.leader_id else "—"},
                _("As of %(date)s") % {"date": result.as_of.isoformat()},
            ]
        ),
        state,
    ]
    dates = [result.as_of]
    for n in nodes:
        dates += [_d(n[k]) for k in ("es", "ef", "ls", "lf", "as", "af", "bs", "bf") if n.get(k)]
    if target:
        dates.append(target.date)
    first, last = min(dates), max(dates)

    columns_spec = [  # label, width (mm), align
        ("#", 8, "c"),
        (_("Node"), 40, "l"),
        (_("Responsible unit"), 44, "l"),
        (_("Days"), 12, "c"),
        (_("Latest finish"), 22, "l"),
        (_("Forecast / actual finish"), 24, "l"),
        (_("Float"), 11, "r"),
        (_("Status"), 14, "c"),
    ]
    x = MARGIN
    columns = []
    for label, width, align in columns_spec:
        columns.append((label, x, width * mm, align))
        x += width * mm
    chart_x0, chart_x1 = x + 4 * mm, w - MARGIN

    out = io.BytesIO()
    c = Canvas(out, pagesize=PAGE, pageCompression=1)
    c.setTitle(f"{project.name} · 挂图作战")
    title = _("%(project)s · schedule wall chart (挂图作战)") % {"project": project.name}
    legend_y = MARGIN + 4
    row_h_max, row_h_min = 11 * mm, 6 * mm
    top0 = h - MARGIN - HEADER_HEIGHT
    bottom = legend_y + 40
    per_page = max(1, int((top0 - bottom) // row_h_min))
    pages = [nodes[i : i + per_page] for i in range(0, len(nodes), per_page)] or [[]]
    scale = TimeScale(first, last, chart_x0, chart_x1)
    for page_no, chunk in enumerate(pages, start=1):
        _header(c, title, subtitles, page_no, len(pages))
        top = top0
        row_h = min(row_h_max, (top - bottom) / max(1, len(chunk)))
        table_bottom = top - row_h * len(chunk)
        _table_head(c, columns, top)
        _time_axis(c, scale, top, table_bottom, result.as_of)
        offset = (page_no - 1) * per_page
        for j, n in enumerate(chunk):
            i = offset + j
            y = top - row_h * (j + 1)
            mid = y + row_h / 2
            c.setStrokeColor(RULE)
            c.setLineWidth(0.4)
            c.line(MARGIN, y, chart_x1, y)
            size = 9 if row_h >= 8 * mm else 8
            red = COLORS[cpm.RED] if n["critical"] else INK
            finish = n["af"] or n["ef"] or ""
            cells = [
                str(i + 1),
                n["name"],
                n["unit"] or "—",
                "" if n["duration"] is None else str(n["duration"]),
                n["lf"] or "—",
                finish + (" ✓" if n["af"] else ""),
                "" if n["float"] is None else str(n["float"]),
                levels.get(n["status"], n["status"]),
            ]
            for k, ((_label, cx, cw, align), text) in enumerate(zip(columns, cells, strict=True)):
                color = red if k == 1 else (COLORS.get(n["status"], INK) if k == 7 else INK)
                _cell(c, text, cx, cw, mid - size * 0.35, size, align, color)
            _project_bar(c, scale, n, mid, row_h, result.as_of)
        if target is not None:
            tx = scale.x(target.date) + scale.per_day
            c.setStrokeColor(INK)
            c.setLineWidth(1.2)
            c.line(tx, table_bottom, tx, top)
            c.setFillColor(INK)
            c.setFont(FONT, 7.5)
            c.drawCentredString(tx, table_bottom - 18, _("Target") + f" {target.date.isoformat()}")
        _project_legend(c, max(legend_y, table_bottom - 40), data.get("baseline"))
        c.showPage()
    c.save()
    return out.getvalue()


def _project_bar(c: Canvas, scale: TimeScale, n: dict, mid: float, row_h: float, today: datetime.date) -> None:
    one = datetime.timedelta(days=1)
    bar_h = min(4.2 * mm, row_h * 0.42)
    if n["ls"] and n["lf"]:
        x0, x1 = scale.x(_d(n["ls"])), scale.x(_d(n["lf"]) + one)
        c.setStrokeColor(COLORS[cpm.RED] if n["status"] == cpm.RED else MUTED)
        c.setLineWidth(0.6)
        c.setDash(2, 1.5)
        c.rect(x0, mid - bar_h / 2 - 1.5, max(1, x1 - x0), bar_h + 3, stroke=1, fill=0)
        c.setDash()
    if n["bs"] and n["bf"]:
        x0, x1 = scale.x(_d(n["bs"])), scale.x(_d(n["bf"]) + one)
        c.setFillColor(HexColor("#94a3b8"))
        c.rect(x0, mid - row_h * 0.38, max(1, x1 - x0), 1.4, stroke=0, fill=1)
    start, finish = n["as"] or n["es"], n["af"] or n["ef"]
    if not (start and finish):
        return
    x0, x1 = scale.x(_d(start)), scale.x(_d(finish) + one)
    color = COLORS[cpm.DONE] if n["af"] else COLORS.get(n["status"], COLORS[cpm.GREEN])
    if n["duration"] == 0:
        xm = scale.x(_d(finish)) + scale.per_day / 2
        _diamond(c, xm, mid, bar_h * 0.7, ACTUAL if n["af"] else color, COLORS[cpm.RED] if n["critical"] else None)
        label_x = xm + bar_h
    else:
        c.setFillColor(color)
        if n["critical"]:
            c.setStrokeColor(COLORS[cpm.RED])
            c.setLineWidth(1.2)
        c.rect(x0, mid - bar_h / 2, max(1.5, x1 - x0), bar_h, stroke=1 if n["critical"] else 0, fill=1)
        if n["as"]:
            end = x1 if n["af"] else min(x1, scale.x(today + one))
            c.setFillColor(ACTUAL)
            c.rect(x0, mid - bar_h / 4, max(1, end - x0), bar_h / 2, stroke=0, fill=1)
        label_x = x1 + 2
        if n["milestone"]:  # a ledger milestone reached at the end of a long node (达效)
            _diamond(c, x1, mid, bar_h * 0.6, ACTUAL if n["af"] else color)
            label_x = x1 + bar_h * 0.6 + 2
    if n["late"] > 0:
        c.setFillColor(COLORS[cpm.RED])
        c.setFont(FONT, 7.5)
        c.drawString(label_x, mid - 2.6, _("+%(n)s d") % {"n": n["late"]})


def _project_legend(c: Canvas, y: float, baseline: str | None) -> None:
    def bar(color, critical=False):
        def draw(cv, x, yy):
            cv.setFillColor(color)
            cv.setStrokeColor(COLORS[cpm.RED])
            cv.setLineWidth(1.2)
            cv.rect(x, yy - 3, 16, 6, stroke=1 if critical else 0, fill=1)

        return draw

    def actual(cv, x, yy):
        cv.setFillColor(ACTUAL)
        cv.rect(x, yy - 1.5, 16, 3, stroke=0, fill=1)

    def window(cv, x, yy):
        cv.setStrokeColor(MUTED)
        cv.setLineWidth(0.6)
        cv.setDash(2, 1.5)
        cv.rect(x, yy - 4, 16, 8, stroke=1, fill=0)
        cv.setDash()

    def base(cv, x, yy):
        cv.setFillColor(HexColor("#94a3b8"))
        cv.rect(x, yy - 1, 16, 1.6, stroke=0, fill=1)

    def today(cv, x, yy):
        cv.setStrokeColor(COLORS[cpm.RED])
        cv.setDash(3, 2)
        cv.line(x + 8, yy - 5, x + 8, yy + 5)
        cv.setDash()

    def milestone(cv, x, yy):
        _diamond(cv, x + 8, yy, 4, COLORS[cpm.GREEN])

    items = [
        (_("Actual"), actual),
        (_("Forecast: green"), bar(COLORS[cpm.GREEN])),
        (_("yellow (float < 10 d)"), bar(COLORS[cpm.YELLOW])),
        (_("red (late)"), bar(COLORS[cpm.RED])),
        (_("Done"), bar(COLORS[cpm.DONE])),
        (_("Critical path"), bar(COLORS[cpm.GREEN], critical=True)),
        (_("Latest window (倒排)"), window),
        (_("Milestone"), milestone),
        (_("Today"), today),
    ]
    if baseline:
        items.append((_("Baseline: %(name)s") % {"name": baseline}, base))
    _legend(c, items, y)


# --- the portfolio ----------------------------------------------------------------------------------------


def portfolio_pdf(data: dict) -> bytes:
    """Every project's key nodes on A3 landscape pages, grouped as on the page, about 40 projects a page."""
    cjk_font()
    w, h = PAGE
    keys = data["key_nodes"]
    shorts = data.get("key_short") or [k[:1] for k in keys]
    today = datetime.date.fromisoformat(data["as_of"])
    levels = {lv.value: str(lv.label) for lv in Level}
    levels["error"] = _("Error")
    lines: list[tuple[str, dict | None]] = []
    last_group = None
    counts: dict[str, int] = {}
    for r in data["rows"]:
        counts[r["group"]] = counts.get(r["group"], 0) + 1
    for r in data["rows"]:
        if r["group"] and r["group"] != last_group:
            lines.append((f"{r['group']}（{counts[r['group']]}）", None))
            last_group = r["group"]
        lines.append(("", r))
    dates = [today]
    for r in data["rows"]:
        dates += [_d(m[1]) for m in r["m"]]
    first, last = min(dates) - datetime.timedelta(days=15), max(dates) + datetime.timedelta(days=15)

    columns_spec = [(_("#"), 10, "c"), (_("Project"), 70, "l"), (_("Code"), 28, "l"), (_("Status"), 14, "c")]
    x = MARGIN
    columns = []
    for label, width, align in columns_spec:
        columns.append((label, x, width * mm, align))
        x += width * mm
    scale = TimeScale(first, last, x + 4 * mm, w - MARGIN)

    counts_text = "　".join(f"{levels[k]} {v}" for k, v in data["counts"].items())
    subtitles = [
        "　".join([_("As of %(date)s") % {"date": today.isoformat()}, _("%(n)s projects") % {"n": len(data["rows"])}]),
        counts_text,
    ]
    title = _("Key projects wall chart (挂图作战)")
    legend_y = MARGIN + 4
    top0 = h - MARGIN - HEADER_HEIGHT
    bottom = legend_y + 22
    row_h = 6.2 * mm
    per_page = max(1, int((top0 - bottom) // row_h))
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    out = io.BytesIO()
    c = Canvas(out, pagesize=PAGE, pageCompression=1)
    c.setTitle(title)
    number = 0
    for page_no, chunk in enumerate(pages, start=1):
        _header(c, title, subtitles, page_no, len(pages))
        top = top0
        table_bottom = top - row_h * len(chunk)
        _table_head(c, columns, top)
        _time_axis(c, scale, top, table_bottom, today)
        for j, (heading, r) in enumerate(chunk):
            y = top - row_h * (j + 1)
            mid = y + row_h / 2
            c.setStrokeColor(RULE)
            c.setLineWidth(0.4)
            c.line(MARGIN, y, scale.x1, y)
            if r is None:
                c.setFillColor(HexColor("#fdf2f2"))
                c.rect(MARGIN, y + 0.3, scale.x1 - MARGIN, row_h - 0.6, stroke=0, fill=1)
                _cell(c, heading, MARGIN, 150 * mm, mid - 3.2, 9.5, "l", TITLE_RED)
                continue
            number += 1
            color = COLORS.get(r["level"], MUTED)
            cells = [str(number), r["name"], r["code"], levels.get(r["level"], "—") if r["level"] else "—"]
            for k, ((_label, cx, cw, align), text) in enumerate(zip(columns, cells, strict=True)):
                _cell(c, text, cx, cw, mid - 3, 8.5, align, color if k == 3 and r["level"] else INK)
            _portfolio_row(c, scale, r, shorts, mid, row_h)
        _portfolio_legend(c, keys, shorts, legend_y)
        c.showPage()
    c.save()
    return out.getvalue()


def _portfolio_row(c: Canvas, scale: TimeScale, r: dict, shorts: list[str], mid: float, row_h: float) -> None:
    if not r["m"]:
        return
    half = scale.per_day / 2
    xs = [scale.x(_d(m[1])) + half for m in r["m"]]
    c.setStrokeColor(HexColor("#f1a7a7") if r["level"] == cpm.RED else HexColor("#cbd5e1"))
    c.setLineWidth(1.5)
    c.line(min(xs), mid, max(xs), mid)
    radius = min(2.6 * mm, row_h * 0.4)
    for m, x in zip(r["m"], xs, strict=True):
        done = m[2] == 1
        color = COLORS.get(m[3], COLORS[""])
        fill = ACTUAL if done else white
        c.setFillColor(fill)
        c.setStrokeColor(white if done else color)
        c.setLineWidth(1 if done else 1.1)
        c.circle(x, mid, radius, stroke=1, fill=1)
        c.setFillColor(white if done else color)
        c.setFont(FONT, radius * 1.25)
        c.drawCentredString(x, mid - radius * 0.45, shorts[m[0]])


def _portfolio_legend(c: Canvas, keys: list[str], shorts: list[str], y: float) -> None:
    def key(ch, done, color=COLORS[cpm.GREEN]):
        def draw(cv, x, yy):
            cv.setFillColor(ACTUAL if done else white)
            cv.setStrokeColor(white if done else color)
            cv.setLineWidth(1)
            cv.circle(x + 8, yy, 6, stroke=1, fill=1)
            cv.setFillColor(white if done else color)
            cv.setFont(FONT, 7.5)
            cv.drawCentredString(x + 8, yy - 2.7, ch)

        return draw

    items = [(k, key(ch, False)) for k, ch in zip(keys, shorts, strict=True)]
    items += [
        (_("Done (filled)"), key("✓", True)),
        (_("Forecast: green"), key("", False, COLORS[cpm.GREEN])),
        (_("yellow"), key("", False, COLORS[cpm.YELLOW])),
        (_("red (late)"), key("", False, COLORS[cpm.RED])),
    ]
    _legend(c, items, y)
