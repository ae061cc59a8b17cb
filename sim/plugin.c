/* plugin: the ALSA ioplug PCM "tonewire_sim", one direction of the simulated interface behind a scenario. */
#include <alsa/asoundlib.h>
#include <alsa/pcm_external.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "pcm.h"

static snd_pcm_sframes_t sim_transfer(snd_pcm_ioplug_t *io, const snd_pcm_channel_area_t *areas,
                                      snd_pcm_uframes_t offset, snd_pcm_uframes_t size)
{
	struct sim *s = io->private_data;
	uint64_t appl = pace_appl(s);

	if (s->gone || io->state == SND_PCM_STATE_DISCONNECTED)
		return -ENODEV;
	if (!s->capture && s->fast && appl + size > s->unplug_frames) {
		if (appl >= s->unplug_frames)
			return -ENODEV;
		size = (snd_pcm_uframes_t)(s->unplug_frames - appl);
	}
	for (snd_pcm_uframes_t done = 0; done < size;) {
		unsigned n = size - done > CHUNK ? CHUNK : (unsigned)(size - done);
		uint64_t k = appl + done;
		if (!s->capture) {
			hw_from_client(&s->dev, s->format, areas, offset + done, n, s->chunk);
			if (s->running) {
				loop_write(s->loop, s->t0 + k, k, s->chunk, n);
			} else {
				/* before start nothing plays: keep it until start places it */
				for (unsigned i = 0; i < n; i++)
					memcpy(s->prefill + ((k + i) % s->buffer) * s->n_out, s->chunk + (size_t)i * s->n_out,
					       s->n_out * sizeof(float));
			}
		} else {
			physics_render(s->ph, s->loop, s->t0, k, n, s->chunk);
			hw_to_client(&s->dev, s->format, s->chunk, n, areas, offset + done);
		}
		done += n;
	}
	if (!s->capture && s->running)
		loop_raise(&s->sh->play_end, s->t0 + appl + size);
	pace_rearm(s, appl + size);
	return (snd_pcm_sframes_t)size;
}

static snd_pcm_sframes_t sim_pointer(snd_pcm_ioplug_t *io)
{
	struct sim *s = io->private_data;
	snd_pcm_uframes_t b = s->boundary ? s->boundary : (snd_pcm_uframes_t)LONG_MAX;

	if (pace_update(s) < 0)
		return -EPIPE;
	return (snd_pcm_sframes_t)(s->hw % b);
}

static int sim_start(snd_pcm_ioplug_t *io)
{
	struct sim *s = io->private_data;
	struct loop_shared *sh = s->sh;

	if (s->gone)
		return -ENODEV;
	if (s->running)
		return 0;
	int me = s->capture ? LOOP_CAPTURE : LOOP_PLAYBACK, peer = !me;
	int peer_running = atomic_load(s->capture ? &sh->play_running : &sh->cap_running);
	int same_device = atomic_load(&sh->start_unit[peer]) == s->unit;
	if (s->fast) {
		s->t0 = atomic_load(&sh->now);
		/* Two devices cannot start in the same instant. */
		if (peer_running && !same_device)
			s->t0 += UNIT_GAP_FRAMES + (s->unit ^ atomic_load(&sh->start_unit[peer])) % 64;
	} else {
		int64_t now = loop_mono_ns();
		s->t0 = loop_frames_at(s->loop, now, s->rate);
		/* Started right after the other direction (the usual "start
		 * playback, start capture"): share its first frame, as the two
		 * halves of one interface started together do. Two devices each
		 * start on their own. */
		if (peer_running && same_device && now - atomic_load(&sh->start_ns[peer]) < START_TOGETHER_NS)
			s->t0 = atomic_load(&sh->start_t0[peer]);
		atomic_store(&sh->start_t0[me], s->t0);
		atomic_store(&sh->start_ns[me], now);
	}
	atomic_store(&sh->start_unit[me], s->unit);
	s->t0_ns = loop_ns_of(s->loop, s->t0, s->rate);
	s->hw = 0;
	s->starved_ns = 0;
	if (!s->capture) {
		uint64_t queued = pace_appl(s);
		if (queued > s->buffer)
			queued = s->buffer;
		for (uint64_t k = 0; k < queued; k++)
			loop_write(s->loop, s->t0 + k, k, s->prefill + (k % s->buffer) * s->n_out, 1);
		atomic_store(&sh->play_xrun, 0);
		atomic_store(&sh->play_t0, s->t0);
		atomic_store(&sh->play_end, s->t0 + queued);
		atomic_store(&sh->play_running, 1);
	} else {
		physics_reset(s->ph);
		atomic_store(&sh->cap_xrun, 0);
		atomic_store(&sh->cap_src, s->t0 > s->latency ? s->t0 - s->latency : 0);
		atomic_store(&sh->cap_running, 1);
	}
	s->running = 1;
	/* the state becomes RUNNING after this returns: time the descriptor for it */
	snd_pcm_ioplug_set_state(io, SND_PCM_STATE_RUNNING);
	pace_rearm(s, pace_appl(s));
	return 0;
}

