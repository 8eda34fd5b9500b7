/* SPDX-License-Identifier: Apache-2.0
 *
 * libzt extensions: C functions beyond ZeroTier's ZeroTierSockets.h that the Python layer (and C
 * users who want them) need: identities as objects, signatures, key agreement, worlds, an
 * inspector for VL1 packets, and the VL2 objects (configs, certificates, rules) over bytes.
 *
 * Conventions match ZeroTierSockets.h: functions return ZTS_ERR_OK (0) or a negative ZTS_ERR_* code.
 * On ZTS_ERR_ARG, ztx_error_message() says what was wrong with the input, in English, for the
 * calling thread. Nothing here keeps global state besides that message.
 */
#ifndef LIBZT_EXT_H
#define LIBZT_EXT_H

#include <stddef.h>
#include <stdint.h>

#include "ZeroTierSockets.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZTX_API __attribute__((visibility("default")))

#define ZTX_PUBLIC_KEY_LEN 64
#define ZTX_PRIVATE_KEY_LEN 64
#define ZTX_KEY_PAIR_LEN 128
#define ZTX_SIGNATURE_LEN 96
#define ZTX_SYMMETRIC_KEY_LEN 48
#define ZTX_IDENTITY_STRING_LEN 384
#define ZTX_IDENTITY_BINARY_MAX_LEN 135
#define ZTX_WORLD_MAX_ROOTS 4
#define ZTX_WORLD_MAX_ENDPOINTS 32
#define ZTX_ENDPOINT_STRING_LEN 56
#define ZTX_WORLD_MAX_LEN 8480

/* The English reason for the calling thread's last ZTS_ERR_ARG from a ztx_ function. */
ZTX_API const char* ztx_error_message(void);

/* ---- identities ------------------------------------------------------------------------------- */

typedef struct ztx_identity ztx_identity;

/* threads: how many threads search for a qualifying key pair (0 = one per CPU). */
ZTX_API int ztx_identity_generate(unsigned threads, ztx_identity** out);
ZTX_API int ztx_identity_from_string(const char* text, size_t len, ztx_identity** out);
ZTX_API int ztx_identity_from_bytes(const void* data, size_t len, ztx_identity** out);
ZTX_API void ztx_identity_free(ztx_identity* id);

ZTX_API uint64_t ztx_identity_address(const ztx_identity* id);
ZTX_API int ztx_identity_has_private(const ztx_identity* id);
/* Writes the string form (NUL-terminated) into buf of *len bytes; *len becomes the string length. */
ZTX_API int ztx_identity_to_string(const ztx_identity* id, int include_private, char* buf, size_t* len);
/* Binary form: 71 bytes public, 135 with the private key. */
ZTX_API int ztx_identity_to_bytes(const ztx_identity* id, int include_private, uint8_t* buf, size_t* len);
ZTX_API int ztx_identity_public_key(const ztx_identity* id, uint8_t out[ZTX_PUBLIC_KEY_LEN]);

/* 1 if the address derives from the public key (memory-hard hash) and any private key matches the
 * public key, 0 if not. */
ZTX_API int ztx_identity_validate(const ztx_identity* id);
ZTX_API int ztx_identity_sign(const ztx_identity* id, const void* msg, size_t len, uint8_t sig[ZTX_SIGNATURE_LEN]);
/* 1 valid, 0 invalid. */
ZTX_API int ztx_identity_verify(const ztx_identity* id, const void* msg, size_t len, const uint8_t* sig, size_t sig_len);
ZTX_API int ztx_identity_agree(const ztx_identity* self, const ztx_identity* peer, uint8_t key[ZTX_SYMMETRIC_KEY_LEN]);

/* ---- bare key pairs (what signs worlds): public (64) || private (64), the .c25519 file layout --- */

ZTX_API int ztx_keypair_generate(uint8_t pair[ZTX_KEY_PAIR_LEN]);
/* Recomputes the public half from the private half; ZTS_ERR_ARG if they disagree. */
ZTX_API int ztx_keypair_check(const uint8_t pair[ZTX_KEY_PAIR_LEN]);
ZTX_API int ztx_keypair_sign(const uint8_t pair[ZTX_KEY_PAIR_LEN], const void* msg, size_t len,
                     uint8_t sig[ZTX_SIGNATURE_LEN]);
ZTX_API int ztx_signature_verify(const uint8_t pub[ZTX_PUBLIC_KEY_LEN], const void* msg, size_t len,
                         const uint8_t* sig, size_t sig_len);

/* ---- worlds (planets and moons) --------------------------------------------------------------- */

typedef struct {
    char identity[ZTX_IDENTITY_STRING_LEN]; /* public identity string */
    unsigned endpoint_count;
    char endpoints[ZTX_WORLD_MAX_ENDPOINTS][ZTX_ENDPOINT_STRING_LEN]; /* "ip/port" */
} ztx_world_root_t;

typedef struct {
    int type; /* 1 planet, 127 moon */
    uint64_t id;
    uint64_t timestamp;
    uint8_t update_key[ZTX_PUBLIC_KEY_LEN];
    uint8_t signature[ZTX_SIGNATURE_LEN];
    unsigned root_count;
    ztx_world_root_t roots[ZTX_WORLD_MAX_ROOTS];
} ztx_world_t;

