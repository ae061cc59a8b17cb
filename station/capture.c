/* capture: the raw capture of a failed test as WAV, with the stimulus plan beside it as JSON. */
#include "capture.h"

#include <errno.h>
#include <sndfile.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
	json_object_set_new(t, "probe", json_integer(tl->probe));
	json_object_set_new(t, "fade", json_integer(tl->fade));
	json_object_set_new(t, "settle", json_integer(tl->settle));
	json_object_set_new(t, "window", json_integer(tl->window));
	json_object_set_new(t, "windows", json_integer(tl->windows));
	json_object_set_new(t, "max_latency", json_integer(tl->max_latency));
	json_object_set_new(t, "capture_max", json_integer(tl->capture_max));
	for (unsigned i = 0; f && i < f->n_inputs; i++) {
		char name[2 * FIXTURE_NAME_MAX + 4];
		if (f->input_neg[i] < 0)
			snprintf(name, sizeof(name), "%s", f->contact[f->input_pos[i]].name);
		else
			snprintf(name, sizeof(name), "+%s -%s", f->contact[f->input_pos[i]].name,
			         f->contact[f->input_neg[i]].name);
		json_array_append_new(ins, json_string(name));
	}
	for (unsigned k = 0; f && k < f->n_outputs; k++)
		json_array_append_new(outs, json_string(f->contact[f->output[k]].name));

	json_object_set_new(o, "format", json_string("tonewire-capture/1"));
	json_object_set_new(o, "rate", json_integer(p->rate));
	json_object_set_new(o, "window", json_integer(p->window));
	json_object_set_new(o, "tones", tones);
	json_object_set_new(o, "probe_frames", json_integer(tl->probe));
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
		snprintf(err, CAPTURE_ERR_MAX, "cannot write %.200s: %s", tmp_wav, sf_strerror(NULL));
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
