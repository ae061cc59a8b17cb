/* capture: the raw capture of a test as WAV with its stimulus plan beside it as JSON, written and read back. */
#include "capture.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "station.h"

json_t *capture_plan_json(const measure *m, const struct fixture *f, const char *jig,
                          const char *cable, const char *device, const struct measurement *ms)
{
	const struct toneplan *p = measure_plan(m);
	const struct measure_timeline *tl = measure_timeline(m);
	json_t *o = json_object(), *tones = json_array(), *t = json_object();
	json_t *ins = json_array(), *outs = json_array();

	for (unsigned k = 0; k < p->n_tones; k++) {
		json_t *tone = json_object();
		json_object_set_new(tone, "output", json_integer(k + 1));
		json_object_set_new(tone, "bin", json_integer(p->bin[k]));
		json_object_set_new(tone, "freq_hz", json_real(p->freq_hz[k]));
		json_object_set_new(tone, "amplitude", json_real(p->amplitude[k]));
		json_object_set_new(tone, "phase_rad", json_real(p->phase_rad[k]));
		json_array_append_new(tones, tone);
	}
	/* the timeline this capture was made with: probe and windows change
	 * from test to test with the bench's noise */
	unsigned probe = ms && ms->probe ? ms->probe : tl->probe;
	unsigned windows = ms && ms->windows && ms->coarse.found ? ms->windows : tl->windows;
	json_object_set_new(t, "probe", json_integer(probe));
	json_object_set_new(t, "fade", json_integer(tl->fade));
	json_object_set_new(t, "settle", json_integer(tl->settle));
	json_object_set_new(t, "window", json_integer(tl->window));
	json_object_set_new(t, "windows", json_integer(windows));
	json_object_set_new(t, "max_latency", json_integer(tl->max_latency));
	json_object_set_new(t, "capture_max", json_integer(tl->capture_max));
	for (unsigned i = 0; f && i < f->n_inputs; i++) {
		char name[2 * FIXTURE_NAME_MAX + 4];
		station_input_name(f, i, name, sizeof(name));
		json_array_append_new(ins, json_string(name));
	}
	for (unsigned k = 0; f && k < f->n_outputs; k++)
		json_array_append_new(outs, json_string(f->contact[f->output[k]].name));

	json_object_set_new(o, "format", json_string("tonewire-capture/2"));
	json_object_set_new(o, "rate", json_integer(p->rate));
	json_object_set_new(o, "window", json_integer(p->window));
	json_object_set_new(o, "tones", tones);
	json_object_set_new(o, "probe_frames", json_integer(probe));
	json_object_set_new(o, "seed", json_integer(measure_seed(m)));
	json_object_set_new(o, "timeline", t);
	json_object_set_new(o, "jig", json_string(jig ? jig : ""));
	json_object_set_new(o, "cable", json_string(cable ? cable : ""));
	if (device)
		json_object_set_new(o, "device", json_string(device));
	json_object_set_new(o, "inputs", ins);
	json_object_set_new(o, "outputs", outs);
	if (ms && ms->coarse.found)
		json_object_set_new(o, "latency_frames", json_real(ms->latency_frames));
	else
		json_object_set_new(o, "latency_frames", json_null());
	if (ms && ms->drift.valid)
		json_object_set_new(o, "drift_ppm", json_real(ms->drift.ppm));
	json_object_set_new(o, "frame0", json_string("capture frame 0 is the frame captured while stimulus frame 0 played"));
	return o;
}

