/* interface: an audio interface's hardware constraints and the mixer settings a measurement needs, from profiles/interfaces/NAME.conf or a scenario's [interface] keys. */
#ifndef TONEWIRE_INTERFACE_H
#define TONEWIRE_INTERFACE_H

#include "profiles.h"

#define IFACE_MAX_FORMATS 8
#define IFACE_MAX_RATES 16
#define IFACE_MAX_CONTROLS 24
#define IFACE_MAX_CHANNELS 64      /* a device's channels; a jig uses at most FIXTURE_MAX_CHANNELS of them */
#define IFACE_CONTROL_NAME_MAX 64
#define IFACE_VALUE_MAX 32
#define IFACE_FORMAT_MAX 12

enum iface_dir { IFACE_PLAYBACK = 0, IFACE_CAPTURE = 1 };

/* What a control does for the measurement (and for the simulator, which
 * plays it): a direct monitor mixes inputs into outputs; phantom power puts
 * 48 V on a jig's inputs; the two gains scale every path. */
enum iface_role {
	IFACE_ROLE_CONTROL = 0,       /* anything else that must hold a value (routing, pads…) */
	IFACE_ROLE_DIRECT_MONITOR,
	IFACE_ROLE_PHANTOM_POWER,
	IFACE_ROLE_OUTPUT_LEVEL,
	IFACE_ROLE_INPUT_GAIN,
	IFACE_ROLE_COUNT
};

/* One ALSA mixer control (a ctl element, as `amixer controls` names it)
 * and a value: "off", "on", a whole number, "-6dB" / "0 dB", or the name
 * of an enumerated item ("Off", "PCM 1"). */
struct iface_control {
	char name[IFACE_CONTROL_NAME_MAX];   /* "Direct Monitor Playback Enum" */
	unsigned index;                      /* the element's index (",1" after the name) */
	enum iface_role role;
	char value[IFACE_VALUE_MAX];
	int fixed;                           /* scenarios only: the control refuses writes */
};

/* Bits of tw_interface.set: which keys were given (a scenario's keys
 * override its profile's one by one). */
enum {
	IFACE_SET_FORMATS_PLAY = 1u << 0, IFACE_SET_FORMATS_CAP = 1u << 1, IFACE_SET_RATES = 1u << 2,
	IFACE_SET_CH_PLAY = 1u << 3, IFACE_SET_CH_CAP = 1u << 4, IFACE_SET_PERIOD_MIN = 1u << 5,
	IFACE_SET_PERIOD_MAX = 1u << 6, IFACE_SET_BUFFER_MAX = 1u << 7, IFACE_SET_PERIODS_MAX = 1u << 8,
	IFACE_SET_MAP_OUT = 1u << 9, IFACE_SET_MAP_IN = 1u << 10, IFACE_SET_NAME = 1u << 11,
};

struct tw_interface {
	char name[PROFILE_NAME_MAX];         /* the profile's name; "" = none named */
	char description[PROFILE_DESC_MAX];
	char path[256];                      /* the profile file, "" = none */
	char usb_id[16];                     /* "1235:8210", as /proc/asound/cardN/usbid gives it; "" = none */
	char card_name[64];                  /* the ALSA card name ("Scarlett 2i2 USB"); "" = none */
	unsigned set;                        /* IFACE_SET_* */
	/* Per direction (enum iface_dir), in the order the hardware offers them;
	 * 0 formats / channels = anything sensible. ALSA names: S16_LE, S24_3LE,
	 * S24_LE, S32_LE, FLOAT_LE. */
	unsigned n_formats[2];
	char format[2][IFACE_MAX_FORMATS][IFACE_FORMAT_MAX];
	unsigned n_rates;                    /* 0 = the standard rates */
	unsigned rate[IFACE_MAX_RATES];      /* ascending */
	unsigned channels[2];                /* fixed channel counts, as hw: devices have them */
	/* Period and buffer limits in bytes, as the kernel's USB audio driver
	 * states them (sound/usb/pcm.c); 0 = the simulator's own limits. */
	unsigned period_bytes_min, period_bytes_max, buffer_bytes_max, periods_max;
	/* Scenarios only: the device channel (1-based) each jig output / input
	 * is wired to; 0 = the jig's own numbering. */
	unsigned map[2][FIXTURE_MAX_CHANNELS];
	/* [mixer]: the controls a measurement needs set, and to what. */
	unsigned n_controls;
	struct iface_control control[IFACE_MAX_CONTROLS];
	/* Scenarios only ('mixer' lines): the simulated controls' power-on
	 * values (default: what the profile needs), and which refuse writes. */
	unsigned n_power_on;
	struct iface_control power_on[IFACE_MAX_CONTROLS];
};

