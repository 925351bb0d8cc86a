"""The dashboard's pre-aggregated metrics, kept current in the transaction that changes a fact.

A GROUP BY over a million per-case rows takes over a second on SQLite, so the dashboard
reads ``metric_rollup``: the sums of every metric's inputs per (week, source, segment,
owner, outcome, cohort). Each case's contribution is stored in ``case_metrics``; when a
fact changes, the case's contribution is recomputed from the facts and only the difference
is added to the rollup. Nothing is counted on the side: :func:`rebuild` recomputes both
tables from the facts, and the definitions are those of :func:`recoup.domain.metrics.summarise`
(each case's :class:`~recoup.domain.metrics.CaseFacts` is built the way
:func:`recoup.store.facts.load_facts` builds it, in batches).

:func:`install` hooks a session class: flushes (and Core statements run through the session)
that write cases, payments, dispositions, messages, promises, alerts, review items or
cancellation events mark their cases; just before the commit those cases are refreshed, so
the rollup commits, or rolls back, with the facts. Statements that bypass the session
(a raw connection, another session class) are not seen: run :func:`rebuild` after them.

Concurrency on PostgreSQL: a refresh first locks its cases' rows (``SELECT ... FOR NO KEY
UPDATE`` in case ID order), so two transactions never both add a difference computed from
the same stored contribution; the rollup upserts run in key order, so concurrent writers
cannot deadlock on them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    String,
    Table,
    bindparam,
    delete,
    event,
    func,
    inspect,
    literal_column,
    null,
    select,
    text,
    union_all,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.session import SessionTransaction
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.elements import BindParameter

from recoup.domain.metrics import UNREACHED, CaseFacts, group_key
from recoup.store.tables import (
    AlertRow,
    Base,
    CaseRow,
    DispositionRow,
    MessageRow,
    PaymentRow,
    PromiseRow,
    ReviewItemRow,
    TriggerEventRow,
    UtcDateTime,
)
from recoup.store.tables_console import ROLLUP_DIMENSIONS, CaseMetricsRow, MetricRollupRow

#: The cohorts the console compares: the imported pre-launch history, the first 50 runs, the
#: next 50, and the steady state after them.
COHORTS = ("baseline", "runs_1_50", "runs_51_100", "steady")
#: The summed columns of ``case_metrics`` and ``metric_rollup``, in table order.
MEASURES: tuple[str, ...] = tuple(
    c.key for c in MetricRollupRow.__table__.columns if c.key not in (*ROLLUP_DIMENSIONS, "id")
)
CANCELLED_KIND = "subscription_canceled"
#: Case IDs per ``IN (...)`` list when refreshing, and per batch when rebuilding.
CHUNK = 500
REBUILD_BATCH = 5000


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


_CASES = _table(CaseRow)
_CASE_METRICS = _table(CaseMetricsRow)
_ROLLUP = _table(MetricRollupRow)
_TRIGGERS = _table(TriggerEventRow)
_PAYMENTS = _table(PaymentRow)

Row = dict[str, Any]
Key = tuple[str, ...]


def cohort_for(seq: int) -> str:
    """The cohort of the case that arrived ``seq``-th: the first 50 and next 50 runs are
    watched apart from the steady state after them."""
    if seq <= 50:
        return "runs_1_50"
    if seq <= 100:
        return "runs_51_100"
    return "steady"


# --- one case's contribution -----------------------------------------------------------


def _dso(case: CaseFacts) -> Row:
    """Days outstanding kept additive: a paid or closed case's days are fixed; an open one
    contributes its due date, aged to "now" when the dashboard asks."""
    out = {"dso_fixed_days": 0, "dso_fixed_n": 0, "dso_open_due_ordinal": 0, "dso_open_n": 0}
    if case.due_date is None:
        return out
    end = case.paid_at or case.closed_at
    if end is not None:
        out.update(dso_fixed_days=(end.date() - case.due_date).days, dso_fixed_n=1)
    else:
        out.update(dso_open_due_ordinal=case.due_date.toordinal(), dso_open_n=1)
    return out


def contribution(case: CaseFacts, seq: int) -> Row:
    """The ``case_metrics`` row of one case: its dimensions and every metric's inputs, with
    the definitions of :func:`recoup.domain.metrics.summarise`."""
    paid = case.paid_at
    recovered = paid is not None and paid >= case.opened_at
    row: Row = {dim: group_key(case, dim) for dim in ROLLUP_DIMENSIONS if dim != "cohort"}
    row.update(
        case_id=case.case_id,
        cohort=cohort_for(seq),
        cases=1,
        amount=case.amount,
        recovered_cases=int(recovered),
        recovered_amount=case.amount if recovered else Decimal("0"),
        churn_avoided=int(recovered and not case.cancelled),
        links_sent=len(case.links_sent),
        links_opened=case.links_opened,
        links_completed=sum(1 for sent in case.links_sent if paid is not None and paid >= sent),
        promises_kept=case.promises["kept"],
        promises_broken=case.promises["broken"],
        calls=len(case.call_outcomes),
        reached_calls=sum(1 for o in case.call_outcomes if o not in UNREACHED),
        dispute_escalations=case.dispute_escalations,
        messages=case.messages,
        alerts=case.alerts,
        review_items=case.review_items,
        **_dso(case),
    )
    return row


# --- facts, in batches -----------------------------------------------------------------


@dataclass
class _Batch:
    facts: dict[str, CaseFacts] = field(default_factory=dict)
    seq: dict[str, int] = field(default_factory=dict)
    #: The contributions stored in ``case_metrics`` when the batch was read.
    stored: dict[str, Row] = field(default_factory=dict)


_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
_C, _M = _CASES.c, _CASE_METRICS.c
_CASE_QUERY = (
    select(
        _C.case_id, _C.seq, _C.opened_at, _C.source, _C.segment, _C.owner, _C.outcome,
        _C.amount, _C.due_date, _C.closed_at,
    )
    .where(_C.case_id.in_(_IDS))
    .order_by(_C.case_id)
)  # fmt: skip
# NO KEY UPDATE: compatible with the KEY SHARE lock a fact's foreign key takes on its case,
# so two writers of one case queue here instead of deadlocking. What the refresh reads next
# (facts, stored contribution) is read by later statements, which on READ COMMITTED see what
# the writer it waited for committed; a join in this statement would not.
_LOCKING_CASE_QUERY = _CASE_QUERY.with_for_update(key_share=True)
_STORED_QUERY = select(_CASE_METRICS).where(_M.case_id.in_(_IDS))


def _tag(name: str) -> Any:
    return literal_column(f"'{name}'", String)


def _facts_query() -> Any:
    """Every fact of the cases, one row each: (kind, case ID, value, reason, time, time).

    The first branch types the columns (SQLite returns times as text otherwise)."""
    t = {name: _table(m).c for name, m in _PER_CASE.items()}
    pay, trig = _PAYMENTS.c, _TRIGGERS.c
    none, no_time = null(), sql_cast(null(), UtcDateTime())
    return union_all(
        select(_tag("paid"), _C.case_id, none, none, func.min(pay.paid_at), no_time)
        .join(_PAYMENTS, pay.invoice_ref == _C.invoice_ref)
        .where(_C.case_id.in_(_IDS))
        .group_by(_C.case_id),
        select(_tag("cancelled"), _C.case_id, none, none, none, none)
        .join(_TRIGGERS, trig.invoice_ref == _C.invoice_ref)
        .where(_C.case_id.in_(_IDS), trig.kind == CANCELLED_KIND),
        select(
            _tag("call"), t["call"].case_id, t["call"].outcome, t["call"].escalation_reason,
            none, none,
        ).where(t["call"].case_id.in_(_IDS)),
        select(
            _tag("message"), t["message"].case_id, t["message"].kind, none,
            t["message"].sent_at, t["message"].opened_at,
        ).where(t["message"].case_id.in_(_IDS)),
        select(_tag("promise"), t["promise"].case_id, t["promise"].status, none, none, none)
        .where(t["promise"].case_id.in_(_IDS)),
        select(_tag("alert"), t["alert"].case_id, none, none, none, none)
        .where(t["alert"].case_id.in_(_IDS)),
        select(_tag("review"), t["review"].case_id, none, none, none, none)
        .where(t["review"].case_id.in_(_IDS)),
    )  # fmt: skip


_PER_CASE: dict[str, type[Base]] = {
    "call": DispositionRow,
    "message": MessageRow,
    "promise": PromiseRow,
    "alert": AlertRow,
    "review": ReviewItemRow,
}
_FACTS_QUERY = _facts_query()


def _load_cases(session: Session, ids: Sequence[str], lock: bool) -> _Batch:
    batch = _Batch()
    query = _LOCKING_CASE_QUERY if lock else _CASE_QUERY
    for r in session.execute(query, {"ids": list(ids)}).mappings():
        case_id = r["case_id"]
        batch.facts[case_id] = CaseFacts(
            case_id=case_id,
            opened_at=r["opened_at"],
            source=r["source"],
            segment=r["segment"],
            owner=r["owner"],
            outcome=r["outcome"],
            amount=r["amount"] or Decimal("0"),
            due_date=r["due_date"],
            closed_at=r["closed_at"],
            paid_at=None,
        )
        batch.seq[case_id] = r["seq"]
    return batch


def _add_stored(session: Session, b: _Batch) -> None:
    for r in session.execute(_STORED_QUERY, {"ids": list(b.facts)}).mappings():
        b.stored[r["case_id"]] = dict(r)


def _add_facts(session: Session, b: _Batch) -> None:
    """The facts :func:`recoup.store.facts.load_facts` reads, for these cases only."""
    rows = session.execute(_FACTS_QUERY, {"ids": list(b.facts)})
    for tag, case_id, value, reason, at, opened_at in rows:
        case = b.facts[case_id]
        if tag == "paid":
            case.paid_at = at
        elif tag == "cancelled":
            case.cancelled = True
        elif tag == "call":
            case.call_outcomes.append(value)
            case.dispute_escalations += reason == "dispute"
            case.cancelled |= reason == "cancellation"
        elif tag == "message":
            case.messages += 1
            if value == "link":
                case.links_sent.append(at)
                case.links_opened += opened_at is not None
        elif tag == "promise":
            case.promises[value] += 1
        elif tag == "alert":
            case.alerts += 1
        else:
            case.review_items += 1


def _compute(
    session: Session, case_ids: Iterable[str], lock: bool
) -> tuple[dict[str, Row], dict[str, Row]]:
    """The contributions of ``case_ids`` from the facts and, when ``lock``, those stored
    (read after the lock); two or three queries per :data:`CHUNK` cases."""
    new: dict[str, Row] = {}
    stored: dict[str, Row] = {}
    for chunk in _chunks(sorted(set(case_ids)), CHUNK):
        batch = _load_cases(session, chunk, lock)
        if not batch.facts:
            continue
        _add_facts(session, batch)
        if lock:
            _add_stored(session, batch)
        for case_id, case in batch.facts.items():
            new[case_id] = contribution(case, batch.seq[case_id])
        stored.update(batch.stored)
    return new, stored


def compute(session: Session, case_ids: Iterable[str], lock: bool = False) -> dict[str, Row]:
    """The ``case_metrics`` rows of ``case_ids`` from the facts, in two queries per
    :data:`CHUNK` cases; a case that does not exist has no row. ``lock`` takes the cases'
    rows ``FOR NO KEY UPDATE`` (PostgreSQL) in case ID order."""
    return _compute(session, case_ids, lock)[0]


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- applying differences --------------------------------------------------------------


def _stored(session: Session, case_ids: Sequence[str]) -> dict[str, Row]:
    found: dict[str, Row] = {}
    for chunk in _chunks(case_ids, CHUNK):
        for r in session.execute(_STORED_QUERY, {"ids": list(chunk)}).mappings():
            found[r["case_id"]] = dict(r)
    return found


def _same(old: Row | None, new: Row) -> bool:
    return old is not None and all(old[k] == new[k] for k in (*ROLLUP_DIMENSIONS, *MEASURES))


def _accumulate(sums: dict[Key, Row], row: Row, sign: int) -> None:
    key = tuple(row[d] for d in ROLLUP_DIMENSIONS)
    target = sums.setdefault(key, dict.fromkeys(MEASURES, 0))
    for m in MEASURES:
        target[m] += sign * row[m]


def _keyed(sums: dict[Key, Row]) -> list[Row]:
    """Rollup rows in key order: concurrent writers lock them in the same order."""
    return [dict(zip(ROLLUP_DIMENSIONS, k, strict=True), **sums[k]) for k in sorted(sums)]


def _upsert(dialect: str, table: Table, key: list[str], set_: Callable[[Any], Any]) -> Any:
    insert = sqlite_insert(table) if dialect == "sqlite" else pg_insert(table)
    return insert.on_conflict_do_update(index_elements=key, set_=set_(insert.excluded))


@cache
def _upsert_contribution(dialect: str) -> Any:
    """``case_metrics`` upsert, built once per backend (building one costs a millisecond)."""
    columns = [c.key for c in _CASE_METRICS.columns if c.key != "case_id"]
    return _upsert(dialect, _CASE_METRICS, ["case_id"], lambda new: {c: new[c] for c in columns})


@cache
def _add_to_rollup(dialect: str) -> Any:
    """``metric_rollup`` upsert that adds to the stored sums, built once per backend."""
    return _upsert(
        dialect,
        _ROLLUP,
        list(ROLLUP_DIMENSIONS),
        lambda new: {m: _ROLLUP.c[m] + new[m] for m in MEASURES},
    )


def _upsert_contributions(session: Session, rows: list[Row]) -> None:
    if rows:
        stmt = _upsert_contribution(session.get_bind().dialect.name)
        session.execute(stmt, sorted(rows, key=lambda r: str(r["case_id"])))


def _apply_to_rollup(session: Session, deltas: dict[Key, Row]) -> None:
    """Add each key's difference in key order (no deadlock between concurrent writers), then
    drop the rows no case belongs to any more."""
    changed = {k: d for k, d in deltas.items() if any(d[m] for m in MEASURES)}
    if not changed:
        return
    session.execute(_add_to_rollup(session.get_bind().dialect.name), _keyed(changed))
    for key in sorted(k for k, d in changed.items() if d["cases"] < 0):
        where = [_ROLLUP.c[d] == v for d, v in zip(ROLLUP_DIMENSIONS, key, strict=True)]
        session.execute(delete(_ROLLUP).where(*where, _ROLLUP.c.cases <= 0))


def refresh(session: Session, case_ids: Iterable[str]) -> int:
    """Recompute ``case_ids``' contributions from the facts and add what changed to the
    rollup; the number of cases whose contribution changed. IDs of cases that do not exist
    are ignored (a deleted case left the rollup when it was deleted)."""
    new, old = _compute(session, case_ids, lock=True)
    deltas: dict[Key, Row] = {}
    upserts: list[Row] = []
    for case_id, after in new.items():
        before = old.get(case_id)
        if _same(before, after):
            continue
        if before is not None:
            _accumulate(deltas, before, -1)
        _accumulate(deltas, after, +1)
        upserts.append(after)
    _upsert_contributions(session, upserts)
    _apply_to_rollup(session, deltas)
    return len(upserts)


def _forget(session: Session, case_ids: Sequence[str]) -> None:
    """Take cases about to be deleted out of the rollup first (``case_metrics`` refers to
    ``cases``, so its rows must go before theirs)."""
    old = _stored(session, sorted(set(case_ids)))
    if not old:
        return
    deltas: dict[Key, Row] = {}
    for row in old.values():
        _accumulate(deltas, row, -1)
    for chunk in _chunks(sorted(old), CHUNK):
        session.execute(delete(_CASE_METRICS).where(_CASE_METRICS.c.case_id.in_(chunk)))
    _apply_to_rollup(session, deltas)


def rebuild(session: Session) -> int:
    """Recompute ``case_metrics`` and ``metric_rollup`` from the facts, in batches of
    :data:`REBUILD_BATCH` cases; the number of cases.

    On PostgreSQL both tables are locked (``EXCLUSIVE``: the dashboard may still read) so a
    concurrent writer's refresh waits for the rebuild and then applies its difference to it.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE case_metrics, metric_rollup IN EXCLUSIVE MODE"))
    session.execute(delete(_ROLLUP))
    session.execute(delete(_CASE_METRICS))
    sums: dict[Key, Row] = {}
    total, last = 0, ""
    while True:
        ids = list(
            session.scalars(
                select(CaseRow.case_id)
                .where(CaseRow.case_id > last)
                .order_by(CaseRow.case_id)
                .limit(REBUILD_BATCH)
            )
        )
        if not ids:
            break
        rows = list(compute(session, ids).values())
        if rows:
            session.execute(_CASE_METRICS.insert(), rows)
        for row in rows:
            _accumulate(sums, row, +1)
        total, last = total + len(rows), ids[-1]
    if sums:
        session.execute(_ROLLUP.insert(), _keyed(sums))
    return total


