"""The scheduler's feedback job (``feedback.schedule``): one guarded feedback run."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from sync.config.settings import Settings
from sync.lease import LeaseBusy, Worker
from sync.logs import summarize
from sync.scheduler import Outcome

log = logging.getLogger(__name__)
JOB_ID = "feedback"


class FeedbackRunner:
    """``run_feedback`` for the scheduler. Never raises: a failed run is logged (secrets
    masked) and the next fire time tries again; a run another worker holds is skipped."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime],
        worker: Worker,
    ) -> None:
        self.settings, self.sessions, self.clock, self.worker = settings, sessions, clock, worker

    def __call__(self) -> Outcome:
        from sync.feedback.step import FeedbackRequest, FeedbackStep

        step = FeedbackStep(self.settings, self.sessions, self.clock, self.worker)
        try:
            report = step.run(FeedbackRequest())
        except LeaseBusy as exc:
            log.info("feedback: skipped, %s", exc)
            return Outcome.SKIPPED
        except Exception as exc:  # the daemon outlives any one run
            log.error("feedback: run failed: %s", summarize(exc))  # one line, no SQL or data
            log.debug("feedback: run failed", exc_info=True)
            return Outcome.FAILED
        counts = ", ".join(f"{key} {value}" for key, value in report.counts().items())
        if report.failed:
            log.error("feedback: run %s failed to push: %s", report.run_id, counts)
            return Outcome.FAILED
        log.info("feedback: run %s succeeded: %s", report.run_id, counts)
        return Outcome.RAN
