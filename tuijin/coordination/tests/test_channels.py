"""Notifications beyond the inbox: email to a real (local) SMTP server, WeCom and DingTalk robots posting to a
local HTTP receiver, the queue's retries with back-off, claims that never share a row, the daily digest."""

from __future__ import annotations

import base64
import datetime
import email
import email.policy
import hashlib
import hmac
import json
import re
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tuijin.accounts.choices import Role
from tuijin.coordination.channels import (
    claim,
    route_report_reminders,
    route_schedule_warnings,
    send_digests,
    send_pending,
)
from tuijin.coordination.choices import ChannelKind, DeliveryState, NotificationKind, TaskState
from tuijin.coordination.models import Channel, Delivery, Notification, Task
from tuijin.core.testing import user

from .helpers import new_task

D = datetime.date


# ---- a local SMTP server and a local HTTP receiver ----


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 (random port), with Django's SMTP backend pointed at it."""
    handler = _Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "tuijin@zone.example"
    yield handler
    controller.stop()


class Receiver(ThreadingHTTPServer):
    """Records every POST; answers with the next scripted status (200 + {"errcode": 0} once the script is out)."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.posts: list[dict] = []
        self.script: list[int] = []
        self.delay = 0.0
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def accepted(self) -> list[dict]:
        return [p for p in self.posts if p["status"] == 200]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's hook name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            status = self.server.script.pop(0) if self.server.script else 200
            parsed = urllib.parse.urlsplit(self.path)
            self.server.posts.append(
                {
                    "path": parsed.path,
                    "query": urllib.parse.parse_qs(parsed.query),
                    "raw_query": parsed.query,
                    "json": json.loads(body),
                    "content_type": self.headers["Content-Type"],
                    "status": status,
                }
            )
        if self.server.delay:
            time.sleep(self.server.delay)
        if status == -1:
            status, answer = 200, {"errcode": 310000, "errmsg": "sign not match"}
        else:
            answer = {"errcode": 0, "errmsg": "ok"} if status == 200 else {"error": "boom"}
        answer = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _unit_channel(z, kind, address, secret=""):
    return Channel.objects.create(kind=kind, organization=z["department"], address=address, secret=secret)


# ---- email ----


def test_email_goes_out_through_a_real_smtp_server_once(co, smtp):
    dept_user = co["users"]["department"]
    dept_user.email = "dept@zone.example"
    dept_user.save()
    Channel.objects.create(kind=ChannelKind.EMAIL, user=dept_user)  # blank address: the user's own email

    task = new_task(co, content="协调办理施工许可证")

    # The service only queued the message: nothing has been sent yet.
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 0
    assert delivery.key == f"task:{task.pk}:assigned"
    assert smtp.messages == []

    result = send_pending()
    assert (result.sent, result.retrying, result.failed) == (1, 0, 0)
    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    assert envelope.rcpt_tos == ["dept@zone.example"]
    assert envelope.mail_from == "tuijin@zone.example"
    mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert mail["Subject"].strip() == "New task for 经开区发展改革局, due 2023-03-31"
    assert mail["To"] == "dept@zone.example"
    assert mail.get_content().replace("\r\n", "\n") == f"协调办理施工许可证\n\n/coordination/tasks/{task.pk}/\n"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.sent_at is not None and delivery.attempts == 1

    # Running the sender again sends nothing.
    assert send_pending().sent == 0
    assert len(smtp.messages) == 1


# ---- group robots ----


def test_wecom_robot_gets_one_markdown_message_per_unit(co, receiver):
    user("dept_jk_2", Role.DEPARTMENT, co["regions"]["jingkai"], co["department"])  # a second user of the unit
    _unit_channel(co, ChannelKind.WECOM, receiver.url("/cgi-bin/webhook/send?key=robot-key-1"))

    task = new_task(co, content="协调办理施工许可证")
    assert Notification.objects.filter(key=f"task:{task.pk}:assigned").count() == 2  # both users' inboxes

    assert send_pending().sent == 1
    assert len(receiver.posts) == 1  # the unit's group hears it once, not once per user
    post = receiver.posts[0]
    assert post["path"] == "/cgi-bin/webhook/send" and post["query"] == {"key": ["robot-key-1"]}
    assert post["content_type"].startswith("application/json")
    assert post["json"]["msgtype"] == "markdown"
    content = post["json"]["markdown"]["content"]
    assert content.startswith("**New task for 经开区发展改革局")
    assert "协调办理施工许可证" in content
    assert f"/coordination/tasks/{task.pk}/" in content


def test_dingtalk_robot_url_is_signed_and_the_signature_checks(co, receiver):
    secret = "SEC0123456789abcdef-测试"
    _unit_channel(co, ChannelKind.DINGTALK, receiver.url("/robot/send?access_token=tok-9"), secret=secret)
    new_task(co, content="协调办理施工许可证")

    before = int(time.time() * 1000)
    assert send_pending().sent == 1
    after = int(time.time() * 1000)

    post = receiver.posts[0]
    assert post["path"] == "/robot/send"
    assert post["query"]["access_token"] == ["tok-9"]
    timestamp = post["query"]["timestamp"][0]
    assert before <= int(timestamp) <= after
    # Recompute DingTalk's signature from the timestamp that arrived, as DingTalk does.
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert post["query"]["sign"] == [expected]
    raw_sign = post["raw_query"].split("sign=")[1].split("&")[0]
    assert re.fullmatch(r"[A-Za-z0-9%]+", raw_sign)  # base64's + / = arrive URL-encoded
    body = post["json"]
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"].startswith("New task for")
    assert "协调办理施工许可证" in body["markdown"]["text"]


# ---- failures, back-off, never twice ----


def test_a_failing_robot_is_retried_with_back_off_and_gets_the_message_exactly_once(co, receiver, settings):
    settings.TUIJIN_NOTIFY_BACKOFF_SECONDS = 60
    _unit_channel(co, ChannelKind.WECOM, receiver.url("/cgi-bin/webhook/send?key=k"))
    receiver.script = [500, 500]
    new_task(co)
    t0 = timezone.now()
    d = Delivery.objects.get()

    r = send_pending(now=t0)
    assert (r.sent, r.retrying) == (0, 1)
    d.refresh_from_db()
    assert (d.state, d.attempts, d.last_error) == (DeliveryState.PENDING, 1, "HTTP 500")
    assert d.next_attempt_at == t0 + datetime.timedelta(seconds=60)

    # Not due yet: nothing is tried.
    assert send_pending(now=t0 + datetime.timedelta(seconds=59)).as_dict()["sent"] == 0
    assert len(receiver.posts) == 1

    t1 = t0 + datetime.timedelta(seconds=60)
    assert send_pending(now=t1).retrying == 1
    d.refresh_from_db()
    assert d.attempts == 2 and d.next_attempt_at == t1 + datetime.timedelta(seconds=120)  # doubled

    t2 = t1 + datetime.timedelta(seconds=120)
    assert send_pending(now=t2).sent == 1
    d.refresh_from_db()
    assert (d.state, d.attempts, d.last_error) == (DeliveryState.SENT, 3, "")

    assert send_pending(now=t2 + datetime.timedelta(days=3)).sent == 0
    assert [p["status"] for p in receiver.posts] == [500, 500, 200]
    assert len(receiver.accepted()) == 1


def test_an_unreachable_robot_never_blocks_the_request_and_is_given_up_after_the_last_attempt(co, settings):
    settings.TUIJIN_NOTIFY_MAX_ATTEMPTS = 3
    _unit_channel(co, ChannelKind.WECOM, f"http://127.0.0.1:{_free_port()}/cgi-bin/webhook/send?key=k")

    started = time.monotonic()
    task = new_task(co)  # the service succeeds although the robot is unreachable
    assert time.monotonic() - started < 2
    assert Task.objects.filter(pk=task.pk).exists()
    d = Delivery.objects.get()
    assert (d.state, d.attempts) == (DeliveryState.PENDING, 0)

    now = timezone.now()
    for _i in range(3):
        now += datetime.timedelta(days=1)
        send_pending(now=now)
    d.refresh_from_db()
    assert (d.state, d.attempts) == (DeliveryState.FAILED, 3)
    assert "Connection refused" in d.last_error or "ConnectionRefused" in d.last_error
    assert send_pending(now=now + datetime.timedelta(days=5)).as_dict() == {
        "sent": 0,
        "retrying": 0,
        "failed": 0,
        "errors": [],
    }
    d.refresh_from_db()
    assert d.attempts == 3


def test_a_robot_answering_an_error_code_or_a_bad_url_is_a_failure(co, receiver):
    _unit_channel(co, ChannelKind.DINGTALK, receiver.url("/robot/send?access_token=t"))
    Channel.objects.create(kind=ChannelKind.WECOM, organization=co["department"], address="ftp://example.invalid/r")
    receiver.script = [-1]  # HTTP 200 but {"errcode": 310000}: DingTalk's answer to a bad signature
    new_task(co)
    r = send_pending()
    assert (r.sent, r.retrying) == (0, 2)
    errors = sorted(Delivery.objects.values_list("last_error", flat=True))
    assert errors == ["errcode 310000: sign not match", "not a webhook URL: ftp://example.invalid/r"]
    assert len(receiver.posts) == 1


def test_two_workers_claim_disjoint_rows_and_a_row_is_never_claimed_twice(co, receiver):
    _unit_channel(co, ChannelKind.WECOM, receiver.url("/w?key=a"))
    Channel.objects.create(kind=ChannelKind.DINGTALK, organization=co["department"], address=receiver.url("/d"))
    for i in range(3):
        new_task(co, content=f"任务{i}")
    assert Delivery.objects.count() == 6
    now = timezone.now()

    a = claim(limit=4, now=now, worker="A")
    b = claim(limit=10, now=now, worker="B")
    assert len(a) == 4 and len(b) == 2
    assert not {d.pk for d in a} & {d.pk for d in b}
    assert claim(limit=10, now=now, worker="C") == []
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENDING}

    # A worker that died keeps its rows until the lease runs out; then another takes them.
    later = now + datetime.timedelta(minutes=11)
    send_pending(now=later, worker="C")
    assert len(receiver.posts) == 6
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 6
    # The dead worker coming back cannot mark (or resend) rows another worker now owns.
    from tuijin.coordination.channels.queue import _mark_failed

    _mark_failed(a[0], "late", later)
    assert Delivery.objects.values_list("state", "last_error").get(pk=a[0].pk) == (DeliveryState.SENT, "")


def test_a_row_read_by_two_workers_is_taken_by_the_first_claim_only(co, receiver):
    """The race the conditional UPDATE closes (SQLite has no SKIP LOCKED): A reads the due rows, B claims them
    before A does; A's claim then takes nothing."""
    from tuijin.coordination.channels.queue import _candidates, _take

    _unit_channel(co, ChannelKind.WECOM, receiver.url("/w"))
    new_task(co)
    now = timezone.now()
    seen_by_a = _candidates(now, 10)
    assert len(seen_by_a) == 1
    assert [d.pk for d in claim(now=now, worker="B")] == seen_by_a
    assert _take(seen_by_a, now, "A") == []
    d = Delivery.objects.get()
    assert (d.claimed_by, d.attempts) == ("B", 1)


