/* devices: probes ALSA cards and PCMs, finds who holds a busy device through /proc, and matches interface profiles and jigs to devices. */
#include "devices.h"

#include <alsa/asoundlib.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Rates a probe tries: every rate a USB interface offers. */
static const unsigned probe_rates[] = { 8000, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 176400, 192000, 352800, 384000 };

/* "USB1235:8210" in s (a card's components or long name) as "1235:8210". */
static int usb_id_in(const char *s, char out[16])
{
	for (const char *p = s; p && (p = strstr(p, "USB")); p += 3) {
		unsigned v, d;
		if (sscanf(p + 3, "%4x:%4x", &v, &d) == 2 && isxdigit((unsigned char)p[3]) && p[7] == ':') {
			snprintf(out, 16, "%04x:%04x", v, d);
			return 0;
		}
	}
	return -ENOENT;
}

/* The card's control device: name, long name and USB id. */
static void card_info(const char *ctl_name, int card, char *name, size_t nlen, char usb[16])
{
	snd_ctl_t *ctl;
	snd_ctl_card_info_t *info;
	char path[64];
	FILE *f;

	name[0] = usb[0] = '\0';
	snd_ctl_card_info_alloca(&info);
	if (snd_ctl_open(&ctl, ctl_name, SND_CTL_NONBLOCK) == 0) {
		if (snd_ctl_card_info(ctl, info) == 0) {
			snprintf(name, nlen, "%s", snd_ctl_card_info_get_name(info));
			if (usb_id_in(snd_ctl_card_info_get_components(info), usb) < 0)
				usb_id_in(snd_ctl_card_info_get_longname(info), usb);
		}
		snd_ctl_close(ctl);
	}
	snprintf(path, sizeof path, "/proc/asound/card%d/usbid", card);
	if (card >= 0 && !usb[0] && (f = fopen(path, "r"))) {
		if (fgets(usb, 16, f))
			usb[strcspn(usb, "\n")] = '\0';
		fclose(f);
	}
}

/* The control device that goes with a PCM name, without opening the PCM. */
static void ctl_of(const char *pcm, char *out, size_t len, int *card)
{
	int dev;

	*card = -1;
	if (holders_card_device(pcm, card, &dev) == 0)
		snprintf(out, len, "hw:%d", *card);
	else
		snprintf(out, len, "%s", pcm);
}

int devices_identify(const struct profiles *p, const char *pcm, struct tw_interface *out)
{
	char ctl[600], name[80], usb[16];
	int card;

	ctl_of(pcm, ctl, sizeof ctl, &card);
	card_info(ctl, card, name, sizeof name, usb);
	return iface_identify(p, usb, name, out);
}

static json_t *probe_dir(const char *pcm, snd_pcm_stream_t stream)
{
	snd_pcm_t *h;
	snd_pcm_hw_params_t *hw;
	json_t *o = json_object(), *fmts = json_array(), *rates = json_array();
	unsigned lo = 0, hi = 0;
	int e;

	char said[256];
	if ((e = holders_pcm_open(&h, pcm, stream == SND_PCM_STREAM_CAPTURE, SND_PCM_NONBLOCK, said, sizeof said)) < 0) {
		json_decref(fmts);
		json_decref(rates);
		if (e != -EBUSY) {
			json_decref(o);
			return json_null();   /* no such direction */
		}
		char msg[512];
		holders_busy_message(pcm, stream == SND_PCM_STREAM_CAPTURE, said, msg, sizeof msg);
		json_object_set_new(o, "busy", json_true());
		json_object_set_new(o, "held_by", json_string(msg));
		return o;
	}
	snd_pcm_hw_params_alloca(&hw);
	if (snd_pcm_hw_params_any(h, hw) >= 0) {
		for (unsigned k = 0; iface_known_formats[k]; k++)
			if (snd_pcm_hw_params_test_format(h, hw, snd_pcm_format_value(iface_known_formats[k])) == 0)
				json_array_append_new(fmts, json_string(iface_known_formats[k]));
		for (unsigned k = 0; k < sizeof probe_rates / sizeof probe_rates[0]; k++)
			if (snd_pcm_hw_params_test_rate(h, hw, probe_rates[k], 0) == 0)
				json_array_append_new(rates, json_integer(probe_rates[k]));
		snd_pcm_hw_params_get_channels_min(hw, &lo);
		snd_pcm_hw_params_get_channels_max(hw, &hi);
	}
	snd_pcm_close(h);
	json_object_set_new(o, "formats", fmts);
	json_object_set_new(o, "rates", rates);
	json_object_set_new(o, "channels", json_pack("{s:i, s:i}", "min", (json_int_t)lo, "max", (json_int_t)hi));
	json_object_set_new(o, "busy", json_false());
	return o;
}

