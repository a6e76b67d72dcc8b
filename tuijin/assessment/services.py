"""Assessment workflows: compute (idempotent; a recompute replaces the draft), publish (freezes the scheme version;
the assessment becomes read-only), a new scheme version with a reason, indicators, adjustments (drafts only).

Who may: the project office (admin role) of the assessment's region or above, or a superuser; `user=None` is the
system (the CLI). A shipped scheme (no owner region) is changed by a superuser only. A refused step raises
PermissionDenied or ValidationError with a message, and writes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.accounts.choices import Role
from tuijin.core.bulk import insert_rows, insert_rows_with_ids
from tuijin.regions.models import Region

from . import engine
from .choices import AssessmentState, SubjectKind
from .formulas import Context
from .models import (
    Adjustment,
    Assessment,
    AssessmentPeriod,
    Indicator,
    Scheme,
    SchemeVersion,
    Score,
    ScoreItem,
)
from .periods import PeriodSpec, parse_period
from .rules import q2

INDICATOR_FIELDS = ("label", "group", "weight", "formula", "formula_params", "rule", "rule_params", "order")


# ---- who may ----


def is_office_of(user, region: Region) -> bool:
    """The system, a superuser, or the project office of `region` or of a region above it."""
    if user is None:
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.role == Role.ADMIN and user.region_id is not None and region.path.startswith(user.region.path)


def scheme_may_edit(user, scheme: Scheme) -> bool:
    if user is None or (user.is_authenticated and user.is_superuser):
        return True
    return scheme.region_id is not None and is_office_of(user, scheme.region)


def breakdown_visible(user, assessment: Assessment, subject_key: str) -> bool:
    """Everyone who sees an assessment sees its ranking; a subject's breakdown is shown to the office, to the
    leader it scores and to the users of the unit it scores."""
    if is_office_of(user, assessment.region):
        return True
    if assessment.subject_kind == SubjectKind.LEADERS:
        leader = getattr(user, "leader", None) if user.is_authenticated else None
        return leader is not None and str(leader.pk) == subject_key
    if assessment.subject_kind == SubjectKind.UNITS:
        return user.is_authenticated and user.organization_id is not None and str(user.organization_id) == subject_key
    return False


# ---- lookups that refuse bad input ----


def scheme_by_name(name: str) -> Scheme:
    scheme = Scheme.objects.filter(name=(name or "").strip()).first()
    if scheme is None:
        names = ", ".join(Scheme.objects.order_by("name").values_list("name", flat=True)) or "—"
        raise ValidationError(
            {"scheme": _("No assessment scheme “%(name)s”. Schemes: %(names)s.") % {"name": name, "names": names}}
        )
    return scheme


def _subject_kind(value: str | None, scheme: Scheme) -> str:
    kind = value or scheme.subject_kind
    if kind not in SubjectKind.values:
        raise ValidationError(
            {"subjects": _("Subjects are units, leaders or regions, not “%(value)s”.") % {"value": kind}}
        )
    return kind


def resolve_region(code: str | None, kind: str, user=None) -> Region:
    """The region whose subjects are scored: the one named, else the user's, else the root of the region tree."""
    if code:
        region = Region.objects.filter(code=code.strip()).first()
        if region is None:
            raise ValidationError({"region": _("No region with code %(code)s.") % {"code": code}})
    elif user is not None and not user.is_superuser and user.region_id:
        region = user.region
    else:
        roots = list(Region.objects.filter(parent__isnull=True)[:2])
        if len(roots) != 1:
            raise ValidationError({"region": _("Choose the region to assess (its code).")})
        region = roots[0]
    if kind == SubjectKind.REGIONS and not Region.objects.filter(parent=region).exists():
        raise ValidationError({"region": _("%(region)s has no regions below it to assess.") % {"region": region.name}})
    return region


def period_get_or_create(spec: PeriodSpec) -> AssessmentPeriod:
    period = AssessmentPeriod.objects.filter(key=spec.key).first()
    if period is None:
        period = AssessmentPeriod(kind=spec.kind, key=spec.key, start=spec.start, end=spec.end)
        period.full_clean()
        period.save()
    return period


def assessment_find(*, scheme: Scheme, period_key: str, region: Region, subjects: str) -> Assessment | None:
    """The assessment of the scheme's current version for that period, region and subjects, if computed."""
    spec = parse_period(period_key)
    version = scheme.current_version()
    if version is None:
        return None
    return (
        Assessment.objects.filter(version=version, period__key=spec.key, region=region, subject_kind=subjects)
        .select_related("version", "version__scheme", "period", "region")
        .first()
    )


# ---- compute ----


