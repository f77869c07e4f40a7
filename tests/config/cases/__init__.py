"""The bad-input catalogue: broken configs, mappings and catalogues, each with the exact
messages ``load_settings`` and ``leadloop check`` must give (file, line, key path, message).

``{dir}`` in a message stands for the folder holding the files; every config lives in
``leadloop.yaml`` there and stores into ``sqlite:///leadloop.db`` (which must never appear).
One module per theme; :data:`CASES` is all of them.
"""

from __future__ import annotations

from tests.config.cases.base import ENV, Case
from tests.config.cases.durations import DURATION_CASES
from tests.config.cases.files import FILE_CASES
from tests.config.cases.limits import LIMIT_CASES
from tests.config.cases.secrets import SECRET_CASES
from tests.config.cases.sections import SECTION_CASES

__all__ = ["CASES", "ENV", "Case"]

CASES: list[Case] = [*SECTION_CASES, *SECRET_CASES, *DURATION_CASES, *FILE_CASES, *LIMIT_CASES]