@pytest.mark.postgresql_only  # SQLite's shared in-memory test database locks whole tables across threads
@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_send_every_message_exactly_once(receiver):
    from tuijin.core.testing import small_zone

    from .helpers import coordination_zone

    z = coordination_zone(small_zone())
    _unit_channel(z, ChannelKind.WECOM, receiver.url("/w?key=a"))
    for i in range(12):
        new_task(z, content=f"任务{i}")
    assert Delivery.objects.count() == 12
    receiver.delay = 0.02
    results, errors = [], []

    def work(name):
        try:
            results.append(send_pending(batch=2, worker=name))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(r.sent for r in results) == 12
    titles = [p["json"]["markdown"]["content"] for p in receiver.posts]
    assert len(titles) == 12 and len(set(titles)) == 12
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 12


def test_the_same_event_is_queued_once_per_channel(co, receiver):
    _unit_channel(co, ChannelKind.WECOM, receiver.url("/w"))
    dept_user = co["users"]["department"]
    from tuijin.coordination.notifications import notify

    assert notify([dept_user], kind=NotificationKind.TASK, key="ev:1", title="一") == 1
    assert notify([dept_user], kind=NotificationKind.TASK, key="ev:1", title="一") == 0
    assert Delivery.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(channel=Channel.objects.get(), key="ev:1", title="x", next_attempt_at=timezone.now())
    assert Delivery.objects.count() == 1