/* Exactly one serialized world, nothing after it. */
ZTX_API int ztx_world_parse(const void* data, size_t len, ztx_world_t* out);
/* Validates every field; writes the serialized world (signature as given) into buf. */
ZTX_API int ztx_world_serialize(const ztx_world_t* world, uint8_t* buf, size_t* len);
/* Sets world->signature by signing with the key pair (public || private). */
ZTX_API int ztx_world_sign(ztx_world_t* world, const uint8_t signer[ZTX_KEY_PAIR_LEN]);
/* 1 if world->signature was made by the key, 0 if not. */
ZTX_API int ztx_world_verify(const ztx_world_t* world, const uint8_t pub[ZTX_PUBLIC_KEY_LEN]);
/* 1 if `update` may replace `current` (same id and type, newer, signed by current's update key). */
ZTX_API int ztx_world_should_be_replaced_by(const ztx_world_t* current, const ztx_world_t* update);
/* The 570-byte planet compiled into ZeroTier One. */
ZTX_API int ztx_world_default_planet(uint8_t* buf, size_t* len);

/* ---- the wire inspector: VL1 packets as bytes, for tests, tools and replaying captures --------- */
/* A packet is the 28-byte header, the verb byte and the payload; a datagram is one UDP payload: a
 * whole packet, the head of a fragmented one, a fragment, or a legacy 13-byte beacon. "key" is the
 * 48-byte key two peers agree (ztx_identity_agree). */

#define ZTX_WIRE_MAX_PACKET_LEN 10024 /* largest assembled packet */
#define ZTX_WIRE_MAX_FRAGMENTS 7      /* pieces per packet, head included */
#define ZTX_WIRE_MIN_MTU 29           /* the head must hold the header and one byte */

#define ZTX_WIRE_SUITE_POLY1305 0           /* MAC only: HELLO */
#define ZTX_WIRE_SUITE_SALSA2012_POLY1305 1 /* peers below protocol 12 */
#define ZTX_WIRE_SUITE_AES_GMAC_SIV 3       /* peers at protocol 12 and up */

#define ZTX_WIRE_ARMOR_COMPRESS 1 /* LZ4-compress the payload first if that makes it smaller */

#define ZTX_WIRE_FORMAT_TEXT 0 /* one line of key=value */
#define ZTX_WIRE_FORMAT_JSON 1 /* one JSON object */

#define ZTX_DATAGRAM_INVALID 0
#define ZTX_DATAGRAM_BEACON 1
#define ZTX_DATAGRAM_FRAGMENT 2
#define ZTX_DATAGRAM_PACKET 3

#define ZTX_DEFRAG_INCOMPLETE 0 /* kept, waiting for the rest */
#define ZTX_DEFRAG_COMPLETE 1   /* a whole packet was written to out */
#define ZTX_DEFRAG_DROPPED 2    /* not used: malformed, duplicate, inconsistent or too large */

/* KBKDF-HMAC-SHA384 as ZeroTier derives its AES keys: label '0' (K0) or '1' (K1). */
ZTX_API int ztx_wire_kbkdf(const uint8_t key[ZTX_SYMMETRIC_KEY_LEN], char label, uint8_t out[48]);
/* Armors a packet with a suite (0, 1 or 3), as its originator does: the hop count is reset to 0, and
 * under suite 3 the packet ID is replaced by the SIV tag. options: ZTX_WIRE_ARMOR_COMPRESS. mtu: 0
 * leaves the fragmented flag as given; otherwise it is set iff the packet is larger than mtu (split
 * the result with ztx_wire_fragment). out gets the armored packet; *out_len: capacity in, size out. */
ZTX_API int ztx_wire_armor(const uint8_t key[ZTX_SYMMETRIC_KEY_LEN], int suite, int options, size_t mtu,
                           const uint8_t* packet, size_t len, uint8_t* out, size_t* out_len);
/* Verifies and decrypts a whole packet by the suite in its header (any hop count), then decompresses
 * it. ZTS_ERR_ARG with the reason if the MAC fails, the suite is 2 or unassigned, or LZ4 data is
 * corrupt. */
ZTX_API int ztx_wire_dearmor(const uint8_t key[ZTX_SYMMETRIC_KEY_LEN], const uint8_t* packet, size_t len,
                             uint8_t* out, size_t* out_len);
/* Splits an armored packet into datagrams of at most mtu bytes, written back to back into out;
 * lens[i] is the size of datagram i and *count how many there are. */
ZTX_API int ztx_wire_fragment(const uint8_t* armored, size_t len, size_t mtu, uint8_t* out, size_t* out_len,
                              size_t lens[ZTX_WIRE_MAX_FRAGMENTS], size_t* count);
/* ZTX_DATAGRAM_*: what a datagram is, judged as a receiver does (length, fragment indicator). */
ZTX_API int ztx_wire_classify(const uint8_t* datagram, size_t len);
/* Describes a datagram (ZTX_WIRE_FORMAT_*). With a key, a packet is dearmored and decompressed first;
 * with NULL its payload is taken as is (right for HELLO and already dearmored packets). Never fails on
 * bad input, which is described as such. If out is too small, *out_len becomes the size needed
 * (terminating NUL included) and ZTS_ERR_ARG is returned. */
