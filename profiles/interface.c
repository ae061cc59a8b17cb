/* interface: reads audio interface profiles (profiles/interfaces/) and the same constraint keys in scenarios, with errors that name file, line and field. */
#include "interface.h"
#include "interface_priv.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


const char *const iface_known_formats[] = { "FLOAT_LE", "S32_LE", "S24_3LE", "S24_LE", "S16_LE", NULL };

const char *const iface_scenario_keys =
	"interface, formats, playback_formats, capture_formats, rates, playback_channels, "
	"capture_channels, period_bytes_min, period_bytes_max, buffer_bytes_max, periods_max, "
	"jig_outputs, jig_inputs, mixer";

static const char *const role_names[IFACE_ROLE_COUNT] = {
	[IFACE_ROLE_CONTROL] = "control", [IFACE_ROLE_DIRECT_MONITOR] = "direct_monitor",
	[IFACE_ROLE_PHANTOM_POWER] = "phantom_power", [IFACE_ROLE_OUTPUT_LEVEL] = "output_level",
	[IFACE_ROLE_INPUT_GAIN] = "input_gain",
};

const char *iface_role_name(enum iface_role r)
{
	return r < IFACE_ROLE_COUNT ? role_names[r] : "?";
}

int iface_role_parse(const char *s)
{
	for (int r = 0; r < IFACE_ROLE_COUNT; r++)
		if (strcmp(s, role_names[r]) == 0)
			return r;
	return -1;
}

void iface_init(struct tw_interface *i)
{
	memset(i, 0, sizeof *i);
}

unsigned iface_channel(const struct tw_interface *i, enum iface_dir dir, unsigned idx)
{
	if (idx < FIXTURE_MAX_CHANNELS && i->map[dir][idx])
		return i->map[dir][idx];
	return idx + 1;
}