def missing(session: Session) -> bool:
    """Whether cases exist that ``case_metrics`` has no row for: a database upgraded from
    before the rollup existed, or one written around the ORM; :func:`rebuild` fills it."""
    cases = session.scalar(select(func.count()).select_from(CaseRow)) or 0
    counted = session.scalar(select(func.count()).select_from(_CASE_METRICS)) or 0
    return int(cases) != int(counted)


# --- tracking what a transaction touched -------------------------------------------------

_TOUCHED = "recoup.rollup.touched"
_BUSY = "recoup.rollup.busy"

#: Per tracked table, the columns whose change can change a metric.
_RELEVANT: dict[Table, frozenset[str]] = {
    _table(model): frozenset(columns)
    for model, columns in (
        (
            CaseRow,
            (
                "case_id", "seq", "invoice_ref", "source", "segment", "owner", "outcome",
                "amount", "due_date", "opened_at", "closed_at",
            ),
        ),
        (PaymentRow, ("invoice_ref", "paid_at", "case_id")),
        (DispositionRow, ("case_id", "outcome", "escalation_reason")),
        (MessageRow, ("case_id", "kind", "sent_at", "opened_at")),
        (PromiseRow, ("case_id", "status")),
        (AlertRow, ("case_id",)),
        (ReviewItemRow, ("case_id",)),
        (TriggerEventRow, ("kind", "invoice_ref")),
    )
}  # fmt: skip
_TRACKED: dict[str | None, Table] = {t.name: t for t in _RELEVANT}


