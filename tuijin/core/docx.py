"""Word documents in the usual government layout (GB/T 9704, 党政机关公文格式), shared by every paper tuijin writes:
meeting minutes and supervision letters (coordination/documents.py), briefings (briefing/documents.py).

Layout: A4; margins top 37 mm, bottom 35, left 28, right 26; title in 方正小标宋简体 二号 (22 pt), body in 仿宋_GB2312
三号 (16 pt) at a fixed 28.95 pt line (22 lines a page), first-level headings in 黑体, second-level in 楷体_GB2312;
page numbers "— 1 —" in 宋体 四号. Every run and style names its East Asian font (`w:eastAsia`) and language (zh-CN)
— without them Word and LibreOffice pick a Latin or Japanese font for the Chinese. The font table gives each GB font
a fallback that ships with Windows (仿宋, 黑体, 楷体), and on Linux fontconfig substitutes any installed Chinese font
(WenQuanYi Micro Hei here). The papers are official Chinese, so their wording is Chinese whatever the user's language.
"""

from __future__ import annotations

import copy
import datetime
import io

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

# ---- fonts and sizes ----

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# Word substitutes w:altName when a font is missing; the GB fonts are often not installed on newer machines.
FALLBACKS = {TITLE_FONT: "黑体", BODY_FONT: "仿宋", SUBHEADING_FONT: "楷体", HEADING_FONT: "SimHei"}

SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_5 = Pt(10.5)  # 五号 (tables)
LINE = Pt(28.95)  # 22 lines in the 225 mm text block
INDENT = Pt(32)  # two characters of 三号
TEXT_WIDTH = Mm(210 - 28 - 26)  # the text block: 156 mm

