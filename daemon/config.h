/* config: tonewired's INI configuration, parsed once into a const struct (or the demo defaults). */
#ifndef TONEWIRE_CONFIG_H
#define TONEWIRE_CONFIG_H

#include <stddef.h>

#define CONFIG_ERR_MAX 256
#define CONFIG_PATH_MAX 512

struct config_station {
	char device[CONFIG_PATH_MAX];     /* ALSA PCM (playback_device too); "" = the demo scenario */
	char capture_device[CONFIG_PATH_MAX];   /* a separate ADC; "" = device is both */
	char interface[CONFIG_PATH_MAX];  /* interface profile; "" = recognised from the card, "none" = no mixer */
	char jig[CONFIG_PATH_MAX];        /* "" = the scenario's jig (simulator only) */
	char cable[CONFIG_PATH_MAX];      /* default cable of POST /api/v1/tests; "" = none */
	char scenario[CONFIG_PATH_MAX];   /* demo scenario name when device is "" */
	char demo_dir[CONFIG_PATH_MAX];   /* scenarios offered by GET /api/v1/demo */
	unsigned rate, period, periods, windows;
	int trigger_auto;                 /* trigger = auto: test when a cable goes in */
	unsigned debounce_ms;             /* how long an insertion or removal must hold */
	int queue_scans;                  /* a scan while the jig is busy waits its turn (1, default) or is refused */
};

struct config_http {
	char address[64];                 /* numeric IPv4/IPv6 */
	unsigned port;                    /* 0 = any free port (logged) */
	char token[128];                  /* bearer token; required off loopback */
	char hosts[512];                  /* extra names the daemon answers to, space separated */
	char web_root[CONFIG_PATH_MAX];
	size_t max_body;                  /* bytes */
	unsigned max_clients;             /* SSE clients */
};

struct config_store {
	char path[CONFIG_PATH_MAX];       /* SQLite database */
	char capture_dir[CONFIG_PATH_MAX];
	unsigned retention;               /* captures kept, oldest removed first; 0 = keep none */
};

struct config {
	char file[CONFIG_PATH_MAX];       /* "" = no file: the demo */
	struct config_station station;
	struct config_http http;
	struct config_store store;
	char profiles[CONFIG_PATH_MAX];   /* extra profile folder, "" = none */
};

/* Fill c with the defaults (the demo: simulated jig, 127.0.0.1:8640, a state
 * folder from $STATE_DIRECTORY or ~/.local/state/tonewire). */
void config_defaults(struct config *c);

/* Defaults, then the file at path (read by the INI reader every file
 * shares, ini.h: a directory or a device such as /dev/null is refused).
 * Paths in the file are taken relative to its folder. Returns 0, or
 * -EINVAL / -ENOENT with one message "file:line: key: what is wrong" in err. */
int config_load(const char *path, struct config *c, char err[CONFIG_ERR_MAX]);

/* 1 when address (numeric) is a loopback address. */
int config_is_loopback(const char *address);

#endif
