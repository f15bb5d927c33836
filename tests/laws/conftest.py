"""The numeric law suite runs in float64, so tolerances can be tight, and op by op:
it evaluates thousands of small generated composites once each, eagerly, and with
``jax.disable_jit`` the jitted helpers inside ``jax.numpy`` (concatenate, reshape,
slicing, softmax, …) compile per primitive and shape rather than per combination
of them, which compiles far less for the same results."""

import jax
import pytest


@pytest.fixture(autouse=True)
def x64():
    with jax.enable_x64(True), jax.disable_jit():
        yield