json_t *devices_probe(const char *pcm)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "pcm", json_string(pcm));
	json_object_set_new(o, "playback", probe_dir(pcm, SND_PCM_STREAM_PLAYBACK));
	json_object_set_new(o, "capture", probe_dir(pcm, SND_PCM_STREAM_CAPTURE));
	return o;
}

static unsigned max_channels(const json_t *dir)
{
	return (unsigned)json_integer_value(json_object_get(json_object_get(dir, "channels"), "max"));
}

/* The card, profile and fitting jigs of one probed PCM. */
static void describe(json_t *d, const struct profiles *p, const char *pcm)
{
	struct tw_interface *iface = malloc(sizeof *iface);
	struct tw_jig *jig = malloc(sizeof *jig);
	char names[128][PROFILE_NAME_MAX], ctl[600], cname[80], usb[16], err[PROFILE_ERR_MAX];
	unsigned n_out = max_channels(json_object_get(d, "playback"));
	unsigned n_in = max_channels(json_object_get(d, "capture"));
	json_t *jigs = json_array();
	int card;

	ctl_of(pcm, ctl, sizeof ctl, &card);
	card_info(ctl, card, cname, sizeof cname, usb);
	json_object_set_new(d, "card", cname[0] ? json_string(cname) : json_null());
	json_object_set_new(d, "usb_id", usb[0] ? json_string(usb) : json_null());
	json_object_set_new(d, "interface", iface && iface_identify(p, usb, cname, iface) == 0 ? json_string(iface->name)
	                                                                                       : json_null());
	/* A jig fits when the device has at least as many channels each way
	 * (and can be opened: a busy direction says nothing). */
	unsigned n = profiles_list(p, PROFILE_JIG, names, 128);
	for (unsigned k = 0; jig && k < n && n_out && n_in; k++)
		if (profiles_load_jig(p, names[k], jig, err) == 0 && jig->fixture.n_outputs <= n_out &&
		    jig->fixture.n_inputs <= n_in)
			json_array_append_new(jigs, json_string(names[k]));
	json_object_set_new(d, "jigs", jigs);
	free(iface);
	free(jig);
}

json_t *devices_json(const struct profiles *p, const char *const *extra, unsigned n_extra)
{
	json_t *list = json_array();
	int card = -1;

	while (snd_card_next(&card) == 0 && card >= 0) {
		char ctl_name[32], pcm[48];
		snd_ctl_t *ctl;
		int dev = -1;

		snprintf(ctl_name, sizeof ctl_name, "hw:%d", card);
		if (snd_ctl_open(&ctl, ctl_name, SND_CTL_NONBLOCK) < 0)
			continue;
		while (snd_ctl_pcm_next_device(ctl, &dev) == 0 && dev >= 0) {
			snprintf(pcm, sizeof pcm, "hw:%d,%d", card, dev);
			json_t *d = devices_probe(pcm);
			if (d) {
				describe(d, p, pcm);
				json_array_append_new(list, d);
			}
		}
		snd_ctl_close(ctl);
	}
	for (unsigned k = 0; k < n_extra; k++) {
		json_t *d = devices_probe(extra[k]);
		if (d) {
			describe(d, p, extra[k]);
			json_array_append_new(list, d);
		}
	}
	return json_pack("{s:o}", "devices", list);
}

duplex *devices_open_duplex(const struct devices_open *o, struct tw_interface *used, char err[DUPLEX_ERR_MAX],
                            int *errnum)
{
	iface_init(used);
	if (o->iface)
		*used = *o->iface;
	else if (!o->no_iface && devices_identify(o->profiles, o->device, used) < 0)
		iface_init(used);
	struct duplex_cfg dc = { .device = o->device, .capture_device = o->capture_device, .rate = o->rate,
	                         .out_channels = o->out_channels, .in_channels = o->in_channels,
	                         .out_map = o->out_map, .in_map = o->in_map, .period_frames = o->period,
	                         .periods = o->periods, .iface = used->name[0] ? used : NULL };
	return duplex_open(&dc, err, errnum);
}
