"""A briefing as a Word file (python-docx, the GB/T 9704 layout of tuijin/core/docx.py) and as a PDF (reportlab,
the CJK TrueType font of tuijin/schedule/pdf.py embedded), with the same content:

    masthead title (小标宋 二号), 文号 line 〔2022〕第11期, issuing unit and date, a rule;
    the blocks of the text (markup.py): centred titles, 黑体 headings, 楷体 subheadings, 仿宋 paragraphs indented two
    characters, tables with a 黑体 header and totals row, charts as PNG images;
    the 版记 (issuing unit, date 印发).

`Paper` is what both need (no model: the CLI writes files without saving a briefing).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from tuijin.core.docx import LINE, SIZE_2, SUBHEADING_FONT, TITLE_FONT, Writer, cn_date, safe_filename

from .charts import render_png
from .markup import parse

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHART_WIDTH_MM = 150


@dataclass
class Paper:
    title: str
    number_label: str
    issuer: str
    date: datetime.date
    text: str
    data: dict = field(default_factory=dict)

    @property
    def filename_stem(self) -> str:
        return safe_filename(f"{self.title}{self.number_label}")


def paper_of(briefing) -> Paper:
    day = briefing.published_at.date() if briefing.published_at else briefing.as_of
    return Paper(briefing.title, briefing.number_label, briefing.issuer, day, briefing.text, briefing.data or {})


def _missing(kind: str, name: str) -> str:
    return f"【缺少{'表格' if kind == 'table' else '图表'}：{name}】"


# ---- Word ----


def briefing_docx(paper: Paper) -> bytes:
    w = Writer()
    w.title(paper.title)
    w.para(paper.number_label, align=WD_ALIGN_PARAGRAPH.CENTER)
    w.split_line(paper.issuer, cn_date(paper.date))
    w.rule()
    tables, charts = paper.data.get("tables", {}), paper.data.get("charts", {})
    for block in parse(paper.text):
        if block.kind == "title":
            w.para((block.text, TITLE_FONT), align=WD_ALIGN_PARAGRAPH.CENTER, size=SIZE_2, line=Pt(36), after=LINE.pt)
        elif block.kind == "heading":
            w.heading(block.text)
        elif block.kind == "subheading":
            w.heading(block.text, SUBHEADING_FONT)
        elif block.kind == "para":
            w.para(block.text)
        elif block.kind == "table":
            t = tables.get(block.name)
            if t is None:
                w.para(_missing("table", block.name))
                continue
            w.table(
                t["columns"],
                t["rows"],
                widths_mm=t["widths"],
                total=t.get("total"),
                align=t.get("align"),
                caption=t.get("title", ""),
                note=t.get("note", ""),
            )
        elif block.kind == "chart":
            c = charts.get(block.name)
            if c is None:
                w.para(_missing("chart", block.name))
                continue
            w.picture(render_png(c), CHART_WIDTH_MM)
        elif block.kind == "pagebreak":
            w.page_break()
    w.imprint(paper.issuer, paper.date)
    return w.save()


# ---- PDF ----


def briefing_pdf(paper: Paper) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        CondPageBreak,
        HRFlowable,
        Image,
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from tuijin.schedule.pdf import cjk_font

    font = cjk_font()
    base = ParagraphStyle("body", fontName=font, fontSize=16, leading=28.95, firstLineIndent=32, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=22, leading=36, alignment=TA_CENTER, firstLineIndent=0)
    center = ParagraphStyle("center", parent=base, alignment=TA_CENTER, firstLineIndent=0)
    heading = ParagraphStyle("heading", parent=base, keepWithNext=1)
    cell = ParagraphStyle("cell", fontName=font, fontSize=10.5, leading=14, wordWrap="CJK")
    cell_head = ParagraphStyle("cellhead", parent=cell, alignment=TA_CENTER)
    caption = ParagraphStyle("caption", parent=base, fontSize=14, leading=24, alignment=TA_CENTER, firstLineIndent=0)
    note = ParagraphStyle("note", parent=cell, alignment=TA_RIGHT)
    text_width = (210 - 28 - 26) * mm

    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    class Bold(Paragraph):
        """One CJK face is embedded: 黑体 headings are drawn filled and stroked (text render mode 2), so they
        stand out as they do in the .docx."""

        def draw(self):
            canv = self.canv
            canv.saveState()
            canv.setLineWidth(0.45)
            canv._code.append("2 Tr")
            super().draw()
            canv._code.append("0 Tr")
            canv.restoreState()

    story = [Bold(esc(paper.title), title), Spacer(1, 6), Paragraph(esc(paper.number_label), center)]
    head = Table([[paper.issuer, cn_date(paper.date)]], colWidths=[text_width * 0.6, text_width * 0.4])
    head.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 16),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [head, HRFlowable(width="100%", thickness=1, color=colors.black, spaceBefore=2, spaceAfter=12)]
    tables, charts = paper.data.get("tables", {}), paper.data.get("charts", {})
    for block in parse(paper.text):
        if block.kind == "title":
            story += [Bold(esc(block.text), title), Spacer(1, 20)]
        elif block.kind in ("heading", "subheading"):
            story.append((Bold if block.kind == "heading" else Paragraph)(esc(block.text), heading))
        elif block.kind == "para":
            story.append(Paragraph(esc(block.text), base))
        elif block.kind == "table":
            t = tables.get(block.name)
            if t is None:
                story.append(Paragraph(_missing("table", block.name), base))
                continue
            scale = min(1.0, (text_width / mm) / sum(t["widths"]))
            widths = [w * scale * mm for w in t["widths"]]
            aligns = t.get("align") or ["c"] * len(t["columns"])
            styles = {a: ParagraphStyle(f"c{a}", parent=cell, alignment={"l": 0, "c": 1, "r": 2}[a]) for a in "lcr"}
            body = [*t["rows"], *([t["total"]] if t.get("total") else [])]
            rows = [[Bold(esc(c), cell_head) for c in t["columns"]]]
            for r, values in enumerate(body):
                is_total = bool(t.get("total")) and r == len(body) - 1
                rows.append(
                    [(Bold if is_total else Paragraph)(esc(str(v)), styles[aligns[c]]) for c, v in enumerate(values)]
                )
            table = Table(rows, colWidths=widths, repeatRows=1)
            style = [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2")),
            ]
            if t.get("total"):
                style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f7f7f7")))
                if t["total"][2:] == [""] * (len(t["total"]) - 2):  # a list's totals: one sentence across
                    style.append(("SPAN", (1, -1), (-1, -1)))
            table.setStyle(TableStyle(style))
            # A new page when the caption, the header and a few rows would not fit; then the table runs on,
            # its header row repeated (a short table is kept whole).
            story.append(CondPageBreak(min(40 + 22 * len(rows), 90 * mm)))
            story.append(Spacer(1, 6))
            if t.get("title"):
                story.append(Bold(esc(t["title"]), caption))
            if t.get("note"):
                story.append(Paragraph(esc(t["note"]), note))
            story.append(table)
            story.append(Spacer(1, 10))
        elif block.kind == "chart":
            c = charts.get(block.name)
            if c is None:
                story.append(Paragraph(_missing("chart", block.name), base))
                continue
            png = render_png(c)
            from reportlab.lib.utils import ImageReader

            iw, ih = ImageReader(io.BytesIO(png)).getSize()
            width = CHART_WIDTH_MM * mm
            story += [Spacer(1, 6), Image(io.BytesIO(png), width=width, height=width * ih / iw), Spacer(1, 6)]
        elif block.kind == "pagebreak":
            story.append(PageBreak())
    imprint = Table([[paper.issuer, f"{cn_date(paper.date)}印发"]], colWidths=[text_width * 0.6, text_width * 0.4])
    imprint.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 14),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    story += [Spacer(1, 28), KeepTogether([imprint])]

    def page_number(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 14)
        canvas.drawCentredString(A4[0] / 2, 25 * mm, f"— {doc.page} —")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        topMargin=37 * mm,
        bottomMargin=35 * mm,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        title=f"{paper.title}{paper.number_label}",
        author=paper.issuer,
    )
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return out.getvalue()
