/* fuzz_common: the input as a file, for parsers that only take a path. */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	static char dir[256], path[512];
	if (!dir[0]) {
		/* scripts/fuzz names a scratch folder it removes afterwards. */
		const char *base = getenv("TONEWIRE_FUZZ_TMP");
		if (!base || !*base)
			base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		snprintf(dir, sizeof(dir), "%s/tonewire-fuzz-%ld", base, (long)getpid());
		mkdir(dir, 0700);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		perror(path);
		abort();
	}
	return path;
}

void fuzz_check_err(const char *err, size_t max, int rc)
{
	if (rc >= 0)
		return;
	if (!memchr(err, '\0', max) || !err[0]) {
		fprintf(stderr, "fuzz: error %d without a message\n", rc);
		abort();
	}
}
