/* End to end: the station (duplex, mixer, sessions) on simulated real interfaces — every format, jigs on any device channels, fixed channel counts, two devices, the mixer, busy devices. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "devices.h"
#include "scenario.h"
#include "session.h"
#include "test_sim_common.h"

#define STRAIGHT_4CH "wire = A.T B.T\nwire = A.R1 B.R1\nwire = A.R2 B.R2\nwire = A.S B.S\n"
#define SHORT_4CH STRAIGHT_4CH "short = A.T A.R1 0.5\n"
#define STRAIGHT_TRS "wire = A.T B.T\nwire = A.R B.R\nwire = A.S B.S\n"
#define SWAPPED_TRS "wire = A.T B.R\nwire = A.R B.T\nwire = A.S B.S\n"

static void assert_contains(const char *haystack, const char *needle)
{
	if (!haystack || !strstr(haystack, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, haystack ? haystack : "(null)");
}

/* A scenario file: jig, [interface] lines (pace fast, a little noise), cable lines. */
static char *scenario(const char *name, const char *jig, const char *iface, const char *cable)
{
	char text[2048];
	snprintf(text, sizeof text, "[scenario]\njig = %s\n\n[interface]\npace = fast\nnoise_dbfs = -100\n%s\n[cable]\n%s",
	         jig, iface, cable);
	return sim_scenario(name, text);
}

/* What one test through the station gave. */
struct outcome {
	int open_errno;
	char err[DUPLEX_ERR_MAX];
	char format[40];
	unsigned dev_out, dev_in;
	json_t *result;       /* NULL when the device did not open */
	double latency;
};

struct run {
	const char *device, *capture_device;
	const char *cable;
	unsigned rate;
	const unsigned *out_map, *in_map;
	const char *interface;   /* NULL: recognise it; "none" */
	void (*between)(void *ctx);   /* after open, before the test (e.g. someone touches the mixer) */
	void *ctx;
};

/* Open the device as the CLI does and run one test session. */
static struct outcome test_once(const char *scenario_path, const struct run *r)
{
	struct outcome o = { 0 };
	struct profiles prof;
	char dev[512], err[PROFILE_ERR_MAX];
	struct station_cable *st = calloc(1, sizeof *st);
	struct tw_interface *used = malloc(sizeof *used), *named = malloc(sizeof *named);
	struct scenario *sc = calloc(1, sizeof *sc);

	assert_non_null(st);
	assert_non_null(used);
	assert_non_null(sc);
	profiles_init(&prof, NULL);
	assert_int_equal(scenario_load(scenario_path, &prof, sc, err), 0);
	assert_int_equal(station_cable_fit(&prof, &sc->jig, r->cable, st, err), 0);
	snprintf(dev, sizeof dev, "tonewire_sim:%s", scenario_path);
	classifier *cls = classifier_create(&st->fx, &st->expected, &st->cable.limits);
	struct measure_cfg mc = { .rate = r->rate ? r->rate : 48000, .n_outputs = st->fx.n_outputs,
	                          .n_inputs = st->fx.n_inputs };
	measure *ms = measure_create(&mc, err);
	assert_non_null(cls);
	assert_non_null(ms);
	if (r->interface && strcmp(r->interface, "none"))
		assert_int_equal(iface_load(&prof, r->interface, named, err), 0);
	struct devices_open dop = { .device = r->device ? r->device : dev, .capture_device = r->capture_device,
	                            .profiles = &prof, .rate = mc.rate, .out_channels = st->fx.n_outputs,
	                            .in_channels = st->fx.n_inputs, .out_map = r->out_map, .in_map = r->in_map,
	                            .iface = r->interface && strcmp(r->interface, "none") ? named : NULL,
	                            .no_iface = r->interface && !strcmp(r->interface, "none") };
	duplex *dx = devices_open_duplex(&dop, used, o.err, &o.open_errno);
	struct session s = { .ms = ms, .cls = cls, .sc = st, .t0 = clock_now_ms(),
	                     .meta = { .device = dop.device, .rate = mc.rate, .started_at = 0 } };
	if (dx) {
		snprintf(o.format, sizeof o.format, "%s", duplex_format_name(dx));
		o.dev_out = duplex_device_channels(dx, 0);
		o.dev_in = duplex_device_channels(dx, 1);
		if (r->between)
			r->between(r->ctx);
		s.meta.format = duplex_format_name(dx);
		s.device_error = duplex_error(dx);
		struct pump p = pump_duplex(dx);
		struct session_outcome out;
		o.result = session_test(&s, &p, &out);
		o.latency = out.measured && out.m.coarse.found ? out.m.latency_frames : NAN;
	} else {
		o.result = session_error(&s, o.open_errno, o.err);
	}
	duplex_close(dx);
	measure_destroy(ms);
	classifier_destroy(cls);
	free(st);
	free(used);
	free(named);
	free(sc);
	return o;
}

