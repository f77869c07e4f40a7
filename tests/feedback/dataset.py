"""The builder-made dataset whose aggregates and metrics the tests compute by hand.

Marketing works in Berlin, weeks start on Monday; "now" is Tuesday 10 March 2026. Weeks:
23 Feb, 2 Mar, 9 Mar (the current one). Emails are unique except ``ada@`` (a Salesforce lead
and a HubSpot contact: the overlap).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from sync.domain import Lead, Status
from tests.feedback.support import store_stories, story

N, W, NU, UQ, Q, C = (
    Status.NEW,
    Status.WORKING,
    Status.NURTURE,
    Status.UNQUALIFIED,
    Status.QUALIFIED,
    Status.CONVERTED,
)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _webinar(campaign: str, owner: str) -> dict[str, object]:
    return {"lead_source": "Webinar", "campaign": campaign, "owner": owner, "phone": None}


def salesforce_leads() -> list[list[Lead]]:
    spring, summer = _webinar("Spring", "rep-a"), _webinar("Summer", "rep-b")
    return [
        # week of 2 Mar, Spring: unresponsive x2 (one reachable), a legacy reason, none
        story("a1", [(N, at(2, 20)), (NU, at(3, 3))], nurture_reason="Unresponsive",
              email="ada@example.com", **{**spring, "phone": "+14155550100"}),
        story("a2", [(N, at(2, 20)), (NU, at(3, 4))], nurture_reason="Unresponsive",
              email=None, email_invalid=True, **spring),
        story("a3", [(N, at(2, 21)), (NU, at(3, 5))], nurture_reason="No Budget",
              email="a3@example.com", **spring),
        story("a4", [(N, at(2, 21)), (UQ, at(3, 6))], email="a4@example.com", **spring),
        # Sunday 23:30 UTC is Monday 00:30 in Berlin: the week of 9 Mar, not of 2 Mar
        story("a5", [(N, at(2, 22)), (UQ, at(3, 8, 23, 30))], unqualified_reason="Other",
              email="a5@example.com", **spring),
        # week of 23 Feb, Summer
        story("b1", [(N, at(2, 10)), (W, at(2, 15)), (NU, at(2, 24))],
              nurture_reason="Bad Timing", email=None, **{**summer, "phone": "+14155550101"}),
        # disqualified, reopened, disqualified again: the current spell starts on 25 Feb
        story("b2", [(N, at(2, 1)), (UQ, at(2, 5)), (W, at(2, 12)), (UQ, at(2, 25))],
              unqualified_reason="Wrong Persona", email="b2@example.com", **summer),
        # nurture then unqualified: one spell, from 24 Feb
        story("b3", [(N, at(2, 1)), (NU, at(2, 24)), (UQ, at(3, 3))],
              unqualified_reason="Competitor", email="b3@example.com", phone_invalid=True,
              **summer),
        # not counted: deleted, merged away; not disqualified any more
        story("x1", [(N, at(2, 20)), (NU, at(3, 3))], nurture_reason="Unresponsive",
              email="x1@example.com", is_deleted=True, **spring),
        story("x2", [(N, at(2, 20)), (NU, at(3, 3))], nurture_reason="Unresponsive",
              email="x2@example.com", merged_into="a1", **spring),
        story("x3", [(N, at(2, 20)), (NU, at(3, 2)), (W, at(3, 4))],
              email="x3@example.com", **spring),
        # converted on 1 Mar, created 1 Feb: a 28-day sales cycle
        story("c1", [(N, at(2, 1)), (C, at(3, 1))], converted_at=at(3, 1), email="c1@example.com",
              **spring),
    ]  # fmt: skip


def hubspot_contacts() -> list[list[Lead]]:
    paid = {"source": "hubspot", "lead_source": "PAID_SEARCH", "owner": "hs-1"}
    return [
        story("h1", [(N, at(2, 25)), (NU, at(3, 3))], nurture_reason="unresponsive",
              email="ada@example.com", **paid),
        story("h2", [(N, at(2, 2)), (Q, at(2, 20))], converted_at=at(2, 23),
              email="h2@example.com", **paid),
    ]  # fmt: skip


def store_dataset(session: Session) -> None:
    store_stories(session, *salesforce_leads(), *hubspot_contacts())
