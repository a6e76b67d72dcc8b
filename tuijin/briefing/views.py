"""Briefing pages: the templates (list, editor with a live preview), the briefings (list, generate, the briefing's
page where the office edits the text before publishing, downloads as .docx and PDF).

The office and leaders see; the office writes (services.py decides, like every other door). Reads go through
`restrict(user, "view")`: a briefing outside the user's regions answers 404.
"""

from __future__ import annotations

import base64
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tuijin.core.models import ChangeRecord
from tuijin.core.permissions import Action, can

from . import documents, markup, services
from .choices import BriefingKind, BriefingState
from .documents import DOCX, paper_of
from .forms import GenerateForm, PreviewForm, TemplateForm, TextForm, last_month_end, regions_for
from .models import Briefing, BriefingTemplate
from .shipped import ensure_shipped
from .tables import CHARTS, TABLES

PAGE_SIZE = 30
PREVIEW_TTL = 120  # seconds a preview keeps a region's figures while the office types
_preview_cache: dict = {}
ALIGN_CLASS = {"l": "text-start", "c": "text-center", "r": "text-end tj-nowrap"}


def _require(user, action: str, model) -> None:
    if not can(user, action, model):
        raise PermissionDenied(_("You may not see this page.") if action == Action.VIEW else _("You may not do this."))


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


