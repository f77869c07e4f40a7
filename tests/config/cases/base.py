"""What every case of the bad-input catalogue is made of: the :class:`Case` and the config
snippets the cases build on."""

from __future__ import annotations

from dataclasses import dataclass, field

STORE = "store:\n  url: sqlite:///leadloop.db\n"
SF = """\
  sf:
    type: salesforce
    connection:
      instance_url: https://acme.my.salesforce.com
      auth: {method: password, username: a@acme.com, password: "${SF_PASSWORD}"}
"""
HS = """\
  hs:
    type: hubspot
    connection:
      access_token: "${HS_TOKEN}"
"""
ENV = {"SF_PASSWORD": "pw-from-env", "HS_TOKEN": "pat-from-env"}
CFG = "{dir}/leadloop.yaml"


@dataclass(frozen=True)
class Case:
    id: str
    config: str
    messages: tuple[str, ...]
    files: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=lambda: dict(ENV))
    #: named pipes to make beside the files (nothing ever writes to them)
    fifos: tuple[str, ...] = ()


def mapping_text(
    status_lines: str = "  Open: new\n", extra: str = "", fields: str = "  status: Status\n"
) -> str:
    return (
        "crm: salesforce\nobject: Lead\nid_field: Id\nmodstamp_field: SystemModstamp\n"
        f"fields:\n{fields}statuses:\n{status_lines}{extra}"
    )
