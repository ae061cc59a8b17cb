/* fixture: the physical model of a jig with a cable in it (contacts, drives, senses, loads, conductors). */
#ifndef TONEWIRE_FIXTURE_H
#define TONEWIRE_FIXTURE_H

#include "network.h"

#define FIXTURE_MAX_CONTACTS 48    /* both ends together */
#define FIXTURE_MAX_CHANNELS 16    /* outputs and inputs */
#define FIXTURE_MAX_TIES 16
#define FIXTURE_MAX_LOADS 32
#define WIRING_MAX 64
#define FIXTURE_NAME_MAX 32

/* Contact roles (docs/formats.md, connectors). */
enum role {
	ROLE_NONE = 0,
	ROLE_L, ROLE_R, ROLE_G, ROLE_MIC,
	ROLE_LP, ROLE_LN, ROLE_RP, ROLE_RN,   /* L+ L- R+ R- */
	ROLE_P, ROLE_N,                       /* + - */
	ROLE_SIG, ROLE_GND, ROLE_SHIELD, ROLE_DATA, ROLE_NC,
	ROLE_COUNT
};

/* "L", "L+", "-", … ; "?" for an invalid role. */
const char *role_name(enum role r);
/* Parse a role name (ASCII '-' or U+2212 '−'). Returns 0 or -EINVAL. */
int role_parse(const char *s, enum role *out);

struct fixture_contact {
	char name[FIXTURE_NAME_MAX];   /* "A.T", "B.left.+" */
	unsigned end;                  /* 0 = A (near, driven), 1 = B (far, sensed) */
	char plug[16];                 /* plug label of a multi-plug end ("left"), else "" */
	enum role role;                /* the cable's role for this contact (names faults) */
	enum role socket_role;         /* the jig socket's role for this contact */
};

struct fixture_load {
	int a, b;                      /* contact indexes; b = -1: load to ground */
	double ohms;
};

/* A jig with its sockets: plain data, filled by the profile loader. */
struct fixture {
	char jig[64];
	unsigned n_contacts;
	struct fixture_contact contact[FIXTURE_MAX_CONTACTS];
	double source_ohms;            /* output resistance of every driven output */
	double input_ohms;             /* every sensed contact's impedance to ground */
	unsigned n_outputs;
	int output[FIXTURE_MAX_CHANNELS];      /* output channel i drives this contact */
	unsigned n_inputs;
	int input_pos[FIXTURE_MAX_CHANNELS];   /* input channel i senses V(pos) - V(neg) */
	int input_neg[FIXTURE_MAX_CHANNELS];   /* -1: against ground */
	unsigned n_ties;
	int tie[FIXTURE_MAX_TIES];             /* contacts tied to the interface ground */
	unsigned n_loads;
	struct fixture_load load[FIXTURE_MAX_LOADS];
};

/* A conductor or unwanted resistance between two contacts of a fixture. */
struct conductor {
	int a, b;                      /* contact indexes */
	double ohms;
};

/* How a cable is (or should be) built: its conductors. Not listed = open. */
struct wiring {
	unsigned n;
	struct conductor c[WIRING_MAX];
};

#define WIRING_DEFAULT_OHMS 0.05   /* a typical conductor: ~1 m of 28 AWG copper */

/* Index of the contact called name ("A.T"), or -1. */
int fixture_find_contact(const struct fixture *f, const char *name);

/* Build f with the cable wiring w into net: one node per contact, sources
 * for outputs, senses for inputs, ties, loads, input impedances and the
 * conductors. Returns 0 or a negative errno. */
int fixture_network(const struct fixture *f, const struct wiring *w, network *net);

/* The gain matrix of f with cable w: gain[i * n_outputs + o] is the voltage at
 * input i per volt of output o (real; negative = inverted). net is scratch.
 * Returns 0 or a negative errno. */
int fixture_gains(const struct fixture *f, const struct wiring *w, network *net, double *gain);

#endif
