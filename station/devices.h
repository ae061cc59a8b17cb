/* devices: the audio devices of this machine as a station sees them — what each offers, who holds a busy one, which interface profile and jigs fit it. */
#ifndef TONEWIRE_DEVICES_H
#define TONEWIRE_DEVICES_H

#include <alsa/asoundlib.h>
#include <jansson.h>
#include <stddef.h>

#include "duplex.h"
#include "interface.h"
#include "profiles.h"

/* The processes that have dev_path (a device node such as
 * /dev/snd/pcmC1D0p) open, found through proc_root/PID/fd (proc_root NULL:
 * /proc), as "pid 1234 (pipewire)" separated by ", " into out. Returns how
 * many; sets *sound_server when one of them is PipeWire, WirePlumber or
 * PulseAudio (may be NULL). */
int devices_holders(const char *proc_root, const char *dev_path, char *out, size_t len, int *sound_server);

/* A message for people about a PCM that is busy: who holds it where Linux
 * can tell (the process with its /dev/snd node open, or the process a
 * plugin's own message names in alsa_msg, which may be NULL) and how to
 * release it. */
void devices_busy_message(const char *pcm, int capture, const char *alsa_msg, char *out, size_t len);

/* snd_pcm_open, keeping what ALSA said about a failure (a plugin names who
 * holds it) in msg (may be NULL). Returns snd_pcm_open's result. */
int devices_pcm_open(snd_pcm_t **pcm, const char *name, int capture, int mode, char *msg, size_t len);

/* The interface profile of the device behind pcm (its card's USB id, else
 * its card name), loaded through p into out. 0, or -ENOENT. */
int devices_identify(const struct profiles *p, const char *pcm, struct tw_interface *out);

/* What pcm offers in each direction, as JSON:
 * {"pcm", "playback": {"formats": [...], "rates": [...], "channels":
 * {"min", "max"}, "busy": bool, "held_by": "…"} | null, "capture": …}.
 * A new reference; NULL only when out of memory. */
json_t *devices_probe(const char *pcm);

/* Every sound card's PCMs (hw:CARD,DEV), each probed as above with its
 * card's name, USB id, interface profile, and the shipped jigs whose
 * channels fit ("jigs"), followed by the extra PCMs given (a simulated
 * interface, a named device). {"devices": [...]}. A new reference. */
json_t *devices_json(const struct profiles *p, const char *const *extra, unsigned n_extra);

/* A local device as the CLI and the benchmarks open it. */
struct devices_open {
	const char *device;           /* both directions, or playback when capture_device is set */
	const char *capture_device;   /* NULL: device */
	const struct tw_interface *iface;   /* the interface's profile; NULL: recognise it from the card */
	int no_iface;                 /* apply no profile at all */
	const struct profiles *profiles;
	unsigned rate, out_channels, in_channels;
	const unsigned *out_map, *in_map;   /* device channels (1-based) of the jig's; NULL: 1, 2, 3… */
	unsigned period, periods;     /* 0: duplex's defaults */
};

/* Open o's device(s) with o->iface (or the profile recognised from the
 * card), which is copied into *used (used->name "" when none applies).
 * NULL with err and *errnum as duplex_open gives them. */
duplex *devices_open_duplex(const struct devices_open *o, struct tw_interface *used, char err[DUPLEX_ERR_MAX],
                            int *errnum);

#endif
