/* tonewire devices: the sound devices of this machine — formats, rates, channels, who holds them, which jigs fit. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "devices.h"
#include "result.h"

#define MAX_EXTRA 16

static void usage(FILE *out)
{
	fprintf(out,
	"usage: tonewire devices [--device PCM]... [--json] [-p DIR]\n"
	"\n"
	"Lists every sound card's PCMs (hw:CARD,DEV) with the sample formats, rates\n"
	"and channel counts each direction offers, whether another program holds it\n"
	"(and which), the interface profile that describes it, and the shipped jigs\n"
	"whose channels it has.\n"
	"\n"
	"  -d, --device PCM     also probe this PCM (a named device, tonewire_sim:SCENARIO)\n"
	"      --json           print the list as JSON (what GET /api/v1/devices serves)\n"
	"  -p, --profiles DIR   look for profiles in DIR first\n"
	"  -h, --help           this help\n");
}

static void print_dir(const char *name, const json_t *d)
{
	size_t i;
	json_t *v;

	if (json_is_null(d)) {
		printf("  %-9s-\n", name);
		return;
	}
	if (json_is_true(json_object_get(d, "busy"))) {
		printf("  %-9s busy: %s\n", name, json_string_value(json_object_get(d, "held_by")));
		return;
	}
	printf("  %-9s", name);
	json_array_foreach(json_object_get(d, "formats"), i, v)
		printf("%s%s", i ? " " : "", json_string_value(v));
	printf("  ");
	json_array_foreach(json_object_get(d, "rates"), i, v)
		printf("%s%lld", i ? " " : "", (long long)json_integer_value(v));
	printf(" Hz  ");
	json_t *ch = json_object_get(d, "channels");
	long long lo = json_integer_value(json_object_get(ch, "min")), hi = json_integer_value(json_object_get(ch, "max"));
	if (lo == hi)
		printf("%lld channels\n", lo);
	else
		printf("%lld-%lld channels\n", lo, hi);
}

static void print_devices(const json_t *list)
{
	size_t i, k;
	json_t *d, *j;

	if (!json_array_size(list))
		printf("No sound devices (ALSA lists no card). A simulated one: tonewire devices --device "
		       "tonewire_sim:SCENARIO\n");
	json_array_foreach(list, i, d) {
		const char *card = json_string_value(json_object_get(d, "card"));
		const char *usb = json_string_value(json_object_get(d, "usb_id"));
		const char *iface = json_string_value(json_object_get(d, "interface"));
		char what[160] = "";
		if (usb && iface)
			snprintf(what, sizeof what, "  (USB %s, profile %s)", usb, iface);
		else if (usb || iface)
			snprintf(what, sizeof what, "  (%s %s)", usb ? "USB" : "profile", usb ? usb : iface);
		printf("%s%s%s%s\n", json_string_value(json_object_get(d, "pcm")), card ? "  " : "", card ? card : "", what);
		print_dir("playback", json_object_get(d, "playback"));
		print_dir("capture", json_object_get(d, "capture"));
		printf("  %-9s", "jigs");
		if (!json_array_size(json_object_get(d, "jigs")))
			printf("none fit");
		json_array_foreach(json_object_get(d, "jigs"), k, j)
			printf("%s%s", k ? " " : "", json_string_value(j));
		printf("\n");
	}
}

int cmd_devices(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'J' },
		{ "profiles", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *extra[MAX_EXTRA], *dir = NULL;
	unsigned n_extra = 0;
	int as_json = 0, c;
	struct profiles prof;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (n_extra == MAX_EXTRA) {
				cli_error("devices: at most %d --device", MAX_EXTRA);
				return EXIT_USAGE;
			}
			extra[n_extra++] = optarg;
			break;
		case 'J': as_json = 1; break;
		case 'p': dir = optarg; break;
		case 'h': usage(stdout); return EXIT_PASS;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("devices: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	profiles_init(&prof, dir);
	json_t *all = devices_json(&prof, extra, n_extra);
	if (!all) {
		cli_error("out of memory");
		return EXIT_STATION;
	}
	if (as_json)
		json_dumpf(all, stdout, JSON_INDENT(2) | RESULT_JSON_REAL);
	else
		print_devices(json_object_get(all, "devices"));
	if (as_json)
		printf("\n");
	json_decref(all);
	return EXIT_PASS;
}
