"""Run long work as a Job: a persistent row a user can watch, that says so when the process running it died.

`run_job(job, func)` calls `func(job)` now (settings.TUIJIN_JOB_RUNNER = "inline", used by tests) or in a daemon
thread of the web process ("thread"). The function returns the job's result (JSON-ready); an exception marks the
job failed with its message. While a threaded job runs, a second thread beats its heartbeat; a "running" job
whose heartbeat is older than STALE_AFTER is shown as failed, so nothing is silently lost.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import JobStatus
from .models import Job

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15
STALE_AFTER = datetime.timedelta(minutes=3)
FINISHED = (JobStatus.DONE, JobStatus.FAILED)


def run_job(job: Job, func: Callable[[Job], object]) -> Job:
    """Start `func(job)`; returns the job (already finished when the runner is "inline")."""
    runner = getattr(settings, "TUIJIN_JOB_RUNNER", "thread")
    if runner == "inline":
        _execute(job, func)
        return job
    if runner != "thread":
        raise ValueError(f"unknown TUIJIN_JOB_RUNNER {runner!r}")
    thread = threading.Thread(target=_execute_in_thread, args=(job.pk, func), name=f"tuijin-job-{job.pk}", daemon=True)
    thread.start()
    return job


def _execute_in_thread(pk: int, func: Callable[[Job], object]) -> None:
    close_old_connections()
    stop = threading.Event()
    beat = threading.Thread(target=_beat, args=(pk, stop), name=f"tuijin-job-{pk}-heartbeat", daemon=True)
    try:
        job = Job.objects.get(pk=pk)
        beat.start()
        _execute(job, func)
    except Exception:  # the job row itself could not be read: nothing to record it on
        logger.exception("job %s could not run", pk)
    finally:
        stop.set()
        connection.close()


def _beat(pk: int, stop: threading.Event) -> None:
    """Touch the heartbeat while the job runs; stops with the process, which is the point."""
    try:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                Job.objects.filter(pk=pk, status=JobStatus.RUNNING).update(heartbeat=timezone.now())
            except Exception:  # a busy database: the next beat will do
                logger.debug("heartbeat of job %s skipped", pk, exc_info=True)
    finally:
        connection.close()


def _execute(job: Job, func: Callable[[Job], object]) -> None:
    now = timezone.now()
    job.status, job.started, job.heartbeat, job.error = JobStatus.RUNNING, now, now, ""
    job.save(update_fields=["status", "started", "heartbeat", "error"])
    try:
        result = func(job)
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        job.status, job.error = JobStatus.FAILED, str(exc) or exc.__class__.__name__
    else:
        job.status = JobStatus.DONE
        if result is not None:
            job.result = result
    job.finished = job.heartbeat = timezone.now()
    job.save(update_fields=["status", "error", "result", "finished", "heartbeat", "progress", "total"])


def progress_callback(job: Job, *, every: float = 0.5) -> Callable[[int, int], None]:
    """A `progress(done, total)` for long work: writes the job's progress (at most every `every` seconds)."""
    last = [0.0]

    def progress(done: int, total: int) -> None:
        job.progress, job.total = done, total
        now = timezone.now()
        if done < total and now.timestamp() - last[0] < every:
            return
        last[0] = now.timestamp()
        Job.objects.filter(pk=job.pk).update(progress=done, total=total, heartbeat=now)

    return progress


def is_stale(job: Job, now: datetime.datetime | None = None) -> bool:
    """Unfinished, and nothing has shown life for STALE_AFTER: the process running it stopped."""
    if job.status in FINISHED:
        return False
    last = job.heartbeat or job.started or job.created
    return last is not None and (now or timezone.now()) - last > STALE_AFTER


def refresh(job: Job) -> Job:
    """Mark a stale job failed (persistently), so every page shows the same state."""
    if is_stale(job):
        job.status = JobStatus.FAILED
        job.error = _("The process running this job stopped before it finished; start it again.")
        job.finished = timezone.now()
        Job.objects.filter(pk=job.pk).exclude(status__in=FINISHED).update(
            status=job.status, error=job.error, finished=job.finished
        )
    return job


def jobs_visible_to(user):
    """A user sees their own jobs; a superuser sees all."""
    if user is None or not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.all() if user.is_superuser else Job.objects.filter(user=user)
