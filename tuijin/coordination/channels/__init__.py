"""Notification channels beyond the inbox: email, WeCom and DingTalk group robots, the delivery queue that sends
to them from a background job, the daily digest, and the hooks that bring other apps' alerts in."""

from .bridges import route_report_reminders, route_schedule_warnings
from .digest import send_digests
from .queue import claim, fan_out, send_pending

__all__ = ["claim", "fan_out", "route_report_reminders", "route_schedule_warnings", "send_digests", "send_pending"]
