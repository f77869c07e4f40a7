"""Seeded HubSpot contacts drawn from the people both emulators share.

Selection rule (deterministic): walk ``people(n, seed)`` in index order. A person for whom
``shared_with_hubspot(person)`` is true becomes a contact with exactly the person's email (the
Salesforce emulator seeds ``people(leads, seed)``, and ``people`` is prefix-stable, so index i
has the same email there). A person with ``index % 5 == 4`` becomes a HubSpot-only contact:
same draw, but the email gets ``.hs`` before the ``@`` (a different person to both CRMs; see
:func:`contact_email`).
Others are skipped. The first ``contacts`` selected people are used: 3 of every 5 indices, so
about two thirds of the contacts have a Salesforce twin when the Salesforce seed is as large.

:func:`place_bursts` (quirk ``seed_bursts``) then makes imports of them: the 20 live contacts
around every 100th place of search order share one createdate and lastmodifieddate
millisecond, so same-millisecond runs straddle batch (100) and search page (200) boundaries.

:func:`add_bulk` appends many plain contacts fast (benchmarks): runs of records share one
``lastmodifieddate`` millisecond, and the stream is dense enough that one day holds more than
10,000 of them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

from connectors.sandbox.hubspot.defaults import OWNERS
from connectors.sandbox.hubspot.records import IMPORT
from connectors.sandbox.hubspot.scenarios import ANALYTICS_SOURCE, fate, hubspot_values
from connectors.sandbox.hubspot.store import ObjectStore, Record
from connectors.sandbox.hubspot.values import iso, millis
from connectors.sandbox.seed import EPOCH, Person, people, shared_with_hubspot

HUBSPOT_ONLY_REMAINDER = 4
BURST_EVERY, BURST_HALF = 100, 10
OWNER_IDS = tuple(OWNERS)
BULK_LOOKS = (
    ("NEW", "", ""),
    ("IN_PROGRESS", "", ""),
    ("BAD_TIMING", "bad_timing", ""),
    ("UNQUALIFIED", "", "wrong_persona"),
    ("CONNECTED", "", ""),
)


def hubspot_only(person: Person) -> bool:
    """Whether the person exists only in HubSpot (see the module docstring)."""
    return not shared_with_hubspot(person) and person.index % 5 == HUBSPOT_ONLY_REMAINDER


def selected_people(count: int, seed: int) -> list[Person]:
    """The people behind ``count`` seeded contacts, in index order."""
    pool = people(math.ceil(count * 5 / 3) + 5, seed)
    return [p for p in pool if shared_with_hubspot(p) or hubspot_only(p)][:count]


def contact_email(person: Person) -> str:
    """The contact's email: the person's own, or a ``.hs`` variant for HubSpot-only people
    (junk such as ``n/a`` or an empty value stays: it identifies nobody)."""
    email = person.email
    if shared_with_hubspot(person) or email.strip() in ("", "n/a"):
        return email
    return email.replace("@", ".hs@", 1) if "@" in email else "hs." + email


def contact_properties(person: Person, *, status_changed_at: bool = False) -> dict[str, str]:
    """Every property a person's contact starts with (``lead_status_changed_at`` only when the
    portal has that custom property)."""
    values = {
        "email": contact_email(person),
        "firstname": person.first_name,
        "lastname": person.last_name,
        "phone": person.phone,
        "company": person.company,
        "industry": person.industry,
        "country": person.country,
        "jobtitle": person.title,
        "hs_analytics_source": ANALYTICS_SOURCE.get(person.lead_source, "OTHER_CAMPAIGNS"),
        "campaign": person.campaign,
        "hubspotscore": str(person.score),
        "wants_call": "true" if person.wants_call else "false",
    }
    if status_changed_at:
        values["lead_status_changed_at"] = iso(person.status_changed_at)
    if person.scenario == "broken_record":
        values["firstname"] = person.first_name + " \U0001f680\u200b"
    values.update(hubspot_values(person))
    values["hubspot_owner_id"] = OWNER_IDS[person.index % len(OWNER_IDS)]
    if values.get("lifecyclestage") == "customer":
        values["hs_lifecyclestage_customer_date"] = iso(person.status_changed_at)
    return {name: value for name, value in values.items() if value != ""}


def seed_contacts(
    store: ObjectStore, count: int, seed: int, *, status_changed_at: bool = False
) -> dict[int, str]:
    """Insert the seeded contacts; returns contact id -> scenario (the emulator's side table)."""
    scenarios: dict[int, str] = {}
    previous: Record | None = None
    has_field = store.registry.get("lead_status_changed_at") is not None
    for person in selected_people(count, seed):
        modified = millis(person.status_changed_at) + 60_000 * (person.index % 7)
        record = store.insert(
            contact_properties(person, status_changed_at=status_changed_at and has_field),
            modified,
            created_ms=millis(person.created_at),
            source=IMPORT,
        )
        scenarios[record.id] = person.scenario
        outcome = fate(person.scenario)
        if outcome == "archived":
            store.archive(record, modified + 1000)
        elif outcome == "merged" and previous is not None:
            merge_records(store, previous, record, modified + 1000)
        if outcome == "live":
            previous = record
    return scenarios


def place_bursts(store: ObjectStore, every: int = BURST_EVERY, half: int = BURST_HALF) -> None:
    """Imports: the live contacts around every ``every``-th place of search order (a batch of
    100, and so every search page of 200) come to share one createdate and lastmodifieddate
    millisecond, that of the first of them, so a same-millisecond run straddles each boundary.
    Contacts changed after they were created (merge survivors) keep their stamps."""
    order = [i for _, i in store.by_modified if not store.records[i].history]
    for boundary in range(every, len(order), every):
        run = [store.records[i] for i in order[boundary - half : boundary + half]]
        stamp = run[0].updated_ms
        for record in run:
            store.restamp(record, stamp)


def merge_records(store: ObjectStore, primary: Record, secondary: Record, now_ms: int) -> None:
    """HubSpot merge: the secondary is archived, its id resolves to the primary, and the
    primary lists it in ``hs_merged_object_ids``; the primary keeps its own non-empty values."""
    merged = [v for v in (primary.properties.get("hs_merged_object_ids") or "").split(";") if v]
    merged.append(str(secondary.id))
    fill = {
        name: value
        for name, value in secondary.properties.items()
        if value and not primary.properties.get(name) and name not in SYSTEM_PROPS
    }
    store.archive(secondary, now_ms)
    store.merged_into[secondary.id] = primary.id
    store.write(primary, {**fill, "hs_merged_object_ids": ";".join(merged)}, now_ms)


SYSTEM_PROPS = frozenset(
    {
        "hs_object_id",
        "createdate",
        "lastmodifieddate",
        "hs_lastmodifieddate",
        "hs_merged_object_ids",
    }
)


def bulk_stream(
    count: int, first_index: int, start_ms: int, seed: int
) -> Iterator[tuple[int, dict[str, str], str]]:
    """(modified millis, properties, scenario) for ``count`` plain contacts."""
    rng = random.Random(seed * 1_000_003 + first_index)
    stamp = start_ms
    for offset in range(count):
        index = first_index + offset
        if rng.random() >= 0.3:  # 30 % share the millisecond of the record before
            stamp += rng.randrange(1, 1600)
        status, nurture, unqualified = BULK_LOOKS[index % len(BULK_LOOKS)]
        values = {
            "email": f"bulk{index}@load.example.com",
            "firstname": f"Bulk{index}",
            "lastname": "Contact",
            "company": "Load Test Inc",
            "hs_lead_status": status,
            "lifecyclestage": "lead",
            "hubspotscore": str(index % 100),
        }
        if nurture:
            values["nurture_reason"] = nurture
        if unqualified:
            values["unqualified_reason"] = unqualified
        yield (
            stamp,
            values,
            "nurture_ok" if nurture else ("unqualified_ok" if unqualified else "working_clean"),
        )


def add_bulk(store: ObjectStore, count: int, seed: int) -> dict[int, str]:
    """Append ``count`` bulk contacts after the newest existing one; id -> scenario."""
    start = store.by_modified[-1][0] + 1000 if store.by_modified else millis(EPOCH)
    scenarios: dict[int, str] = {}
    for stamp, values, scenario in bulk_stream(count, store.next_id, start, seed):
        record = store.insert(values, stamp, source=IMPORT)
        scenarios[record.id] = scenario
    return scenarios