static const char *verdict(const struct outcome *o)
{
	return json_string_value(json_object_get(o->result, "verdict"));
}

static const char *first_code(const struct outcome *o)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(o->result, "faults"), 0), "code"));
}

/* Every format tonewire converts, offered alone, measures a straight cable
 * as straight and a short as a short, and the result says the format. */
static void test_every_format(void **state)
{
	static const char *const formats[] = { "S16_LE", "S24_3LE", "S24_LE", "S32_LE", "FLOAT_LE" };
	(void)state;
	for (unsigned k = 0; k < 5; k++) {
		char iface[64], name[32];
		snprintf(iface, sizeof iface, "formats = %s\n", formats[k]);
		snprintf(name, sizeof name, "fmt-%s", formats[k]);
		char *good = scenario(name, "trrs-4ch", iface, STRAIGHT_4CH);
		struct run r = { .cable = "trrs-ctia-extension" };
		struct outcome o = test_once(good, &r);
		assert_int_equal(o.open_errno, 0);
		assert_string_equal(o.format, formats[k]);
		assert_string_equal(verdict(&o), "pass");
		assert_string_equal(json_string_value(json_object_get(o.result, "format")), formats[k]);
		json_decref(o.result);
		strcat(name, "-short");
		char *bad = scenario(name, "trrs-4ch", iface, SHORT_4CH);
		o = test_once(bad, &r);
		assert_string_equal(verdict(&o), "fail");
		assert_string_equal(first_code(&o), "short");
		json_decref(o.result);
		free(good);
		free(bad);
	}
}

/* A device that offers S16_LE at 44.1 kHz only: refused at 48 kHz with the
 * reason, measured right at 44.1 kHz. */
static void test_s16_one_rate(void **state)
{
	char *path = scenario("s16-44k", "stereo-trs", "formats = S16_LE\nrates = 44100\n", STRAIGHT_TRS);
	struct run r = { .cable = "trs-3.5-extension" };
	struct outcome o;

	(void)state;
	o = test_once(path, &r);
	assert_int_equal(o.open_errno, -EINVAL);
	assert_contains(o.err, "rate 48000 Hz not offered");
	assert_string_equal(verdict(&o), "error");
	json_decref(o.result);
	r.rate = 44100;
	o = test_once(path, &r);
	assert_int_equal(o.open_errno, 0);
	assert_string_equal(o.format, "S16_LE");
	assert_string_equal(verdict(&o), "pass");
	json_decref(o.result);
	free(path);
}

/* A stereo jig on channels 3-4 of a 4-channel device: the device opens
 * with its 4 channels, the maps put the jig where it is; without them the
 * station hears nothing of the jig. */