ZTX_API int ztx_wire_describe(const uint8_t* key, const uint8_t* datagram, size_t len, int format, char* out,
                              size_t* out_len);

/* Parses a dearmored packet and builds it again with the node's own builders (HELLO, OK(HELLO),
 * OK(WHOIS), ERROR, WHOIS, RENDEZVOUS, PUSH_DIRECT_PATHS, USER_MESSAGE), same header. Equal bytes mean
 * parser and builder agree with whoever made the packet. key (HELLO only, else may be NULL) decrypts
 * and re-encrypts HELLO's moon list. ZTS_ERR_ARG if it does not parse or the verb has no builder. */
ZTX_API int ztx_wire_reencode(const uint8_t* key, const uint8_t* packet, size_t len, uint8_t* out,
                              size_t* out_len);

/* Reassembly of fragmented packets, with the receiver's limits: 32 packets in progress, 5 s each. */
typedef struct ztx_defrag ztx_defrag;
ZTX_API int ztx_defrag_new(ztx_defrag** out);
ZTX_API void ztx_defrag_free(ztx_defrag* d);
/* Feeds one datagram received at time now (ms). Returns ZTX_DEFRAG_*; on ZTX_DEFRAG_COMPLETE the
 * assembled (still armored) packet is in out. An unfragmented packet is complete at once. */
ZTX_API int ztx_defrag_add(ztx_defrag* d, const uint8_t* datagram, size_t len, int64_t now, uint8_t* out,
                           size_t* out_len);
/* Drops sets older than 5 s; returns how many packets remain in progress. */
ZTX_API int ztx_defrag_expire(ztx_defrag* d, int64_t now);
ZTX_API int ztx_defrag_in_progress(const ztx_defrag* d);

/* ---- node extensions (beyond ZeroTierSockets.h) ------------------------------------------------ */

/* Extra event codes, delivered through the zts_init_set_event_handler callback like libzt's own.
 * For these, msg->peer describes the sender and msg->cache points to the payload struct below
 * (valid during the callback only); msg->len is its size. */
#define ZTX_EVENT_USER_MESSAGE 300
#define ZTX_EVENT_ECHO_REPLY 301

typedef struct {
    uint64_t peer_id;
    uint64_t type;        /* message type; ZeroTier reserves 0..65535 */
    const uint8_t* data;
    size_t len;
} ztx_user_message_t;

typedef struct {
    uint64_t peer_id;
    int rtt_ms;
    const uint8_t* data;  /* the payload given to ztx_node_ping */
    size_t len;
} ztx_echo_reply_t;

/* Forget everything zts_init_* configured (storage, identity, roots, ports, caches, handler), as if
 * the process had just started. Only while the node is stopped. */
ZTX_API int ztx_init_reset(void);

/* Allow loopback (127/8, ::1) as physical paths. ZeroTier never does; off by default. Before start. */
ZTX_API int ztx_init_allow_loopback_paths(int allowed);
/* Peer lifetime: a peer not heard from for idle_timeout_ms is forgotten (roots and controllers of
 * joined networks never are); at most max_peers peers, where a new one displaces the idlest peer quiet
 * for 10 s or more, or is refused. 0 keeps a default (30,000 ms; 65,536 peers). */
ZTX_API int ztx_init_set_peer_limits(int64_t idle_timeout_ms, uint64_t max_peers);

/* Announce an older protocol version (>= 4) in HELLO. Peers then treat us as that version: below 12
 * they send Salsa20/12 instead of AES-GMAC-SIV. For compatibility tests; the default is 12. */
ZTX_API int ztx_init_set_protocol_version(int version);

/* Send a USER_MESSAGE (ZeroTier verb 0x14) to a peer: relayed through a root until a direct path
 * exists. ZTS_ERR_SERVICE if the node is not running, ZTS_ERR_ARG for a bad peer or size. */
ZTX_API int ztx_node_send_user_message(uint64_t peer_id, uint64_t type, const void* data, size_t len);
/* Send an ECHO; the answer arrives as ZTX_EVENT_ECHO_REPLY with the round-trip time. */
ZTX_API int ztx_node_ping(uint64_t peer_id, const void* data, size_t len);

/* Snapshot of the peers: fills up to *count entries, sets *count to how many were written, returns
 * the total number of peers (which may exceed *count). */
ZTX_API int ztx_node_get_peers(zts_peer_info_t* out, unsigned* count);

