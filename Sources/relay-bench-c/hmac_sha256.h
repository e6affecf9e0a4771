// HMAC-SHA256 for the relay baseline (see hmac_sha256.c).
#ifndef RELAY_HMAC_SHA256_H
#define RELAY_HMAC_SHA256_H
#include <stddef.h>
#include <stdint.h>

/// The 32-byte HMAC-SHA256 of `data` under `key`.
void hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t out[32]);

#endif