def _cache() -> dict:
    """The figures computed for previews in the last PREVIEW_TTL seconds (one dict per window)."""
    window = int(time.monotonic() // PREVIEW_TTL)
    if _preview_cache.get("window") != window:
        _preview_cache.clear()
        _preview_cache["window"] = window
        _preview_cache["data"] = {}
    return _preview_cache["data"]


def _document_blocks(text: str, tables: dict, charts: dict, *, chart_images: bool) -> list[dict]:
    """The blocks of a text for the HTML preview: tables with their rows, charts as images or placeholders."""
    from .charts import render_png

    out = []
    for block in markup.parse(text):
        item = {"kind": block.kind, "text": block.text, "name": block.name, "line": block.line}
        if block.kind == "table":
            table = tables.get(block.name)
            if table is not None:
                align = [ALIGN_CLASS.get(a, "") for a in table.get("align") or []]
                align += [""] * (len(table["columns"]) - len(align))
                item["table"] = {
                    **table,
                    "cells": [list(zip(row, align, strict=False)) for row in table["rows"]],
                    "total_cells": list(zip(table["total"], align, strict=False)) if table.get("total") else [],
                }
        elif block.kind == "chart":
            chart = charts.get(block.name)
            item["chart"] = chart
            if chart is not None and chart_images:
                item["image"] = base64.b64encode(render_png(chart)).decode()
        out.append(item)
    return out


# ---- templates ----


@login_required
@require_GET
def template_list(request):
    _require(request.user, Action.VIEW, BriefingTemplate)
    ensure_shipped()
    templates = BriefingTemplate.objects.restrict(request.user, Action.VIEW).order_by("kind", "name")
    counts = {t.pk: t.briefings.count() for t in templates}
    rows = [{"template": t, "briefings": counts[t.pk]} for t in templates]
    context = {"rows": rows, "may_add": can(request.user, Action.ADD, BriefingTemplate), "kinds": BriefingKind}
    return render(request, "briefing/template_list.html", context)


def _preview_form(request, data=None):
    user = request.user
    region = user.region or regions_for(user).first()
    return PreviewForm(data, user=user, initial={"region": region, "as_of": last_month_end()}, prefix="preview")


def _history(template: BriefingTemplate) -> list:
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(BriefingTemplate)
    return list(ChangeRecord.objects.filter(content_type=ct, object_id=template.pk).order_by("-time", "-id")[:20])


@login_required
@require_http_methods(["GET", "POST"])
def template_add(request):
    user = request.user
    _require(user, Action.ADD, BriefingTemplate)
    source = BriefingTemplate.objects.filter(name=request.GET.get("from", "")).first()
    initial = {"kind": BriefingKind.MONTHLY}
    if source is not None:
        initial = {"kind": source.kind, "title": source.title, "text": source.text, "name": f"{source.name}-copy"}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            template = services.template_create(
                user=user, name=d["name"], title=d["title"], kind=d["kind"], text=d["text"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Template %(name)s saved.") % {"name": template.name})
            return redirect(template.get_absolute_url())
    context = {"form": form, "preview_form": _preview_form(request), "template": None, "may_edit": True, **_names()}
    return render(request, "briefing/template_form.html", context, status=422 if form.errors else 200)


def _names() -> dict:
    return {"table_names": sorted(TABLES), "chart_names": sorted(CHARTS)}


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field_name, errors in exc.message_dict.items():
            for e in errors:
                form.add_error(field_name if field_name in form.fields else None, e)
    else:
        for e in exc.messages:
            form.add_error(None, e)


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, name: str):
    """The editor: the template's text on the left, the preview (rendered for a region and date) on the right,
    refreshed as the office types. Leaders read it; only the office saves."""
    user = request.user
    _require(user, Action.VIEW, BriefingTemplate)
    template = get_object_or_404(BriefingTemplate.objects.restrict(user, Action.VIEW), name=name)
    may_edit = can(user, Action.CHANGE, template)
    form = TemplateForm(
        request.POST or None,
        editing=True,
        initial={"title": template.title, "text": template.text, "kind": template.kind},
    )
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("Only the project office edits templates."))
        if form.is_valid():
            d = form.cleaned_data
            try:
                before = template.version
                template = services.template_update(
                    user=user, template=template, title=d["title"], text=d["text"], kind=d["kind"]
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                if template.version == before:
                    messages.info(request, _("Nothing changed."))
                else:
                    messages.success(request, _("Template saved as version %(v)s.") % {"v": template.version})
                return redirect(template.get_absolute_url())
    if not may_edit:
        for field in form.fields.values():
            field.widget.attrs["readonly"] = True  # not disabled: the preview still posts the text
    context = {
        "form": form,
        "preview_form": _preview_form(request),
        "template": template,
        "may_edit": may_edit,
        "history": _history(template),
        **_names(),
    }
    return render(request, "briefing/template_form.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def template_preview(request):
    """The preview fragment (htmx): the template in the form rendered for the chosen region and date, or its
    errors with their line numbers. Saves nothing."""
    user = request.user
    _require(user, Action.VIEW, BriefingTemplate)
    preview = _preview_form(request, request.POST)
    title, text = request.POST.get("title", ""), request.POST.get("text", "")
    context = {"problems": [], "blocks": [], "title": ""}
    if not preview.is_valid():
        context["problems"] = [e for errors in preview.errors.values() for e in errors]
        return render(request, "briefing/_preview.html", context)
    d = preview.cleaned_data
    started = time.perf_counter()
    rendered = services.render_template(text, d["region"], d["as_of"], title=title, number=1, cache=_cache())
    blocks = []
    if rendered.text:
        used = markup.parse(rendered.text)
        tables = {b.name: TABLES[b.name](rendered.context) for b in used if b.kind == "table" and b.name in TABLES}
        charts = {b.name: CHARTS[b.name](rendered.context) for b in used if b.kind == "chart" and b.name in CHARTS}
        blocks = _document_blocks(rendered.text, tables, charts, chart_images=False)
    context.update(
        {
            "problems": [str(p) for p in rendered.problems],
            "blocks": blocks,
            "title": rendered.title,
            "issuer": rendered.context.get("issuer", ""),
            "as_of": d["as_of"],
            "region": d["region"],
            "seconds": time.perf_counter() - started,
        }
    )
    return render(request, "briefing/_preview.html", context)


# ---- briefings ----


def _briefings(user):
    return Briefing.objects.restrict(user, Action.VIEW).select_related("region", "template")


@login_required
@require_GET
def briefing_list(request):
    user = request.user
    _require(user, Action.VIEW, Briefing)
    qs = _briefings(user)
    state = request.GET.get("state", "")
    if state in BriefingState.values:
        qs = qs.filter(state=state)
    kind = request.GET.get("kind", "")
    if kind in BriefingKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "state": state,
        "kind": kind,
        "states": BriefingState.choices,
        "kinds": BriefingKind.choices,
        "may_add": can(user, Action.ADD, Briefing),
    }
    return render(request, "briefing/briefing_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def briefing_generate(request):
    user = request.user
    _require(user, Action.ADD, Briefing)
    ensure_shipped()
    region = user.region or regions_for(user).first()
    initial = {"template": request.GET.get("template") or "monthly", "region": region, "as_of": last_month_end()}
    form = GenerateForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            briefing = services.briefing_generate(
                user=user, template=d["template"], region=d["region"], as_of=d["as_of"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Briefing generated: edit the text, then publish it."))
            return redirect(briefing.get_absolute_url())
    return render(request, "briefing/briefing_generate.html", {"form": form}, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def briefing_detail(request, pk: int):
    """The briefing as the paper will read (headings, paragraphs, tables, charts) and, for the office while it
    is a draft, its text to edit. POST saves the edited text."""
    user = request.user
    _require(user, Action.VIEW, Briefing)
    briefing = get_object_or_404(_briefings(user), pk=pk)
    may_edit = briefing.is_draft and can(user, Action.CHANGE, briefing)
    form = TextForm(request.POST or None, initial={"title": briefing.title, "text": briefing.text})
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("Only the project office edits a draft briefing."))
        if form.is_valid():
            try:
                services.briefing_edit(
                    user=user, briefing=briefing, text=form.cleaned_data["text"], title=form.cleaned_data["title"]
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Text saved."))
                return redirect(briefing.get_absolute_url())
    data = briefing.data or {}
    context = {
        "briefing": briefing,
        "form": form,
        "may_edit": may_edit,
        "may_delete": briefing.is_draft and can(user, Action.DELETE, briefing),
        "blocks": _document_blocks(briefing.text, data.get("tables", {}), data.get("charts", {}), chart_images=True),
        "edit_open": bool(form.errors),
    }
    return render(request, "briefing/briefing_detail.html", context, status=422 if form.errors else 200)


def _download(request, pk: int, fmt: str):
    user = request.user
    _require(user, Action.VIEW, Briefing)
    briefing = get_object_or_404(_briefings(user), pk=pk)
    paper = paper_of(briefing)
    filename = f"{paper.filename_stem}.{fmt}"
    stored = briefing.docx if fmt == "docx" else briefing.pdf
    if not briefing.is_draft and stored:
        try:
            return FileResponse(stored.open("rb"), as_attachment=True, filename=filename)
        except FileNotFoundError:
            pass  # the file went missing: write it again from the published text
    data = documents.briefing_docx(paper) if fmt == "docx" else documents.briefing_pdf(paper)
    response = HttpResponse(data, content_type=DOCX if fmt == "docx" else "application/pdf")
    from django.utils.encoding import escape_uri_path

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


@login_required
@require_GET
def briefing_docx(request, pk: int):
    return _download(request, pk, "docx")


@login_required
@require_GET
def briefing_pdf(request, pk: int):
    return _download(request, pk, "pdf")


def _step(request, pk: int, fn, done: str, back: str | None = None):
    user = request.user
    briefing = get_object_or_404(_briefings(user), pk=pk)
    try:
        fn(user=user, briefing=briefing)
    except ValidationError as exc:
        messages.error(request, _("Not done: %(reason)s") % {"reason": _error_text(exc)})
        return redirect(briefing.get_absolute_url())
    messages.success(request, done)
    return redirect(back or briefing.get_absolute_url())


@login_required
@require_POST
def briefing_publish(request, pk: int):
    return _step(request, pk, services.briefing_publish, _("Briefing published."))


@login_required
@require_POST
def briefing_delete(request, pk: int):
    return _step(request, pk, services.briefing_delete, _("Draft deleted."), back=reverse("briefing:briefing_list"))