@dataclass
class _Touched:
    case_ids: set[str] = field(default_factory=set)
    invoice_refs: set[str] = field(default_factory=set)

    def note(self, table: Table, values: Mapping[str, Any], any_kind: bool = False) -> None:
        """Mark the case a row with ``values`` belongs to. A trigger event matters only as a
        cancellation (or when it may have become or stopped being one: ``any_kind``)."""
        if table is _TRIGGERS:
            if any_kind or values.get("kind") == CANCELLED_KIND:
                self._ref(values.get("invoice_ref"))
            return
        if table is _PAYMENTS:
            self._ref(values.get("invoice_ref"))
        case_id = values.get("case_id")
        if isinstance(case_id, str):
            self.case_ids.add(case_id)

    def _ref(self, ref: Any) -> None:
        if isinstance(ref, str):
            self.invoice_refs.add(ref)


def _touched(session: Session) -> _Touched:
    found = session.info.get(_TOUCHED)
    if not isinstance(found, _Touched):
        found = session.info[_TOUCHED] = _Touched()
    return found


def _note_object(touched: _Touched, obj: Base, table: Table, changed: bool) -> None:
    """Mark the case of an ORM object, under its current values and, when ``changed``, the
    values it had before (a message moved to another case changes both)."""
    state = inspect(obj)
    current = {k: state.attrs[k].value for k in _RELEVANT[table] if k in state.attrs}
    touched.note(table, current, any_kind=changed)
    if changed:
        for key in ("case_id", "invoice_ref"):
            if key in state.attrs:
                for old in state.attrs[key].history.deleted:
                    touched.note(table, {key: old}, any_kind=True)


