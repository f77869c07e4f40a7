"""Secrets in the wrong place, unset or unreadable, and no message that shows one."""

# Messages are kept whole, exactly as users see them, even past the line length.
# ruff: noqa: E501

from __future__ import annotations

from tests.config.cases.base import HS, SF, STORE, Case

SECRET_CASES: list[Case] = [
    Case(
        "missing_env_var",
        STORE + "sources:\n" + SF,
        (
            "{dir}/leadloop.yaml:8: sources.sf.connection.auth.password: environment variable SF_PASSWORD is not set",
        ),
        env={},
    ),
    Case(
        "literal_secret",
        STORE + "sources:\n" + HS.replace('"${HS_TOKEN}"', "pat-na1-123"),
        (
            "{dir}/leadloop.yaml:7: sources.hs.connection.access_token: secrets must come from ${ENV} or a file ({file: /path})",
        ),
    ),
    Case(
        "secret_from_default",
        STORE + "sources:\n" + HS.replace("${HS_TOKEN}", "${HS_TOKEN:-pat-na1-123}"),
        (
            "{dir}/leadloop.yaml:7: sources.hs.connection.access_token: secrets must come from ${ENV} or a file ({file: /path}); a literal or a ${VAR:-default} default is not allowed",
        ),
        env={},
    ),
    Case(
        "secret_file_missing",
        STORE + "sources:\n" + HS.replace('"${HS_TOKEN}"', "{file: secrets/hs-token}"),
        (
            "{dir}/leadloop.yaml:7: sources.hs.connection.access_token: cannot read secret file {dir}/secrets/hs-token: No such file or directory",
        ),
    ),
    Case(
        "literal_database_password",
        "store:\n  url: postgresql+psycopg://leadloop:hunter2@db.internal/leadloop\n",
        (
            "{dir}/leadloop.yaml:2: store.url: the database password must come from ${ENV}, e.g. postgresql+psycopg://leadloop:${PGPASSWORD}@db.internal/leadloop",
        ),
    ),
    Case(
        "database_url_that_does_not_parse",
        "store:\n  url: postgresql://leadloop:p@ss:w0rd@db.internal/leadloop\n",
        (
            "{dir}/leadloop.yaml:2: store.url: not a database URL (sqlite:///FILE or postgresql+psycopg://USER:${PGPASSWORD}@HOST/DB)",
        ),
    ),
    Case(
        "secret_variable_echoed_by_another_key",
        STORE + "sources:\n" + HS + '    schedule: {cron: "${HS_TOKEN}"}\n',
        (
            "{dir}/leadloop.yaml:8: sources.hs.schedule.cron: invalid cron expression '********': Wrong number of fields; got 1, expected 5",
        ),
    ),
]
