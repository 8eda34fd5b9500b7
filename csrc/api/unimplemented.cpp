// SPDX-License-Identifier: Apache-2.0
//
// Placeholders for every zts_* function of ZeroTierSockets.h that has no real
// implementation yet, so the library links and C/Python callers get a clean
// failure instead of an undefined symbol. When an area is implemented, delete
// its block here; a definition left behind shows up as a duplicate symbol.
//
// What a placeholder returns:
//   - int / ssize_t:    ZTS_ERR_GENERAL ("a bug on our side" is the honest
//                       answer for a call we do not implement yet).
//   - size_t:           ZTS_ERR_GENERAL converted, as libzt reports errors
//                       through zts_get_data_available().
//   - uint64_t:         0, which callers already read as "no ID / no MAC".
//   - pointers:         NULL.
//   - void:             nothing.
//   - zts_ipaddr_aton:  0, its own failure value; a non-zero code would read
//                       as success.
// Socket calls (BSD, simplified, and name resolution) also set zts_errno to
// ZTS_ENOSYS, as callers of those look at zts_errno after a failure.
//
// Implemented elsewhere: zts_id_new, zts_id_pair_is_valid,
// zts_util_sign_root_set, zts_errno_location, zts_addr_compute_*,
// zts_net_compute_adhoc_id.

#include "ZeroTierSockets.h"

namespace {

int unimplemented()
{
    return ZTS_ERR_GENERAL;
}

int socket_unimplemented()
{
    zts_errno = ZTS_ENOSYS;
    return ZTS_ERR_GENERAL;
}

}  // namespace

