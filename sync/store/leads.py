"""The leads table: bulk upserts and reads of canonical leads.

Every function takes the caller's :class:`Session` and never commits: the pipeline writes a
page of leads, their history, payloads and the advanced cursor in ONE transaction.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, insert, literal, select, update
from sqlalchemy.orm import Session

from sync.domain import Lead, Status
from sync.store.base import Base
from sync.store.models import LeadRow
from sync.store.sql import chunks, execute_many

LeadKey = tuple[str, str]  # (source, external_id)

#: canonical fields stored as lead columns (the raw payload lives in raw_payloads)
LEAD_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Lead) if f.name != "raw")

_LEADS = Base.metadata.tables["leads"]
_RAW = Base.metadata.tables["raw_payloads"]
_STATUS_AT = LEAD_FIELDS.index("status")
#: one executemany UPDATE by primary key (Core, not the ORM bulk path: 3x faster on a page)
_UPDATE_NAMES = ("lead_id", *LEAD_FIELDS, "fingerprint", "updated_at")
_UPDATE_LEAD = (
    update(_LEADS)
    .where(_LEADS.c.id == bindparam("lead_id"))
    .values({name: bindparam(name) for name in _UPDATE_NAMES[1:]})
)

_INSERT_NAMES = (*LEAD_FIELDS, "fingerprint", "first_seen_at", "updated_at")
_INSERT_LEAD = insert(_LEADS)

_UPDATE_ENTRY = (
    update(_LEADS)
    .where(_LEADS.c.id == bindparam("lead_id"))
    .values({name: bindparam(name) for name in ("status_changed_at", "fingerprint", "updated_at")})
)


@dataclass(frozen=True)
class UpsertResult:
    """What storing one lead did.

    ``stale`` means the stored copy has a later CRM modstamp than the one offered, so the row
    was left as it was (an out-of-order or replayed page must not roll a lead back).
    """

    lead_id: int
    previous_status: str | None
    status_changed: bool
    created: bool
    stale: bool = False
    #: the stored canonical fields were already exactly these: no UPDATE was issued
    unchanged: bool = False


class StoredRow(NamedTuple):
    """What an upsert compares a pulled lead against: its stored row's id and state."""

    id: int
    status: str | None
    modified_at: datetime | None
    fingerprint: str | None


class Stored(NamedTuple):
    """A stored lead (canonical form) and its row's state."""

    lead: Lead
    row: StoredRow


def lead_key(lead: Lead) -> LeadKey:
    """The store's key of ``lead``: ``(source, external_id)``."""
    return (lead.source, lead.external_id)


def upsert_leads(
    session: Session,
    leads: Iterable[Lead],
    now: datetime,
    known: Mapping[LeadKey, StoredRow] | None = None,
) -> dict[LeadKey, UpsertResult]:
    """Insert new leads and update known ones in bulk; say per key what changed.

    Duplicate keys in ``leads`` collapse to the copy with the latest ``modified_at``. A lead
    whose canonical fields are unchanged is not rewritten (its ``updated_at`` stays).
    ``known`` is the stored rows of these keys when the caller just loaded them in this
    transaction (:func:`load_stored`); a key absent from it is new. None: they are read here.
    """
    latest = latest_per_key(leads)
    if known is None:
        known = _known_leads(session, list(latest))
    new = [lead for key, lead in latest.items() if key not in known]
    results = _insert_leads(session, new, now)
    old = {key: lead for key, lead in latest.items() if key in known}
    results.update(_update_leads(session, old, known, now))
    return results


def _update_leads(
    session: Session,
    leads: Mapping[LeadKey, Lead],
    known: Mapping[LeadKey, StoredRow],
    now: datetime,
) -> dict[LeadKey, UpsertResult]:
    results: dict[LeadKey, UpsertResult] = {}
    updates: list[tuple[Any, ...]] = []
    for key, lead in leads.items():
        row = known[key]
        if lead.modified_at and row.modified_at and lead.modified_at < row.modified_at:
            results[key] = UpsertResult(row.id, row.status, False, False, stale=True)
            continue
        values = _lead_row(lead)
        if values[-1] == row.fingerprint:
            results[key] = UpsertResult(row.id, row.status, False, False, unchanged=True)
            continue
        updates.append((row.id, *values, now))
        changed = row.status != values[_STATUS_AT]
        results[key] = UpsertResult(row.id, row.status, changed, False)
    if updates:
        execute_many(session, _UPDATE_LEAD, _UPDATE_NAMES, updates)
        expire_held_rows(session, {update[0] for update in updates})
    return results


def set_status_changed_at(session: Session, leads: Mapping[int, Lead], now: datetime) -> None:
    """Store each lead's ``status_changed_at`` (lead id -> the lead holding the new time), its
    fingerprint with it, so that the next pull of an unchanged record rewrites nothing."""
    rows = []
    for lead_id, lead in leads.items():
        values = _lead_values(lead)
        rows.append(
            {
                "lead_id": lead_id,
                "status_changed_at": values["status_changed_at"],
                "fingerprint": values["fingerprint"],
                "updated_at": now,
            }
        )
    if rows:
        session.execute(_UPDATE_ENTRY, rows)
        expire_held_rows(session, set(leads))


