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
    SENT = "sent"
    CONFLICT = "conflict"  # the CRM record changed since it was evaluated: not written
    RETRY = "retry"  # a transient failure: try again at next_attempt_at
    DEAD = "dead"  # a permanent failure, or out of attempts


OUTBOX_TRANSITIONS: dict[OutboxState, frozenset[OutboxState]] = {
    OutboxState.PENDING: frozenset(
        {OutboxState.SENT, OutboxState.CONFLICT, OutboxState.RETRY, OutboxState.DEAD}
    ),
    # RETRY -> RETRY: another attempt failed transiently again
    OutboxState.RETRY: frozenset(
        {
            OutboxState.PENDING,
            OutboxState.SENT,
            OutboxState.CONFLICT,
            OutboxState.RETRY,
            OutboxState.DEAD,
        }
    ),
    OutboxState.SENT: frozenset(),
    OutboxState.CONFLICT: frozenset(),
    OutboxState.DEAD: frozenset(),
}

#: outbox states a writer may pick up
CLAIMABLE_STATES: tuple[OutboxState, ...] = (OutboxState.PENDING, OutboxState.RETRY)
