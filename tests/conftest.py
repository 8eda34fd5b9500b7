"""Shared fixtures: the official libzt 1.8.4 as a peer, and a network namespace.

What the tests share lives in the ``support`` package (tests/support/), imported as
``support.<module>``: the ``pythonpath`` setting of ``[tool.pytest.ini_options]`` in pyproject.toml
puts tests/ (and ext/, for the tests of the build's own modules) on ``sys.path`` before collection,
whatever directory pytest is started from and whatever its import mode, so no test edits
``sys.path``. Programs a test starts on their own run with ``python -m support.<module>`` from tests/.
"""

from __future__ import annotations

from typing import Callable, Iterator, List, Sequence

import pytest

from support.netns import NetNs, unavailable_reason
from support.official import (
    OfficialNode,
    OfficialPaths,
    OfficialUnavailable,
    OurNode,
    ensure_official,
    unsupported_reason,
)


@pytest.fixture(scope="session")
def official_paths() -> OfficialPaths:
    """The official library and the stub that lets it load (fetched/built once, cached)."""
    reason = unsupported_reason()
    if reason:
        pytest.skip(reason)
    try:
        return ensure_official()
    except OfficialUnavailable as exc:
        pytest.fail(f"official libzt unavailable: {exc}")


OfficialFactory = Callable[..., OfficialNode]


@pytest.fixture
def official_node(official_paths: OfficialPaths) -> Iterator[OfficialFactory]:
    """Factory: ``official_node(prefix=netns.cmd_prefix, name="a")`` starts one worker.

    Every worker started through it is killed at teardown, pass or fail.
    """
    nodes: List[OfficialNode] = []

    def start(prefix: Sequence[str] = (), name: str = "", **kwargs: object) -> OfficialNode:
        node = OfficialNode(official_paths, prefix=prefix, name=name or f"official{len(nodes)}", **kwargs)
        nodes.append(node)
        return node

    yield start
    for node in reversed(nodes):
        node.close()


@pytest.fixture(scope="module")
def netns() -> Iterator[NetNs]:
    """A namespace with veth0 (10.200.0.1, fd00:200::1) and veth1 (10.200.0.2, fd00:200::2).

    Module scope: making one costs ~0.1 s, and a fresh one per module keeps a module
    that leaks a process or a bound port from affecting the next. Tests in a module
    share it, so they use distinct ports or close their nodes (``official_node`` does).
    """
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    ns = NetNs()
    ns.create()
    try:
        yield ns
    finally:
        ns.close()


@pytest.fixture
def our_node() -> Iterator[Callable[..., OurNode]]:
    """Factory of OUR nodes, each in its own worker process (one node per process, as in libzt),
    driven by the same commands as ``official_node``. All are closed at teardown."""
    nodes: List[OurNode] = []

    def start(prefix: Sequence[str] = (), name: str = "", **kwargs: object) -> OurNode:
        node = OurNode(prefix=prefix, name=name or f"ours{len(nodes)}", **kwargs)
        nodes.append(node)
        return node

    yield start
    for node in reversed(nodes):
        node.close()
