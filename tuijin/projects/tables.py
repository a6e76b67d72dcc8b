"""The ledger's columns, defined once: the page's table, its column chooser and the .xlsx export.

`header` is the ledger template's column header (the import/export contract, not translated);
`label` is what the page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    label: object
    value: Callable  # project -> cell value (for export and page)
    default: bool = False  # shown on the page unless the user chose otherwise
    order_by: str | None = None  # field to sort by, None = not sortable
    money: bool = False
    date: bool = False
    export: bool = True


BATCH_WORDS = {"signed": "签约", "started": "开工", "production": "投产"}


def _removed(p) -> bool:
    return getattr(p, "listing_action", None) == "removed"


def _batch_word(p):
    """The batch as the template writes it; a removed project keeps the batch it was removed from."""
    batch = getattr(p, "listing_batch", None) if _removed(p) else getattr(p, "batch", None)
    return BATCH_WORDS.get(batch or "", "")


def _adjustment(p):
    """调整情况: empty for a listed project, 调出 (with the reason) for a removed one."""
    if not _removed(p):
        return ""
    reason = getattr(p, "listing_reason", "") or ""
    return f"调出：{reason}" if reason else "调出"


COLUMNS: list[Column] = [
    Column("code", "项目编号", _("Code"), lambda p: p.code, default=True, order_by="code"),
    Column("name", "项目名称", _("Project"), lambda p: p.name, default=True, order_by="name"),
    Column(
        "enterprise",
        "建设单位",
        _("Enterprise"),
        lambda p: p.enterprise.name,
        default=True,
        order_by="enterprise__name",
    ),
    Column("region", "所属区域", _("Region"), lambda p: p.region.name, order_by="region__path"),
    Column("industry", "产业类别", _("Industry"), lambda p: p.industry, default=True, order_by="industry"),
    Column("nature", "建设性质", _("Construction type"), lambda p: p.nature, order_by="nature"),
    Column("content", "建设内容及规模", _("Content and scale"), lambda p: p.content),
    Column("location", "建设地点", _("Location"), lambda p: p.location),
    Column("batch", "批次", _("Batch"), _batch_word, default=True),
    Column("period", "期次", _("Period"), lambda p: getattr(p, "listed_period", None) or "", default=False),
    Column(
        "total_investment",
        "总投资(万元)",
        _("Total investment (万元)"),
        lambda p: p.total_investment,
        default=True,
        order_by="total_investment",
        money=True,
    ),
    Column(
        "annual_plan",
        "年度计划投资(万元)",
        _("Annual plan (万元)"),
        lambda p: getattr(p, "annual_plan", None),
        default=True,
        money=True,
    ),
    Column("signed_on", "签约时间", _("Signed"), lambda p: p.signed_on, order_by="signed_on", date=True),
    Column(
        "planned_started_on",
        "计划开工时间",
        _("Planned start"),
        lambda p: p.planned_started_on,
        order_by="planned_started_on",
        date=True,
    ),
    Column(
        "started_on",
        "实际开工时间",
        _("Started"),
        lambda p: p.started_on,
        default=True,
        order_by="started_on",
        date=True,
    ),
    Column(
        "planned_production_on",
        "计划投产时间",
        _("Planned production"),
        lambda p: p.planned_production_on,
        order_by="planned_production_on",
        date=True,
    ),
    Column(
        "production_on",
        "实际投产时间",
        _("In production"),
        lambda p: p.production_on,
        default=True,
        order_by="production_on",
        date=True,
    ),
    Column("effective_on", "达效时间", _("Effective"), lambda p: p.effective_on, order_by="effective_on", date=True),
    Column(
        "leader",
        "责任领导",
        _("Leader"),
        lambda p: p.leader.name if p.leader else "",
        default=True,
        order_by="leader__name",
    ),
    Column(
        "responsible_unit",
        "责任单位",
        _("Responsible unit"),
        lambda p: p.responsible_unit.name if p.responsible_unit else "",
        order_by="responsible_unit__name",
    ),
    Column("responsible_person", "责任人", _("Responsible person"), lambda p: p.responsible_person),
    Column("adjustment", "调整情况", _("Adjustment"), _adjustment, export=True),
    Column("note", "备注", _("Note"), lambda p: p.note),
]
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}
PAGE_COLUMNS = [c for c in COLUMNS if c.key != "adjustment"]
DEFAULT_KEYS = [c.key for c in PAGE_COLUMNS if c.default]
SORT_FIELDS = {c.key: c.order_by for c in COLUMNS if c.order_by}