static void test_jig_on_3_4(void **state)
{
	static const unsigned map[2] = { 3, 4 };
	const char *hw = "playback_channels = 4\ncapture_channels = 4\njig_outputs = 3 4\njig_inputs = 3 4\n";
	char *good = scenario("ch34", "stereo-trs", hw, STRAIGHT_TRS);
	char *swap = scenario("ch34-swap", "stereo-trs", hw, SWAPPED_TRS);
	struct run r = { .cable = "trs-3.5-extension", .out_map = map, .in_map = map };
	struct outcome o;

	(void)state;
	o = test_once(good, &r);
	assert_int_equal(o.open_errno, 0);
	assert_int_equal(o.dev_out, 4);
	assert_int_equal(o.dev_in, 4);
	assert_string_equal(verdict(&o), "pass");
	json_decref(o.result);
	o = test_once(swap, &r);
	assert_string_equal(verdict(&o), "fail");
	assert_string_equal(first_code(&o), "lr_swap");
	json_decref(o.result);
	/* channels 1-2 carry nothing of the jig */
	r.out_map = r.in_map = NULL;
	o = test_once(good, &r);
	assert_string_equal(verdict(&o), "error");
	json_decref(o.result);
	/* maps the device cannot have */
	static const unsigned twice[2] = { 3, 3 }, beyond[2] = { 4, 5 };
	r.out_map = twice;
	o = test_once(good, &r);
	assert_int_equal(o.open_errno, -EINVAL);
	assert_contains(o.err, "jig outputs 1 and 2 are both on device channel 3");
	json_decref(o.result);
	r.out_map = beyond;
	o = test_once(good, &r);
	assert_int_equal(o.open_errno, -EINVAL);
	assert_contains(o.err, "the jig uses device channel 5, the device has 4");
	json_decref(o.result);
	free(good);
	free(swap);
}

/* 20 outputs and 18 inputs in S24_3LE (the Scarlett 18i20 2nd Gen): a
 * per-contact jig on outputs 17-20 and inputs 15-18. */
static void test_20_out_18_in(void **state)
{
	static const unsigned out[4] = { 17, 18, 19, 20 }, in[4] = { 15, 16, 17, 18 };
	const char *hw = "interface = scarlett-18i20-2nd\njig_outputs = 17 18 19 20\njig_inputs = 15 16 17 18\n";
	char *good = scenario("18i20", "trrs-4ch", hw, STRAIGHT_4CH);
	char *bad = scenario("18i20-short", "trrs-4ch", hw, SHORT_4CH);
	struct run r = { .cable = "trrs-ctia-extension", .out_map = out, .in_map = in };
	struct outcome o;

	(void)state;
	o = test_once(good, &r);
	assert_int_equal(o.open_errno, 0);
	assert_int_equal(o.dev_out, 20);
	assert_int_equal(o.dev_in, 18);
	assert_string_equal(o.format, "S24_3LE");
	assert_string_equal(verdict(&o), "pass");
	json_decref(o.result);
	o = test_once(bad, &r);
	assert_string_equal(first_code(&o), "short");
	json_decref(o.result);
	free(good);
	free(bad);
}

/* One format each way (UMC1820: S24_3LE out, S32_LE in). */
static void test_format_per_direction(void **state)
{
	char *path = scenario("umc1820", "trrs-4ch", "interface = umc1820\n", STRAIGHT_4CH);
	struct run r = { .cable = "trrs-ctia-extension" };
	struct outcome o;

	(void)state;
	o = test_once(path, &r);
	assert_int_equal(o.open_errno, 0);
	assert_string_equal(o.format, "S24_3LE/S32_LE");
	assert_int_equal(o.dev_out, 12);
	assert_int_equal(o.dev_in, 10);
	assert_string_equal(verdict(&o), "pass");
	json_decref(o.result);
	free(path);
}

/* A separate DAC and ADC: unlinked, capture started first; the round trip
 * the station measures is the interface's plus the gap between the two
 * starts, and the verdict is still right. */
