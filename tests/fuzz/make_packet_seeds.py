# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpora of fuzz_packet and fuzz_defrag from the captured traffic.

Run from tests/ after building: ``../.venv/bin/python -m fuzz.make_packet_seeds`` (``-m`` puts tests/ on
the path, for ``support``).
fuzz_packet gets one dearmored packet per verb in its structured form (see fuzz_packet.cpp) plus a few
raw datagrams; fuzz_defrag gets captured heads and fragments in its record form (see fuzz_defrag.cpp).
"""
from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

from libzt import Identity, wire
from support.pcap_reader import read_udp

HERE = Path(__file__).resolve().parent
CAPTURE = HERE.parent / "vectors" / "capture"
SUITE_AES = 0x02  # control byte: suite 3, no compression, not relayed
HELLO_WITHOUT_MOONS_LEN = 137


def write(corpus: str, data: bytes) -> None:
    directory = HERE / "corpus" / corpus
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def structured(plain: bytes, control: int = SUITE_AES) -> bytes:
    """fuzz_packet's form 2: control, destination, source, verb byte, payload."""
    return bytes([control]) + plain[8:18] + plain[27:]


def main() -> None:
    spec = json.loads((CAPTURE / "capture.json").read_text())
    by_address = {i.address: i for i in (Identity.from_string(t) for t in spec["identities"].values())}
    datagrams, _ = read_udp(CAPTURE / "fresh-join-and-tcp.pcap")
    defragmenters = {port: wire.Defragmenter() for port in (29993, 29994, 29995)}
    seen: set[str] = set()
    fragmented: list[list[bytes]] = []
    pieces: dict[bytes, list[bytes]] = {}
    for d in datagrams:
        if wire.classify(d.payload) is wire.DatagramKind.INVALID:
            continue
        pieces.setdefault(d.payload[:8], []).append(d.payload)
        armored = defragmenters[d.destination_port].add(d.payload, d.time_ms)
        if armored is None:
            continue
        header = wire.decode(armored)
        key = by_address[header["source"]].agree(by_address[header["destination"]])
        plain = wire.dearmor(key, armored)
        decoded = wire.decode(plain)
        verb = decoded["verb"] + (decoded["fields"].get("in_re_verb", "") if "fields" in decoded else "")
        if len(pieces[armored[:8]]) > 1 and len(fragmented) < 3:
            fragmented.append(pieces[armored[:8]])
        if verb in seen:
            continue
        seen.add(verb)
        if decoded["verb"] == "HELLO":
            assert len(plain) == HELLO_WITHOUT_MOONS_LEN  # the encrypted tail is a moon count of 0
            plain = plain[:-2] + b"\x00\x00"
            two_moons = b"\x00\x02" + b"\x7f" + bytes(range(16)) + b"\x7f" + bytes(range(16, 32))
            write("packet", structured(plain[:-2] + two_moons, control=0x00))
        write("packet", structured(plain))
        if len(seen) <= 3:
            write("packet", armored)  # form 1: as received (a foreign key: the MAC fails)

    for set_pieces in fragmented:
        records = b"".join(b"\x00" + struct.pack(">H", len(p)) + p for p in reversed(set_pieces))
        write("defrag", records)
    # Synthetic sets: head then two fragments for the same ID, in a shuffled order, then a timeout.
    head = b"\x01\x00" + struct.pack(">H", 1400)
    frag = [b"\x02\x00" + bytes([(3 << 4) | n]) + struct.pack(">H", 1000) for n in (1, 2)]
    write("defrag", frag[1] + head + frag[0])
    write("defrag", head + frag[0] + b"\xff" + frag[1] + b"\x03")


if __name__ == "__main__":
    main()