static int sim_stop(snd_pcm_ioplug_t *io)
{
	struct sim *s = io->private_data;
	struct loop_shared *sh = s->sh;

	if (s->running) {
		uint64_t appl = pace_appl(s);
		if (!s->gone)
			pace_update(s);
		if (!s->capture) {
			uint64_t played = s->hw < appl ? s->hw : appl;
			/* queued but never played: the capture side must not hear it */
			loop_forget(s->loop, s->t0 + played, s->t0 + appl);
			atomic_store(&sh->play_running, 0);
			if (s->fast)
				loop_raise(&sh->now, s->t0 + played);
		} else {
			atomic_store(&sh->cap_running, 0);
			if (s->fast)
				loop_raise(&sh->now, physics_timeline_of(s->ph, s->t0, s->hw));
		}
	}
	s->running = 0;
	pace_arm(s, -1);
	return 0;
}

static int read_sw_params(struct sim *s, snd_pcm_sw_params_t *sw)
{
	snd_pcm_uframes_t v;

	if (snd_pcm_sw_params_get_boundary(sw, &v) == 0 && v)
		s->boundary = v;
	if (snd_pcm_sw_params_get_stop_threshold(sw, &v) == 0)
		s->stop_threshold = v;
	if (snd_pcm_sw_params_get_avail_min(sw, &v) == 0)
		s->avail_min = v ? v : 1;
	return 0;
}

static int sim_sw_params(snd_pcm_ioplug_t *io, snd_pcm_sw_params_t *params)
{
	return read_sw_params(io->private_data, params);
}

/* The capture side's physics for the current rate and mixer state. */
static int make_physics(struct sim *s)
{
	char perr[PHYSICS_ERR_MAX];
	struct physics_cfg pc = { .sc = s->sc, .rate = s->rate, .latency = s->latency };

	if (s->mix) {
		s->mix_gen = simmix_generation(s->mix);
		simmix_effect(s->mix, &pc.monitor_gain, &pc.gain_db);
	}
	physics_destroy(s->ph);
	s->ph = physics_create(&pc, perr);
	if (!s->ph) {
		SNDERR("tonewire_sim: %s: %s", s->sc->path, perr);
		return -EINVAL;
	}
	return 0;
}