def expire_held_rows(
    session: Session, lead_ids: Collection[int], attributes: list[str] | None = None
) -> None:
    """Core updates bypass the session's identity map: a LeadRow some caller still holds
    would keep its old values, so expire it (``attributes`` only, when given: its next access
    reloads them)."""
    for held in list(session.identity_map.values()):
        if isinstance(held, LeadRow) and held.id in lead_ids:
            session.expire(held, attributes)


def latest_per_key(leads: Iterable[Lead]) -> dict[LeadKey, Lead]:
    latest: dict[LeadKey, Lead] = {}
    for lead in leads:
        seen = latest.get(lead_key(lead))
        if seen is None or not _older(lead, seen):
            latest[lead_key(lead)] = lead
    return latest


def _older(lead: Lead, other: Lead) -> bool:
    """Whether ``lead`` is an older copy than ``other`` by CRM modstamp (unknown: not older)."""
    return bool(lead.modified_at and other.modified_at and lead.modified_at < other.modified_at)


def _known_leads(session: Session, keys: Sequence[LeadKey]) -> dict[LeadKey, StoredRow]:
    columns = (_LEADS.c.id, _LEADS.c.status, _LEADS.c.modified_at, _LEADS.c.fingerprint)
    return {key: StoredRow(*row) for key, row in _rows_of(session, keys, columns)}


def _ids(session: Session, keys: Sequence[LeadKey]) -> dict[LeadKey, int]:
    """The stored ids of ``keys`` (absent keys are left out)."""
    return {key: row[0] for key, row in _rows_of(session, keys, (_LEADS.c.id,))}


def _rows_of(
    session: Session, keys: Sequence[LeadKey], columns: Sequence[Any]
) -> Iterator[tuple[LeadKey, list[Any]]]:
    """(key, its ``columns``) of each stored lead of ``keys``, through Core (no ORM rows)."""
    for source, external_ids in _group_by_source(keys).items():
        for chunk in chunks(external_ids):
            query = select(_LEADS.c.external_id, *columns).where(
                _LEADS.c.source == source, _LEADS.c.external_id.in_(chunk)
            )
            for external_id, *row in session.execute(query):
                yield (source, external_id), row


def _group_by_source(keys: Iterable[LeadKey]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for source, external_id in keys:
        grouped[source].append(external_id)
    return grouped


def _insert_leads(
    session: Session, leads: Sequence[Lead], now: datetime
) -> dict[LeadKey, UpsertResult]:
    if not leads:
        return {}
    rows = [(*_lead_row(lead), now, now) for lead in leads]
    # a plain executemany, then one SELECT for the ids: INSERT ... RETURNING is sent as huge
    # multi-VALUES statements that psycopg parses slowly (4x slower per page on PostgreSQL)
    execute_many(session, _INSERT_LEAD, _INSERT_NAMES, rows)
    inserted = _ids(session, [lead_key(lead) for lead in leads])
    return {key: UpsertResult(lead_id, None, False, True) for key, lead_id in inserted.items()}


def _lead_row(lead: Lead) -> tuple[Any, ...]:
    """The lead's column values in :data:`LEAD_FIELDS` order, then its fingerprint."""
    values = [getattr(lead, name) for name in LEAD_FIELDS]
    values[_STATUS_AT] = status_value(lead)
    canonical = repr(tuple(values)).encode()
    return (*values, hashlib.blake2b(canonical, digest_size=16).hexdigest())


def _lead_values(lead: Lead) -> dict[str, Any]:
    return dict(zip((*LEAD_FIELDS, "fingerprint"), _lead_row(lead), strict=True))


def status_value(lead: Lead) -> str | None:
    return lead.status.value if lead.status is not None else None


def load_leads(
    session: Session, keys: Collection[LeadKey], with_raw: bool = False
) -> dict[LeadKey, Lead]:
    """The stored leads for ``keys`` (missing keys are absent), optionally with raw payloads."""
    return {key: stored.lead for key, stored in load_stored(session, keys, with_raw).items()}


def load_stored(
    session: Session, keys: Collection[LeadKey], with_raw: bool = False
) -> dict[LeadKey, Stored]:
    """:func:`load_leads` with each row's state, which :func:`upsert_leads` can take as
    ``known`` instead of reading the same rows again."""
    found: dict[LeadKey, Stored] = {}
    # Core rows, not ORM objects: a re-pulled page loads 2,000 leads, and the identity map and
    # per-row instances cost more than the query (upserts are Core statements the identity
    # map would not see anyway)
    columns = [_LEADS.c[name] for name in LEAD_FIELDS]
    raw = _RAW.c.payload if with_raw else literal(None)
    for source, external_ids in _group_by_source(keys).items():
        for chunk in chunks(external_ids):
            query = select(_LEADS.c.id, _LEADS.c.fingerprint, *columns, raw.label("raw"))
            if with_raw:
                query = query.select_from(_LEADS.outerjoin(_RAW, _RAW.c.lead_id == _LEADS.c.id))
            query = query.where(_LEADS.c.source == source, _LEADS.c.external_id.in_(chunk))
            for lead_id, fingerprint, *values in session.execute(query).all():
                # the columns are Lead's fields in order, raw last: build it positionally
                status = values[_STATUS_AT]
                values[-1] = dict(values[-1] or {})
                if status is not None:
                    values[_STATUS_AT] = Status(status)
                lead = Lead(*values)
                row = StoredRow(lead_id, status, lead.modified_at, fingerprint)
                found[(source, lead.external_id)] = Stored(lead, row)
    return found
