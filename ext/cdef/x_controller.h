
/* network controller (see libzt_ext.h) */
#define ZTX_IP_STRING_LEN ...
#define ZTX_NC_ERR_NOT_FOUND ...
#define ZTX_NC_ERR_ACCESS_DENIED ...
#define ZTX_NC_ERR_UNSUPPORTED ...
typedef struct {
    uint64_t request_id;
    uint64_t network_id;
    uint64_t member_id;
    char identity[384];
    char from[64];
    const uint8_t* metadata;
    size_t metadata_len;
    uint64_t have_revision;
    uint64_t have_timestamp;
} ztx_config_request_t;
typedef void (*ztx_controller_handler_t)(const ztx_config_request_t* request);
int ztx_controller_set_handler(ztx_controller_handler_t handler);
typedef struct { char ip[46]; unsigned bits; } ztx_managed_ip_t;
typedef struct { char target[46]; unsigned bits; char via[46]; uint16_t flags; uint16_t metric; } ztx_managed_route_t;
typedef struct { uint32_t id; const uint8_t* rules; size_t rules_len; } ztx_capability_spec_t;
typedef struct { uint32_t id; uint32_t value; } ztx_tag_spec_t;
typedef struct {
    uint64_t network_id;
    uint64_t member_id;
    uint64_t timestamp;
    uint64_t credential_time_max_delta;
    uint64_t revision;
    int is_private;
    char name[128];
    unsigned mtu;
    uint32_t multicast_limit;
    uint64_t flags;
    uint64_t remote_trace_target;
    int remote_trace_level;
    unsigned static_ip_count;
    ztx_managed_ip_t static_ips[32];
    unsigned route_count;
    ztx_managed_route_t routes[128];
    unsigned specialist_count;
    uint64_t specialists[256];
    const uint8_t* rules;
    size_t rules_len;
    unsigned capability_count;
    ztx_capability_spec_t capabilities[128];
    unsigned tag_count;
    ztx_tag_spec_t tags[128];
    char dns_domain[128];
    unsigned dns_server_count;
    char dns_servers[4][46];
} ztx_netconf_spec_t;
int ztx_controller_respond(uint64_t request_id, const ztx_netconf_spec_t* spec);
int ztx_controller_respond_error(uint64_t request_id, int error);
int ztx_controller_push(const ztx_netconf_spec_t* spec);
int ztx_controller_revoke(uint64_t network_id, uint64_t member_id, const uint64_t* notify, unsigned count);