typedef struct {
    uint64_t rx_datagrams, rx_packets, tx_datagrams, tx_packets, relayed, junk;
    uint64_t drop_malformed, drop_auth, drop_unknown_peer, drop_rate_limited, drop_unexpected;
    uint64_t drop_path, drop_relay, drop_fragment, drop_queue_full, drop_oversized, send_errors;
    uint64_t rx_suite[4]; /* authenticated packets in by cipher suite: 0 Poly1305, 1 Salsa20/12, 3 AES */
    uint64_t tx_suite[4];
    uint64_t frames_in, frames_out; /* VL2 Ethernet frames delivered to this node's stack / sent */
    uint64_t frames_dropped;        /* by flow rules, membership (certificate) checks, or no config */
    uint64_t peers;                 /* peers known now */
    uint64_t peer_bytes;            /* estimated bytes held per peer (average) */
    uint64_t peers_expired;         /* forgotten: idle past the timeout, or displaced at the bound */
    uint64_t peers_refused;         /* new peers turned away at the bound */
    uint64_t whois_sent;            /* WHOIS requests sent to a root (first tries and retries) */
    uint64_t rendezvous_sent;       /* RENDEZVOUS sent by a root introducing two peers (one per peer told) */
    uint64_t udp_offload_sent;      /* datagrams that left in segmented sends (UDP_SEGMENT) */
    uint64_t udp_offload_received;  /* datagrams that arrived coalesced by the kernel (UDP_GRO) */
} ztx_node_stats_t;
ZTX_API int ztx_node_get_stats(ztx_node_stats_t* out);

/* Waits until every event posted so far has been handed to the event handler and the handler has
 * returned (zts_node_stop posts STACK_DOWN and NODE_DOWN and returns before they are delivered).
 * ZTS_ERR_OK; ZTS_ERR_GENERAL after timeout_ms, or at once when called from the handler itself. A
 * language runtime calls it before it shuts down, so no delivery runs into a finalized runtime. */
ZTX_API int ztx_events_wait_idle(int timeout_ms);

/* The node's UDP ports: primary, secondary and the port-mapping port (0 where none is bound). */
ZTX_API int ztx_node_get_ports(unsigned short* primary, unsigned short* secondary, unsigned short* mapping);
/* The router's mapping of the port-mapping port: the external "ip/port" into addr and the protocol
 * ("NAT-PMP" or "UPnP") into method, both empty strings while nothing is mapped. */
ZTX_API int ztx_node_get_port_mapping(char* addr, unsigned addr_len, char* method, unsigned method_len);
/* How often port mappings are renewed (ms; 0 = ZeroTier One's 5 minutes; leases last twice as long).
 * Before start. */
ZTX_API int ztx_init_set_port_mapping_refresh(unsigned int ms);
/* After how long offline the secondary port is replaced by a fresh random one (ms; ZeroTier One:
 * 120000, twice its peer ping period; some NATs stop passing a port after a while). Before start. */
ZTX_API int ztx_init_set_secondary_port_rebind_after(unsigned int ms);
/* After how long without UDP from a global address the TCP relay takes over (ms; ZeroTier One: 60000).
 * Before start. */
ZTX_API int ztx_init_set_tcp_relay_after(unsigned int ms);
/* 1 while datagrams travel through the TCP relay, 0 if not. */
ZTX_API int ztx_node_tcp_relay_active(void);

/* Everything about a joined network in one call (libzt's event struct; addresses and routes carry
 * their prefix length in the port field). ZTS_ERR_NO_RESULT if not joined. */
ZTX_API int ztx_net_get_info(uint64_t net_id, zts_net_info_t* out);
/* The joined networks: fills up to *count IDs, sets *count, returns how many there are. */
ZTX_API int ztx_net_list(uint64_t* ids, unsigned* count);

/* The DNS a joined network's config pushes, laid out as ZeroTier One's ZT_VirtualNetworkDNS (a search
 * domain, NUL-terminated, and up to ZTX_MAX_DNS_SERVERS servers, unused ones zeroed) plus a count.
 * All zero while the network has no config or pushes no DNS; ZTS_ERR_NO_RESULT if not joined.
 * The servers are also given to the resolver (zts_dns_*) unless the application set its own there. */
#define ZTX_MAX_DNS_SERVERS 4
#define ZTX_DNS_DOMAIN_LEN 128
typedef struct {
    char domain[ZTX_DNS_DOMAIN_LEN];
    struct zts_sockaddr_storage server_addr[ZTX_MAX_DNS_SERVERS];
    unsigned server_count;
} ztx_net_dns_t;
ZTX_API int ztx_net_get_dns(uint64_t net_id, ztx_net_dns_t* out);

/* ---- raw Ethernet tap ---------------------------------------------------------------------------
 * Frames of a joined network as raw Ethernet (dst, src, ethertype, payload), for applications and
 * tests that bring their own stack. Received frames queue only while the tap is enabled. */
ZTX_API int ztx_tap_enable(uint64_t net_id, int enabled);
/* Sends a frame onto the network (a source MAC of 0 means this node's MAC on the network). */
ZTX_API int ztx_tap_write(uint64_t net_id, const void* frame, size_t len);
/* Waits up to timeout_ms (<0: forever) for a frame: ZTS_ERR_OK with *len set, or ZTS_ERR_NO_RESULT. */
ZTX_API int ztx_tap_read(uint64_t net_id, void* buf, size_t* len, int timeout_ms);

/* ---- network controller ------------------------------------------------------------------------
 * A node whose address is the top 40 bits of a network ID may act as that network's controller:
 * with a handler set, NETWORK_CONFIG_REQUESTs for such networks are handed to the application,
 * which decides and answers with ztx_controller_respond (a spec the core turns into a signed
 * config with its certificate of membership) or ztx_controller_respond_error. Requests not
 * answered within 10 s are forgotten (the member retries). */

