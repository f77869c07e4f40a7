"""The connector contract: one suite every CRM connector must pass (APScheduler jobstore style).

A connector's test module subclasses :class:`ConnectorContract` and provides a ``harness``
fixture returning an object with this small interface (see :class:`Harness`):

====================  ==========================================================================
``connector()``       a fresh connector (own ``usage``) against the running emulator; retries
                      must not really sleep
``seeded_ids()``      ids of every seeded record, deleted/archived ones included
``deleted_ids()``     the subset that is deleted (recycle bin / archived) or merged away
``raw(id)``           the record's current CRM field values, read from the emulator (no API call)
``modstamp(id)``      the record's current modification stamp (aware datetime), no API call
``human_edit(id, f)`` change fields as a person in the CRM UI would (bumps the modstamp)
``touch(ids)``        modify these records at one same instant; returns that modstamp
``edit_within_stamp(id, f)`` change fields as a person would, within the record's current
                      stamp (the same second on Salesforce, the same millisecond on HubSpot):
                      the values change, the modstamp does not
``before_write(cb)``  run ``cb`` when the connector's next write starts talking to the CRM,
                      before its conflict check (a human edit between evaluation and write)
``fault(kind, n)``    the next ``n`` read requests fail with ``kind``: ``"http503"`` or ``"drop"``
``write_fault(kind)`` the next write request (PATCH / batch update) fails with ``kind``
``storm(rate)``       from now on a share ``rate`` of all requests fail (429, 503, drops, odd
                      answers), drawn from a seeded generator
``during_next_wait(cb)`` run ``cb`` during the retry policy's next wait (between a failed
                      attempt and its retry)
``requests()``        how many API requests the emulator has answered so far (all operations)
``write_requests()``  how many *write* requests (PATCH / batch update) it has answered
``end``               a window end later than every seeded record and every edit
``page_size``         records per API page the emulator serves for incremental reads
``status_field``, ``reason_field``, ``detail_field`` (free text), ``modstamp_field``: CRM
field names; ``reason_field`` is a
restricted picklist; ``valid_reason`` / ``other_reason`` are two accepted values of it and
``invalid_reason`` one it refuses.
====================  ==========================================================================

Every test gets a fresh emulator (function-scoped fixture), so tests may edit records freely.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

import pytest

from connectors.base import (
    Connector,
    Correction,
    Cursor,
    OutcomeStatus,
    Page,
    SchemaCache,
    SourceRecord,
    TransientError,
    Window,
)
from connectors.http import RetryPolicy


class Harness(Protocol):
    @property
    def end(self) -> datetime: ...
    @property
    def page_size(self) -> int: ...

    status_field: str
    reason_field: str
    detail_field: str
    modstamp_field: str
    valid_reason: str
    other_reason: str
    invalid_reason: str

    def connector(self, **options: Any) -> Connector: ...
    def seeded_ids(self) -> list[str]: ...
    def deleted_ids(self) -> list[str]: ...
    def raw(self, record_id: str) -> Mapping[str, Any]: ...
    def modstamp(self, record_id: str) -> datetime: ...
    def human_edit(self, record_id: str, fields: Mapping[str, Any]) -> None: ...
    def touch(self, record_ids: Sequence[str]) -> datetime: ...
    def edit_within_stamp(self, record_id: str, fields: Mapping[str, Any]) -> None: ...
    def settle(self) -> None:
        """Let the CRM's eventual consistency catch up (HubSpot's search index lag)."""

    def before_write(self, callback: Callable[[], None]) -> None: ...
    def fault(self, kind: str, times: int = 1) -> None: ...
    def write_fault(self, kind: str) -> None: ...
    def storm(self, rate: float) -> None: ...
    def during_next_wait(self, callback: Callable[[], object]) -> None: ...
    def requests(self) -> int: ...
    def write_requests(self) -> int: ...


def records_of(pages: Iterable[Page]) -> list[SourceRecord]:
    """Every record of every page, in order."""
    return [record for page in pages for record in page.records]


def order_key(record: SourceRecord) -> tuple[datetime, str]:
    return record.modstamp, record.record_id


def writable_ids(harness: Harness, count: int) -> list[str]:
    """Live records we may write to: not deleted, not converted, and not refused by the org's
    "reason required when Unqualified" validation rule (which fires on any update of a
    Salesforce lead that breaks it, whichever field the update sets)."""
    deleted = set(harness.deleted_ids())
    taken = (harness.valid_reason, harness.other_reason)
    ids = [
        i
        for i in harness.seeded_ids()
        if i not in deleted
        and not harness.raw(i).get("IsConverted")
        and harness.raw(i).get(harness.reason_field) not in taken
        and not _breaks_reason_rule(harness.raw(i))
    ]
    return ids[:count]


def _breaks_reason_rule(raw: Mapping[str, Any]) -> bool:
    return raw.get("Status") == "Unqualified" and not raw.get("Unqualified_Reason__c")


def correction(harness: Harness, record_id: str, value: str | None, key: str) -> Correction:
    """Set the reason field, as evaluated against the record as it is now: its modstamp and
    the reason's current value."""
    evaluated = harness.raw(record_id).get(harness.reason_field)
    return Correction(
        key,
        record_id,
        {harness.reason_field: value},
        harness.modstamp(record_id),
        expected={harness.reason_field: None if evaluated is None else str(evaluated)},
    )


