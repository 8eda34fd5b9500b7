#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Events, as in libzt's guide: a handler set before the node starts hears what the node does.

    python examples/guide/events.py NETWORK_ID [--planet FILE]

The handler gets each event's code (a ZTS_EVENT_* constant) and the ID it is about: the node's, a
network's or a peer's. It runs on libzt's event thread: keep it short. This program joins
NETWORK_ID, prints every event until the network is ready, then stops the node.
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


EVENT_NAMES = {value: name for name, value in vars(libzt).items() if name.startswith("ZTS_EVENT_")}
network_ready = False


def on_zerotier_event(event_code, id):
    global network_ready
    say(EVENT_NAMES.get(event_code, event_code), hex(id))
    if event_code == libzt.ZTS_EVENT_NODE_ONLINE:
        say("ZTS_EVENT_NODE_ONLINE:", hex(id))
    if event_code in (libzt.ZTS_EVENT_NETWORK_READY_IP4, libzt.ZTS_EVENT_NETWORK_READY_IP6):
        network_ready = True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("net_id")
    parser.add_argument("--planet", default=os.environ.get("LIBZT_PLANET"))
    args = parser.parse_args()
    net_id = int(args.net_id, 16)

    node = libzt.ZeroTierNode()
    node.init_set_event_handler(on_zerotier_event)
    if args.planet:
        with open(args.planet, "rb") as f:
            roots = f.read()
        node.init_set_roots(roots, len(roots))
    node.node_start()
    while not node.node_is_online():
        time.sleep(1)
    node.net_join(net_id)
    while not network_ready:
        time.sleep(0.1)
    say("Network ready:", node.addr_get_ipv4(net_id))
    node.node_stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
