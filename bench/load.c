/* bench/load: xruns and wrong verdicts over many tests on the real-time simulated jig while every core is busy (stress-ng), for several buffer sizes and with or without real-time priority. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "duplex.h"
#include "session.h"

#define MAX_TESTS 5000
#define JIG "trrs-4ch"
#define CABLE "trrs-ctia-extension"
#define GOOD "wire = A.T B.T\nwire = A.R1 B.R1\nwire = A.R2 B.R2\nwire = A.S B.S\n"
#define SHORTED GOOD "short = A.T A.R1 0.5\n"

/* Buffer layouts compared: the former default (5 ms periods) and longer ones. */
struct layout {
	unsigned period, periods;
};
static const struct layout layouts[] = { { 256, 4 }, { 512, 4 }, { 1024, 4 } };
#define N_LAYOUTS (sizeof layouts / sizeof layouts[0])

struct figures {
	unsigned tests, xruns, retried, station_errors, wrong;
	double p50_ms, p95_ms;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int write_file(const char *path, const char *cable)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "; written by bench/load\n[scenario]\njig = " JIG "\n\n[interface]\nlatency_frames = 300\n"
	           "noise_dbfs = -90\npace = realtime\n\n[cable]\n%s", cable);
	return fclose(f) == 0 ? 0 : -errno;
}

/* All cores busy: stress-ng --cpu N, or -1 when it is not installed. */
static pid_t start_stress(unsigned cpus)
{
	char n[16];
	pid_t pid;

	if (system("command -v stress-ng >/dev/null 2>&1") != 0)
		return -1;
	snprintf(n, sizeof n, "%u", cpus);
	pid = fork();
	if (pid == 0) {
		execlp("stress-ng", "stress-ng", "--cpu", n, "--quiet", (char *)NULL);
		_exit(127);
	}
	sleep(1);   /* let the workers spin up */
	return pid;
}

static void stop_stress(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGINT);
	waitpid(pid, NULL, 0);
}

/* Tests alternate between a good and a shorted cable on two simulated
 * interfaces; a wrong verdict is a pass for the short, anything but a pass
 * for the good one, or a fault other than "short". */
