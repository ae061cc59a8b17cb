/* tonewired: the bench daemon — starts the station's modules in order, serves until SIGTERM, stops them in reverse. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "clock.h"
#include "config.h"
#include "demo.h"
#include "engine.h"
#include "events.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "profiles.h"
#include "runner.h"
#include "scenario.h"
#include "store.h"

#define EXIT_CONFIG 2     /* bad configuration or command line */
#define EXIT_START 1      /* a module could not start */

static void usage(FILE *out)
{
	fprintf(out,
	"usage: tonewired [--config FILE] [--check-config] [--routes]\n"
	"\n"
	"The tonewire bench daemon: runs cable tests on the jig's audio interface and\n"
	"serves the HTTP API (docs/openapi.json) and the dashboard.\n"
	"\n"
	"  -c, --config FILE   INI configuration ([station], [http], [store], [profiles]);\n"
	"                      without one it runs the demo: the simulated jig with a\n"
	"                      straight cable on http://127.0.0.1:8640/\n"
	"      --check-config  check the configuration and profiles, then exit\n"
	"      --routes        print the HTTP API's routes (METHOD PATH), then exit\n"
	"  -V, --version       print the version\n"
	"  -h, --help          this help\n");
}

/* Everything the daemon runs, in start order. */
struct daemon_state {
	struct config cfg;
	struct profiles prof;
	struct tw_jig *jig;
	struct tw_interface *iface;        /* [station] interface, NULL: recognised from the card */
	char device[CONFIG_PATH_MAX + 16];
	char cable[CONFIG_PATH_MAX];
	store *st;
	metrics *mx;
	engine *en;
	events *ev;
	runner *rn;
	http *web;
};

/* The demo scenario: the one named in the configuration, else a straight
 * cable, else the first scenario of the demo folder. */
static int demo_scenario(const struct config *c, char *path, size_t len, char err[CONFIG_ERR_MAX])
{
	if (demo_find(c->station.demo_dir, c->station.scenario, path, len) == 0 ||
	    demo_find_prefix(c->station.demo_dir, "straight", path, len) == 0)
		return 0;
	snprintf(err, CONFIG_ERR_MAX, "no demo scenario '%.60s' in %.120s (set [station] device, or scenario/demo_dir)",
	         c->station.scenario, c->station.demo_dir);
	return -ENOENT;
}

/* The cable a POST without one tests: configured, else the scenario's own
 * ("; cable:" line), else, for the demo only, the first profile that fits. */
static void default_cable(struct daemon_state *s, const char *scenario, int demo)
{
	struct demo_info info;
	if (s->cfg.station.cable[0]) {
		snprintf(s->cable, sizeof(s->cable), "%s", s->cfg.station.cable);
		return;
	}
	if (scenario && demo_info_read(scenario, &info) == 0 && info.cable[0]) {
		snprintf(s->cable, sizeof(s->cable), "%s", info.cable);
		return;
	}
	if (!demo)
		return;
	enum { MAXP = 128 };
	char (*names)[PROFILE_NAME_MAX] = calloc(MAXP, PROFILE_NAME_MAX);
	struct tw_cable *cab = calloc(1, sizeof(*cab));
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct wiring *w = calloc(1, sizeof(*w));
	char err[PROFILE_ERR_MAX];
	if (names && cab && fx && w) {
		unsigned n = profiles_list(&s->prof, PROFILE_CABLE, names, MAXP);
		for (unsigned i = 0; i < n; i++) {
			if (profiles_load_cable(&s->prof, names[i], cab, err) == 0 &&
			    profiles_fixture(s->jig, cab, fx, w, err) == 0) {
				snprintf(s->cable, sizeof(s->cable), "%s", cab->name);
				break;
			}
		}
	}
	free(names);
	free(cab);
	free(fx);
	free(w);
}

/* Check the configuration against the profiles: the jig and the default
 * cable must load and fit, before anything starts. */
