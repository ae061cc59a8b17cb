/* devices: the audio devices of this machine as a station sees them — what each offers, who holds a busy one, which interface profile and jigs fit it. */
#ifndef TONEWIRE_DEVICES_H
#define TONEWIRE_DEVICES_H

#include <alsa/asoundlib.h>
#include <jansson.h>
#include <stddef.h>

#include "duplex.h"
#include "holders.h"
#include "interface.h"
#include "profiles.h"

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
