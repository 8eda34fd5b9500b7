/* SPDX-License-Identifier: Apache-2.0 */
/* cffi declarations: identities (usable without a node). */

int zts_id_new(char* key, unsigned int* key_buf_len);
int zts_id_pair_is_valid(const char* key, unsigned int len);
