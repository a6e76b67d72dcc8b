"""Import a period's list in the browser: upload → preview (a job) → confirm → apply (a job) → result.

The preview and the write both run `plan_import` on the stored file, so what is written is exactly what the
file says at the moment of confirming; the write runs under the importing user's change context.
"""

from __future__ import annotations

import io
import os
from urllib.parse import quote

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tuijin.core.changelog import change_context
from tuijin.core.choices import ChangeSource, JobStatus
from tuijin.core.importing import ImportFileError, RowErrors
from tuijin.core.jobs import jobs_visible_to, progress_callback, refresh, run_job
from tuijin.core.models import Job
from tuijin.core.permissions import Action, can
from tuijin.regions.models import Region

from ..choices import ListingAction
from ..importer import apply_plan, plan_import
from ..models import Period, Project
from ..tables import COLUMNS

KIND = "ledger_import"
PREVIEW, APPLY = "preview", "apply"
MAX_UPLOAD_MB = 50
MAX_CHANGE_LINES = 2000  # lines of the change table kept in the job's result; the counts cover everything

KIND_LABELS = {
    "new": (gettext_lazy("New project"), "green"),
    "update": (gettext_lazy("Update"), "blue"),
    **{a.value: (a.label, a.color) for a in ListingAction},
}
SUMMARY_ITEMS = [
    ("new_projects", gettext_lazy("New projects")),
    ("updated_projects", gettext_lazy("Updated projects")),
    ("listed", gettext_lazy("Listed")),
    ("converted", gettext_lazy("Converted")),
    ("removed", gettext_lazy("Removed")),
    ("annual_plans", gettext_lazy("Annual plans")),
    ("unchanged_rows", gettext_lazy("Unchanged rows")),
]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Ledger file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )
    region = forms.ModelChoiceField(
        queryset=Region.objects.none(),
        label=gettext_lazy("Region"),
        help_text=gettext_lazy("Rows without 所属区域 belong here; projects are matched within it."),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    period = forms.ModelChoiceField(
        queryset=Period.objects.all(),
        required=False,
        to_field_name="number",
        label=gettext_lazy("Period for the whole file"),
        empty_label=gettext_lazy("From the 期次 column"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.restrict(user, Action.VIEW)
        self.fields["region"].queryset = regions
        if user.region_id and regions.filter(pk=user.region_id).exists():
            self.fields["region"].initial = user.region_id

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("The file is not an .xlsx workbook."))
        if f.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than %(n)s MB.") % {"n": MAX_UPLOAD_MB})
        return f


def _require_import(request) -> None:
    if not can(request.user, Action.ADD, Project):
        raise PermissionDenied(_("Only the project office may import the ledger."))


def _read(job: Job) -> io.BytesIO:
    with job.file.open("rb") as fh:
        return io.BytesIO(fh.read())


def _plan(job: Job):
    region = Region.objects.get(pk=job.params["region"])
    return plan_import(_read(job), region=region, period=job.params.get("period"), progress=progress_callback(job))


def _invalid(exc: Exception) -> dict:
    if isinstance(exc, RowErrors):
        return {"state": "invalid", "errors": [e.as_dict() for e in exc.errors]}
    return {"state": "invalid", "file_error": str(exc)}


def _preview(job: Job) -> dict:
    """The job function of the preview: plan, store what would change, write nothing."""
    try:
        plan = _plan(job)
    except (ImportFileError, RowErrors) as exc:
        return _invalid(exc)
    lines = plan.describe()
    return {
        "state": "planned",
        "summary": plan.summary(),
        "changes": lines[:MAX_CHANGE_LINES],
        "changes_total": len(lines),
        "warnings": plan.warnings,
        "empty": plan.is_empty,
    }


def _apply(job: Job) -> dict:
    """The job function of the write: plan again from the stored file and apply it, as the importing user."""
    try:
        plan = _plan(job)
    except (ImportFileError, RowErrors) as exc:
        return _invalid(exc)
    label = f"import {job.params.get('filename', '')}"
    with change_context(source=ChangeSource.IMPORT, user=job.user, label=label):
        summary = apply_plan(plan)
    return {"state": "applied", "summary": summary, "warnings": plan.warnings}


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    _require_import(request)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        region, period = form.cleaned_data["region"], form.cleaned_data["period"]
        job = Job(
            kind=KIND,
            user=request.user,
            params={
                "phase": PREVIEW,
                "filename": os.path.basename(upload.name),
                "region": region.pk,
                "region_code": region.code,
                "region_name": region.name,
                "period": period.number if period else None,
            },
        )
        job.file.save(upload.name, upload, save=False)
        job.save()
        run_job(job, _preview)
        return redirect("projects:import_job", pk=job.pk)
    recent = jobs_visible_to(request.user).filter(kind=KIND).select_related("user")[:10]
    return render(
        request,
        "projects/import_start.html",
        {"form": form, "recent": [refresh(j) for j in recent], "max_mb": MAX_UPLOAD_MB},
    )


def _job_context(job: Job) -> dict:
    result = job.result or {}
    summary = result.get("summary") or {}
    changes = [
        {
            **line,
            "label": KIND_LABELS.get(line["kind"], (line["kind"], "secondary"))[0],
            "color": KIND_LABELS.get(line["kind"], ("", "secondary"))[1],
        }
        for line in result.get("changes", [])
    ]
    finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
    return {
        "job": job,
        "phase": job.params.get("phase", PREVIEW),
        "finished": finished,
        "state": result.get("state") if job.status == JobStatus.DONE else job.status,
        "result": result,
        "summary_items": [(label, summary.get(key, 0), key) for key, label in SUMMARY_ITEMS],
        "summary": summary,
        "changes": changes,
        "more_changes": max(0, result.get("changes_total", 0) - len(changes)),
        "applied_job": result.get("applied_job"),
        "status_color": JobStatus(job.status).color,
        "elapsed": int((timezone.now() - (job.started or job.created)).total_seconds()) if job.created else 0,
    }


@login_required
@require_http_methods(["GET"])
def import_job(request, pk: int):
    _require_import(request)
    job = refresh(get_object_or_404(jobs_visible_to(request.user).filter(kind=KIND), pk=pk))
    context = _job_context(job)
    if request.headers.get("HX-Request") == "true":
        return render(request, "projects/import_job_body.html", context)
    return render(request, "projects/import_job.html", context)


@login_required
@require_POST
def import_confirm(request, pk: int):
    _require_import(request)
    with transaction.atomic():
        preview = get_object_or_404(jobs_visible_to(request.user).select_for_update().filter(kind=KIND), pk=pk)
        result = preview.result or {}
        if (
            preview.params.get("phase") != PREVIEW
            or preview.status != JobStatus.DONE
            or result.get("state") != "planned"
        ):
            return redirect("projects:import_job", pk=preview.pk)
        if result.get("applied_job"):  # confirmed already (a second click): show that write
            return redirect("projects:import_job", pk=result["applied_job"])
        job = Job(kind=KIND, user=request.user, params={**preview.params, "phase": APPLY, "preview_job": preview.pk})
        job.file.name = preview.file.name
        job.save()
        preview.result = {**result, "applied_job": job.pk, "confirmed": timezone.now().isoformat()}
        preview.save(update_fields=["result"])
    run_job(job, _apply)
    return redirect("projects:import_job", pk=job.pk)


@login_required
@require_http_methods(["GET"])
def import_template(request):
    """An empty ledger in the template: a title row, then the headers of tables.COLUMNS."""
    import xlsxwriter

    _require_import(request)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("项目台账")
    title_fmt = book.add_format(
        {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter", "font_name": "宋体"}
    )
    head_fmt = book.add_format(
        {
            "bold": True,
            "bg_color": "#DCE6F1",
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "font_name": "宋体",
        }
    )
    headers = ["序号"] + [c.header for c in COLUMNS if c.export]
    sheet.merge_range(0, 0, 0, len(headers) - 1, "“三个一批”项目台账", title_fmt)
    sheet.set_row(0, 30)
    sheet.write_row(1, 0, headers, head_fmt)
    widths = {"项目名称": 36, "建设单位": 30, "建设内容及规模": 40, "备注": 20}
    for i, h in enumerate(headers):
        sheet.set_column(i, i, widths.get(h, max(10, len(h) * 2 + 2)))
    sheet.freeze_panes(2, 3)
    book.close()
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f"attachment; filename=\"ledger-template.xlsx\"; filename*=UTF-8''{quote('项目台账模板.xlsx')}"
    )
    return response
