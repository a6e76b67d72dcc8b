"""Import a dispatch table (月度调度表) from .xlsx: one row per project, each month's completed investment.

Columns (headers folded like the ledger's: NFKC, no spaces, a unit in brackets converts 元/万元/亿元):
项目编号 (optional; without it a project is matched by 项目名称 within --region, narrowed by 所属区域 when given),
项目名称 (required), `N月完成投资(万元)` for N = 1…12 and/or `1-N月累计完成投资(万元)`, optionally 年度计划投资(万元).
The export's other columns (序号, 建设单位, 批次, 责任领导, 责任单位, 总投资, 完成率, 序时进度) are read and ignored,
and its subtotal rows (…小计, 合计) are skipped, so an exported table imports back unchanged.

Rules:
- A month's figure comes from its `N月完成投资` cell; when that cell is empty and a `1-N月累计完成投资` cell is
  filled, the month is the cumulative figure minus months 1…N−1 (from the file, else from the stored reports,
  else 0). When both are filled they must agree. An empty cell leaves the stored report as it is.
- Imported reports are the office's own figures: they are written as *accepted* (a report in any other state is
  replaced and accepted; an accepted one is corrected, with a change record saying so).
- All or nothing: every row is checked first (unknown project, non-numeric or negative amount, a month in the
  future, figures that disagree, cumulative investment since start above the project's total investment,
  the same project twice); one bad row and nothing is written.
- Re-importing the same file changes nothing.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.bulk import ChangeRows, insert_by_columns, update_rows
from tuijin.core.choices import ChangeAction
from tuijin.core.importing import (
    ColumnSpec,
    ImportFileError,
    RowError,
    RowErrors,
    cell_text,
    fold,
    locate_header,
    parse_amount,
    read_rows,
)
from tuijin.projects.models import Project
from tuijin.regions.models import Region, name_key

from .choices import COUNTED_STATUSES, ReportStatus
from .models import AnnualPlan, MonthlyReport, ReportedYear
from .summary import refresh_reported

MONTHS = range(1, 13)


def _cumulative_headers(n: int) -> tuple[str, ...]:
    if n == 1:
        return ("1月累计完成投资", "1-1月累计完成投资")
    return tuple(f"1{sep}{n}月累计完成投资" for sep in ("-", "—", "–", "~", "至", "到"))


EXPORT_ONLY = ("批次", "责任领导", "责任单位", "产业类别", "总投资", "完成率", "序时进度", "形象进度", "备注")
SPECS = [
    ColumnSpec("seq", ("序号",)),
    ColumnSpec("code", ("项目编号",)),
    ColumnSpec("name", ("项目名称",), required=True),
    ColumnSpec("enterprise", ("建设单位", "项目单位", "企业名称")),
    ColumnSpec("region", ("所属区域",)),
    ColumnSpec("annual_plan", ("年度计划投资",), money=True),
    *[ColumnSpec(f"m{m}", (f"{m}月完成投资", f"{m}月份完成投资", f"{m}月投资"), money=True) for m in MONTHS],
    *[ColumnSpec(f"c{n}", _cumulative_headers(n), money=True) for n in MONTHS],
    # The export's own columns: read, not imported.
    *[ColumnSpec(f"x_{h}", (h, f"{h}(%)", f"{h}%")) for h in EXPORT_ONLY],
]
SUBTOTAL_RE = re.compile(r"(小计|合计|总计)$")


@dataclass
class ReportChange:
    row: int
    project: Project
    month: int
    before: MonthlyReport | None  # the stored report, None when new
    invested: Decimal

    @property
    def kind(self) -> str:
        return "new" if self.before is None else "update"


@dataclass
class DispatchPlan:
    """Everything a dispatch-table import would change; `apply_dispatch` writes it."""

    year: int
    sheet: str = ""
    rows: int = 0
    reports: list[ReportChange] = field(default_factory=list)
    plans: list[tuple[int, Project, AnnualPlan | None, Decimal]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unchanged_rows: int = 0

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "reports_new": sum(1 for c in self.reports if c.before is None),
            "reports_changed": sum(1 for c in self.reports if c.before is not None),
            "annual_plans": len(self.plans),
            "unchanged_rows": self.unchanged_rows,
        }

    def describe(self) -> list[dict]:
        lines = []
        for c in self.reports:
            old = "—" if c.before is None else f"{c.before.invested} ({c.before.get_status_display()})"
            lines.append(
                {
                    "kind": c.kind,
                    "row": c.row,
                    "project": c.project.name,
                    "detail": f"{self.year}-{c.month:02d}: {old} → {c.invested}",
                }
            )
        for row, project, ap, amount in self.plans:
            old = "—" if ap is None else str(ap.amount)
            lines.append(
                {
                    "kind": "plan",
                    "row": row,
                    "project": project.name,
                    "detail": f"{_('annual plan')} {self.year}: {old} → {amount}",
                }
            )
        return sorted(lines, key=lambda x: (x["row"], x["kind"], x["detail"]))


class _Projects:
    def __init__(self, root: Region):
        self.root = root
        self.regions = {r.pk: r for r in Region.objects.filter(path__startswith=root.path)}
        self.region_keys: dict[str, list[Region]] = defaultdict(list)
        for r in self.regions.values():
            self.region_keys[r.code].append(r)
            self.region_keys[name_key(r.name)].append(r)
        # What matching, the checks and the change records read: a province has 20,000 projects.
        projects = list(
            Project.objects.filter(region__path__startswith=root.path).only(
                "id", "code", "name", "name_key", "region_id", "total_investment"
            )
        )
        region_field = Project._meta.get_field("region")
        for p in projects:  # the change records read each project's region (its scope path): no query per project
            region_field.set_cached_value(p, self.regions[p.region_id])
        self.by_code = {p.code: p for p in projects}
        self.by_name: dict[str, list[Project]] = defaultdict(list)
        for p in projects:
            self.by_name[p.name_key].append(p)

    def find(self, code: str, name: str, region_text: str) -> tuple[Project | None, str | None]:
        if code:
            project = self.by_code.get(code)
            if project is None:
                return None, _("no project with this code in %(root)s") % {"root": self.root.name}
            return project, None
        candidates = self.by_name.get(name_key(name), [])
        if region_text:
            regions = self.region_keys.get(region_text) or self.region_keys.get(name_key(region_text)) or []
            if not regions:
                return None, _("no such region under %(root)s") % {"root": self.root.name}
            ids = {r.pk for r in regions}
            candidates = [p for p in candidates if p.region_id in ids]
        if len(candidates) > 1:
            return None, _("several projects have this name: fill in 所属区域 or 项目编号")
        if not candidates:
            return None, _("no project with this name in %(root)s: import the ledger first") % {"root": self.root.name}
        return candidates[0], None


def plan_dispatch(
    source: str | IO[bytes], *, region: Region, year: int, today: datetime.date | None = None
) -> DispatchPlan:
    """Read the file and work out every change; raises ImportFileError or RowErrors and writes nothing."""
    today = today or timezone.localdate()
    if not 2000 <= year <= 2100:
        raise ImportFileError(_("Not a plausible year: %(year)s.") % {"year": year})
    if year > today.year:
        raise ImportFileError(_("%(year)s has not begun: nothing can be reported for it yet.") % {"year": year})
    sheet_name, rows = read_rows(source)
    sheet = locate_header(sheet_name, rows, SPECS, anchor="项目名称")
    errors: list[RowError] = []

    def error(row, key, value, reason):
        column = sheet.header_of(key) if key in sheet.columns else key
        errors.append(RowError(sheet.name, row, column, cell_text(value), reason))

    month_cols = [m for m in MONTHS if f"m{m}" in sheet.columns]
    cum_cols = [n for n in MONTHS if f"c{n}" in sheet.columns]
    if not month_cols and not cum_cols:
        raise ImportFileError(
            _("No investment columns: the sheet needs “N月完成投资(万元)” or “1-N月累计完成投资(万元)” columns.")
        )
    plan = DispatchPlan(year=year, sheet=sheet.name)
    plan.warnings = [_("Unknown column “%(col)s” was ignored.") % {"col": col} for col in sheet.unknown]
    ctx = _Projects(region)
    parsed_rows = []
    seen: dict[int, int] = {}
    for row, cells in sheet.data_rows():
        name = cell_text(sheet.cell(cells, "name"))
        if SUBTOTAL_RE.search(fold(name)) and not cell_text(sheet.cell(cells, "code")):
            continue
        plan.rows += 1
        if not name and not cell_text(sheet.cell(cells, "code")):
            error(row, "name", "", _("project name is empty"))
            continue
        project, problem = ctx.find(cell_text(sheet.cell(cells, "code")), name, cell_text(sheet.cell(cells, "region")))
        if problem:
            error(row, "code" if cell_text(sheet.cell(cells, "code")) else "name", name, problem)
            continue
        if project.pk in seen:
            error(row, "name", name, _("the same project is already on row %(row)s") % {"row": seen[project.pk]})
            continue
        seen[project.pk] = row
        values: dict[str, Decimal] = {}
        bad = False
        for key in [*(f"m{m}" for m in month_cols), *(f"c{n}" for n in cum_cols), "annual_plan"]:
            raw = sheet.cell(cells, key)
            if raw is None or key not in sheet.columns:
                continue
            try:
                values[key] = parse_amount(raw, sheet.columns[key][1])
            except ValueError as exc:
                error(row, key, raw, str(exc))
                bad = True
        if not bad:
            parsed_rows.append((row, project, values))
    if not plan.rows:
        raise ImportFileError(
            _("The sheet “%(sheet)s” has a header row but no projects under it.") % {"sheet": sheet.name}
        )
    if errors:
        raise RowErrors(errors)

    ids = [p.pk for _r, p, _v in parsed_rows]
    stored: dict[int, dict[int, MonthlyReport]] = defaultdict(dict)
    other_years: dict[int, Decimal] = {}
    plans: dict[int, AnnualPlan] = {}
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        for r in MonthlyReport.objects.filter(project_id__in=chunk, year=year).order_by():
            stored[r.project_id][r.month] = r
        other_years.update(  # every report of the other years, from their summary rows (as the check sums them)
            ReportedYear.objects.filter(project_id__in=chunk)
            .exclude(year=year)
            .order_by()
            .values("project_id")
            .annotate(s=Sum("total_any_state"))
            .values_list("project_id", "s")
        )
        plans.update({ap.project_id: ap for ap in AnnualPlan.objects.filter(project_id__in=chunk, year=year)})

    for row, project, values in parsed_rows:
        months = _resolve_months(row, year, today, values, stored[project.pk], error)
        if months is None:
            continue
        final = {m: r.invested for m, r in stored[project.pk].items()} | months
        since_start = (other_years.get(project.pk) or Decimal(0)) + sum(final.values(), Decimal(0))
        if since_start > project.total_investment:
            error(
                row,
                "name",
                project.name,
                _(
                    "cumulative investment since start would be %(cumulative)s 万元, above the project's total "
                    "investment of %(total)s 万元: raise the total investment first"
                )
                % {"cumulative": since_start, "total": project.total_investment},
            )
            continue
        changed = False
        for m, amount in sorted(months.items()):
            before = stored[project.pk].get(m)
            if before is not None and before.invested == amount and before.status == ReportStatus.ACCEPTED:
                continue
            plan.reports.append(ReportChange(row=row, project=project, month=m, before=before, invested=amount))
            changed = True
        if "annual_plan" in values:
            ap = plans.get(project.pk)
            if ap is None or ap.amount != values["annual_plan"]:
                plan.plans.append((row, project, ap, values["annual_plan"]))
                changed = True
        plan.unchanged_rows += not changed
    if errors:
        raise RowErrors(errors)
    return plan


def _counted(report: MonthlyReport | None) -> Decimal:
    """A stored month as the cumulative columns count it: reported and not sent back (else 0)."""
    return report.invested if report is not None and report.status in COUNTED_STATUSES else Decimal(0)


def _resolve_months(row: int, year: int, today: datetime.date, values: dict, stored: dict, error) -> dict | None:
    """Each month's figure from the monthly and cumulative cells (see the module's rules), or None on errors."""
    months: dict[int, Decimal] = {m: values[f"m{m}"] for m in MONTHS if f"m{m}" in values}
    ok = True
    for n in MONTHS:
        key = f"c{n}"
        if key not in values:
            continue
        before = sum((months.get(m, _counted(stored.get(m))) for m in range(1, n)), Decimal(0))
        if n in months:
            if before + months[n] != values[key]:
                error(
                    row,
                    key,
                    values[key],
                    _("differs from the sum of months 1-%(n)s (%(sum)s)") % {"n": n, "sum": before + months[n]},
                )
                ok = False
            continue
        derived = values[key] - before
        if derived < 0:
            error(
                row, key, values[key], _("is less than months 1-%(m)s together (%(sum)s)") % {"m": n - 1, "sum": before}
            )
            ok = False
            continue
        if derived == 0 and n not in stored:
            continue  # nothing this month, and nothing reported: no report to make (an exported blank month)
        months[n] = derived
    for m in list(months):
        if (year, m) > (today.year, today.month):
            if months[m]:
                key = f"m{m}" if f"m{m}" in values else f"c{m}"
                error(row, key, months[m], _("%(year)s-%(month)02d is in the future") % {"year": year, "month": m})
                ok = False
            else:
                del months[m]  # a template's zeros for months to come
    return months if ok else None


def month_key(year: int, month: int) -> str:
    """How a dispatch import's change record names a month of the project's reports: "2026-03"."""
    return f"{year}-{month:02d}"


def _report_state(report) -> dict:
    return {"invested": str(report.invested), "status": report.status}


@transaction.atomic
def apply_dispatch(plan: DispatchPlan) -> dict:
    """Write the planned reports (accepted) and plans, with ONE change record per imported row.

    A row of the table is a project's year: its record is on the project (action "update") and says, under
    `monthly_reports`, each month the row wrote — {"2026-03": {"invested", "status"}} after, and before for a
    month that had a report (project and month name the report: there is one per month). A row's ten months
    cost one record, not ten (the change log was half a province import's writing: bench/RESULTS.md). The
    reporting page's history of a month reads these records beside the report's own (`views.reporting._history`).

    Reports go in through core.bulk (executemany on SQLite, COPY on PostgreSQL).
    """
    now = timezone.now()
    rows: dict[int, tuple[Project, dict, dict]] = {}  # project id → (project, before, after) of its record
    new: list[tuple[dict, str, ReportChange]] = []
    changed: list[MonthlyReport] = []
    for c in plan.reports:
        _project, before, after = rows.setdefault(c.project.pk, (c.project, {}, {}))
        key = month_key(plan.year, c.month)
        if c.before is None:
            new.append((after, key, c))
            continue
        report = c.before
        before[key] = _report_state(report)
        report.invested, report.status, report.reviewed_at, report.last_updated = (
            c.invested,
            ReportStatus.ACCEPTED,
            now,
            now,
        )
        report.submitted_at = report.submitted_at or now
        changed.append(report)
        after[key] = _report_state(report)
    if new:
        # A column at a time: 100,000 new reports of a province's table differ in project, month and figure only.
        insert_by_columns(
            MonthlyReport,
            len(new),
            {
                "project_id": [c.project.pk for _a, _k, c in new],
                "month": [c.month for _a, _k, c in new],
                "invested": [c.invested for _a, _k, c in new],
            },
            {"year": plan.year, "status": ReportStatus.ACCEPTED, "submitted_at": now, "reviewed_at": now},
        )
        accepted = ReportStatus.ACCEPTED.value
        for after, key, c in new:
            after[key] = {"invested": str(c.invested), "status": accepted}
    if changed:
        update_rows(MonthlyReport, changed, ["invested", "status", "reviewed_at", "submitted_at", "last_updated"])
    records = ChangeRows()
    for project, before, after in rows.values():
        records.add(
            project,
            ChangeAction.UPDATE,
            {"monthly_reports": before},
            {"monthly_reports": after},
            model=Project,
        )
    records.write()
    # core.bulk bypasses MonthlyReport.save(): the statistics' summary of the year, for the projects written.
    refresh_reported({c.project.pk for c in plan.reports}, [plan.year])
    for _row, project, ap, amount in plan.plans:
        ap = ap or AnnualPlan(project=project, year=plan.year)
        ap.amount = amount
        ap.ensure_split()
        ap.full_clean(validate_unique=False)
        ap.save()
    return plan.summary()
