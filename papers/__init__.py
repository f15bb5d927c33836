"""Runnable reproductions of the papers' experiments (``python -m papers``)."""
