"""Meetings: the list, scheduling one, its page (attendees, agenda items with their outcomes and tasks), drafting
the agenda from the ledger, and the minutes (会议纪要) as .docx."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tuijin.accounts.choices import Role
from tuijin.core.permissions import Action, can

from .. import services
from ..choices import MeetingKind
from ..forms import AgendaItemForm, AttendeeForm, MeetingForm, OutcomeForm
from ..models import AgendaItem, Meeting, Outcome, Task
from .common import error_text, meetings_for, paginate, refused, require_view, run_step

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _is_office_user(user) -> bool:
    return user.is_superuser or (user.role == Role.ADMIN and can(user, Action.ADD, Meeting))


@login_required
@require_GET
def meeting_list(request):
    user = request.user
    require_view(user, Meeting)
    kind = request.GET.get("kind", "")
    qs = meetings_for(user).annotate(item_count=Count("items", distinct=True)).order_by("-date", "-number")
    if kind in MeetingKind.values:
        qs = qs.filter(kind=kind)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    page = paginate(request, qs)
    ids = [m.pk for m in page]
    task_counts = dict(
        Task.objects.filter(source_item__meeting_id__in=ids)
        .values_list("source_item__meeting_id")
        .annotate(n=Count("pk"))
        .values_list("source_item__meeting_id", "n")
    )
    rows = [{"meeting": m, "tasks": task_counts.get(m.pk, 0)} for m in page]
    years = sorted(set(meetings_for(user).values_list("year", flat=True)), reverse=True)
    context = {
        "page": page,
        "rows": rows,
        "kinds": MeetingKind.choices,
        "kind": kind,
        "years": years,
        "year": year,
        "may_add": _is_office_user(user),
        "today": timezone.localdate(),
    }
    return render(request, "coordination/meeting_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_add(request):
    user = request.user
    if not _is_office_user(user):
        return refused(request, PermissionDenied(_("Only the project office holds meetings.")))
    form = MeetingForm(
        request.POST or None, user=user, initial={"region": user.region_id, "date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = services.meeting_create(
                user=user,
                region=d["region"],
                date=d["date"],
                kind=d["kind"],
                number=d["number"],
                title=d["title"],
                place=d["place"],
                chair=d["chair"],
            )
        except PermissionDenied as exc:
            return refused(request, exc)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Meeting scheduled: %(m)s.") % {"m": meeting})
            return redirect("coordination:meeting_detail", meeting.pk)
    return render(request, "coordination/meeting_form.html", {"form": form})


def _meeting(request, pk: int) -> Meeting:
    return get_object_or_404(meetings_for(request.user), pk=pk)


@login_required
@require_GET
def meeting_detail(request, pk: int):
    user = request.user
    meeting = _meeting(request, pk)
    today = timezone.localdate()
    tasks = Task.objects.restrict(user, Action.VIEW).select_related("lead_unit")
    items = list(
        meeting.items.select_related("project", "carried_from__meeting").prefetch_related(
            Prefetch("outcomes", queryset=Outcome.objects.select_related("task", "task__lead_unit")),
            Prefetch("tasks", queryset=tasks, to_attr="visible_tasks"),
        )
    )
    for item in items:
        linked = {o.task_id for o in item.outcomes.all() if o.task_id}
        item.extra_tasks = [t for t in item.visible_tasks if t.pk not in linked]
        visible = {t.pk for t in item.visible_tasks}
        item.shown_outcomes = [o for o in item.outcomes.all() if o.task_id is None or o.task_id in visible]
        for o in item.shown_outcomes:
            o.overdue_days = o.task.days_overdue(today) if o.task_id else 0
    office = services.is_office(user, meeting)
    context = {
        "meeting": meeting,
        "attendees": list(meeting.attendees.select_related("organization")),
        "items": items,
        "office": office,
        "may_assign": office or can(user, Action.ADD, Task),
        "forms": {
            "attendee": AttendeeForm(user=user) if office else None,
            "item": AgendaItemForm(user=user) if office else None,
            "outcome": OutcomeForm() if office else None,
        },
        "today": today,
    }
    return render(request, "coordination/meeting_detail.html", context)


@login_required
@require_POST
def meeting_step(request, pk: int, step: str):
    user = request.user
    meeting = _meeting(request, pk)
    back = request.path.rsplit("/step/", 1)[0] + "/"
    if not services.is_office(user, meeting):
        return refused(request, PermissionDenied(_("Only the project office holds meetings.")))
    if step == "draft":

        def draft():
            created = services.agenda_draft(user=user, meeting=meeting)
            draft.count = len(created)

        draft.count = 0
        response = run_step(request, back, draft, _("Agenda drafted from the ledger."))
        if draft.count == 0 and response.status_code == 302:
            messages.info(request, _("Nothing new to add: the ledger has no other project to discuss."))
        return response
    if step == "attendee":
        form = AttendeeForm(request.POST, user=user)
        if not form.is_valid():
            messages.error(request, _("Not done: %(reason)s") % {"reason": _("Give the attendee's name or unit.")})
            return redirect(back)
        d = form.cleaned_data
        return run_step(
            request,
            back,
            lambda: services.attendee_add(
                user=user,
                meeting=meeting,
                name=d["name"],
                organization=d["organization"],
                attendance=d["attendance"],
            ),
            _("Attendee added."),
        )
    if step == "item":
        form = AgendaItemForm(request.POST, user=user)
        form.is_valid()
        d = form.cleaned_data
        return run_step(
            request,
            back,
            lambda: services.agenda_item_add(
                user=user,
                meeting=meeting,
                project=d.get("project"),
                topic=d.get("topic", ""),
                presenter=d.get("presenter", ""),
            ),
            _("Agenda item added."),
        )
    raise Http404


def _item(request, pk: int) -> AgendaItem:
    return get_object_or_404(AgendaItem.objects.restrict(request.user, Action.VIEW).select_related("meeting"), pk=pk)


@login_required
@require_POST
def item_step(request, pk: int, step: str):
    user = request.user
    item = _item(request, pk)
    back = reverse("coordination:meeting_detail", args=[item.meeting_id]) + f"#item-{item.pk}"
    if not services.is_office(user, item.meeting):
        return refused(request, PermissionDenied(_("Only the project office holds meetings.")))
    if step == "outcome":
        form = OutcomeForm(request.POST)
        form.is_valid()
        d = form.cleaned_data
        return run_step(
            request,
            back,
            lambda: services.outcome_add(user=user, item=item, kind=d.get("kind", ""), text=d.get("text", "")),
            _("Outcome recorded."),
        )
    if step in ("carry", "uncarry"):
        return run_step(
            request,
            back,
            lambda: services.agenda_item_carry_over(user=user, item=item, to=step == "carry"),
            _("Carried over to the next meeting.") if step == "carry" else _("Settled at this meeting."),
        )
    raise Http404


@login_required
@require_GET
def meeting_minutes(request, pk: int):
    meeting = _meeting(request, pk)
    try:
        from tuijin.coordination.documents import minutes_docx
    except ImportError as exc:
        raise Http404(_("Minutes cannot be generated yet.")) from exc
    data = minutes_docx(meeting)
    response = HttpResponse(data, content_type=DOCX)
    name = f"meeting-{meeting.year}-{meeting.number:02d}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