def test_a_channel_belongs_to_a_unit_or_a_user_never_both_or_neither(co):
    with pytest.raises(IntegrityError), transaction.atomic():
        Channel.objects.create(kind=ChannelKind.WECOM, address="http://x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Channel.objects.create(
            kind=ChannelKind.WECOM, address="http://x", organization=co["department"], user=co["users"]["admin"]
        )
    assert Channel.objects.count() == 0


def test_inactive_channels_and_other_units_get_nothing(co, receiver):
    ch = _unit_channel(co, ChannelKind.WECOM, receiver.url("/w"))
    ch.active = False
    ch.save()
    Channel.objects.create(kind=ChannelKind.WECOM, organization=co["department2"], address=receiver.url("/other"))
    new_task(co)  # for co["department"] only
    assert Delivery.objects.count() == 0
    assert send_pending().sent == 0 and receiver.posts == []


# ---- the daily digest ----


def test_daily_digest_lists_due_and_overdue_items_once_per_user_and_day(co, receiver):
    _unit_channel(co, ChannelKind.WECOM, receiver.url("/w"))
    as_of = D(2023, 3, 20)
    overdue = new_task(co, content="逾期的任务", deadline=D(2023, 3, 15))
    soon = new_task(co, content="两天后到期", deadline=D(2023, 3, 22))
    new_task(co, content="月底到期", deadline=D(2023, 3, 31))  # beyond 3 days
    closed = new_task(co, content="已办结", deadline=D(2023, 3, 10))
    Task.objects.filter(pk=closed.pk).update(state=TaskState.CLOSED)
    coop = new_task(co, content="配合的任务", lead=co["department2"], coop=[co["department"]], deadline=as_of)
    Delivery.objects.all().delete()

    result = send_digests(as_of=as_of)
    dept_user = co["users"]["department"]
    digest = Notification.objects.get(user=dept_user, kind=NotificationKind.DIGEST)
    assert digest.key == "digest:2023-03-20"
    assert digest.title == "Daily digest 2023-03-20: 3 items due or overdue"
    lines = digest.body.splitlines()
    assert lines == [
        f"- Task #{overdue.pk} 逾期的任务 · 2023-03-15 · 5 days overdue",
        f"- Task #{coop.pk} 配合的任务 · 2023-03-20 · due today",
        f"- Task #{soon.pk} 两天后到期 · 2023-03-22 · due in 2 days",
    ]
    # department2 leads the cooperation task: its user gets a digest with that one line.
    other = Notification.objects.get(user=co["users"]["department2"], kind=NotificationKind.DIGEST)
    assert other.body.count("\n") == 0
    # Users whose unit has nothing due get none; users without a unit get none.
    assert not Notification.objects.filter(kind=NotificationKind.DIGEST, user=co["users"]["department_out"]).exists()
    assert not Notification.objects.filter(kind=NotificationKind.DIGEST, user=co["users"]["leader"]).exists()
    assert result.new == result.users == 2

    again = send_digests(as_of=as_of)
    assert again.new == 0 and again.users == 2
    assert Notification.objects.filter(kind=NotificationKind.DIGEST).count() == 2
    assert send_pending().sent == 1 and send_pending().sent == 0  # the unit robot: one digest
    assert "逾期的任务" in receiver.posts[0]["json"]["markdown"]["content"]

    assert send_digests(as_of=as_of + datetime.timedelta(days=1)).new == 2  # the next day is a new digest


