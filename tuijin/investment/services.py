"""Investment workflows: set and split plans, save/submit/review monthly reports, photos, reminders.

Pages, the API, the CLI and the importers all call these: one rule, one place. Errors are ValidationError
keyed by field (messages are English msgids, shown in Chinese) or PermissionDenied; a refused call writes nothing.
"""

from __future__ import annotations

import datetime
import io
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.accounts.choices import Role
from tuijin.core.changelog import build_record, bulk_records
from tuijin.core.choices import ChangeAction
from tuijin.core.fields import CENT, to_money
from tuijin.core.permissions import Action, can
from tuijin.projects.models import Project

from .choices import COUNTED_STATUSES, EDITABLE_STATUSES, PENDING_STATUSES, ReminderKind, ReportStatus, SplitMethod
from .models import MONTH_FIELDS, AnnualPlan, MonthlyReport, ReportPhoto, ReportReminder, SeasonalProfile
from .seasonal import fresh_profiles, measure
from .selectors import rule_of, rules_for
from .split import split_by_weights, split_even

MAX_PHOTOS = 9
PHOTO_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}
THUMBNAIL_SIZE = (480, 480)


def photo_max_bytes() -> int:
    return int(getattr(settings, "TUIJIN_REPORT_PHOTO_MAX_BYTES", 10 * 1024 * 1024))


# ---- who may do what ----


def _is_office(user, obj) -> bool:
    """The project office (admin role) or a superuser, with `obj` in scope."""
    if user is None or not user.is_authenticated:
        return False
    return (user.is_superuser or user.role == Role.ADMIN) and can(user, Action.CHANGE, obj)


def project_may_report(user, project: Project) -> bool:
    """An enterprise user reports for its own enterprise's projects; the office for any project in scope."""
    if user is None:  # the CLI and jobs act as the system
        return True
    if not user.is_authenticated:
        return False
    if user.role == Role.ENTERPRISE and not user.is_superuser:
        # restrict() on Project gives exactly the enterprise's own projects within its region. A project the API
        # has just read through it for this very user (core.api_auth.visible_or_404 marks it) is not read again.
        if getattr(project, "_viewable_by", None) is user:
            return True
        return Project.objects.restrict(user, Action.VIEW).filter(pk=project.pk).exists()
    return _is_office(user, project)


def report_may_edit(user, report: MonthlyReport) -> bool:
    """May `user` change this report's figures (or submit it)? Its project must be theirs to report on, and the
    report must be a draft, returned or reopened (an accepted month is read-only until the office reopens it)."""
    return report.status in EDITABLE_STATUSES and project_may_report(user, report.project)


def report_may_review(user, report: MonthlyReport) -> bool:
    """Return, accept and reopen are the project office's (admin in scope, or a superuser)."""
    return user is None or _is_office(user, report.project)


def plan_may_set(user, project: Project) -> bool:
    return user is None or _is_office(user, project)


# ---- plans ----


def _months_for(plan: AnnualPlan, method: str, months: list | None) -> list[Decimal]:
    if method == SplitMethod.EVEN:
        return split_even(plan.amount)
    if method == SplitMethod.SEASONAL:
        profile = fresh_profiles([plan.project.region_id], plan.year)[plan.project.region_id]
        return split_by_weights(plan.amount, profile.shares)
    if method == SplitMethod.MANUAL:
        if months is None or len(months) != 12:
            raise ValidationError({"months": _("Give twelve monthly targets, January to December.")})
        try:
            values = [to_money(m) for m in months]
        except ValidationError as exc:
            raise ValidationError({"months": exc.messages}) from exc
        if any(v is None for v in values):
            raise ValidationError({"months": _("Give twelve monthly targets, January to December.")})
        if any(v < 0 for v in values):
            raise ValidationError({"months": _("A monthly target cannot be negative.")})
        if sum(values) != plan.amount:
            raise ValidationError(
                {
                    "months": _(
                        "The twelve monthly targets add up to %(sum)s 万元, not the annual plan of %(amount)s 万元."
                    )
                    % {"sum": sum(values), "amount": plan.amount}
                }
            )
        return values
    raise ValidationError({"split": _("Unknown split method “%(m)s”.") % {"m": method}})


