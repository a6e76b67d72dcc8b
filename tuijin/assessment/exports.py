"""The assessment as an Excel workbook and as a Word paper (考核结果通报). Official papers: Chinese whatever the
user's language (like the coordination documents). A subject's per-indicator points and numbers appear only where
`may_see(subject_key)` allows (the breakdown rule of services.breakdown_visible); the ranking is everyone's."""

from __future__ import annotations

import io
from collections.abc import Callable

import xlsxwriter

from tuijin.core.docx import HEADING_FONT, SIZE_4, Writer, cn_number, issuing_unit, safe_filename

from .choices import PeriodKind, SubjectKind
from .formulas import REGISTRY
from .models import Assessment
from .selectors import scores_of

SUBJECT_WORD = {SubjectKind.UNITS: "责任单位", SubjectKind.LEADERS: "责任领导", SubjectKind.REGIONS: "地区"}
MARK_WORD = {"red": "红榜", "black": "黑榜", "": ""}
QUARTERS = "一二三四"


def period_words(a: Assessment) -> str:
    p = a.period
    if p.kind == PeriodKind.MONTH:
        return f"{p.start.year}年{p.start.month}月"
    if p.kind == PeriodKind.QUARTER:
        return f"{p.start.year}年第{QUARTERS[(p.start.month - 1) // 3]}季度"
    return f"{p.start.year}年度"


def title(a: Assessment) -> str:
    return f"{a.region.name}{period_words(a)}{a.version.scheme.title}结果"


def filename(a: Assessment, ext: str) -> str:
    return safe_filename(f"{title(a)}.{ext}")


def _table(a: Assessment, may_see: Callable[[str], bool]):
    indicators = list(a.version.indicators.order_by("order", "id"))
    rows = []
    for s in scores_of(a):
        visible = may_see(s.subject_key)
        by_indicator = {i.indicator_id: i for i in s.items.all()}
        rows.append((s, visible, [by_indicator.get(ind.pk) if visible else None for ind in indicators]))
    return indicators, rows


def _num(value) -> str:
    return "" if value is None else f"{value:.2f}"


def assessment_xlsx(a: Assessment, may_see: Callable[[str], bool]) -> bytes:
    """Sheets 排名 (rank, subject, points per indicator, adjustments, total, list), 明细 (value, points and the
    numbers behind each) and 指标 (the scheme version's indicators)."""
    indicators, rows = _table(a, may_see)
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    num = wb.add_format({"num_format": "0.00", "border": 1})
    text = wb.add_format({"border": 1})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})

    ws = wb.add_worksheet("排名")
    ws.write(0, 0, title(a), title_fmt)
    ws.write(1, 0, f"方案：{a.version.scheme.name} 第{a.version.number}版　状态：{a.get_state_display()}")
    columns = ["排名", SUBJECT_WORD[a.subject_kind], *[f"{i.code} {i.label}（{i.weight:g}分）" for i in indicators]]
    columns += ["指标得分", "加减分", "总分", "榜单", "一票否决"]
    ws.write_row(3, 0, columns, head)
    ws.set_row(3, 48)
    for r, (s, _visible, cells) in enumerate(rows, start=4):
        ws.write_number(r, 0, s.rank, text)
        ws.write(r, 1, s.subject_label, text)
        for c, item in enumerate(cells, start=2):
            if item is None:
                ws.write_blank(r, c, None, text)
            else:
                ws.write_number(r, c, float(item.points), num)
        c = 2 + len(indicators)
        ws.write_number(r, c, float(s.base), num)
        ws.write_number(r, c + 1, float(s.adjustment), num)
        ws.write_number(r, c + 2, float(s.total), num)
        ws.write(r, c + 3, MARK_WORD[s.mark], text)
        ws.write(r, c + 4, "是" if s.vetoed else "", text)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 26)
    ws.set_column(2, len(columns) - 1, 12)
    ws.freeze_panes(4, 2)

    ws = wb.add_worksheet("明细")
    ws.write_row(
        0, 0, [SUBJECT_WORD[a.subject_kind], "指标", "数值", "单位", "得分", "分子", "分母", "计数", "合计"], head
    )
    r = 1
    for s, visible, cells in rows:
        if not visible:
            continue
        for ind, item in zip(indicators, cells, strict=True):
            if item is None:
                continue
            n = item.numbers or {}
            spec = REGISTRY.get(ind.formula)
            ws.write(r, 0, s.subject_label, text)
            ws.write(r, 1, f"{ind.code} {ind.label}", text)
            if item.value is None:
                ws.write_blank(r, 2, None, num)
            else:
                ws.write_number(r, 2, float(item.value), num)
            ws.write(r, 3, spec.unit if spec else "", text)
            ws.write_number(r, 4, float(item.points), num)
            for c, key in enumerate(("numerator", "denominator", "count"), start=5):
                ws.write(r, c, n.get(key, n.get("projects") if key == "count" else ""), text)
            ws.write(r, 8, n.get("sum", n.get("invested_to_date", "")), text)
            r += 1
    ws.set_column(0, 1, 28)
    ws.set_column(2, 8, 11)

    ws = wb.add_worksheet("指标")
    ws.write_row(0, 0, ["代码", "分组", "指标", "分值", "公式", "公式参数", "评分规则", "规则参数"], head)
    for r, ind in enumerate(indicators, start=1):
        spec = REGISTRY.get(ind.formula)
        ws.write_row(
            r,
            0,
            [
                ind.code,
                ind.group,
                ind.label,
                float(ind.weight),
                f"{ind.formula}（{spec.label}）" if spec else ind.formula,
                str(ind.formula_params or ""),
                ind.get_rule_display(),
                str(ind.rule_params),
            ],
            text,
        )
    ws.set_column(0, 0, 6)
    ws.set_column(1, 7, 22)
    wb.close()
    return out.getvalue()