def _scored(assessment: Assessment, spec: PeriodSpec, today: datetime.date) -> list[engine.SubjectScore]:
    indicators = list(assessment.version.indicators.order_by("order", "id"))
    ctx = Context(period=spec, region=assessment.region, subject_kind=assessment.subject_kind, today=today)
    subjects = engine.evaluate(indicators, ctx)
    scheme = assessment.version.scheme
    return engine.finish(subjects, assessment.adjustments.all(), red=scheme.red_list_size, black=scheme.black_list_size)


def _store(assessment: Assessment, subjects: list[engine.SubjectScore]) -> None:
    ScoreItem.objects.filter(score__assessment=assessment).delete()
    Score.objects.filter(assessment=assessment).delete()
    scores = [
        Score(
            assessment=assessment,
            subject_key=s.key,
            subject_label=s.label[:200],
            base=s.base,
            adjustment=s.adjustment,
            total=s.total,
            rank=s.rank,
            mark=s.mark,
            vetoed=s.vetoed,
        )
        for s in subjects
    ]
    insert_rows_with_ids(Score, scores)
    insert_rows(
        ScoreItem,
        [
            ScoreItem(
                score_id=score.pk,
                indicator_id=i.indicator_id,
                value=i.value,
                points=i.points,
                vetoed=i.vetoed,
                numbers=i.numbers,
            )
            for score, s in zip(scores, subjects, strict=True)
            for i in s.items
        ],
    )


@transaction.atomic
def assessment_compute(
    *,
    scheme: Scheme,
    period: str,
    region: Region | None = None,
    subjects: str | None = None,
    user=None,
    today: datetime.date | None = None,
) -> Assessment:
    """Score the scheme's current version for `period` (a key: 2022-11, 2022-Q4, 2022). Idempotent: the draft
    for the same version, period, region and subjects is recomputed in place (its adjustments kept). A published
    one is read-only: correct it through a new version."""
    spec = parse_period(period)
    kind = _subject_kind(subjects, scheme)
    region = region or resolve_region(None, kind, user)
    if kind == SubjectKind.REGIONS and not Region.objects.filter(parent=region).exists():
        raise ValidationError({"region": _("%(region)s has no regions below it to assess.") % {"region": region.name}})
    if not is_office_of(user, region):
        raise PermissionDenied(_("Only the project office may compute an assessment."))
    version = scheme.current_version()
    if version is None or not version.indicators.exists():
        raise ValidationError({"scheme": _("%(scheme)s has no indicators yet.") % {"scheme": scheme}})
    period_row = period_get_or_create(spec)
    assessment = (
        Assessment.objects.select_for_update()
        .filter(version=version, period=period_row, region=region, subject_kind=kind)
        .first()
    )
    if assessment is not None and assessment.is_published:
        raise ValidationError(
            _("%(assessment)s is published and read-only: correct it through a new version of the scheme.")
            % {"assessment": assessment}
        )
    if assessment is None:
        assessment = Assessment(version=version, period=period_row, region=region, subject_kind=kind)
    assessment.computed_at = timezone.now()
    assessment.computed_by = user if user is not None and user.is_authenticated else None
    assessment.save()
    _store(assessment, _scored(assessment, spec, today or timezone.localdate()))
    return assessment


def _restanding(assessment: Assessment) -> None:
    """Totals, ranks and lists again from the stored items and the adjustments (after an adjustment changes)."""
    scores = list(Score.objects.filter(assessment=assessment).prefetch_related("items"))
    subjects = []
    for sc in scores:
        s = engine.SubjectScore(sc.subject_key, sc.subject_label)
        s.items = [engine.ItemScore(i.indicator_id, i.value, i.points, i.vetoed, i.numbers) for i in sc.items.all()]
        subjects.append(s)
    scheme = assessment.version.scheme
    engine.finish(subjects, assessment.adjustments.all(), red=scheme.red_list_size, black=scheme.black_list_size)
    by_key = {s.key: s for s in subjects}
    for sc in scores:
        s = by_key[sc.subject_key]
        changed = (sc.base, sc.adjustment, sc.total, sc.rank, sc.mark, sc.vetoed) != (
            s.base,
            s.adjustment,
            s.total,
            s.rank,
            s.mark,
            s.vetoed,
        )
        if changed:
            sc.base, sc.adjustment, sc.total, sc.rank, sc.mark, sc.vetoed = (
                s.base,
                s.adjustment,
                s.total,
                s.rank,
                s.mark,
                s.vetoed,
            )
            sc.save(update_fields=["base", "adjustment", "total", "rank", "mark", "vetoed"])


def _locked(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update()
        .select_related("version", "version__scheme", "period", "region")
        .get(pk=assessment.pk)
    )


def _refuse_published(assessment: Assessment, message: str) -> None:
    if assessment.is_published:
        raise ValidationError({"state": message})


# ---- publish ----