def test_digest_and_send_commands(co, capsys):
    new_task(co, deadline=D(2023, 3, 15))
    call_command("digest", "--as-of", "2023-03-20", "--json", "--lang", "en")
    assert json.loads(capsys.readouterr().out) == {"users": 1, "new": 1}
    call_command("digest", "--as-of", "2023-03-20", "--lang", "en")
    assert "1 users with items due, 0 new messages" in capsys.readouterr().out

    before = Notification.objects.count()
    with pytest.raises(CommandError, match="Not a date"):
        call_command("digest", "--as-of", "20.3.2023", "--lang", "en")
    assert Notification.objects.count() == before

    call_command("send_notifications", "--json", "--lang", "en")
    assert json.loads(capsys.readouterr().out) == {"sent": 0, "retrying": 0, "failed": 0, "errors": []}


# ---- other apps' alerts ----


def test_report_reminders_and_red_warnings_reach_the_inbox_once(co):
    from tuijin.investment.models import ReportReminder

    project = co["projects"]["a"]
    ReportReminder.objects.create(project=project, year=2023, month=2, kind="missing", due_on=D(2023, 3, 10))
    assert route_report_reminders() == 1
    assert route_report_reminders() == 0
    msg = Notification.objects.get(kind=NotificationKind.REPORT)
    assert msg.user == co["users"]["enterprise"]
    assert msg.title == f"Monthly report 2023-02 of {project.name} is missing (due 2023-03-10)"

    payload = {
        "items": [
            {"project_id": project.pk, "node": "主体封顶", "level": "red", "days_late": 12, "responsible_unit": None},
            {"project_id": project.pk, "node": "开工", "level": "yellow", "days_late": 2, "responsible_unit": None},
        ]
    }
    assert route_schedule_warnings(payload, as_of=D(2023, 3, 20)) == 1  # the office of the zone
    assert route_schedule_warnings(payload, as_of=D(2023, 3, 21)) == 0
    warning = Notification.objects.get(kind=NotificationKind.WARNING)
    assert warning.user == co["users"]["admin"]
    assert warning.title == f"Red warning: {project.name} · 主体封顶, 12 days late"


