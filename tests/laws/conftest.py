"""The numeric law suite runs in float64, so tolerances can be tight."""

import jax
import pytest


@pytest.fixture(autouse=True)
def x64():
    with jax.enable_x64(True):
        yield
