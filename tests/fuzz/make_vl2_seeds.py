# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpora of the VL2 fuzz targets from the vectors and from configs built here.

Run from tests/ after building: ``../.venv/bin/python -m fuzz.make_vl2_seeds`` (``-m`` puts tests/ on the
path, for ``support`` and the unit tests whose rules and configs it reuses).
dictionary/netconf get config dictionaries (the stored one, the ones the capture carries, built,
ad-hoc and legacy ones) and request metadata; com gets each credential type behind its selector
byte (see fuzz_com.cpp) and captured NETWORK_CREDENTIALS; rules gets rule tables with frames (see
fuzz_rules.cpp); config_chunks gets captured and built chunks (see fuzz_config_chunks.cpp);
rules_json gets rule arrays as JSON text, complete and in the controller's shorter forms.
"""
from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

from libzt import Identity, wire
from libzt import netconf as nc
from support.pcap_reader import read_udp
from unit import test_controller_rules as tcr
from unit import test_rules as tr
from unit.test_netconf_build import CONTROLLER, NWID, A, capability, spec_for

HERE = Path(__file__).resolve().parent
CAPTURE = HERE.parent / "vectors" / "capture"


def write(corpus: str, data: bytes) -> None:
    directory = HERE / "corpus" / corpus
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def captured() -> dict[str, list[bytes]]:
    """Config chunks, NETWORK_CREDENTIALS payloads and request metadata from the capture."""
    spec = json.loads((CAPTURE / "capture.json").read_text())
    by_address = {i.address: i for i in (Identity.from_string(t) for t in spec["identities"].values())}
    datagrams, _ = read_udp(CAPTURE / "fresh-join-and-tcp.pcap")
    defragmenters = {port: wire.Defragmenter() for port in (29993, 29994, 29995)}
    found: dict[str, list[bytes]] = {"chunks": [], "credentials": [], "metadata": []}
    for d in datagrams:
        if wire.classify(d.payload) is wire.DatagramKind.INVALID:
            continue
        armored = defragmenters[d.destination_port].add(d.payload, d.time_ms)
        if armored is None:
            continue
        header = wire.decode(armored)
        key = by_address[header["source"]].agree(by_address[header["destination"]])
        plain = wire.dearmor(key, armored)
        decoded = wire.decode(plain)
        f = decoded.get("fields", {})
        if "signed_offset" in f:
            found["chunks"].append(plain[f["signed_offset"] :])
        elif decoded["verb"] == "NETWORK_CREDENTIALS":
            found["credentials"].append(plain[28:])
        elif decoded["verb"] == "NETWORK_CONFIG_REQUEST":
            found["metadata"].append(plain[f["metadata_offset"] : f["metadata_offset"] + f["metadata_len"]])
    return found


def revocation() -> bytes:
    fields = struct.pack(">IIQIIQQ", 0, 7, NWID, 0, 0, 1_795_710_624_997, 1)
    fields += A.node_id.to_bytes(5, "big") + CONTROLLER.node_id.to_bytes(5, "big") + b"\x01"
    signature = CONTROLLER.sign(b"\x7f" * 8 + fields + b"\0\0" + b"\x7f" * 8)
    return fields + b"\x01\x00\x60" + signature + b"\0\0"


def zerotier_one_dns(config: bytes) -> bytes:
    """``config`` with a DNS entry as ZeroTier One may write it and we never do: a domain filling all
    128 bytes, servers with a port, an empty slot between them."""
    blob = (b"d" * 128 + b"\x04\xc0\xa8\x01\x35\x00\x35" + b"\x00"
            + b"\x06" + b"\xfd" + b"\x00" * 14 + b"\x53" + b"\x00\x35" + b"\x00")
    return nc.serialize_dictionary([(k, blob if k == "DNS" else v) for k, v in nc.parse_dictionary(config)])


def rules_json() -> None:
    network = json.loads((CAPTURE / "controller" / "network.json").read_text())
    tables = [tr.EVERY_TYPE, network["rules"], [given for given, _, _ in tcr.CASES],
              [stored for _, stored, _ in tcr.CASES]]
    for table in tables:
        write("rules_json", json.dumps(table).encode())
    # The reader's edges: numbers, escapes, nesting, a trailing comma (refused), mixed types.
    for text in ('[{"type": "MATCH_ETHERTYPE", "etherType": 2048.0e0, "not": true}]',
                 '[{"type": "MATCH_RANDOM", "probability": -0}, {"type": "\\u0041CTION_DROP"}]',
                 '[{"type": "INTEGER_RANGE", "start": "0x10", "end": 18446744073709551615}]',
                 '[{"type": "UNKNOWN", "typeId": 63, "value": "00ff"}, [[[[]]]], {"a": "\\ud83d\\ude00"}]',
                 '[{"type": "MATCH_IPV6_DEST", "ip": "::ffff:10.0.0.1/128", "or": false},]'):
        write("rules_json", text.encode())


def main() -> None:
    rules_json()
    cap = captured()
    stored = (CAPTURE / "networkconfig_A_0f2e12b3166b6fa3.conf").read_bytes()
    built = nc.build_network_config(spec_for(A), CONTROLLER, A)
    configs = [stored, built, *(nc.ConfigAssembler().add(c, CONTROLLER)[1] for c in cap["chunks"][:2]),
               nc.adhoc_network_config(nc.adhoc_network_id(80, 443), A.node_id, 1),
               nc.adhoc_network_config(0xFF0A123456789001, A.node_id, 1),
               b"v=5\nnwid=8056c2e21c000001\nid=89e92ceee5\neb=1\np=0\nv4s=10.1.2.3/8\net=806,800\nab=1122334455"]
    configs.append(zerotier_one_dns(built))
    for c in configs:
        write("dictionary", c)
        write("netconf", c)
    for m in cap["metadata"]:
        write("dictionary", m)

    entries = dict(nc.parse_dictionary(built))
    write("com", b"\x00" + dict(nc.parse_dictionary(stored))["C"])
    write("com", b"\x01" + entries["TAG"][: len(entries["TAG"]) // 3])  # the first of three tags
    write("com", b"\x02" + capability(3))
    write("com", b"\x02" + nc.transfer_capability(capability(3), A, CONTROLLER.node_id))
    write("com", b"\x03" + entries["COO"])
    write("com", b"\x04" + revocation())
    for payload in cap["credentials"]:
        write("com", b"\x05" + payload)
    bundle = (entries["C"] + b"\0" + struct.pack(">H", 1) + capability(2) + struct.pack(">H", 1)
              + entries["TAG"][: len(entries["TAG"]) // 3] + struct.pack(">H", 1) + revocation()
              + struct.pack(">H", 1) + entries["COO"])
    write("com", b"\x05" + bundle)

    every = nc.rules_to_bytes(tr.EVERY_TYPE)
    adhoc = dict(nc.parse_dictionary(configs[4]))["R"]
    for rules, flags, f in [(every, 0, tr.TCP4), (every, 5, tr.ARP), (adhoc, 0, tr.TCP6), (adhoc, 1, tr.ICMP6),
                            (b"\x3f\x03abc\x01\x00", 2, tr.UDP4), (every, 4, tr.ICMP4)]:
        head = struct.pack(">H", len(rules)) + rules + bytes([flags]) + struct.pack(">H", f.ethertype)
        write("rules", head + f.mac_dest.to_bytes(6, "big") + f.payload)

    def chunks_input(chunks: list[bytes]) -> bytes:
        return b"".join(struct.pack(">H", len(c)) + c for c in chunks)

    for c in cap["chunks"]:
        write("config_chunks", chunks_input([c]))
    write("config_chunks", chunks_input(nc.sign_config_chunks(stored * 12, NWID, CONTROLLER, update_id=5)[::-1]))
    write("config_chunks", chunks_input([struct.pack(">QH", NWID, len(stored)) + stored]))


if __name__ == "__main__":
    main()