@transaction.atomic
def plan_set(
    *, project: Project, year: int, amount, split: str | None = None, months: list | None = None, user=None
) -> AnnualPlan:
    """Set a project's annual plan (万元) and split it. `split` None keeps a seasonal or manual split's method
    (seasonal is recomputed; manual falls back to even when the amount changed); a new plan splits evenly."""
    if not plan_may_set(user, project):
        raise PermissionDenied
    try:
        value = to_money(amount)
    except ValidationError as exc:
        raise ValidationError({"amount": exc.messages}) from exc
    if value is None:
        raise ValidationError({"amount": _("Give the annual plan in 万元.")})
    if value < 0:
        raise ValidationError({"amount": _("The annual plan cannot be negative.")})
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": _("Not a plausible year: %(year)s.") % {"year": year}})
    plan = AnnualPlan.objects.select_for_update().filter(project=project, year=year).first()
    if plan is None:
        plan = AnnualPlan(project=project, year=year)
    method = split or (plan.split_method if plan.pk else SplitMethod.EVEN)
    if method == SplitMethod.MANUAL and months is None:
        method = SplitMethod.MANUAL if (plan.pk and plan.amount == value and plan.split_is_valid) else SplitMethod.EVEN
    plan.amount = value
    if not (method == SplitMethod.MANUAL and months is None):
        plan.months = _months_for(plan, method, months)
    plan.split_method = method
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_split(*, plan: AnnualPlan, method: str, months: list | None = None, user=None) -> AnnualPlan:
    """Re-split a plan: even, seasonal (the zone's profile) or manual (twelve targets summing to the amount)."""
    if not plan_may_set(user, plan.project):
        raise PermissionDenied
    plan.months = _months_for(plan, method, months)
    plan.split_method = method
    plan.full_clean()
    plan.save()
    return plan


def plan_ensure_split(plan: AnnualPlan) -> bool:
    """Split `plan` evenly when its months are missing or no longer sum to its amount (after the ledger importer
    wrote the amount). Saves (with a change record) only when it changed something."""
    if plan.ensure_split():
        plan.save()
        return True
    return False


def plans_ensure_split(plans) -> int:
    """`plan_ensure_split` for many plans at once (bulk update with one change record each); returns how many."""
    changed = []
    records = []
    now = timezone.now()
    for plan in plans:
        before = {f: str(getattr(plan, f)) if getattr(plan, f) is not None else None for f in MONTH_FIELDS}
        before["split_method"] = plan.split_method
        if plan.ensure_split():
            plan.last_updated = now
            changed.append(plan)
            after = {f: str(getattr(plan, f)) for f in MONTH_FIELDS} | {"split_method": plan.split_method}
            records.append((plan, before, after))
    if changed:
        with transaction.atomic():
            AnnualPlan.objects.bulk_update(changed, [*MONTH_FIELDS, "split_method", "last_updated"], batch_size=500)
            bulk_records([build_record(p, ChangeAction.UPDATE, b, a) for p, b, a in records])
    return len(changed)


def seasonal_profile_refresh(*, year: int | None = None) -> int:
    """Measure every zone's own monthly shares from its complete years of reports before `year` (default: this
    year) and keep them on its SeasonalProfile, so statistics need not scan the reports. Returns zones measured."""
    from tuijin.regions.models import Region

    year = year or timezone.localdate().year
    zone_ids = list(Region.objects.filter(projects__isnull=False).values_list("pk", flat=True).distinct())
    measured = measure(zone_ids, year)
    for rid, profile in measured.items():
        sp = SeasonalProfile.objects.filter(region_id=rid).first() or SeasonalProfile(region_id=rid)
        shares = [round(s, 6) for s in profile.shares]
        if sp.derived != shares or sp.derived_years != list(profile.years):
            sp.derived, sp.derived_years = shares, list(profile.years)
            sp.save()
    return len(measured)


# ---- monthly reports ----