static int prepare(struct daemon_state *s, char err[CONFIG_ERR_MAX])
{
	char scenario[CONFIG_PATH_MAX], jig[CONFIG_PATH_MAX], perr[PROFILE_ERR_MAX];
	int demo = !s->cfg.station.device[0];

	/* Before any thread: the simulator plugin finds the profiles through the environment. */
	if (profiles_export(s->cfg.profiles, perr) < 0) {
		snprintf(err, CONFIG_ERR_MAX, "[profiles] path: %.230s", perr);
		return -EINVAL;
	}
	profiles_init(&s->prof, s->cfg.profiles[0] ? s->cfg.profiles : NULL);
	if (demo) {
		if (demo_scenario(&s->cfg, scenario, sizeof(scenario), err) < 0)
			return -ENOENT;
		snprintf(s->device, sizeof(s->device), "tonewire_sim:%s", scenario);
	} else {
		snprintf(s->device, sizeof(s->device), "%s", s->cfg.station.device);
	}
	int sim = demo_scenario_path(s->device, scenario, sizeof(scenario));
	if (s->cfg.station.jig[0]) {
		snprintf(jig, sizeof(jig), "%s", s->cfg.station.jig);
	} else if (!sim) {
		snprintf(err, CONFIG_ERR_MAX, "%.150s: [station] jig is required (only a simulator scenario names its own)",
		         s->cfg.file[0] ? s->cfg.file : "configuration");
		return -EINVAL;
	} else if (scenario_jig(scenario, jig, sizeof(jig), perr) < 0) {
		snprintf(err, CONFIG_ERR_MAX, "[station] device: %.230s", perr);
		return -EINVAL;
	}
	s->jig = calloc(1, sizeof(*s->jig));
	if (!s->jig) {
		snprintf(err, CONFIG_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	if (profiles_load_jig(&s->prof, jig, s->jig, perr) < 0) {
		snprintf(err, CONFIG_ERR_MAX, "jig: %.240s", perr);
		return -EINVAL;
	}
	const char *ifname = s->cfg.station.interface;
	if (ifname[0] && strcmp(ifname, "none") != 0) {
		if (!(s->iface = calloc(1, sizeof(*s->iface)))) {
			snprintf(err, CONFIG_ERR_MAX, "out of memory");
			return -ENOMEM;
		}
		if (iface_load(&s->prof, ifname, s->iface, perr) < 0) {
			snprintf(err, CONFIG_ERR_MAX, "[station] interface: %.230s", perr);
			return -EINVAL;
		}
	}
	default_cable(s, sim ? scenario : NULL, demo);
	if (s->cable[0]) {
		struct tw_cable *cab = calloc(1, sizeof(*cab));
		struct fixture *fx = calloc(1, sizeof(*fx));
		struct wiring *w = calloc(1, sizeof(*w));
		int e = !cab || !fx || !w ? -ENOMEM :
		        profiles_load_cable(&s->prof, s->cable, cab, perr) < 0 ? -EINVAL :
		        profiles_fixture(s->jig, cab, fx, w, perr);
		free(cab);
		free(fx);
		free(w);
		if (e < 0) {
			snprintf(err, CONFIG_ERR_MAX, "[station] cable: %.230s", e == -ENOMEM ? "out of memory" : perr);
			return -EINVAL;
		}
	}
	return 0;
}

static json_t *heartbeat(void *ctx)
{
	struct daemon_state *s = ctx;
	return s->rn ? runner_status_json(s->rn) : json_object();
}

static void stop_all(struct daemon_state *s)
{
	/* Reverse order of start. A test in progress is finished and stored
	 * first; whatever cannot finish keeps its aborted record. */
	if (s->rn && runner_shutdown(s->rn, 15000) < 0)
		fprintf(stderr, "tonewired: the running test did not finish; it is recorded as aborted\n");
	events_shutdown(s->ev);
	http_stop(s->web);
	runner_destroy(s->rn);
	events_destroy(s->ev);
	engine_destroy(s->en);
	metrics_destroy(s->mx);
	store_close(s->st);
	free(s->jig);
	free(s->iface);
}

/* Start the modules in dependency order (store, metrics, engine, events,
 * runner, HTTP); stop_all stops whatever started, in reverse. 0 or -1
 * after saying why. */
static int start_all(struct daemon_state *s)
{
	char serr[256];
	if (!(s->st = store_open(&s->cfg.store, serr))) {
		fprintf(stderr, "tonewired: results store: %s\n", serr);
		return -1;
	}
	/* A capture interrupted by a crash or a kill -9 is only a temporary file. */
	int cleaned = capture_clean_dir(store_capture_dir(s->st));
	if (cleaned > 0)
		fprintf(stderr, "tonewired: removed %d unfinished capture file%s\n", cleaned, cleaned == 1 ? "" : "s");
	if (!(s->mx = metrics_create())) {
		fprintf(stderr, "tonewired: out of memory\n");
		return -1;
	}
	/* "none": the interface's mixer is left alone; otherwise the profile
	 * configured, or the one recognised from the card on every open. */
	int no_mixer = !strcmp(s->cfg.station.interface, "none");
	struct engine_cfg ec = { .device = s->device, .capture_device = s->cfg.station.capture_device,
	                         .iface = s->iface, .profiles = no_mixer ? NULL : &s->prof,
	                         .out_map = s->jig->out_channel, .in_map = s->jig->in_channel,
	                         .rate = s->cfg.station.rate,
	                         .period = s->cfg.station.period,
	                         .periods = s->cfg.station.periods, .out_channels = s->jig->fixture.n_outputs,
	                         .in_channels = s->jig->fixture.n_inputs,
	                         /* two seconds: the analysis side may stall that long */
	                         .ring_frames = 2 * s->cfg.station.rate };
	if (!(s->en = engine_create(&ec, serr))) {
		fprintf(stderr, "tonewired: audio engine: %s\n", serr);
		return -1;
	}
	if (!(s->ev = events_create(s->cfg.http.max_clients, 64, 2000, heartbeat, s))) {
		fprintf(stderr, "tonewired: out of memory\n");
		return -1;
	}
	struct trigger_cfg tc = { .cable = s->cable, .debounce_ms = s->cfg.station.debounce_ms };
	struct runner_cfg rc = { .engine = s->en, .store = s->st, .events = s->ev, .metrics = s->mx,
	                         .profiles = &s->prof, .jig = s->jig, .rate = s->cfg.station.rate,
	                         .windows = s->cfg.station.windows, .capture_base = "/api/v1/tests",
	                         .trigger = s->cfg.station.trigger_auto ? &tc : NULL };
	if (!(s->rn = runner_create(&rc, serr))) {
		fprintf(stderr, "tonewired: test runner: %s\n", serr);
		return -1;
	}
	struct http_ctx hc = { .cfg = &s->cfg.http, .demo_dir = s->cfg.station.demo_dir, .default_cable = s->cable,
	                       .queue_scans = s->cfg.station.queue_scans, .profiles = &s->prof, .jig = s->jig, .runner = s->rn, .store = s->st,
	                       .events = s->ev, .metrics = s->mx };
	if (!(s->web = http_start(&hc, serr))) {
		fprintf(stderr, "tonewired: %s\n", serr);
		return -1;
	}
	const char *a = s->cfg.http.address;
	fprintf(stderr, "tonewired: listening on http://%s%s%s:%u/ (jig %s, device %s, store %s)\n",
	        strchr(a, ':') ? "[" : "", a, strchr(a, ':') ? "]" : "", http_port(s->web), s->jig->name,
	        s->device, s->cfg.store.path);

	return 0;
}

/* The main loop: signals, readiness and the watchdog, until asked to stop. */
static void serve(struct daemon_state *s, int sfd)
{
	uint64_t wd_usec = 0;
	int watchdog = sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec > 0;
	double wd_every = watchdog ? wd_usec / 2e6 : 0, wd_last = 0;
	int ready = 0;
	for (;;) {
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };
		int r = poll(&pfd, 1, 250);
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "tonewired: poll: %s\n", strerror(errno));
			return;
		}
		if (r > 0) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGHUP)
					continue;   /* no reload: the configuration is parsed once */
				fprintf(stderr, "tonewired: %s, stopping\n", strsignal((int)si.ssi_signo));
				return;
			}
		}
		/* Ready means: port bound (above) and the device open. */
		if (!ready && engine_wait_connected(s->en, 0)) {
			sd_notifyf(0, "READY=1\nSTATUS=testing on %s, http port %u", s->jig->name, http_port(s->web));
			ready = 1;
		}
		if (watchdog && clock_now_ms() / 1e3 - wd_last >= wd_every) {
			sd_notify(0, "WATCHDOG=1");
			wd_last = clock_now_ms() / 1e3;
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "check-config", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' }, { "help", no_argument, NULL, 'h' },
		{ "routes", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon_state *s = calloc(1, sizeof(*s));
	const char *config_path = NULL;
	int check_only = 0, c, status = EXIT_START, sfd = -1;
	char err[CONFIG_ERR_MAX + 64];

	if (!s)
		return EXIT_START;
	while ((c = getopt_long(argc, argv, "c:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'C': check_only = 1; break;
		case 'V': printf("tonewired %s\n", TONEWIRE_VERSION); free(s); return 0;
		case 'h': usage(stdout); free(s); return 0;
		case 'R': http_print_routes(stdout); free(s); return 0;
		default: usage(stderr); free(s); return EXIT_CONFIG;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tonewired: unexpected argument '%s'\n", argv[optind]);
		free(s);
		return EXIT_CONFIG;
	}
	if (config_load(config_path, &s->cfg, err) < 0 || prepare(s, err) < 0) {
		fprintf(stderr, "tonewired: %s\n", err);
		free(s->jig);
		free(s->iface);
		free(s);
		return EXIT_CONFIG;
	}
	if (check_only) {
		printf("tonewired: configuration OK (device %s, jig %s, cable %s)\n", s->device, s->jig->name,
		       s->cable[0] ? s->cable : "-");
		free(s->jig);
		free(s->iface);
		free(s);
		return 0;
	}

	/* The environment is set once, before any thread: a build tree's simulator. */
	duplex_setup_sim();
	log_init("tonewired");
	log_route_alsa();

	/* Signals go to the signalfd only: block them before any thread starts,
	 * so every thread inherits the mask. */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, "tonewired: signalfd: %s\n", strerror(errno));
		goto out;
	}

	if (start_all(s) < 0)
		goto out;
	serve(s, sfd);
	sd_notify(0, "STOPPING=1");
	status = 0;
out:
	stop_all(s);
	if (sfd >= 0)
		close(sfd);
	free(s);
	return status;
}
