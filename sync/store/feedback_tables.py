"""The feedback step's temporary tables and the constants the statements over them share.

Temporary tables belong to the session's connection: a concurrent run (another worker,
``leadloop report``) never sees them. :mod:`sync.store.facts` creates, fills and drops them.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Float, Integer, MetaData, String, Table, Text

from sync.store.types import BigIntKey

DISQUALIFIED = ("nurture", "unqualified")
#: what feedback_daily counts per bucket, group and reason
DAILY_COUNTS = (
    "leads", "nurture", "unqualified", "valid_contact", "email_valid", "email_invalid",
    "phone_valid", "phone_invalid",
)  # fmt: skip
#: reason kinds (see sync.feedback.codes) of a catalogue reason: reason-fill compliance
COMPLIANT = ("catalogue", "variant", "legacy")
#: reason kinds of a reason filled in, but not in the catalogue's own words
VAGUE_OR_LEGACY = ("legacy", "ambiguous", "vague", "unknown")
#: what an empty lead source, campaign or owner is counted and shown as
NONE = "(none)"

_TEMPORARY = MetaData()
REASON_CODES = Table(
    "feedback_reason_codes",
    _TEMPORARY,
    Column("source", String(64), primary_key=True),
    Column("value", Text, primary_key=True),
    Column("code", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    prefixes=["TEMPORARY"],
)
FACTS = Table(
    "feedback_facts",
    _TEMPORARY,
    Column("lead_id", BigIntKey, nullable=False),
    Column("source", String(64), nullable=False),
    Column("lead_source", Text, nullable=False),
    Column("campaign", Text, nullable=False),
    Column("status", String(16)),
    Column("email", Text),
    Column("code", String(64)),  # None unless disqualified
    Column("email_valid", Boolean, nullable=False),
    Column("phone_valid", Boolean, nullable=False),
    Column("email_invalid", Boolean, nullable=False),
    Column("phone_invalid", Boolean, nullable=False),
    Column("disqualified_day", Date),
    # the columns below are None when only disqualified leads are counted (feedback, push)
    Column("owner", Text),
    Column("kind", String(16)),
    Column("converted", Boolean),
    Column("days_to_disqualify", Float),  # from creation, for the disqualified
    Column("cycle_days", Float),  # from creation to conversion, for the converted
    Column("created_day", Date),
    prefixes=["TEMPORARY"],
)
#: the disqualified leads per bucket (a local day, or the part of a week within one month when
#: no days are asked for: sync.store.calendar.bucket_of) x group x reason, summed once: every
#: period kind's reasons roll these up (a bucket holds far fewer groups than leads)
DAILY = Table(
    "feedback_daily",
    _TEMPORARY,
    Column("day", Date, nullable=False),
    Column("source", String(64), nullable=False),
    Column("lead_source", Text, nullable=False),
    Column("campaign", Text, nullable=False),
    Column("reason", String(64), nullable=False),
    *(Column(name, Integer, nullable=False) for name in DAILY_COUNTS),
    prefixes=["TEMPORARY"],
)
#: (period, group, reason) in which a recommendation held: the owner scorecard's "fed"
HELD = Table(
    "feedback_held",
    _TEMPORARY,
    Column("period", String(10), nullable=False),
    Column("source", String(64), nullable=False),
    Column("lead_source", Text, nullable=False),
    Column("campaign", Text, nullable=False),
    Column("reason", String(64), nullable=False),
    prefixes=["TEMPORARY"],
)
#: created and dropped together, in this order
TABLES = (REASON_CODES, FACTS, DAILY, HELD)
