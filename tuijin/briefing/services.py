"""Every write of the briefing app: save a template (only when it compiles), generate a briefing, edit its text,
publish it (files kept, read-only from then on), delete a draft. Views, the API and the CLI call these.

Who may: the project office (admin) and superusers write; a briefing only in a region the user's scope covers.
Templates are reference data shared by every zone (like the node templates): every office may edit them.
A refusal raises PermissionDenied, a broken rule ValidationError; either writes nothing.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.docx import issuing_unit
from tuijin.core.permissions import Action, can
from tuijin.regions.models import Region

from . import markup, templatelang
from .choices import BriefingKind, BriefingState
from .context import build_context
from .models import Briefing, BriefingTemplate
from .tables import CHARTS, TABLES, snapshot

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
RESERVED_NAMES = {"add", "preview"}  # page addresses under /briefings/templates/


def _check_user(user, action: str, obj_or_model) -> None:
    if user is not None and not can(user, action, obj_or_model):
        raise PermissionDenied(_("Only the project office writes briefings."))


# ---- templates ----


def template_problems(*, title: str, text: str) -> list[templatelang.Problem]:
    """What stops a template from being saved: syntax errors (with their line) in the title or the text, and
    [[…]] lines that name no known table or chart."""
    problems = templatelang.check(title, "title") + templatelang.check(text, "text")
    return problems + markup.check_directives(text, TABLES, CHARTS)


def _template_errors(title: str, text: str) -> None:
    problems = template_problems(title=title, text=text)
    if problems:
        errors: dict[str, list[str]] = {}
        for p in problems:
            errors.setdefault("title" if p.where == "title" else "text", []).append(str(p))
        raise ValidationError(errors)


@transaction.atomic
def template_create(*, user, name: str, title: str, kind: str, text: str) -> BriefingTemplate:
    """A new template; refused (nothing saved) when it does not compile."""
    _check_user(user, Action.ADD, BriefingTemplate)
    if not NAME_RE.match(name or "") or name in RESERVED_NAMES:
        raise ValidationError({"name": [_("Use lower-case letters, digits and hyphens (not add or preview).")]})
    if BriefingTemplate.objects.filter(name=name).exists():
        raise ValidationError({"name": [_("A template with this name already exists.")]})
    _template_errors(title, text)
    template = BriefingTemplate(name=name, title=title, kind=BriefingKind(kind), text=text)
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def template_update(*, user, template: BriefingTemplate, title: str, text: str, kind: str | None = None):
    """Save a new version of a template (version + 1, the old text in the change log); refused when it does
    not compile. Saving the same text again writes nothing."""
    _check_user(user, Action.CHANGE, template)
    _template_errors(title, text)
    template = BriefingTemplate.objects.select_for_update().get(pk=template.pk)
    kind = BriefingKind(kind) if kind else template.kind
    if (template.title, template.text, template.kind) == (title, text, kind):
        return template
    template.title, template.text, template.kind = title, text, kind
    template.version += 1
    template.full_clean()
    template.save()
    return template


# ---- rendering ----


@dataclass
class Rendered:
    title: str
    text: str
    problems: list = field(default_factory=list)
    context: dict = field(default_factory=dict)


def render_template(
    template_or_source, region: Region, as_of: datetime.date, *, number: int = 0, title: str | None = None, cache=None
) -> Rendered:
    """The title and text of a template (a BriefingTemplate, or its source text with `title`) rendered for a
    region as of a date. Problems (syntax errors, unknown variables, unknown tables) come with their lines."""
    if isinstance(template_or_source, BriefingTemplate):
        title_src, text_src = template_or_source.title, template_or_source.text
    else:
        title_src, text_src = title or "", template_or_source
    context = build_context(region, as_of, number=number, cache=cache)
    title_out, title_problems = templatelang.render(title_src, context, "title")
    text_out, problems = templatelang.render(text_src, context, "text")
    directive_problems = markup.check_directives(text_src, TABLES, CHARTS)
    return Rendered(title_out.strip(), text_out, title_problems + directive_problems + problems, context)


def next_number(region: Region, kind: str, year: int) -> int:
    n = Briefing.objects.filter(region=region, kind=kind, year=year).aggregate(n=Max("number"))["n"]
    return (n or 0) + 1


def default_region() -> Region | None:
    """The region a briefing is about when none is given (the CLI): the region of the project office(s) — their
    common ancestor when there are several — else the deepest region holding every project, else the root."""
    from tuijin.accounts.choices import OrganizationKind
    from tuijin.accounts.models import Organization
    from tuijin.projects.models import Project

    for qs in (
        Organization.objects.filter(kind=OrganizationKind.OFFICE, region__isnull=False).values_list("region__path"),
        Project.objects.values_list("region__path"),
    ):
        paths = list(qs.order_by().distinct()[:5000])
        if paths:
            chains = [p[0].strip("/").split("/") for p in paths]
            common = []
            for codes in zip(*chains, strict=False):
                if len(set(codes)) != 1:
                    break
                common.append(codes[0])
            if common:
                return Region.objects.filter(code=common[-1]).first()
    return Region.objects.filter(parent__isnull=True).order_by("path").first()


def _check_region(user, region: Region) -> None:
    if user is None or user.is_superuser:
        return
    if not Region.objects.restrict(user, Action.VIEW).filter(pk=region.pk).exists():
        raise PermissionDenied(_("This region is outside your scope."))


@transaction.atomic
def briefing_generate(
    *, user, template: BriefingTemplate, region: Region, as_of: datetime.date, number: int | None = None
) -> Briefing:
    """Render a template over the figures of `region` as of `as_of` into a draft briefing, numbered next in its
    series (zone, kind, year), with its tables and chart series stored beside the text."""
    _check_user(user, Action.ADD, Briefing)
    _check_region(user, region)
    problems = template_problems(title=template.title, text=template.text)
    if problems:
        raise ValidationError({"template": [str(p) for p in problems]})
    year = as_of.year
    if number is None:
        number = next_number(region, template.kind, year)
    elif Briefing.objects.filter(region=region, kind=template.kind, year=year, number=number).exists():
        taken = _("This zone already has a briefing of this kind with this number this year.")
        raise ValidationError({"number": [taken]})
    rendered = render_template(template, region, as_of, number=number)
    briefing = Briefing(
        template=template,
        template_version=template.version,
        region=region,
        kind=template.kind,
        as_of=as_of,
        year=year,
        number=number,
        title=rendered.title[:200],
        issuer=rendered.context["issuer"],
        text=rendered.text.strip() + "\n",
        data=snapshot(rendered.context),
        generated_by=user if user is not None and user.is_authenticated else None,
    )
    briefing.full_clean()
    briefing.save()
    return briefing


def _editable(user, briefing: Briefing) -> Briefing:
    _check_user(user, Action.CHANGE, briefing)
    briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
    if not briefing.is_draft:
        raise ValidationError(_("A published briefing cannot be changed."))
    return briefing


@transaction.atomic
def briefing_edit(*, user, briefing: Briefing, text: str, title: str | None = None) -> Briefing:
    """The office's edits to a draft's text (and title) before it goes out; [[…]] lines must name a table or
    chart the briefing holds."""
    briefing = _editable(user, briefing)
    text = text.replace("\r\n", "\n").strip() + "\n"
    problems = markup.check_directives(text, briefing.data.get("tables", {}), briefing.data.get("charts", {}))
    if not text.strip():
        raise ValidationError({"text": [_("The text cannot be empty.")]})
    if problems:
        raise ValidationError({"text": [str(p) for p in problems]})
    briefing.text = text
    if title is not None and title.strip():
        briefing.title = title.strip()[:200]
    briefing.full_clean()
    briefing.save()
    return briefing


@transaction.atomic
def briefing_publish(*, user, briefing: Briefing) -> Briefing:
    """Publish a draft: its .docx and PDF are written and kept, and it is read-only from then on."""
    from .documents import briefing_docx, briefing_pdf, paper_of

    briefing = _editable(user, briefing)
    briefing.state = BriefingState.PUBLISHED
    briefing.published_at = timezone.now()
    briefing.published_by = user if user is not None and user.is_authenticated else None
    paper = paper_of(briefing)
    stem = paper.filename_stem
    briefing.docx.save(f"{stem}.docx", ContentFile(briefing_docx(paper)), save=False)
    briefing.pdf.save(f"{stem}.pdf", ContentFile(briefing_pdf(paper)), save=False)
    briefing.save()
    return briefing


@transaction.atomic
def briefing_delete(*, user, briefing: Briefing) -> None:
    """Delete a draft (its number is free again); a published briefing stays."""
    _check_user(user, Action.DELETE, briefing)
    briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
    if not briefing.is_draft:
        raise ValidationError(_("A published briefing cannot be deleted."))
    briefing.delete()


__all__ = [
    "briefing_delete",
    "briefing_edit",
    "briefing_generate",
    "briefing_publish",
    "default_region",
    "issuing_unit",
    "next_number",
    "render_template",
    "template_create",
    "template_problems",
    "template_update",
]
