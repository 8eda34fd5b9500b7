# SPDX-License-Identifier: Apache-2.0
"""An OK is believed only as the answer to a request of ours, and a multicast gather's answer only for a
network we are in, from whom we asked (roots, the network's controller). A raw peer (a real identity
speaking genuine packets from Python) learns two packet IDs of our node's: its HELLO (a request) and
its OK to an ECHO (an answer). It then sends an OK(HELLO) "answering" that OK, and OK(MULTICAST_GATHER)s
answering the HELLO that name a thousand members of a network the node never joined, and of one it
did. Our node filed every packet it sent as awaiting an answer, its own OKs included, and kept the
members any gather's answer named: any peer could fill its multicast tables (tens of kB a packet, for
ten minutes) and crowd the real members of a group out of its multicasts."""
from __future__ import annotations

import struct
import time
from pathlib import Path

import pytest

import libzt
from support.netns import NetNs
from support.official import wait_until
from support.rawpeer import VERB_ECHO, VERB_OK, confirm_path, echo, header, hello, identity_for, ok_hello, to
from support.udp_driver import UdpPort
from support.worlds import start_node_behind_a_root

pytestmark = pytest.mark.netns

DEADLINE = 30.0  # what takes milliseconds idle, with room for a machine busy compiling
VERB_MULTICAST_GATHER = 0x0D
NOT_JOINED = 0x8056C2E21C000001
JOINED = (0xFF << 56) | (44 << 48) | 0x01  # ad-hoc: IPv4 44.x.y.z/8, no controller to ask


def gather_answer(sender: int, receiver: int, key: bytes, in_re_id: bytes, members: int,
                  network_id: int = NOT_JOINED) -> bytes:
    """OK(MULTICAST_GATHER): in-re verb and packet ID, network, group (MAC, ADI), how many the sender
    knows, then that many member addresses."""
    body = bytes([VERB_MULTICAST_GATHER]) + in_re_id + struct.pack(">Q", network_id) + b"\x01\x00\x5e\x00\x00\x01"
    body += struct.pack(">IIH", 0, members, members)
    body += b"".join((0x1000000000 + i).to_bytes(5, "big") for i in range(members))
    return libzt.wire.armor(key, header(sender, receiver, VERB_OK) + body, libzt.wire.Suite.AES_GMAC_SIV)


def test_answers_to_no_request_of_ours_or_gathers_for_a_network_not_joined_are_dropped(netns: NetNs, our_node,
                                                                                   tmp_path: Path) -> None:
    node = start_node_behind_a_root(our_node, netns, tmp_path, 29945, DEADLINE)
    me, their_id, key = identity_for(node)
    udp = UdpPort(netns.cmd_prefix, netns.ADDR2, node.node_get_port())
    try:
        # The node's HELLO back to a new peer (confirm_path's steps): a request of its own.
        udp.send(hello(me, their_id, key, int(time.time() * 1000)))
        its_hello = udp.receive(DEADLINE, to(me.node_id, key, "HELLO"))
        assert its_hello is not None, "the node did not confirm the new path with a HELLO"
        udp.send(ok_hello(me.node_id, their_id, key, its_hello))
        wait_until(lambda: node.core_query_path_count(me.address) >= 1, DEADLINE, 0.02, "the path learned")
        # Its OK to our ping: an answer, whose packet ID we now know.
        udp.send(echo(me.node_id, their_id, key, b"ping"))
        its_ok = udp.receive(DEADLINE, to(me.node_id, key, "OK"))
        assert its_ok is not None, "the ping was not answered"

        node.net_join(JOINED)
        wait_until(lambda: node.net_transport_is_ready(JOINED), DEADLINE, 0.02, "the network joined")

        before = node.node_get_stats()["drop_unexpected"]
        udp.send(ok_hello(me.node_id, their_id, key, its_ok))  # "answers" the node's own OK
        udp.send(gather_answer(me.node_id, their_id, key, its_hello[:8], 1000))  # a real request; not joined
        # Joined, and the ID of a real request, but the node gathers from its roots and controllers,
        # not from this peer: its members would crowd out the real ones (a multicast goes to those
        # named last).
        udp.send(gather_answer(me.node_id, their_id, key, its_hello[:8], 1000, JOINED))
        wait_until(lambda: node.node_get_stats()["drop_unexpected"] >= before + 3, DEADLINE, 0.02,
                   "the three forged answers dropped")
    finally:
        udp.close()


def test_an_echo_answered_with_a_time_the_node_never_sent_is_no_round_trip(netns: NetNs, our_node,
                                                                        tmp_path: Path) -> None:
    """The OK to the node's ECHO (and to its HELLO) echoes the time it was sent: a peer can put any
    time there. The node subtracted it from its clock as a signed number (undefined for most values:
    UBSan aborted fuzz_root on one) and reported a ping from the future as 0 ms."""
    node = start_node_behind_a_root(our_node, netns, tmp_path, 29946, DEADLINE)
    me, their_id, key = identity_for(node)
    udp = UdpPort(netns.cmd_prefix, netns.ADDR2, node.node_get_port())
    try:
        confirm_path(udp, me, their_id, key, DEADLINE)
        wait_until(lambda: node.core_query_path_count(me.address) >= 1, DEADLINE, 0.02, "the path learned")
        for shift, counted in ((0, 0), (10**12, 1), (-(10**12), 1)):
            before = node.node_get_stats()["drop_malformed"]
            assert node.node_ping(me.address) == 0
            ping = udp.receive(DEADLINE, to(me.node_id, key, "ECHO"))
            assert ping is not None, "the node did not send its ECHO"
            plain = libzt.wire.dearmor(key, ping)
            marker, sent = struct.unpack(">QQ", plain[28:44])
            body = bytes([VERB_ECHO]) + ping[:8] + struct.pack(">QQ", marker, (sent + shift) % 2**64)
            udp.send(libzt.wire.armor(key, header(me.node_id, their_id, VERB_OK) + body, libzt.wire.Suite.AES_GMAC_SIV))
            # A genuine answer (shift 0) is taken; the node's answer to our own ECHO after it shows the
            # forged ones were handled (or not) by then.
            udp.send(echo(me.node_id, their_id, key, b"after"))
            assert udp.receive(DEADLINE, to(me.node_id, key, "OK")) is not None
            assert node.node_get_stats()["drop_malformed"] == before + counted, shift
    finally:
        udp.close()
