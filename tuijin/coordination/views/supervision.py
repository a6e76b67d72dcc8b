"""Supervision (督办): the board of overdue tasks and problems by unit and leader, with days overdue and the
ladder step reached; the numbered letters (两函一单), their replies and their .docx."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuijin.core.permissions import Action, can

from ..choices import LADDER, LetterKind
from ..models import SupervisionLetter, Task
from ..selectors import attach_ladder_steps, overdue_groups, supervision_board
from ..supervision import letter_reply
from .common import paginate, problems_for, refused, require_view, run_step, tasks_for
from .meetings import DOCX


@login_required
@require_GET
def board(request):
    user = request.user
    require_view(user, Task)
    today = timezone.localdate()
    rows = supervision_board(tasks_for(user), problems_for(user), today)
    attach_ladder_steps(rows)
    level = request.GET.get("level", "")
    shown = [r for r in rows if not level or (r["step"] and r["step"].level == level)]
    groups = overdue_groups(rows)
    by_unit, by_leader = groups["by_unit"], groups["by_leader"]
    context = {
        "rows": shown,
        "total": len(rows),
        "group_tables": [(_("Overdue by unit"), by_unit, "by-unit"), (_("Overdue by leader"), by_leader, "by-leader")],
        "ladder": [
            (lvl.value, lvl.label, lvl.color, sum(1 for r in rows if r["step"] and r["step"].level == lvl))
            for lvl in LADDER
        ],
        "level": level,
        "today": today,
        "letters": SupervisionLetter.objects.restrict(user, Action.VIEW).count(),
    }
    return render(request, "coordination/board.html", context)


@login_required
@require_GET
def letter_list(request):
    user = request.user
    require_view(user, SupervisionLetter)
    qs = SupervisionLetter.objects.restrict(user, Action.VIEW).select_related("to_unit", "task", "problem")
    kind = request.GET.get("kind", "")
    if kind in LetterKind.values:
        qs = qs.filter(kind=kind)
    if request.GET.get("unanswered") == "1":
        qs = qs.filter(replied_on__isnull=True)
    page = paginate(request, qs)
    today = timezone.localdate()
    org = user.organization_id
    office = user.is_superuser or can(user, Action.ADD, SupervisionLetter)
    rows = [
        {
            "letter": letter,
            "late": letter.replied_on is None and letter.reply_deadline < today,
            "may_reply": letter.replied_on is None and (office or (org and letter.to_unit_id == org)),
            "url": reverse("coordination:task_detail", args=[letter.task_id])
            if letter.task_id
            else reverse("coordination:problem_detail", args=[letter.problem_id]),
        }
        for letter in page
    ]
    context = {"page": page, "rows": rows, "kinds": LetterKind.choices, "kind": kind, "today": today}
    return render(request, "coordination/letter_list.html", context)


def _letter(request, pk: int) -> SupervisionLetter:
    return get_object_or_404(SupervisionLetter.objects.restrict(request.user, Action.VIEW), pk=pk)


@login_required
@require_POST
def letter_reply_view(request, pk: int):
    letter = _letter(request, pk)
    if not can(request.user, Action.CHANGE, letter):
        return refused(request, PermissionDenied(_("Only the unit the letter is addressed to may reply.")))
    return run_step(
        request,
        reverse("coordination:letter_list"),
        lambda: letter_reply(user=request.user, letter=letter, reply=request.POST.get("reply", "")),
        _("Reply recorded: %(letter)s.") % {"letter": letter.code},
    )


@login_required
@require_GET
def letter_docx(request, pk: int):
    letter = _letter(request, pk)
    try:
        from tuijin.coordination.documents import letter_docx as build
    except ImportError as exc:
        raise Http404(_("Letters cannot be generated yet.")) from exc
    response = HttpResponse(build(letter), content_type=DOCX)
    name = f"letter-{letter.kind}-{letter.year}-{letter.number:03d}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
