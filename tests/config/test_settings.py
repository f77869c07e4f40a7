"""Valid configs: what load_settings gives back, and how it treats env, files and secrets."""

from __future__ import annotations

import json
import typing
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel

from connectors.salesforce.spec import PasswordAuth
from sync.config.settings import (
    ConfigError,
    Settings,
    load_settings,
    resolve_config_path,
    settings_json_schema,
)
from sync.config.sources import SOURCE_MODELS

SalesforceSource, HubSpotSource = SOURCE_MODELS["salesforce"], SOURCE_MODELS["hubspot"]

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
EXAMPLE_ENV = {"SF_PASSWORD": "pw-1234", "SF_TOKEN": "tok-5678", "HUBSPOT_TOKEN": "pat-9012"}


def write(folder: Path, text: str, name: str = "leadloop.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_given_the_example_config_and_its_env_then_it_loads_with_the_documented_values() -> None:
    settings = load_settings(CONFIG_DIR / "leadloop.example.yaml", env=EXAMPLE_ENV)

    salesforce, hubspot = settings.sources["salesforce"], settings.sources["hubspot"]
    assert isinstance(salesforce, SalesforceSource) and isinstance(hubspot, HubSpotSource)
    assert isinstance(salesforce.connection.auth, PasswordAuth)
    assert salesforce.connection.auth.password.get_secret_value() == "pw-1234"
    assert hubspot.connection.access_token.get_secret_value() == "pat-9012"
    assert salesforce.schedule is not None and salesforce.schedule.every == timedelta(minutes=15)
    assert hubspot.schedule is not None and hubspot.schedule.cron == "*/15 * * * *"
    assert settings.store.url.get_secret_value() == f"sqlite:///{CONFIG_DIR}/leadloop.db"
    assert settings.mapping("salesforce").crm == "salesforce"
    assert settings.catalogue.status_of("bad_timing") == "nurture"
    assert settings.feedback.target == "hubspot"


def _field_names(model: type[BaseModel], seen: set[type]) -> set[str]:
    names: set[str] = set()
    if model in seen:
        return names
    seen.add(model)
    for name, info in model.model_fields.items():
        names.add(name)
        for tp in _types(info.annotation):
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                names |= _field_names(tp, seen)
    return names


def _types(tp: typing.Any) -> list[typing.Any]:
    args = typing.get_args(tp)
    return [tp] if not args else [t for arg in args for t in _types(arg)]


def test_given_the_example_config_then_every_settings_key_is_documented_in_it() -> None:
    text = (CONFIG_DIR / "leadloop.example.yaml").read_text(encoding="utf-8")

    missing = sorted(n for n in _field_names(Settings, set()) if f"{n}:" not in text)

    assert missing == []


def test_given_the_sandbox_config_without_env_then_it_points_at_loopback_with_file_secrets() -> (
    None
):
    settings = load_settings(CONFIG_DIR / "leadloop.sandbox.yaml", env={})

    salesforce, hubspot = settings.sources["salesforce"], settings.sources["hubspot"]
    assert isinstance(salesforce, SalesforceSource) and isinstance(hubspot, HubSpotSource)
    assert salesforce.connection.instance_url == "http://127.0.0.1:8765"
    assert hubspot.connection.base_url == "http://127.0.0.1:8766"
    assert hubspot.connection.access_token.get_secret_value() == "pat-sandbox-token"


def test_given_sandbox_env_overrides_then_urls_and_store_follow_them(tmp_path: Path) -> None:
    env = {
        "LEADLOOP_SANDBOX_SALESFORCE_URL": "http://127.0.0.1:40001",
        "LEADLOOP_SANDBOX_HUBSPOT_URL": "http://localhost:40002",
        "LEADLOOP_SANDBOX_STORE": f"sqlite:///{tmp_path}/demo.db",
    }

    settings = load_settings(CONFIG_DIR / "leadloop.sandbox.yaml", env=env)

    salesforce, hubspot = settings.sources["salesforce"], settings.sources["hubspot"]
    assert isinstance(salesforce, SalesforceSource) and isinstance(hubspot, HubSpotSource)
    assert salesforce.connection.login_url == "http://127.0.0.1:40001"
    assert hubspot.connection.base_url == "http://localhost:40002"
    assert settings.store.url.get_secret_value() == f"sqlite:///{tmp_path}/demo.db"


def test_given_defaults_and_escapes_when_interpolating_then_non_secrets_take_them(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "store:\n  url: sqlite:///${DB_NAME:-leads}.db\n"
        'feedback:\n  custom_object: {name: "${OBJ:-leadloop_feedback}"}\n'
        "  recommendations:\n"
        '    - when: {reason: competitor, lead_source: "Promo $${CODE}"}\n'
        '      then: "{share:.0%}"\n',
    )

    settings = load_settings(path, env={"OBJ": "lead_feedback"})

    assert settings.store.url.get_secret_value() == f"sqlite:///{tmp_path}/leads.db"
    assert settings.feedback.custom_object.name == "lead_feedback"
    assert settings.feedback.recommendations[0].when.lead_source == "Promo ${CODE}"


def test_given_a_secret_file_when_loading_then_its_stripped_content_is_the_secret(
    tmp_path: Path,
) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "hs").write_text("  pat-from-file \n", encoding="utf-8")
    path = write(
        tmp_path,
        "store: {url: 'sqlite:///x.db'}\nsources:\n  hs:\n    type: hubspot\n"
        "    connection:\n      access_token: {file: secrets/hs}\n",
    )

    settings = load_settings(path, env={})

    source = settings.sources["hs"]
    assert isinstance(source, HubSpotSource)
    assert source.connection.access_token.get_secret_value() == "pat-from-file"


