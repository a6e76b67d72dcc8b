"""The job runner: status, progress and errors are on the job's row, and a job whose process died says so."""

import datetime
import threading

import pytest
from django.utils import timezone, translation

from tuijin.core.choices import JobStatus
from tuijin.core.jobs import STALE_AFTER, is_stale, jobs_visible_to, progress_callback, refresh, run_job
from tuijin.core.models import Job


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the pages' words in English (the msgids); Chinese is the default for users."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_inline_job_runs_now_and_keeps_its_result(zone):
    job = Job.objects.create(kind="test", user=zone["users"]["admin"])
    seen = []

    def work(j):
        seen.append(Job.objects.get(pk=j.pk).status)  # running while it works
        return {"answer": 42}

    run_job(job, work)
    job.refresh_from_db()
    assert seen == [JobStatus.RUNNING]
    assert job.status == JobStatus.DONE and job.result == {"answer": 42} and job.error == ""
    assert job.started <= job.finished and job.heartbeat == job.finished


def test_an_exception_fails_the_job_with_its_message(zone):
    job = Job.objects.create(kind="test")

    def work(j):
        raise RuntimeError("the disk is full")

    run_job(job, work)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "the disk is full" and job.finished is not None


def test_unknown_runner_is_refused(zone, settings):
    settings.TUIJIN_JOB_RUNNER = "celery"
    with pytest.raises(ValueError):
        run_job(Job.objects.create(kind="test"), lambda j: None)


@pytest.mark.django_db(transaction=True)
def test_thread_runner_runs_in_the_background(settings):
    settings.TUIJIN_JOB_RUNNER = "thread"
    job = Job.objects.create(kind="test")
    release = threading.Event()

    def work(j):
        release.wait(10)
        progress_callback(j, every=0)(3, 4)
        return {"ok": True}

    run_job(job, work)
    thread = next(t for t in threading.enumerate() if t.name == f"tuijin-job-{job.pk}")
    job.refresh_from_db()
    assert job.status in (JobStatus.PENDING, JobStatus.RUNNING)  # the request did not wait for it
    release.set()
    thread.join(10)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result == {"ok": True} and (job.progress, job.total) == (3, 4)


def test_progress_is_written_to_the_row(zone):
    job = Job.objects.create(kind="test", status=JobStatus.RUNNING)
    progress = progress_callback(job, every=3600)
    progress(10, 100)
    assert Job.objects.values_list("progress", "total").get(pk=job.pk) == (10, 100)
    progress(20, 100)  # within the interval: not written yet
    assert Job.objects.values_list("progress", "total").get(pk=job.pk) == (10, 100)
    progress(100, 100)  # the end is always written
    assert Job.objects.values_list("progress", "total").get(pk=job.pk) == (100, 100)
    assert Job.objects.get(pk=job.pk).heartbeat is not None


def test_percent(zone):
    assert Job(progress=250, total=1000).percent == 25
    assert Job(status=JobStatus.DONE).percent == 100
    assert Job(status=JobStatus.RUNNING).percent == 0


def test_a_silent_running_job_is_failed_when_looked_at(zone):
    now = timezone.now()
    fresh = Job.objects.create(kind="test", status=JobStatus.RUNNING, started=now, heartbeat=now)
    dead = Job.objects.create(
        kind="test",
        status=JobStatus.RUNNING,
        started=now - STALE_AFTER * 3,
        heartbeat=now - STALE_AFTER - datetime.timedelta(seconds=1),
    )
    done = Job.objects.create(kind="test", status=JobStatus.DONE, heartbeat=now - STALE_AFTER * 3)
    assert not is_stale(fresh) and is_stale(dead) and not is_stale(done)
    refresh(dead)
    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED and "stopped" in dead.error and dead.finished is not None
    refresh(fresh)
    refresh(done)
    assert Job.objects.get(pk=fresh.pk).status == JobStatus.RUNNING
    assert Job.objects.get(pk=done.pk).status == JobStatus.DONE


def test_a_pending_job_that_never_started_is_stale_too(zone):
    job = Job.objects.create(kind="test")
    Job.objects.filter(pk=job.pk).update(created=timezone.now() - STALE_AFTER * 2)
    job.refresh_from_db()
    assert is_stale(job)


def test_users_see_their_own_jobs_and_superusers_all(zone):
    users = zone["users"]
    mine = Job.objects.create(kind="test", user=users["admin"])
    theirs = Job.objects.create(kind="test", user=users["admin_out"])
    assert list(jobs_visible_to(users["admin"])) == [mine]
    assert list(jobs_visible_to(users["admin_out"])) == [theirs]
    assert set(jobs_visible_to(users["superuser"])) == {mine, theirs}
    from django.contrib.auth.models import AnonymousUser

    assert not jobs_visible_to(AnonymousUser()).exists()
