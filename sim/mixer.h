/* mixer: the simulated interface's mixer controls, shared by every process that opens the scenario (its PCM and its ctl) and kept while it is "powered". */
#ifndef TONEWIRE_SIM_MIXER_H
#define TONEWIRE_SIM_MIXER_H

#include <stdatomic.h>
#include <stdint.h>

#include "scenario.h"

#define SIMMIX_ERR_MAX 256
#define SIMMIX_MAX_ITEMS 8

enum simmix_type { SIMMIX_BOOLEAN = 1, SIMMIX_INTEGER, SIMMIX_ENUMERATED };

/* One control, as the ctl plugin shows it. */
struct simmix_ctl {
	char name[IFACE_CONTROL_NAME_MAX];
	unsigned index;
	int type;                     /* enum simmix_type */
	int role;                     /* enum iface_role */
	int fixed;                    /* writes fail with -EPERM (a front-panel switch) */
	unsigned count;               /* values (channels) */
	long min, max;                /* integers */
	int db;                       /* an integer in half-dB steps: value v is v/2 dB */
	unsigned n_items;
	char item[SIMMIX_MAX_ITEMS][32];
	char needed[IFACE_VALUE_MAX]; /* the value the profile says a measurement needs */
	long value[2];
};

typedef struct simmix simmix;

/* Attach to the mixer of the scenario whose real path is key, creating it
 * with the scenario's power-on values when the interface was "unplugged"
 * (no state yet, or the scenario file changed since). NULL with err when
 * the shared state cannot be made. */
simmix *simmix_open(const struct scenario *sc, const char *key, char err[SIMMIX_ERR_MAX]);
void simmix_close(simmix *m);   /* accepts NULL */

/* The controls (stable for the life of the state). */
unsigned simmix_count(const simmix *m);
const struct simmix_ctl *simmix_ctl(const simmix *m, unsigned i);
/* Index of the control called name,index or -1. */
int simmix_find(const simmix *m, const char *name, unsigned index);

/* Set control i's values (count of them). Returns 1 changed, 0 unchanged,
 * -EPERM for a fixed control, -EINVAL for a value out of range. */
int simmix_write(simmix *m, unsigned i, const long *values);
/* Read control i's values into values (count of them). */
void simmix_read(const simmix *m, unsigned i, long *values);
/* Bumped by every change: the PCM side looks again when it moves. */
uint32_t simmix_generation(const simmix *m);

/* What the controls do to the signal now: the direct monitor's gain from
 * each input into the output of the same channel number (0 = off), and a
 * gain in dB on every path from the level controls' distance to the values
 * the profile needs. */
void simmix_effect(const simmix *m, double *monitor_gain, double *gain_db);

#endif