#define ZTX_IP_STRING_LEN 46
#define ZTX_NC_ERR_NOT_FOUND 1
#define ZTX_NC_ERR_ACCESS_DENIED 2
#define ZTX_NC_ERR_UNSUPPORTED 3

typedef struct {
    uint64_t request_id;  /* pass back to ztx_controller_respond* */
    uint64_t network_id;
    uint64_t member_id;
    char identity[ZTX_IDENTITY_STRING_LEN]; /* the requester's public identity */
    char from[64];                           /* "ip/port" the request came from, or "" if relayed */
    const uint8_t* metadata;                 /* the request's metadata Dictionary */
    size_t metadata_len;
    uint64_t have_revision;  /* revision and timestamp of the config the member holds (0: none) */
    uint64_t have_timestamp;
} ztx_config_request_t;

/* Called on the node's event thread for each request; the struct is valid during the call only. */
typedef void (*ztx_controller_handler_t)(const ztx_config_request_t* request);
ZTX_API int ztx_controller_set_handler(ztx_controller_handler_t handler); /* NULL: stop controlling */

typedef struct {
    char ip[ZTX_IP_STRING_LEN];
    unsigned bits;
} ztx_managed_ip_t;

typedef struct {
    char target[ZTX_IP_STRING_LEN];
    unsigned bits;
    char via[ZTX_IP_STRING_LEN]; /* "" for an on-link route */
    uint16_t flags;
    uint16_t metric;
} ztx_managed_route_t;

typedef struct {
    uint32_t id;
    const uint8_t* rules; /* serialized rules (type, length, value ...) */
    size_t rules_len;
} ztx_capability_spec_t;

typedef struct {
    uint32_t id;
    uint32_t value;
} ztx_tag_spec_t;

/* Everything the controller decides for one member; the core adds the credentials and signs. */
typedef struct {
    uint64_t network_id;
    uint64_t member_id;
    uint64_t timestamp;                 /* ms; 0: now */
    uint64_t credential_time_max_delta; /* ms */
    uint64_t revision;
    int is_private;
    char name[128];
    unsigned mtu;
    uint32_t multicast_limit;
    uint64_t flags; /* 0x2 broadcast, 0x4 NDP emulation, 0x8 unsupported-match result */
    uint64_t remote_trace_target;
    int remote_trace_level;
    unsigned static_ip_count;
    ztx_managed_ip_t static_ips[32];
    unsigned route_count;
    ztx_managed_route_t routes[128];
    unsigned specialist_count;
    uint64_t specialists[256]; /* address | role bits (0x020000000000 active bridge, ...) */
    const uint8_t* rules;      /* serialized rules of the network */
    size_t rules_len;
    unsigned capability_count;
    ztx_capability_spec_t capabilities[128];
    unsigned tag_count;
    ztx_tag_spec_t tags[128];
    char dns_domain[128];
    unsigned dns_server_count;
    char dns_servers[4][ZTX_IP_STRING_LEN];
} ztx_netconf_spec_t;

ZTX_API int ztx_controller_respond(uint64_t request_id, const ztx_netconf_spec_t* spec);
ZTX_API int ztx_controller_respond_error(uint64_t request_id, int error);
/* An unsolicited NETWORK_CONFIG to a member (after the network or member changed). */
ZTX_API int ztx_controller_push(const ztx_netconf_spec_t* spec);
/* Revoke a member's certificate of membership (deauthorization): a signed revocation sent to the
 * given members so they stop accepting its frames at once. */
ZTX_API int ztx_controller_revoke(uint64_t network_id, uint64_t member_id, const uint64_t* notify, unsigned count);

/* ---- VL2 inspection: network configs, certificates, credentials, rules -------------------------
 * For tests, tools and a controller written in another language: the node's own parsers, builders
 * and rules engine over bytes. Functions producing JSON (one value, UTF-8 apart from bytes of names
 * that are not) size their output as ztx_wire_describe does: if out is too small, *out_len becomes
 * the size needed (terminating NUL included) and ZTS_ERR_ARG is returned. Other outputs: *out_len is
 * the capacity in, the size out. Rules in JSON are the objects of ZeroTier's controller REST API. */

#define ZTX_NETCONF_MAX_LEN 1048576 /* largest dictionary: a whole config */
#define ZTX_CONFIG_CHUNK_MAX_DATA 9740 /* dictionary bytes per signed chunk */
#define ZTX_CONFIG_CHUNK_MAX_LEN 9866  /* a whole chunk: header, data, trailer and signature */

/* A member's MAC on a network (first octet from the network ID, then the address XOR the ID), and
 * back to the 40-bit address. */
ZTX_API uint64_t ztx_mac_from_address(uint64_t network_id, uint64_t node_id);
ZTX_API uint64_t ztx_address_from_mac(uint64_t network_id, uint64_t mac);

/* A Dictionary (key=value lines, escaped values) as JSON [[key, value as hex], ...]. */
ZTX_API int ztx_dictionary_parse(const uint8_t* data, size_t len, char* out, size_t* out_len);

