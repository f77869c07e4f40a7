"""Feedback pushes: the last pushed hash per (target, key) decides what needs pushing again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.store.feedback import PushRecord, pushed_hashes, record_pushes
from sync.store.models import FeedbackPush
from tests.builders import NOW

KEY = "2026-W10/salesforce/Webinar/unresponsive"


def test_given_nothing_pushed_when_hashes_are_asked_then_none_are_known(session: Session) -> None:
    assert pushed_hashes(session, "custom_object", [KEY]) == {}


def test_given_a_push_when_pushed_again_with_new_content_then_hash_and_time_are_replaced(
    session: Session,
) -> None:
    record_pushes(session, "custom_object", [PushRecord(KEY, "hash-1", "remote-7")], NOW)

    later = NOW + timedelta(days=1)
    record_pushes(session, "custom_object", [PushRecord(KEY, "hash-2")], later)
    session.expire_all()

    assert pushed_hashes(session, "custom_object", [KEY, "other"]) == {KEY: "hash-2"}
    push = session.scalars(select(FeedbackPush)).one()
    assert (push.pushed_at, push.remote_id) == (later, "remote-7")


def test_given_one_key_when_pushed_to_two_targets_then_each_target_keeps_its_own_hash(
    session: Session,
) -> None:
    record_pushes(session, "custom_object", [PushRecord(KEY, "hash-a")], NOW)
    record_pushes(session, "contact_properties", [PushRecord(KEY, "hash-b")], NOW)

    assert pushed_hashes(session, "custom_object", [KEY]) == {KEY: "hash-a"}
    assert pushed_hashes(session, "contact_properties", [KEY]) == {KEY: "hash-b"}
