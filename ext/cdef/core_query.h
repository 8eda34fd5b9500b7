/* SPDX-License-Identifier: Apache-2.0 */
/* cffi declarations: core queries. Hold the core lock across a count call
 * and the indexed calls that follow it. */

int zts_core_lock_obtain(void);
int zts_core_lock_release(void);
int zts_core_query_addr_count(uint64_t net_id);
int zts_core_query_addr(uint64_t net_id, unsigned int idx, char* addr, unsigned int len);
int zts_core_query_route_count(uint64_t net_id);
int zts_core_query_route(uint64_t net_id, unsigned int idx, char* target, char* via, unsigned int len,
                         uint16_t* flags, uint16_t* metric);
int zts_core_query_path_count(uint64_t peer_id);
int zts_core_query_path(uint64_t peer_id, unsigned int idx, char* dst, unsigned int len);
int zts_core_query_mc_count(uint64_t net_id);
int zts_core_query_mc(uint64_t net_id, unsigned int idx, uint64_t* mac, uint32_t* adi);