def _relevant_change(obj: Base, table: Table) -> bool:
    state = inspect(obj)
    return any(state.attrs[k].history.has_changes() for k in _RELEVANT[table] if k in state.attrs)


def _before_flush(session: Session, _ctx: UOWTransaction, _instances: object) -> None:
    touched = _touched(session)
    for obj in session.new:
        table = obj.__table__
        if table in _RELEVANT:
            _note_object(touched, obj, table, changed=False)
    for obj in session.dirty:
        table = obj.__table__
        if table in _RELEVANT and _relevant_change(obj, table):
            _note_object(touched, obj, table, changed=True)
    deleted_cases = []
    for obj in session.deleted:
        table = obj.__table__
        if table in _RELEVANT:
            _note_object(touched, obj, table, changed=True)
        if isinstance(obj, CaseRow):
            deleted_cases.append(obj.case_id)
    if deleted_cases:
        _forget(session, deleted_cases)


# Core statements (``repo.insert_once``, ``update(...)``) run through the session bypass the
# flush, so they are read here: inserted values from the statement, updated or deleted rows
# by a select with the statement's WHERE, run just before it.

_MULTI = re.compile(r"^(.*)_m(\d+)$")


def _statement_rows(state: ORMExecuteState, table: Table) -> list[dict[str, Any]]:
    """The column values an INSERT or UPDATE carries: its parameter sets when run with
    several (executemany), else the values compiled into it (multi-row VALUES split)."""
    params = state.parameters
    if isinstance(params, list) and params:
        return [dict(p) for p in params]
    dialect = state.session.get_bind().dialect
    values = dict(cast(ClauseElement, state.statement).compile(dialect=dialect).params)
    if isinstance(params, Mapping):
        values.update(params)
    rows: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        match = _MULTI.match(name)
        column, row = (match.group(1), match.group(2)) if match else (name, "")
        if column in table.c:
            rows.setdefault(row, {})[column] = value
    return list(rows.values())


