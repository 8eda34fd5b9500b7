/* libzt extensions (csrc/include/libzt_ext.h): identities, key pairs, worlds, the wire inspector. */
#define ZTX_PUBLIC_KEY_LEN ...
#define ZTX_PRIVATE_KEY_LEN ...
#define ZTX_KEY_PAIR_LEN ...
#define ZTX_SIGNATURE_LEN ...
#define ZTX_SYMMETRIC_KEY_LEN ...
#define ZTX_IDENTITY_STRING_LEN ...
#define ZTX_IDENTITY_BINARY_MAX_LEN ...
#define ZTX_WORLD_MAX_ROOTS ...
#define ZTX_WORLD_MAX_ENDPOINTS ...
#define ZTX_ENDPOINT_STRING_LEN ...
#define ZTX_WORLD_MAX_LEN ...

const char* ztx_error_message(void);

typedef struct ztx_identity ztx_identity;
int ztx_identity_generate(unsigned threads, ztx_identity** out);
int ztx_identity_from_string(const char* text, size_t len, ztx_identity** out);
int ztx_identity_from_bytes(const void* data, size_t len, ztx_identity** out);
void ztx_identity_free(ztx_identity* id);
uint64_t ztx_identity_address(const ztx_identity* id);
int ztx_identity_has_private(const ztx_identity* id);
int ztx_identity_to_string(const ztx_identity* id, int include_private, char* buf, size_t* len);
int ztx_identity_to_bytes(const ztx_identity* id, int include_private, uint8_t* buf, size_t* len);
int ztx_identity_public_key(const ztx_identity* id, uint8_t out[64]);
int ztx_identity_validate(const ztx_identity* id);
int ztx_identity_sign(const ztx_identity* id, const void* msg, size_t len, uint8_t sig[96]);
int ztx_identity_verify(const ztx_identity* id, const void* msg, size_t len, const uint8_t* sig, size_t sig_len);
int ztx_identity_agree(const ztx_identity* self, const ztx_identity* peer, uint8_t key[48]);

int ztx_keypair_generate(uint8_t pair[128]);
int ztx_keypair_check(const uint8_t pair[128]);
int ztx_keypair_sign(const uint8_t pair[128], const void* msg, size_t len, uint8_t sig[96]);
int ztx_signature_verify(const uint8_t pub[64], const void* msg, size_t len, const uint8_t* sig, size_t sig_len);

typedef struct {
    char identity[384];
    unsigned endpoint_count;
    char endpoints[32][56];
} ztx_world_root_t;

typedef struct {
    int type;
    uint64_t id;
    uint64_t timestamp;
    uint8_t update_key[64];
    uint8_t signature[96];
    unsigned root_count;
    ztx_world_root_t roots[4];
} ztx_world_t;

int ztx_world_parse(const void* data, size_t len, ztx_world_t* out);
int ztx_world_serialize(const ztx_world_t* world, uint8_t* buf, size_t* len);
int ztx_world_sign(ztx_world_t* world, const uint8_t signer[128]);
int ztx_world_verify(const ztx_world_t* world, const uint8_t pub[64]);
int ztx_world_should_be_replaced_by(const ztx_world_t* current, const ztx_world_t* update);
int ztx_world_default_planet(uint8_t* buf, size_t* len);

#define ZTX_WIRE_MAX_PACKET_LEN ...
#define ZTX_WIRE_MAX_FRAGMENTS ...
#define ZTX_WIRE_MIN_MTU ...
#define ZTX_WIRE_SUITE_POLY1305 ...
#define ZTX_WIRE_SUITE_SALSA2012_POLY1305 ...
#define ZTX_WIRE_SUITE_AES_GMAC_SIV ...
#define ZTX_WIRE_ARMOR_COMPRESS ...
#define ZTX_WIRE_FORMAT_TEXT ...
#define ZTX_WIRE_FORMAT_JSON ...
#define ZTX_DATAGRAM_INVALID ...
#define ZTX_DATAGRAM_BEACON ...
#define ZTX_DATAGRAM_FRAGMENT ...
#define ZTX_DATAGRAM_PACKET ...
#define ZTX_DEFRAG_INCOMPLETE ...
#define ZTX_DEFRAG_COMPLETE ...
#define ZTX_DEFRAG_DROPPED ...

int ztx_wire_kbkdf(const uint8_t key[48], char label, uint8_t out[48]);
int ztx_wire_armor(const uint8_t key[48], int suite, int options, size_t mtu, const uint8_t* packet, size_t len,
                   uint8_t* out, size_t* out_len);
int ztx_wire_dearmor(const uint8_t key[48], const uint8_t* packet, size_t len, uint8_t* out, size_t* out_len);
int ztx_wire_fragment(const uint8_t* armored, size_t len, size_t mtu, uint8_t* out, size_t* out_len,
                      size_t lens[7], size_t* count);
int ztx_wire_classify(const uint8_t* datagram, size_t len);
int ztx_wire_describe(const uint8_t* key, const uint8_t* datagram, size_t len, int format, char* out,
                      size_t* out_len);