class ConnectorContract:
    """Subclass in a test module that defines a ``harness`` fixture."""

    # -- reading ------------------------------------------------------------------------

    def test_given_seeded_records_when_pulling_a_full_window_then_all_ascending_once(
        self, harness: Harness
    ) -> None:
        records = records_of(harness.connector().pull(Window(None, harness.end)))
        assert records == sorted(records, key=order_key)
        assert sorted(r.record_id for r in records) == sorted(harness.seeded_ids())
        assert all(harness.status_field in r.fields for r in records)

    def test_given_a_persisted_cursor_when_resuming_then_nothing_skipped_or_repeated(
        self, harness: Harness
    ) -> None:
        window = Window(None, harness.end)
        first_page = next(iter(harness.connector().pull(window)))
        assert first_page.cursor is not None and first_page.records
        rest = records_of(harness.connector().pull(window, after=first_page.cursor))
        ids = [r.record_id for r in (*first_page.records, *rest)]
        assert len(ids) == len(set(ids))
        assert sorted(ids) == sorted(harness.seeded_ids())

    def test_given_a_lookback_window_when_pulling_again_then_only_the_overlap_repeats(
        self, harness: Harness
    ) -> None:
        pages = list(harness.connector().pull(Window(None, harness.end)))
        middle = pages[0].cursor
        assert middle is not None
        lookback = timedelta(minutes=5)
        again = records_of(
            harness.connector().pull(Window(middle.modstamp - lookback, harness.end))
        )
        seen_first = {r.record_id for r in pages[0].records}
        repeated = [r for r in again if r.record_id in seen_first]
        assert all(
            r.modstamp >= middle.modstamp - timedelta(minutes=5, seconds=1) for r in repeated
        )
        later = {r.record_id for p in pages[1:] for r in p.records}
        assert later <= {r.record_id for r in again}

    def test_given_records_modified_at_one_instant_across_a_page_boundary_then_none_lost(
        self, harness: Harness
    ) -> None:
        ids = [i for i in harness.seeded_ids() if i not in set(harness.deleted_ids())]
        tied = ids[: harness.page_size + 7]
        stamp = harness.touch(tied)
        window = Window(stamp - timedelta(seconds=1), harness.end)
        pages = harness.connector().pull(window)
        first = next(iter(pages))
        assert first.cursor is not None and first.cursor.modstamp == stamp
        rest = records_of(harness.connector().pull(window, after=first.cursor))
        got = [r.record_id for r in (*first.records, *rest) if r.modstamp == stamp]
        assert sorted(got) == sorted(tied)

    def test_given_records_stamped_at_or_after_the_window_end_then_left_for_the_next_window(
        self, harness: Harness
    ) -> None:
        """Windows are half-open ``[start, end)``: a record stamped at ``end`` belongs to the
        next window, and one stamped after it is not read yet."""
        deleted = set(harness.deleted_ids())
        at_end, after_end = [i for i in harness.seeded_ids() if i not in deleted][:2]
        end = harness.touch([at_end])
        harness.touch([after_end])
        read = records_of(harness.connector().pull(Window(None, end)))
        assert {at_end, after_end}.isdisjoint(r.record_id for r in read)
        assert all(r.modstamp < end for r in read)
        following = records_of(harness.connector().pull(Window(end, harness.end)))
        assert [r.record_id for r in following] == [at_end, after_end]

    def test_given_deleted_records_when_pulling_then_they_come_flagged_deleted(
        self, harness: Harness
    ) -> None:
        records = records_of(harness.connector().pull(Window(None, harness.end)))
        deleted = {r.record_id for r in records if r.deleted}
        assert deleted == set(harness.deleted_ids())
        assert deleted

    def test_given_known_and_unknown_ids_when_pulling_by_id_then_exactly_the_known(
        self, harness: Harness
    ) -> None:
        known = harness.seeded_ids()[:3] + harness.deleted_ids()[:1]
        unknown = _unknown_id(harness)
        records = records_of(harness.connector().pull_ids([*known, unknown, known[0]]))
        assert sorted(r.record_id for r in records) == sorted(known)

    # -- writing ------------------------------------------------------------------------

    def test_given_a_correction_when_writing_then_sent_and_applied(self, harness: Harness) -> None:
        (record_id,) = writable_ids(harness, 1)
        (outcome,) = harness.connector().write(
            [correction(harness, record_id, harness.valid_reason, "k1")]
        )
        assert (outcome.key, outcome.status, outcome.applied) == ("k1", OutcomeStatus.SENT, True)
        assert harness.raw(record_id)[harness.reason_field] == harness.valid_reason

    def test_given_a_written_correction_when_sent_again_then_no_second_write(
        self, harness: Harness
    ) -> None:
        (record_id,) = writable_ids(harness, 1)
        first = correction(harness, record_id, harness.valid_reason, "k1")
        harness.connector().write([first])
        writes_before = harness.write_requests()
        (outcome,) = harness.connector().write([first])
        assert (outcome.status, outcome.applied) == (OutcomeStatus.SENT, False)
        assert harness.write_requests() == writes_before

    def test_given_a_human_edit_after_evaluation_when_writing_then_conflict_and_kept(
        self, harness: Harness
    ) -> None:
        (record_id,) = writable_ids(harness, 1)
        planned = correction(harness, record_id, harness.valid_reason, "k1")
        harness.before_write(
            lambda: harness.human_edit(record_id, {harness.reason_field: harness.other_reason})
        )
        (outcome,) = harness.connector().write([planned])
        assert outcome.status is OutcomeStatus.CONFLICT
        assert harness.raw(record_id)[harness.reason_field] == harness.other_reason

    def test_given_people_saving_within_the_evaluated_stamp_when_writing_then_every_save_survives(
        self, harness: Harness
    ) -> None:
        """Salesforce stamps have whole seconds: a save in the evaluated second leaves the
        stamp as it was. The values tell, not the stamp."""
        ids = writable_ids(harness, 10)
        planned = [correction(harness, i, harness.valid_reason, f"k{n}") for n, i in enumerate(ids)]

        def people_edit() -> None:
            for record_id in ids:
                harness.edit_within_stamp(record_id, {harness.reason_field: harness.other_reason})

        harness.before_write(people_edit)
        outcomes = harness.connector().write(planned)
        assert [harness.raw(i)[harness.reason_field] for i in ids] == [harness.other_reason] * 10
        assert {o.status for o in outcomes} == {OutcomeStatus.CONFLICT}
        assert all(harness.reason_field in (o.message or "") for o in outcomes)

    def test_given_an_invalid_picklist_value_when_writing_a_batch_then_only_it_is_dead(
        self, harness: Harness
    ) -> None:
        ids = writable_ids(harness, 3)
        values = [harness.valid_reason, harness.invalid_reason, harness.other_reason]
        outcomes = harness.connector().write(
            [
                correction(harness, i, v, f"k{n}")
                for n, (i, v) in enumerate(zip(ids, values, strict=True))
            ]
        )
        assert [o.status for o in outcomes] == [
            OutcomeStatus.SENT,
            OutcomeStatus.DEAD,
            OutcomeStatus.SENT,
        ]
        assert harness.reason_field in (outcomes[1].message or "")
        assert harness.invalid_reason in (outcomes[1].message or "")
        assert harness.raw(ids[2])[harness.reason_field] == harness.other_reason

    def test_given_a_reason_and_its_detail_for_one_record_when_writing_then_one_request(
        self, harness: Harness
    ) -> None:
        """A record's corrections travel together: split, the second would meet leadloop's
        own first write as a conflict."""
        (record_id,) = writable_ids(harness, 1)
        stamp = harness.modstamp(record_id)
        reason = Correction("k1", record_id, {harness.reason_field: harness.valid_reason}, stamp)
        detail = Correction("k2", record_id, {harness.detail_field: "asked to wait"}, stamp)
        before = harness.write_requests()
        outcomes = harness.connector().write([reason, detail])
        assert [(o.key, o.status, o.applied) for o in outcomes] == [
            ("k1", OutcomeStatus.SENT, True),
            ("k2", OutcomeStatus.SENT, True),
        ]
        assert harness.write_requests() - before == 1
        raw = harness.raw(record_id)
        assert (raw[harness.reason_field], raw[harness.detail_field]) == (
            harness.valid_reason,
            "asked to wait",
        )

    @pytest.mark.parametrize("kind", ["http503", "drop", "truncated"])
    def test_given_a_failed_write_and_human_edits_before_the_retry_then_every_edit_survives(
        self, harness: Harness, kind: str
    ) -> None:
        """The retry re-reads and re-decides; it never re-sends the failed request blindly."""
        ids = writable_ids(harness, 5)
        planned = [correction(harness, i, harness.valid_reason, f"k{n}") for n, i in enumerate(ids)]
        harness.write_fault(kind)

        def people_edit() -> None:
            for record_id in ids:
                harness.human_edit(record_id, {harness.reason_field: harness.other_reason})

        harness.during_next_wait(people_edit)
        outcomes = harness.connector().write(planned)
        assert [harness.raw(i)[harness.reason_field] for i in ids] == [harness.other_reason] * 5
        assert {o.status for o in outcomes} == {OutcomeStatus.CONFLICT}

    def test_given_a_write_that_landed_but_its_answer_was_cut_when_retried_then_applied(
        self, harness: Harness
    ) -> None:
        """The retry re-reads and finds leadloop's values: the write landed, so it is recorded
        as applied (undo can revert it), and nothing is written twice."""
        ids = writable_ids(harness, 3)
        planned = [correction(harness, i, harness.valid_reason, f"k{n}") for n, i in enumerate(ids)]
        harness.write_fault("truncated")
        before = harness.write_requests()
        outcomes = harness.connector().write(planned)
        assert [(o.status, o.applied) for o in outcomes] == [(OutcomeStatus.SENT, True)] * 3
        assert harness.write_requests() - before == 1
        assert [harness.raw(i)[harness.reason_field] for i in ids] == [harness.valid_reason] * 3

    # -- resilience and accounting ------------------------------------------------------

    def test_given_a_503_and_a_dropped_connection_when_pulling_then_retried_to_completion(
        self, harness: Harness
    ) -> None:
        connector = harness.connector()
        before = harness.requests()
        harness.fault("http503")
        harness.fault("drop")
        records = records_of(connector.pull(Window(None, harness.end)))
        assert sorted(r.record_id for r in records) == sorted(harness.seeded_ids())
        # Emulators count a request on receipt, the dropped one included.
        assert connector.usage.calls == harness.requests() - before

    def test_given_a_storm_of_20_percent_faults_when_pulling_and_writing_then_all_done(
        self, harness: Harness
    ) -> None:
        """A run rides out a fault storm within its retry budget: nothing lost, all written."""
        ids = writable_ids(harness, 30)
        connector = harness.connector(retry=RetryPolicy(attempts=8, initial_wait=0, jitter=0))
        harness.storm(0.2)
        for round_ in range(3):  # three syncs: pull everything, write ten corrections
            records = records_of(connector.pull(Window(None, harness.end)))
            assert sorted({r.record_id for r in records}) == sorted(harness.seeded_ids())
            chunk = ids[round_ * 10 : round_ * 10 + 10]
            planned = [correction(harness, i, harness.valid_reason, f"k{i}") for i in chunk]
            outcomes = connector.write(planned)
            assert {o.status for o in outcomes} == {OutcomeStatus.SENT}, outcomes
            harness.settle()  # the next sync comes later: search sees these writes by then
        harness.storm(0.0)
        assert {harness.raw(i)[harness.reason_field] for i in ids} == {harness.valid_reason}

    def test_given_reads_and_writes_when_counting_usage_then_every_request_counted(
        self, harness: Harness
    ) -> None:
        connector = harness.connector()
        planned = [
            correction(harness, i, harness.valid_reason, i) for i in writable_ids(harness, 2)
        ]
        before = harness.requests()
        connector.check()
        records_of(connector.pull(Window(None, harness.end)))
        connector.write(planned)
        assert connector.usage.calls == harness.requests() - before
        assert sum(connector.usage.by_operation.values()) == connector.usage.calls

    def test_given_a_used_connector_when_a_new_run_starts_then_it_counts_that_runs_calls_only(
        self, harness: Harness
    ) -> None:
        """A daemon keeps a connector from run to run: each run's figures are its own."""
        connector = harness.connector()
        records_of(connector.pull(Window(None, harness.end)))
        allowance = (connector.usage.used, connector.usage.limit)

        connector.usage.start_run()
        forgot_clock = connector.usage.server_time is None
        before = harness.requests()
        records_of(connector.pull(Window(None, harness.end)))

        assert connector.usage.calls == harness.requests() - before
        assert sum(connector.usage.by_operation.values()) == connector.usage.calls
        assert forgot_clock and connector.usage.server_time is not None  # this run's answer
        assert connector.usage.limit == allowance[1]  # the CRM's allowance carries over

    def test_given_cached_field_definitions_when_forgotten_then_the_next_use_reads_them_once(
        self, harness: Harness
    ) -> None:
        connector = harness.connector()
        assert isinstance(connector, SchemaCache)
        connector.field_info(harness.reason_field)
        before = harness.requests()
        connector.field_info(harness.reason_field)
        cached = harness.requests() - before

        connector.forget_schema()
        connector.field_info(harness.reason_field)
        connector.field_info(harness.reason_field)

        assert (cached, harness.requests() - before) == (0, 1)  # the session is kept


