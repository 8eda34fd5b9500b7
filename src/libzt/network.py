# SPDX-License-Identifier: Apache-2.0
"""Virtual networks a :class:`~libzt.ZeroTierNode` has joined.

A :class:`Network` is a live view: its properties ask the node each time. ``wait_ready()`` blocks
until the controller's configuration has arrived and an address is assigned; ``tap()`` gives the
raw Ethernet of the network (for tests and applications with their own stack).
"""
from __future__ import annotations

import ipaddress
import time
from typing import TYPE_CHECKING, Any, Optional, Union

from libzt._bindings import node as ll
from libzt._bindings import tap as _tap
from libzt._bindings import zts as _zts
from libzt._bindings.constants import library_enum
from libzt.errors import ArgumentError
from libzt.netconf import Dns, IPInterface, NetworkType, Route

if TYPE_CHECKING:
    from libzt.node import ZeroTierNode

__all__ = ["Dns", "Network", "NetworkStatus", "NetworkType", "Route", "Tap", "parse_network_id"]

# The values are the compiled header's (ZTS_NETWORK_STATUS_*), not copies.
NetworkStatus = library_enum(
    "NetworkStatus", "ZTS_NETWORK_STATUS_", __name__,
    "Where joining a network stands (``zts_net_info_t.status``): ``OK`` once configured.")


def parse_network_id(value: Union[int, str]) -> int:
    if isinstance(value, str):
        try:
            nwid = int(value, 16)
        except ValueError:
            raise ArgumentError(f"network ID must be 16 hex digits, not {value!r}") from None
        if len(value) != 16:
            raise ArgumentError(f"network ID must be 16 hex digits, not {value!r}")
        return nwid
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**64:
        return value
    raise ArgumentError(f"not a network ID: {value!r}")


class Tap:
    """Raw Ethernet frames of one network: ``read()`` what the network delivers to this node,
    ``write()`` frames onto it (a zero source MAC means this node's MAC)."""

    MAX_FRAME = 14 + 10000

    def __init__(self, network_id: int) -> None:
        self._id = network_id
        _tap.enable(network_id)

    def read(self, timeout: Optional[float] = None) -> bytes:
        """The next frame; TimeoutError after ``timeout`` seconds (None: wait forever)."""
        frame = _tap.read(self._id, self.MAX_FRAME, timeout)
        if frame is None:
            raise TimeoutError(f"no frame on {self._id:016x} within {timeout} s")
        return frame

    def write(self, frame: bytes) -> None:
        data = bytes(frame)
        if not 14 <= len(data) <= self.MAX_FRAME:
            raise ArgumentError(f"an Ethernet frame is 14..{self.MAX_FRAME} bytes, not {len(data)}")
        _tap.write(self._id, data)

    def close(self) -> None:
        _tap.disable(self._id)

    def __enter__(self) -> Tap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Network:
    """A network joined by ``node``. Properties are read from the node on each access."""

    def __init__(self, node: ZeroTierNode, network_id: int) -> None:
        self._node = node
        self.id = network_id

    @property
    def id_hex(self) -> str:
        return f"{self.id:016x}"

    def info(self) -> dict[str, Any]:
        """Everything the node knows about this network, as plain data."""
        return ll.network_info(self.id)

    @property
    def status(self) -> NetworkStatus:
        return NetworkStatus(self.info()["status"])

    @property
    def name(self) -> str:
        return str(self.info()["name"])

    @property
    def type(self) -> NetworkType:
        return NetworkType(self.info()["type"])

    @property
    def mtu(self) -> int:
        return int(self.info()["mtu"])

    @property
    def mac(self) -> str:
        m = int(self.info()["mac"])
        return ":".join(f"{(m >> s) & 0xFF:02x}" for s in range(40, -1, -8))

    @property
    def broadcast(self) -> bool:
        return bool(self.info()["broadcast"])

    @property
    def addresses(self) -> list[IPInterface]:
        """The managed addresses, with their prefix lengths."""
        return [ipaddress.ip_interface(f"{ip}/{bits}") for ip, bits in self.info()["addresses"]]

    @property
    def routes(self) -> list[Route]:
        out = []
        for target, bits, via, flags, metric in self.info()["routes"]:
            gateway = ipaddress.ip_address(via) if via else None
            out.append(Route(ipaddress.ip_network(f"{target}/{bits}", strict=False), gateway, flags, metric))
        return out

    @property
    def dns(self) -> Dns:
        """The DNS the network's config pushes (empty until it has one). Its servers are what
        :func:`libzt.socket.getaddrinfo` asks, unless servers were set with ``zts_dns_set_server``."""
        domain, servers = ll.network_dns(self.id)
        return Dns(domain, tuple(ipaddress.ip_address(s) for s in servers))

    @property
    def ready(self) -> bool:
        """Configured with at least one address (``zts_net_transport_is_ready``)."""
        return _zts.zts_net_transport_is_ready(self.id) == 1

    def wait_ready(self, timeout: Optional[float] = None) -> Network:
        """Wait until ready; raises :class:`~libzt.AccessDeniedError` (also a PermissionError),
        :class:`~libzt.NotFoundError` (also a LookupError: no such network) or TimeoutError."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self._node._wait_network(self.id, deadline)
        return self

    def tap(self) -> Tap:
        return Tap(self.id)

    def leave(self) -> None:
        self._node.leave(self.id)

    def __repr__(self) -> str:
        try:
            return f"<Network {self.id_hex} {self.status.name}>"
        except Exception:
            return f"<Network {self.id_hex}>"