static void test_two_devices(void **state)
{
	char *path = scenario("two", "stereo-trs", "latency_frames = 200\n", STRAIGHT_TRS);
	char *swap = scenario("two-swap", "stereo-trs", "latency_frames = 200\n", SWAPPED_TRS);
	char play[512], cap[512];
	struct run r = { .cable = "trs-3.5-extension" };
	struct outcome o;

	(void)state;
	o = test_once(path, &r);
	assert_string_equal(verdict(&o), "pass");
	assert_true(fabs(o.latency - 200) < 0.1);   /* one device: its own round trip */
	json_decref(o.result);

	snprintf(play, sizeof play, "tonewire_sim:%s,dac", path);
	snprintf(cap, sizeof cap, "tonewire_sim:%s,adc", path);
	r.device = play;
	r.capture_device = cap;
	o = test_once(path, &r);
	assert_int_equal(o.open_errno, 0);
	assert_string_equal(verdict(&o), "pass");
	/* the two starts were apart: more than the interface's round trip, by a whole number of frames */
	assert_true(o.latency > 200.5);
	assert_true(fabs(o.latency - round(o.latency)) < 0.1);
	json_decref(o.result);

	snprintf(play, sizeof play, "tonewire_sim:%s,dac", swap);
	snprintf(cap, sizeof cap, "tonewire_sim:%s,adc", swap);
	o = test_once(swap, &r);
	assert_string_equal(first_code(&o), "lr_swap");
	json_decref(o.result);
	free(path);
	free(swap);
}

/* Reads one control of a scenario's simulated mixer, as amixer cget does. */
static long control(const char *scenario_path, const char *name)
{
	char dev[512];
	snd_ctl_t *ctl;
	snd_ctl_elem_value_t *v;
	long x;

	snd_ctl_elem_value_alloca(&v);
	snprintf(dev, sizeof dev, "tonewire_sim:%s", scenario_path);
	assert_int_equal(snd_ctl_open(&ctl, dev, 0), 0);
	snd_ctl_elem_value_set_interface(v, SND_CTL_ELEM_IFACE_MIXER);
	snd_ctl_elem_value_set_name(v, name);
	assert_int_equal(snd_ctl_elem_read(ctl, v), 0);
	x = strstr(name, "Enum") ? (long)snd_ctl_elem_value_get_enumerated(v, 0) : snd_ctl_elem_value_get_integer(v, 0);
	snd_ctl_close(ctl);
	return x;
}

static void set_control(const char *scenario_path, const char *name, long x)
{
	char dev[512];
	snd_ctl_t *ctl;
	snd_ctl_elem_value_t *v;

	snd_ctl_elem_value_alloca(&v);
	snprintf(dev, sizeof dev, "tonewire_sim:%s", scenario_path);
	assert_int_equal(snd_ctl_open(&ctl, dev, 0), 0);
	snd_ctl_elem_value_set_interface(v, SND_CTL_ELEM_IFACE_MIXER);
	snd_ctl_elem_value_set_name(v, name);
	if (strstr(name, "Enum"))
		snd_ctl_elem_value_set_enumerated(v, 0, (unsigned)x);
	else
		snd_ctl_elem_value_set_integer(v, 0, x);
	assert_true(snd_ctl_elem_write(ctl, v) >= 0);
	snd_ctl_close(ctl);
}

#define DM "Direct Monitor Playback Enum"
#define P48 "Line In 1-2 Phantom Power Capture Switch"

static void monitor_on(void *ctx)
{
	set_control(ctx, DM, 1);   /* "Mono": someone pressed the button */
}

/* A Scarlett that powers up with its direct monitor on and 48 V on: the
 * station recognises it, turns both off and measures right; left alone,
 * the monitor mixes the inputs into the outputs and the verdict is wrong. */
