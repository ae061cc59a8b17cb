/* mixer: sets and checks the interface's mixer controls a measurement depends on (direct monitor off, fixed levels, phantom power off). */
#ifndef TONEWIRE_MIXER_H
#define TONEWIRE_MIXER_H

#include <alsa/asoundlib.h>
#include <stddef.h>

#include "interface.h"

#define MIXER_ERR_MAX 256

/* The control device of an open PCM, into out: "hw:N" for a card's PCM,
 * the PCM's own name for a plugin that is also a control plugin
 * (tonewire_sim:…). 0, or -ENODEV when the PCM has none. */
int mixer_ctl_name(snd_pcm_t *pcm, const char *pcm_name, char *out, size_t len);

/* Make every control of list hold its value: read it, write it only when it
 * differs, read it back. Returns how many were changed (0 when all already
 * held), -ENODEV when ctl_name cannot be opened, or -EACCES with err naming
 * the first control that is missing, refuses the value or does not keep it. */
int mixer_apply(const char *ctl_name, const struct iface_control *list, unsigned n, char err[MIXER_ERR_MAX]);

#endif