def _parse_invested(value) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError({"invested": _("“%(value)s” is not an amount.") % {"value": value}})
    try:
        amount = to_money(value)
    except ValidationError as exc:
        raise ValidationError({"invested": exc.messages}) from exc
    if amount is None:
        raise ValidationError({"invested": _("Give the amount invested this month in 万元.")})
    if not amount.is_finite():
        raise ValidationError({"invested": _("“%(value)s” is not an amount.") % {"value": value}})
    if amount < 0:
        raise ValidationError({"invested": _("The amount invested cannot be negative.")})
    return amount


def _check_month(year: int, month: int, today: datetime.date) -> None:
    if not 1 <= int(month) <= 12:
        raise ValidationError({"month": _("The month must be 1 to 12.")})
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": _("Not a plausible year: %(year)s.") % {"year": year}})
    if (int(year), int(month)) > (today.year, today.month):
        raise ValidationError(
            {
                "month": _("%(year)s-%(month)02d is in the future: a month is reported once it has begun.")
                % {"year": int(year), "month": int(month)}
            }
        )


def check_total_investment(
    project: Project, new_invested: Decimal, report: MonthlyReport | None, *, year: int | None = None, month=None
) -> dict:
    """Refuse a figure that would take the cumulative investment since start above the project's total
    investment, giving both numbers (the office raises the total first when the project really grew).

    Returns, from the same single query, the counted investment of the project's other reports before
    `year`-`month` (default: the report's): {"in_year": …, "since_start": …}, what `set_cumulative` needs."""
    year = report.year if year is None else year
    month = report.month if month is None else month
    sums = _report_sums(project.pk, year, month, exclude=report.pk if report is not None else None)
    since_start = sums["s"] + new_invested
    if since_start > project.total_investment:
        raise ValidationError(
            {
                "invested": _(
                    "Cumulative investment since start would be %(cumulative)s 万元, above the project's total "
                    "investment of %(total)s 万元. Ask the project office to raise the total investment first."
                )
                % {"cumulative": since_start, "total": project.total_investment}
            }
        )
    return {"in_year": sums["in_year"], "since_start": sums["since_start"]}


def _report_sums(project_id: int, year: int, month: int, *, exclude: int | None) -> dict[str, Decimal]:
    """One statement over a project's reports but `exclude`: all of them ("s", the total-investment check), and the
    counted ones before `year`-`month`, since start and this year (the cumulative figures). Written out (money in
    hundredths, as MoneyField stores it): it runs in every submission, where the ORM's filtered aggregate was a
    tenth of the request's CPU."""
    table = MonthlyReport._meta.db_table
    counted = sorted(COUNTED_STATUSES)
    in_counted = ", ".join(["%s"] * len(counted))
    before = f"status IN ({in_counted}) AND (year < %s OR (year = %s AND month < %s))"
    sql = f"""
        SELECT COALESCE(SUM(invested), 0),
               COALESCE(SUM(CASE WHEN {before} THEN invested END), 0),
               COALESCE(SUM(CASE WHEN {before} AND year = %s THEN invested END), 0)
        FROM {table} WHERE project_id = %s AND id <> %s"""  # noqa: S608 - the table's name only
    params = [*counted, year, year, month, *counted, year, year, month, year, project_id, exclude or 0]
    with connections[router.db_for_write(MonthlyReport)].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return dict(zip(("s", "since_start", "in_year"), (_from_hundredths(v) for v in row), strict=True))


def _from_hundredths(value) -> Decimal:
    return (Decimal(int(value)) / 100).quantize(CENT)


def set_cumulative(report: MonthlyReport, before: dict) -> MonthlyReport:
    """Give `report` the `year_to_date` and `since_start` that `selectors.annotate_cumulative` would (the counted
    reports of its project before it, plus its own figure), from `check_total_investment`'s sums: the API answers
    with them without reading the reports again."""
    report.year_to_date = before["in_year"] + report.invested
    report.since_start = before["since_start"] + report.invested
    return report


