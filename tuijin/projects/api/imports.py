"""/api/v1/imports/ledger: import a period's list (项目台账 .xlsx), or preview what it would change."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile

from tuijin.core.api_auth import require, visible_or_404
from tuijin.core.changelog import change_context
from tuijin.core.choices import ChangeSource
from tuijin.core.importing import ImportFileError, RowErrors
from tuijin.regions.models import Region

from ..importer import apply_plan, plan_import
from ..models import Project
from .schemas import ImportErrors, ImportResult

router = Router(tags=["imports"])


def _bad_file(message: str, errors: list[dict] | None = None):
    return 400, {"detail": message, "errors": errors or []}


@router.post("/imports/ledger", response={200: ImportResult, 400: ImportErrors}, summary="Import a ledger file")
def import_ledger(
    request, file: File[UploadedFile], region: Form[str], period: Form[int | None] = None, dry_run: Form[bool] = False
):
    """Upload a ledger workbook (multipart: `file`, `region` code, optional `period` for the whole file,
    `dry_run`). Every row is checked first: one bad row and nothing is written, and the answer is 400 with every
    problem as (sheet, row, column, value, reason). With `dry_run` the answer lists what would change and
    nothing is written. Project office (admin) only; the region must be within the caller's scope."""
    user = request.auth
    if not user.is_superuser and user.role != "admin":
        raise PermissionDenied
    require(user, "add", Project)
    require(user, "change", Project)
    root = visible_or_404(Region.objects.all(), user, code=region)
    if not (file.name or "").lower().endswith(".xlsx"):
        return _bad_file(
            _("The file is not an .xlsx workbook."),
            [
                {
                    "sheet": "",
                    "row": None,
                    "column": "",
                    "value": file.name or "",
                    "reason": _("The file is not an .xlsx workbook."),
                }
            ],
        )
    try:
        plan = plan_import(file.file, region=root, period=period)
    except ImportFileError as exc:
        return _bad_file(
            str(exc), [{"sheet": "", "row": None, "column": "", "value": file.name or "", "reason": str(exc)}]
        )
    except RowErrors as exc:
        return _bad_file(
            _("%(n)s problems found; nothing was imported.") % {"n": len(exc.errors)}, [e.as_dict() for e in exc.errors]
        )
    result = {
        "dry_run": dry_run,
        "summary": plan.summary(),
        "changes": plan.describe(),
        "warnings": [str(w) for w in plan.warnings],
    }
    if not dry_run:
        label = f"{request.method} {request.path} {file.name}"
        request_id = getattr(request, "id", None)  # set by ChangeContextMiddleware: the records share the request's id
        with change_context(source=ChangeSource.IMPORT, user=user, label=label, request_id=request_id):
            result["summary"] = apply_plan(plan)
    return result