static int run_layout(const struct layout *l, unsigned n, const char *dir, struct figures *fg)
{
	struct profiles prof;
	char path[2][512], dev[2][600], err[PROFILE_ERR_MAX];
	struct station_cable *sc = calloc(1, sizeof *sc);
	duplex *dx[2] = { NULL, NULL };
	double *ms = calloc(n, sizeof *ms);
	int rc = -ENOMEM;

	memset(fg, 0, sizeof *fg);
	profiles_init(&prof, NULL);
	if (!sc || !ms || station_cable_load(&prof, JIG, CABLE, sc, err) < 0)
		goto out;
	classifier *cls = classifier_create(&sc->fx, &sc->expected, &sc->cable.limits);
	struct measure_cfg mc = { .rate = 48000, .n_outputs = sc->fx.n_outputs, .n_inputs = sc->fx.n_inputs };
	measure *m = measure_create(&mc, err);
	for (int k = 0; k < 2; k++) {
		int e;
		snprintf(path[k], sizeof path[k], "%s/%s.conf", dir, k ? "shorted" : "good");
		snprintf(dev[k], sizeof dev[k], "tonewire_sim:%s", path[k]);
		write_file(path[k], k ? SHORTED : GOOD);
		struct duplex_cfg dc = { .device = dev[k], .rate = 48000, .out_channels = sc->fx.n_outputs,
		                         .in_channels = sc->fx.n_inputs, .period_frames = l->period,
		                         .periods = l->periods };
		if (!(dx[k] = duplex_open(&dc, err, &e)))
			fprintf(stderr, "load: %s\n", err);
	}
	if (!cls || !m || !dx[0] || !dx[1])
		goto done;
	for (unsigned t = 0; t < n; t++) {
		int bad = t & 1;
		struct pump p = pump_duplex(dx[bad]);
		struct session s = { .ms = m, .cls = cls, .sc = sc, .t0 = clock_now_ms(),
		                     .meta = { .device = dev[bad], .rate = 48000 } };
		struct session_outcome out;
		json_t *res = session_test(&s, &p, &out);
		const char *v = json_string_value(json_object_get(res, "verdict"));
		const char *code = json_string_value(
			json_object_get(json_array_get(json_object_get(res, "faults"), 0), "code"));
		ms[t] = clock_now_ms() - s.t0;
		fg->tests++;
		fg->xruns += out.measured ? out.m.xruns
		                          : (unsigned)json_integer_value(json_object_get(res, "xruns"));
		fg->retried += out.measured && out.m.xruns > 0;
		if (!out.measured)
			fg->station_errors++;
		else if (bad ? !(v && !strcmp(v, "fail") && code && !strcmp(code, "short")) : !(v && !strcmp(v, "pass")))
			fg->wrong++;
		json_decref(res);
	}
	qsort(ms, n, sizeof *ms, cmp_double);
	fg->p50_ms = ms[n / 2];
	fg->p95_ms = ms[(size_t)(n * 0.95)];
	rc = 0;
done:
	duplex_close(dx[0]);
	duplex_close(dx[1]);
	measure_destroy(m);
	classifier_destroy(cls);
out:
	free(sc);
	free(ms);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned tests = 200, cpus = (unsigned)sysconf(_SC_NPROCESSORS_ONLN) * 2;
	int as_json = 0, rt = 0, quiet_machine = 0;
	char dir[] = "/tmp/tw-load-XXXXXX";

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			as_json = 1;
		else if (!strcmp(argv[i], "--rt"))
			rt = 1;
		else if (!strcmp(argv[i], "--quiet"))
			quiet_machine = 1;
		else if (!strcmp(argv[i], "--tests") && i + 1 < argc)
			tests = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--cpu") && i + 1 < argc)
			cpus = (unsigned)atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: load [--tests N] [--cpu N] [--rt] [--quiet] [--json]\n"
			                "  N tests per buffer layout (default 200) while stress-ng --cpu N keeps every core busy\n"
			                "  (default twice the cores); --rt: SCHED_FIFO as tonewired's audio thread asks for it;\n"
			                "  --quiet: no stress, for the baseline\n");
			return 2;
		}
	}
	if (tests < 2 || tests > MAX_TESTS || !mkdtemp(dir))
		return 2;
	duplex_setup_sim();
	/* The load first: a child forked after the priority change would spin
	 * at real-time priority itself and starve the whole machine. */
	pid_t stress = quiet_machine ? 0 : start_stress(cpus);
	int rt_granted = 0;
	if (rt) {
		/* the priority tonewired's engine thread asks for; never inherited */
		struct sched_param sp = { .sched_priority = 10 };
		rt_granted = sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) == 0;
	}
	struct figures fg[N_LAYOUTS];
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("load: %u tests per layout (good and shorted cable alternating), %s, real-time priority %s\n", tests,
	       quiet_machine ? "quiet machine" : stress > 0 ? "stress-ng --cpu on every core" : "stress-ng NOT installed",
	       rt ? (rt_granted ? "granted" : "refused") : "not asked");
	printf("%-14s %6s %6s %8s %9s %6s %8s %8s\n", "buffer", "tests", "xruns", "retried", "st.error", "wrong",
	       "p50 ms", "p95 ms");
	for (unsigned k = 0; k < N_LAYOUTS; k++) {
		char name[32];
		snprintf(name, sizeof name, "%ux%u (%.0f ms)", layouts[k].period, layouts[k].periods,
		         layouts[k].period * layouts[k].periods * 1000.0 / 48000);
		if (run_layout(&layouts[k], tests, dir, &fg[k]) < 0) {
			printf("%-14s could not run\n", name);
			continue;
		}
		printf("%-14s %6u %6u %8u %9u %6u %8.1f %8.1f\n", name, fg[k].tests, fg[k].xruns, fg[k].retried,
		       fg[k].station_errors, fg[k].wrong, fg[k].p50_ms, fg[k].p95_ms);
		fflush(stdout);
	}
	stop_stress(stress);
	if (as_json) {
		printf("{\"stress\": %s, \"rt\": %s, \"layouts\": [", stress > 0 ? "true" : "false",
		       rt_granted ? "true" : "false");
		for (unsigned k = 0; k < N_LAYOUTS; k++)
			printf("%s{\"period\": %u, \"periods\": %u, \"tests\": %u, \"xruns\": %u, \"retried\": %u, "
			       "\"station_errors\": %u, \"wrong\": %u, \"p50_ms\": %.1f, \"p95_ms\": %.1f}",
			       k ? ", " : "", layouts[k].period, layouts[k].periods, fg[k].tests, fg[k].xruns, fg[k].retried,
			       fg[k].station_errors, fg[k].wrong, fg[k].p50_ms, fg[k].p95_ms);
		printf("]}\n");
	}
	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