@transaction.atomic
def assessment_publish(*, assessment: Assessment, user=None) -> Assessment:
    """Draft → published: read-only from now on, and its scheme version frozen."""
    fresh = _locked(assessment)
    if not is_office_of(user, fresh.region):
        raise PermissionDenied(_("Only the project office may publish an assessment."))
    _refuse_published(fresh, _("This assessment is already published."))
    if not fresh.scores.exists():
        raise ValidationError({"state": _("Compute the assessment before publishing it.")})
    now = timezone.now()
    fresh.state = AssessmentState.PUBLISHED
    fresh.published_at = now
    fresh.published_by = user if user is not None and user.is_authenticated else None
    fresh.save()
    version = SchemeVersion.objects.select_for_update().get(pk=fresh.version_id)
    if not version.frozen:
        version.frozen = True
        version.frozen_at = now
        version.save()
    assessment.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_state")})
    return assessment


# ---- adjustments ----


def _points(value) -> Decimal:
    try:
        points = q2(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError({"points": _("Give the points as a number, e.g. 2 or -1.5.")}) from exc
    if abs(points) >= 1000:
        raise ValidationError({"points": _("Give the points as a number, e.g. 2 or -1.5.")})
    return points


@transaction.atomic
def adjustment_add(
    *, assessment: Assessment, subject: str, points, reason: str, veto: bool = False, user=None
) -> Adjustment:
    """Bonus (+) or penalty (−) points for a subject (by key or exact name) of a draft, with the reason; or a veto
    (一票否决)."""
    fresh = _locked(assessment)
    if not is_office_of(user, fresh.region):
        raise PermissionDenied(_("Only the project office may enter bonus and penalty points."))
    _refuse_published(fresh, _("A published assessment is read-only: no more adjustments."))
    score = (
        fresh.scores.filter(subject_key=str(subject).strip()).first()
        or fresh.scores.filter(subject_label=str(subject).strip()).first()
    )
    if score is None:
        raise ValidationError({"subject": _("%(subject)s is not scored in this assessment.") % {"subject": subject}})
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("Give the reason for the adjustment.")})
    amount = _points(points)
    if amount == 0 and not veto:
        raise ValidationError({"points": _("Give the points as a number, e.g. 2 or -1.5.")})
    adjustment = Adjustment(
        assessment=fresh,
        subject_key=score.subject_key,
        subject_label=score.subject_label,
        points=amount,
        veto=bool(veto),
        reason=text,
        entered_by=user if user is not None and user.is_authenticated else None,
    )
    adjustment.full_clean()
    adjustment.save()
    _restanding(fresh)
    return adjustment


@transaction.atomic
def adjustment_delete(*, adjustment: Adjustment, user=None) -> None:
    fresh = _locked(adjustment.assessment)
    if not is_office_of(user, fresh.region):
        raise PermissionDenied(_("Only the project office may enter bonus and penalty points."))
    _refuse_published(fresh, _("A published assessment is read-only: no more adjustments."))
    adjustment.delete()
    _restanding(fresh)


# ---- versions and indicators ----


@transaction.atomic
def scheme_new_version(*, scheme: Scheme, reason: str, user=None) -> SchemeVersion:
    """A new version of the scheme with the current version's indicators copied, and the reason for it."""
    if not scheme_may_edit(user, scheme):
        raise PermissionDenied(_("Only the office that owns this scheme may change it."))
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("Say why this new version is needed.")})
    current = scheme.current_version()
    version = SchemeVersion(scheme=scheme, number=(current.number + 1) if current else 1, reason=text)
    version.full_clean()
    version.save()
    if current is not None:
        for ind in current.indicators.order_by("order", "id"):
            copy = Indicator(version=version, code=ind.code, **{f: getattr(ind, f) for f in INDICATOR_FIELDS})
            copy.save()
    return version


@transaction.atomic
def indicator_save(*, version: SchemeVersion, code: str, user=None, **fields) -> Indicator:
    """Add the indicator with this code to a version, or change it. Refused on a frozen version."""
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown indicator fields: {sorted(unknown)}")
    if not scheme_may_edit(user, version.scheme):
        raise PermissionDenied(_("Only the office that owns this scheme may change it."))
    version = SchemeVersion.objects.select_for_update().get(pk=version.pk)
    if version.frozen:
        raise ValidationError(
            _("%(version)s is frozen: a published assessment uses it. Make a new version to change its indicators.")
            % {"version": version}
        )
    indicator = Indicator.objects.filter(version=version, code=code).first() or Indicator(version=version, code=code)
    for k, v in fields.items():
        setattr(indicator, k, v)
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_delete(*, indicator: Indicator, user=None) -> None:
    if not scheme_may_edit(user, indicator.version.scheme):
        raise PermissionDenied(_("Only the office that owns this scheme may change it."))
    # Its version is not frozen (delete() refuses otherwise), so only drafts scored it: they show it no more until
    # they are recomputed.
    if not indicator.version.frozen:
        ScoreItem.objects.filter(indicator=indicator).delete()
    indicator.delete()