def report_save(
    *,
    user,
    project: Project,
    year: int,
    month: int,
    invested,
    progress_note: str | None = None,
    workers: int | None = None,
    difficulties: str | None = None,
    submit: bool = False,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> MonthlyReport:
    """Create or edit the one report of `project` for `year`-`month` (a second report for the same month edits the
    first; the change log keeps what it said before). Fields left None keep their stored value.

    With `submit`, the same write also submits it (`_mark_submitted`, as `report_submit` does, at `now`): one
    transaction, one save, one change record — the figures, the total-investment check and who may report are
    checked once, for both.

    The report returned carries its cumulative figures (`set_cumulative`) and `just_created` (True when this call
    created it)."""
    if submit:
        now = now or timezone.now()
    today = today or timezone.localdate()
    amount = _parse_invested(invested)
    try:
        year, month = int(year), int(month)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"month": _("Not a month.")}) from exc
    _check_month(year, month, today)
    if submit:  # submitting checks the month against the moment of submission (as report_submit does)
        _check_month(year, month, timezone.localtime(now).date())
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 0):
        raise ValidationError({"workers": _("Workers on site must be a whole number, not negative.")})
    if not project_may_report(user, project):
        raise PermissionDenied(_("You may report only on your own enterprise's projects."))
    for attempt in range(2):
        try:
            with transaction.atomic():
                # One writer per project (the lock is what matters: read only its key). Both reads find one row at
                # most: no ordering (the reports' default one would join the project to sort by its code).
                list(Project.objects.select_for_update().filter(pk=project.pk).order_by().values_list("pk", flat=True))
                report = MonthlyReport.objects.filter(project=project, year=year, month=month).order_by().first()
                if report is None:
                    report = MonthlyReport(project=project, year=year, month=month)
                elif report.status not in EDITABLE_STATUSES:
                    raise ValidationError(
                        {
                            "__all__": _(
                                "The report for %(year)s-%(month)02d is %(status)s and cannot be changed now%(hint)s."
                            )
                            % {
                                "year": year,
                                "month": month,
                                "status": report.get_status_display(),
                                "hint": _(": ask the project office to reopen it")
                                if report.status == ReportStatus.ACCEPTED
                                else "",
                            }
                        }
                    )
                report.project = project  # the same row, already loaded (its region gives the change scope)
                # report_may_edit holds here: the project is the user's to report on (checked above) and the
                # report is editable (checked just now).
                before = check_total_investment(project, amount, report, year=year, month=month)
                report.invested = amount
                if progress_note is not None:
                    report.progress_note = progress_note.strip()
                if workers is not None:
                    report.workers = workers
                if difficulties is not None:
                    report.difficulties = difficulties.strip()
                # The fields' own checks and clean(); the constraints (one per month, not negative, month 1-12)
                # and the project were all checked above, and the database enforces them again on save.
                report.full_clean(validate_unique=False, validate_constraints=False, exclude=["project"])
                if submit:
                    _mark_submitted(report, now)
                just_created = report.pk is None
                report.save()
                if submit:
                    _resolve_reminders(report)
                report.just_created = just_created
                return set_cumulative(report, before)
        except IntegrityError:
            if attempt:  # someone created the same month at the same moment: edit theirs
                raise
    raise AssertionError("unreachable")


