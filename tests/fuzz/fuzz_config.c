/* fuzz_config: tonewired's configuration parser (daemon/config.c) on arbitrary files. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("tonewired.conf", data, size);
	struct config *c = calloc(1, sizeof(*c));
	char err[CONFIG_ERR_MAX];
	memset(err, 0, sizeof(err));
	int rc = config_load(path, c, err);
	fuzz_check_err(err, sizeof(err), rc);
	if (rc == 0) {
		/* Every string the daemon later prints or opens is terminated. */
		if (!memchr(c->station.device, 0, sizeof(c->station.device)) ||
		    !memchr(c->http.address, 0, sizeof(c->http.address)) ||
		    !memchr(c->http.token, 0, sizeof(c->http.token)) ||
		    !memchr(c->store.path, 0, sizeof(c->store.path)) || c->http.port > 65535 ||
		    c->http.max_body < 1024)
			abort();
	}
	free(c);
	return 0;
}
