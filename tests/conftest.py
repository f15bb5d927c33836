"""Test configuration: deterministic hypothesis in CI, strict JAX promotion.

The profile is ``HYPOTHESIS_PROFILE`` (``.ci/run`` exports ``ci``), else ``ci`` when
``CI`` is set, else ``dev``: ``ci`` is derandomized with no example database, so
every run draws the same examples; ``dev`` draws new ones each run.
"""

import os

import jax
from hypothesis import HealthCheck, settings

jax.config.update("jax_numpy_dtype_promotion", "strict")
jax.config.update("jax_numpy_rank_promotion", "raise")

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True, max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev", deadline=None, max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
