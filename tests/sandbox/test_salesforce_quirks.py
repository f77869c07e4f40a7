"""The quirk switches of the Salesforce emulator: names, defaults, and the sandbox options."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.sandbox.runner import Sandbox, SandboxOptions
from connectors.sandbox.salesforce import SalesforceEmulator
from tests.sandbox.salesforce_support import running


def test_given_no_options_when_built_then_every_quirk_is_on() -> None:
    emulator = SalesforceEmulator(leads=0)
    assert {name: emulator.quirk_on(name) for name in SalesforceEmulator.QUIRKS} == dict.fromkeys(
        SalesforceEmulator.QUIRKS, True
    )


def test_given_the_quirk_list_when_read_then_each_names_its_vendor_page() -> None:
    assert all("https://" in text for text in SalesforceEmulator.QUIRKS.values())
    assert {
        "whole_second_stamps",
        "same_second_bursts",
        "no_status_changed_field",
        "reason_required_rule",
        "if_unmodified_since",
        "replication_window",
        "uri_length_limit",
        "session_timeout",
    } == set(SalesforceEmulator.QUIRKS)


def test_given_one_quirk_off_when_built_then_only_that_one_is_off() -> None:
    emulator = SalesforceEmulator(leads=0, quirks_off={"whole_second_stamps"})
    assert not emulator.quirk_on("whole_second_stamps")
    assert emulator.quirk_on("reason_required_rule")


def test_given_an_unknown_quirk_when_built_then_value_error_naming_it_and_the_known_ones() -> None:
    with pytest.raises(ValueError, match="'whole_seconds'") as caught:
        SalesforceEmulator(leads=0, quirks_off={"whole_seconds"})
    assert "whole_second_stamps" in str(caught.value)
    assert "reason_required_rule" in str(caught.value)


def test_given_a_single_string_when_built_then_type_error() -> None:
    with pytest.raises(TypeError):
        SalesforceEmulator(leads=0, quirks_off="whole_second_stamps")


def test_given_an_unknown_name_when_asking_whether_it_is_on_then_key_error() -> None:
    with pytest.raises(KeyError, match="bogus"):
        SalesforceEmulator(leads=0).quirk_on("bogus")


def test_given_sandbox_options_when_started_then_salesforce_names_reach_the_emulator() -> None:
    options = SandboxOptions(
        leads=0, contacts=0, quirks_off=frozenset({"salesforce.reason_required_rule"})
    )
    with Sandbox(options) as box:
        assert not box.salesforce.quirk_on("reason_required_rule")
        assert box.salesforce.quirk_on("whole_second_stamps")


def test_given_an_unknown_salesforce_quirk_in_options_when_started_then_value_error() -> None:
    options = SandboxOptions(leads=0, contacts=0, quirks_off=frozenset({"salesforce.nope"}))
    with pytest.raises(ValueError, match="'nope'"):
        Sandbox(options).start()


def test_given_quirks_off_when_saved_and_loaded_then_the_same_quirks_are_off(
    tmp_path: Path,
) -> None:
    with running(quirks_off={"reason_required_rule"}) as sandbox:
        path = tmp_path / "salesforce.json"
        sandbox.emulator.save(path)
    loaded = SalesforceEmulator.load(path)
    assert not loaded.quirk_on("reason_required_rule")
    assert loaded.rules.reason_required is False
