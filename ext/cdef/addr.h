/* SPDX-License-Identifier: Apache-2.0 */
/* cffi declarations: addresses assigned to this node, and the IPv6
 * addresses derived from (network, node). */

int zts_addr_is_assigned(uint64_t net_id, unsigned int family);
int zts_addr_get(uint64_t net_id, unsigned int family, struct zts_sockaddr_storage* addr);
int zts_addr_get_str(uint64_t net_id, unsigned int family, char* dst, unsigned int len);
int zts_addr_get_all(uint64_t net_id, struct zts_sockaddr_storage* addr, unsigned int* count);
int zts_addr_compute_6plane(const uint64_t net_id, const uint64_t node_id, struct zts_sockaddr_storage* addr);
int zts_addr_compute_rfc4193(const uint64_t net_id, const uint64_t node_id, struct zts_sockaddr_storage* addr);
int zts_addr_compute_rfc4193_str(uint64_t net_id, uint64_t node_id, char* dst, unsigned int len);
int zts_addr_compute_6plane_str(uint64_t net_id, uint64_t node_id, char* dst, unsigned int len);
