"""Shared settings for the reference runtime tests."""

import pytest
from redis_support import redis_server  # noqa: F401 - a fixture for every test here


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Turn unawaited-coroutine warnings into errors for these tests."""
    for item in items:
        if "tests/reference" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.filterwarnings("error::RuntimeWarning"))
