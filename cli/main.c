/* tonewire: the command line — runs tests on a local jig or through the daemon. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "duplex.h"
#include "log.h"

static void usage(FILE *out)
{
	fprintf(out,
	"usage: tonewire COMMAND [OPTIONS]\n"
	"\n"
	"Test audio cables with test tones.\n"
	"\n"
	"Commands on a local jig:\n"
	"  run       measure a cable on an ALSA device and give a verdict\n"
	"  profiles  list connectors, cables and jigs, or show one (with its pinout)\n"
	"  analyze   the verdict of a saved capture (WAV + stimulus plan)\n"
	"  devices   sound devices: formats, rates, channels, who holds them, jigs that fit\n"
	"  learn     learn a cable profile from two good samples on a per-contact jig\n"
	"  flex      watch for dropouts while the cable is flexed (with --device: on a\n"
	"            local jig; without: through the daemon)\n"
	"\n"
	"Commands through a running tonewired (--server URL, default http://127.0.0.1:8640):\n"
	"  test      run a test on the daemon's jig and wait for the verdict\n"
	"  status    the station's state, device, latency, xruns\n"
	"  history   stored results (--serial, --verdict, --cable, --since, --limit, --csv)\n"
	"  calibrate learn the jig from a golden cable, verified against its profile first\n"
	"  line      the production line: yield, fault Pareto, retests, SPC, calibrations,\n"
	"            a serial across every station, releasing a locked serial, the operator\n"
	"\n"
	"Run 'tonewire COMMAND --help' for the options of a command.\n"
	"\n"
	"Exit status: 0 pass, 1 fail, 2 usage or bad input, 3 station error\n"
	"(no device, daemon unreachable, verdict \"error\").\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("tonewire %s\n", TONEWIRE_VERSION);
		return 0;
	}
	/* Before any thread and any ALSA call: a build tree's simulator, and
	 * alsa-lib's messages in our voice. */
	duplex_setup_sim();
	log_init("tonewire");
	log_route_alsa();
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "flex")) {
		/* --device: a local jig; otherwise the daemon's */
		for (int i = 2; i < argc; i++)
			if (!strcmp(argv[i], "--device") || !strncmp(argv[i], "--device=", 9) ||
			    !strcmp(argv[i], "-d"))
				return cmd_flex(argc - 1, argv + 1);
		for (int i = 2; i < argc; i++)
			if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
				return cmd_flex(argc - 1, argv + 1);
		return cmd_flex_remote(argc - 1, argv + 1);
	}
	if (!strcmp(cmd, "devices"))
		return cmd_devices(argc - 1, argv + 1);
	if (!strcmp(cmd, "learn"))
		return cmd_learn(argc - 1, argv + 1);
	if (!strcmp(cmd, "analyze"))
		return cmd_analyze(argc - 1, argv + 1);
	if (!strcmp(cmd, "profiles"))
		return cmd_profiles(argc - 1, argv + 1);
	if (!strcmp(cmd, "calibrate"))
		return cmd_calibrate(argc - 1, argv + 1);
	if (!strcmp(cmd, "line"))
		return cmd_line(argc - 1, argv + 1);
	if (!strcmp(cmd, "test") || !strcmp(cmd, "status") || !strcmp(cmd, "history"))
		return cmd_remote(cmd, argc - 1, argv + 1);
	cli_error("unknown command '%s' (try 'tonewire --help')", cmd);
	return EXIT_USAGE;
}
