/* holders: who holds a busy sound device, and opening a PCM so that what ALSA said about a failure is kept. */
#ifndef TONEWIRE_HOLDERS_H
#define TONEWIRE_HOLDERS_H

#include <alsa/asoundlib.h>
#include <stddef.h>

/* The processes that have dev_path (a device node such as
 * /dev/snd/pcmC1D0p) open, found through proc_root/PID/fd (proc_root NULL:
 * /proc), as "pid 1234 (pipewire)" separated by ", " into out. Returns how
 * many; sets *sound_server when one of them is PipeWire, WirePlumber or
 * PulseAudio (may be NULL). */
int holders_find(const char *proc_root, const char *dev_path, char *out, size_t len, int *sound_server);

/* A message for people about a PCM that is busy: who holds it where Linux
 * can tell (the process with its /dev/snd node open, or the process a
 * plugin's own message names in alsa_msg, which may be NULL) and how to
 * release it. */
void holders_busy_message(const char *pcm, int capture, const char *alsa_msg, char *out, size_t len);

/* snd_pcm_open, keeping what ALSA said about a failure (a plugin names who
 * holds it) in msg (may be NULL). Returns snd_pcm_open's result. */
int holders_pcm_open(snd_pcm_t **pcm, const char *name, int capture, int mode, char *msg, size_t len);

/* Card and device of a hw-backed PCM name ("hw:1,0",
 * "plughw:CARD=Jig,DEV=0", "hw:Jig"). 0, or -EINVAL when the name does not
 * name one. */
int holders_card_device(const char *pcm, int *card, int *dev);

#endif
