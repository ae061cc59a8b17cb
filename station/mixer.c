/* mixer: applies an interface profile's [mixer] settings through the ALSA control API and verifies them. */
#include "mixer.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mixer_ctl_name(snd_pcm_t *pcm, const char *pcm_name, char *out, size_t len)
{
	snd_pcm_info_t *info;
	int card;

	snd_pcm_info_alloca(&info);
	if (snd_pcm_info(pcm, info) == 0 && (card = snd_pcm_info_get_card(info)) >= 0) {
		snprintf(out, len, "hw:%d", card);
		return 0;
	}
	/* The simulated interface is a control plugin of the same name. */
	if (pcm_name && !strncmp(pcm_name, "tonewire_sim", 12)) {
		snprintf(out, len, "%s", pcm_name);
		return 0;
	}
	return -ENODEV;
}

/* Why a control matters, for the message when it cannot be set. */
static const char *why(enum iface_role r)
{
	switch (r) {
	case IFACE_ROLE_DIRECT_MONITOR: return " (a direct monitor mixes the inputs into the outputs the jig drives)";
	case IFACE_ROLE_PHANTOM_POWER: return " (48 V phantom power on a jig drives current through the cable under test)";
	case IFACE_ROLE_OUTPUT_LEVEL: return " (the output level sets the level every path is judged by)";
	case IFACE_ROLE_INPUT_GAIN: return " (the input gain sets the level every path is judged by)";
	default: return "";
	}
}

/* The raw value control c must hold, from its type. 0 or -EACCES with err. */
static int wanted(snd_ctl_t *ctl, snd_ctl_elem_id_t *id, snd_ctl_elem_info_t *info, const struct iface_control *c,
                  long *out, char err[MIXER_ERR_MAX])
{
	snd_ctl_elem_type_t type = snd_ctl_elem_info_get_type(info);
	double db;
	char *end;

	switch (type) {
	case SND_CTL_ELEM_TYPE_BOOLEAN:
		if ((*out = iface_value_bool(c->value)) < 0)
			goto bad;
		return 0;
	case SND_CTL_ELEM_TYPE_INTEGER:
		if (iface_value_db(c->value, &db) == 0) {
			if (snd_ctl_convert_from_dB(ctl, id, lround(db * 100), out, 0) < 0)
				goto bad;
		} else {
			*out = strtol(c->value, &end, 10);
			if (end == c->value || *end)
				goto bad;
		}
		if (*out < snd_ctl_elem_info_get_min(info) || *out > snd_ctl_elem_info_get_max(info))
			goto bad;
		return 0;
	case SND_CTL_ELEM_TYPE_ENUMERATED: {
		unsigned n = snd_ctl_elem_info_get_items(info);
		for (unsigned k = 0; k < n; k++) {
			snd_ctl_elem_info_set_item(info, k);
			if (snd_ctl_elem_info(ctl, info) == 0 && !strcasecmp(snd_ctl_elem_info_get_item_name(info), c->value)) {
				*out = (long)k;
				return 0;
			}
		}
		goto bad;
	}
	default:
		snprintf(err, MIXER_ERR_MAX, "mixer control '%.64s' is of a type tonewire does not set (%s)", c->name,
		         snd_ctl_elem_type_name(type));
		return -EACCES;
	}
bad:
	snprintf(err, MIXER_ERR_MAX, "mixer control '%.64s' has no value '%.32s' (check the interface profile)", c->name,
	         c->value);
	return -EACCES;
}

static long get(snd_ctl_elem_value_t *v, snd_ctl_elem_type_t type, unsigned k)
{
	if (type == SND_CTL_ELEM_TYPE_BOOLEAN)
		return snd_ctl_elem_value_get_boolean(v, k);
	if (type == SND_CTL_ELEM_TYPE_ENUMERATED)
		return (long)snd_ctl_elem_value_get_enumerated(v, k);
	return snd_ctl_elem_value_get_integer(v, k);
}

static void set(snd_ctl_elem_value_t *v, snd_ctl_elem_type_t type, unsigned k, long x)
{
	if (type == SND_CTL_ELEM_TYPE_BOOLEAN)
		snd_ctl_elem_value_set_boolean(v, k, x);
	else if (type == SND_CTL_ELEM_TYPE_ENUMERATED)
		snd_ctl_elem_value_set_enumerated(v, k, (unsigned)x);
	else
		snd_ctl_elem_value_set_integer(v, k, x);
}

/* The element's number, which the dB conversion needs: a driver's info
 * gives it; a control plugin's may not, so look for it in the list. */
