/* SPDX-License-Identifier: Apache-2.0 */
/* cffi declarations: TCP/IP stack counters. */

int zts_stats_get_all(zts_stats_counter_t* dst);
