"""Import a period's list (项目台账) from .xlsx: plan every change, refuse the whole file on any bad row,
then write everything in one transaction with a change record per write.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.accounts.models import Leader, Organization
from tuijin.core.bulk import ChangeRows, insert_rows_with_ids, update_rows
from tuijin.core.changelog import jsonable
from tuijin.core.changelog import snapshot as _raw_snapshot
from tuijin.core.choices import ChangeAction
from tuijin.core.importing import (
    ColumnSpec,
    ImportFileError,
    RowError,
    RowErrors,
    Sheet,
    cell_text,
    fold,
    locate_header,
    parse_amount,
    parse_date,
    read_rows,
)
from tuijin.investment.models import MONTH_FIELDS, AnnualPlan
from tuijin.regions.models import Region, name_key

from .choices import Batch, ListingAction
from .models import Listing, Period, Project
from .numerals import parse_period, period_name
from .services import derive_listing_chain

DATE_COLUMNS = [
    ("signed_on", "签约时间"),
    ("planned_started_on", "计划开工时间"),
    ("started_on", "实际开工时间"),
    ("planned_production_on", "计划投产时间"),
    ("production_on", "实际投产时间"),
    ("effective_on", "达效时间"),
]
TEXT_FIELDS = ["industry", "nature", "content", "location", "responsible_person", "note"]

SPECS = [
    ColumnSpec("seq", ("序号",)),
    ColumnSpec("code", ("项目编号",)),
    ColumnSpec("name", ("项目名称",), required=True),
    ColumnSpec("enterprise", ("建设单位", "项目单位", "企业名称"), required=True),
    ColumnSpec("region", ("所属区域",)),
    ColumnSpec("industry", ("产业类别", "行业")),
    ColumnSpec("nature", ("建设性质",)),
    ColumnSpec("content", ("建设内容及规模",)),
    ColumnSpec("location", ("建设地点",)),
    ColumnSpec("batch", ("批次", "类别"), required=True),
    ColumnSpec("period", ("期次",)),
    ColumnSpec("total_investment", ("总投资",), required=True, money=True),
    ColumnSpec("annual_plan", ("年度计划投资",), money=True),
    *[ColumnSpec(key, (header,)) for key, header in DATE_COLUMNS],
    ColumnSpec("leader", ("责任领导",)),
    ColumnSpec("responsible_unit", ("责任单位",)),
    ColumnSpec("responsible_person", ("责任人",)),
    ColumnSpec("adjustment", ("调整情况",)),
    ColumnSpec("note", ("备注",)),
]


def snapshot(instance) -> dict:
    """The stored fields without the bookkeeping timestamps, as ChangeLoggedModel.save() records them."""
    return instance._clean_snapshot(_raw_snapshot(instance))


BATCH_WORDS = {"签约": Batch.SIGNED, "开工": Batch.STARTED, "投产": Batch.PRODUCTION}
LISTED_WORDS = {"", "列入", "新增", "新列入", "调入", "转化", "保留", "继续"}
REMOVED_WORDS = ("调出", "移出", "删除")


def parse_batch(value) -> str:
    text = fold(value)
    for suffix in ("一批", "项目", "批次", "类"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    if text in BATCH_WORDS:
        return BATCH_WORDS[text]
    if text in Batch.values:
        return text
    raise ValueError(_("unknown batch (use 签约, 开工 or 投产)"))


def parse_adjustment(value) -> tuple[str | None, str]:
    """(None = listed/converted, derived later | "removed", reason)."""
    text = fold(value)
    for word in REMOVED_WORDS:
        if text.startswith(word):
            reason = text[len(word) :].strip(":：,，;；()（）-— ")
            return ListingAction.REMOVED, reason
    if text in LISTED_WORDS:
        return None, ""
    raise ValueError(_("unknown adjustment (leave empty to list the project, or write 调出 to remove it)"))


@dataclass
class PlannedProject:
    row: int
    project: Project
    is_new: bool
    before: dict | None
    changes: dict = field(default_factory=dict)  # field -> (old, new), for the preview


@dataclass
class LedgerPlan:
    """Everything an import would change. `apply_plan` writes it; the preview shows it."""

    sheet: str = ""
    rows: int = 0
    projects: list[PlannedProject] = field(default_factory=list)
    listings_new: list[_ListingRow] = field(default_factory=list)
    listings_changed: list[tuple[_ListingRow, dict]] = field(default_factory=list)
    listings_rechained: list[_ListingRow] = field(default_factory=list)  # only the derived next_period moves
    plans_new: list[AnnualPlan] = field(default_factory=list)
    plans_changed: list[tuple[AnnualPlan, dict]] = field(default_factory=list)
    organizations_new: list[Organization] = field(default_factory=list)
    leaders_new: list[Leader] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unchanged_rows: int = 0

    @property
    def new_projects(self) -> list[PlannedProject]:
        return [p for p in self.projects if p.is_new]

    @property
    def updated_projects(self) -> list[PlannedProject]:
        return [p for p in self.projects if not p.is_new and p.changes]

    def listings_by_action(self, action: str) -> list[_ListingRow]:
        changed = [lst for lst, _c in self.listings_changed]
        return [lst for lst in [*self.listings_new, *changed] if lst.action == action]

    @property
    def is_empty(self) -> bool:
        return not (
            self.new_projects
            or self.updated_projects
            or self.listings_new
            or self.listings_changed
            or self.listings_rechained
            or self.plans_new
            or self.plans_changed
        )

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "new_projects": len(self.new_projects),
            "updated_projects": len(self.updated_projects),
            "listed": len(self.listings_by_action(ListingAction.LISTED)),
            "converted": len(self.listings_by_action(ListingAction.CONVERTED)),
            "removed": len(self.listings_by_action(ListingAction.REMOVED)),
            "listings_new": len(self.listings_new),
            "listings_changed": len(self.listings_changed),
            "annual_plans": len(self.plans_new) + len(self.plans_changed),
            "new_enterprises": sum(1 for o in self.organizations_new if o.kind == "enterprise"),
            "new_units": sum(1 for o in self.organizations_new if o.kind == "department"),
            "new_leaders": len(self.leaders_new),
            "unchanged_rows": self.unchanged_rows,
        }

    def describe(self) -> list[dict]:
        """Row-level lines for the preview and --dry-run: what each change is."""
        lines = []
        first_listing = {id(lst.project): lst for lst in self.listings_new}
        for p in self.new_projects:
            lst = first_listing.get(id(p.project))
            where = f"{period_name(lst.period_id)} {lst.get_batch_display()} · " if lst else ""
            detail = f"{where}{_('total investment')} {p.project.total_investment:,.2f} 万元"
            lines.append({"kind": "new", "row": p.row, "project": p.project.name, "detail": detail})
        for p in self.updated_projects:
            detail = "；".join(f"{label}: {old or '—'} → {new or '—'}" for label, (old, new) in p.changes.items())
            lines.append({"kind": "update", "row": p.row, "project": p.project.name, "detail": detail})
        new_ids = {id(p.project) for p in self.new_projects}  # a new project's first listing says nothing more
        for lst in self.listings_new + [lst for lst, _c in self.listings_changed]:
            if lst.action == ListingAction.LISTED and id(lst.project) in new_ids:
                continue
            lines.append(
                {
                    "kind": lst.action,
                    "row": getattr(lst, "_row", None),
                    "project": lst.project.name,
                    "detail": f"{period_name(lst.period_id)} {lst.get_batch_display()}"
                    + (f"（{lst.reason}）" if lst.reason else ""),
                }
            )
        return sorted(lines, key=lambda x: (x["row"] or 0, x["kind"]))


class _Context:
    """What the importer needs from the database, loaded once per file."""

    def __init__(self, root: Region):
        self.root = root
        self.regions = list(root.subtree())
        self.region_by_code = {r.code: r for r in self.regions}
        self.regions_by_name: dict[str, list[Region]] = defaultdict(list)
        for r in self.regions:
            self.regions_by_name[name_key(r.name)].append(r)
        self.periods = {p.number: p for p in Period.objects.all()}
        # Rows are matched against every project under the root by code and name: those keys alone are loaded
        # for all of them (_StoredProject), the full projects only for those the rows matched (_load_projects).
        stubs = [
            _StoredProject(*values)
            for values in Project.objects.filter(region__path__startswith=root.path).values_list(
                "pk", "code", "name_key", "region_id"
            )
        ]
        self.project_by_code = {p.code: p for p in stubs}
        self.projects_by_name: dict[str, list[_StoredProject]] = defaultdict(list)
        for p in stubs:
            self.projects_by_name[p.name_key].append(p)
        # What the import reads of an organisation (name, kind, region); the rest is deferred.
        # Loaded as plain values; the instance (as `.only()` of those fields gives it) is made when a row uses it.
        self.orgs = _LazyOrganizations()
        self.orgs_by_pk = _OrganizationsByPk(self.orgs)
        self.region_by_pk = {r.pk: r for r in self.regions}
        self.codes_outside: set[str] = set()
        self.parsed: dict = {}  # (parser, type, cell) -> value, for the columns whose values repeat
        self.leaders = {
            (lead.region_id, lead.name): lead for lead in Leader.objects.filter(region__path__startswith=root.path)
        }
        self.leaders_by_name: dict[str, list[Leader]] = defaultdict(list)
        for lead in self.leaders.values():
            self.leaders_by_name[lead.name].append(lead)
        self.leaders_by_pk = {lead.pk: lead for lead in self.leaders.values()}


_ORG_FIELDS = [
    f.attname
    for f in Organization._meta.concrete_fields
    if f.attname in ("id", "kind", "name", "name_key", "region_id")
]


class _Maker:
    """`model(**values)` for thousands of new objects, through Model.__init__'s positional path: given keywords,
    Django looks each of the model's fields up in them (a KeyError and a default for every field not given),
    which was a noticeable part of a large import. Same instance: the defaults are the fields' own (a callable
    one called per object), related objects are set through their descriptors as the keywords would be."""

    def __init__(self, model):
        self.model = model
        self.fields = model._meta.concrete_fields
        self.index = {}
        for i, f in enumerate(self.fields):
            self.index[f.name] = self.index[f.attname] = i
        self.defaults = [None if callable(f.default) else f.get_default() for f in self.fields]
        self.callable_defaults = [i for i, f in enumerate(self.fields) if callable(f.default)]
        self.relations = {f.name for f in self.fields if f.is_relation}

    def __call__(self, **values):
        row = list(self.defaults)
        for i in self.callable_defaults:
            row[i] = self.fields[i].get_default()
        related = []
        for name, value in values.items():
            if name in self.relations:
                related.append((name, value))
            else:
                row[self.index[name]] = value
        obj = self.model(*row)
        for name, value in related:
            setattr(obj, name, value)
        return obj


_new_project, _new_plan, _new_organization = _Maker(Project), _Maker(AnnualPlan), _Maker(Organization)


class _LazyOrganizations:
    """Every organisation by (kind, name_key), each made a model instance only when a row uses it."""

    def __init__(self):
        self.db = Organization.objects.db
        rows = Organization.objects.values_list(*_ORG_FIELDS)
        kind, name_key_at, pk_at = (_ORG_FIELDS.index(n) for n in ("kind", "name_key", "id"))
        self.rows = {(values[kind], values[name_key_at]): values for values in rows}
        self.key_of_pk = {values[pk_at]: key for key, values in self.rows.items()}
        self.made: dict[tuple, Organization] = {}

    def get(self, key, default=None):
        try:
            return self.made[key]
        except KeyError:
            values = self.rows.get(key)
            if values is None:
                return default
            org = self.made[key] = Organization.from_db(self.db, _ORG_FIELDS, values)
            return org

    def __setitem__(self, key, org: Organization) -> None:
        self.made[key] = org


class _OrganizationsByPk:
    def __init__(self, orgs: _LazyOrganizations):
        self.orgs = orgs

    def get(self, pk, default=None):
        key = self.orgs.key_of_pk.get(pk)
        return default if key is None else self.orgs.get(key, default)


@dataclass(frozen=True, slots=True)
class _StoredProject:
    """A stored project's keys, for matching rows; `_load_projects` gives the project itself."""

    pk: int
    code: str
    name_key: str
    region_id: int


