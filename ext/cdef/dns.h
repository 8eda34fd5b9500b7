/* SPDX-License-Identifier: Apache-2.0 */
/* cffi declarations: name resolution over the virtual network. */

struct zts_hostent* zts_bsd_gethostbyname(const char* name);
int zts_dns_set_server(uint8_t index, const zts_ip_addr* addr);
const zts_ip_addr* zts_dns_get_server(uint8_t index);
int ztx_dns_resolve(const char* name, int family, zts_ip_addr* out);
