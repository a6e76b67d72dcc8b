"""What every tuijin model shares: change logging, a permission-aware queryset, and persistent jobs."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router
from django.db.models.deletion import Collector
from django.utils.translation import gettext_lazy as _

from .changelog import build_record, jsonable, snapshot
from .choices import ChangeAction, ChangeSource, JobStatus
from .permissions import RestrictedQuerySet, Scope


class ChangeLoggedModel(models.Model):
    """Writes one ChangeRecord per create, update (when a field really changed) and delete.

    Bulk writers (importer, jobs) must call `core.changelog.build_record`/`bulk_records` themselves.
    """

    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    # Fields that change on every save and say nothing about the record itself.
    _changelog_ignore = ("created", "last_updated")

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    def change_scope_path(self) -> str:
        """The region path that decides who may read this object's change records."""
        return ""

    def _before_snapshot(self) -> dict | None:
        loaded = getattr(self, "_loaded_values", None)
        if self._state.adding or loaded is None:
            return None
        return self._clean_snapshot({k: jsonable(v) for k, v in loaded.items()})

    def _clean_snapshot(self, data: dict) -> dict:
        return {k: v for k, v in data.items() if k not in self._changelog_ignore}

    def save(self, *args, **kwargs):  # noqa: DJ012 - beside the snapshot helpers it relies on
        adding = self._state.adding
        before = self._before_snapshot()
        super().save(*args, **kwargs)
        after = self._clean_snapshot(snapshot(self))
        if before is not None:  # deferred fields were not loaded: they are not compared
            after = {k: v for k, v in after.items() if k in before}
        if adding:
            build_record(self, ChangeAction.CREATE, None, after).save()
        elif before != after:
            build_record(self, ChangeAction.UPDATE, before, after).save()
        self._loaded_values = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}

    def delete(self, *args, **kwargs):
        # Record every audited row the delete removes, the ones its cascade takes along included (a project's
        # listings, plans, reports, nodes): whichever door the delete comes through, nothing goes unrecorded.
        records = [
            build_record(obj, ChangeAction.DELETE, obj._clean_snapshot(snapshot(obj)), None)
            for obj in self._deleted_with_cascade(kwargs.get("using"))
        ]
        result = super().delete(*args, **kwargs)
        ChangeRecord.objects.bulk_create(records)
        return result

    def _deleted_with_cascade(self, using=None) -> list["ChangeLoggedModel"]:
        """This object and the audited objects a delete of it would remove (raises ProtectedError like delete)."""
        collector = Collector(using=using or router.db_for_write(type(self), instance=self))
        collector.collect([self])
        found = [obj for model, objs in collector.data.items() for obj in objs]
        for qs in collector.fast_deletes:  # cascades Django deletes with one query, without loading the rows
            if issubclass(qs.model, ChangeLoggedModel):
                found.extend(qs)
        return [obj for obj in found if isinstance(obj, ChangeLoggedModel)]


class ChangeRecord(models.Model):
    """One write to an audited object: who, when, from where, and the fields before and after."""

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
    )
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=ChangeSource.choices)
    request_id = models.UUIDField(_("request id"), db_index=True)
    label = models.CharField(_("request or command"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=ChangeAction.choices)
    # Indexed as the first column of core_change_object_idx: no index of its own (24,000 records per import).
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    object_id = models.BigIntegerField(_("object id"))
    object = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("object"), max_length=200)
    scope_path = models.CharField(_("region path"), max_length=255, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region_path="scope_path", enterprise_only=True, blank_path_is_global=True)

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_change_object_idx")]
        verbose_name = _("change record")
        verbose_name_plural = _("change records")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def diff(self) -> list[tuple[str, object, object]]:
        """(field label, old, new) for every field the change touched, in model field order."""
        model = self.content_type.model_class()
        before, after = self.before or {}, self.after or {}
        rows = []
        fields = model._meta.concrete_fields if model else []
        for f in fields:
            if f.attname in before or f.attname in after:
                rows.append((str(f.verbose_name), before.get(f.attname), after.get(f.attname)))
        return rows

    def related_diff(self) -> list[tuple[str, type, dict | None, dict | None]]:
        """(label, related model, old, new) for each related object a bulk write recorded on this object: a key
        of `before`/`after` naming a reverse relation (e.g. a project's `monthly_reports`), mapping each related
        object's name ("2026-03") to its fields. One record per imported row instead of one per related object."""
        model = self.content_type.model_class()
        before, after = self.before or {}, self.after or {}
        rows = []
        for key in dict.fromkeys([*before, *after]):
            try:
                rel = model._meta.get_field(key) if model else None
            except FieldDoesNotExist:
                continue
            if rel is None or not rel.one_to_many or rel.concrete:
                continue
            old, new = before.get(key) or {}, after.get(key) or {}
            name = str(rel.related_model._meta.verbose_name)
            for item in sorted({*old, *new}):
                rows.append((f"{name} {item}", rel.related_model, old.get(item), new.get(item)))
        return rows


class Job(models.Model):
    """Long work with a persistent row: status, progress, log and result survive the process."""

    kind = models.CharField(_("kind"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat = models.DateTimeField(_("heartbeat"), null=True, blank=True)
    progress = models.PositiveIntegerField(_("progress"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    params = models.JSONField(_("parameters"), default=dict, encoder=DjangoJSONEncoder)
    result = models.JSONField(_("result"), null=True, blank=True, encoder=DjangoJSONEncoder)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to="jobs/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        return int(100 * self.progress / self.total) if self.total else (100 if self.status == "done" else 0)