static int sim_prepare(snd_pcm_ioplug_t *io)
{
	struct sim *s = io->private_data;

	if (s->gone)
		return -ENODEV;
	if (s->running)
		sim_stop(io);
	if (!s->boundary) {
		snd_pcm_sw_params_t *sw;
		snd_pcm_sw_params_alloca(&sw);
		if (snd_pcm_sw_params_current(io->pcm, sw) == 0)
			read_sw_params(s, sw);
	}
	s->hw = 0;
	s->starved_ns = 0;
	if (s->capture) {
		/* The mixer changed since: the signal paths did too. */
		if (s->ph && s->mix && simmix_generation(s->mix) != s->mix_gen) {
			int rc = make_physics(s);
			if (rc < 0)
				return rc;
		}
		atomic_store(&s->sh->cap_xrun, 0);
		physics_reset(s->ph);
	} else {
		atomic_store(&s->sh->play_xrun, 0);
	}
	/* PREPARED is set after this returns; a prepared playback can be written at once */
	pace_arm(s, s->capture ? -1 : 0);
	return 0;
}

static int sim_hw_params(snd_pcm_ioplug_t *io, snd_pcm_hw_params_t *params)
{
	struct sim *s = io->private_data;
	char err[LOOP_ERR_MAX];
	int rc;

	(void)params;
	if (io->channels != s->dev.dev_ch || !hw_rate_ok(&s->dev, io->rate)) {
		SNDERR("tonewire_sim: %u channels at %u Hz: expected %u channels at a rate the interface offers",
		       io->channels, io->rate, s->dev.dev_ch);
		return -EINVAL;
	}
	if ((rc = loop_set_rate(s->loop, io->rate, err)) < 0) {
		SNDERR("tonewire_sim: %s", err);
		return rc;
	}
	s->rate = io->rate;
	s->format = io->format;
	s->buffer = io->buffer_size;
	s->unplug_frames = s->sc->unplug_after_ms >= 0
	                       ? (uint64_t)s->sc->unplug_after_ms * s->rate / 1000
	                       : UINT64_MAX;
	if (!s->capture) {
		free(s->prefill);
		s->prefill = calloc((size_t)s->buffer * s->n_out, sizeof(float));
		if (!s->prefill)
			return -ENOMEM;
	} else if ((rc = make_physics(s)) < 0) {
		return rc;
	}
	return 0;
}

static int sim_hw_free(snd_pcm_ioplug_t *io)
{
	struct sim *s = io->private_data;
	char err[LOOP_ERR_MAX];

	loop_set_rate(s->loop, 0, err);
	return 0;
}

static int sim_poll_revents(snd_pcm_ioplug_t *io, struct pollfd *pfd, unsigned int nfds,
                            unsigned short *revents)
{
	struct sim *s = io->private_data;
	uint64_t expirations;
	snd_pcm_sframes_t avail;
	snd_pcm_state_t state;
	unsigned short ev = 0;

	(void)pfd;
	(void)nfds;
	while (read(s->timer_fd, &expirations, sizeof expirations) > 0)
		;
	avail = snd_pcm_avail_update(io->pcm);
	/* fast pace: a reader waiting for more than is left before the unplug
	 * would wait for ever; the device is gone for it now */
	if (s->fast && s->running && !s->gone && s->hw >= s->unplug_frames && avail >= 0 &&
	    (snd_pcm_uframes_t)avail < s->avail_min)
		pace_unplug(s);
	state = io->state;
	if (avail < 0 || state == SND_PCM_STATE_XRUN || state == SND_PCM_STATE_DISCONNECTED || s->gone)
		ev = POLLERR;
	else if (!s->capture && state == SND_PCM_STATE_DRAINING)
		ev = (snd_pcm_uframes_t)avail >= s->buffer ? POLLOUT : 0;
	else if (!s->capture && state != SND_PCM_STATE_RUNNING)
		ev = POLLOUT;   /* prepared, or a drain that just finished */
	else if ((snd_pcm_uframes_t)avail >= s->avail_min)
		ev = s->capture ? POLLIN : POLLOUT;
	pace_rearm(s, pace_appl(s));
	*revents = ev;
	return 0;
}

