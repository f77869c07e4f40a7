"""Normalize throughput: seed people as Salesforce leads and HubSpot contacts -> canonical leads.

Prints records/s for a cold run (validation caches empty), a warm run (the same values again,
as on an incremental re-pull), and a worst case where every phone number is different.
CPU time is reported besides wall time, so figures stay comparable on a busy machine.
Figures, not a timed test::

    .venv/bin/python benchmarks/normalize.py --records 50000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from connectors.base import SourceRecord
from connectors.sandbox.seed import Person, people
from mappings import transforms
from mappings.catalogue_loader import load_catalogue
from mappings.loader import SourceMapping, load_mapping
from sync.pipeline.normalize import normalize

SF_TIME = "%Y-%m-%dT%H:%M:%S.000+0000"


def salesforce(person: Person, phone: str) -> SourceRecord:
    record_id = f"00Q{person.index:015d}"
    fields = {
        "Id": record_id,
        "SystemModstamp": person.status_changed_at.strftime(SF_TIME),
        "IsDeleted": False,
        "IsConverted": False,
        "Status": "Nurture",
        "Nurture_Reason__c": "Bad Timing",
        "Email": person.email,
        "Phone": phone,
        "Company": person.company,
        "Industry": person.industry,
        "Country": person.country,
        "Title": person.title,
        "LeadSource": person.lead_source,
        "Campaign__c": person.campaign,
        "Lead_Score__c": person.score,
        "Wants_Call__c": person.wants_call,
        "OwnerId": "005x",
        "CreatedDate": person.created_at.strftime(SF_TIME),
        "Status_Changed_At__c": person.status_changed_at.strftime(SF_TIME),
    }
    return SourceRecord(record_id, person.status_changed_at, fields)


def hubspot(person: Person, phone: str) -> SourceRecord:
    fields = {
        "hs_object_id": str(person.index),
        "lastmodifieddate": person.status_changed_at.isoformat(),
        "hs_lead_status": "UNQUALIFIED",
        "unqualified_reason": "wrong_persona",
        "email": person.email,
        "phone": phone,
        "company": person.company,
        "country": person.country,
        "jobtitle": person.title,
        "hubspotscore": str(person.score),
        "wants_call": str(person.wants_call).lower(),
        "createdate": str(int(person.created_at.timestamp() * 1000)),
    }
    return SourceRecord(fields["hs_object_id"], person.status_changed_at, fields)


# national formats of the seed's countries, with room for a million different numbers
UNIQUE_PATTERNS = {
    "US": "(415) {a:03d}-{b:04d}",
    "GB": "020 7{a:03d} {b:04d}",
    "DE": "030 9{a:03d}{b:04d}",
    "FR": "01 4{a:03d} {b:04d}",
    "BR": "(11) 3{a:03d}-{b:04d}",
    "JP": "03-5{a:03d}-{b:04d}",
}


def unique_phone(person: Person) -> str:
    """A number nobody else in the crowd has, written the way people of its country do."""
    a, b = 200 + person.index // 10000 % 800, person.index % 10000
    return UNIQUE_PATTERNS[person.country].format(a=a, b=b)


def clear_caches() -> None:
    transforms._full_check.cache_clear()
    transforms._phone.cache_clear()


def rate(label: str, mapping: SourceMapping, records: list[SourceRecord]) -> None:
    started, cpu_started = time.perf_counter(), time.process_time()
    problems = sum(len(normalize("bench", mapping, r).problems) for r in records)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"{label:<44} {len(records):>7} records {seconds:>6.2f} s wall "
        f"{len(records) / cpu:>8.0f} records per CPU-second ({problems} problems)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    count = parser.parse_args().records
    catalogue = load_catalogue()
    crowd = people(count)
    build: dict[str, Callable[[Person, str], SourceRecord]] = {
        "salesforce_lead": salesforce,
        "hubspot_contact": hubspot,
    }
    for name, make in build.items():
        mapping = load_mapping(name, catalogue)
        seeded = [make(p, p.phone) for p in crowd]
        unique = [make(p, unique_phone(p)) for p in crowd]
        clear_caches()
        rate(f"{name}: cold (seed phones)", mapping, seeded)
        rate(f"{name}: warm (same values again)", mapping, seeded)
        clear_caches()
        rate(f"{name}: cold, every phone different", mapping, unique)


if __name__ == "__main__":
    main()
