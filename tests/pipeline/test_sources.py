"""Configured sources: settings and mapping to a connector, built without any network."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from sync.logs import redact
from sync.pipeline.sources import open_sources
from tests.pipeline.world import SOURCE, World, settings_for


def test_given_a_salesforce_source_when_opened_then_its_settings_and_connector_are_ready(
    world: World,
) -> None:
    with open_sources(world.settings) as sources:
        (source,) = sources.values()
        assert (source.name, source.connector.kind) == (SOURCE, "salesforce")
        assert (source.lookback, source.batch_size, source.write_back) == (
            timedelta(minutes=5),
            200,
            True,
        )
        assert source.connector.usage.calls == 0  # nothing sent yet


def test_given_a_source_password_when_opened_then_logs_mask_it(tmp_path: Path) -> None:
    password = "only-this-test-uses-it"
    settings = settings_for(tmp_path, password)
    assert password in redact(f"login failed for {password}")

    with open_sources(settings, [SOURCE]):
        assert password not in redact(f"login failed for {password}")


def test_given_an_unknown_source_name_when_opening_then_the_error_lists_the_configured(
    world: World,
) -> None:
    with (
        pytest.raises(KeyError, match=r"no source named nope \(configured: salesforce\)"),
        open_sources(world.settings, ["nope"]),
    ):
        pass
