/* profile_hash: SHA-256 (FIPS 180-4), and the fingerprint of the cable and jig definitions a test used. */
#ifndef TONEWIRE_PROFILE_HASH_H
#define TONEWIRE_PROFILE_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "profiles.h"

#define PROFILE_HASH_HEX 65   /* 64 hex digits and the NUL */

/* An incremental SHA-256; plain data, no allocation. */
struct sha256 {
	uint32_t h[8];
	uint64_t bytes;             /* message length so far */
	unsigned char block[64];
	size_t fill;                /* bytes waiting in block */
};

/* Start a digest. */
void sha256_init(struct sha256 *s);
/* Feed len bytes of data (any length, any number of times). */
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* The digest of everything given to update; s must be initialised again after. */
void sha256_final(struct sha256 *s, unsigned char digest[32]);
/* Lower-case hex of a 32-byte digest into hex (65 bytes with the NUL). */
void sha256_hex(const unsigned char digest[32], char hex[PROFILE_HASH_HEX]);

/* The fingerprint of a test's definitions: SHA-256 over the files as they
 * are now on disk, in this order — the jig, the cable, the connectors of
 * the jig's socket A and socket B, then those of the cable's end A and end
 * B (plug by plug) — each file fed as "<kind> <size>\n" followed by its
 * bytes (kind: jig, cable or connector). docs/line-database.md shows how to
 * recompute it with sha256sum. 0, or -errno when a file cannot be read (hex
 * is then ""). */
int profile_hash(const struct tw_jig *jig, const struct tw_cable *cable, char hex[PROFILE_HASH_HEX]);

#endif
