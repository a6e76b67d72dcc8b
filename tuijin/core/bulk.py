"""Bulk writes for imports and jobs (the callers write the change records: see core.changelog.bulk_records and
`ChangeRows` below).

Every value goes to the database as `field.get_db_prep_save()` would send it (money as hundredths, dates and
datetimes adapted for the backend, JSON through the field's encoder), but prepared a column at a time: text and
integers that are already what the database takes pass straight through, other values are prepared once per
distinct value. At import scale the per-value calls of Django's own path were most of the time.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models
from django.db.models.fields import Field
from django.utils import timezone

from .fields import CENT, MoneyField

_TEXT_FIELDS = (models.CharField, models.TextField)  # exact classes: a str is stored as it is
_INT_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)


def _plain_type(field) -> type | None:
    """The Python type whose values `field` stores unchanged (None when every value must be prepared)."""
    if field.is_relation:
        target = field.target_field
        return int if type(target) in _INT_FIELDS else None
    if type(field) in _TEXT_FIELDS:
        return str
    if type(field) in _INT_FIELDS:
        return int
    return None


def _hundredths(value: Decimal) -> int:
    """MoneyField.get_prep_value of a Decimal (to_money, then hundredths), without the calls in between."""
    return int(value.quantize(CENT, rounding=ROUND_HALF_UP) * 100)


def prepare_column(field, values: list, connection) -> list:
    """[field.get_db_prep_save(v, connection) for v in values], without a call per value where none is needed."""
    prep = field.get_db_prep_save
    plain = _plain_type(field)
    if plain is not None:
        return [v if v is None or type(v) is plain else prep(v, connection) for v in values]
    if type(field) is MoneyField:
        # Money is distinct per row: memoising does not pay. A Decimal becomes its hundredths (the backend's
        # integer adaptation leaves an int as it is); anything else goes the field's way.
        return [None if v is None else _hundredths(v) if type(v) is Decimal else prep(v, connection) for v in values]
    memo: dict = {}
    out = []
    append = out.append
    for v in values:
        if type(v) is float:  # 0.0 == -0.0: not the same value to store
            append(prep(v, connection))
            continue
        key = (type(v), v)
        try:
            append(memo[key])
        except KeyError:
            memo[key] = prepared = prep(v, connection)
            append(prepared)
        except TypeError:  # unhashable (JSON dicts and lists)
            append(prep(v, connection))
    return out


_DATE_FIELDS = (models.DateField, models.DateTimeField)


def _stamp(model, objs: list, fields: list) -> None:
    """Set the auto_now/auto_now_add dates and datetimes of every object as an insert's save() would, but to one
    time for the whole write."""
    now = timezone.now()
    today = datetime.date.today()
    for f in fields:
        if type(f) in _DATE_FIELDS and (f.auto_now or f.auto_now_add):
            value = now if type(f) is models.DateTimeField else today
            for o in objs:
                setattr(o, f.attname, value)


def _values(objs: list, fields: list) -> list[list]:
    """The objects' values of `fields`, a column per field (what each field's pre_save() gives on an insert, once
    `_stamp` has set the automatic dates)."""
    simple = [type(f).pre_save is Field.pre_save or type(f) in _DATE_FIELDS for f in fields]
    if all(simple) and len(fields) > 1:
        get = attrgetter(*(f.attname for f in fields))
        return [list(col) for col in zip(*map(get, objs), strict=True)]
    return [
        [getattr(o, f.attname) for o in objs] if is_simple else [f.pre_save(o, True) for o in objs]
        for f, is_simple in zip(fields, simple, strict=True)
    ]


def _rows(columns: list[list]) -> list[tuple]:
    return list(zip(*columns, strict=True))


def update_rows(model, objs, fields: list[str], *, using: str = "default") -> int:
    """UPDATE the named fields of each object, one `UPDATE … WHERE id = %s` per row through executemany.

    Django's bulk_update builds a CASE WHEN per field and row (O(rows × fields) expressions), which was most of a
    large import's time; a prepared UPDATE per row is linear and as atomic inside the caller's transaction.
    The caller sets `last_updated` (it is written only when named).
    """
    objs = list(objs)
    if not objs:
        return 0
    connection = connections[using]
    meta = model._meta
    qn = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {', '.join(f'{qn(c.column)} = %s' for c in columns)} "
        f"WHERE {qn(meta.pk.column)} = %s"
    )
    values = [[getattr(o, c.attname) for o in objs] for c in columns]
    prepared = [prepare_column(c, col, connection) for c, col in zip(columns, values, strict=True)]
    prepared.append(prepare_column(meta.pk, [o.pk for o in objs], connection))
    rows = _rows(prepared)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > 100:
            _update_from_copy(cursor, meta, columns, rows, qn)
        else:
            cursor.executemany(sql, rows)
    return len(objs)


def _update_from_copy(cursor, meta, columns, rows: list[tuple], qn) -> None:
    """PostgreSQL: COPY the new values into a temporary table of the same column types, then one
    `UPDATE … FROM` (an UPDATE per row is parsed and planned per row by the server). A row named twice gets
    its last values, as the UPDATEs one after the other would leave it."""
    rows = list({row[-1]: row for row in rows}.values())  # by id; the last one wins
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    tmp = qn(f"tuijin_bulk_{meta.db_table}")
    names = [qn(c.column) for c in columns]
    cursor.execute(f"DROP TABLE IF EXISTS {tmp}")
    cursor.execute(f"CREATE TEMPORARY TABLE {tmp} AS SELECT {', '.join(names)}, {pk} FROM {table} LIMIT 0")
    with cursor.cursor.copy(f"COPY {tmp} ({', '.join(names)}, {pk}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    assignments = ", ".join(f"{n} = s.{n}" for n in names)
    cursor.execute(f"UPDATE {table} AS t SET {assignments} FROM {tmp} AS s WHERE t.{pk} = s.{pk}")  # noqa: S608
    cursor.execute(f"DROP TABLE {tmp}")


def insert_rows(model, objs, *, using: str = "default") -> int:
    """INSERT the objects through executemany, for rows whose ids the caller does not need back, or reads back by
    a natural key (Django's bulk_create spends most of its time building one big statement per batch).

    Values are what save() would store: `created`/`last_updated` (auto_now_add/auto_now) are set on the objects,
    one time for the whole call; every other value is prepared by its field.
    """
    objs = list(objs)
    if not objs:
        return 0
    connection = connections[using]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    _stamp(model, objs, fields)
    columns = [prepare_column(f, col, connection) for f, col in zip(fields, _values(objs, fields), strict=True)]
    insert_columns(model, [f.column for f in fields], _rows(columns), using=using)
    return len(objs)


def insert_rows_with_ids(model, objs, *, using: str = "default") -> int:
    """insert_rows(), and set each object's new id (and `_state.adding = False`), in object order (ids as
    `_insert_with_ids` takes them)."""
    objs = list(objs)
    if not objs:
        return 0
    connection = connections[using]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    _stamp(model, objs, fields)
    columns = [prepare_column(f, col, connection) for f, col in zip(fields, _values(objs, fields), strict=True)]
    _set_ids(objs, _insert_with_ids(model, fields, columns, connection))
    return len(objs)


def insert_by_columns(model, n: int, varying: dict[str, list], fixed: dict, *, using: str = "default") -> int:
    """INSERT `n` new rows given a column at a time (their ids are the database's; none is read back): `varying`
    maps a field's attname to its n values, `fixed` to the one value every row has; a field in neither takes its
    default, and `created`/`last_updated` (auto_now_add/auto_now) one time for the whole call. Values are
    prepared as `insert_rows` prepares them, a fixed value once. For writers of many rows that differ in a few
    fields (a dispatch import's reports): no object per row."""
    if not n:
        return 0
    connection = connections[using]
    now, today = timezone.now(), datetime.date.today()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = []
    for f in fields:
        if f.attname in varying:
            values = varying[f.attname]
            if len(values) != n:
                raise ValueError(f"{f.attname}: {len(values)} values for {n} rows")
            columns.append(prepare_column(f, list(values), connection))
            continue
        if type(f) in _DATE_FIELDS and (f.auto_now or f.auto_now_add):
            value = now if type(f) is models.DateTimeField else today
        else:
            value = fixed[f.attname] if f.attname in fixed else f.get_default()
        columns.append(prepare_column(f, [value], connection) * n)
    insert_columns(model, [f.column for f in fields], _rows(columns), using=using)
    return n


def _insert_with_ids(model, fields: list, columns: list[list], connection) -> list:
    """INSERT prepared columns of `fields` (the model's non-pk concrete fields), and return the new ids in row
    order. The ids are taken before the rows go in, so no row is read back: on PostgreSQL from the id's sequence
    in one query; on SQLite the first row is inserted alone for its id and the others take the ids after it,
    which are free while this transaction holds the database's write lock (so outside a transaction the rows
    are inserted one by one instead)."""
    meta = model._meta
    pk = meta.pk
    rows = _rows(columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(rows)],
            )
            ids = sorted(row[0] for row in cursor.fetchall())
        names = [f.column for f in fields] + [pk.column]
        insert_columns(model, names, [(*row, i) for row, i in zip(rows, ids, strict=True)], using=connection.alias)
        return ids
    qn = connection.ops.quote_name
    names = ", ".join(qn(f.column) for f in fields)
    sql = f"INSERT INTO {qn(meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
    first_only = connection.in_atomic_block
    with connection.cursor() as cursor:
        ids = []
        for row in rows[:1] if first_only else rows:
            cursor.execute(sql, row)
            ids.append(cursor.lastrowid)
        if first_only and len(rows) > 1:
            ids += range(ids[0] + 1, ids[0] + len(rows))
            with_pk = f"INSERT INTO {qn(meta.db_table)} ({names}, {qn(pk.column)}) "
            with_pk += f"VALUES ({', '.join(['%s'] * (len(fields) + 1))})"
            cursor.executemany(with_pk, [(*row, i) for row, i in zip(rows[1:], ids[1:], strict=True)])
    return ids


def _set_ids(objs: list, ids) -> None:
    """Each object's new id; a model instance is saved now (`_state.adding = False`), a plain row object has no
    state to keep."""
    for o, i in zip(objs, ids, strict=True):
        o.pk = i
        state = getattr(o, "_state", None)
        if state is not None:
            state.adding = False


def insert_columns(model, columns: list[str], rows: list[tuple], *, using: str = "default") -> None:
    """INSERT rows of values already prepared for the database into the named columns."""
    if not rows:
        return
    connection = connections[using]
    qn = connection.ops.quote_name
    table, names = qn(model._meta.db_table), ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one statement for all the rows (an INSERT per row is parsed and planned per row by the
            # server). psycopg adapts each value as it would for the INSERT.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


class ChangeRows:
    """The change records of one bulk write, built as rows: exactly what `changelog.build_record(...)` followed
    by `save()` stores for each (user, user name, source, request id, label, action, content type, object id,
    object repr, region path, and before/after cut to the changed fields), with the context read once, the
    content types looked up once per model and one time for the whole write.

        rows = ChangeRows()
        rows.add(obj, ChangeAction.CREATE, None, after)
        rows.write()
    """

    def __init__(self, using: str = "default"):
        from .changelog import current_context

        ctx = current_context()
        user = ctx.user._user() if hasattr(ctx.user, "_user") else ctx.user  # the request's lazy user
        if user is not None and not user.is_authenticated:
            user = None
        self.using = using
        self.user_id = user.pk if user is not None else None
        self.user_name = user.get_username() if user is not None else ""
        self.source, self.request_id, self.label = ctx.source, ctx.request_id, ctx.label
        self.records: list[tuple] = []  # (action, content type id, object id, repr, scope path, before, after)
        self._content_types: dict[type, int] = {}

    def __len__(self) -> int:
        return len(self.records)

    def content_type_id(self, model) -> int:
        try:
            return self._content_types[model]
        except KeyError:
            from django.contrib.contenttypes.models import ContentType

            ct = ContentType.objects.db_manager(self.using).get_for_model(model, for_concrete_model=True)
            self._content_types[model] = ct.pk
            return ct.pk

    def add(
        self,
        instance,
        action: str,
        before: dict | None,
        after: dict | None,
        object_repr: str | None = None,
        *,
        model=None,
    ):
        """One record; `object_repr` is str(instance) when the caller has it cheaper. `instance` may be a plain
        row object standing for a `model` instance (with its `pk` and `change_scope_path()`)."""
        if before is not None and after is not None:
            changed = {k for k in after if before.get(k) != after.get(k)}
            before = {k: v for k, v in before.items() if k in changed}
            after = {k: v for k, v in after.items() if k in changed}
        self.records.append(
            (
                action,
                self.content_type_id(model or type(instance)),
                instance.pk,
                (str(instance) if object_repr is None else object_repr)[:200],
                instance.change_scope_path() or "",
                before,
                after,
            )
        )

    def write(self) -> int:
        """INSERT the records (as `bulk_records` would)."""
        from .models import ChangeRecord

        if not self.records:
            return 0
        connection = connections[self.using]
        meta = ChangeRecord._meta
        field = meta.get_field
        head = {
            "time": timezone.now(),
            "user": self.user_id,
            "user_name": self.user_name,
            "source": self.source,
            "request_id": self.request_id,
            "label": self.label,
        }
        # One prepared value per column for the context; the per-record columns prepared a column at a time.
        fixed = [field(name).get_db_prep_save(value, connection) for name, value in head.items()]
        varying = ["action", "content_type", "object_id", "object_repr", "scope_path", "before", "after"]
        columns = list(zip(*self.records, strict=True))
        cols = [
            (_json_column if name in ("before", "after") else prepare_column)(field(name), list(col), connection)
            for name, col in zip(varying, columns, strict=True)
        ]
        n = len(self.records)
        rows = _rows([[value] * n for value in fixed] + cols)
        insert_columns(ChangeRecord, [field(name).column for name in [*head, *varying]], rows, using=self.using)
        return n


def _json_column(field, values, connection) -> list:
    """A JSONField column of change records as JSON text, encoded by ONE encoder instance (json.dumps(cls=…), what
    the field sends, makes an encoder per value): the text SQLite stores, and what COPY hands PostgreSQL's jsonb
    (insert_columns writes through COPY there)."""
    if type(field) is not models.JSONField or field.encoder is not DjangoJSONEncoder:
        return prepare_column(field, list(values), connection)
    if connection.vendor not in ("sqlite", "postgresql"):
        return prepare_column(field, list(values), connection)
    encode = DjangoJSONEncoder().encode  # the same text as json.dumps(value, cls=DjangoJSONEncoder)
    return [None if v is None else encode(v) for v in values]