def test_given_a_postgres_password_from_env_then_it_is_url_encoded_and_never_shown(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "store:\n  url: postgresql://app:${PGPASSWORD}@db.internal/leads\n")

    settings = load_settings(path, env={"PGPASSWORD": "p@ss/w:rd"})

    url = settings.store.url.get_secret_value()
    assert url == "postgresql+psycopg://app:p%40ss%2Fw%3Ard@db.internal/leads"
    assert "p@ss" not in repr(settings) and "p%40ss" not in settings.model_dump_json()


def test_given_the_whole_database_url_from_env_then_it_loads_with_its_password(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "store:\n  url: ${DATABASE_URL}\n")

    settings = load_settings(path, env={"DATABASE_URL": "postgresql://app:s3cret@db.internal/x"})

    assert settings.store.dsn == "postgresql+psycopg://app:s3cret@db.internal/x"


def test_given_secrets_when_printing_settings_then_no_secret_value_appears() -> None:
    settings = load_settings(CONFIG_DIR / "leadloop.example.yaml", env=EXAMPLE_ENV)

    shown = repr(settings) + str(settings) + settings.model_dump_json()

    assert not any(secret in shown for secret in EXAMPLE_ENV.values())


def test_given_units_where_they_are_needed_then_durations_and_percentages_load(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "store: {url: 'sqlite:///x.db'}\nsources:\n  hs:\n    type: hubspot\n"
        '    connection: {access_token: "${T}", timeout: 1.5m}\n    pull: {lookback: 0}\n'
        "    schedule: {every: 1h30m}\nlimits:\n  change_budget: {max_percent: '0.5%'}\n",
    )

    settings = load_settings(path, env={"T": "pat-x"})

    source = settings.sources["hs"]
    assert isinstance(source, HubSpotSource) and source.schedule is not None
    assert source.connection.timeout == timedelta(seconds=90)
    assert source.pull.lookback == timedelta(0)
    assert source.schedule.every == timedelta(hours=1, minutes=30)
    assert settings.limits.change_budget.max_percent == 0.5


def test_given_a_per_source_share_then_it_overrides_the_global_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "store: {url: 'sqlite:///x.db'}\nsources:\n  hs:\n    type: hubspot\n"
        '    connection: {access_token: "${T}"}\n    api_budget_share: 0.2\n'
        '  hs2:\n    type: hubspot\n    connection: {access_token: "${T}"}\n'
        "limits: {api_budget_share: 0.7}\n",
    )

    settings = load_settings(path, env={"T": "pat-x"})

    assert (settings.api_budget_share("hs"), settings.api_budget_share("hs2")) == (0.2, 0.7)


def test_given_a_missing_file_then_the_error_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path / "nope.yaml", env={})

    assert str(caught.value) == f"{tmp_path}/nope.yaml: cannot read file: No such file or directory"


@pytest.mark.parametrize(
    ("cli", "env", "expected"),
    [
        ("given.yaml", {"LEADLOOP_CONFIG": "env.yaml"}, "given.yaml"),
        (None, {"LEADLOOP_CONFIG": "env.yaml"}, "env.yaml"),
        (None, {}, "leadloop.yaml"),
    ],
)
def test_given_cli_and_env_when_resolving_the_config_path_then_cli_wins_then_env(
    cli: str | None, env: dict[str, str], expected: str
) -> None:
    assert resolve_config_path(cli, env=env) == Path(expected)


def test_given_the_models_then_the_checked_in_json_schema_is_up_to_date() -> None:
    """Regenerate with `leadloop config schema` when this fails."""
    checked_in = json.loads((CONFIG_DIR / "leadloop.schema.json").read_text(encoding="utf-8"))

    assert checked_in == settings_json_schema()


@pytest.mark.parametrize("name", ["leadloop.example.yaml", "leadloop.sandbox.yaml"])
def test_given_the_shipped_configs_then_editors_accept_them_against_the_json_schema(
    name: str,
) -> None:
    """The schema is what editors validate the raw YAML with (before ${ENV} resolution)."""
    import jsonschema
    import yaml

    raw = yaml.safe_load((CONFIG_DIR / name).read_text(encoding="utf-8"))

    jsonschema.validate(raw, settings_json_schema())


def test_given_a_typo_then_the_json_schema_rejects_it_too() -> None:
    import jsonschema

    with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
        jsonschema.validate(
            {"store": {"url": "sqlite:///x.db"}, "sorces": {}}, settings_json_schema()
        )
