"""Stored values, labels and badge colours for meetings, tasks, problems, supervision and notifications."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly meeting")
    SPECIAL = "special", _("Special meeting")
    ONSITE = "onsite", _("On-site meeting")

    @property
    def color(self) -> str:
        return {"weekly": "blue", "special": "purple", "onsite": "teal"}[self.value]


class Attendance(models.TextChoices):
    PRESENT = "present", _("Present")
    DEPUTY = "deputy", _("Sent a deputy")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")

    @property
    def color(self) -> str:
        return {"present": "green", "deputy": "cyan", "excused": "secondary", "absent": "red"}[self.value]


class OutcomeKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    DECISION = "decision", _("Decision")
    TASK = "task", _("Task")

    @property
    def color(self) -> str:
        return {"information": "secondary", "decision": "blue", "task": "orange"}[self.value]


class TaskSource(models.TextChoices):
    MEETING = "meeting", _("Meeting item")
    INSTRUCTION = "instruction", _("Leader's instruction")
    PROBLEM = "problem", _("Problem")
    AD_HOC = "ad_hoc", _("Ad hoc")


class TaskState(models.TextChoices):
    """assigned → accepted → in progress → reported done → closed by the assigner, or sent back (→ in progress)."""

    ASSIGNED = "assigned", _("Assigned")
    ACCEPTED = "accepted", pgettext_lazy("task state", "Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    REPORTED_DONE = "reported_done", _("Reported done")
    SENT_BACK = "sent_back", _("Sent back")
    CLOSED = "closed", pgettext_lazy("task state", "Closed")

    @property
    def color(self) -> str:
        return {
            "assigned": "secondary",
            "accepted": "blue",
            "in_progress": "cyan",
            "reported_done": "purple",
            "sent_back": "orange",
            "closed": "green",
        }[self.value]


# The unit is working on these (they are chased by the supervision ladder when late).
TASK_ACTIVE_STATES = frozenset({TaskState.ASSIGNED, TaskState.ACCEPTED, TaskState.IN_PROGRESS, TaskState.SENT_BACK})
# The unit may add progress, report done or ask for more time in these.
TASK_WORKING_STATES = frozenset({TaskState.ACCEPTED, TaskState.IN_PROGRESS, TaskState.SENT_BACK})


class NoteKind(models.TextChoices):
    PROGRESS = "progress", _("Progress")
    DONE = "done", _("Reported done")
    SENT_BACK = "sent_back", _("Sent back")
    CLOSED = "closed", _("Closed")


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")

    @property
    def color(self) -> str:
        return {"pending": "yellow", "granted": "green", "refused": "red"}[self.value]


class ProblemSource(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    DEPARTMENT = "department", _("Department")
    OFFICE = "office", _("Project office")
    MEETING = "meeting", _("Meeting")


class ProblemLevel(models.TextChoices):
    """Who can solve it: the zone (区级), the city (市级) or the province (省级). Escalation goes up one step."""

    ZONE = "zone", _("Zone level")
    CITY = "city", _("City level")
    PROVINCE = "province", _("Province level")

    @property
    def color(self) -> str:
        return {"zone": "secondary", "city": "orange", "province": "red"}[self.value]


LEVEL_ORDER = [ProblemLevel.ZONE, ProblemLevel.CITY, ProblemLevel.PROVINCE]


class ProblemState(models.TextChoices):
    """open → in progress → solved → confirmed by whoever raised it (销号), or reopened (→ in progress …)."""

    OPEN = "open", pgettext_lazy("problem state", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    SOLVED = "solved", _("Solved")
    CONFIRMED = "confirmed", _("Confirmed (closed)")
    REOPENED = "reopened", _("Reopened")

    @property
    def color(self) -> str:
        return {
            "open": "red",
            "in_progress": "cyan",
            "solved": "purple",
            "confirmed": "green",
            "reopened": "orange",
        }[self.value]


# Still to be solved (chased by the ladder when late).
PROBLEM_ACTIVE_STATES = frozenset({ProblemState.OPEN, ProblemState.IN_PROGRESS, ProblemState.REOPENED})


class SupervisionLevel(models.TextChoices):
    """The supervision ladder (督办): 提醒 → 催办 → 督办 → 通报."""

    REMINDER = "reminder", _("Reminder")
    URGE = "urge", _("Urging")
    SUPERVISE = "supervise", _("Supervision")
    NOTICE = "notice", _("Public notice")

    @property
    def color(self) -> str:
        return {"reminder": "blue", "urge": "yellow", "supervise": "orange", "notice": "red"}[self.value]

    @property
    def rank(self) -> int:
        return LADDER.index(self)


LADDER = [SupervisionLevel.REMINDER, SupervisionLevel.URGE, SupervisionLevel.SUPERVISE, SupervisionLevel.NOTICE]


class LetterKind(models.TextChoices):
    """两函一单: 交办函 (assignment), 提醒函 (reminder), 督办函 (supervision notice)."""

    ASSIGNMENT = "assignment", _("Assignment letter")
    REMINDER = "reminder", _("Reminder letter")
    SUPERVISION = "supervision", _("Supervision letter")

    @property
    def word(self) -> str:
        """The middle of the letter number: 项目交办〔2023〕001号, 项目提醒〔…〕, 项目督办〔…〕."""
        return {"assignment": "项目交办", "reminder": "项目提醒", "supervision": "项目督办"}[self.value]


class NotificationKind(models.TextChoices):
    TASK = "task", _("Task")
    PROBLEM = "problem", _("Problem")
    SUPERVISION = "supervision", _("Supervision")
    EXTENSION = "extension", _("Deadline extension")
    DIGEST = "digest", _("Daily digest")
    REPORT = "report", _("Monthly report")
    WARNING = "warning", _("Schedule warning")


class ChannelKind(models.TextChoices):
    """Where a notification goes besides the inbox."""

    EMAIL = "email", _("Email")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to send")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")

    @property
    def color(self) -> str:
        return {"pending": "secondary", "sending": "blue", "sent": "green", "failed": "red"}[self.value]
