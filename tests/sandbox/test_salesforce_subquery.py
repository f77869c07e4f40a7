"""Parent-to-child subqueries of the Salesforce emulator: a Lead's ``Tasks`` in one query.

https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_using.htm
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_results.htm
"""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from tests.sandbox.salesforce_support import Running, first_error, running

COLLECTIONS = "composite/sobjects"
OPEN_LEADLOOP = (
    "SELECT Id, OwnerId, (SELECT Id, Subject, LastModifiedDate FROM Tasks "
    "WHERE IsClosed = false AND Subject LIKE 'leadloop:%' ORDER BY CreatedDate, Id LIMIT 1) "
    "FROM Lead WHERE Id IN ({ids})"
)


def create(sandbox: Running, *tasks: tuple[str, str, str]) -> list[str]:
    """Tasks of (lead id, subject, status), created in this order, one second apart."""
    ids = []
    for who, subject, status in tasks:
        sandbox.clock.advance(seconds=1)
        record = {"WhoId": who, "Subject": subject, "Status": status}
        ids.append(sandbox.sf.Task.create(record)["id"])
    return ids


def by_lead(sandbox: Running, soql: str, *leads: str) -> dict[str, Any]:
    ids = ", ".join(f"'{lead_id}'" for lead_id in leads)
    records = sandbox.sf.query(soql.format(ids=ids))["records"]
    return {record["Id"]: record for record in records}


def test_given_leads_with_and_without_tasks_when_selecting_their_tasks_then_nested_per_lead() -> (
    None
):
    with running(plain=3) as sandbox:
        first, second, bare = (row["Id"] for row in sandbox.emulator.records())
        older, newer, _, _, _ = create(
            sandbox,
            (first, "leadloop: reason missing", "Not Started"),
            (first, "leadloop: status stale", "In Progress"),
            (first, "leadloop: done long ago", "Completed"),
            (first, "Follow-up call", "Not Started"),
            (second, "Follow-up call", "Not Started"),
        )
        found = by_lead(sandbox, OPEN_LEADLOOP, first, second, bare)
        every = by_lead(
            sandbox, "SELECT Id, (SELECT Subject FROM Tasks) FROM Lead WHERE Id IN ({ids})", first
        )
    tasks = found[first]["Tasks"]
    assert {key: tasks[key] for key in ("totalSize", "done")} == {"totalSize": 1, "done": True}
    assert [row["Id"] for row in tasks["records"]] == [older]  # the oldest open one, LIMIT 1
    assert tasks["records"][0]["attributes"] == {
        "type": "Task",
        "url": f"/services/data/v59.0/sobjects/Task/{older}",
    }
    assert set(tasks["records"][0]) == {"attributes", "Id", "Subject", "LastModifiedDate"}
    assert found[second]["Tasks"] is None  # none matches: null, not an empty result
    assert found[bare]["Tasks"] is None
    assert found[first]["OwnerId"] == found[bare]["OwnerId"]
    assert every[first]["Tasks"]["totalSize"] == 4 and newer  # no WHERE: all four


def test_given_a_deleted_task_when_selecting_tasks_then_only_query_all_shows_it() -> None:
    with running(plain=1) as sandbox:
        lead_id = sandbox.emulator.records()[0]["Id"]
        kept, gone = create(
            sandbox, (lead_id, "leadloop: a", "Not Started"), (lead_id, "leadloop: b", "Deferred")
        )
        with sandbox.emulator.lock:  # the emulator serves no Task DELETE; the recycle bin
            sandbox.emulator.tasks.require(gone)["IsDeleted"] = True
        soql = f"SELECT Id, (SELECT Id FROM Tasks) FROM Lead WHERE Id = '{lead_id}'"
        live = sandbox.sf.query(soql)["records"][0]["Tasks"]["records"]
        every = sandbox.sf.query_all(soql, include_deleted=True)["records"][0]["Tasks"]
    assert [row["Id"] for row in live] == [kept]
    assert {row["Id"] for row in every["records"]} == {kept, gone}


