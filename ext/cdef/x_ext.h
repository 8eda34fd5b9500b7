/* libzt extensions (csrc/include/libzt_ext.h): identities, key pairs, worlds. */
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
