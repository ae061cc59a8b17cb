/* tonewire profiles: what connectors, cables and jigs are known, and what each looks like. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *kind_dir[] = { "connectors", "cables", "jigs" };

static void list(const struct profiles *p)
{
	char (*names)[PROFILE_NAME_MAX] = calloc(512, sizeof(*names));
	if (!names)
		return;
	for (int k = PROFILE_CONNECTOR; k <= PROFILE_JIG; k++) {
		unsigned n = profiles_list(p, (enum profile_kind)k, names, 512);
		printf("%s (%u):\n", kind_dir[k], n);
		for (unsigned i = 0; i < n; i++)
			printf("  %s\n", names[i]);
	}
	printf("\nsearched:");
	for (unsigned i = 0; i < p->n_dirs; i++)
		printf(" %s", p->dir[i]);
	printf("\n");
	free(names);
}

/* Jack plugs (tip, rings, sleeve) are drawn as a plug; everything else as pins. */
static int is_jack(const struct tw_connector *c)
{
	if (c->n_contacts < 2 || strcmp(c->contact[0], "T") != 0 ||
	    strcmp(c->contact[c->n_contacts - 1], "S") != 0)
		return 0;
	for (unsigned i = 1; i + 1 < c->n_contacts; i++)
		if (c->contact[i][0] != 'R')
			return 0;
	return 1;
}

static void draw_connector(const struct tw_connector *c)
{
	unsigned i;
	printf("%s — %s\n\n", c->name, c->description);
	if (is_jack(c)) {
		/* tip on the left, sleeve towards the cable on the right */
		printf("   ");
		for (i = 0; i < c->n_contacts; i++)
			printf(i == 0 ? " ____" : "_____");
		printf("_______\n  / ");
		for (i = 0; i < c->n_contacts; i++)
			printf("%-4s|", c->contact[i]);
		printf("=======  cable\n  \\_");
		for (i = 0; i < c->n_contacts; i++)
			printf(i == 0 ? "___|" : "____|");
		printf("_______\n    ");
		for (i = 0; i < c->n_contacts; i++)
			printf("%-5s", role_name(c->role[i]));
		printf("\n");
	} else {
		printf("  pin      role\n");
		for (i = 0; i < c->n_contacts; i++)
			printf("  %-8s %s\n", c->contact[i], role_name(c->role[i]));
	}
}

static void show_end(const char *label, const struct tw_end *e)
{
	printf("  %s:", label);
	for (unsigned i = 0; i < e->n_plugs; i++)
		printf(" %s%s%s", e->label[i], e->label[i][0] ? ":" : "", e->plug[i].name);
	printf("\n");
}

static int show(const struct profiles *p, const char *name)
{
	char err[PROFILE_ERR_MAX], err2[PROFILE_ERR_MAX], err3[PROFILE_ERR_MAX];
	struct tw_connector con;
	struct tw_cable *cab = calloc(1, sizeof(*cab));
	struct tw_jig *jig = calloc(1, sizeof(*jig));
	int rc = EXIT_USAGE;

	if (!cab || !jig)
		goto out;
	if (profiles_load_connector(p, name, &con, err) == 0) {
		draw_connector(&con);
		rc = 0;
	} else if (profiles_load_cable(p, name, cab, err2) == 0) {
		printf("cable %s — %s\n", cab->name, cab->description);
		show_end("end A", &cab->a);
		show_end("end B", &cab->b);
		for (unsigned i = 0; i < cab->a.n_plugs; i++)
			if (i == 0 || strcmp(cab->a.plug[i].name, cab->a.plug[i - 1].name)) {
				printf("\n");
				draw_connector(&cab->a.plug[i]);
			}
		for (unsigned i = 0; i < cab->b.n_plugs; i++)
			if (i == 0 || strcmp(cab->b.plug[i].name, cab->b.plug[i - 1].name)) {
				printf("\n");
				draw_connector(&cab->b.plug[i]);
			}
		printf("\nlimits: level ±%.1f dB, crosstalk ≤ %.0f dB, series ≤ %.1f Ω, SNR ≥ %.0f dB, phase ±%.0f°\n",
		       cab->limits.max_level_dev_db, cab->limits.max_crosstalk_db, cab->limits.max_series_ohms,
		       cab->limits.min_snr_db, cab->limits.max_phase_deg);
		rc = 0;
	} else if (profiles_load_jig(p, name, jig, err3) == 0) {
		const struct fixture *f = &jig->fixture;
		printf("jig %s — %s\n", jig->name, jig->description);
		show_end("socket A", &jig->socket_a);
		show_end("socket B", &jig->socket_b);
		printf("  source %.0f Ω, input %.0f Ω\n", f->source_ohms, f->input_ohms);
		for (unsigned i = 0; i < f->n_outputs; i++)
			printf("  output %u drives %s\n", i + 1, f->contact[f->output[i]].name);
		for (unsigned i = 0; i < f->n_inputs; i++) {
			if (f->input_neg[i] < 0)
				printf("  input %u senses %s\n", i + 1, f->contact[f->input_pos[i]].name);
			else
				printf("  input %u senses %s - %s\n", i + 1, f->contact[f->input_pos[i]].name,
				       f->contact[f->input_neg[i]].name);
		}
		for (unsigned i = 0; i < f->n_ties; i++)
			printf("  %s tied to ground\n", f->contact[f->tie[i]].name);
		for (unsigned i = 0; i < f->n_loads; i++)
			printf("  load %.1f Ω between %s and %s\n", f->load[i].ohms, f->contact[f->load[i].a].name,
			       f->load[i].b >= 0 ? f->contact[f->load[i].b].name : "ground");
		rc = 0;
	} else {
		/* Say why each kind did not load: a malformed file beats "not found". */
		cli_error("no connector, cable or jig '%s'", name);
		fprintf(stderr, "  connector: %s\n  cable: %s\n  jig: %s\n", err, err2, err3);
	}
out:
	free(cab);
	free(jig);
	return rc;
}

int cmd_profiles(int argc, char **argv)
{
	struct profiles p;
	const char *extra = NULL;
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "--profiles")) {
		extra = argv[2];
		i = 3;
	}
	profiles_init(&p, extra);
	if (i >= argc || !strcmp(argv[i], "list")) {
		list(&p);
		return 0;
	}
	if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
		printf("usage: tonewire profiles [--profiles DIR] [list | show NAME]\n");
		return 0;
	}
	if (!strcmp(argv[i], "show") && i + 1 < argc)
		return show(&p, argv[i + 1]);
	cli_error("profiles: expected 'list' or 'show NAME'");
	return EXIT_USAGE;
}