/* The formats tonewire converts itself (never through plughw), best first. */
extern const char *const iface_known_formats[];

/* Empty constraints (anything sensible). */
void iface_init(struct tw_interface *i);

/* One constraint key, as a scenario's [interface] section and a profile's
 * [interface] section both give them: formats, playback_formats,
 * capture_formats, rates, playback_channels, capture_channels,
 * period_bytes_min, period_bytes_max, buffer_bytes_max, periods_max;
 * scenario = 1 also accepts interface (the profile's name), jig_outputs,
 * jig_inputs and mixer ("NAME"[,INDEX] VALUE [fixed]). Returns 0, -ENOENT
 * (not an interface key: the caller goes on) or -EINVAL with a message
 * (without file:line: the caller knows where) in err. */
int iface_key(struct tw_interface *i, const char *key, const char *value, int scenario,
              char err[PROFILE_ERR_MAX]);

/* The keys iface_key knows, for "expected one of" messages. */
extern const char *const iface_scenario_keys;

/* Load profiles/interfaces/NAME.conf (looked up through p like other
 * profiles, or a path) into out. Returns 0, -ENOENT (err names the known
 * ones) or -EINVAL (err names file:line: field). */
int iface_load(const struct profiles *p, const char *name, struct tw_interface *out,
               char err[PROFILE_ERR_MAX]);

/* A scenario's constraints after its keys were read: when it names an
 * interface (sc->name), load that profile and lay the scenario's own keys
 * over it. base_dir (may be NULL) resolves a profile given as a relative
 * path. Returns 0 or iface_load's error. */
int iface_resolve(struct tw_interface *sc, const struct profiles *p, const char *base_dir,
                  char err[PROFILE_ERR_MAX]);

/* Names of every interface profile across the search path (first wins),
 * sorted; returns how many (at most max). */
unsigned iface_list(const struct profiles *p, char (*names)[PROFILE_NAME_MAX], unsigned max);

/* The profile whose usb_id ("1235:8210") or card name matches, loaded into
 * out. 0, or -ENOENT when none does. Either key may be NULL. */
int iface_identify(const struct profiles *p, const char *usb_id, const char *card_name,
                   struct tw_interface *out);

/* Parse a control line: "NAME"[,INDEX] VALUE [fixed] (fixed only when
 * allow_fixed). 0 or -EINVAL with err. */
int iface_parse_control(const char *s, int allow_fixed, struct iface_control *c, char err[PROFILE_ERR_MAX]);

/* "direct_monitor", …; and the role of a name (-1 when unknown). */
const char *iface_role_name(enum iface_role r);
int iface_role_parse(const char *s);

/* Whether value means on/off for a switch: 1 on, 0 off, -1 neither. */
int iface_value_bool(const char *value);
/* A level in dB ("-6dB", "0 dB"): 0 and *db, or -EINVAL. */
int iface_value_db(const char *value, double *db);

/* Whether a jig with n_out outputs and n_in inputs fits i: its maps (when
 * given) list one device channel per jig channel, and every one exists on
 * a device with fixed channel counts. 0 or -EINVAL with err. */
int iface_check_jig(const struct tw_interface *i, unsigned n_out, unsigned n_in, char err[PROFILE_ERR_MAX]);

/* The device channel (1-based) jig output/input i is wired to under i's map. */
unsigned iface_channel(const struct tw_interface *i, enum iface_dir dir, unsigned idx);

#endif