int iface_value_bool(const char *v)
{
	if (!strcasecmp(v, "on") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"))
		return 1;
	if (!strcasecmp(v, "off") || !strcasecmp(v, "false") || !strcasecmp(v, "no"))
		return 0;
	return -1;
}

int iface_value_db(const char *v, double *db)
{
	locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	char *end;
	double x;

	if (c == (locale_t)0)
		return -EINVAL;
	x = strtod_l(v, &end, c);
	freelocale(c);
	if (end == v)
		return -EINVAL;
	while (*end == ' ')
		end++;
	if (strcasecmp(end, "dB") != 0 || !isfinite(x) || x < -200 || x > 200)
		return -EINVAL;
	*db = x;
	return 0;
}

/* Splits a value into blank-separated words in place; how many (max + 1: too many). */
static unsigned words(char *s, char **w, unsigned max)
{
	unsigned n = 0;

	for (;;) {
		while (*s && isspace((unsigned char)*s))
			s++;
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		w[n++] = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
}

static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v < lo || v > hi)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int format_list(const char *key, const char *value, unsigned *n, char (*out)[IFACE_FORMAT_MAX],
                       char err[PROFILE_ERR_MAX])
{
	char buf[256], *w[IFACE_MAX_FORMATS + 1];
	unsigned k = 0;

	snprintf(buf, sizeof buf, "%s", value);
	unsigned got = words(buf, w, IFACE_MAX_FORMATS);
	if (got == 0 || got > IFACE_MAX_FORMATS) {
		snprintf(err, PROFILE_ERR_MAX, "%s: expected 1 to %d sample formats (S16_LE S24_3LE S24_LE S32_LE FLOAT_LE), got '%.60s'",
		         key, IFACE_MAX_FORMATS, value);
		return -EINVAL;
	}
	for (unsigned j = 0; j < got; j++) {
		int known = 0;
		for (unsigned f = 0; iface_known_formats[f]; f++)
			known |= strcmp(w[j], iface_known_formats[f]) == 0;
		if (!known) {
			snprintf(err, PROFILE_ERR_MAX, "%s: unknown sample format '%.20s': expected S16_LE, S24_3LE, S24_LE, S32_LE or FLOAT_LE",
			         key, w[j]);
			return -EINVAL;
		}
		for (unsigned d = 0; d < k; d++) {
			if (strcmp(out[d], w[j]) == 0) {
				snprintf(err, PROFILE_ERR_MAX, "%s: %s given twice", key, w[j]);
				return -EINVAL;
			}
		}
		snprintf(out[k++], IFACE_FORMAT_MAX, "%s", w[j]);
	}
	*n = k;
	return 0;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

static int rate_list(const char *value, struct tw_interface *i, char err[PROFILE_ERR_MAX])
{
	char buf[256], *w[IFACE_MAX_RATES + 1];
	unsigned got;

	snprintf(buf, sizeof buf, "%s", value);
	got = words(buf, w, IFACE_MAX_RATES);
	if (got == 0 || got > IFACE_MAX_RATES) {
		snprintf(err, PROFILE_ERR_MAX, "rates: expected 1 to %d sample rates in Hz (e.g. 44100 48000 96000), got '%.60s'",
		         IFACE_MAX_RATES, value);
		return -EINVAL;
	}
	for (unsigned j = 0; j < got; j++) {
		if (parse_uint(w[j], 8000, 384000, &i->rate[j]) < 0) {
			snprintf(err, PROFILE_ERR_MAX, "rates: '%.20s' is not a sample rate in Hz (8000..384000)", w[j]);
			return -EINVAL;
		}
	}
	qsort(i->rate, got, sizeof i->rate[0], cmp_uint);
	for (unsigned j = 1; j < got; j++) {
		if (i->rate[j] == i->rate[j - 1]) {
			snprintf(err, PROFILE_ERR_MAX, "rates: %u given twice", i->rate[j]);
			return -EINVAL;
		}
	}
	i->n_rates = got;
	return 0;
}

static int channel_map(const char *key, const char *value, unsigned *map, char err[PROFILE_ERR_MAX])
{
	char buf[256], *w[FIXTURE_MAX_CHANNELS + 1];
	unsigned got;

	snprintf(buf, sizeof buf, "%s", value);
	got = words(buf, w, FIXTURE_MAX_CHANNELS);
	if (got == 0 || got > FIXTURE_MAX_CHANNELS) {
		snprintf(err, PROFILE_ERR_MAX, "%s: expected the device channel (1-based) of each jig channel in order, e.g. '3 4', got '%.60s'",
		         key, value);
		return -EINVAL;
	}
	memset(map, 0, FIXTURE_MAX_CHANNELS * sizeof *map);
	for (unsigned j = 0; j < got; j++) {
		if (parse_uint(w[j], 1, IFACE_MAX_CHANNELS, &map[j]) < 0) {
			snprintf(err, PROFILE_ERR_MAX, "%s: '%.20s' is not a device channel (1..%d)", key, w[j], IFACE_MAX_CHANNELS);
			return -EINVAL;
		}
		for (unsigned d = 0; d < j; d++) {
			if (map[d] == map[j]) {
				snprintf(err, PROFILE_ERR_MAX, "%s: device channel %u given twice", key, map[j]);
				return -EINVAL;
			}
		}
	}
	return 0;
}

int iface_parse_control(const char *s, int allow_fixed, struct iface_control *c, char err[PROFILE_ERR_MAX])
{
	const char *p = s, *q;
	char rest[128], *w[3];
	unsigned n;

	memset(c, 0, sizeof *c);
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '"' || !(q = strchr(p + 1, '"'))) {
		snprintf(err, PROFILE_ERR_MAX, "expected '\"CONTROL NAME\"[,INDEX] VALUE' (e.g. \"Direct Monitor Playback Enum\" Off), got '%.60s'", s);
		return -EINVAL;
	}
	if ((size_t)(q - p - 1) >= sizeof c->name || q == p + 1) {
		snprintf(err, PROFILE_ERR_MAX, "control name '%.40s': expected 1 to %d characters", p + 1,
		         IFACE_CONTROL_NAME_MAX - 1);
		return -EINVAL;
	}
	memcpy(c->name, p + 1, (size_t)(q - p - 1));
	p = q + 1;
	if (*p == ',') {
		char *end;
		long idx = strtol(p + 1, &end, 10);
		if (end == p + 1 || idx < 0 || idx > 255) {
			snprintf(err, PROFILE_ERR_MAX, "control \"%s\": expected a control index 0..255 after ','", c->name);
			return -EINVAL;
		}
		c->index = (unsigned)idx;
		p = end;
	}
	if (*p && !isspace((unsigned char)*p)) {
		snprintf(err, PROFILE_ERR_MAX, "control \"%s\": expected a blank and the value after the name", c->name);
		return -EINVAL;
	}
	while (isspace((unsigned char)*p))
		p++;
	/* A quoted value (an enumerated item with blanks: "PCM 1"). */
	if (*p == '"') {
		if (!(q = strchr(p + 1, '"')) || (size_t)(q - p - 1) >= sizeof c->value || q == p + 1) {
			snprintf(err, PROFILE_ERR_MAX, "control \"%s\": unterminated or empty quoted value", c->name);
			return -EINVAL;
		}
		memcpy(c->value, p + 1, (size_t)(q - p - 1));
		p = q + 1;
		snprintf(rest, sizeof rest, "%s", p);
		n = words(rest, w, 1);
	} else {
		/* "0 dB" is one value: a number and its unit */
		snprintf(rest, sizeof rest, "%s", p);
		n = words(rest, w, 3);
		if (n >= 2 && !strcasecmp(w[1], "dB")) {
			snprintf(c->value, sizeof c->value, "%sdB", w[0]);
			w[1] = n == 3 ? w[2] : NULL;
			n--;
		} else if (n >= 1) {
			snprintf(c->value, sizeof c->value, "%s", w[0]);
		}
		if (n >= 1) {
			w[0] = w[1];
			n--;
		}
	}
	if (!c->value[0]) {
		snprintf(err, PROFILE_ERR_MAX, "control \"%s\": no value (expected off, on, a number, a level such as 0dB, or an item name)",
		         c->name);
		return -EINVAL;
	}
	if (n == 1 && allow_fixed && !strcmp(w[0], "fixed")) {
		c->fixed = 1;
	} else if (n != 0) {
		snprintf(err, PROFILE_ERR_MAX, "control \"%s\": unexpected '%.20s' after the value%s", c->name,
		         n == 1 ? w[0] : "…", allow_fixed ? " (only 'fixed' may follow)" : "");
		return -EINVAL;
	}
	return 0;
}

/* A control line of a profile ([mixer] ROLE = …) or a scenario (mixer = …). */
int iface_add_control(struct tw_interface *i, const char *value, int role, int scenario, char err[PROFILE_ERR_MAX])
{
	struct iface_control c;
	struct iface_control *list = scenario ? i->power_on : i->control;
	unsigned *n = scenario ? &i->n_power_on : &i->n_controls;

	if (iface_parse_control(value, scenario, &c, err) < 0)
		return -EINVAL;
	c.role = (enum iface_role)role;
	for (unsigned k = 0; k < *n; k++) {
		if (!strcmp(list[k].name, c.name) && list[k].index == c.index) {
			snprintf(err, PROFILE_ERR_MAX, "control \"%s\",%u given twice", c.name, c.index);
			return -EINVAL;
		}
	}
	if (*n >= IFACE_MAX_CONTROLS) {
		snprintf(err, PROFILE_ERR_MAX, "more than %d mixer controls", IFACE_MAX_CONTROLS);
		return -EINVAL;
	}
	list[(*n)++] = c;
	return 0;
}

#define IF_OFF(f) offsetof(struct tw_interface, f)
const struct iface_uint_key iface_uint_keys[] = {
	{ "playback_channels", IF_OFF(channels[0]), 1, IFACE_MAX_CHANNELS, IFACE_SET_CH_PLAY },
	{ "capture_channels", IF_OFF(channels[1]), 1, IFACE_MAX_CHANNELS, IFACE_SET_CH_CAP },
	{ "period_bytes_min", IF_OFF(period_bytes_min), 16, 1u << 24, IFACE_SET_PERIOD_MIN },
	{ "period_bytes_max", IF_OFF(period_bytes_max), 16, 1u << 26, IFACE_SET_PERIOD_MAX },
	{ "buffer_bytes_max", IF_OFF(buffer_bytes_max), 64, 1u << 28, IFACE_SET_BUFFER_MAX },
	{ "periods_max", IF_OFF(periods_max), 2, 4096, IFACE_SET_PERIODS_MAX },
};
#undef IF_OFF
const unsigned iface_n_uint_keys = sizeof iface_uint_keys / sizeof iface_uint_keys[0];

int iface_key(struct tw_interface *i, const char *key, const char *value, int scenario,
              char err[PROFILE_ERR_MAX])
{
	for (unsigned k = 0; k < iface_n_uint_keys; k++) {
		const struct iface_uint_key *u = &iface_uint_keys[k];
		if (strcmp(key, u->name) != 0)
			continue;
		if (parse_uint(value, u->lo, u->hi, (unsigned *)((char *)i + u->offset)) < 0) {
			snprintf(err, PROFILE_ERR_MAX, "%s: expected a whole number from %u to %u, got '%.40s'", key, u->lo,
			         u->hi, value);
			return -EINVAL;
		}
		i->set |= u->bit;
		return 0;
	}
	if (!strcmp(key, "formats") || !strcmp(key, "playback_formats") || !strcmp(key, "capture_formats")) {
		int both = key[0] == 'f', cap = key[0] == 'c';
		for (int d = 0; d < 2; d++) {
			if (!both && d != cap)
				continue;
			if (format_list(key, value, &i->n_formats[d], i->format[d], err) < 0)
				return -EINVAL;
			i->set |= d ? IFACE_SET_FORMATS_CAP : IFACE_SET_FORMATS_PLAY;
		}
		return 0;
	}
	if (!strcmp(key, "rates")) {
		if (rate_list(value, i, err) < 0)
			return -EINVAL;
		i->set |= IFACE_SET_RATES;
		return 0;
	}
	if (!scenario)
		return -ENOENT;
	if (!strcmp(key, "interface")) {
		if (!*value || strlen(value) >= sizeof i->name) {
			snprintf(err, PROFILE_ERR_MAX, "interface: expected an interface profile name (e.g. umc404hd) or a path");
			return -EINVAL;
		}
		snprintf(i->name, sizeof i->name, "%s", value);
		i->set |= IFACE_SET_NAME;
		return 0;
	}
	if (!strcmp(key, "jig_outputs") || !strcmp(key, "jig_inputs")) {
		int in = key[4] == 'i';
		if (channel_map(key, value, i->map[in], err) < 0)
			return -EINVAL;
		i->set |= in ? IFACE_SET_MAP_IN : IFACE_SET_MAP_OUT;
		return 0;
	}
	if (!strcmp(key, "mixer"))
		return iface_add_control(i, value, IFACE_ROLE_CONTROL, 1, err);
	return -ENOENT;
}

int iface_check_jig(const struct tw_interface *i, unsigned n_out, unsigned n_in, char err[PROFILE_ERR_MAX])
{
	const unsigned n[2] = { n_out, n_in };
	static const char *const key[2] = { "jig_outputs", "jig_inputs" };
	static const char *const count[2] = { "playback_channels", "capture_channels" };

	for (int d = 0; d < 2; d++) {
		unsigned given = 0;
		while (given < FIXTURE_MAX_CHANNELS && i->map[d][given])
			given++;
		if (given && given != n[d]) {
			snprintf(err, PROFILE_ERR_MAX, "[interface] %s: %u channels for a jig with %u %s", key[d], given, n[d],
			         d ? "inputs" : "outputs");
			return -EINVAL;
		}
		for (unsigned k = 0; k < n[d] && i->channels[d]; k++) {
			if (iface_channel(i, (enum iface_dir)d, k) > i->channels[d]) {
				snprintf(err, PROFILE_ERR_MAX, "[interface] the jig's %s %u is on device channel %u, but the device has %s = %u",
				         d ? "input" : "output", k + 1, iface_channel(i, (enum iface_dir)d, k), count[d],
				         i->channels[d]);
				return -EINVAL;
			}
		}
	}
	return 0;
}
