/* fuzz_common: what the file-parser fuzz targets share — the input written to a file of its own under /dev/shm. */
#ifndef TONEWIRE_FUZZ_COMMON_H
#define TONEWIRE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Write data to a per-process file named name (e.g. "x.conf") in a private
 * folder under $TONEWIRE_FUZZ_TMP, else /dev/shm, and return its path (static storage,
 * valid until the next call). Aborts when the file cannot be written: a
 * fuzz run that tests nothing must not look clean. */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

/* Abort unless err holds a message: every refusal must say why. */
void fuzz_check_err(const char *err, size_t max, int rc);

#endif