int capture_write(const char *wav_path, const char *json_path, const float *frames,
                  unsigned n_frames, unsigned channels, unsigned rate, const json_t *plan,
                  char err[CAPTURE_ERR_MAX])
{
	char tmp_wav[1100], tmp_json[1100];
	SF_INFO info = { .samplerate = (int)rate, .channels = (int)channels,
	                 .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
	int e = 0;

	err[0] = '\0';
	snprintf(tmp_wav, sizeof(tmp_wav), "%s.tmp", wav_path);
	snprintf(tmp_json, sizeof(tmp_json), "%s.tmp", json_path);
	SNDFILE *sf = sf_open(tmp_wav, SFM_WRITE, &info);
	if (!sf) {
		snprintf(err, CAPTURE_ERR_MAX, "cannot write %.200s: %s", wav_path, sf_strerror(NULL));
		return -EIO;
	}
	sf_count_t n = sf_writef_float(sf, frames, n_frames);
	sf_write_sync(sf);
	if (sf_close(sf) != 0 || n != (sf_count_t)n_frames) {
		snprintf(err, CAPTURE_ERR_MAX, "cannot write %.200s (disk full?)", tmp_wav);
		e = -EIO;
		goto fail;
	}
	if (json_dump_file(plan, tmp_json, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
		snprintf(err, CAPTURE_ERR_MAX, "cannot write %.200s", tmp_json);
		e = -EIO;
		goto fail;
	}
	/* The plan first: a WAV that exists always has its plan. */
	if (rename(tmp_json, json_path) < 0 || rename(tmp_wav, wav_path) < 0) {
		e = -errno;
		snprintf(err, CAPTURE_ERR_MAX, "cannot rename into %.200s: %s", wav_path, strerror(-e));
		goto fail;
	}
	return 0;
fail:
	unlink(tmp_wav);
	unlink(tmp_json);
	return e;
}

int capture_clean_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char path[4096];
		if (len < 5 || strcmp(de->d_name + len - 4, ".tmp") != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (unlink(path) == 0)
			n++;
	}
	closedir(d);
	return n;
}

int capture_plan_path(const char *wav, char *plan, size_t len)
{
	size_t n = strlen(wav);
	int w;
	if (n > 4 && !strcasecmp(wav + n - 4, ".wav"))
		w = snprintf(plan, len, "%.*s.json", (int)(n - 4), wav);
	else
		w = snprintf(plan, len, "%s.json", wav);
	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

int capture_save(const char *wav, const measure *m, const struct fixture *f, const char *jig,
                 const char *cable, const char *device, const struct measurement *ms,
                 char err[CAPTURE_ERR_MAX])
{
	char plan[1100];
	if (capture_plan_path(wav, plan, sizeof(plan)) < 0) {
		snprintf(err, CAPTURE_ERR_MAX, "%.200s: the path is too long", wav);
		return -ENAMETOOLONG;
	}
	json_t *pj = capture_plan_json(m, f, jig, cable, device, ms);
	if (!pj) {
		snprintf(err, CAPTURE_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	int e = capture_write(wav, plan, ms->capture, ms->capture_frames, f->n_inputs,
	                      measure_plan(m)->rate, pj, err);
	json_decref(pj);
	return e;
}

static int get_uint(const json_t *o, const char *key, unsigned lo, unsigned hi, unsigned *out,
                    const char *path, char err[CAPTURE_ERR_MAX])
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		snprintf(err, CAPTURE_ERR_MAX, "%.300s: \"%s\" must be an integer from %u to %u", path, key, lo, hi);
		return -EINVAL;
	}
	*out = (unsigned)json_integer_value(v);
	return 0;
}

void capture_plan_free(struct capture_plan *p)
{
	json_decref(p->root);
	p->root = NULL;
}

int capture_plan_read(const char *path, struct capture_plan *p, char err[CAPTURE_ERR_MAX])
{
	json_error_t je;
	memset(p, 0, sizeof(*p));
	json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!o) {
		if (je.line <= 0 && je.position <= 0) {
			snprintf(err, CAPTURE_ERR_MAX, "cannot read the plan '%.300s': %s", path, je.text);
			return -ENOENT;
		}
		snprintf(err, CAPTURE_ERR_MAX, "%.300s:%d: not a stimulus plan (JSON: %s)", path, je.line, je.text);
		return -EINVAL;
	}
	p->root = o;
	const char *fmt = json_string_value(json_object_get(o, "format"));
	if (!fmt || strncmp(fmt, "tonewire-capture/", 17) != 0) {
		snprintf(err, CAPTURE_ERR_MAX, "%.300s: not a tonewire stimulus plan (\"format\" must be "
		         "\"tonewire-capture/2\" or \"tonewire-capture/1\")", path);
		return -EINVAL;
	}
	if (strcmp(fmt + 17, "1") != 0 && strcmp(fmt + 17, "2") != 0) {
		snprintf(err, CAPTURE_ERR_MAX, "%.300s: \"format\" is \"%.40s\", a version this tonewire does not "
		         "know (it reads tonewire-capture/1 and /2)", path, fmt);
		return -EINVAL;
	}
	json_t *tl = json_object_get(o, "timeline");
	if (!json_is_object(tl)) {
		snprintf(err, CAPTURE_ERR_MAX, "%.300s: \"timeline\" is missing", path);
		return -EINVAL;
	}
	if (get_uint(o, "rate", TONEPLAN_MIN_RATE, TONEPLAN_MAX_RATE, &p->rate, path, err) ||
	    get_uint(o, "window", 16, CAPTURE_MAX_WINDOW, &p->window, path, err) ||
	    get_uint(o, "seed", 0, 0xffffffffu, &p->seed, path, err) ||
	    get_uint(tl, "windows", 1, CAPTURE_MAX_WINDOWS, &p->windows, path, err) ||
	    get_uint(tl, "max_latency", 16, CAPTURE_MAX_WINDOW, &p->max_latency, path, err) ||
	    get_uint(tl, "probe", 64, CAPTURE_MAX_PROBE, &p->probe, path, err) ||
	    get_uint(tl, "fade", 1, CAPTURE_MAX_WINDOW, &p->fade, path, err) ||
	    get_uint(tl, "settle", 1, CAPTURE_MAX_WINDOW, &p->settle, path, err))
		return -EINVAL;
	if ((unsigned long long)p->windows * p->window > CAPTURE_MAX_SPAN) {
		snprintf(err, CAPTURE_ERR_MAX, "%.300s: %u windows of %u frames is more than a capture holds (%u frames)",
		         path, p->windows, p->window, CAPTURE_MAX_SPAN);
		return -EINVAL;
	}
	json_t *tones = json_object_get(o, "tones"), *ins = json_object_get(o, "inputs");
	if (!json_is_array(tones) || !json_array_size(tones) || json_array_size(tones) > TONEPLAN_MAX_TONES) {
		snprintf(err, CAPTURE_ERR_MAX, "%.300s: \"tones\" must list 1 to %d tones", path, TONEPLAN_MAX_TONES);
		return -EINVAL;
	}
	if (!json_is_array(ins) || !json_array_size(ins) || json_array_size(ins) > ANALYZER_MAX_INPUTS) {
		snprintf(err, CAPTURE_ERR_MAX, "%.300s: \"inputs\" must list 1 to %d inputs", path, ANALYZER_MAX_INPUTS);
		return -EINVAL;
	}
	p->n_out = (unsigned)json_array_size(tones);
	p->n_in = (unsigned)json_array_size(ins);
	const char *jig = json_string_value(json_object_get(o, "jig"));
	const char *cable = json_string_value(json_object_get(o, "cable"));
	snprintf(p->jig, sizeof(p->jig), "%s", jig ? jig : "");
	snprintf(p->cable, sizeof(p->cable), "%s", cable ? cable : "");
	return 0;
}

struct measure_cfg capture_plan_measure_cfg(const struct capture_plan *p)
{
	/* Every timing as the file says: nothing adapts when a capture is read back. */
	struct measure_cfg mc = { .rate = p->rate, .n_outputs = p->n_out, .n_inputs = p->n_in,
	                          .window = p->window, .windows = p->windows, .probe = p->probe,
	                          .fade = p->fade, .settle = p->settle,
	                          .max_latency = p->max_latency, .seed = p->seed };
	return mc;
}

int capture_plan_check(const struct capture_plan *p, const measure *m, const char *path,
                       char err[CAPTURE_ERR_MAX])
{
	const struct toneplan *tp = measure_plan(m);
	size_t k;
	json_t *t;
	json_array_foreach(json_object_get(p->root, "tones"), k, t) {
		json_int_t bin = json_integer_value(json_object_get(t, "bin"));
		double amp = json_number_value(json_object_get(t, "amplitude"));
		double ph = json_number_value(json_object_get(t, "phase_rad"));
		if (bin != (json_int_t)tp->bin[k] || fabs(amp - tp->amplitude[k]) > 1e-9 ||
		    fabs(remainder(ph - tp->phase_rad[k], 2 * M_PI)) > 1e-9) {
			snprintf(err, CAPTURE_ERR_MAX, "%.300s: tone %zu (bin %lld) is not what this version of tonewire "
			         "plays for %u outputs at %u Hz (bin %u): the capture cannot be analysed", path, k + 1,
			         (long long)bin, p->n_out, p->rate, tp->bin[k]);
			return -EINVAL;
		}
	}
	return 0;
}

float *capture_wav_read(const char *path, const struct capture_plan *p, unsigned *frames,
                        char err[CAPTURE_ERR_MAX])
{
	SF_INFO info = { 0 };
	SNDFILE *sf = sf_open(path, SFM_READ, &info);
	float *buf = NULL;
	if (!sf) {
		snprintf(err, CAPTURE_ERR_MAX, "%.300s: not a readable WAV file (%s)", path, sf_strerror(NULL));
		return NULL;
	}
	if ((unsigned)info.channels != p->n_in || (unsigned)info.samplerate != p->rate) {
		snprintf(err, CAPTURE_ERR_MAX, "%.300s: %d channels at %d Hz, but the plan was captured on %u inputs "
		         "at %u Hz", path, info.channels, info.samplerate, p->n_in, p->rate);
		goto out;
	}
	if (info.frames <= 0 || (unsigned long long)info.frames * (unsigned)info.channels > CAPTURE_MAX_FRAMES) {
		snprintf(err, CAPTURE_ERR_MAX, "%.300s: %lld frames of %d channels is not a capture", path,
		         (long long)info.frames, info.channels);
		goto out;
	}
	buf = malloc((size_t)info.frames * (size_t)info.channels * sizeof(float));
	if (!buf) {
		snprintf(err, CAPTURE_ERR_MAX, "%.300s: out of memory", path);
		goto out;
	}
	sf_count_t got = sf_readf_float(sf, buf, info.frames);
	if (got != info.frames) {
		snprintf(err, CAPTURE_ERR_MAX, "%.300s: truncated (%lld of %lld frames)", path, (long long)got,
		         (long long)info.frames);
		free(buf);
		buf = NULL;
		goto out;
	}
	*frames = (unsigned)got;
out:
	sf_close(sf);
	return buf;
}
