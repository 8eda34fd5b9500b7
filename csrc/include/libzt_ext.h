/* SPDX-License-Identifier: Apache-2.0
 *
 * libzt extensions: C functions beyond ZeroTier's ZeroTierSockets.h that the Python layer (and C
 * users who want them) need: identities as objects, signatures, key agreement, worlds.
 *
 * Conventions match ZeroTierSockets.h: functions return ZTS_ERR_OK (0) or a negative ZTS_ERR_* code.
 * On ZTS_ERR_ARG, ztx_error_message() says what was wrong with the input, in English, for the
 * calling thread. Nothing here keeps global state besides that message.
 */
#ifndef LIBZT_EXT_H
#define LIBZT_EXT_H

#include <stddef.h>
#include <stdint.h>

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

#ifdef __cplusplus
}
#endif

#endif /* LIBZT_EXT_H */
