"""Test helpers for investment: a snapshot of everything a refused write could touch, and sheet writers."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence

import xlsxwriter

from tuijin.core.models import ChangeRecord
from tuijin.investment.models import AnnualPlan, MonthlyReport, ReportPhoto, ReportReminder, SeasonalProfile

TODAY = datetime.date(2022, 9, 10)  # "today" in most tests: months 1-9 of 2022 may be reported


def state() -> dict:
    """Rows (with their last change) of every model a write could touch: equal before and after = nothing
    written."""
    out = {}
    for m in (AnnualPlan, MonthlyReport, ReportPhoto, SeasonalProfile):
        out[m.__name__] = sorted(m.objects.values_list("pk", "last_updated"))
    out["ReportReminder"] = sorted(ReportReminder.objects.values_list("pk", "resolved_at"))
    out["ChangeRecord"] = ChangeRecord.objects.count()
    return out


def write_sheet(path, headers: Sequence[str], rows: Sequence[Sequence], *, title: str | None = "月度调度表") -> str:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("调度表")
    r = 0
    if title:
        sheet.merge_range(0, 0, 0, max(len(headers) - 1, 1), title)
        r = 1
    sheet.write_row(r, 0, list(headers))
    for i, row in enumerate(rows, start=r + 1):
        for j, value in enumerate(row):
            if value is not None:
                sheet.write(i, j, value)
    book.close()
    return str(path)


def image_bytes(fmt: str = "JPEG", size=(640, 480), exif: bool = True) -> bytes:
    """A photo as a phone takes it: with EXIF (camera, GPS position) when `exif`."""
    from PIL import Image

    img = Image.new("RGB", size, (120, 160, 200))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        ex = Image.Exif()
        ex[0x010F] = "PhoneMaker"  # Make
        ex[0x0110] = "Model X"  # Model
        ex[0x8825] = {1: "N", 2: (34.0, 45.0, 0.0)}  # GPS IFD
        kwargs["exif"] = ex.tobytes()
    img.save(out, fmt, **kwargs)
    return out.getvalue()