def report_file(
    *,
    user,
    project: Project,
    year: int,
    month: int,
    invested,
    progress_note: str | None = None,
    workers: int | None = None,
    difficulties: str | None = None,
    photos=(),
    submit: bool = False,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> MonthlyReport:
    """The reporting page's one write: save the month's figures (`report_save`), attach the new photos
    (`photo_add`) and, when `submit`, submit it — all or nothing. On any refusal the database is rolled back and
    the photo files already stored by this call are deleted, so nothing is stored.

    Without new photos the save submits too (`report_save(submit=True)`: one save, one change record); photos
    are attached to the report while it is still editable, so with photos it is submitted after them
    (`report_submit`)."""
    photos = list(photos)
    existing = (
        ReportPhoto.objects.filter(report__project=project, report__year=year, report__month=month).count()
        if photos
        else 0
    )
    if existing + len(photos) > MAX_PHOTOS:
        raise ValidationError(
            {
                "file": _("A report holds at most %(n)s photos: it has %(have)s and %(new)s more were chosen.")
                % {"n": MAX_PHOTOS, "have": existing, "new": len(photos)}
            }
        )
    stored: list[str] = []
    try:
        with transaction.atomic():
            report = report_save(
                user=user,
                project=project,
                year=year,
                month=month,
                invested=invested,
                progress_note=progress_note,
                workers=workers,
                difficulties=difficulties,
                submit=submit and not photos,
                today=today,
                now=now,
            )
            for upload in photos:
                try:
                    photo = photo_add(user=user, report=report, upload=upload)
                except ValidationError as exc:  # say which of the chosen photos it was
                    name = getattr(upload, "name", "") or "?"
                    raise ValidationError(
                        {"file": [_("%(name)s: %(error)s") % {"name": name, "error": m} for m in exc.messages]}
                    ) from exc
                stored += [photo.image.name, photo.thumbnail.name]
            if submit and photos:
                report_submit(user=user, report=report, now=now)
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return report


def _locked(report: MonthlyReport) -> MonthlyReport:
    return MonthlyReport.objects.select_for_update().select_related("project", "project__region").get(pk=report.pk)


def _refresh_from(report: MonthlyReport, fresh: MonthlyReport) -> MonthlyReport:
    report.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_state")})
    return report


@transaction.atomic
def report_submit(*, user, report: MonthlyReport, now: datetime.datetime | None = None) -> MonthlyReport:
    """Draft → submitted; returned or reopened → resubmitted. The first submission after the zone's window is
    accepted and marked late."""
    now = now or timezone.now()
    fresh = _locked(report)
    if fresh.status not in EDITABLE_STATUSES:
        raise ValidationError(
            {
                "__all__": _("Only a draft, returned or reopened report can be submitted; this one is %(status)s.")
                % {"status": fresh.get_status_display()}
            }
        )
    if not report_may_edit(user, fresh):
        raise PermissionDenied
    _check_month(fresh.year, fresh.month, timezone.localtime(now).date())
    before = check_total_investment(fresh.project, fresh.invested, fresh)
    _mark_submitted(fresh, now)
    fresh.save()
    _resolve_reminders(fresh)
    return set_cumulative(_refresh_from(report, fresh), before)


def _mark_submitted(report: MonthlyReport, now: datetime.datetime) -> None:
    """The submission's change of state, in one place (`report_submit`, `report_save(submit=True)`), on an
    editable report the caller has locked and checked: draft → submitted, returned or reopened → resubmitted. The
    first submission stamps `submitted_at` and is late when it comes after the zone's window; a resubmission keeps
    both. The caller saves, then resolves the month's reminders (`_resolve_reminders`)."""
    if report.submitted_at is None:
        rule = rule_of(report.project.region)
        report.submitted_at = now
        report.late = timezone.localtime(now).date() > rule.due_date(report.year, report.month)
    report.status = ReportStatus.SUBMITTED if report.status == ReportStatus.DRAFT else ReportStatus.RESUBMITTED


@transaction.atomic
def _review(*, user, report: MonthlyReport, allowed: frozenset, refused: str, change) -> MonthlyReport:
    """The office's transitions (return, accept, reopen) in one shape: lock the row, check who (403) and from which
    state (`refused` % status), let `change` check its own input and set the new state, stamp the reviewer and
    save (one change record), then bring the caller's object up to date."""
    fresh = _locked(report)
    if not report_may_review(user, fresh):
        raise PermissionDenied
    if fresh.status not in allowed:
        raise ValidationError({"__all__": refused % {"status": fresh.get_status_display()}})
    change(fresh)
    fresh.reviewed_by = user
    fresh.reviewed_at = timezone.now()
    fresh.save()
    return _refresh_from(report, fresh)


def report_return(*, user, report: MonthlyReport, opinion: str) -> MonthlyReport:
    """The office sends a submitted report back with its opinion; the return count goes up."""

    def change(fresh: MonthlyReport) -> None:
        if not (opinion or "").strip():
            raise ValidationError({"opinion": _("Say what to correct: the opinion is required.")})
        fresh.status = ReportStatus.RETURNED
        fresh.return_count += 1
        fresh.review_opinion = opinion.strip()

    return _review(
        user=user,
        report=report,
        allowed=PENDING_STATUSES,
        refused=_("Only a submitted report can be returned; this one is %(status)s."),
        change=change,
    )


def report_accept(*, user, report: MonthlyReport, opinion: str = "") -> MonthlyReport:
    """The office accepts a submitted report: the month becomes read-only."""

    def change(fresh: MonthlyReport) -> None:
        fresh.status = ReportStatus.ACCEPTED
        if (opinion or "").strip():
            fresh.review_opinion = opinion.strip()

    return _review(
        user=user,
        report=report,
        allowed=PENDING_STATUSES,
        refused=_("Only a submitted report can be accepted; this one is %(status)s."),
        change=change,
    )


def report_reopen(*, user, report: MonthlyReport, reason: str) -> MonthlyReport:
    """The office reopens an accepted month for correction (recorded: reason, who, when, count)."""

    def change(fresh: MonthlyReport) -> None:
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Give the reason for reopening.")})
        fresh.status = ReportStatus.REOPENED
        fresh.reopen_count += 1
        fresh.review_opinion = reason.strip()

    return _review(
        user=user,
        report=report,
        allowed=frozenset({ReportStatus.ACCEPTED}),
        refused=_("Only an accepted report can be reopened; this one is %(status)s."),
        change=change,
    )


@transaction.atomic
def report_delete(*, user, report: MonthlyReport) -> None:
    """Delete a draft (a report once submitted stays, to keep the record)."""
    fresh = _locked(report)
    if fresh.status != ReportStatus.DRAFT:
        raise ValidationError({"__all__": _("Only a draft can be deleted.")})
    if not report_may_edit(user, fresh):
        raise PermissionDenied
    for photo in fresh.photos.all():
        photo_delete(user=user, photo=photo)
    fresh.delete()


# ---- photos ----


def _process_image(data: bytes) -> tuple[bytes, bytes, str, int, int]:
    """Re-encode the image without EXIF or any other metadata (GPS!), upright; and a JPEG thumbnail."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            if fmt not in PHOTO_FORMATS:
                raise ValidationError({"file": _("Only JPEG and PNG photos are accepted.")})
            img.load()
            img = ImageOps.exif_transpose(img)
            if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            clean = Image.new(img.mode, img.size)  # a fresh image: no info, no EXIF, no ICC, no text chunks
            clean.paste(img)
            if img.mode == "P" and img.getpalette():
                clean.putpalette(img.getpalette())
            out = io.BytesIO()
            if fmt == "JPEG":
                clean.save(out, "JPEG", quality=88, optimize=True)
            else:
                clean.save(out, "PNG", optimize=True)
            thumb = clean.convert("RGB")
            thumb.thumbnail(THUMBNAIL_SIZE)
            tout = io.BytesIO()
            thumb.save(tout, "JPEG", quality=80)
            return out.getvalue(), tout.getvalue(), fmt, clean.width, clean.height
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        raise ValidationError({"file": _("Only JPEG and PNG photos are accepted.")}) from exc


def photo_add(*, user, report: MonthlyReport, upload) -> ReportPhoto:
    """Attach a site photo (JPEG/PNG, size-limited, at most nine per report), stored through Django's storage."""
    if not report_may_edit(user, report):
        raise PermissionDenied
    limit = photo_max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {
                "file": _("The photo is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": round(size / 1048576, 1), "limit": round(limit / 1048576, 1)}
            }
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            {"file": _("The photo is larger than %(limit)s MB.") % {"limit": round(limit / 1048576, 1)}}
        )
    if report.photos.count() >= MAX_PHOTOS:
        raise ValidationError({"file": _("A report holds at most %(n)s photos.") % {"n": MAX_PHOTOS}})
    image, thumb, fmt, width, height = _process_image(data)
    ext = PHOTO_FORMATS[fmt][0]
    stem = uuid.uuid4().hex
    photo = ReportPhoto(
        report=report,
        original_name=(getattr(upload, "name", "") or "")[:200],
        width=width,
        height=height,
        size=len(image),
    )
    saved: list[str] = []
    try:
        with transaction.atomic():
            MonthlyReport.objects.select_for_update().filter(pk=report.pk).first()
            if report.photos.count() >= MAX_PHOTOS:
                raise ValidationError({"file": _("A report holds at most %(n)s photos.") % {"n": MAX_PHOTOS}})
            photo.image.save(f"{stem}.{ext}", ContentFile(image), save=False)
            saved.append(photo.image.name)
            photo.thumbnail.save(f"{stem}_thumb.jpg", ContentFile(thumb), save=False)
            saved.append(photo.thumbnail.name)
            photo.save()
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise
    return photo