def _rows_matching(state: ORMExecuteState, table: Table, rows: list[dict[str, Any]]) -> list[Row]:
    """The stored rows an UPDATE or DELETE will change: by primary key for a bulk UPDATE by
    key, else by the statement's WHERE (every row when it has none)."""
    columns = [table.c[k] for k in sorted(_RELEVANT[table]) if k in table.c]
    query = select(*columns)
    pk = next(iter(table.primary_key.columns))
    if isinstance(state.parameters, list):
        keys = [r[pk.key] for r in rows if pk.key in r]
        query = query.where(pk.in_(keys))
    else:
        where = getattr(state.statement, "whereclause", None)
        if where is not None:
            query = query.where(where)
    return [dict(r) for r in state.session.execute(query).mappings()]


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_select or not (state.is_insert or state.is_update or state.is_delete):
        return
    # An ORM statement's table is an annotated copy: look the real one up by name.
    table = _TRACKED.get(getattr(getattr(state.statement, "table", None), "name", None))
    if table is None:
        return
    touched = _touched(state.session)
    rows = _statement_rows(state, table) if not state.is_delete else []
    if state.is_insert:
        for values in rows:
            touched.note(table, values)
        return
    if state.is_update and not any(_RELEVANT[table] & set(r) for r in rows):
        return  # e.g. a trigger event's status: nothing a metric reads
    stored = _rows_matching(state, table, rows)
    for values in [*stored, *rows]:
        touched.note(table, values, any_kind=True)
    if state.is_delete and table is _CASES:
        _forget(state.session, [r["case_id"] for r in stored])


# --- refreshing before commit ----------------------------------------------------------


def _before_commit(session: Session) -> None:
    if session.info.get(_BUSY):
        return
    session.info[_BUSY] = True
    try:
        session.flush()
        touched = session.info.pop(_TOUCHED, None)
        if isinstance(touched, _Touched):
            refresh(session, touched.case_ids | _cases_of(session, touched.invoice_refs))
    finally:
        session.info[_BUSY] = False


def _cases_of(session: Session, invoice_refs: set[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(sorted(invoice_refs), CHUNK):
        query = select(CaseRow.case_id).where(CaseRow.invoice_ref.in_(chunk))
        found.update(session.scalars(query))
    return found


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """A rolled-back transaction's marks go with it (its facts did)."""
    if transaction.parent is None:
        session.info.pop(_TOUCHED, None)


def install(session_class: type[Session]) -> None:
    """Keep the rollup current in every transaction of sessions of ``session_class``."""
    hooks = (
        ("before_flush", _before_flush),
        ("do_orm_execute", _on_execute),
        ("before_commit", _before_commit),
        ("after_transaction_end", _after_transaction_end),
    )
    for name, fn in hooks:
        if not event.contains(session_class, name, fn):
            event.listen(session_class, name, fn)
