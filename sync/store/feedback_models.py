"""The feedback step's tables: what was pushed, and the recommendations' history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from sync.store.base import Base
from sync.store.types import BigIntKey, JSONType, UTCDateTime


class FeedbackPush(Base):
    """What was last pushed for one feedback key to one target, to push only what changed."""

    __tablename__ = "feedback_pushes"
    # one key is pushed to each target separately (custom object, contact properties)
    __table_args__ = (UniqueConstraint("target", "key"),)

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    target: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(512))  # period/source/campaign/reason
    payload_hash: Mapped[str] = mapped_column(String(64))
    pushed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    remote_id: Mapped[str | None] = mapped_column(String(255))


class RecommendationRow(Base):
    """One episode of a recommendation for one group (source x lead source x campaign): opened
    in the first period its rule held, open while it holds, closed in the first that it does
    not. Periods are named by their first day (``2026-03-09``) in ``feedback.timezone``."""

    __tablename__ = "recommendations"
    __table_args__ = (
        # at most one open episode per rule and group; closed ones are history
        Index(
            "uq_recommendations_open_rule_key_period_kind_group_key",
            "rule_key",
            "period_kind",
            "group_key",
            unique=True,
            sqlite_where=text("closed_period IS NULL"),
            postgresql_where=text("closed_period IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    rule_key: Mapped[str] = mapped_column(String(64))  # the rule's name, else a digest of it
    period_kind: Mapped[str] = mapped_column(String(8))
    group_key: Mapped[str] = mapped_column(String(64))  # digest of (source, lead_source, campaign)
    source: Mapped[str] = mapped_column(String(64))
    lead_source: Mapped[str] = mapped_column(Text)
    campaign: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(64))
    first_period: Mapped[str] = mapped_column(String(10))
    last_period: Mapped[str] = mapped_column(String(10))
    closed_period: Mapped[str | None] = mapped_column(String(10))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message: Mapped[str] = mapped_column(Text)
    #: the numbers of the latest period it held in (share, count, sample, ...)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class RecommendationRule(Base):
    """How far a rule has been judged: each complete period is judged once, in order."""

    __tablename__ = "recommendation_rules"

    rule_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    period_kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    evaluated_through: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
