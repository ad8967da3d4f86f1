"""Every test starts and ends with the shipped catalogue: a county copy pulled by one test never leaks into another."""

import pytest

from zwgk_desktop.core import catalogue


@pytest.fixture(autouse=True)
def shipped_catalogue():
    catalogue.use_catalogue_override(None)
    yield
    catalogue.use_catalogue_override(None)