def _load_projects(ctx: _Context, stubs: list[_StoredProject]) -> dict[int, Project]:
    """The stored projects the rows matched, by id, with the enterprise and region the rows read (no query per
    row: Project.clean() and the change records read them)."""
    ids = sorted({s.pk for s in stubs})
    out: dict[int, Project] = {}
    for start in range(0, len(ids), 2000):
        # created/last_updated are not read (apply_plan sets last_updated; no record shows either): not converted.
        for p in Project.objects.filter(pk__in=ids[start : start + 2000]).defer("created", "last_updated"):
            enterprise = ctx.orgs_by_pk.get(p.enterprise_id)
            if enterprise is not None:
                p.enterprise = enterprise
            region = ctx.region_by_pk.get(p.region_id)
            if region is not None:
                p.region = region
            out[p.pk] = p
    return out


def _region_for(value, ctx: _Context) -> Region:
    text = cell_text(value)
    if text in ctx.region_by_code:
        return ctx.region_by_code[text]
    matches = ctx.regions_by_name.get(name_key(text), [])
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ValueError(_("several regions have this name: write the region code"))
    raise ValueError(_("no such region under %(root)s") % {"root": ctx.root.name})


def plan_import(
    source: str | IO[bytes],
    *,
    region: Region,
    period: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LedgerPlan:
    """Read the file and work out every change; raises ImportFileError or RowErrors, writes nothing."""
    sheet_name, rows = read_rows(source)
    sheet = locate_header(sheet_name, rows, SPECS, anchor="项目名称")
    errors: list[RowError] = []
    header_row = sheet.header_row + 1

    def error(row, key_or_header, value, reason):
        column = sheet.header_of(key_or_header) if key_or_header in sheet.columns else key_or_header
        errors.append(RowError(sheet.name, row, column, cell_text(value), reason))

    for spec in SPECS:
        if spec.required and spec.key not in sheet.columns:
            error(header_row, spec.headers[0], "", _("required column is missing"))
    if period is None and "period" not in sheet.columns:
        error(header_row, "期次", "", _("required column is missing (or give --period for the whole file)"))
    if period is not None and period not in Period.objects.values_list("number", flat=True):
        raise ImportFileError(_("Period %(n)s does not exist: add it first (tuijin periods add).") % {"n": period})
    if errors:
        raise RowErrors(errors)

    plan = LedgerPlan(sheet=sheet.name)
    plan.warnings = [_("Unknown column “%(col)s” was ignored.") % {"col": col} for col in sheet.unknown]
    ctx = _Context(region)
    data_rows = list(sheet.data_rows())
    plan.rows = len(data_rows)
    if not data_rows:
        raise ImportFileError(
            _("The sheet “%(sheet)s” has a header row but no projects under it.") % {"sheet": sheet.name}
        )

    seen: dict[tuple, int] = {}
    parsed_rows = []
    steps = 2 * len(data_rows)  # reading the rows, then matching them with the ledger
    positions = [(key, pos[0]) for key, pos in sheet.columns.items()]  # column key -> cell index
    for done, (row, cells) in enumerate(data_rows, start=1):
        if progress and done % 500 == 0:
            progress(done, steps)
        parsed = _parse_row(sheet, positions, row, cells, ctx, period, error)
        if parsed is None:
            continue
        # A row means a project by its code and by its name in its region: either one seen before is a duplicate.
        keys = [("name", parsed["region"].pk, parsed["name_key"])]
        if parsed.get("code"):
            keys.insert(0, ("code", parsed["code"]))
        first = next((seen[key] for key in keys if key in seen), None)
        if first is not None:
            error(row, "项目名称", parsed["name"], _("the same project is already on row %(row)s") % {"row": first})
            continue
        for key in keys:
            seen[key] = row
        parsed_rows.append((row, parsed))
    if progress:
        progress(len(data_rows), steps)
    if errors:
        raise RowErrors(errors)

    def matched(i: int) -> None:
        if progress and i % 500 == 0:
            progress(len(data_rows) + i * len(data_rows) // max(len(parsed_rows), 1), steps)

    _plan_rows(plan, ctx, sheet, parsed_rows, error, matched)
    if progress:
        progress(steps, steps)
    if errors:
        raise RowErrors(errors)
    return plan


def _row_values(positions: list[tuple[str, int]], cells: list) -> dict:
    """The row's non-empty cells by column key, text trimmed (Sheet.cell for every column, in one pass)."""
    out = {}
    n = len(cells)
    for key, i in positions:
        if i < n:
            value = cells[i]
            if type(value) is str:
                value = value.strip()
                if value:
                    out[key] = value
            elif value is not None and value != "":
                out[key] = value
    return out


def _parse_row(
    sheet: Sheet, positions: list, row: int, cells: list, ctx: _Context, period: int | None, error
) -> dict | None:
    values = _row_values(positions, cells)
    get = values.get
    out: dict = {}
    bad = False
    memo = ctx.parsed

    def take(key, parser, *args):
        nonlocal bad
        value = get(key)
        if value is None:
            return None
        try:
            return parser(value, *args)
        except ValueError as exc:
            error(row, key, value, str(exc))
            bad = True
            return None

    def take_repeated(key, parser, *args):
        """take() for the columns whose few values repeat down the sheet (region, batch, period, adjustment):
        each distinct cell is parsed once; a bad one is parsed (and reported) on every row it is on."""
        value = get(key)
        try:
            return memo[(parser, type(value), value)]
        except KeyError:
            result = take(key, parser, *args)
            if value is not None and not bad:
                memo[(parser, type(value), value)] = result
            return result

    name = cell_text(get("name"))
    if not name:
        error(row, "name", "", _("project name is empty"))
        bad = True
    out["name"] = name
    out["name_key"] = name_key(name)
    out["code"] = cell_text(get("code"))
    out["enterprise"] = cell_text(get("enterprise"))
    region_cell = get("region")
    out["region_given"] = region_cell is not None
    out["region"] = take_repeated("region", _region_for, ctx) if region_cell is not None else ctx.root
    if out["region"] is None:
        return None
    out["batch"] = take_repeated("batch", parse_batch)
    if get("batch") is None:
        error(row, "batch", "", _("batch is empty"))
        bad = True
    raw = get("period")
    if period is not None and raw is None:
        out["period"] = period
    else:
        number = _period_number(memo, raw) if raw is not None else None
        if raw is None:
            error(row, "period", "", _("period is empty"))
            bad = True
        elif number is None:
            error(row, "period", raw, _("not a period (use 7, 第7期 or 第七期)"))
            bad = True
        elif number not in ctx.periods:
            error(row, "period", raw, _("period %(n)s does not exist: add it first") % {"n": number})
            bad = True
        elif period is not None and number != period:
            error(row, "period", raw, _("differs from --period %(n)s") % {"n": period})
            bad = True
        out["period"] = number
    factor_total = sheet.columns.get("total_investment", (0, Decimal(1)))[1]
    out["total_investment"] = take("total_investment", parse_amount, factor_total)
    if "annual_plan" in sheet.columns:
        out["annual_plan"] = take("annual_plan", parse_amount, sheet.columns["annual_plan"][1])
    for key, _header in DATE_COLUMNS:
        out[key] = take(key, parse_date) if key in values else None
    for key in TEXT_FIELDS + ["leader", "responsible_unit"]:
        out[key] = cell_text(get(key))
    adjustment = take_repeated("adjustment", parse_adjustment)
    out["action"], out["reason"] = adjustment if adjustment else (None, "")
    return None if bad else out


def _period_number(memo: dict, raw) -> int | None:
    """parse_period(cell_text(raw)), once per distinct cell."""
    key = (_period_number, type(raw), raw)
    if key not in memo:
        memo[key] = parse_period(cell_text(raw))
    return memo[key]


def _find_project(ctx: _Context, parsed: dict) -> tuple[Project | None, str | None]:
    """The stored project a row means, or (None, reason) when the row is ambiguous."""
    if parsed["code"]:
        project = ctx.project_by_code.get(parsed["code"])
        if project is None and parsed["code"] in ctx.codes_outside:
            return None, _("this project code belongs to a project outside %(root)s") % {"root": ctx.root.name}
        if project is None:
            clash = [p for p in ctx.projects_by_name.get(parsed["name_key"], []) if p.region_id == parsed["region"].pk]
            if clash:
                return None, _("a project with this name already exists with code %(code)s") % {"code": clash[0].code}
        return project, None
    candidates = ctx.projects_by_name.get(parsed["name_key"], [])
    if parsed["region_given"]:
        candidates = [p for p in candidates if p.region_id == parsed["region"].pk]
    if len(candidates) > 1:
        return None, _("several projects have this name: fill in 所属区域 or 项目编号")
    return (candidates[0] if candidates else None), None


def _organization(ctx: _Context, plan: LedgerPlan, kind: str, name: str, region: Region) -> Organization:
    key = (kind, name_key(name))
    org = ctx.orgs.get(key)
    if org is None:
        org = _new_organization(kind=kind, name=name.strip(), name_key=key[1], region=region)
        ctx.orgs[key] = org
        plan.organizations_new.append(org)
    return org


def _leader(ctx: _Context, plan: LedgerPlan, name: str, region: Region) -> Leader:
    name = name.strip()
    existing = ctx.leaders_by_name.get(name, [])
    if len(existing) == 1:
        return existing[0]
    for lead in existing:
        if lead.region_id == region.pk:
            return lead
    if existing:
        return existing[0]
    lead = Leader(name=name, region=ctx.root)
    ctx.leaders[(ctx.root.pk, name)] = lead
    ctx.leaders_by_name[name].append(lead)
    plan.leaders_new.append(lead)
    return lead


FIELD_LABELS = {
    "name": "项目名称",
    "enterprise_id": "建设单位",
    "region_id": "所属区域",
    "industry": "产业类别",
    "nature": "建设性质",
    "content": "建设内容及规模",
    "location": "建设地点",
    "total_investment": "总投资(万元)",
    "signed_on": "签约时间",
    "planned_started_on": "计划开工时间",
    "started_on": "实际开工时间",
    "planned_production_on": "计划投产时间",
    "production_on": "实际投产时间",
    "effective_on": "达效时间",
    "leader_id": "责任领导",
    "responsible_unit_id": "责任单位",
    "responsible_person": "责任人",
    "note": "备注",
}


def _next_codes(wanted: dict[int, tuple[Region, int]]) -> dict[int, Iterator[str]]:
    """models.next_project_codes(region, count) for every region at once: one read of the codes with any of the
    regions' prefixes (the function reads them per region: a scan of the project table each)."""
    prefixes = {region_id: f"{region.code}-" for region_id, (region, _n) in wanted.items()}
    top = dict.fromkeys(prefixes.values(), 0)
    if prefixes:
        q = Q()
        for prefix in prefixes.values():
            q |= Q(code__startswith=prefix)
        for code in Project.objects.filter(q).values_list("code", flat=True):
            head, dash, number = code.rpartition("-")  # a code counts when it is a prefix and digits only
            prefix = head + dash
            if prefix in top and number.isdigit():
                top[prefix] = max(top[prefix], int(number))
    return {
        region_id: iter([f"{prefixes[region_id]}{top[prefixes[region_id]] + i:05d}" for i in range(1, count + 1)])
        for region_id, (_region, count) in wanted.items()
    }


def _plan_rows(plan: LedgerPlan, ctx: _Context, sheet: Sheet, parsed_rows: list, error, matched=None) -> None:
    row_of: dict[int, int] = {}  # id(project) -> row
    planned: list[tuple[int, dict, Project]] = []
    unknown_codes = [p["code"] for _r, p in parsed_rows if p["code"] and p["code"] not in ctx.project_by_code]
    for start in range(0, len(unknown_codes), 2000):
        chunk = unknown_codes[start : start + 2000]
        ctx.codes_outside.update(Project.objects.filter(code__in=chunk).values_list("code", flat=True))
    pending_new: list[tuple[int, dict]] = []
    for row, parsed in parsed_rows:
        project, problem = _find_project(ctx, parsed)
        if problem:
            error(row, "项目名称", parsed["name"], problem)
            continue
        if project is None:
            if parsed["action"] == ListingAction.REMOVED:
                error(row, "调整情况", "调出", _("cannot remove a project that is not in the ledger"))
                continue
            missing = [
                (k, h)
                for k, h in (("enterprise", "建设单位"), ("total_investment", "总投资(万元)"))
                if parsed[k] in (None, "")
            ]
            for _key, header in missing:
                error(row, header, "", _("a new project needs this value"))
            if missing:
                continue
            pending_new.append((row, parsed))
            continue
        planned.append((row, parsed, project))
    stored = _load_projects(ctx, [project for _r, _p, project in planned])
    planned = [(row, parsed, stored[project.pk]) for row, parsed, project in planned]

    # New projects get codes in one go per region.
    uncoded: dict[int, list] = defaultdict(list)
    for _r, p in pending_new:
        if not p["code"]:
            uncoded[p["region"].pk].append(p["region"])
    codes_by_region = _next_codes({region_id: (regions[0], len(regions)) for region_id, regions in uncoded.items()})
    for row, parsed in pending_new:
        code = parsed["code"] or next(codes_by_region[parsed["region"].pk])
        project = _new_project(
            code=code,
            name=parsed["name"],
            name_key=parsed["name_key"],
            region=parsed["region"],
            total_investment=parsed["total_investment"],
        )
        planned.append((row, parsed, project))

    for i, (row, parsed, project) in enumerate(planned, start=1):
        if matched:
            matched(i)
        is_new = project.pk is None
        before = None if is_new else _tracked(project)
        _apply_fields(ctx, plan, project, parsed)
        problems = _validate(project)
        if problems:
            for fname, messages in problems.items():
                header = FIELD_LABELS.get(fname, FIELD_LABELS.get(f"{fname}_id", fname))
                for message in messages:
                    error(row, header, parsed.get(fname.removesuffix("_id"), ""), message)
            continue
        changes = {}
        if before is not None:
            after = _tracked(project)
            changed = [f for f in FIELD_LABELS if before[f] != after[f]]
            for fname in changed:
                changes[FIELD_LABELS[fname]] = (_display(ctx, fname, before[fname]), _display(ctx, fname, after[fname]))
            before = {f: jsonable(before[f]) for f in changed}
        plan.projects.append(PlannedProject(row=row, project=project, is_new=is_new, before=before, changes=changes))
        row_of[id(project)] = row

    _plan_listings(plan, ctx, planned, row_of)
    _plan_annual_plans(plan, ctx, planned)
    touched = {id(p.project) for p in plan.projects if p.is_new or p.changes}
    touched |= {id(lst.project) for lst in plan.listings_new} | {id(lst.project) for lst, _c in plan.listings_changed}
    touched |= {id(ap.project) for ap in plan.plans_new} | {id(ap.project) for ap, _c in plan.plans_changed}
    plan.unchanged_rows = sum(1 for _r, _p, project in planned if id(project) not in touched)


# The importer resolves every foreign key itself (new ones are not saved yet), so validating them again would
# cost a query per row and field; the code is assigned, not typed.
_NOT_VALIDATED = ["code", "region", "enterprise", "leader", "responsible_unit"]


_TEXT_LIMITS = [
    (f.name, f.max_length)
    for f in Project._meta.concrete_fields
    if isinstance(f, CharField) and f.max_length and f.name not in _NOT_VALIDATED
]
_ALL_FIELDS = [f.name for f in Project._meta.concrete_fields]


class _New(str):
    """A foreign key to an organisation or leader this import creates: its name stands in for the id."""


_TRACKED_FIELDS = list(FIELD_LABELS)
_tracked_values = attrgetter(*_TRACKED_FIELDS)
_TRACKED_RELATIONS = [(f, f.removesuffix("_id")) for f in _TRACKED_FIELDS if f.endswith("_id")]


def _tracked(project: Project) -> dict:
    """The values of the fields an import may change (raw, for comparing; a new related object by name)."""
    out = dict(zip(_TRACKED_FIELDS, _tracked_values(project), strict=True))
    for f, name in _TRACKED_RELATIONS:
        if out[f] is None:
            related = project._state.fields_cache.get(name)
            if related is not None and related.pk is None:
                out[f] = _New(related.name)
    return out


def _validate(project: Project) -> dict[str, list[str]]:
    """The model's own rules (field lengths, clean(): milestone order, enterprise kind) as {field: messages}.

    The importer parsed every date and amount itself, so of the field checks only text lengths can fail;
    those fields alone go through clean_fields(), which gives the model's own message.
    """
    problems: dict[str, list[str]] = {}
    too_long = [name for name, limit in _TEXT_LIMITS if len(getattr(project, name) or "") > limit]
    exclude = [name for name in _ALL_FIELDS if name not in too_long]
    for check in (lambda: too_long and project.clean_fields(exclude=exclude), project.clean):
        try:
            check()
        except ValidationError as exc:
            for fname, messages in exc.message_dict.items():
                problems.setdefault(fname, []).extend(m for m in messages if m not in problems.get(fname, []))
    return problems


def _display(ctx: _Context, fname: str, value):
    if value is None:
        return ""
    lookup = {
        "region_id": ctx.region_by_pk,
        "enterprise_id": ctx.orgs_by_pk,
        "responsible_unit_id": ctx.orgs_by_pk,
        "leader_id": ctx.leaders_by_pk,
    }.get(fname)
    if lookup is not None:
        obj = lookup.get(value)
        return obj.name if obj is not None else value
    return value


def _set_related(obj, name: str, related) -> None:
    """obj.<name> = related, skipped when obj already holds that stored row (the descriptor's work, done for every
    row and foreign key, was a noticeable part of a large import)."""
    if related.pk is None or getattr(obj, f"{name}_id") != related.pk or name not in obj._state.fields_cache:
        setattr(obj, name, related)


def _apply_fields(ctx: _Context, plan: LedgerPlan, project: Project, parsed: dict) -> None:
    """Copy the row's non-empty cells onto the project (an empty cell keeps the stored value)."""
    if parsed["region_given"]:
        _set_related(project, "region", parsed["region"])
    if parsed["total_investment"] is not None:
        project.total_investment = parsed["total_investment"]
    if parsed["enterprise"]:
        enterprise = _organization(ctx, plan, "enterprise", parsed["enterprise"], project.region)
        _set_related(project, "enterprise", enterprise)
    if parsed["responsible_unit"]:
        unit = _organization(ctx, plan, "department", parsed["responsible_unit"], ctx.root)
        _set_related(project, "responsible_unit", unit)
    if parsed["leader"]:
        _set_related(project, "leader", _leader(ctx, plan, parsed["leader"], project.region))
    for key in TEXT_FIELDS:
        if parsed[key]:
            setattr(project, key, parsed[key])
    for key, _header in DATE_COLUMNS:
        if parsed[key] is not None:
            setattr(project, key, parsed[key])


_BATCH_LABELS = dict(Batch.choices)


class _ListingRow:
    """A listing as the import plans it: a stored one (loaded as plain values) or a new one. Its INSERT or UPDATE,
    its change record and the preview read only these attributes, so no model instance is made (a province's list
    is tens of thousands of listings); `ChangeRows.add(..., model=Listing)` records it as the Listing it is."""

    __slots__ = (
        "id",
        "created",
        "last_updated",
        "project",
        "project_id",
        "period_id",
        "batch",
        "action",
        "reason",
        "next_period",
        "_row",
    )

    def __init__(self, project, period_id, batch, action, reason="", next_period=None, pk=None):
        self.id, self.project, self.project_id = pk, project, project.pk
        self.period_id, self.batch, self.action, self.reason, self.next_period = (
            period_id,
            batch,
            action,
            reason,
            next_period,
        )
        self.created = self.last_updated = None

    @property
    def pk(self):
        return self.id

    @pk.setter
    def pk(self, value) -> None:
        self.id = value

    def get_batch_display(self) -> str:
        return str(_BATCH_LABELS.get(self.batch, self.batch))

    def change_scope_path(self) -> str:
        return self.project.region.path

    def __str__(self) -> str:  # Listing.__str__
        return f"{self.project} · {self.period_id} · {self.get_batch_display()}"


def _plan_listings(plan: LedgerPlan, ctx: _Context, planned: list, row_of: dict) -> None:
    by_id = {p.pk: p for _r, _d, p in planned if p.pk}
    existing_ids = list(by_id)
    stored: dict[int, list[_ListingRow]] = defaultdict(list)
    for start in range(0, len(existing_ids), 2000):
        rows = (
            Listing.objects.filter(project_id__in=existing_ids[start : start + 2000])
            .order_by("period_id")
            .values_list("id", "project_id", "period_id", "batch", "action", "reason", "next_period")
        )
        for pk, project_id, period_id, batch, action, reason, next_period in rows:
            stored[project_id].append(
                _ListingRow(by_id[project_id], period_id, batch, action, reason, next_period, pk=pk)
            )
    for row, parsed, project in planned:
        if id(project) not in row_of:
            continue
        listings = stored.get(project.pk, []) if project.pk else []
        current = next((lst for lst in listings if lst.period_id == parsed["period"]), None)
        olds = {lst.pk: (lst.batch, lst.action, lst.reason, lst.next_period) for lst in listings}
        if current is None:
            current = _ListingRow(
                project, parsed["period"], parsed["batch"], parsed["action"] or ListingAction.LISTED, parsed["reason"]
            )
            current._row = row
            listings = sorted([*listings, current], key=lambda lst: lst.period_id)
            plan.listings_new.append(current)
        else:
            current.batch = parsed["batch"]
            if parsed["action"] == ListingAction.REMOVED:
                current.action = ListingAction.REMOVED
                current.reason = parsed["reason"] or current.reason
            elif current.action == ListingAction.REMOVED:
                current.action, current.reason = ListingAction.LISTED, ""
            current._row = row
        derive_listing_chain(listings)  # listed vs converted, and next_period, follow from the order
        for lst in listings:
            if not lst.pk or olds[lst.pk] == (lst.batch, lst.action, lst.reason, lst.next_period):
                continue
            if olds[lst.pk][:3] == (lst.batch, lst.action, lst.reason):
                plan.listings_rechained.append(lst)
                continue
            if not hasattr(lst, "_row"):
                lst._row = row
            plan.listings_changed.append((lst, {"before": olds[lst.pk]}))


def _plan_annual_plans(plan: LedgerPlan, ctx: _Context, planned: list) -> None:
    wanted = [
        (p, ctx.periods[d["period"]].date.year, d["annual_plan"])
        for _r, d, p in planned
        if d.get("annual_plan") is not None
    ]
    if not wanted:
        return
    ids = sorted({p.pk for p, _y, _a in wanted if p.pk})
    years = sorted({y for _p, y, _a in wanted})  # only the plans a row may change: not every year's
    # The stored amounts as plain values; the plans whose amount changes are then loaded as models (the monthly
    # split is the model's to redo), the rest never are.
    stored: dict[tuple[int, int], tuple[int, Decimal]] = {}
    for start in range(0, len(ids), 2000):
        rows = AnnualPlan.objects.filter(project_id__in=ids[start : start + 2000], year__in=years)
        for pk, project_id, year, amount in rows.values_list("id", "project_id", "year", "amount"):
            stored[(project_id, year)] = (pk, amount)
    changed: list[tuple[int, Project, Decimal]] = []
    for project, year, amount in wanted:
        found = stored.get((project.pk, year)) if project.pk else None
        if found is None:
            plan.plans_new.append(_new_plan(project=project, year=year, amount=amount))
        elif found[1] != amount:
            changed.append((found[0], project, amount))
    loaded: dict[int, AnnualPlan] = {}
    changed_ids = [pk for pk, _p, _a in changed]
    for start in range(0, len(changed_ids), 2000):
        # created/last_updated are not read: apply_plan sets last_updated, and no record shows either.
        chunk = AnnualPlan.objects.filter(pk__in=changed_ids[start : start + 2000]).defer("created", "last_updated")
        loaded.update((ap.pk, ap) for ap in chunk)
    for pk, project, amount in changed:
        ap = loaded[pk]
        ap.project = project
        old = ap.amount
        ap.amount = amount
        plan.plans_changed.append((ap, {"before": old}))


_PLAIN = {str, int, bool, type(None)}


def _snapshotter(model) -> Callable[[object], dict]:
    """`snapshot` for many objects of one model: the same dict, the field list worked out once."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in model._changelog_ignore]
    get = attrgetter(*names)

    def snap(instance) -> dict:
        return {
            name: value if type(value) in _PLAIN else jsonable(value)
            for name, value in zip(names, get(instance), strict=True)
        }

    return snap


@transaction.atomic
def apply_plan(plan: LedgerPlan) -> dict:
    """Write the planned changes with one change record each. All or nothing.

    Rows go in through executemany (COPY on PostgreSQL) with the ids of new rows taken beforehand (Django's
    bulk_create and a model instance per change record cost most of a large import's time); the change records
    are what ChangeLoggedModel.save() would write for each object (tuijin/core/tests/test_bulk.py compares them).
    """
    records = ChangeRows()
    batch_names: dict[str, str] = {}

    def listing_repr(lst: _ListingRow) -> str:
        """str(lst), with the batch's display name (a lazy translation: slow) looked up once per batch."""
        if lst.batch not in batch_names:
            batch_names[lst.batch] = lst.get_batch_display()
        return f"{lst.project} · {lst.period_id} · {batch_names[lst.batch]}"

    orgs = plan.organizations_new  # (their regions, like the leaders', are stored ones: region_id is set)
    insert_rows_with_ids(Organization, orgs)
    snap = _snapshotter(Organization)
    for o in orgs:
        records.add(o, ChangeAction.CREATE, None, snap(o))
    insert_rows_with_ids(Leader, plan.leaders_new)
    snap = _snapshotter(Leader)
    for lead in plan.leaders_new:
        records.add(lead, ChangeAction.CREATE, None, snap(lead))

    for p in plan.projects:  # resolve the foreign keys of objects created just above
        cached = p.project._state.fields_cache  # (one not loaded is a stored object: its id is already set)
        for name in ("enterprise", "leader", "responsible_unit"):
            related = cached.get(name)
            if related is not None and getattr(p.project, f"{name}_id") != related.pk:
                setattr(p.project, name, related)
    new = [p.project for p in plan.new_projects]
    insert_rows_with_ids(Project, new)
    snap = _snapshotter(Project)
    for p in new:
        records.add(p, ChangeAction.CREATE, None, snap(p))
    updated = plan.updated_projects
    if updated:
        # Write only the columns some row changes: an UPDATE of every column is most of the import's time.
        names = {f.attname: f.name for f in Project._meta.concrete_fields}
        changed = {names[k] for p in updated for k in p.before if k in names}  # before: the changed fields
        now = timezone.now()
        for p in updated:
            p.project.last_updated = now
        update_rows(Project, [p.project for p in updated], sorted(changed | {"last_updated"}))
        for p in updated:
            records.add(
                p.project, ChangeAction.UPDATE, p.before, {f: jsonable(getattr(p.project, f)) for f in p.before}
            )

    for lst in plan.listings_new:
        lst.project_id = lst.project.pk  # a new project has its id now
    insert_rows_with_ids(Listing, plan.listings_new)
    snap = _snapshotter(Listing)
    for lst in plan.listings_new:
        records.add(lst, ChangeAction.CREATE, None, snap(lst), listing_repr(lst), model=Listing)
    if plan.listings_changed:
        now = timezone.now()
        for lst, _c in plan.listings_changed:
            lst.last_updated = now
        update_rows(
            Listing,
            [lst for lst, _c in plan.listings_changed],
            ["batch", "action", "reason", "next_period", "last_updated"],
        )
        for lst, change in plan.listings_changed:
            batch, action, reason, _next = change["before"]
            records.add(
                lst,
                ChangeAction.UPDATE,
                {"batch": batch, "action": action, "reason": reason},
                {"batch": lst.batch, "action": lst.action, "reason": lst.reason},
                listing_repr(lst),
                model=Listing,
            )

    # The derived next_period of listings whose neighbours changed: not a change anyone made, so not logged.
    update_rows(Listing, plan.listings_rechained, ["next_period"])

    # A plan set by the ledger is split evenly by month until the office changes the split (investment issue);
    # a changed amount no longer fits its old split and is split evenly again.
    for ap in plan.plans_new:
        if ap.project_id != ap.project.pk:  # a new project's id is known now
            ap.project = ap.project
        ap.ensure_split()
    insert_rows_with_ids(AnnualPlan, plan.plans_new)
    snap = _snapshotter(AnnualPlan)
    for ap in plan.plans_new:
        records.add(ap, ChangeAction.CREATE, None, snap(ap))
    if plan.plans_changed:
        now = timezone.now()
        split_fields = [*MONTH_FIELDS, "split_method"]
        for ap, c in plan.plans_changed:
            before = {"amount": str(c["before"]), **{f: jsonable(getattr(ap, f)) for f in split_fields}}
            ap.ensure_split()
            ap.last_updated = now
            after = {"amount": str(ap.amount), **{f: jsonable(getattr(ap, f)) for f in split_fields}}
            records.add(ap, ChangeAction.UPDATE, before, after)
        update_rows(AnnualPlan, [ap for ap, _c in plan.plans_changed], ["amount", *split_fields, "last_updated"])
    records.write()
    return plan.summary()