/* A network config dictionary as one JSON object: every field, rules decoded by type, the
 * certificate of membership, capabilities, tags, certificates of ownership, DNS and SSO. With a
 * controller identity (else NULL) every signed credential gets "signature_valid". */
ZTX_API int ztx_netconf_parse(const uint8_t* dict, size_t len, const ztx_identity* controller, char* out,
                              size_t* out_len);
/* Parses a config dictionary and writes it again as the node stores it. */
ZTX_API int ztx_netconf_reserialize(const uint8_t* dict, size_t len, uint8_t* out, size_t* out_len);
/* The config a controller sends a member, built and signed: COM, a certificate of ownership for the
 * static IPs, signed tags and capabilities. The controller must hold its private key and be the
 * network's (network_id >> 24); the member's address must be spec->member_id. Dictionary bytes. */
ZTX_API int ztx_netconf_build(const ztx_netconf_spec_t* spec, const ztx_identity* controller,
                              const ztx_identity* member, uint8_t* out, size_t* out_len);
/* The config a member of an ad-hoc network (top byte 0xff) gives itself, as dictionary bytes;
 * ZTS_ERR_ARG for an ID no such network has. */
ZTX_API int ztx_netconf_adhoc(uint64_t network_id, uint64_t node_id, uint64_t now, uint8_t* out, size_t* out_len);

/* Certificates of membership (the serialized form: 0x01, count, qualifiers, signer, signature). */
ZTX_API int ztx_com_parse(const uint8_t* com, size_t len, const ztx_identity* controller, char* out,
                          size_t* out_len);
/* 1 if signed by the network's controller (this identity), 0 if not. */
ZTX_API int ztx_com_verify(const uint8_t* com, size_t len, const ztx_identity* controller);
/* 1 if a peer holding `theirs`, whose identity is `their_identity`, may talk to us holding `mine`. */
ZTX_API int ztx_com_agrees(const uint8_t* mine, size_t mine_len, const uint8_t* theirs, size_t theirs_len,
                           const ztx_identity* their_identity);
/* The standard 7-qualifier certificate for a member, signed by the controller. */
ZTX_API int ztx_com_issue(uint64_t timestamp, uint64_t max_delta, uint64_t network_id, const ztx_identity* member,
                          const ztx_identity* controller, uint8_t* out, size_t* out_len);

/* NETWORK_CREDENTIALS payloads (COMs, capabilities, tags, revocations, certificates of ownership). */
ZTX_API int ztx_credentials_parse(const uint8_t* data, size_t len, const ztx_identity* controller, char* out,
                                  size_t* out_len);
ZTX_API int ztx_credentials_reserialize(const uint8_t* data, size_t len, uint8_t* out, size_t* out_len);

/* One serialized capability (as in a config's CAP or NETWORK_CREDENTIALS): 1 if its chain of custody
 * is valid (entry 0 from the network's controller, each later one from the previous holder, whose
 * identities are among holders), 0 if not. */
ZTX_API int ztx_capability_verify(const uint8_t* cap, size_t len, const ztx_identity* controller,
                                  const ztx_identity* const* holders, unsigned holder_count);
/* Hands a capability on: appends a custody entry from its holder `from` (with private key) to `to`. */
ZTX_API int ztx_capability_transfer(const uint8_t* cap, size_t len, const ztx_identity* from, uint64_t to,
                                    uint8_t* out, size_t* out_len);

/* Rules: the serialized form (type, length, value ...) as a JSON array, and back through the parser. */
ZTX_API int ztx_rules_parse(const uint8_t* rules, size_t len, char* out, size_t* out_len);
ZTX_API int ztx_rules_reserialize(const uint8_t* rules, size_t len, uint8_t* out, size_t* out_len);

#define ZTX_MAX_NETWORK_RULES 1024  /* rules in a network's table */
#define ZTX_MAX_CAPABILITY_RULES 64 /* rules in a capability */
#define ZTX_RULES_JSON_CONTROLLER 1 /* ztx_rules_from_json: read as a controller reads its REST API */

/* Rules given as a JSON array of REST API objects, serialized. By default each rule must be complete,
 * as ztx_rules_parse writes it ("UNKNOWN" types with their "typeId" and hex "value" included). With
 * ZTX_RULES_JSON_CONTROLLER, as ZeroTier's controller reads its REST API: an absent field takes
 * zerotier-one's default, and what a member could not receive as written is refused (ACTION_PRIORITY,
 * "UNKNOWN", a range ending below its start, an INTEGER_RANGE spanning more than 2^32 - 1 values).
 * At most max_rules rules. ZTS_ERR_ARG for bad input, ztx_error_message() naming the rule and field:
 * "rules[2].etherType: 65536 is out of range [0, 65535]". */
ZTX_API int ztx_rules_from_json(const char* json, size_t len, unsigned max_rules, int flags, uint8_t* out,
                                size_t* out_len);
/* The rule table as a JSON array, one object a type in type order: "type" (its name), "id", "action"
 * (a boolean), "alias" (another name it is read by, or null), "issued" (false for a type a controller
 * does not issue) and "fields" (the JSON keys of its value, in order). */
