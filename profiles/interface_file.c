/* interface_file: reads interface profile files, finds them on the profile search path, lays a scenario's keys over a profile, and recognises a device's profile. */
#include "interface.h"
#include "interface_priv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"

static const char *const sections[] = { "interface", "mixer", NULL };
static const struct ini_key keys[] = {
	{ "interface", "name", 0 }, { "interface", "description", 0 }, { "interface", "usb_id", 0 },
	{ "interface", "card_name", 0 }, { "interface", "formats", 0 }, { "interface", "playback_formats", 0 },
	{ "interface", "capture_formats", 0 }, { "interface", "rates", 0 }, { "interface", "playback_channels", 0 },
	{ "interface", "capture_channels", 0 }, { "interface", "period_bytes_min", 0 },
	{ "interface", "period_bytes_max", 0 }, { "interface", "buffer_bytes_max", 0 },
	{ "interface", "periods_max", 0 },
	/* [mixer]: one line per control, keyed by its role (direct_monitor, control, …) */
	{ "mixer", NULL, 1 },
};
static const struct ini_schema schema = { "profile", sections, keys, sizeof keys / sizeof keys[0], 0 };

/* A key of [interface]: the profile's identity, then the constraint keys. */
static int interface_pair(const ini *doc, const struct ini_entry *e, struct tw_interface *i, char *err)
{
	const char *key = e->key, *value = e->value, *file = ini_name(doc);
	char msg[PROFILE_ERR_MAX];

	if (!strcmp(key, "name")) {
		for (const char *c = value; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
				return ini_error(err, file, e->line, key, "'%.40s': expected letters, digits, '-', '_' and '.'",
				                 value);
		if (!*value || strlen(value) >= sizeof i->name)
			return ini_error(err, file, e->line, key, "expected 1 to %d characters", PROFILE_NAME_MAX - 1);
		snprintf(i->name, sizeof i->name, "%s", value);
		return 0;
	}
	if (!strcmp(key, "description")) {
		snprintf(i->description, sizeof i->description, "%s", value);
		return 0;
	}
	if (!strcmp(key, "card_name")) {
		snprintf(i->card_name, sizeof i->card_name, "%s", value);
		return 0;
	}
	if (!strcmp(key, "usb_id")) {
		unsigned v, p;
		char tail;
		if (strlen(value) != 9 || value[4] != ':' || sscanf(value, "%4x:%4x%c", &v, &p, &tail) != 2)
			return ini_error(err, file, e->line, key, "expected VENDOR:PRODUCT in hex (e.g. 1235:8210), got '%.40s'",
			                 value);
		snprintf(i->usb_id, sizeof i->usb_id, "%04x:%04x", v, p);
		return 0;
	}
	if (iface_key(i, key, value, 0, msg) < 0) {
		size_t n = strlen(key);
		const char *why = !strncmp(msg, key, n) && !strncmp(msg + n, ": ", 2) ? msg + n + 2 : msg;
		return ini_error(err, file, e->line, key, "%s", why);
	}
	return 0;
}

static int mixer_pair(const ini *doc, const struct ini_entry *e, struct tw_interface *i, char *err)
{
	char msg[PROFILE_ERR_MAX];
	int role = iface_role_parse(e->key);

	if (role < 0)
		return ini_error(err, ini_name(doc), e->line, e->key, "unknown role: expected direct_monitor, "
		                 "phantom_power, output_level, input_gain or control");
	if (iface_add_control(i, e->value, role, 0, msg) < 0)
		return ini_error(err, ini_name(doc), e->line, e->key, "%s", msg);
	return 0;
}

/* Read one profile file through the INI reader every profile shares. */
static int read_profile(const char *path, struct tw_interface *out, char err[PROFILE_ERR_MAX])
{
	ini *doc = NULL;
	int rc = ini_load(path, &schema, &doc, err);

	iface_init(out);
	snprintf(out->path, sizeof out->path, "%s", path);
	for (unsigned k = 0; rc == 0 && k < ini_count(doc); k++) {
		const struct ini_entry *e = ini_at(doc, k);
		rc = !strcmp(e->section, "interface") ? interface_pair(doc, e, out, err) : mixer_pair(doc, e, out, err);
	}
	if (rc == 0 && !out->name[0])
		rc = ini_error(err, path, ini_section_line(doc, "interface"), "name",
		               "missing: expected name = the file's name");
	ini_free(doc);
	return rc;
}

int iface_load(const struct profiles *p, const char *name, struct tw_interface *out,
               char err[PROFILE_ERR_MAX])
{
	char path[256];
	int rc;

	err[0] = '\0';
	if (!name || !*name) {
		snprintf(err, PROFILE_ERR_MAX, "interface: no profile named");
		return -EINVAL;
	}
	if ((rc = profiles_find(p, PROFILE_INTERFACE, name, path, err)) < 0)
		return rc;
	return read_profile(path, out, err);
}

int iface_resolve(struct tw_interface *sc, const struct profiles *p, const char *base_dir,
                  char err[PROFILE_ERR_MAX])
{
	struct tw_interface *prof;
	char name[512];
	int rc;

	if (!sc->name[0])
		return 0;
	if (profiles_is_path(sc->name) && sc->name[0] != '/' && base_dir)
		snprintf(name, sizeof name, "%s/%s", base_dir, sc->name);
	else
		snprintf(name, sizeof name, "%s", sc->name);
	prof = malloc(sizeof *prof);
	if (!prof) {
		snprintf(err, PROFILE_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	if ((rc = iface_load(p, name, prof, err)) < 0) {
		free(prof);
		return rc;
	}
	/* The scenario's own keys win, one by one. */
	if (!(sc->set & IFACE_SET_FORMATS_PLAY)) {
		sc->n_formats[0] = prof->n_formats[0];
		memcpy(sc->format[0], prof->format[0], sizeof sc->format[0]);
	}
	if (!(sc->set & IFACE_SET_FORMATS_CAP)) {
		sc->n_formats[1] = prof->n_formats[1];
		memcpy(sc->format[1], prof->format[1], sizeof sc->format[1]);
	}
	if (!(sc->set & IFACE_SET_RATES)) {
		sc->n_rates = prof->n_rates;
		memcpy(sc->rate, prof->rate, sizeof sc->rate);
	}
	for (unsigned k = 0; k < iface_n_uint_keys; k++)
		if (!(sc->set & iface_uint_keys[k].bit))
			memcpy((char *)sc + iface_uint_keys[k].offset, (char *)prof + iface_uint_keys[k].offset, sizeof(unsigned));
	snprintf(sc->name, sizeof sc->name, "%s", prof->name);
	snprintf(sc->description, sizeof sc->description, "%s", prof->description);
	snprintf(sc->path, sizeof sc->path, "%s", prof->path);
	snprintf(sc->usb_id, sizeof sc->usb_id, "%s", prof->usb_id);
	snprintf(sc->card_name, sizeof sc->card_name, "%s", prof->card_name);
	sc->n_controls = prof->n_controls;
	memcpy(sc->control, prof->control, sizeof sc->control);
	free(prof);
	return 0;
}

unsigned iface_list(const struct profiles *p, char (*names)[PROFILE_NAME_MAX], unsigned max)
{
	return profiles_list(p, PROFILE_INTERFACE, names, max);
}

int iface_identify(const struct profiles *p, const char *usb_id, const char *card_name,
                   struct tw_interface *out)
{
	char names[128][PROFILE_NAME_MAX], err[PROFILE_ERR_MAX];
	unsigned n = iface_list(p, names, 128);
	int by_name = -1;

	/* A USB id names one product; a card name may be shared by generations. */
	for (unsigned k = 0; k < n; k++) {
		if (iface_load(p, names[k], out, err) < 0)
			continue;
		if (usb_id && *usb_id && out->usb_id[0] && !strcasecmp(usb_id, out->usb_id))
			return 0;
		if (by_name < 0 && card_name && *card_name && out->card_name[0] && !strcmp(card_name, out->card_name))
			by_name = (int)k;
	}
	if (by_name >= 0 && iface_load(p, names[by_name], out, err) == 0)
		return 0;
	return -ENOENT;
}

