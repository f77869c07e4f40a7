from tests.e2e.conftest import clock, harness  # noqa: F401  (fixtures)
