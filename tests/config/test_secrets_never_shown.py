"""No message about a config ever shows a secret: per secret key, whatever the mistake around it
(inline, YAML-significant first character, wrong type, a URL that does not parse, the secret's
variable reused where a value is echoed, a key file named where a YAML file belongs)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from sync.cli import cli
from sync.config.settings import ConfigError, load_settings

STORE = "store:\n  url: sqlite:///leadloop.db\n"
CORE = "Hunter2xyz"  # in every secret below; it must appear in no message
SF = "sources:\n  sf:\n    type: salesforce\n    connection:\n"
PLACES: dict[str, Callable[[str], str]] = {
    "password": lambda v: (
        STORE + SF + "      auth:\n        method: password\n"
        f"        username: a@acme.com\n        password: {v}\n"
    ),
    "security_token": lambda v: (
        STORE + SF + "      auth:\n        method: password\n"
        f'        username: a@acme.com\n        password: "${{PW}}"\n        security_token: {v}\n'
    ),
    "session_id": lambda v: (
        STORE + SF + "      instance_url: https://acme.my.salesforce.com\n"
        f"      auth:\n        method: session\n        session_id: {v}\n"
    ),
    "access_token": lambda v: (
        STORE + f"sources:\n  hs:\n    type: hubspot\n    connection:\n      access_token: {v}\n"
    ),
    "database_password": lambda v: f"store:\n  url: postgresql://leadloop:{v}@db.internal/leads\n",
}
MISTAKES = {
    "inline": f"s3cr3t{CORE}",
    "starts_with_star": f"*s3cr3t{CORE}",
    "starts_with_bang": f"!s3cr3t{CORE}",
    "starts_with_ampersand": f"&s3cr3t{CORE}",
    "starts_with_at": f"@s3cr3t{CORE}",
    "colon_inside": f"s3cr3t: {CORE}",
    "bad_escape_in_quotes": f'"s3cr3t\\q{CORE}"',
    "in_a_list": f"[s3cr3t{CORE}]",
    "in_a_mapping": f"{{value: s3cr3t{CORE}}}",
    "with_at_and_colon": f"p@ss:{CORE}",
    "with_a_space": f"pass {CORE}",
}
ENV = {"PW": "pw-from-env"}


def check(folder: Path, text: str, env: dict[str, str]) -> str:
    """Every message ``load_settings`` and ``leadloop check`` give for ``text`` (a mistake
    such as ``security_token: &name`` is a valid config without a token: no message)."""
    path = folder / "leadloop.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_settings(path, env=env)
        loaded = ""
    except ConfigError as error:
        loaded = str(error)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        result = CliRunner().invoke(cli, ["check", "-c", str(path)])
    assert result.exit_code == (2 if loaded else 0), result.output
    return loaded + "\n" + result.output


@pytest.mark.parametrize("mistake", MISTAKES)
@pytest.mark.parametrize("key", PLACES)
def test_given_a_secret_written_in_the_file_when_checked_then_no_message_shows_it(
    key: str, mistake: str, tmp_path: Path
) -> None:
    shown = check(tmp_path, PLACES[key](MISTAKES[mistake]), ENV)

    assert CORE not in shown
    if mistake == "inline":
        assert "must come from ${ENV}" in shown


ECHOING_PLACES = {
    "cron": 'schedule: {cron: "${SECRET}"}',
    "mapping": 'mapping: "${SECRET}"',
}


@pytest.mark.parametrize("place", ECHOING_PLACES)
@pytest.mark.parametrize("key", [k for k in PLACES if k != "database_password"])
def test_given_a_secret_variable_also_used_where_values_are_echoed_then_it_is_masked(
    key: str, place: str, tmp_path: Path
) -> None:
    text = PLACES[key]('"${SECRET}"') + f"    {ECHOING_PLACES[place]}\n"

    shown = check(tmp_path, text, {**ENV, "SECRET": f"s3cr3t{CORE}"})

    assert CORE not in shown and "********" in shown


def test_given_the_database_password_variable_echoed_elsewhere_then_it_is_masked(
    tmp_path: Path,
) -> None:
    text = PLACES["database_password"]("${PGPASSWORD}") + 'reasons: {catalogue: "${PGPASSWORD}"}\n'

    shown = check(tmp_path, text, {"PGPASSWORD": f"s3cr3t{CORE}"})

    assert CORE not in shown and "********" in shown


def test_given_a_whole_database_url_from_env_echoed_elsewhere_then_its_password_is_masked(
    tmp_path: Path,
) -> None:
    text = 'store:\n  url: "${DATABASE_URL}"\nreasons: {catalogue: "${DATABASE_URL}"}\n'
    url = f"postgresql://app:s3cr3t{CORE}@db.internal/leads"

    shown = check(tmp_path, text, {"DATABASE_URL": url})

    assert CORE not in shown and "app:********@db.internal/leads" in shown


KEY = f"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg{CORE}kqhkiG9w0BAQE\n-----END PRIVATE KEY-----\n"


@pytest.mark.parametrize(
    "config",
    [
        STORE + "reasons: {catalogue: key.pem}\n",  # the key where a catalogue belongs
        STORE + "sources:\n  hs:\n    type: hubspot\n    connection:\n"
        "      access_token: {file: key.pem}\n      base_url: nope\n",
        STORE + SF + "      auth: {method: jwt, username: a@acme.com, consumer_key: app, "
        "private_key_file: key.pem}\n      instance_url: nope\n",
    ],
    ids=["as_catalogue", "as_secret_file", "as_key_file"],
)
def test_given_a_private_key_file_anywhere_then_no_message_shows_its_content(
    config: str, tmp_path: Path
) -> None:
    (tmp_path / "key.pem").write_text(KEY, encoding="utf-8")

    shown = check(tmp_path, config, {})

    assert CORE not in shown and "MIIE" not in shown


def test_given_a_key_file_without_a_key_then_the_message_says_so_without_its_content(
    tmp_path: Path,
) -> None:
    (tmp_path / "key.pem").write_text(f"not a key {CORE}\n", encoding="utf-8")
    config = (
        STORE + SF + "      auth: {method: jwt, username: a@acme.com, consumer_key: app, "
        "private_key_file: key.pem}\n"
    )

    shown = check(tmp_path, config, {})

    assert f"key file {tmp_path}/key.pem holds no PEM private key" in shown
    assert CORE not in shown
