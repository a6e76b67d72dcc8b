"""Spreadsheet import machinery shared by every importer: read the sheet, find the header row, match
headers (NFKC, aliases, a unit in brackets), parse cells, and collect every row error before writing.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO

from django.utils.translation import gettext as _

from .fields import to_money


class ImportFileError(Exception):
    """The file as a whole cannot be read (not .xlsx, empty, no header row)."""


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int  # as Excel numbers it, from 1
    column: str
    value: str
    reason: str

    def as_text(self) -> str:
        where = _("Sheet “%(sheet)s” row %(row)s") % {"sheet": self.sheet, "row": self.row}
        col = f" {self.column}" if self.column else ""
        val = _(" (value “%(value)s”)") % {"value": self.value} if self.value not in ("", None) else ""
        return f"{where}{col}{val}: {self.reason}"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


class RowErrors(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    headers: tuple[str, ...]  # the header and its aliases, without unit
    required: bool = False
    money: bool = False  # takes a unit in brackets: 元, 万元, 亿元


UNIT_FACTORS = {"元": Decimal("0.0001"), "万元": Decimal(1), "亿元": Decimal(10000)}
UNIT_RE = re.compile(r"^(.*?)[(\[](元|万元|亿元)[)\]]$")


def fold(text) -> str:
    """Trim and fold full-width forms (NFKC); inner white space removed."""
    return "".join(unicodedata.normalize("NFKC", str(text if text is not None else "")).split())


@dataclass
class Sheet:
    name: str
    header_row: int  # 0-based index into rows
    columns: dict[str, tuple[int, Decimal]]  # key -> (column index, unit factor)
    headers: list[str]
    rows: list[list]
    unknown: list[str] = field(default_factory=list)

    def data_rows(self):
        """(Excel row number, cells) for each row under the header that holds anything."""
        for i in range(self.header_row + 1, len(self.rows)):
            cells = self.rows[i]
            if any(c not in ("", None) and str(c).strip() for c in cells):
                yield i + 1, cells

    def cell(self, cells: list, key: str):
        pos = self.columns.get(key)
        if pos is None or pos[0] >= len(cells):
            return None
        value = cells[pos[0]]
        if isinstance(value, str):
            value = value.strip()
        return None if value == "" else value

    def header_of(self, key: str) -> str:
        return self.headers[self.columns[key][0]] if key in self.columns else key


def read_rows(source: str | IO[bytes]) -> tuple[str, list[list]]:
    """The first sheet's name and cell values. Raises ImportFileError for anything that is not .xlsx."""
    from python_calamine import CalamineWorkbook

    try:
        if isinstance(source, str):
            with open(source, "rb") as fh:
                head = fh.read(4)
        else:
            pos = source.tell()
            head = source.read(4)
            source.seek(pos)
        if head[:4] != b"PK\x03\x04":
            raise ImportFileError(_("The file is not an .xlsx workbook."))
        book = CalamineWorkbook.from_path(source) if isinstance(source, str) else CalamineWorkbook.from_filelike(source)
        if not book.sheet_names:
            raise ImportFileError(_("The workbook has no sheets."))
        name = book.sheet_names[0]
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (ImportFileError, FileNotFoundError):  # the caller names a missing file itself
        raise
    except Exception as exc:  # calamine raises its own errors for zip files that are not workbooks
        raise ImportFileError(_("The file is not an .xlsx workbook.")) from exc
    return name, rows


def locate_header(name: str, rows: list[list], specs: list[ColumnSpec], anchor: str) -> Sheet:
    """Find the header row (the first that holds `anchor`) and map columns to specs."""
    if not rows or not any(any(str(c).strip() for c in r if c is not None) for r in rows):
        raise ImportFileError(_("The sheet “%(sheet)s” is empty.") % {"sheet": name})
    aliases: dict[str, ColumnSpec] = {}
    for spec in specs:
        for h in spec.headers:
            aliases[fold(h)] = spec
    for index, cells in enumerate(rows):
        folded = [fold(c) for c in cells]
        if fold(anchor) not in [UNIT_RE.sub(r"\1", f) for f in folded]:
            continue
        columns: dict[str, tuple[int, Decimal]] = {}
        unknown = []
        for pos, text in enumerate(folded):
            if not text:
                continue
            base, unit = text, "万元"
            m = UNIT_RE.match(text)
            if m:
                base, unit = m.group(1), m.group(2)
            spec = aliases.get(base)
            if spec is None or spec.key in columns:
                unknown.append(str(cells[pos]).strip())
                continue
            columns[spec.key] = (pos, UNIT_FACTORS[unit])
        return Sheet(
            name=name,
            header_row=index,
            columns=columns,
            headers=[str(c).strip() for c in cells],
            rows=rows,
            unknown=unknown,
        )
    raise ImportFileError(
        _("No header row: no row of the sheet “%(sheet)s” holds the column “%(anchor)s”.")
        % {"sheet": name, "anchor": anchor}
    )


# ---- cell parsers: each returns a value or raises ValueError with the reason users see ----

DATE_RES = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
]


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel serial day number that the cell format did not mark as a date.
        if 1 <= value < 2958466:
            return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
        raise ValueError(_("not a date"))
    text = fold(value)
    text = text.split("T")[0] if re.match(r"^\d{4}-\d{1,2}-\d{1,2}T", text) else text
    text = re.sub(r"\s*00:00(:00)?$", "", text)
    for pattern in DATE_RES:
        m = pattern.match(text)
        if m:
            try:
                return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError as exc:
                raise ValueError(_("no such date")) from exc
    raise ValueError(_("not a date (use 2022-12-25, 2022/12/25, 2022.12.25 or 2022年12月25日)"))


def parse_amount(value, factor: Decimal = Decimal(1)) -> Decimal:
    """An amount converted to 万元 with two decimals; refuses text, negatives and non-numbers."""
    if isinstance(value, bool):
        raise ValueError(_("not a number"))
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = fold(value).replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(_("not a number")) from exc
    if not number.is_finite():
        raise ValueError(_("not a number"))
    if number < 0:
        raise ValueError(_("cannot be negative"))
    return to_money(number * factor)


def cell_text(value) -> str:
    """A cell as text: numbers without a trailing .0, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()