def photo_delete(*, user, photo: ReportPhoto) -> None:
    """Remove a photo while its report may be edited; the files go once the deletion is committed."""
    if not report_may_edit(user, photo.report):
        raise PermissionDenied
    names = [photo.image.name, photo.thumbnail.name]
    with transaction.atomic():
        photo.delete()
        transaction.on_commit(lambda: [default_storage.delete(n) for n in names if n])


# ---- reminders ----


def reports_missing(region, year: int, month: int):
    """Projects in `region`'s subtree (None: everywhere) with a positive plan for `year` that have not reported
    `month` (no report, or only a draft). A queryset, for the office's "who has not reported" list."""
    reported = MonthlyReport.objects.filter(project=OuterRef("pk"), year=year, month=month).exclude(
        status=ReportStatus.DRAFT
    )
    qs = Project.objects.filter(annual_plans__year=year, annual_plans__amount__gt=0)
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    return qs.filter(~Exists(reported)).order_by("code")


def _resolve_reminders(report: MonthlyReport) -> None:
    ReportReminder.objects.filter(
        project_id=report.project_id, year=report.year, month=report.month, resolved_at__isnull=True
    ).update(resolved_at=timezone.now())


def _remind(project_id: int, year: int, month: int, kind: str, due: datetime.date) -> bool:
    """Open (or re-open) the one reminder for this project-month and kind; True when it was not open before."""
    reminder = ReportReminder.objects.filter(project_id=project_id, year=year, month=month, kind=kind).first()
    if reminder is None:
        ReportReminder.objects.create(project_id=project_id, year=year, month=month, kind=kind, due_on=due)
        return True
    if reminder.resolved_at is not None:
        reminder.resolved_at = None
        reminder.save(update_fields=["resolved_at"])
        return True
    return False


