/* SPDX-License-Identifier: Apache-2.0 */
/* cffi declarations: node configuration, accepted only before
 * zts_node_start(). */

int zts_init_from_storage(const char* path);
int zts_init_from_memory(const char* key, unsigned int len);
int zts_init_set_event_handler(void (*callback)(void*));
int zts_init_set_tcp_relay(const char* tcp_relay_addr, unsigned short tcp_relay_port);
int zts_init_allow_tcp_relay(int enabled);
int zts_init_force_tcp_relay(int enabled);
int zts_init_blacklist_if(const char* prefix, unsigned int len);
int zts_init_set_roots(const void* roots_data, unsigned int len);
int zts_init_set_low_bandwidth_mode(int enabled);
int zts_init_set_port(unsigned short port);
int zts_init_set_random_port_range(unsigned short start_port, unsigned short end_port);
int zts_init_allow_secondary_port(unsigned int allowed);
int zts_init_allow_port_mapping(unsigned int allowed);
int zts_init_allow_net_cache(unsigned int allowed);
int zts_init_allow_peer_cache(unsigned int allowed);
int zts_init_allow_roots_cache(unsigned int allowed);
int zts_init_allow_id_cache(unsigned int allowed);
