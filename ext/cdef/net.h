/* SPDX-License-Identifier: Apache-2.0 */
/* cffi declarations: networks and their routes. */

uint64_t zts_net_compute_adhoc_id(uint16_t start_port, uint16_t end_port);
int zts_net_join(uint64_t net_id);
int zts_net_leave(uint64_t net_id);
int zts_net_transport_is_ready(const uint64_t net_id);
uint64_t zts_net_get_mac(uint64_t net_id);
int zts_net_get_mac_str(uint64_t net_id, char* dst, unsigned int len);
int zts_net_get_broadcast(uint64_t net_id);
int zts_net_get_mtu(uint64_t net_id);
int zts_net_get_name(uint64_t net_id, char* dst, unsigned int len);
int zts_net_get_status(uint64_t net_id);
int zts_net_get_type(uint64_t net_id);
int zts_route_is_assigned(uint64_t net_id, unsigned int family);
