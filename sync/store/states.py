"""The state machines of runs and outbox items: their states and legal transitions."""

from __future__ import annotations

import enum


class RunState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DEAD = "dead"  # the worker vanished: its heartbeat went stale, or another took its lease
    ABORTED = "aborted"  # stopped by Ctrl-C or SIGTERM (or its lease was lost) before the end
    STOPPED = "stopped"  # the CRM's daily API allowance (or our share of it) ran out: not a failure


#: how a run ended, when it did
FINAL_RUN_STATES = frozenset(
    {RunState.SUCCEEDED, RunState.FAILED, RunState.DEAD, RunState.ABORTED, RunState.STOPPED}
)

RUN_TRANSITIONS: dict[RunState, frozenset[RunState]] = {
    RunState.QUEUED: frozenset({RunState.RUNNING, RunState.DEAD}),
    RunState.RUNNING: FINAL_RUN_STATES,
    **{final: frozenset() for final in FINAL_RUN_STATES},
}


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # in flight: its batch may have reached the CRM, outcome unknown
    SENT = "sent"
    CONFLICT = "conflict"  # the CRM record changed since it was evaluated: not written
    RETRY = "retry"  # a transient failure: try again at next_attempt_at
    DEAD = "dead"  # a permanent failure, or out of attempts


_OUTCOMES = frozenset({OutboxState.SENT, OutboxState.CONFLICT, OutboxState.RETRY, OutboxState.DEAD})

OUTBOX_TRANSITIONS: dict[OutboxState, frozenset[OutboxState]] = {
    # straight to an outcome: decided without a write (superseded, a dry path in tests)
    OutboxState.PENDING: _OUTCOMES | {OutboxState.SENDING},
    # SENDING -> an outcome: the batch's answer, or its reconciliation after a crash
    OutboxState.SENDING: _OUTCOMES,
    # RETRY -> RETRY: another attempt failed transiently again
    OutboxState.RETRY: _OUTCOMES | {OutboxState.PENDING, OutboxState.SENDING},
    OutboxState.SENT: frozenset(),
    OutboxState.CONFLICT: frozenset(),
    OutboxState.DEAD: frozenset(),
}

#: outbox states a writer may pick up
CLAIMABLE_STATES: tuple[OutboxState, ...] = (OutboxState.PENDING, OutboxState.RETRY)
