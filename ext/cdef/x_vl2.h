/* VL2 inspection (see libzt_ext.h): configs, certificates, credentials, rules, config chunks. */
#define ZTX_NETCONF_MAX_LEN ...
#define ZTX_CONFIG_CHUNK_MAX_DATA ...
#define ZTX_CONFIG_CHUNK_MAX_LEN ...
uint64_t ztx_mac_from_address(uint64_t network_id, uint64_t node_id);
uint64_t ztx_address_from_mac(uint64_t network_id, uint64_t mac);
int ztx_dictionary_parse(const uint8_t* data, size_t len, char* out, size_t* out_len);
int ztx_netconf_parse(const uint8_t* dict, size_t len, const ztx_identity* controller, char* out, size_t* out_len);
int ztx_netconf_reserialize(const uint8_t* dict, size_t len, uint8_t* out, size_t* out_len);
int ztx_netconf_build(const ztx_netconf_spec_t* spec, const ztx_identity* controller, const ztx_identity* member, uint8_t* out, size_t* out_len);
int ztx_netconf_adhoc(uint64_t network_id, uint64_t node_id, uint64_t now, uint8_t* out, size_t* out_len);
int ztx_com_parse(const uint8_t* com, size_t len, const ztx_identity* controller, char* out, size_t* out_len);
int ztx_com_verify(const uint8_t* com, size_t len, const ztx_identity* controller);
int ztx_com_agrees(const uint8_t* mine, size_t mine_len, const uint8_t* theirs, size_t theirs_len, const ztx_identity* their_identity);
int ztx_com_issue(uint64_t timestamp, uint64_t max_delta, uint64_t network_id, const ztx_identity* member, const ztx_identity* controller, uint8_t* out, size_t* out_len);
int ztx_credentials_parse(const uint8_t* data, size_t len, const ztx_identity* controller, char* out, size_t* out_len);
int ztx_credentials_reserialize(const uint8_t* data, size_t len, uint8_t* out, size_t* out_len);
int ztx_capability_verify(const uint8_t* cap, size_t len, const ztx_identity* controller, const ztx_identity* const* holders, unsigned holder_count);
int ztx_capability_transfer(const uint8_t* cap, size_t len, const ztx_identity* from, uint64_t to, uint8_t* out, size_t* out_len);
int ztx_rules_parse(const uint8_t* rules, size_t len, char* out, size_t* out_len);
int ztx_rules_reserialize(const uint8_t* rules, size_t len, uint8_t* out, size_t* out_len);
#define ZTX_MAX_NETWORK_RULES ...
#define ZTX_MAX_CAPABILITY_RULES ...
#define ZTX_RULES_JSON_CONTROLLER ...
int ztx_rules_from_json(const char* json, size_t len, unsigned max_rules, int flags, uint8_t* out, size_t* out_len);
int ztx_rule_types(char* out, size_t* out_len);
#define ZTX_VERDICT_NO_MATCH ...
#define ZTX_VERDICT_DROP ...
#define ZTX_VERDICT_ACCEPT ...
#define ZTX_VERDICT_SUPER_ACCEPT ...
typedef struct {
    int type;
    uint8_t value[16];
} ztx_owned_thing_t;
typedef struct {
    uint64_t zt_source;
    uint64_t zt_dest;
    uint64_t mac_source;
    uint64_t mac_dest;
    uint16_t ethertype;
    uint16_t vlan_id;
    int inbound;
    uint64_t netconf_flags;
    const uint8_t* payload;
    size_t payload_len;
    const ztx_tag_spec_t* sender_tags;
    unsigned sender_tag_count;
    const ztx_tag_spec_t* receiver_tags;
    unsigned receiver_tag_count;
    const ztx_owned_thing_t* sender_owns;
    unsigned sender_owns_count;
    const uint8_t* config;
    size_t config_len;
} ztx_frame_t;
typedef struct {
    int verdict;
    uint64_t redirect_to;
    uint64_t tee_to;
    uint32_t tee_length;
    int watch;
    int qos_bucket;
    int capability;
    uint64_t capability_tee_to;
    uint32_t capability_tee_length;
    int capability_watch;
} ztx_filter_result_t;
int ztx_rules_evaluate(const uint8_t* rules, size_t len, const ztx_frame_t* frame, ztx_filter_result_t* out);
int ztx_rules_filter(const uint8_t* rules, size_t len, const ztx_capability_spec_t* capabilities, unsigned capability_count, const ztx_frame_t* frame, ztx_filter_result_t* out);
int ztx_config_chunks(const ztx_identity* controller, uint64_t network_id, uint64_t update_id, const uint8_t* dict, size_t len, uint8_t* out, size_t* out_len, size_t* lens, size_t* count);
#define ZTX_CONFIG_INCOMPLETE ...
#define ZTX_CONFIG_COMPLETE ...
typedef struct ztx_config_assembler ztx_config_assembler;
int ztx_config_assembler_new(ztx_config_assembler** out);
void ztx_config_assembler_free(ztx_config_assembler* a);
int ztx_config_assembler_add(ztx_config_assembler* a, const ztx_identity* controller, int from_controller, uint64_t packet_id, const uint8_t* chunk, size_t len, uint8_t* out, size_t* out_len, uint64_t* update_id);