ZTX_API int ztx_rule_types(char* out, size_t* out_len);

#define ZTX_VERDICT_NO_MATCH 0 /* the table ended (or BROKE) without deciding */
#define ZTX_VERDICT_DROP 1
#define ZTX_VERDICT_ACCEPT 2
#define ZTX_VERDICT_SUPER_ACCEPT 3 /* accepted as a TEE/REDIRECT target, past addressing checks */

typedef struct {
    int type;          /* as in certificates of ownership: 1 MAC (first 6 bytes), 2 IPv4, 3 IPv6 */
    uint8_t value[16];
} ztx_owned_thing_t;

/* A frame as the rules see it. We are zt_dest when inbound, zt_source when outbound. */
typedef struct {
    uint64_t zt_source;
    uint64_t zt_dest;
    uint64_t mac_source;
    uint64_t mac_dest;
    uint16_t ethertype;
    uint16_t vlan_id;
    int inbound;
    uint64_t netconf_flags; /* 0x8: unsupported MATCH types match */
    const uint8_t* payload; /* after the ethertype */
    size_t payload_len;
    const ztx_tag_spec_t* sender_tags;
    unsigned sender_tag_count;
    const ztx_tag_spec_t* receiver_tags;
    unsigned receiver_tag_count;
    const ztx_owned_thing_t* sender_owns; /* what the sender's certificates of ownership list */
    unsigned sender_owns_count;
    /* Our network config (a dictionary) or NULL. Given, addresses in the network's 6PLANE /40 and
     * RFC4193 /88 count as the sender's own on inbound frames when the config emulates NDP and we
     * hold such an address ourselves, as a member judges them. */
    const uint8_t* config;
    size_t config_len;
} ztx_frame_t;

typedef struct {
    int verdict;            /* ZTX_VERDICT_* */
    uint64_t redirect_to;   /* 0: none */
    uint64_t tee_to;        /* TEE/WATCH copy target, 0: none */
    uint32_t tee_length;
    int watch;
    int qos_bucket;         /* ACTION_PRIORITY, -1: none */
    int capability;         /* ztx_rules_filter: index of the accepting capability, -1: none */
    uint64_t capability_tee_to;
    uint32_t capability_tee_length;
    int capability_watch;
} ztx_filter_result_t;

/* One rule table. */
ZTX_API int ztx_rules_evaluate(const uint8_t* rules, size_t len, const ztx_frame_t* frame, ztx_filter_result_t* out);
/* The whole decision: the network's rules, then the capabilities in order; never NO_MATCH. */
ZTX_API int ztx_rules_filter(const uint8_t* rules, size_t len, const ztx_capability_spec_t* capabilities,
                             unsigned capability_count, const ztx_frame_t* frame, ztx_filter_result_t* out);

/* Config chunks: the dictionary cut and signed as a controller sends it. out gets the chunks back
 * to back, lens[i] the size of chunk i; *count is the capacity of lens in, the number out. */
ZTX_API int ztx_config_chunks(const ztx_identity* controller, uint64_t network_id, uint64_t update_id,
                              const uint8_t* dict, size_t len, uint8_t* out, size_t* out_len, size_t* lens,
                              size_t* count);

#define ZTX_CONFIG_INCOMPLETE 0
#define ZTX_CONFIG_COMPLETE 1

/* A member's reassembly of chunks (3 updates in flight, duplicates ignored, signatures checked). */
typedef struct ztx_config_assembler ztx_config_assembler;
ZTX_API int ztx_config_assembler_new(ztx_config_assembler** out);
ZTX_API void ztx_config_assembler_free(ztx_config_assembler* a);
/* Feeds one chunk (the payload from the network ID on). ZTX_CONFIG_COMPLETE: the dictionary is in
 * out (which must hold ZTX_NETCONF_MAX_LEN bytes) and its update ID in *update_id. A rejected chunk
 * is ZTS_ERR_ARG with the reason. from_controller: the chunk came straight from the controller, the
 * only source an unsigned legacy config (update ID = packet_id) is accepted from. */
ZTX_API int ztx_config_assembler_add(ztx_config_assembler* a, const ztx_identity* controller, int from_controller,
                                     uint64_t packet_id, const uint8_t* chunk, size_t len, uint8_t* out,
                                     size_t* out_len, uint64_t* update_id);

/* Name resolution through lwIP's DNS client (the servers of zts_dns_set_server): the first address
 * of `name` (a numeric address as it is) of `family` (ZTS_AF_INET, ZTS_AF_INET6, or 0 for IPv4 then
 * IPv6) into *out. Blocks until an answer or the client's retries are spent. ZTS_ERR_OK;
 * ZTS_ERR_ARG; ZTS_ERR_SERVICE without a node; ZTS_ERR_SOCKET with zts_errno ZTS_EHOSTUNREACH when
 * no server answered with an address (ZTS_EINVAL for a name too long or empty). */
ZTX_API int ztx_dns_resolve(const char* name, int family, zts_ip_addr* out);

/* ---- readiness for event loops ----------------------------------------------------------------- */

