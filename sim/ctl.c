/* ctl: the ALSA control plugin "tonewire_sim" — the simulated interface's mixer controls, for amixer, snd_mixer and the station. */
#include <alsa/asoundlib.h>
#include <alsa/control_external.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "mixer.h"
#include "scenario.h"

/* dB scale of the level controls: -100 dB at the minimum (-200), 0.5 dB a
 * step, as SNDRV_CTL_TLVT_DB_SCALE states it (centi-dB). */
#define TLV_DB_SCALE 1
#define TLV_MIN_CDB (-10000)
#define TLV_STEP_CDB 50

struct simctl {
	snd_ctl_ext_t ext;
	simmix *mix;
	int event_fd;
};

static int ctl_count(snd_ctl_ext_t *ext)
{
	struct simctl *c = ext->private_data;
	return (int)simmix_count(c->mix);
}

static int ctl_list(snd_ctl_ext_t *ext, unsigned int offset, snd_ctl_elem_id_t *id)
{
	struct simctl *c = ext->private_data;
	const struct simmix_ctl *m;

	if (offset >= simmix_count(c->mix))
		return -EINVAL;
	m = simmix_ctl(c->mix, offset);
	snd_ctl_elem_id_set_interface(id, SND_CTL_ELEM_IFACE_MIXER);
	snd_ctl_elem_id_set_name(id, m->name);
	snd_ctl_elem_id_set_index(id, m->index);
	return 0;
}

static snd_ctl_ext_key_t ctl_find(snd_ctl_ext_t *ext, const snd_ctl_elem_id_t *id)
{
	struct simctl *c = ext->private_data;
	unsigned numid = snd_ctl_elem_id_get_numid(id);
	int k;

	if (numid > 0 && numid <= simmix_count(c->mix))
		return numid - 1;
	k = simmix_find(c->mix, snd_ctl_elem_id_get_name(id), snd_ctl_elem_id_get_index(id));
	return k < 0 ? SND_CTL_EXT_KEY_NOT_FOUND : (snd_ctl_ext_key_t)k;
}

static int ctl_attribute(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, int *type, unsigned int *acc,
                         unsigned int *count)
{
	struct simctl *c = ext->private_data;
	const struct simmix_ctl *m = simmix_ctl(c->mix, (unsigned)key);

	*type = m->type == SIMMIX_BOOLEAN ? SND_CTL_ELEM_TYPE_BOOLEAN
	        : m->type == SIMMIX_INTEGER ? SND_CTL_ELEM_TYPE_INTEGER : SND_CTL_ELEM_TYPE_ENUMERATED;
	*acc = SND_CTL_EXT_ACCESS_READWRITE;
	if (m->db)
		*acc |= SND_CTL_EXT_ACCESS_TLV_READ | SND_CTL_EXT_ACCESS_TLV_CALLBACK;
	*count = m->count;
	return 0;
}

static int ctl_integer_info(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, long *imin, long *imax, long *istep)
{
	struct simctl *c = ext->private_data;
	const struct simmix_ctl *m = simmix_ctl(c->mix, (unsigned)key);

	*imin = m->min;
	*imax = m->max;
	*istep = 1;
	return 0;
}

static int ctl_enum_info(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, unsigned int *items)
{
	struct simctl *c = ext->private_data;
	*items = simmix_ctl(c->mix, (unsigned)key)->n_items;
	return 0;
}

static int ctl_enum_name(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, unsigned int item, char *name, size_t max)
{
	struct simctl *c = ext->private_data;
	const struct simmix_ctl *m = simmix_ctl(c->mix, (unsigned)key);

	if (item >= m->n_items)
		return -EINVAL;
	snprintf(name, max, "%s", m->item[item]);
	return 0;
}

static int ctl_read_integer(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, long *value)
{
	struct simctl *c = ext->private_data;
	simmix_read(c->mix, (unsigned)key, value);
	return 0;
}

static int ctl_read_enum(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, unsigned int *items)
{
	struct simctl *c = ext->private_data;
	long v[2];
	unsigned n = simmix_ctl(c->mix, (unsigned)key)->count;

	simmix_read(c->mix, (unsigned)key, v);
	for (unsigned k = 0; k < n; k++)
		items[k] = (unsigned)v[k];
	return 0;
}

static int ctl_write_integer(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, long *value)
{
	struct simctl *c = ext->private_data;
	return simmix_write(c->mix, (unsigned)key, value);
}

static int ctl_write_enum(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, unsigned int *items)
{
	struct simctl *c = ext->private_data;
	long v[2] = { 0, 0 };
	unsigned n = simmix_ctl(c->mix, (unsigned)key)->count;

	for (unsigned k = 0; k < n; k++)
		v[k] = (long)items[k];
	return simmix_write(c->mix, (unsigned)key, v);
}

static int ctl_tlv(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, int op_flag, unsigned int numid, unsigned int *tlv,
                   unsigned int tlv_size)
{
	struct simctl *c = ext->private_data;
	const int scale[4] = { TLV_DB_SCALE, 2 * sizeof(int), TLV_MIN_CDB, TLV_STEP_CDB };

	(void)numid;
	if (op_flag != 0 || !simmix_ctl(c->mix, (unsigned)key)->db)
		return -ENXIO;
	if (tlv_size < sizeof scale)
		return -ENOMEM;
	memcpy(tlv, scale, sizeof scale);
	return 0;
}

