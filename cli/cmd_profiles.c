/* tonewire profiles: what connectors, cables and jigs are known, and what each looks like. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "interface.h"

static const char *kind_dir[] = { "connectors", "cables", "jigs", "interfaces" };

/* Everything one profile of any kind loads into. */
struct any_profile {
	struct tw_connector con;
	struct tw_cable cab;
	struct tw_jig jig;
	struct tw_interface iface;
};

static int load_kind(const struct profiles *p, enum profile_kind kind, const char *name, struct any_profile *a,
                     char err[PROFILE_ERR_MAX])
{
	switch (kind) {
	case PROFILE_CONNECTOR: return profiles_load_connector(p, name, &a->con, err);
	case PROFILE_CABLE: return profiles_load_cable(p, name, &a->cab, err);
	case PROFILE_JIG: return profiles_load_jig(p, name, &a->jig, err);
	case PROFILE_INTERFACE: return iface_load(p, name, &a->iface, err);
	}
	return -EINVAL;
}

static const char *description(enum profile_kind kind, const struct any_profile *a)
{
	switch (kind) {
	case PROFILE_CONNECTOR: return a->con.description;
	case PROFILE_CABLE: return a->cab.description;
	case PROFILE_JIG: return a->jig.description;
	case PROFILE_INTERFACE: return a->iface.description;
	}
	return "";
}

static const char *file_of(enum profile_kind kind, const struct any_profile *a)
{
	switch (kind) {
	case PROFILE_CONNECTOR: return a->con.path;
	case PROFILE_CABLE: return a->cab.path;
	case PROFILE_JIG: return a->jig.path;
	case PROFILE_INTERFACE: return a->iface.path;
	}
	return "";
}

/* A broken file's message, its folder left out: the list names the file already. */
static const char *brief(const char *err)
{
	const char *colon = strstr(err, ".conf:");
	const char *slash = err;

	if (!colon)
		return err;
	for (const char *s = err; s < colon; s++)
		if (*s == '/')
			slash = s + 1;
	return slash;
}