/* An OS file descriptor (owned by libzt, closed with the socket) that polls readable and writable
 * exactly when socket fd does, level-triggered, for select/poll/epoll and event loops. Readiness
 * only: it carries no data, and must not be read, written or closed by the caller. Made on the first
 * call, the same one afterwards. Returns it, or ZTS_ERR_SOCKET (zts_errno EBADF, EMFILE, ...). */
ZTX_API int ztx_socket_readiness_fd(int fd);

/* ---- blocking calls with the caller's time limit ---------------------------------------------- */

/* How long a blocking call may wait, given per call instead of by SO_RCVTIMEO/SO_SNDTIMEO, for
 * bindings whose sockets keep their own timeouts (Python's settimeout). Fill timeout_ms and wake_ms,
 * set deadline_ms to 0, and pass the same structure to every call that makes up one operation (a
 * call resumed after ZTS_EINTR, the pieces of a send-all): the first call fixes deadline_ms, so the
 * time limit is the whole operation's and is kept by libzt's clock, whatever happens in between. */
typedef struct {
    int timeout_ms;      /* how long the operation may wait in all; negative: without limit */
    int wake_ms;         /* > 0: a call still waiting after this long returns ZTS_ERR_SOCKET with
                          * zts_errno ZTS_EINTR (its deadline unchanged), so that the caller can run
                          * its signal handlers and call again; 0 or negative: never */
    int64_t deadline_ms; /* kept by libzt: 0 before the first call, -1 for no limit */
} ztx_wait_t;

/* A receive flag beside ZTS_MSG_*, for zts_bsd_recv, _recvfrom, _recvmsg and their ztx_ forms below:
 * a datagram socket answers the datagram's whole length (copying what fits), as Linux's MSG_TRUNC
 * asks; a stream socket refuses it (ZTS_EOPNOTSUPP). ZTS_MSG_TRUNC is only a msg_flags bit on
 * return: as a flag its number is ZTS_MSG_OOB's. */
#define ZTX_MSG_TRUNC 0x40

/* zts_bsd_accept, _send, _sendto, _sendmsg, _recv, _recvfrom and _recvmsg with the time limit of
 * *wait instead of the socket's SO_RCVTIMEO/SO_SNDTIMEO (wait NULL: the socket's, the zts_bsd_* call
 * exactly). Results and errors are theirs; when the time runs out, ZTS_ERR_SOCKET with zts_errno
 * ZTS_EAGAIN, as for SO_RCVTIMEO. A non-blocking socket (or ZTS_MSG_DONTWAIT) does not wait. */
ZTX_API int ztx_accept(int fd, struct zts_sockaddr* addr, zts_socklen_t* addrlen, ztx_wait_t* wait);
ZTX_API ssize_t ztx_send(int fd, const void* buf, size_t len, int flags, ztx_wait_t* wait);
ZTX_API ssize_t ztx_sendto(int fd, const void* buf, size_t len, int flags, const struct zts_sockaddr* addr,
                           zts_socklen_t addrlen, ztx_wait_t* wait);
ZTX_API ssize_t ztx_sendmsg(int fd, const struct zts_msghdr* msg, int flags, ztx_wait_t* wait);
ZTX_API ssize_t ztx_recv(int fd, void* buf, size_t len, int flags, ztx_wait_t* wait);
ZTX_API ssize_t ztx_recvfrom(int fd, void* buf, size_t len, int flags, struct zts_sockaddr* addr,
                             zts_socklen_t* addrlen, ztx_wait_t* wait);
ZTX_API ssize_t ztx_recvmsg(int fd, struct zts_msghdr* msg, int flags, ztx_wait_t* wait);
/* Waits until socket fd polls ready for events (ZTS_POLLIN, ZTS_POLLOUT, ...) within *wait's limit
 * (NULL: the socket's SO_RCVTIMEO, or SO_SNDTIMEO when events has ZTS_POLLOUT): 1 ready, 0 when the
 * time ran out, else ZTS_ERR_SOCKET (ZTS_EINTR at the wake time, ZTS_EBADF when the socket was
 * closed meanwhile, ZTS_ENETDOWN when the node stopped). How a connect started on a non-blocking
 * socket is waited for. */
ZTX_API int ztx_socket_wait(int fd, short events, ztx_wait_t* wait);

/* ---- socket limits -------------------------------------------------------------------------------- */

typedef struct {
    int max_sockets;             /* sockets open at once in the process; zts_bsd_socket and
                                  * zts_bsd_accept fail with EMFILE beyond it */
    int open_sockets;            /* open now */
    uint64_t time_wait_recycled; /* TCP connections dropped from TIME_WAIT to free a local port for a
                                  * new one (every ephemeral port was held) */
    uint64_t time_wait;          /* TCP connections in TIME_WAIT now */
    uint64_t time_wait_reopened; /* TCP connections ended in TIME_WAIT by a new connection's SYN to a
                                  * listener (sequence number beyond the old one's, RFC 1122) */
} ztx_socket_limits_t;
/* Works whether or not the node runs. ZTS_ERR_ARG if out is NULL. */
ZTX_API int ztx_socket_get_limits(ztx_socket_limits_t* out);

#ifdef __cplusplus
}
#endif

#endif /* LIBZT_EXT_H */
