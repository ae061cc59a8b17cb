/* hw: the simulated interface's hardware as ALSA sees it — the hw_params it offers, its sample formats, and where the jig sits among its channels. */
#ifndef TONEWIRE_SIM_HW_H
#define TONEWIRE_SIM_HW_H

#include <alsa/asoundlib.h>
#include <alsa/pcm_external.h>

#include "scenario.h"

/* One direction of the device. */
struct hw_dir {
	int capture;
	unsigned dev_ch;                         /* channels the device has (hw_params must ask for them) */
	unsigned jig_ch;                         /* channels the jig uses */
	unsigned map[FIXTURE_MAX_CHANNELS];      /* device channel (0-based) of each jig channel */
	unsigned n_formats;
	snd_pcm_format_t format[IFACE_MAX_FORMATS];
	unsigned n_rates;
	unsigned rate[IFACE_MAX_RATES];
};

/* The direction's channels, formats and rates from the scenario (its
 * [interface] keys and profile; defaults: every format tonewire knows,
 * the standard rates, as many channels as the jig's highest). */
void hw_dir_init(struct hw_dir *d, const struct scenario *sc, int capture);

/* Tell ioplug what the device accepts, so that anything else is refused
 * when the client refines or installs hw_params, as a kernel driver's
 * constraints refuse it. peer_rate (0: none) is the rate the other
 * direction already runs at: one clock for both. */
int hw_constrain(snd_pcm_ioplug_t *io, const struct hw_dir *d, const struct tw_interface *i, unsigned peer_rate);

/* 1 when rate is one this direction offers. */
int hw_rate_ok(const struct hw_dir *d, unsigned rate);

/* Client (device) frames [offset, offset + n) in format fmt to n jig frames
 * of floats (playback: what the DAC puts on the jig's outputs). */
void hw_from_client(const struct hw_dir *d, snd_pcm_format_t fmt, const snd_pcm_channel_area_t *areas,
                    snd_pcm_uframes_t offset, unsigned n, float *jig);

/* n jig frames to device frames in fmt (capture: what the ADC delivers);
 * device channels the jig does not use carry silence. */
void hw_to_client(const struct hw_dir *d, snd_pcm_format_t fmt, const float *jig, unsigned n,
                  const snd_pcm_channel_area_t *areas, snd_pcm_uframes_t offset);

#endif
