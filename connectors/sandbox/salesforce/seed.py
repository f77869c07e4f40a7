"""Seed leads: each shared seed person becomes a Lead whose values show its scenario.

How a scenario looks in the emulated org. ``N:`` is Nurture_Reason__c, ``U:`` is
Unqualified_Reason__c; ``a | b`` rotates by the person's index; "then" runs one hour after the
status change through the same code paths as later edits:

==============================  ======================  ==========================================
scenario                        Status                  reasons, then
==============================  ======================  ==========================================
new_clean                       Open - Not Contacted    -
working_clean                   Working - Contacted     -
lingering_unqualified_reason    Working - Contacted     U: Wrong Persona | Competitor
lingering_nurture_reason        Working - Contacted     N: Bad Timing | No Budget Now
nurture_to_unqualified          Unqualified             N: Bad Timing, U: No Fit - Industry
nurture_ok                      Nurture                 N: Bad Timing | No Budget Now
                                                        | Connected - Not Interested
unqualified_ok                  Unqualified             U: each canonical unqualified value
missing_reason                  Nurture | Unqualified   - (no reason at all)
legacy_reason                   Nurture                 N: No Budget (-> no_budget_now)
                                                        | Wrong Timing (-> bad_timing)
ambiguous_reason                Nurture                 N: Not Interested | No Interest
reason_wrong_field              Unqualified             U: Bad Timing | No Budget Now (nurture)
unresponsive_valid_contact      Nurture                 N: Unresponsive
unresponsive_invalid_contact    Nurture                 N: Unresponsive (bad email/phone)
low_score_new                   Open - Not Contacted    - (Lead_Score__c below 20)
wants_call_disqualified         Nurture                 N: Bad Timing (Wants_Call__c true)
converted                       Working - Contacted     then convert (Closed - Converted)
deleted                         Unqualified             U: Duplicate, then delete
merged                          Unqualified             U: Duplicate, then merge into the
                                                        previous live lead (delete if none)
broken_record                   Open - Not Contacted    emoji names, 100 kB Description,
                                                        bad email/phone
==============================  ======================  ==========================================

Ambiguous legacy values ("Not Interested", "No Interest") may mean connected_not_interested or
unresponsive. The scenario of a lead is an emulator-only note (``scenario_of``), never a field.

Beyond the scenarios (see :class:`Shape`): reps created and last edited the seeded leads; with
the ``same_second_bursts`` quirk, imports by the marketing-automation user put many leads in one
second (:mod:`.bursts`); Lead has a ``Status_Changed_At__c`` only when the
``no_status_changed_field`` quirk is off; reps have their own follow-up Tasks on some leads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.sandbox.salesforce.bursts import apply_bursts
from connectors.sandbox.salesforce.schema import (
    QUEUE,
    REP_USER,
    SALUTATIONS,
    STATUS_CHANGED_FIELD,
    UNQUALIFIED_VALUES,
)
from connectors.sandbox.salesforce.store import LeadStore, Row, TaskStore
from connectors.sandbox.salesforce.values import day, make_id, parse_wire, wire
from connectors.sandbox.seed import EPOCH, Person, people

OWNERS = (*(make_id("005", number) for number in range(1, 5)), QUEUE)
BROKEN_DESCRIPTION = "\U0001f984" * 25_000  # 25,000 characters, 100 kB of UTF-8


@dataclass(frozen=True)
class Look:
    """The Salesforce values of one scenario (see the module table)."""

    status: str | tuple[str, ...]
    nurture: tuple[str, ...] = ()
    unqualified: tuple[str, ...] = ()
    then: str | None = None  # convert, delete, merge


SCENARIO_LOOKS: dict[str, Look] = {
    "new_clean": Look("Open - Not Contacted"),
    "working_clean": Look("Working - Contacted"),
    "lingering_unqualified_reason": Look(
        "Working - Contacted", unqualified=("Wrong Persona", "Competitor")
    ),
    "lingering_nurture_reason": Look("Working - Contacted", ("Bad Timing", "No Budget Now")),
    "nurture_to_unqualified": Look("Unqualified", ("Bad Timing",), ("No Fit - Industry",)),
    "nurture_ok": Look("Nurture", ("Bad Timing", "No Budget Now", "Connected - Not Interested")),
    "unqualified_ok": Look("Unqualified", unqualified=UNQUALIFIED_VALUES),
    "missing_reason": Look(("Nurture", "Unqualified")),
    "legacy_reason": Look("Nurture", ("No Budget", "Wrong Timing")),
    "ambiguous_reason": Look("Nurture", ("Not Interested", "No Interest")),
    "reason_wrong_field": Look("Unqualified", unqualified=("Bad Timing", "No Budget Now")),
    "unresponsive_valid_contact": Look("Nurture", ("Unresponsive",)),
    "unresponsive_invalid_contact": Look("Nurture", ("Unresponsive",)),
    "low_score_new": Look("Open - Not Contacted"),
    "wants_call_disqualified": Look("Nurture", ("Bad Timing",)),
    "converted": Look("Working - Contacted", then="convert"),
    "deleted": Look("Unqualified", unqualified=("Duplicate",), then="delete"),
    "merged": Look("Unqualified", unqualified=("Duplicate",), then="merge"),
    "broken_record": Look("Open - Not Contacted"),
}


def _pick(options: str | tuple[str, ...], index: int) -> str | None:
    if isinstance(options, str):
        return options
    return options[index % len(options)] if options else None


@dataclass(frozen=True)
class Shape:
    """How the seeded org looks beyond its people (the seed-related quirks)."""

    status_field: bool = False  # Lead has Status_Changed_At__c
    bursts: bool = True  # same-second import bursts (see :mod:`.bursts`)


def blank_row(lead_id: str, created: datetime, modified: datetime, shape: Shape) -> Row:
    """A Lead row with every field present and system fields filled."""
    stamp = wire(modified)
    row: Row = {
        "Id": lead_id,
        "IsDeleted": False,
        "MasterRecordId": None,
        "LastName": None,
        "FirstName": None,
        "Salutation": None,
        "Name": None,
        "Title": None,
        "Company": None,
        "Country": None,
        "Phone": None,
        "Email": None,
        "Website": None,
        "Description": None,
        "LeadSource": None,
        "Status": "Open - Not Contacted",
        "Industry": None,
        "Rating": None,
        "OwnerId": OWNERS[0],
        "IsConverted": False,
        "ConvertedDate": None,
        "ConvertedContactId": None,
        "CreatedDate": wire(created),
        "CreatedById": REP_USER,
        "LastModifiedDate": stamp,
        "LastModifiedById": REP_USER,
        "SystemModstamp": stamp,
        "Nurture_Reason__c": None,
        "Unqualified_Reason__c": None,
        "Reason_Detail__c": None,
        "Lead_Score__c": None,
        "Wants_Call__c": False,
        "Campaign__c": None,
        "Leadloop_Review__c": None,
    }
    if shape.status_field:
        row[STATUS_CHANGED_FIELD] = stamp
    return row


def person_row(lead_id: str, person: Person, shape: Shape) -> Row:
    """The Lead row of a seed person, with the values of its scenario."""
    look = SCENARIO_LOOKS[person.scenario]
    row = blank_row(lead_id, person.created_at, person.status_changed_at, shape)
    row.update(
        FirstName=person.first_name,
        LastName=person.last_name,
        Salutation=SALUTATIONS[person.index % 7] if person.index % 7 < len(SALUTATIONS) else None,
        Title=person.title,
        Company=person.company,
        Email=person.email or None,
        Phone=person.phone or None,
        Website=_website(person),
        Country=person.country,
        Industry=person.industry,
        LeadSource=person.lead_source,
        OwnerId=OWNERS[person.index % len(OWNERS)],
        Status=_pick(look.status, person.index),
        Nurture_Reason__c=_pick(look.nurture, person.index),
        Unqualified_Reason__c=_pick(look.unqualified, person.index),
        Lead_Score__c=float(person.score),
        Wants_Call__c=person.wants_call,
        Campaign__c=person.campaign or None,
    )
    if person.scenario == "broken_record":
        row.update(
            FirstName=f"\U0001f984 {person.first_name}",
            LastName=f"{person.last_name} \U0001f4a5",
            Description=BROKEN_DESCRIPTION,
        )
    return row


def _website(person: Person) -> str | None:
    if person.index % 3 == 2:
        return None
    return "https://www." + person.company.lower().replace(" ", "-") + ".example.com"


def seed_people(store: LeadStore, count: int, seed: int, shape: Shape) -> None:
    """Add ``count`` seed people to ``store`` and apply their after-creation steps."""
    candidates: list[str] = []  # live, unconverted leads a later duplicate can merge into
    rows = []
    for person in people(count, seed):
        row = store.add_seeded(person_row(store.new_id(), person, shape), person.scenario)
        _then(store, row, person, candidates)
        rows.append(row)
    if shape.bursts:
        apply_bursts(store, rows)


def _then(store: LeadStore, row: Row, person: Person, candidates: list[str]) -> None:
    at = person.status_changed_at + timedelta(hours=1)
    then = SCENARIO_LOOKS[person.scenario].then
    if then == "convert":
        store.convert(row["Id"], at, make_id("003", person.index + 1), REP_USER)
    elif then == "delete" or (then == "merge" and not candidates):
        store.delete(row["Id"], at, REP_USER)
    elif then == "merge":
        store.merge(candidates[-1], row["Id"], at, REP_USER)
    else:
        candidates.append(row["Id"])


def bulk_rows(store: LeadStore, count: int, shape: Shape) -> None:
    """Append ``count`` plain new/working leads quickly (benchmarks, paging tests)."""
    template: dict[str, Any] = blank_row("", EPOCH, EPOCH, shape)
    statuses = ("Open - Not Contacted", "Working - Contacted")
    rows = []
    for _ in range(count):
        number = store.sequence + 1
        created = EPOCH + timedelta(seconds=number * 7)
        stamp = wire(created + timedelta(hours=1))
        row = dict(
            template,
            Id=store.new_id(),
            FirstName=f"Bench{number}",
            LastName=f"Lead{number}",
            Company=f"Company {number % 997}",
            Email=f"bench{number}@example.com",
            Status=statuses[number % 2],
            CreatedDate=wire(created),
            LastModifiedDate=stamp,
            SystemModstamp=stamp,
            Lead_Score__c=float(number % 100),
        )
        if shape.status_field:
            row[STATUS_CHANGED_FIELD] = stamp
        rows.append(store.add_seeded(row, "new_clean" if number % 2 == 0 else "working_clean"))
    if shape.bursts:
        apply_bursts(store, rows)


def seed_tasks(tasks: TaskStore, leads: LeadStore) -> None:
    """Reps' own follow-up tasks on every tenth live lead (half of them done)."""
    for position, lead in enumerate(leads.live()):
        if position % 10 != 3 or lead["IsConverted"]:
            continue
        owner = lead["OwnerId"] if lead["OwnerId"].startswith("005") else REP_USER
        created = lead["CreatedDate"]
        tasks.add(
            {
                "Id": tasks.new_id(),
                "IsDeleted": False,
                "WhoId": lead["Id"],
                "Subject": "Follow-up call",
                "ActivityDate": day(parse_wire(created) + timedelta(days=7)),
                "Status": "Completed" if position % 20 == 3 else "Not Started",
                "Priority": "Normal",
                "OwnerId": owner,
                "Description": None,
                "CreatedDate": created,
                "CreatedById": owner,
                "LastModifiedDate": created,
                "LastModifiedById": owner,
                "SystemModstamp": created,
            }
        )