extern "C" {

//---------------------------------------------------------------------------
// Node configuration (zts_init_*)
//---------------------------------------------------------------------------

int zts_init_set_tcp_relay(const char*, unsigned short) { return unimplemented(); }
int zts_init_allow_tcp_relay(int) { return unimplemented(); }
int zts_init_force_tcp_relay(int) { return unimplemented(); }
int zts_init_blacklist_if(const char*, unsigned int) { return unimplemented(); }
int zts_init_set_low_bandwidth_mode(int) { return unimplemented(); }
int zts_init_allow_secondary_port(unsigned int) { return unimplemented(); }
int zts_init_allow_port_mapping(unsigned int) { return unimplemented(); }

//---------------------------------------------------------------------------
// Node lifecycle and moons
//---------------------------------------------------------------------------

int zts_moon_orbit(uint64_t, uint64_t) { return unimplemented(); }
int zts_moon_deorbit(uint64_t) { return unimplemented(); }

//---------------------------------------------------------------------------
// Networks
//---------------------------------------------------------------------------


//---------------------------------------------------------------------------
// Addresses
//---------------------------------------------------------------------------


//---------------------------------------------------------------------------
// Routes
//---------------------------------------------------------------------------


//---------------------------------------------------------------------------
// Statistics
//---------------------------------------------------------------------------


//---------------------------------------------------------------------------
// BSD socket API
//---------------------------------------------------------------------------


//---------------------------------------------------------------------------
// Simplified socket API
//---------------------------------------------------------------------------

int zts_socket(int, int, int) { return socket_unimplemented(); }
int zts_connect(int, const char*, unsigned short, int) { return socket_unimplemented(); }
int zts_bind(int, const char*, unsigned short) { return socket_unimplemented(); }
int zts_listen(int, int) { return socket_unimplemented(); }
int zts_accept(int, char*, int, unsigned short*) { return socket_unimplemented(); }
ssize_t zts_send(int, const void*, size_t, int) { return socket_unimplemented(); }
ssize_t zts_recv(int, void*, size_t, int) { return socket_unimplemented(); }
ssize_t zts_read(int, void*, size_t) { return socket_unimplemented(); }
ssize_t zts_write(int, const void*, size_t) { return socket_unimplemented(); }
int zts_shutdown_rd(int) { return socket_unimplemented(); }
int zts_shutdown_wr(int) { return socket_unimplemented(); }
int zts_shutdown_rdwr(int) { return socket_unimplemented(); }
int zts_close(int) { return socket_unimplemented(); }
int zts_getpeername(int, char*, int, unsigned short*) { return socket_unimplemented(); }
int zts_getsockname(int, char*, int, unsigned short*) { return socket_unimplemented(); }
int zts_tcp_client(const char*, unsigned short) { return socket_unimplemented(); }
int zts_tcp_server(const char*, unsigned short, char*, int, unsigned short*) { return socket_unimplemented(); }
int zts_udp_server(const char*, unsigned short) { return socket_unimplemented(); }
int zts_udp_client(const char*) { return socket_unimplemented(); }
int zts_set_no_delay(int, int) { return socket_unimplemented(); }
int zts_get_no_delay(int) { return socket_unimplemented(); }
int zts_get_last_socket_error(int) { return socket_unimplemented(); }
size_t zts_get_data_available(int) { return static_cast<size_t>(socket_unimplemented()); }
int zts_get_pending_data_size(int) { return socket_unimplemented(); }
int zts_set_linger(int, int, int) { return socket_unimplemented(); }
int zts_get_linger_enabled(int) { return socket_unimplemented(); }
int zts_get_linger_value(int) { return socket_unimplemented(); }
int zts_set_reuse_addr(int, int) { return socket_unimplemented(); }
int zts_get_reuse_addr(int) { return socket_unimplemented(); }
int zts_set_recv_timeout(int, int, int) { return socket_unimplemented(); }
int zts_get_recv_timeout(int) { return socket_unimplemented(); }
int zts_set_send_timeout(int, int, int) { return socket_unimplemented(); }
int zts_get_send_timeout(int) { return socket_unimplemented(); }
int zts_set_send_buf_size(int, int) { return socket_unimplemented(); }
int zts_get_send_buf_size(int) { return socket_unimplemented(); }
int zts_set_recv_buf_size(int, int) { return socket_unimplemented(); }
int zts_get_recv_buf_size(int) { return socket_unimplemented(); }
int zts_set_ttl(int, int) { return socket_unimplemented(); }
int zts_get_ttl(int) { return socket_unimplemented(); }
int zts_set_blocking(int, int) { return socket_unimplemented(); }
int zts_get_blocking(int) { return socket_unimplemented(); }
int zts_set_keepalive(int, int) { return socket_unimplemented(); }
int zts_get_keepalive(int) { return socket_unimplemented(); }

//---------------------------------------------------------------------------
// Name resolution (DNS)
//---------------------------------------------------------------------------

struct zts_hostent* zts_bsd_gethostbyname(const char*)
{
    socket_unimplemented();
    return nullptr;
}
int zts_dns_set_server(uint8_t, const zts_ip_addr*) { return unimplemented(); }
const zts_ip_addr* zts_dns_get_server(uint8_t) { return nullptr; }

//---------------------------------------------------------------------------
// Core queries
//---------------------------------------------------------------------------


//---------------------------------------------------------------------------
// Utilities (zts_util_sign_root_set lives elsewhere)
//---------------------------------------------------------------------------

void zts_util_delay(unsigned long) {}
int zts_util_get_ip_family(const char*) { return unimplemented(); }
int zts_util_ipstr_to_saddr(const char*, unsigned short, struct zts_sockaddr*, zts_socklen_t*)
{
    return unimplemented();
}
int zts_util_ntop(struct zts_sockaddr*, zts_socklen_t, char*, int, unsigned short*) { return unimplemented(); }
char* zts_ipaddr_ntoa(const zts_ip_addr*) { return nullptr; }
int zts_ipaddr_aton(const char*, zts_ip_addr*) { return 0; }
const char* zts_inet_ntop(int, const void*, char*, zts_socklen_t) { return nullptr; }
int zts_inet_pton(int, const char*, void*) { return unimplemented(); }

}  // extern "C"
