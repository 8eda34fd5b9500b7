/* SPDX-License-Identifier: Apache-2.0 */
/* cffi declarations: node lifecycle and moons. */

int zts_node_start(void);
int zts_node_is_online(void);
uint64_t zts_node_get_id(void);
int zts_node_get_id_pair(char* key, unsigned int* key_dst_len);
int zts_node_get_port(void);
int zts_node_stop(void);
int zts_node_free(void);
int zts_moon_orbit(uint64_t moon_roots_id, uint64_t moon_seed);
int zts_moon_deorbit(uint64_t moon_roots_id);