static void sim_dump(snd_pcm_ioplug_t *io, snd_output_t *out)
{
	struct sim *s = io->private_data;

	snd_output_printf(out, "tonewire_sim: scenario %s, jig %s, %s pace, latency %u frames\n", s->sc->path,
	                  s->sc->jig.name, s->fast ? "fast" : "realtime", s->latency);
	if (io->state != SND_PCM_STATE_OPEN) {
		snd_output_printf(out, "Its setup is:\n");
		snd_pcm_dump_setup(io->pcm, out);
	}
}

static void sim_free(struct sim *s)
{
	if (!s)
		return;
	loop_close(s->loop);
	simmix_close(s->mix);
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	physics_destroy(s->ph);
	free(s->prefill);
	free(s->sc);
	free(s);
}

static int sim_close(snd_pcm_ioplug_t *io)
{
	sim_free(io->private_data);
	return 0;
}

static const snd_pcm_ioplug_callback_t sim_callbacks = {
	.start = sim_start,
	.stop = sim_stop,
	.pointer = sim_pointer,
	.transfer = sim_transfer,
	.close = sim_close,
	.hw_params = sim_hw_params,
	.hw_free = sim_hw_free,
	.sw_params = sim_sw_params,
	.prepare = sim_prepare,
	.poll_revents = sim_poll_revents,
	.dump = sim_dump,
};

/* A fresh round trip for every open, as a USB interface has. */
static unsigned random_latency(void)
{
	uint64_t z = (uint64_t)loop_mono_ns() ^ ((uint64_t)getpid() << 32);

	z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdull;
	z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ull;
	z ^= z >> 33;
	return LATENCY_MIN + (unsigned)(z % (LATENCY_MAX - LATENCY_MIN + 1));
}

/* Fast pace is for one process that plays and records (tests, the CLI):
 * by default its loop is private, so parallel runs of one scenario stay
 * apart. TONEWIRE_SIM_LOOP=shared|private overrides. */
static int private_loop(int fast)
{
	const char *e = getenv("TONEWIRE_SIM_LOOP");

	if (e && strcmp(e, "shared") == 0)
		return 0;
	if (e && strcmp(e, "private") == 0)
		return 1;
	return fast;
}

