#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The server of libzt's guide ("Client and Server", part 2), in the guide's own calls.

    python examples/guide/server.py STORAGE_PATH NETWORK_ID PORT [--planet FILE]

A node with its identity in STORAGE_PATH joins NETWORK_ID (16 hex digits), listens on PORT of its
IPv4 address, takes one connection and prints what arrives. --planet (or $LIBZT_PLANET) names a
planet of your own (``libzt world new``) instead of ZeroTier's roots. Run examples/guide/client.py
against the address it prints.
"""
import argparse
import os
import sys
import threading
import time

import libzt

# The event handler prints on libzt's event thread while main() prints on this one: one lock, so that
# each line comes out whole (print() writes its parts one by one).
print_lock = threading.Lock()


def say(*parts):
    with print_lock:
        print(*parts, flush=True)


def on_zerotier_event(event_code, id):
    if event_code == libzt.ZTS_EVENT_NODE_ONLINE:
        say("ZTS_EVENT_NODE_ONLINE:", hex(id))
    if event_code == libzt.ZTS_EVENT_NETWORK_READY_IP4:
        say("ZTS_EVENT_NETWORK_READY_IP4:", hex(id))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("storage_path")
    parser.add_argument("net_id")
    parser.add_argument("port", type=int)
    parser.add_argument("--planet", default=os.environ.get("LIBZT_PLANET"))
    args = parser.parse_args()
    net_id = int(args.net_id, 16)

    node = libzt.ZeroTierNode()
    node.init_from_storage(args.storage_path)
    node.init_set_event_handler(on_zerotier_event)
    if args.planet:
        with open(args.planet, "rb") as f:
            roots = f.read()
        if node.init_set_roots(roots, len(roots)) != libzt.ZTS_ERR_OK:
            print("not a planet:", args.planet)
            return 1
    if node.node_start() != libzt.ZTS_ERR_OK:
        print("could not start the node")
        return 1
    while not node.node_is_online():
        time.sleep(1)
    say("Node ID:", hex(node.node_id()))
    node.net_join(net_id)
    while not node.net_transport_is_ready(net_id):
        time.sleep(1)
    say("IP address:", node.addr_get_ipv4(net_id))

    # Set up listen socket
    serv = libzt.socket(libzt.ZTS_AF_INET, libzt.ZTS_SOCK_STREAM, 0)
    serv.setsockopt(libzt.ZTS_SOL_SOCKET, libzt.ZTS_SO_REUSEADDR, 1)
    serv.bind(("0.0.0.0", args.port))
    serv.listen(1)
    say("Listening on port", args.port)
    conn, addr = serv.accept()
    say("Accepted connection from:", addr)
    # RX
    data = conn.recv(128)
    say("RX:", data)
    # Cleanup
    conn.close()
    serv.close()
    node.node_stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