static void complete_id(snd_ctl_t *ctl, snd_ctl_elem_id_t *id, const snd_ctl_elem_info_t *info)
{
	snd_ctl_elem_list_t *list;
	unsigned n;

	if (snd_ctl_elem_info_get_numid(info)) {
		snd_ctl_elem_info_get_id(info, id);
		return;
	}
	snd_ctl_elem_list_alloca(&list);
	if (snd_ctl_elem_list(ctl, list) < 0 || (n = snd_ctl_elem_list_get_count(list)) == 0 ||
	    snd_ctl_elem_list_alloc_space(list, n) < 0)
		return;
	if (snd_ctl_elem_list(ctl, list) == 0) {
		for (unsigned k = 0; k < snd_ctl_elem_list_get_used(list); k++) {
			if (!strcmp(snd_ctl_elem_list_get_name(list, k), snd_ctl_elem_id_get_name(id)) &&
			    snd_ctl_elem_list_get_index(list, k) == snd_ctl_elem_id_get_index(id)) {
				snd_ctl_elem_id_set_numid(id, snd_ctl_elem_list_get_numid(list, k));
				break;
			}
		}
	}
	snd_ctl_elem_list_free_space(list);
}

/* One control: 1 changed, 0 held already, -EACCES with err. */
static int apply_one(snd_ctl_t *ctl, const struct iface_control *c, char err[MIXER_ERR_MAX])
{
	snd_ctl_elem_id_t *id;
	snd_ctl_elem_info_t *info;
	snd_ctl_elem_value_t *val;
	long want;
	int e, differs = 0;

	snd_ctl_elem_id_alloca(&id);
	snd_ctl_elem_info_alloca(&info);
	snd_ctl_elem_value_alloca(&val);
	snd_ctl_elem_id_set_interface(id, SND_CTL_ELEM_IFACE_MIXER);
	snd_ctl_elem_id_set_name(id, c->name);
	snd_ctl_elem_id_set_index(id, c->index);
	snd_ctl_elem_info_set_id(info, id);
	if ((e = snd_ctl_elem_info(ctl, info)) < 0) {
		snprintf(err, MIXER_ERR_MAX, "the interface has no mixer control '%.64s',%u%s (is this the right interface profile?)",
		         c->name, c->index, why(c->role));
		return -EACCES;
	}
	snd_ctl_elem_type_t type = snd_ctl_elem_info_get_type(info);
	unsigned count = snd_ctl_elem_info_get_count(info);
	complete_id(ctl, id, info);
	if ((e = wanted(ctl, id, info, c, &want, err)) < 0)
		return e;
	snd_ctl_elem_value_set_id(val, id);
	if ((e = snd_ctl_elem_read(ctl, val)) < 0) {
		snprintf(err, MIXER_ERR_MAX, "cannot read mixer control '%.64s': %s", c->name, snd_strerror(e));
		return -EACCES;
	}
	for (unsigned k = 0; k < count; k++)
		differs |= get(val, type, k) != want;
	if (!differs)
		return 0;
	for (unsigned k = 0; k < count; k++)
		set(val, type, k, want);
	if ((e = snd_ctl_elem_write(ctl, val)) < 0) {
		snprintf(err, MIXER_ERR_MAX, "cannot set mixer control '%.64s' to %.32s: %s%s", c->name, c->value,
		         snd_strerror(e), why(c->role));
		return -EACCES;
	}
	if ((e = snd_ctl_elem_read(ctl, val)) < 0 || (get(val, type, 0) != want)) {
		snprintf(err, MIXER_ERR_MAX, "mixer control '%.64s' does not keep %.32s%s", c->name, c->value, why(c->role));
		return -EACCES;
	}
	return 1;
}

int mixer_apply(const char *ctl_name, const struct iface_control *list, unsigned n, char err[MIXER_ERR_MAX])
{
	snd_ctl_t *ctl;
	int changed = 0, e;

	err[0] = '\0';
	if (!n)
		return 0;
	if ((e = snd_ctl_open(&ctl, ctl_name, 0)) < 0) {
		snprintf(err, MIXER_ERR_MAX, "cannot open the mixer of '%.180s': %s", ctl_name, snd_strerror(e));
		return -ENODEV;
	}
	for (unsigned k = 0; k < n; k++) {
		if ((e = apply_one(ctl, &list[k], err)) < 0) {
			snd_ctl_close(ctl);
			return e;
		}
		changed += e;
	}
	snd_ctl_close(ctl);
	return changed;
}
