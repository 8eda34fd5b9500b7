"""Interop tests against the official libzt 1.8.4 (see tests/support/official.py)."""
