"""CRM connectors: the contract (:mod:`connectors.base`), the retry policy, one folder per CRM.

The package path is extended (``pkgutil.extend_path``), so a CRM folder may also live in a
``connectors/`` directory elsewhere on ``sys.path``: the registry finds it there too
(``docs/new-connector.md``).
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)

from connectors.batching import chunks

__all__ = ["chunks"]