#: odd answers every emulator can give (connectors/sandbox/faults.py)
ODD_KINDS = ("empty", "html", "redirect", "truncated")
#: a fault storm's mix (connectors/sandbox/faults.py): rate limits, 5xx, drops, odd answers
STORM_KINDS = ("http429", "http503", "drop", *ODD_KINDS)


def storm_plan(rate: float, seed: int = 7) -> dict[str, Any]:
    """The fault plan of a storm: ``rate`` of all requests fail, spread over STORM_KINDS."""
    share = rate / len(STORM_KINDS)
    return {
        "seed": seed,
        "rates": [{"op": "*", "kind": kind, "rate": share} for kind in STORM_KINDS],
    }


class OddAnswerContract:
    """Answers without their documented shape are errors, never "no more data"."""

    @pytest.mark.parametrize("kind", ODD_KINDS)
    def test_given_an_odd_answer_when_pulling_then_retried_and_nothing_lost(
        self, harness: Harness, kind: str
    ) -> None:
        harness.fault(kind)
        records = records_of(harness.connector().pull(Window(None, harness.end)))
        assert sorted(r.record_id for r in records) == sorted(harness.seeded_ids())

    @pytest.mark.parametrize("kind", ODD_KINDS)
    def test_given_odd_answers_past_the_attempts_when_pulling_then_transient_error_no_page(
        self, harness: Harness, kind: str
    ) -> None:
        harness.fault(kind, times=10)
        pages: list[Page] = []
        with pytest.raises(TransientError, match="gave up after"):
            pages.extend(harness.connector().pull(Window(None, harness.end)))
        assert pages == []


def _unknown_id(harness: Harness) -> str:
    sample = harness.seeded_ids()[0]
    return sample[:-3] + ("ZZZ" if not sample.endswith("ZZZ") else "YYY")


__all__ = ["ConnectorContract", "Cursor", "Harness", "OddAnswerContract", "records_of"]