static void test_direct_monitor(void **state)
{
	const char *hw = "interface = scarlett-2i2-3rd\nmixer = \"" DM "\" Mono\nmixer = \"" P48 "\" on\n";
	char *path = scenario("dm", "stereo-trs", hw, STRAIGHT_TRS);
	struct run r = { .cable = "trs-3.5-extension", .interface = "none" };
	struct outcome o;

	(void)state;
	assert_int_equal(control(path, DM), 1);
	o = test_once(path, &r);
	assert_string_equal(verdict(&o), "fail");   /* the leak reads as a wiring fault */
	json_decref(o.result);
	assert_int_equal(control(path, DM), 1);

	r.interface = NULL;   /* recognised from the card: USB 1235:8210 */
	o = test_once(path, &r);
	assert_string_equal(verdict(&o), "pass");
	json_decref(o.result);
	assert_int_equal(control(path, DM), 0);
	assert_int_equal(control(path, P48), 0);

	/* turned on again between open and test: set again before the stream */
	r.between = monitor_on;
	r.ctx = path;
	o = test_once(path, &r);
	assert_string_equal(verdict(&o), "pass");
	assert_int_equal(control(path, DM), 0);
	json_decref(o.result);
	free(path);
}

/* An output turned down 10 dB reads as a level fault; the station sets the
 * profile's 0 dB (through the control's dB scale) and the cable passes. */
static void test_output_level(void **state)
{
	const char *hw = "interface = umc404hd\nmixer = \"UMC404HD 192k Output Playback Volume\" -10dB\n";
	char *path = scenario("level", "trrs-4ch", hw, STRAIGHT_4CH);
	struct run r = { .cable = "trrs-ctia-extension", .interface = "none" };
	struct outcome o;

	(void)state;
	o = test_once(path, &r);
	assert_string_equal(verdict(&o), "fail");
	json_t *ch = json_array_get(json_object_get(o.result, "channels"), 0);
	assert_true(fabs(json_number_value(json_object_get(ch, "level_db")) + 10.0) < 0.2);
	json_decref(o.result);
	assert_int_equal(control(path, "UMC404HD 192k Output Playback Volume"), -20);   /* half-dB steps */
	r.interface = NULL;
	o = test_once(path, &r);
	assert_string_equal(verdict(&o), "pass");
	json_decref(o.result);
	assert_int_equal(control(path, "UMC404HD 192k Output Playback Volume"), 0);
	free(path);
}

/* A control that cannot be set is a station error that names it, never a verdict on the cable. */
static void test_control_cannot_be_set(void **state)
{
	const char *hw = "interface = scarlett-2i2-3rd\nmixer = \"" P48 "\" on fixed\n";
	char *path = scenario("p48-fixed", "stereo-trs", hw, STRAIGHT_TRS);
	struct run r = { .cable = "trs-3.5-extension" };
	struct outcome o;

	(void)state;
	o = test_once(path, &r);
	assert_int_equal(o.open_errno, -EACCES);
	assert_contains(o.err, "cannot set mixer control '" P48 "' to off");
	assert_contains(o.err, "48 V phantom power");
	assert_string_equal(verdict(&o), "error");
	assert_string_equal(first_code(&o), "device_setup");
	json_decref(o.result);
	/* a profile naming a control the interface does not have */
	char *other = scenario("no-dm", "stereo-trs", "", STRAIGHT_TRS);
	r.interface = "scarlett-2i2-3rd";
	o = test_once(other, &r);
	assert_int_equal(o.open_errno, -EACCES);
	assert_contains(o.err, "the interface has no mixer control 'Direct Monitor Playback Enum'");
	json_decref(o.result);
	free(path);
	free(other);
}

