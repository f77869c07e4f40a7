"""Input that must cost little whatever it holds: oversized files, deep nesting, alias bombs,
devices and pipes where a file belongs, files that are not what the config says they are."""

# Messages are kept whole, exactly as users see them, even past the line length.
# ruff: noqa: E501

from __future__ import annotations

from tests.config.cases.base import HS, SF, STORE, Case

OVER_1_MB = "# " + "x" * 1_100_000 + "\n"  # 1.1 MB of comment: valid YAML, too large
LOL = "[" + ", ".join(["lol"] * 9) + "]"
ALIAS_BOMB = f"limits:\n  x0: &a0 {LOL}\n" + "".join(
    f"  x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)
)
CATALOGUE = STORE + "reasons: {catalogue: reasons.yaml}\n"
JWT = SF.replace(
    'password, username: a@acme.com, password: "${SF_PASSWORD}"',
    "jwt, username: a@acme.com, consumer_key: app, private_key_file: KEY",
)
MAPPING = STORE + "sources:\n" + SF + "    mapping: lead.yaml\n"

LIMIT_CASES: list[Case] = [
    Case(
        "config_over_1_mb",
        STORE + OVER_1_MB,
        ("{dir}/leadloop.yaml: cannot read file: it is 1.1 MB, over the limit of 1 MB",),
    ),
    Case(
        "alias_bomb",
        STORE + ALIAS_BOMB,
        ("{dir}/leadloop.yaml:8:12: aliases expand to more than 10,000 values (an alias bomb?)",),
    ),
    Case(
        "alias_inside_its_own_anchor",
        STORE + "limits: &loop {change_budget: *loop}\n",
        ("{dir}/leadloop.yaml:3:31: an alias inside the value its anchor names (a cycle)",),
    ),
    Case(
        "nesting_5000_deep",
        STORE + "limits: " + "[" * 5000 + "]" * 5000 + "\n",
        ("{dir}/leadloop.yaml:3:40: nested deeper than 32 levels",),
    ),
    Case(
        "nesting_deep_through_aliases",
        STORE
        + "deep: &d0 "
        + "[" * 20
        + "]" * 20
        + "\nlimits: {x: [[[[[[[[[[[[[[*d0]]]]]]]]]]]]]]}\n",
        ("{dir}/leadloop.yaml:4:26: nested deeper than 32 levels (aliases expanded)",),
    ),
    Case(
        "invalid_date",
        STORE + "feedback: {target: 2023-13-45}\n",
        (
            "{dir}/leadloop.yaml:3: feedback.target: YAML reads this value as a date or a number, but it is not a valid one (quote it to keep it as text)",
        ),
    ),
    Case(
        "integer_of_5000_digits",
        STORE + "limits: {change_budget: {max_records: 1" + "0" * 5000 + "}}\n",
        (
            "{dir}/leadloop.yaml:3: limits.change_budget.max_records: YAML reads this value as a date or a number, but it is not a valid one (quote it to keep it as text)",
        ),
    ),
    Case(
        "control_character",
        STORE + "limits: {}\x00\n",
        (
            "{dir}/leadloop.yaml:3: control character #x0000 is not allowed in YAML (not a text file?)",
        ),
    ),
    Case(
        "secret_file_is_a_device",
        STORE + "sources:\n" + HS.replace('"${HS_TOKEN}"', "{file: /dev/zero}"),
        (
            "{dir}/leadloop.yaml:7: sources.hs.connection.access_token: cannot read secret file /dev/zero: it is a character device, not a regular file",
        ),
    ),
    Case(
        "secret_file_is_a_pipe",
        STORE + "sources:\n" + HS.replace('"${HS_TOKEN}"', "{file: token}"),
        (
            "{dir}/leadloop.yaml:7: sources.hs.connection.access_token: cannot read secret file {dir}/token: it is a named pipe (FIFO), not a regular file",
        ),
        fifos=("token",),
    ),
    Case(
        "secret_file_is_a_directory",
        STORE + "sources:\n" + HS.replace('"${HS_TOKEN}"', "{file: .}"),
        (
            "{dir}/leadloop.yaml:7: sources.hs.connection.access_token: cannot read secret file {dir}: it is a directory, not a regular file",
        ),
    ),
    Case(
        "secret_file_over_64_kb",
        STORE + "sources:\n" + HS.replace('"${HS_TOKEN}"', "{file: token}"),
        (
            "{dir}/leadloop.yaml:7: sources.hs.connection.access_token: cannot read secret file {dir}/token: it is 100 kB, over the limit of 64 kB",
        ),
        files={"token": "t" * 100_000},
    ),
    Case(
        "ca_bundle_is_a_device",
        STORE + "sources:\n" + HS + "      ca_bundle: /dev/null\n",
        (
            "{dir}/leadloop.yaml:8: sources.hs.connection.ca_bundle: cannot use /dev/null: it is a character device, not a regular file",
        ),
    ),
    Case(
        "private_key_file_is_a_device",
        STORE + "sources:\n" + JWT.replace("KEY", "/dev/zero"),
        (
            "{dir}/leadloop.yaml:8: sources.sf.connection.auth.private_key_file: cannot use /dev/zero: it is a character device, not a regular file",
        ),
    ),
    Case(
        "private_key_file_over_64_kb",
        STORE + "sources:\n" + JWT.replace("KEY", "key.pem"),
        (
            "{dir}/leadloop.yaml:8: sources.sf.connection.auth.private_key_file: cannot read key file {dir}/key.pem: it is 100 kB, over the limit of 64 kB",
        ),
        files={"key.pem": "k" * 100_000},
    ),
    Case(
        "catalogue_is_a_device",
        STORE + "reasons: {catalogue: /dev/zero}\n",
        (
            "{dir}/leadloop.yaml:3: reasons.catalogue: cannot read /dev/zero: it is a character device, not a regular file",
        ),
    ),
    Case(
        "catalogue_is_a_pipe",
        CATALOGUE,
        (
            "{dir}/leadloop.yaml:3: reasons.catalogue: cannot read {dir}/reasons.yaml: it is a named pipe (FIFO), not a regular file",
        ),
        fifos=("reasons.yaml",),
    ),
    Case(
        "catalogue_over_1_mb",
        CATALOGUE,
        (
            "{dir}/leadloop.yaml:3: reasons.catalogue: cannot read {dir}/reasons.yaml: it is 1.1 MB, over the limit of 1 MB",
        ),
        files={"reasons.yaml": OVER_1_MB},
    ),
    Case(
        "catalogue_is_a_password_file",
        CATALOGUE,
        ("{dir}/reasons.yaml:1: not a reason catalogue: it holds a single text or number",),
        files={
            "reasons.yaml": "root:x:0:0:root:/root:/bin/bash\nsvc:$6$hunter2salt$hash:1001:1001::/home/svc:/bin/sh\n"
        },
    ),
    Case(
        "catalogue_is_some_other_yaml",
        CATALOGUE,
        ("{dir}/reasons.yaml:1: not a reason catalogue: it holds a mapping without 'reasons'",),
        files={"reasons.yaml": "db_password: hunter2\napi_key_hunter3: x\n"},
    ),
    Case(
        "mapping_over_1_mb",
        MAPPING,
        (
            "{dir}/leadloop.yaml:9: sources.sf.mapping: cannot read {dir}/lead.yaml: it is 1.1 MB, over the limit of 1 MB",
        ),
        files={"lead.yaml": OVER_1_MB},
    ),
    Case(
        "mapping_is_some_other_yaml",
        MAPPING,
        (
            "{dir}/lead.yaml:1: not a mapping file: it holds a mapping without 'crm' or 'fields' or 'statuses'",
        ),
        files={"lead.yaml": "apiVersion: v1\nkind: Secret\ndata: {hunter2_key: aHVudGVyMg==}\n"},
    ),
    Case(
        "mapping_is_a_list",
        MAPPING,
        ("{dir}/lead.yaml:1: not a mapping file: it holds a list",),
        files={"lead.yaml": "- hunter2\n- hunter3\n"},
    ),
]
