#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The client of libzt's guide ("Client and Server", part 2), in the guide's own calls.

    python examples/guide/client.py NETWORK_ID REMOTE_IP REMOTE_PORT [--planet FILE]

A node with a new identity joins NETWORK_ID, connects to REMOTE_IP:REMOTE_PORT (the address
examples/guide/server.py prints) and sends "Hello, network!". Errors follow the guide: the node's
calls return ZTS_ERR_* codes, a failed socket call raises and libzt.errno() says why.
"""
import argparse
import os
import sys
import time

import libzt


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("net_id")
    parser.add_argument("remote_ip")
    parser.add_argument("remote_port", type=int)
    parser.add_argument("--planet", default=os.environ.get("LIBZT_PLANET"))
    args = parser.parse_args()
    net_id = int(args.net_id, 16)

    node = libzt.ZeroTierNode()
    node.init_new_identity()
    if args.planet:
        with open(args.planet, "rb") as f:
            roots = f.read()
        node.init_set_roots(roots, len(roots))
    err = node.node_start()
    if err != libzt.ZTS_ERR_OK:
        print("node_start failed:", err)
        return 1
    while not node.node_is_online():
        time.sleep(1)
    print("Node ID:", hex(node.node_id()), flush=True)
    node.net_join(net_id)
    while not node.net_transport_is_ready(net_id):
        time.sleep(1)
    print("IP address:", node.addr_get_ipv4(net_id), flush=True)

    # Set up connection socket
    client = libzt.socket(libzt.ZTS_AF_INET, libzt.ZTS_SOCK_STREAM, 0)
    status = 0
    try:
        client.connect((args.remote_ip, args.remote_port))
        # TX
        data = "Hello, network!"
        sent = client.send(data.encode("utf-8"))
        print("TX:", sent, "bytes", flush=True)
        # The server closes once it has the message: wait for that before the node (and with it the
        # TCP/IP stack, which may still be sending) stops.
        client.shutdown(libzt.ZTS_SHUT_WR)
        client.recv(128)
    except OSError as ex:
        print("socket error:", ex, "errno =", libzt.errno(), flush=True)
        status = 1
    # Cleanup
    client.close()
    node.node_stop()
    return status


if __name__ == "__main__":
    sys.exit(main())
