/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cffi declarations: event codes (zts_event_msg_t.event_code). The handler
 * itself is installed with zts_init_set_event_handler() (init.h), which takes
 * a plain C function pointer, so an `extern "Python"` callback fits it.
 */

typedef enum {
    ZTS_EVENT_NODE_UP = ...,
    ZTS_EVENT_NODE_ONLINE = ...,
    ZTS_EVENT_NODE_OFFLINE = ...,
    ZTS_EVENT_NODE_DOWN = ...,
    ZTS_EVENT_NODE_FATAL_ERROR = ...,
    ZTS_EVENT_NETWORK_NOT_FOUND = ...,
    ZTS_EVENT_NETWORK_CLIENT_TOO_OLD = ...,
    ZTS_EVENT_NETWORK_REQ_CONFIG = ...,
    ZTS_EVENT_NETWORK_OK = ...,
    ZTS_EVENT_NETWORK_ACCESS_DENIED = ...,
    ZTS_EVENT_NETWORK_READY_IP4 = ...,
    ZTS_EVENT_NETWORK_READY_IP6 = ...,
    ZTS_EVENT_NETWORK_READY_IP4_IP6 = ...,
    ZTS_EVENT_NETWORK_DOWN = ...,
    ZTS_EVENT_NETWORK_UPDATE = ...,
    ZTS_EVENT_STACK_UP = ...,
    ZTS_EVENT_STACK_DOWN = ...,
    ZTS_EVENT_NETIF_UP = ...,
    ZTS_EVENT_NETIF_DOWN = ...,
    ZTS_EVENT_NETIF_REMOVED = ...,
    ZTS_EVENT_NETIF_LINK_UP = ...,
    ZTS_EVENT_NETIF_LINK_DOWN = ...,
    ZTS_EVENT_PEER_DIRECT = ...,
    ZTS_EVENT_PEER_RELAY = ...,
    ZTS_EVENT_PEER_UNREACHABLE = ...,
    ZTS_EVENT_PEER_PATH_DISCOVERED = ...,
    ZTS_EVENT_PEER_PATH_DEAD = ...,
    ZTS_EVENT_ROUTE_ADDED = ...,
    ZTS_EVENT_ROUTE_REMOVED = ...,
    ZTS_EVENT_ADDR_ADDED_IP4 = ...,
    ZTS_EVENT_ADDR_REMOVED_IP4 = ...,
    ZTS_EVENT_ADDR_ADDED_IP6 = ...,
    ZTS_EVENT_ADDR_REMOVED_IP6 = ...,
    ZTS_EVENT_STORE_IDENTITY_SECRET = ...,
    ZTS_EVENT_STORE_IDENTITY_PUBLIC = ...,
    ZTS_EVENT_STORE_PLANET = ...,
    ZTS_EVENT_STORE_PEER = ...,
    ZTS_EVENT_STORE_NETWORK = ...
} zts_event_t;