def assessment_docx(a: Assessment, may_see: Callable[[str], bool]) -> bytes:
    """考核结果通报: title, the ranking table (points per indicator where the reader may see them), the indicators'
    legend, the red and black lists, the adjustments, issuing unit and date."""
    indicators, rows = _table(a, may_see)
    w = Writer()
    w.title(title(a))
    w.para("")
    day = (a.published_at or a.computed_at).date() if (a.published_at or a.computed_at) else a.period.end
    w.para(
        f"根据《{a.version.scheme.title}》（第{a.version.number}版），现将{a.region.name}{period_words(a)}"
        f"{SUBJECT_WORD[a.subject_kind]}考核结果通报如下。"
    )
    w.heading(f"{cn_number(1)}、考核排名")
    show = any(v for _s, v, _c in rows)
    columns = ["排名", SUBJECT_WORD[a.subject_kind]]
    widths = [12.0, 34.0]
    if show:
        columns += [i.code for i in indicators]
        widths += [11.0] * len(indicators)
    columns += ["加减分", "总分", "榜单"]
    widths += [13.0, 14.0, 11.0]
    body = []
    for s, _visible, cells in rows:
        line = [str(s.rank), s.subject_label]
        if show:
            line += [_num(i.points) if i is not None else "—" for i in cells]
        line += [_num(s.adjustment), _num(s.total), MARK_WORD[s.mark] + ("（否决）" if s.vetoed else "")]
        body.append(line)
    align = ["c", "l", *(["r"] * (len(indicators) if show else 0)), "r", "r", "c"]
    w.table(columns, body, widths_mm=widths, align=align, note="单位：分")
    if show:
        legend = "；".join(f"{i.code}{i.label}（{i.weight:g}分）" for i in indicators)
        w.para((f"注：{legend}。", HEADING_FONT), indent=False, size=SIZE_4)
    red = [s.subject_label for s, _v, _c in rows if s.mark == "red"]
    black = [s.subject_label for s, _v, _c in rows if s.mark == "black"]
    w.heading(f"{cn_number(2)}、红黑榜")
    w.para(f"红榜：{'、'.join(red) or '无'}。")
    w.para(f"黑榜：{'、'.join(black) or '无'}。")
    adjustments = list(a.adjustments.order_by("id"))
    if adjustments:
        w.heading(f"{cn_number(3)}、加减分及一票否决")
        for adj in adjustments:
            what = "一票否决" if adj.veto else f"{'加' if adj.points > 0 else '减'}{abs(adj.points):g}分"
            w.para(f"{adj.subject_label}：{what}，{adj.reason.rstrip('。')}。")
    w.signature(issuing_unit(a.region), day)
    return w.save()
