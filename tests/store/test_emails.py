"""Email groups: live leads of one source sharing an email, ranked in SQL (both stores)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sync.store.emails import email_groups, email_members
from sync.store.leads import upsert_leads
from tests.builders import NOW, lead


def test_given_shared_emails_when_grouped_then_live_leads_of_the_source_ranked_by_id(
    session: Session,
) -> None:
    upsert_leads(
        session,
        [
            *(lead(external_id=f"00QA{i}", email="ada@x.com") for i in range(5)),
            lead(external_id="00QD", email="ada@x.com", is_deleted=True),
            lead(external_id="00QM", email="ada@x.com", merged_into="00QA0"),
            lead(source="hubspot", external_id="9", email="ada@x.com"),
            lead(external_id="00QB", email="bob@x.com"),
        ],
        NOW,
    )

    groups = email_groups(session, "salesforce", {"ada@x.com", "bob@x.com", "nobody@x.com"}, 3)

    assert {email: group.size for email, group in groups.items()} == {
        "ada@x.com": 5,
        "bob@x.com": 1,
    }
    assert [external_id for _, external_id in groups["ada@x.com"].head] == [
        "00QA0",
        "00QA1",
        "00QA2",
    ]
    assert [e for _, e in email_members(session, "salesforce", "ada@x.com")] == [
        f"00QA{i}" for i in range(5)
    ]
