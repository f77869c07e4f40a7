"""Deterministic, realistically messy people shared by both emulators' seed data.

Both emulators draw from the same list, so the same person (same normalized email) can exist
in Salesforce and in HubSpot, as in a real company running both. Each person carries a
``scenario``: the kind of data rot the emulators give that record in their own vocabulary.
Tests assert on scenarios, never on random draws.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# Scenario names and their weights in a seeded population.
SCENARIOS: dict[str, int] = {
    "new_clean": 14,
    "working_clean": 14,
    "lingering_unqualified_reason": 8,  # moved back to working, unqualified reason still set
    "lingering_nurture_reason": 6,  # moved on from nurture, nurture reason still set
    "nurture_to_unqualified": 3,  # now unqualified, the old nurture reason lingers
    "nurture_ok": 8,
    "unqualified_ok": 10,
    "missing_reason": 8,  # disqualified without any reason
    "legacy_reason": 7,  # a legacy value that maps to exactly one catalogue code
    "ambiguous_reason": 4,  # a legacy value that could mean two codes
    "reason_wrong_field": 3,  # a nurture reason in the unqualified field
    "unresponsive_valid_contact": 6,
    "unresponsive_invalid_contact": 4,
    "low_score_new": 3,
    "wants_call_disqualified": 2,
    "converted": 5,
    "deleted": 2,
    "merged": 2,
    "broken_record": 1,  # emoji, 100 kB description, malformed email and phone
}

FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "Dmitri",
    "Eve",
    "Farah",
    "Gus",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Vik",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoë",
]
LAST = [
    "Alvarez",
    "Brown",
    "Chen",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ito",
    "Jansen",
    "Kowalski",
    "Larsen",
    "Müller",
    "Nakamura",
    "O'Brien",
    "Patel",
    "Quispe",
    "Rossi",
    "Silva",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmermann",
]
COMPANIES = [
    "Acme Analytics",
    "Borealis Freight",
    "Cobalt Health",
    "Delta Dental Labs",
    "Evergreen Schools",
    "Fjord Energy",
    "Granite Insurance",
    "Harbor Retail",
    "Ionic Biotech",
    "Juniper Media",
    "Kestrel Logistics",
    "Lumen Fintech",
]
INDUSTRIES = [
    "Technology",
    "Healthcare",
    "Finance",
    "Education",
    "Energy",
    "Insurance",
    "Retail",
    "Biotechnology",
    "Media",
    "Transportation",
    "Tech",
]
COUNTRIES = [
    ("US", "+1 415 555 {:04d}"),
    ("GB", "+44 20 7946 {:04d}"),
    ("DE", "+49 30 901820{:02d}"),
    ("FR", "+33 1 70 36 {:02d} 00"),
    ("BR", "+55 11 3456 {:04d}"),
    ("JP", "+81 3 1234 {:04d}"),
]
TITLES = [
    "VP Marketing",
    "Head of Sales",
    "CTO",
    "Office Manager",
    "Student",
    "Procurement Lead",
    "Data Analyst",
    "CEO",
    "Intern",
    "Operations Director",
]
LEAD_SOURCES = ["Web", "Webinar", "Partner Referral", "Purchased List", "Trade Show", "Other"]
CAMPAIGNS = [
    "2026-Q3 Webinar Series",
    "Spring Trade Show",
    "Partner Push",
    "Paid Search EMEA",
    "Content Syndication",
    "",
]

EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Person:
    index: int
    first_name: str
    last_name: str
    email: str
    phone: str
    company: str
    industry: str
    country: str
    title: str
    lead_source: str
    campaign: str
    score: int
    scenario: str
    created_at: datetime
    status_changed_at: datetime
    wants_call: bool


def _contact(
    rng: random.Random, index: int, first: str, last: str, valid: bool
) -> tuple[str, str, str]:
    country, pattern = rng.choice(COUNTRIES)
    phone = pattern.format(index % 100 if "{:02d}" in pattern else index % 10000)
    domain = rng.choice(COMPANIES).lower().split()[0] + ".example.com"
    local = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
    email = f"{local}{index}@{domain}"
    if not valid:
        email = rng.choice([f"{local}{index}@", f"{local}{index}.example.com", "n/a", ""])
        phone = rng.choice(["555", "unknown", "+0 000", ""])
    elif rng.random() < 0.2:
        email = f"  {email.upper()} "  # needs trimming and lower-casing
    return country, phone, email


def people(count: int, seed: int = 42, now: datetime = EPOCH + timedelta(days=300)) -> list[Person]:
    """``count`` people, the same list for the same (count, seed, now)."""
    rng = random.Random(seed)
    names, weights = zip(*SCENARIOS.items(), strict=True)
    result = []
    for index in range(count):
        scenario = rng.choices(names, weights)[0]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        valid = scenario not in ("unresponsive_invalid_contact", "broken_record")
        country, phone, email = _contact(rng, index, first, last, valid)
        created = EPOCH + timedelta(minutes=rng.randrange(0, 60 * 24 * 250))
        changed = min(now, created + timedelta(hours=rng.randrange(1, 24 * 40)))
        result.append(
            Person(
                index=index,
                first_name=first,
                last_name=last,
                email=email,
                phone=phone,
                company=rng.choice(COMPANIES),
                industry=rng.choice(INDUSTRIES),
                country=country,
                title=rng.choice(TITLES),
                lead_source=rng.choice(LEAD_SOURCES),
                campaign=rng.choice(CAMPAIGNS),
                score=rng.randrange(0, 20)
                if scenario == "low_score_new"
                else rng.randrange(0, 100),
                scenario=scenario,
                created_at=created,
                status_changed_at=changed,
                wants_call=scenario == "wants_call_disqualified" or rng.random() < 0.03,
            )
        )
    return result


def shared_with_hubspot(person: Person) -> bool:
    """Whether this person also exists in the HubSpot seed (about 40% overlap by email)."""
    return person.index % 5 in (0, 2)
