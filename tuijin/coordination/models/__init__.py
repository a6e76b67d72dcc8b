"""Coordination: meetings (周例会) and their outcomes, tasks (交办事项), the problem register (问题清单), the
supervision ladder (督办) with its numbered letters (两函一单), and the in-app inbox.

Every workflow write goes through `services.py`; these models hold the data, the database-level rules and the
row scopes that `core.permissions.restrict` applies (a department sees its unit's tasks and problems, an
enterprise the problems it raised, everyone else their region's subtree).
"""

from .delivery import Channel, Delivery
from .inbox import Notification
from .meetings import AgendaItem, Meeting, MeetingAttendee, Outcome
from .problems import Problem, ProblemCategory
from .supervision import SupervisionLetter, SupervisionRule, SupervisionStep
from .tasks import ExtensionRequest, Task, TaskCooperation, TaskNote, attachment_path

__all__ = [
    "AgendaItem",
    "Channel",
    "Delivery",
    "ExtensionRequest",
    "Meeting",
    "MeetingAttendee",
    "Notification",
    "Outcome",
    "Problem",
    "ProblemCategory",
    "SupervisionLetter",
    "SupervisionRule",
    "SupervisionStep",
    "Task",
    "TaskCooperation",
    "TaskNote",
    "attachment_path",
]