# ---- setting channels up ----


def test_channels_command_adds_tests_lists_and_removes(co, receiver, capsys):
    url = receiver.url("/robot/send?access_token=t")
    unit = "经开区发展改革局"
    call_command("channels", "add", "dingtalk", "--unit", unit, "--address", url, "--secret", "SECabc", "--lang", "en")
    channel = Channel.objects.get()
    assert (channel.kind, channel.organization, channel.secret) == ("dingtalk", co["department"], "SECabc")
    assert f"Added channel {channel.pk}" in capsys.readouterr().out

    call_command("channels", "test", str(channel.pk), "--lang", "en")
    assert "The test message went out." in capsys.readouterr().out
    assert receiver.posts[0]["json"]["markdown"]["title"] == "tuijin test message"
    assert "sign" in receiver.posts[0]["query"]

    call_command("channels", "list", "--lang", "en")
    assert "dingtalk\t经开区发展改革局" in capsys.readouterr().out
    call_command("channels", "remove", str(channel.pk), "--lang", "en")
    assert not Channel.objects.exists()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["wecom", "--unit", "经开区发展改革局", "--address", "not a url"], "webhook URL"),
        (
            ["wecom", "--unit", "经开区发展改革局", "--address", "https://x.example/w", "--secret", "S"],
            "signing secret",
        ),
        (["email", "--unit", "经开区发展改革局"], "needs an address"),
        (["email", "--user", "dept_jk"], "has no email address"),
        (["email", "--user", "dept_jk", "--address", "nobody"], "Not an email address"),
        (["wecom", "--unit", "没有这个单位", "--address", "https://x.example/w"], "No such unit"),
    ],
)
def test_channels_command_refuses_what_could_not_work_and_writes_nothing(co, args, error):
    with pytest.raises(CommandError, match=error):
        call_command("channels", "add", *args, "--lang", "en")
    assert not Channel.objects.exists()


def test_a_failing_test_message_reports_the_error(co):
    channel = _unit_channel(co, ChannelKind.WECOM, f"http://127.0.0.1:{_free_port()}/w")
    with pytest.raises(CommandError, match="The test message failed: URLError"):
        call_command("channels", "test", str(channel.pk), "--lang", "en")
    assert not Delivery.objects.exists()