static int sim_open(snd_pcm_t **pcmp, const char *name, const char *path, const char *unit,
                    snd_pcm_stream_t stream, int mode)
{
	struct sim *s;
	struct profiles prof;
	char err[PROFILE_ERR_MAX], lerr[LOOP_ERR_MAX], real[PATH_MAX];
	int rc;

	if (!path || !*path) {
		SNDERR("tonewire_sim: no scenario: open tonewire_sim:/path/to/scenario.conf "
		       "(or set TONEWIRE_SIM_SCENARIO)");
		return -EINVAL;
	}
	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->timer_fd = -1;
	s->capture = stream == SND_PCM_STREAM_CAPTURE;
	s->sc = calloc(1, sizeof *s->sc);
	if (!s->sc) {
		rc = -ENOMEM;
		goto fail;
	}
	/* The scenario is read on every open: rewriting it re-plugs the interface. */
	profiles_init(&prof, NULL);
	rc = scenario_load(path, &prof, s->sc, err);
	if (rc < 0) {
		SNDERR("tonewire_sim: %s", err);
		goto fail;
	}
	if (s->sc->unplugged) {
		SNDERR("tonewire_sim: %s: [interface] unplugged = true: no such device", path);
		rc = -ENODEV;
		goto fail;
	}
	if (!realpath(path, real)) {
		rc = -errno;
		SNDERR("tonewire_sim: %s: %s", path, strerror(errno));
		goto fail;
	}
	s->n_out = s->sc->jig.fixture.n_outputs;
	s->n_ch = s->capture ? s->sc->jig.fixture.n_inputs : s->n_out;
	hw_dir_init(&s->dev, s->sc, s->capture);
	/* A named unit is a device of its own (a separate DAC or ADC). */
	s->unit = unit && *unit ? loop_hash(unit) | 1 : 0;
	if (s->capture && (s->sc->hw.n_controls || s->sc->hw.n_power_on)) {
		char merr[SIMMIX_ERR_MAX];
		if (!(s->mix = simmix_open(s->sc, real, merr))) {
			SNDERR("tonewire_sim: %s", merr);
			rc = -EIO;
			goto fail;
		}
	}
	s->fast = s->sc->pace_fast;
	s->drift = s->capture ? s->sc->drift_ppm * 1e-6 : 0.0;
	s->latency = s->sc->latency_frames >= 0 ? (unsigned)s->sc->latency_frames : random_latency();
	s->unplug_frames = UINT64_MAX;

	struct loop_cfg lc = { .key = real, .n_out = s->n_out, .pace_fast = s->fast,
	                       .private_loop = private_loop(s->fast) };
	rc = loop_open(&lc, s->capture ? LOOP_CAPTURE : LOOP_PLAYBACK, &s->loop, lerr);
	if (rc < 0) {
		SNDERR("tonewire_sim: %s: %s", path, lerr);
		goto fail;
	}
	s->sh = loop_state(s->loop);
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->timer_fd < 0) {
		rc = -errno;
		goto fail;
	}

	s->io.version = SND_PCM_IOPLUG_VERSION;
	s->io.name = "tonewire simulated jig";
	s->io.flags = SND_PCM_IOPLUG_FLAG_BOUNDARY_WA | SND_PCM_IOPLUG_FLAG_MONOTONIC;
	s->io.poll_fd = s->timer_fd;
	/* a timerfd is only ever readable; poll_revents turns it into POLLOUT for playback */
	s->io.poll_events = POLLIN;
	s->io.mmap_rw = 0;
	s->io.callback = &sim_callbacks;
	s->io.private_data = s;
	rc = snd_pcm_ioplug_create(&s->io, name, stream, mode);
	if (rc < 0)
		goto fail;
	/* from here on, closing the PCM frees s */
	rc = hw_constrain(&s->io, &s->dev, &s->sc->hw, loop_peer_rate(s->loop));
	if (rc < 0) {
		snd_pcm_ioplug_delete(&s->io);
		return rc;
	}
	*pcmp = s->io.pcm;
	return 0;

fail:
	sim_free(s);
	return rc;
}

/* The module is built with hidden visibility; only its entry point and
 * alsa-lib's version tag are for the world. */
#pragma GCC visibility push(default)
int SND_PCM_PLUGIN_ENTRY(tonewire_sim)(snd_pcm_t **pcmp, const char *name, snd_config_t *root,
                                       snd_config_t *conf, snd_pcm_stream_t stream, int mode);
SND_PCM_PLUGIN_DEFINE_FUNC(tonewire_sim)
{
	snd_config_iterator_t i, next;
	const char *scenario = NULL, *unit = NULL;

	(void)root;
	snd_config_for_each(i, next, conf) {
		snd_config_t *n = snd_config_iterator_entry(i);
		const char *id;

		if (snd_config_get_id(n, &id) < 0)
			continue;
		if (strcmp(id, "comment") == 0 || strcmp(id, "type") == 0 || strcmp(id, "hint") == 0)
			continue;
		if (strcmp(id, "unit") == 0) {
			if (snd_config_get_string(n, &unit) < 0) {
				SNDERR("tonewire_sim: unit must be a string (a device name: dac, adc…)");
				return -EINVAL;
			}
			continue;
		}
		if (strcmp(id, "scenario") == 0) {
			if (snd_config_get_string(n, &scenario) < 0) {
				SNDERR("tonewire_sim: scenario must be a string (a path)");
				return -EINVAL;
			}
			continue;
		}
		SNDERR("tonewire_sim: unknown field %s (expected scenario, unit)", id);
		return -EINVAL;
	}
	return sim_open(pcmp, name, scenario, unit, stream, mode);
}

SND_PCM_PLUGIN_SYMBOL(tonewire_sim);
#pragma GCC visibility pop