NUMERALS = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五, 0 → 〇 (enough for any agenda or list)."""
    if n <= 0:
        return "〇"
    if n <= 10:
        return NUMERALS[n - 1]
    if n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens - 1]) + "十" + (NUMERALS[ones - 1] if ones else "")


def cn_date(day: datetime.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def safe_filename(name: str) -> str:
    return "".join("_" if c in '\\/:*?"<>|' else c for c in name)


def issuing_unit(region) -> str:
    """The zone's project office (its first office organisation), else a name made from the zone's."""
    from tuijin.accounts.choices import OrganizationKind
    from tuijin.accounts.models import Organization

    office = Organization.objects.filter(region=region, kind=OrganizationKind.OFFICE).order_by("pk").first()
    return office.name if office else f"{region.name}重点项目建设办公室"


# ---- low-level helpers ----


def set_fonts(rpr, east_asia: str, size=None, bold: bool | None = None) -> None:
    """Name the fonts for every script on a run or style (w:rFonts) and the zh-CN language."""
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:cs"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


# w:pPr children that come after w:pBdr (ECMA-376 CT_PPrBase): Word refuses a document whose order is wrong.
_AFTER_PBDR = (
    *("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct"),
    *("w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind"),
    *("w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment"),
    *("w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
)


def add_border(ppr, border) -> None:
    ppr.insert_element_before(border, *_AFTER_PBDR)


def _border_element(tag: str, sides: tuple[str, ...], size: str = "8", space: str = "1"):
    border = OxmlElement(tag)
    for side in sides:
        el = OxmlElement(f"w:{side}")
        for k, v in {"w:val": "single", "w:sz": size, "w:space": space, "w:color": "000000"}.items():
            el.set(qn(k), v)
        border.append(el)
    return border


class Writer:
    """A GB/T 9704 paper being written: page setup, fonts, and the blocks papers are made of."""

    def __init__(self) -> None:
        self.doc = Document()
        self._setup()

    def _setup(self) -> None:
        doc = self.doc
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.header_distance, section.footer_distance = Mm(15), Mm(25)
        styles = doc.styles
        # Defaults for everything, so that table cells, headers and new paragraphs are Chinese too.
        defaults = doc.styles.element.find(qn("w:docDefaults"))
        rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        set_fonts(rpr_default, BODY_FONT)
        for style in styles:
            if style.type == WD_STYLE_TYPE.PARAGRAPH:  # paragraph styles: all of them, the built-in headings included
                set_fonts(style.element.get_or_add_rPr(), BODY_FONT)
        normal = styles["Normal"]
        normal.font.size = SIZE_3
        fmt = normal.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
        fmt.widow_control = False
        self._font_table()
        self._page_numbers(section)

    def _font_table(self) -> None:
        """Declare the GB fonts (GB2312 charset) with a fallback Word uses where they are not installed."""
        part = next((r.target_part for r in self.doc.part.rels.values() if r.reltype.endswith("/fontTable")), None)
        if part is None:
            return
        from lxml import etree

        root = etree.fromstring(part.blob)
        for name in (TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_NUMBER_FONT):
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            if name in FALLBACKS:
                etree.SubElement(font, qn("w:altName")).set(qn("w:val"), FALLBACKS[name])
            etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")
            etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern" if name == HEADING_FONT else "roman")
            etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _page_numbers(self, section) -> None:
        """GB/T 9704: "— 1 —" in 四号, odd pages right, even pages left; one centred number is the common
        simplification for short papers."""
        footer = section.footer
        p = footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.run(p, "— ", PAGE_NUMBER_FONT, SIZE_4)
        run = self.run(p, "", PAGE_NUMBER_FONT, SIZE_4)
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            elif text == "1":
                el = OxmlElement("w:t")
                el.text = text
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._r.append(el)
        self.run(p, " —", PAGE_NUMBER_FONT, SIZE_4)

    def run(self, paragraph, text: str, font: str = BODY_FONT, size=SIZE_3, bold: bool = False):
        run = paragraph.add_run(text)
        run.font.size = size
        run.font.bold = bold or None
        set_fonts(run._r.get_or_add_rPr(), font)
        return run

    def para(
        self,
        *parts: tuple[str, str] | str,
        align=None,
        indent: bool = True,
        size=SIZE_3,
        line=LINE,
        before=0,
        after=0,
    ):
        """A paragraph of runs; each part is text (body font) or (text, font)."""
        p = self.doc.add_paragraph()
        fmt = p.paragraph_format
        if align is not None:
            p.alignment = align
        fmt.first_line_indent = INDENT if indent and align is None else None
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = line
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        for part in parts:
            text, font = (part, BODY_FONT) if isinstance(part, str) else part
            if text:
                self.run(p, text, font, size)
        return p

    def title(self, text: str) -> None:
        """二号小标宋, centred, with a blank 三号 line above and below (GB/T 9704 7.3.3)."""
        self.para(
            (text, TITLE_FONT), align=WD_ALIGN_PARAGRAPH.CENTER, size=SIZE_2, line=Pt(36), before=LINE.pt, after=0
        )

    def heading(self, text: str, font: str = HEADING_FONT):
        """A first-level heading (一、…) in 黑体, kept with the paragraph after it."""
        p = self.para((text, font))
        p.paragraph_format.keep_with_next = True
        return p

    def rule(self, space_after: float = 12) -> None:
        """A full-width line under the header block (black: the red 版头 belongs to printed originals)."""
        p = self.para("", indent=False, line=Pt(8), after=space_after)
        add_border(p._p.get_or_add_pPr(), _border_element("w:pBdr", ("bottom",)))

    def split_line(self, left: str, right: str) -> None:
        """Left text and right text on one line (a right tab at the text block's edge)."""
        p = self.para(left, indent=False)
        p.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
        self.run(p, "\t" + right)

    def signature(self, unit: str, day: datetime.date) -> None:
        """Issuing unit and date at the right, four characters from the edge (GB/T 9704 7.3.5)."""
        for n, text in enumerate((unit, cn_date(day))):
            p = self.para(text, align=WD_ALIGN_PARAGRAPH.RIGHT, before=LINE.pt if n == 0 else 0)
            p.paragraph_format.right_indent = Pt(64)
            p.paragraph_format.keep_with_next = n == 0

    def imprint(self, unit: str, day: datetime.date, word: str = "印发") -> None:
        """The 版记 at the foot: a rule, the issuing unit and the date of printing, a rule."""
        self.para("", indent=False)
        p = self.para("", indent=False, size=SIZE_4)
        p.paragraph_format.left_indent = Pt(14)
        p.paragraph_format.right_indent = Pt(14)
        p.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH - Pt(28), WD_TAB_ALIGNMENT.RIGHT)
        self.run(p, unit, size=SIZE_4)
        self.run(p, f"\t{cn_date(day)}{word}", size=SIZE_4)
        add_border(p._p.get_or_add_pPr(), _border_element("w:pBdr", ("top", "bottom"), space="4"))

    def page_break(self) -> None:
        p = self.doc.add_paragraph()
        p.add_run().add_break(WD_BREAK.PAGE)

    def picture(self, png: bytes, width_mm: float = 150, caption: str = "") -> None:
        """A centred image (a chart) on its own single-spaced line — an exact 28.95 pt line would crop it —
        with an optional caption under it."""
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.paragraph_format.keep_with_next = bool(caption)
        p.paragraph_format.space_before = Pt(6)
        run = p.add_run()
        set_fonts(run._r.get_or_add_rPr(), BODY_FONT)
        run.add_picture(io.BytesIO(png), width=Mm(width_mm))
        if caption:
            self.para((caption, SUBHEADING_FONT), align=WD_ALIGN_PARAGRAPH.CENTER, size=SIZE_4, after=6)

    def table(
        self,
        columns: list[str],
        rows: list[list[str]],
        *,
        widths_mm: list[float],
        total: list[str] | None = None,
        align: list[str] | None = None,
        caption: str = "",
        note: str = "",
    ):
        """A bordered table in 五号 that fits the text block: a 黑体 header row repeated on every page, the rows,
        and a totals row in 黑体. `align` per column: "l", "c" or "r" (numbers right)."""
        if caption:
            p = self.para((caption, HEADING_FONT), align=WD_ALIGN_PARAGRAPH.CENTER, size=SIZE_4, line=Pt(24))
            p.paragraph_format.keep_with_next = True
        if note:
            p = self.para(note, align=WD_ALIGN_PARAGRAPH.RIGHT, size=SIZE_5, line=Pt(18))
            p.paragraph_format.keep_with_next = True
        align = align or ["c"] * len(columns)
        scale = min(1.0, TEXT_WIDTH.mm / sum(widths_mm))
        widths = [Mm(w * scale) for w in widths_mm]
        table = self.doc.add_table(rows=1, cols=len(columns))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tbl_pr = table._tbl.tblPr
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tbl_pr.append(layout)
        self._table_row(table, table.rows[0], columns, ["c"] * len(columns), widths, HEADING_FONT)
        head = OxmlElement("w:tblHeader")  # repeat the header row on every page
        head.set(qn("w:val"), "true")
        table.rows[0]._tr.get_or_add_trPr().append(head)
        # Body rows are copies of one row laid out through python-docx, with their texts replaced: building every
        # cell through the API costs a second per few hundred rows.
        body = [(row, BODY_FONT) for row in rows] + ([(total, HEADING_FONT)] if total else [])
        prototypes: dict[str, object] = {}
        for values, font in body:
            if font not in prototypes:
                prototype = table.add_row()
                self._table_row(table, prototype, ["\u00a0"] * len(columns), align, widths, font)
                prototypes[font] = prototype._tr
                table._tbl.remove(prototype._tr)
            tr = copy.deepcopy(prototypes[font])
            for t, value in zip(tr.iter(qn("w:t")), values, strict=False):
                t.text = str(value)
            table._tbl.append(tr)
        for c, width in enumerate(widths):
            table.columns[c].width = width
        # A little air after the table before the next paragraph.
        self.para("", indent=False, line=Pt(10))
        return table

    def _table_row(self, table, row, values, align, widths, font) -> None:
        jc = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER, "r": WD_ALIGN_PARAGRAPH.RIGHT}
        for c, (cell, value) in enumerate(zip(row.cells, values, strict=False)):
            cell.width = widths[c]
            p = cell.paragraphs[0]
            p.alignment = jc.get(align[c], jc["c"])
            fmt = p.paragraph_format
            fmt.first_line_indent = None
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(16)
            fmt.space_before = fmt.space_after = Pt(2)
            run = self.run(p, str(value), font, SIZE_5)
            run._r.find(qn("w:t")).set(qn("xml:space"), "preserve")

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


__all__ = [
    "BODY_FONT",
    "HEADING_FONT",
    "INDENT",
    "LINE",
    "SIZE_2",
    "SIZE_3",
    "SIZE_4",
    "SIZE_5",
    "SUBHEADING_FONT",
    "TEXT_WIDTH",
    "TITLE_FONT",
    "Writer",
    "add_border",
    "cn_date",
    "cn_number",
    "issuing_unit",
    "safe_filename",
    "set_fonts",
]
