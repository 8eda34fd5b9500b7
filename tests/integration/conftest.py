# SPDX-License-Identifier: Apache-2.0
"""Fixtures of the integration tests."""
from sockets_pair import zt_pair  # noqa: F401  (a fixture)