def reminders_refresh(*, as_of: datetime.date, months_back: int = 3) -> dict:
    """Daily: mark the reports missing after their zone's window (in the last `months_back` months) and the
    returned reports still to correct; resolve the reminders whose report has come in. Returns counts."""
    months = []
    y, m = as_of.year, as_of.month
    for _i in range(months_back):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        months.append((y, m))
    created = 0
    still_open: set[tuple] = set()
    for y, m in months:
        missing = list(reports_missing(None, y, m).values_list("pk", "region_id"))
        rules = rules_for({rid for _p, rid in missing})
        for pid, rid in missing:
            due = rules[rid].due_date(y, m)
            if as_of > due:
                still_open.add((pid, y, m, ReminderKind.MISSING))
                created += _remind(pid, y, m, ReminderKind.MISSING, due)
    returned = list(
        MonthlyReport.objects.filter(status=ReportStatus.RETURNED).values_list(
            "project_id", "year", "month", "project__region_id"
        )
    )
    rules = rules_for({r[3] for r in returned})
    for pid, y, m, rid in returned:
        still_open.add((pid, y, m, ReminderKind.RETURNED))
        created += _remind(pid, y, m, ReminderKind.RETURNED, max(rules[rid].due_date(y, m), as_of))
    resolved = 0
    now = timezone.now()
    for reminder in ReportReminder.objects.filter(resolved_at__isnull=True):
        key = (reminder.project_id, reminder.year, reminder.month, reminder.kind)
        if key in still_open:
            continue
        if reminder.kind == ReminderKind.MISSING and (reminder.year, reminder.month) not in months:
            # Older than the window looked at today: resolve only once the report is in.
            reported = MonthlyReport.objects.filter(
                project_id=reminder.project_id, year=reminder.year, month=reminder.month
            ).exclude(status=ReportStatus.DRAFT)
            if not reported.exists():
                continue
        reminder.resolved_at = now
        reminder.save(update_fields=["resolved_at"])
        resolved += 1
    open_count = ReportReminder.objects.filter(resolved_at__isnull=True).count()
    return {"created": created, "resolved": resolved, "open": open_count}


