from tests.e2e.conftest import any_store_harness, clock, harness  # noqa: F401  (fixtures)
