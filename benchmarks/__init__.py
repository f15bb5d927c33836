"""Benchmarks: paralens against hand-written JAX + optax (``python -m benchmarks``)."""
