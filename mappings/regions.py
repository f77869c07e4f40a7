"""Phone regions from the country a rep typed: ISO codes in any case, or a common name.

:func:`region_for_country` tells the ``phone_e164`` transform which country a national number
(``(415) 555-0123``) belongs to.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

# Country names as reps type them -> ISO region, for reading national phone numbers. ISO
# 3166 two-letter codes (any case) work without an entry here.
_COUNTRY_ALIASES = {
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "america": "US",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "spain": "ES",
    "españa": "ES",
    "italy": "IT",
    "italia": "IT",
    "netherlands": "NL",
    "the netherlands": "NL",
    "holland": "NL",
    "belgium": "BE",
    "switzerland": "CH",
    "austria": "AT",
    "ireland": "IE",
    "sweden": "SE",
    "norway": "NO",
    "denmark": "DK",
    "finland": "FI",
    "poland": "PL",
    "portugal": "PT",
    "canada": "CA",
    "mexico": "MX",
    "méxico": "MX",
    "brazil": "BR",
    "brasil": "BR",
    "argentina": "AR",
    "japan": "JP",
    "china": "CN",
    "india": "IN",
    "australia": "AU",
    "new zealand": "NZ",
    "singapore": "SG",
    "south africa": "ZA",
    "israel": "IL",
    "turkey": "TR",
    "türkiye": "TR",
}


@lru_cache(maxsize=1024)
def region_for_country(country: str | None) -> str | None:
    """The phone region (ISO 3166 alpha-2) for a country code or common name, else None."""
    if not country:
        return None
    folded = country.strip().casefold()
    code = folded.upper()
    if len(code) == 2 and code in phonenumbers.SUPPORTED_REGIONS:
        return code
    return _COUNTRY_ALIASES.get(folded)