/* No events are ever queued: values change only when written. */
static int ctl_read_event(snd_ctl_ext_t *ext, snd_ctl_elem_id_t *id, unsigned int *event_mask)
{
	(void)ext;
	(void)id;
	(void)event_mask;
	return -EAGAIN;
}

static void ctl_close(snd_ctl_ext_t *ext)
{
	struct simctl *c = ext->private_data;
	simmix_close(c->mix);
	if (c->event_fd >= 0)
		close(c->event_fd);
	free(c);
}

static const snd_ctl_ext_callback_t ctl_callbacks = {
	.close = ctl_close,
	.elem_count = ctl_count,
	.elem_list = ctl_list,
	.find_elem = ctl_find,
	.get_attribute = ctl_attribute,
	.get_integer_info = ctl_integer_info,
	.get_enumerated_info = ctl_enum_info,
	.get_enumerated_name = ctl_enum_name,
	.read_integer = ctl_read_integer,
	.read_enumerated = ctl_read_enum,
	.write_integer = ctl_write_integer,
	.write_enumerated = ctl_write_enum,
	.read_event = ctl_read_event,
};

static int ctl_open(snd_ctl_t **handlep, const char *name, const char *path, int mode)
{
	struct simctl *c = NULL;
	struct scenario *sc = NULL;
	struct profiles prof;
	char err[PROFILE_ERR_MAX], real[PATH_MAX];
	int rc;

	if (!path || !*path) {
		SNDERR("tonewire_sim: no scenario: open the control tonewire_sim:/path/to/scenario.conf");
		return -EINVAL;
	}
	if (!(sc = calloc(1, sizeof *sc)) || !(c = calloc(1, sizeof *c))) {
		free(sc);
		return -ENOMEM;
	}
	c->event_fd = -1;
	profiles_init(&prof, NULL);
	if ((rc = scenario_load(path, &prof, sc, err)) < 0) {
		SNDERR("tonewire_sim: %s", err);
		goto fail;
	}
	if (sc->unplugged) {
		SNDERR("tonewire_sim: %s: [interface] unplugged = true: no such device", path);
		rc = -ENODEV;
		goto fail;
	}
	if (!realpath(path, real)) {
		rc = -errno;
		goto fail;
	}
	if (!(c->mix = simmix_open(sc, real, err))) {
		SNDERR("tonewire_sim: %s", err);
		rc = -EIO;
		goto fail;
	}
	c->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	c->ext.version = SND_CTL_EXT_VERSION;
	c->ext.card_idx = -1;
	snprintf(c->ext.id, sizeof c->ext.id, "TonewireSim");
	snprintf(c->ext.driver, sizeof c->ext.driver, "tonewire_sim");
	snprintf(c->ext.name, sizeof c->ext.name, "%.31s", sc->hw.card_name[0] ? sc->hw.card_name : "tonewire sim");
	/* The USB id where a real card's components give it, so a station
	 * recognises the interface the scenario plays. */
	snprintf(c->ext.longname, sizeof c->ext.longname, "%.40s (simulated)%s%s",
	         sc->hw.name[0] ? sc->hw.name : "tonewire_sim", sc->hw.usb_id[0] ? " USB" : "", sc->hw.usb_id);
	snprintf(c->ext.mixername, sizeof c->ext.mixername, "tonewire_sim mixer");
	c->ext.poll_fd = c->event_fd;
	c->ext.callback = &ctl_callbacks;
	c->ext.private_data = c;
	c->ext.tlv.c = ctl_tlv;
	free(sc);
	sc = NULL;
	if ((rc = snd_ctl_ext_create(&c->ext, name, mode)) < 0) {
		ctl_close(&c->ext);
		return rc;
	}
	*handlep = c->ext.handle;
	return 0;
fail:
	simmix_close(c->mix);
	if (c->event_fd >= 0)
		close(c->event_fd);
	free(c);
	free(sc);
	return rc;
}

/* The control half of the module shares the PCM's visibility rules. */
#pragma GCC visibility push(default)
int SND_CTL_PLUGIN_ENTRY(tonewire_sim)(snd_ctl_t **handlep, const char *name, snd_config_t *root,
                                       snd_config_t *conf, int mode);
SND_CTL_PLUGIN_DEFINE_FUNC(tonewire_sim)
{
	snd_config_iterator_t i, next;
	const char *scenario = NULL;

	(void)root;
	snd_config_for_each(i, next, conf) {
		snd_config_t *n = snd_config_iterator_entry(i);
		const char *id;

		if (snd_config_get_id(n, &id) < 0)
			continue;
		if (!strcmp(id, "comment") || !strcmp(id, "type") || !strcmp(id, "hint") || !strcmp(id, "unit"))
			continue;
		if (!strcmp(id, "scenario")) {
			if (snd_config_get_string(n, &scenario) < 0) {
				SNDERR("tonewire_sim: scenario must be a string (a path)");
				return -EINVAL;
			}
			continue;
		}
		SNDERR("tonewire_sim: unknown field %s (expected scenario)", id);
		return -EINVAL;
	}
	return ctl_open(handlep, name, scenario, mode);
}

SND_CTL_PLUGIN_SYMBOL(tonewire_sim);
#pragma GCC visibility pop
