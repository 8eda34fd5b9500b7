# SPDX-License-Identifier: Apache-2.0
"""Port mapping against a real router: Debian's miniupnpd (UPnP IGD + NAT-PMP) in a NAT namespace.

Our node in ``home`` sits behind a NAT that lets in from the WAN only answers to flows started
inside, and what a port mapping opens. It maps its port-mapping port on the router (NAT-PMP first,
as ZeroTier One does): a datagram from a host it never talked to then reaches it at the router's
external address and mapped port, while one to its primary port's external address does not.
It advertises the mapping with PUSH_DIRECT_PATHS, and a ZeroTier peer on the "internet" holds a
direct path at exactly that address. After node_stop() the router's forwarding rule is gone.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from support import nat_lab
from support.nat_lab import NatLab
from support.official import OurNode, wait_until
from support.worlds import make_planet, start_root_node

pytestmark = [pytest.mark.netns]

USER_MESSAGE = 300
APP_TYPE = 0x10000  # ZeroTier reserves message types up to 65535
ROOT_PORT = 29981
OUTSIDE_PORT = 29982


def paths_to(node: OurNode, peer_id: str) -> list[str]:
    """Every "ip/port" the node's peer events ever listed for the peer (zts_core_query_path has no ports)."""
    seen: list[str] = []
    for ev in node.event_history():
        peer = ev.get("peer") or {}
        if peer.get("peer_id") != peer_id:
            continue
        for path in peer.get("paths", []):
            text = f"{path.get('ip')}/{path.get('port')}"
            if text not in seen:
                seen.append(text)
    return seen


@pytest.fixture
def lab(tmp_path: Path):
    reason = nat_lab.unavailable_reason(router=True)
    if reason:
        pytest.skip(reason)
    with NatLab(tmp_path, router=True) as lab:
        yield lab


def test_node_maps_its_port_and_an_outside_peer_reaches_it_through_the_mapping(
    lab: NatLab, our_node, tmp_path: Path
) -> None:
    planet = make_planet(tmp_path, [f"{nat_lab.PUBLIC_ADDR}/{ROOT_PORT}"])
    public = lab.prefix(lab.public)
    start_root_node(our_node, public, planet, ROOT_PORT)

    outside = our_node(prefix=public, name="outside")
    outside.init_set_roots(planet.bytes)
    outside.init_set_port(OUTSIDE_PORT)
    outside.init_allow_port_mapping(False)
    outside.node_start()

    home = our_node(prefix=lab.prefix(lab.home), name="home")
    home.init_set_roots(planet.bytes)
    home.node_start()
    home.wait_online(timeout=20)
    outside.wait_online(timeout=20)

    mapping_port = home.node_get_ports()["mapping"]
    assert mapping_port != 0
    mapping = wait_until(lambda: home.node_get_port_mapping()["address"] or None, 30, what="the router's mapping")
    ext_ip, ext_port = mapping.split("/")
    assert ext_ip == nat_lab.NAT_WAN_ADDR
    assert home.node_get_port_mapping()["method"] == "NAT-PMP"  # tried first, as ZeroTier One does
    assert f"dnat ip to {nat_lab.HOME_ADDR}:{mapping_port}" in lab.mappings()
    assert f"dport {ext_port} " in lab.mappings()

    # Unsolicited datagrams from a host the node never talked to: the one to the primary port's
    # external address is dropped by the NAT, the one to the mapped port arrives (counted as junk:
    # too short for ZeroTier). Same route, sent in that order: the second arriving alone shows the
    # first was dropped.
    primary = home.node_get_ports()["primary"]
    junk_before = home.node_get_stats()["junk"]
    probe = (
        "import socket, sys\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "for port in sys.argv[2:]:\n"
        "    s.sendto(b'knock', (sys.argv[1], int(port)))\n"
    )
    lab.run(lab.public, [sys.executable, "-c", probe, nat_lab.NAT_WAN_ADDR, str(primary), ext_port])
    wait_until(lambda: home.node_get_stats()["junk"] > junk_before, 10, what="the probe through the mapping")
    assert home.node_get_stats()["junk"] == junk_before + 1

    # A ZeroTier peer outside: they talk (through the root at first); the home node pushes its
    # addresses, the mapped one among them, and the peer holds a direct path there.
    home_id, outside_id = home.node_get_id(), outside.node_get_id()
    home.node_send_user_message(outside_id, APP_TYPE, b"hello from home")
    outside.wait_event(USER_MESSAGE, timeout=20, match={"user_message.peer_id": home_id})
    outside.node_send_user_message(home_id, APP_TYPE, b"hello from outside")
    home.wait_event(USER_MESSAGE, timeout=20, match={"user_message.peer_id": outside_id})
    started = time.monotonic()
    try:
        wait_until(lambda: mapping in paths_to(outside, home_id), 40, what=f"a direct path at {mapping}")
    except TimeoutError as e:
        raise AssertionError(f"{e}; outside's paths to home: {paths_to(outside, home_id)}, home's paths to outside: "
                             f"{paths_to(home, outside_id)}; router: {lab.mappings()}") from None
    print(f"outside peer has the mapped path {mapping} {time.monotonic() - started:.1f}s after the exchange")

    home.node_stop()
    wait_until(lambda: f"{nat_lab.HOME_ADDR}:{mapping_port}" not in lab.mappings(), 15, what="the mapping's removal")


def test_mapping_is_renewed_while_the_node_lives_and_lapses_when_it_dies(lab: NatLab, our_node, tmp_path: Path) -> None:
    """A short refresh period (2 s, so a 4 s lease): the router keeps the mapping for many leases
    while the node renews it, and drops it on its own once the node is killed without stop()."""
    planet = make_planet(tmp_path, [f"{nat_lab.PUBLIC_ADDR}/{ROOT_PORT}"])
    start_root_node(our_node, lab.prefix(lab.public), planet, ROOT_PORT)

    home = our_node(prefix=lab.prefix(lab.home), name="home")
    home.init_set_roots(planet.bytes)
    home.init_set_port_mapping_refresh(2000)
    home.node_start()
    mapping_port = home.node_get_ports()["mapping"]
    rule = f"dnat ip to {nat_lab.HOME_ADDR}:{mapping_port}"
    wait_until(lambda: rule in lab.mappings(), 30, what="the router's mapping")
    requests_before = _mapping_requests(lab)

    # Three leases long, the rule never goes away: each renewal comes before the lease runs out.
    lease_s = 4
    until = time.monotonic() + 3 * lease_s
    while time.monotonic() < until:
        assert rule in lab.mappings(), f"the mapping lapsed while the node lived: {lab.mappings()}"
        time.sleep(0.25)  # sampling the router's rules over a span of time, not a synchronisation
    renewals = _mapping_requests(lab) - requests_before
    assert renewals >= 3, lab.miniupnpd_log.read_text()[-2000:]

    home.close(grace=0)  # SIGKILL: no stop(), so no removal request; the lease must end it
    wait_until(lambda: rule not in lab.mappings(), 60, what="the lapsed mapping's removal")


def _mapping_requests(lab: NatLab) -> int:
    """NAT-PMP mapping requests the router has logged (12 bytes each; an address request is 2)."""
    return sum("NAT-PMP request received" in line and line.endswith(" 12bytes")
               for line in lab.miniupnpd_log.read_text().splitlines())
