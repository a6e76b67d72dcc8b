"""Coordination workflows: meetings, tasks (交办事项) and problems (问题清单), every state transition with its rule.

Who may do what (on top of `core.permissions`, which decides which rows a user reaches at all):
- the project office (admin role, or a superuser) may take every step on what lies in its region;
- a task's assigner closes it or sends it back, and grants or refuses a longer deadline;
- only users of the task's lead unit accept it, record progress, report it done and ask for more time
  (a department cannot touch another unit's task);
- a problem's assigned unit starts and solves it; only whoever raised it (the user, or their organisation)
  confirms it (销号), reopens it or rates the solution;
- `user=None` is the system (the CLI and jobs).
A refused step raises PermissionDenied (who) or ValidationError (what/when) with a message, and writes nothing.
"""

from __future__ import annotations

from .common import (
    in_unit,
    is_office,
    problem_is_raiser,
    problem_may_work,
    task_may_review,
    task_may_work,
)
from .meetings import (
    agenda_draft,
    agenda_item_add,
    agenda_item_carry_over,
    agenda_reorder,
    attendance_record,
    attendee_add,
    meeting_create,
    meeting_next_number,
    meetings_schedule_year,
    outcome_add,
)
from .problems import (
    problem_assign,
    problem_confirm,
    problem_escalate,
    problem_raise,
    problem_rate,
    problem_reopen,
    problem_solve,
    problem_start,
)
from .tasks import (
    extension_grant,
    extension_refuse,
    task_accept,
    task_close,
    task_create,
    task_progress,
    task_report_done,
    task_request_extension,
    task_send_back,
)

__all__ = [
    "agenda_draft",
    "meetings_schedule_year",
    "agenda_item_add",
    "agenda_item_carry_over",
    "agenda_reorder",
    "attendance_record",
    "attendee_add",
    "extension_grant",
    "extension_refuse",
    "in_unit",
    "is_office",
    "meeting_create",
    "meeting_next_number",
    "outcome_add",
    "problem_assign",
    "problem_confirm",
    "problem_escalate",
    "problem_is_raiser",
    "problem_may_work",
    "problem_raise",
    "problem_rate",
    "problem_reopen",
    "problem_solve",
    "problem_start",
    "task_accept",
    "task_close",
    "task_create",
    "task_may_review",
    "task_may_work",
    "task_progress",
    "task_report_done",
    "task_request_extension",
    "task_send_back",
]
