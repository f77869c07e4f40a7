"""Properties of the lead upsert: any order of pages converges; replaying changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from sync.domain import Lead, Status
from sync.store.db import make_engine, session_factory, upgrade
from sync.store.leads import lead_key, load_leads, upsert_leads
from tests.builders import NOW, lead

copies = st.builds(
    lambda n, status, minutes, reason: lead(
        external_id=f"00Q{n}", status=status, modified_at=NOW + timedelta(minutes=minutes),
        nurture_reason=reason,
    ),
    n=st.integers(0, 5),
    status=st.sampled_from(Status),
    minutes=st.integers(0, 3),
    reason=st.none() | st.sampled_from(["Bad Timing", "No Budget"]),
)  # fmt: skip


@contextmanager
def fresh_store() -> Iterator[Session]:
    engine = make_engine("sqlite://")
    upgrade(engine)
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


def newest(leads: list[Lead]) -> dict[tuple[str, str], Lead]:
    """Per key, a copy with the greatest modstamp (the one the store must end up holding)."""
    best: dict[tuple[str, str], Lead] = {}
    for x in leads:
        if lead_key(x) not in best or x.modified_at >= best[lead_key(x)].modified_at:  # type: ignore[operator]
            best[lead_key(x)] = x
    return best


@settings(max_examples=40, deadline=None)
@given(pages=st.lists(st.lists(copies, max_size=6), max_size=4))
def test_given_pages_in_any_order_when_upserted_then_each_lead_holds_a_newest_copy(
    pages: list[list[Lead]],
) -> None:
    with fresh_store() as session:
        for page in pages:
            upsert_leads(session, page, NOW)

        stored = load_leads(session, {lead_key(x) for page in pages for x in page})

        expected = newest([x for page in pages for x in page])
        assert stored.keys() == expected.keys()
        for key, value in stored.items():
            assert value.modified_at == expected[key].modified_at


@settings(max_examples=40, deadline=None)
@given(page=st.lists(copies, max_size=8))
def test_given_a_stored_page_when_replayed_then_no_lead_is_created_or_changed(
    page: list[Lead],
) -> None:
    with fresh_store() as session:
        first = upsert_leads(session, page, NOW)

        again = upsert_leads(session, page, NOW + timedelta(hours=1))

        assert {k: r.lead_id for k, r in again.items()} == {k: r.lead_id for k, r in first.items()}
        assert not any(r.created or r.status_changed for r in again.values())