int ztx_wire_reencode(const uint8_t* key, const uint8_t* packet, size_t len, uint8_t* out, size_t* out_len);

typedef struct ztx_defrag ztx_defrag;
int ztx_defrag_new(ztx_defrag** out);
void ztx_defrag_free(ztx_defrag* d);
int ztx_defrag_add(ztx_defrag* d, const uint8_t* datagram, size_t len, int64_t now, uint8_t* out, size_t* out_len);
int ztx_defrag_expire(ztx_defrag* d, int64_t now);
int ztx_defrag_in_progress(const ztx_defrag* d);
#define ZTX_EVENT_USER_MESSAGE ...
#define ZTX_EVENT_ECHO_REPLY ...
typedef struct {
    uint64_t peer_id;
    uint64_t type;
    const uint8_t* data;
    size_t len;
} ztx_user_message_t;
typedef struct {
    uint64_t peer_id;
    int rtt_ms;
    const uint8_t* data;
    size_t len;
} ztx_echo_reply_t;
int ztx_init_reset(void);
int ztx_init_allow_loopback_paths(int allowed);
int ztx_init_set_peer_limits(int64_t idle_timeout_ms, uint64_t max_peers);
int ztx_init_set_protocol_version(int version);
int ztx_node_send_user_message(uint64_t peer_id, uint64_t type, const void* data, size_t len);
int ztx_node_ping(uint64_t peer_id, const void* data, size_t len);
int ztx_node_get_peers(zts_peer_info_t* out, unsigned* count);
typedef struct {
    uint64_t rx_datagrams, rx_packets, tx_datagrams, tx_packets, relayed, junk;
    uint64_t drop_malformed, drop_auth, drop_unknown_peer, drop_rate_limited, drop_unexpected;
    uint64_t drop_path, drop_relay, drop_fragment, drop_queue_full, drop_oversized, send_errors;
    uint64_t rx_suite[4];
    uint64_t tx_suite[4];
    uint64_t frames_in, frames_out;
    uint64_t frames_dropped;
    uint64_t peers, peer_bytes, peers_expired, peers_refused, whois_sent, rendezvous_sent;
    uint64_t udp_offload_sent, udp_offload_received;
} ztx_node_stats_t;
int ztx_node_get_stats(ztx_node_stats_t* out);
int ztx_events_wait_idle(int timeout_ms);
int ztx_node_get_ports(unsigned short* primary, unsigned short* secondary, unsigned short* mapping);
int ztx_node_get_port_mapping(char* addr, unsigned addr_len, char* method, unsigned method_len);
int ztx_init_set_port_mapping_refresh(unsigned int ms);
int ztx_init_set_tcp_relay_after(unsigned int ms);
int ztx_init_set_secondary_port_rebind_after(unsigned int ms);
int ztx_node_tcp_relay_active(void);
int ztx_tap_enable(uint64_t net_id, int enabled);
int ztx_tap_write(uint64_t net_id, const void* frame, size_t len);
int ztx_tap_read(uint64_t net_id, void* buf, size_t* len, int timeout_ms);
int ztx_net_get_info(uint64_t net_id, zts_net_info_t* out);
int ztx_net_list(uint64_t* ids, unsigned* count);
#define ZTX_MAX_DNS_SERVERS ...
#define ZTX_DNS_DOMAIN_LEN ...
typedef struct {
    char domain[...];
    struct zts_sockaddr_storage server_addr[...];
    unsigned server_count;
} ztx_net_dns_t;
int ztx_net_get_dns(uint64_t net_id, ztx_net_dns_t* out);

int ztx_socket_readiness_fd(int fd);
typedef struct {
    int max_sockets;
    int open_sockets;
    uint64_t time_wait_recycled;
    uint64_t time_wait;
    uint64_t time_wait_reopened;
} ztx_socket_limits_t;
int ztx_socket_get_limits(ztx_socket_limits_t* out);
typedef struct {
    int timeout_ms;
    int wake_ms;
    int64_t deadline_ms;
} ztx_wait_t;
#define ZTX_MSG_TRUNC ...
int ztx_accept(int fd, struct zts_sockaddr* addr, zts_socklen_t* addrlen, ztx_wait_t* wait);
ssize_t ztx_send(int fd, const void* buf, size_t len, int flags, ztx_wait_t* wait);
ssize_t ztx_sendto(int fd, const void* buf, size_t len, int flags, const struct zts_sockaddr* addr,
                   zts_socklen_t addrlen, ztx_wait_t* wait);
ssize_t ztx_sendmsg(int fd, const struct zts_msghdr* msg, int flags, ztx_wait_t* wait);
ssize_t ztx_recv(int fd, void* buf, size_t len, int flags, ztx_wait_t* wait);
ssize_t ztx_recvfrom(int fd, void* buf, size_t len, int flags, struct zts_sockaddr* addr,
                     zts_socklen_t* addrlen, ztx_wait_t* wait);
ssize_t ztx_recvmsg(int fd, struct zts_msghdr* msg, int flags, ztx_wait_t* wait);
int ztx_socket_wait(int fd, short events, ztx_wait_t* wait);