static void list(const struct profiles *p)
{
	char (*names)[PROFILE_NAME_MAX] = calloc(512, sizeof(*names));
	struct any_profile *a = calloc(1, sizeof(*a));
	char err[PROFILE_ERR_MAX];

	if (!names || !a) {
		free(names);
		free(a);
		return;
	}
	for (int k = PROFILE_CONNECTOR; k <= PROFILE_INTERFACE; k++) {
		unsigned n = profiles_list(p, (enum profile_kind)k, names, 512);
		int width = 0;

		for (unsigned i = 0; i < n; i++)
			if ((int)strlen(names[i]) > width)
				width = (int)strlen(names[i]);
		printf("%s (%u):\n", kind_dir[k], n);
		for (unsigned i = 0; i < n; i++) {
			if (load_kind(p, (enum profile_kind)k, names[i], a, err) < 0)
				printf("  %-*s  BROKEN: %s\n", width, names[i], brief(err));
			else
				printf("  %-*s  %s\n", width, names[i], description((enum profile_kind)k, a));
		}
	}
	printf("\nsearched, the first folder with a name wins:\n");
	for (unsigned i = 0; i < p->n_dirs; i++)
		printf("  %s\n", p->dir[i]);
	free(names);
	free(a);
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

static void show_cable(const struct tw_cable *cab)
{
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
}

static void show_jig(const struct tw_jig *jig)
{
	const struct fixture *f = &jig->fixture;

	printf("jig %s — %s\n", jig->name, jig->description);
	show_end("socket A", &jig->socket_a);
	show_end("socket B", &jig->socket_b);
	printf("  source %.0f Ω, input %.0f Ω\n", f->source_ohms, f->input_ohms);
	for (unsigned i = 0; i < f->n_outputs; i++)
		printf("  output %u drives %s\n", jig->out_channel[i], f->contact[f->output[i]].name);
	for (unsigned i = 0; i < f->n_inputs; i++) {
		if (f->input_neg[i] < 0)
			printf("  input %u senses %s\n", jig->in_channel[i], f->contact[f->input_pos[i]].name);
		else
			printf("  input %u senses %s - %s\n", jig->in_channel[i], f->contact[f->input_pos[i]].name,
			       f->contact[f->input_neg[i]].name);
	}
	for (unsigned i = 0; i < f->n_ties; i++)
		printf("  %s tied to ground\n", f->contact[f->tie[i]].name);
	for (unsigned i = 0; i < f->n_loads; i++)
		printf("  load %.1f Ω between %s and %s\n", f->load[i].ohms, f->contact[f->load[i].a].name,
		       f->load[i].b >= 0 ? f->contact[f->load[i].b].name : "ground");
}

/* The kind a name or path stands for; for a name, the files it shadows too.
 * 0, or EXIT_USAGE after saying why. */
static int which(const struct profiles *p, const char *name, enum profile_kind *kind, char (*files)[256],
                 int *n_files)
{
	char err[4][PROFILE_ERR_MAX], path[256];

	*n_files = 0;
	if (profiles_is_path(name)) {
		if (profiles_kind_of(name, kind, err[0]) < 0) {
			cli_error("%s", err[0]);
			return EXIT_USAGE;
		}
		return 0;
	}
	for (int k = PROFILE_CONNECTOR; k <= PROFILE_INTERFACE && !*n_files; k++) {
		*kind = (enum profile_kind)k;
		*n_files = profiles_find_all(p, *kind, name, files, PROFILE_MAX_DIRS);
	}
	if (*n_files)
		return 0;
	/* Nothing of that name: each kind's closest names. */
	for (int k = PROFILE_CONNECTOR; k <= PROFILE_INTERFACE; k++)
		profiles_find(p, (enum profile_kind)k, name, path, err[k]);
	cli_error("no connector, cable, jig or interface '%s'", name);
	fprintf(stderr, "  connector: %s\n  cable: %s\n  jig: %s\n  interface: %s\n", err[0], err[1], err[2], err[3]);
	return EXIT_USAGE;
}

static void show_interface(const struct tw_interface *i)
{
	static const char *const dir[2] = { "playback", "capture" };
	printf("interface %s — %s\n", i->name, i->description);
	if (i->usb_id[0] || i->card_name[0])
		printf("  recognised by %s%s%s%s%s\n", i->usb_id[0] ? "USB id " : "", i->usb_id,
		       i->usb_id[0] && i->card_name[0] ? ", " : "", i->card_name[0] ? "card name " : "", i->card_name);
	for (int d = 0; d < 2; d++) {
		printf("  %-8s", dir[d]);
		for (unsigned k = 0; k < i->n_formats[d]; k++)
			printf(" %s", i->format[d][k]);
		if (!i->n_formats[d])
			printf(" any format");
		if (i->channels[d])
			printf(", %u channels", i->channels[d]);
		printf("\n");
	}
	printf("  rates   ");
	for (unsigned k = 0; k < i->n_rates; k++)
		printf(" %u", i->rate[k]);
	printf(i->n_rates ? "\n" : " the standard ones\n");
	for (unsigned k = 0; k < i->n_controls; k++)
		printf("  mixer: %s \"%s\"%s%.0u = %s\n", iface_role_name(i->control[k].role), i->control[k].name,
		       i->control[k].index ? "," : "", i->control[k].index, i->control[k].value);
}

static int show(const struct profiles *p, const char *name)
{
	char err[PROFILE_ERR_MAX], (*files)[256] = calloc(PROFILE_MAX_DIRS, sizeof(*files));
	struct any_profile *a = calloc(1, sizeof(*a));
	enum profile_kind kind = PROFILE_CONNECTOR;
	int n_files = 0, rc = EXIT_USAGE;

	if (!files || !a || (rc = which(p, name, &kind, files, &n_files)) != 0)
		goto out;
	/* A file that is there but wrong says where and why, first. */
	if (load_kind(p, kind, name, a, err) < 0) {
		cli_error("%s", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (kind == PROFILE_CONNECTOR)
		draw_connector(&a->con);
	else if (kind == PROFILE_CABLE)
		show_cable(&a->cab);
	else if (kind == PROFILE_JIG)
		show_jig(&a->jig);
	else
		show_interface(&a->iface);
	printf("\nfile: %s\n", file_of(kind, a));
	for (int i = 1; i < n_files; i++)
		printf("shadows: %s\n", files[i]);
	/* The same name as another kind: that one is reached by its path. */
	for (int k = kind + 1; k <= PROFILE_INTERFACE && !profiles_is_path(name); k++) {
		char other[256];
		if (profiles_find_all(p, (enum profile_kind)k, name, &other, 1) == 1)
			printf("also a %s of that name: %s\n", profile_kind_name((enum profile_kind)k), other);
	}
	rc = 0;
out:
	free(files);
	free(a);
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
