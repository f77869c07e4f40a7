"""Secret values a config reads from the environment, and messages with them masked.

A secret key (``password``, ``security_token``, ``session_id``, ``access_token``, the password
of ``store.url``) names its variable; the same variable may also sit where a validator quotes
the value (a cron expression, a mapping name, a path). Every message of a failed load is
masked with those variables' values, so that no mistake anywhere prints a secret.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from mappings.yamldoc import Issue
from sync.config.loader import Interpolated
from sync.config.types import URL_PASSWORD
from sync.logs import MASK

SECRET_KEYS = frozenset({"password", "security_token", "session_id", "access_token"})
_VARIABLE = re.compile(r"\$\{\s*([A-Za-z_][A-Za-z0-9_]*)")
_SHORTEST = 4  # as sync.logs: shorter values would mask ordinary words


def _secret_templates(data: Any, key: object = None) -> list[str]:
    """The templates of every interpolated value under a secret key."""
    if isinstance(data, dict):
        return [t for k, v in data.items() for t in _secret_templates(v, k)]
    if isinstance(data, list):
        return [t for v in data for t in _secret_templates(v, key)]
    if isinstance(data, Interpolated) and key in SECRET_KEYS:
        return [data.template]
    return []


def _store_password(data: Mapping[str, Any], env: Mapping[str, str]) -> set[str]:
    """The store URL's password: its variable's value, or the password inside a URL that
    comes whole from the environment (``url: ${DATABASE_URL}``)."""
    store = data.get("store")
    url = store.get("url") if isinstance(store, dict) else None
    if not isinstance(url, Interpolated):
        return set()
    match = URL_PASSWORD.search(url.template)
    if match:
        return {env.get(name, "") for name in _VARIABLE.findall(match.group(1))}
    match = URL_PASSWORD.search(url) if url.from_env_only else None
    return {match.group(1), unquote(match.group(1))} if match else set()


def secret_values(data: Mapping[str, Any], env: Mapping[str, str]) -> set[str]:
    """The values the config's secret keys read from the environment."""
    names = {name for t in _secret_templates(data) for name in _VARIABLE.findall(t)}
    values = {env.get(name, "") for name in names} | _store_password(data, env)
    return {value for value in values if len(value) >= _SHORTEST}


def masked(issues: Sequence[Issue], secrets: set[str]) -> list[Issue]:
    """``issues`` with every secret value in their key paths and messages masked."""
    result = []
    for issue in issues:
        message, key_path = issue.message, issue.key_path
        for secret in sorted(secrets, key=len, reverse=True):
            message, key_path = message.replace(secret, MASK), key_path.replace(secret, MASK)
        result.append(dataclasses.replace(issue, message=message, key_path=key_path))
    return result