def test_given_more_child_rows_than_one_answer_holds_when_selecting_then_nested_locator() -> None:
    with running(plain=1) as sandbox:
        lead_id = sandbox.emulator.records()[0]["Id"]
        record = {"attributes": {"type": "Task"}, "WhoId": lead_id, "Subject": "leadloop: x"}
        for count in (200, 50):
            sandbox.sf.restful(COLLECTIONS, method="POST", json={"records": [record] * count})
        soql = f"SELECT Id, (SELECT Id FROM Tasks ORDER BY Id) FROM Lead WHERE Id = '{lead_id}'"
        tasks = sandbox.sf.query(soql)["records"][0]["Tasks"]
        rest = sandbox.sf.query_more(tasks["nextRecordsUrl"], identifier_is_url=True)
    assert (tasks["totalSize"], tasks["done"], len(tasks["records"])) == (250, False, 200)
    assert (rest["done"], len(rest["records"])) == (True, 50)
    ids = [row["Id"] for row in tasks["records"] + rest["records"]]
    assert ids == sorted(ids) and len(set(ids)) == 250


REFUSED = [
    ("SELECT Id, (SELECT Id FROM Taskz) FROM Lead", "INVALID_TYPE"),
    ("SELECT Id, (SELECT Id FROM Tasks) FROM Task", "INVALID_TYPE"),
    ("SELECT Id, (SELECT Id FROM Task) FROM Lead", "INVALID_TYPE"),
    ("SELECT Id, (SELECT Nope FROM Tasks) FROM Lead", "INVALID_FIELD"),
    ("SELECT Id, (SELECT Id FROM Tasks WHERE Description = 'x') FROM Lead", "INVALID_FIELD"),
    ("SELECT Id, (SELECT Id FROM Tasks), (SELECT Id FROM Tasks) FROM Lead", "MALFORMED_QUERY"),
    ("SELECT Id, (SELECT Id, (SELECT Id FROM Tasks) FROM Tasks) FROM Lead", "MALFORMED_QUERY"),
    ("SELECT Id, (SELECT COUNT() FROM Tasks) FROM Lead", "MALFORMED_QUERY"),
    ("SELECT Id, (SELECT Id FROM Tasks FROM Lead", "MALFORMED_QUERY"),
    ("SELECT COUNT(), (SELECT Id FROM Tasks) FROM Lead", "MALFORMED_QUERY"),
]


@pytest.mark.parametrize(("soql", "code"), REFUSED, ids=[s for s, _ in REFUSED])
def test_given_a_subquery_salesforce_refuses_when_querying_then_400_with_its_code(
    soql: str, code: str
) -> None:
    with running(plain=1) as sandbox, pytest.raises(SalesforceMalformedRequest) as caught:
        sandbox.sf.query(soql)
    assert first_error(caught.value)["errorCode"] == code


def test_given_the_org_when_describing_lead_then_tasks_is_a_child_relationship_by_who_id() -> None:
    with running() as sandbox:
        children = sandbox.sf.Lead.describe()["childRelationships"]
    assert [(c["relationshipName"], c["childSObject"], c["field"]) for c in children] == [
        ("Tasks", "Task", "WhoId")
    ]


def test_given_parents_with_children_when_paged_then_the_children_count_toward_the_batch() -> None:
    """120 leads with a task each fill 240 of a 200-record batch: two pages, not one."""
    with running(plain=120) as sandbox:
        leads = [row["Id"] for row in sandbox.emulator.records()]
        create(sandbox, *((lead, "leadloop: reason missing", "Not Started") for lead in leads))
        soql = OPEN_LEADLOOP.format(ids=", ".join(f"'{lead}'" for lead in leads))
        first = sandbox.sf.query(soql, headers={"Sforce-Query-Options": "batchSize=200"})
        rest = sandbox.sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert (first["done"], len(first["records"])) == (False, 100)
    assert (rest["done"], len(rest["records"])) == (True, 20)
    assert first["totalSize"] == 120
