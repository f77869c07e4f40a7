"""Field types of the config (the store URL, cron expressions) and the resolver of secrets and
files that connector settings (:mod:`connectors.settings`) leave to the config loader.

Validators that need to know where the config file lives (relative paths) or the environment
read them from the pydantic validation context: ``{"base_dir": Path, "env": Mapping}``.
Nothing here reads a clock or the network.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import UTC
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from pydantic import AfterValidator, BeforeValidator, SecretStr, ValidationInfo, WithJsonSchema

from mappings.bounded import FileProblem, read_text, require_regular
from sync.config.loader import Interpolated, interpolate_text

SECRET_RULE = "secrets must come from ${ENV} or a file ({file: /path})"
#: a token, a password or a PEM key is a few kB; anything larger is the wrong file
SECRET_FILE_BYTES = 64_000
_ONLY_REFERENCE = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")
#: the password part of a database URL (or of its template)
URL_PASSWORD = re.compile(r"://[^/@:]*:(.*)@[^@]*$")


def _context(info: ValidationInfo) -> tuple[Path, Mapping[str, str]]:
    context = info.context or {}
    return Path(context.get("base_dir", ".")), context.get("env", os.environ)


def resolve_path(value: str | Path, info: ValidationInfo) -> Path:
    """``value`` as a path, relative ones taken from the config file's folder."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else _context(info)[0] / path


class ConfigResolver:
    """Resolves a config's secrets and files (``connectors.settings.Resolver``): secrets only
    from ``${ENV}`` or ``{file: PATH}``, files read within size limits, relative paths taken
    from the folder of the config file (``base_dir``)."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir

    def path(self, value: str | Path) -> Path:
        """``value`` as a path, relative ones taken from the config file's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def secret(self, value: Any) -> SecretStr:
        if isinstance(value, SecretStr):
            return value
        if isinstance(value, dict):
            return self._secret_file(value)
        if isinstance(value, Interpolated) and value.from_env_only:
            if not value.strip():
                raise ValueError(f"the environment variable in {value.template} is empty")
            return SecretStr(str(value))
        if isinstance(value, Interpolated):
            raise ValueError(
                f"{SECRET_RULE}; a literal or a ${{VAR:-default}} default is not allowed"
            )
        raise ValueError(SECRET_RULE)

    def _secret_file(self, value: dict[str, Any]) -> SecretStr:
        if set(value) != {"file"} or not isinstance(value["file"], str) or not value["file"]:
            raise ValueError("a secret file is written {file: /path/to/file}")
        path = self.path(value["file"])
        try:
            content = read_text(path, SECRET_FILE_BYTES).strip()
        except FileProblem as problem:
            raise ValueError(f"cannot read secret file {path}: {problem.reason}") from None
        if not content:
            raise ValueError(f"secret file {path} is empty")
        return SecretStr(content)

    def file(self, value: Any) -> Path:
        if not isinstance(value, str | Path) or not str(value):
            raise ValueError("expected a file path")
        path = self.path(value)
        if not path.exists():
            raise ValueError(f"file not found: {path}")
        try:
            require_regular(path)
        except FileProblem as problem:
            raise ValueError(f"cannot use {path}: {problem.reason}") from None
        return path

    def key_file(self, value: Any) -> Path:
        path = self.file(value)
        try:
            text = read_text(path, SECRET_FILE_BYTES)
        except FileProblem as problem:
            raise ValueError(f"cannot read key file {path}: {problem.reason}") from None
        if "PRIVATE KEY-----" not in text:  # never quote the file: it may be a key all the same
            raise ValueError(
                f"key file {path} holds no PEM private key (-----BEGIN PRIVATE KEY-----)"
            )
        return path


def validation_context(base_dir: Path, env: Mapping[str, str]) -> dict[str, Any]:
    """The pydantic validation context of a config file in ``base_dir`` read with ``env``."""
    return {"base_dir": base_dir, "env": env, "resolver": ConfigResolver(base_dir)}


def _store_url(value: Any, info: ValidationInfo) -> SecretStr:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a database URL such as sqlite:///leadloop.db")
    try:
        url = make_url(_quote_env_password(value, info).strip())
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number, quoted
        raise ValueError(
            "not a database URL (sqlite:///FILE or postgresql+psycopg://USER:${PGPASSWORD}@HOST/DB)"
        ) from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        return SecretStr(_sqlite_url(url, info))
    if backend != "postgresql":
        raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
    if url.password is not None:
        _check_password_from_env(value)
    return SecretStr(url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))


def _quote_env_password(value: str, info: ValidationInfo) -> str:
    """The URL with a ``${VAR}`` password percent-encoded, so ``@`` or ``/`` in it are safe."""
    if not isinstance(value, Interpolated):
        return value
    match = URL_PASSWORD.search(value.template)
    if not match or not _ONLY_REFERENCE.match(match.group(1)):
        return value
    env = _context(info)[1]
    quoted = quote(env.get(match.group(1)[2:-1], ""), safe="")
    template = value.template[: match.start(1)] + quoted + value.template[match.end(1) :]
    return interpolate_text(template, env)


def _sqlite_url(url: Any, info: ValidationInfo) -> str:
    if url.host:  # sqlite://x.db: a host where the path belongs
        raise ValueError(
            f"a SQLite URL has no host ({url.host!r} here): three slashes before a relative "
            "path (sqlite:///leadloop.db), four before an absolute one "
            "(sqlite:////var/lib/leadloop.db)"
        )
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return str(url.render_as_string(hide_password=False))
    path = resolve_path(database, info)
    return str(url.set(database=str(path)).render_as_string(hide_password=False))


def _check_password_from_env(value: str) -> None:
    if isinstance(value, Interpolated) and value.from_env_only:
        return  # the whole URL comes from the environment (DATABASE_URL), password included
    template = value.template if isinstance(value, Interpolated) else value
    match = URL_PASSWORD.search(template)
    if not match or not _ONLY_REFERENCE.match(match.group(1)):
        raise ValueError(
            "the database password must come from ${ENV}, e.g. "
            "postgresql+psycopg://leadloop:${PGPASSWORD}@db.internal/leadloop"
        )


StoreUrl = Annotated[
    SecretStr,
    BeforeValidator(_store_url),
    WithJsonSchema({"type": "string", "description": "a database URL"}),
]


def _cron(value: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value, timezone=UTC)
    except ValueError as error:
        raise ValueError(f"invalid cron expression {value!r}: {error}") from None
    return value


Cron = Annotated[str, AfterValidator(_cron)]