def reminders_open(user):
    """The open reminders `user` may see: an enterprise its own projects', the office its zone's."""
    return (
        ReportReminder.objects.restrict(user, Action.VIEW)
        .filter(resolved_at__isnull=True)
        .select_related("project", "project__enterprise")
    )


@dataclass(frozen=True)
class Owed:
    """A report someone owes: `kind` ReminderKind.RETURNED (to correct, with the opinion) or MISSING."""

    project: Project
    year: int
    month: int
    kind: str
    due_on: datetime.date
    opinion: str = ""
    return_count: int = 0


def _recent_months(today: datetime.date, months_back: int = 3) -> list[tuple[int, int]]:
    """This year's months before the current one, and at least the last `months_back` (into last year)."""
    months = {(today.year, m) for m in range(1, today.month)}
    y, m = today.year, today.month
    for _i in range(months_back):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        months.add((y, m))
    return sorted(months)


def reports_owed(user, *, today: datetime.date | None = None) -> list[Owed]:
    """What `user` owes on the projects they see, most urgent first: the returned reports to correct (with the
    reviewer's opinion), then the months missing after their zone's window. Missing months are the daily job's
    open reminders plus the recent months found missing now (the job may not have run yet today): a project with
    a positive plan for the year and no report (or only a draft) once the window closed."""
    today = today or timezone.localdate()
    returned = list(
        MonthlyReport.objects.restrict(user, Action.VIEW)
        .filter(status=ReportStatus.RETURNED)
        .select_related("project")
        .order_by("year", "month", "project__code")
    )
    months = _recent_months(today)
    planned = list(
        AnnualPlan.objects.filter(
            project__in=Project.objects.restrict(user, Action.VIEW),
            year__in={y for y, _m in months},
            amount__gt=0,
        )
        .select_related("project")
        .order_by("project__code")
    )
    reminders = list(reminders_open(user).filter(kind=ReminderKind.MISSING))
    # Reported (not a draft) months among everything that might be owed: those are owed no more.
    candidates = {(p.project_id, y, m) for p in planned for y, m in months if y == p.year}
    candidates |= {(r.project_id, r.year, r.month) for r in reminders}
    reported = set(
        MonthlyReport.objects.filter(project_id__in={c[0] for c in candidates}, year__in={c[1] for c in candidates})
        .exclude(status=ReportStatus.DRAFT)
        .values_list("project_id", "year", "month")
    )
    rules = rules_for({r.project.region_id for r in returned} | {p.project.region_id for p in planned})
    owed: dict[tuple[int, int, int], Owed] = {}
    for r in returned:
        due = rules[r.project.region_id].due_date(r.year, r.month)
        owed[(r.project_id, r.year, r.month)] = Owed(
            r.project, r.year, r.month, ReminderKind.RETURNED, due, r.review_opinion, r.return_count
        )
    for plan in planned:
        for y, m in months:
            key = (plan.project_id, y, m)
            if y != plan.year or key in reported or key in owed:
                continue
            due = rules[plan.project.region_id].due_date(y, m)
            if today > due:
                owed[key] = Owed(plan.project, y, m, ReminderKind.MISSING, due)
    for reminder in reminders:
        key = (reminder.project_id, reminder.year, reminder.month)
        if key not in owed and key not in reported:
            owed[key] = Owed(reminder.project, reminder.year, reminder.month, ReminderKind.MISSING, reminder.due_on)
    return sorted(owed.values(), key=lambda o: (o.kind != ReminderKind.RETURNED, o.year, o.month, o.project.code))
