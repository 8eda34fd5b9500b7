# SPDX-License-Identifier: Apache-2.0
"""What the tests share: network namespaces (``netns``), the official libzt as a peer (``official``),
controllers, worlds, frames, peers made of raw UDP, the socket tests' pair of nodes, C programs over
the plain C build (``clib``), a PostgreSQL server of their own, a pcap reader.

Imported as ``support.<module>``: pytest puts ``tests/`` on ``sys.path`` through the ``pythonpath``
setting in ``pyproject.toml`` (``[tool.pytest.ini_options]``), so no test edits ``sys.path``. A
program run on its own (a seed script, a peer process a test starts) is run with ``python -m`` from
``tests/``, which puts ``tests/`` on its path the same way.
"""
