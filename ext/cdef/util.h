/* SPDX-License-Identifier: Apache-2.0 */
/* cffi declarations: utilities that need no node. */

int zts_util_sign_root_set(char* roots_out, unsigned int* roots_len, char* prev_key, unsigned int* prev_key_len,
                           char* curr_key, unsigned int* curr_key_len, uint64_t id, uint64_t ts,
                           zts_root_set_t* roots_spec);
void zts_util_delay(unsigned long milliseconds);
int zts_util_get_ip_family(const char* ipstr);
int zts_util_ipstr_to_saddr(const char* src_ipstr, unsigned short port, struct zts_sockaddr* dstaddr,
                            zts_socklen_t* addrlen);
int zts_util_ntop(struct zts_sockaddr* addr, zts_socklen_t addrlen, char* dst_str, int len, unsigned short* port);
char* zts_ipaddr_ntoa(const zts_ip_addr* addr);
int zts_ipaddr_aton(const char* cp, zts_ip_addr* addr);
const char* zts_inet_ntop(int family, const void* src, char* dst, zts_socklen_t size);
int zts_inet_pton(int family, const char* src, void* dst);