/* A device another program holds: -EBUSY, device_busy, and who holds it. */
static void test_busy(void **state)
{
	char *path = sim_scenario("busy", "[scenario]\njig = stereo-trs\n[cable]\n" STRAIGHT_TRS);
	char dev[512];
	int ready[2];
	pid_t child;

	(void)state;
	snprintf(dev, sizeof dev, "tonewire_sim:%s", path);
	assert_int_equal(pipe(ready), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		snd_pcm_t *p;
		char c = snd_pcm_open(&p, dev, SND_PCM_STREAM_PLAYBACK, 0) == 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	char c = 0;
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	struct run r = { .cable = "trs-3.5-extension" };
	struct outcome o = test_once(path, &r);
	char pid[32];
	snprintf(pid, sizeof pid, "pid %d (", (int)child);
	/* what tonewire devices shows meanwhile: playback held, capture free */
	json_t *probe = devices_probe(dev);
	json_t *pb = json_object_get(probe, "playback"), *cp = json_object_get(probe, "capture");
	assert_true(json_is_true(json_object_get(pb, "busy")));
	assert_contains(json_string_value(json_object_get(pb, "held_by")), pid);
	assert_true(json_is_false(json_object_get(cp, "busy")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(cp, "channels"), "max")), 2);
	json_decref(probe);
	kill(child, SIGTERM);
	waitpid(child, NULL, 0);
	assert_int_equal(o.open_errno, -EBUSY);
	assert_contains(o.err, "is busy (playback)");
	assert_contains(o.err, pid);
	assert_string_equal(first_code(&o), "device_busy");
	json_decref(o.result);
	/* released: the next test measures */
	o = test_once(path, &r);
	assert_string_equal(verdict(&o), "pass");
	json_decref(o.result);
	close(ready[0]);
	close(ready[1]);
	free(path);
}

/* The simulator refuses what the interface does not offer, as a kernel driver would. */
static void test_refuses_like_a_driver(void **state)
{
	char *path = scenario("refuse", "stereo-trs", "interface = scarlett-2i2-3rd\n", STRAIGHT_TRS);
	char dev[512];
	snd_pcm_t *p;
	snd_pcm_hw_params_t *hw;
	unsigned lo, hi;
	snd_pcm_uframes_t smax;

	(void)state;
	snd_pcm_hw_params_alloca(&hw);
	snprintf(dev, sizeof dev, "tonewire_sim:%s", path);
	assert_int_equal(snd_pcm_open(&p, dev, SND_PCM_STREAM_PLAYBACK, 0), 0);
	assert_true(snd_pcm_hw_params_any(p, hw) >= 0);
	assert_int_equal(snd_pcm_hw_params_test_format(p, hw, SND_PCM_FORMAT_S32_LE), 0);
	assert_true(snd_pcm_hw_params_test_format(p, hw, SND_PCM_FORMAT_S16_LE) < 0);
	assert_true(snd_pcm_hw_params_test_format(p, hw, SND_PCM_FORMAT_FLOAT_LE) < 0);
	assert_int_equal(snd_pcm_hw_params_get_channels_min(hw, &lo), 0);
	assert_int_equal(snd_pcm_hw_params_get_channels_max(hw, &hi), 0);
	assert_int_equal(lo, 2);
	assert_int_equal(hi, 2);
	assert_true(snd_pcm_hw_params_test_rate(p, hw, 32000, 0) < 0);
	assert_int_equal(snd_pcm_hw_params_test_rate(p, hw, 192000, 0), 0);
	/* the USB driver's 1 MiB buffer: 131072 frames of 2 x 4 bytes */
	assert_int_equal(snd_pcm_hw_params_get_buffer_size_max(hw, &smax), 0);
	assert_int_equal(smax, 1048576 / 8);
	snd_pcm_close(p);
	free(path);
}

static int teardown_all(void **state)
{
	(void)state;
	sim_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_format),
		cmocka_unit_test(test_s16_one_rate),
		cmocka_unit_test(test_jig_on_3_4),
		cmocka_unit_test(test_20_out_18_in),
		cmocka_unit_test(test_format_per_direction),
		cmocka_unit_test(test_two_devices),
		cmocka_unit_test(test_direct_monitor),
		cmocka_unit_test(test_output_level),
		cmocka_unit_test(test_control_cannot_be_set),
		cmocka_unit_test(test_busy),
		cmocka_unit_test(test_refuses_like_a_driver),
	};
	/* alsa-lib's own messages about refused opens are expected here */
	snd_lib_error_set_handler(NULL);
	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
