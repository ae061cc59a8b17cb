/* test_sim_realtime: the simulated jig at real-time pace behaves like hardware: clocked, xruns when late, pollable, latency as configured. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_sim_common.h"

#define RATE 48000
#define LAT 300

static const char *const wires =
	"[cable]\nwire = A.T B.T\nwire = A.R1 B.R1\nwire = A.R2 B.R2\nwire = A.S B.S\n";

static char *scenario(const char *name, const char *interface)
{
	char text[1024];

	snprintf(text, sizeof text, "[scenario]\njig = trrs-4ch\n[interface]\nlatency_frames = %d\n%s\n%s", LAT,
	         interface, wires);
	return sim_scenario(name, text);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static snd_pcm_t *open_one(const char *path, snd_pcm_stream_t stream, int mode, unsigned period, unsigned periods)
{
	snd_pcm_t *pcm;
	snd_pcm_hw_params_t *hw;
	char dev[512];

	snd_pcm_hw_params_alloca(&hw);
	snprintf(dev, sizeof dev, "tonewire_sim:%s", path);
	assert_int_equal(snd_pcm_open(&pcm, dev, stream, mode), 0);
	assert_true(snd_pcm_hw_params_any(pcm, hw) >= 0);
	assert_int_equal(snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED), 0);
	assert_int_equal(snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE), 0);
	assert_int_equal(snd_pcm_hw_params_set_channels(pcm, hw, 4), 0);
	assert_int_equal(snd_pcm_hw_params_set_rate(pcm, hw, RATE, 0), 0);
	assert_int_equal(snd_pcm_hw_params_set_period_size(pcm, hw, period, 0), 0);
	assert_int_equal(snd_pcm_hw_params_set_buffer_size(pcm, hw, (snd_pcm_uframes_t)period * periods), 0);
	assert_int_equal(snd_pcm_hw_params(pcm, hw), 0);   /* leaves it prepared, default sw params */
	return pcm;
}

/* Blocking I/O moves at the clock: a second of audio takes a second.
 * (Periods of 50 ms: the test must not xrun on a busy machine.) */
static void test_pacing(void **state)
{
	char *path = scenario("pacing", "");
	int16_t *buf = calloc(2400 * 4, sizeof *buf);
	snd_pcm_t *p, *c;
	double t0, tp, tc;

	(void)state;
	assert_non_null(buf);
	p = open_one(path, SND_PCM_STREAM_PLAYBACK, 0, 2400, 4);
	t0 = now_s();
	for (int i = 0; i < 20; i++)   /* 1 s; the buffer takes the first 200 ms at once */
		assert_int_equal(snd_pcm_writei(p, buf, 2400), 2400);
	tp = now_s() - t0;
	assert_int_equal(snd_pcm_drain(p), 0);
	double td = now_s() - t0;
	snd_pcm_close(p);

	c = open_one(path, SND_PCM_STREAM_CAPTURE, 0, 2400, 4);
	t0 = now_s();
	for (int i = 0; i < 20; i++)
		assert_int_equal(snd_pcm_readi(c, buf, 2400), 2400);
	tc = now_s() - t0;
	snd_pcm_close(c);
	printf("realtime: 1 s written in %.3f s (drained at %.3f s), 1 s read in %.3f s\n", tp, td, tc);
	/* the clock sets the pace (at fast pace this is all but instant);
	 * 50 ms leaves room for a loaded or sanitised test machine */
	assert_true(fabs(tp - 0.8) < 0.05);
	assert_true(fabs(td - 1.0) < 0.05);
	assert_true(fabs(tc - 1.0) < 0.05);
	free(buf);
	free(path);
}

/* A playback client that sleeps past its buffer gets -EPIPE, and
 * snd_pcm_prepare brings the stream back. Whether a write was "in time" is
 * decided by the clock, not assumed from a sleep: a write finished within
 * the buffer's 85 ms of the start must succeed; when the machine held this
 * process longer than that, the attempt proves nothing and is made again. */
static void test_underrun(void **state)
{
	char *path = scenario("underrun", "");
	int16_t buf[256 * 16 * 4] = { 0 };
	const double buffer_s = 256.0 * 16 / RATE;
	int proven = 0;

	(void)state;
	for (int attempt = 0; attempt < 5 && !proven; attempt++) {
		snd_pcm_t *p = open_one(path, SND_PCM_STREAM_PLAYBACK, 0, 256, 16);
		assert_int_equal(snd_pcm_writei(p, buf, 256 * 16), 256 * 16);   /* fills the buffer: starts */
		double t0 = now_s();
		assert_int_equal(snd_pcm_state(p), SND_PCM_STATE_RUNNING);
		assert_true(snd_pcm_wait(p, 1000) > 0);                          /* a period of room */
		snd_pcm_sframes_t r = snd_pcm_writei(p, buf, 256);
		if (now_s() - t0 < buffer_s - 0.005) {
			assert_int_equal(r, 256);                                     /* in time */
			usleep(200000);                                               /* well past the buffer */
			assert_int_equal(snd_pcm_writei(p, buf, 256), -EPIPE);
			assert_int_equal(snd_pcm_state(p), SND_PCM_STATE_XRUN);
			assert_int_equal(snd_pcm_prepare(p), 0);
			assert_int_equal(snd_pcm_writei(p, buf, 256 * 16), 256 * 16);
			assert_int_equal(snd_pcm_state(p), SND_PCM_STATE_RUNNING);
			proven = 1;
		} else {
			printf("underrun: held %.0f ms by the machine before the in-time write; again\n",
			       (now_s() - t0) * 1e3);
		}
		snd_pcm_close(p);
	}
	assert_true(proven);
	free(path);
}

static void test_overrun(void **state)
{
	char *path = scenario("overrun", "");
	int16_t buf[256 * 4];
	const double buffer_s = 256.0 * 16 / RATE;
	int proven = 0;

	(void)state;
	for (int attempt = 0; attempt < 5 && !proven; attempt++) {
		snd_pcm_t *c = open_one(path, SND_PCM_STREAM_CAPTURE, 0, 256, 16);
		assert_int_equal(snd_pcm_start(c), 0);
		double t0 = now_s();
		snd_pcm_sframes_t r = snd_pcm_readi(c, buf, 256);   /* waits for the first period */
		if (now_s() - t0 < buffer_s - 0.005) {
			assert_int_equal(r, 256);
			usleep(200000);
			assert_int_equal(snd_pcm_readi(c, buf, 256), -EPIPE);
			assert_int_equal(snd_pcm_state(c), SND_PCM_STATE_XRUN);
			assert_int_equal(snd_pcm_prepare(c), 0);
			assert_int_equal(snd_pcm_start(c), 0);
			assert_int_equal(snd_pcm_readi(c, buf, 256), 256);
			proven = 1;
		} else {
			printf("overrun: held %.0f ms by the machine before the first read; again\n", (now_s() - t0) * 1e3);
		}
		snd_pcm_close(c);
	}
	assert_true(proven);
	free(path);
}

/* The descriptor: POLLIN on a timerfd, turned into POLLOUT for playback,
 * ready when a period is. */
static void test_poll(void **state)
{
	char *path = scenario("poll", "");
	int16_t buf[1024 * 4] = { 0 };
	struct pollfd pfd;
	unsigned short rev;
	snd_pcm_t *p = open_one(path, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK, 480, 4);
	snd_pcm_t *c = open_one(path, SND_PCM_STREAM_CAPTURE, SND_PCM_NONBLOCK, 480, 4);
	double t0, t;

	(void)state;
	assert_int_equal(snd_pcm_poll_descriptors_count(p), 1);
	assert_int_equal(snd_pcm_poll_descriptors(p, &pfd, 1), 1);
	assert_true(pfd.events & POLLIN);
	/* prepared playback: writable at once */
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	assert_int_equal(snd_pcm_poll_descriptors_revents(p, &pfd, 1, &rev), 0);
	assert_true(rev & POLLOUT);
	/* full and running: writable again a period (10 ms) later — never
	 * before; not much after in at least one of five tries (a loaded
	 * machine may wake this process late, a late descriptor is late on
	 * every try) */
	snd_pcm_sframes_t n;
	int timely = 0;
	for (int attempt = 0; attempt < 5; attempt++) {
		/* filled to the last frame, so the next period of room is a whole period away */
		for (int k = 0; k < 8 && (n = snd_pcm_avail_update(p)) > 0; k++)
			assert_true(snd_pcm_writei(p, buf, n < 1024 ? (snd_pcm_uframes_t)n : 1024) > 0);
		assert_int_equal(snd_pcm_writei(p, buf, 480), -EAGAIN);
		t0 = now_s();
		do {
			assert_int_equal(poll(&pfd, 1, 1000), 1);
			assert_int_equal(snd_pcm_poll_descriptors_revents(p, &pfd, 1, &rev), 0);
		} while (!(rev & POLLOUT));
		t = now_s() - t0;
		printf("poll: playback writable after %.1f ms\n", t * 1e3);
		assert_true(t > 0.008);
		timely |= t < 0.015;
	}
	assert_true(timely);
	assert_int_equal(snd_pcm_writei(p, buf, 480), 480);

	/* capture: readable a period after start, and a period after it was emptied */
	assert_int_equal(snd_pcm_poll_descriptors(c, &pfd, 1), 1);
	assert_int_equal(snd_pcm_start(c), 0);
	timely = 0;
	for (int attempt = 0; attempt < 5; attempt++) {
		t0 = now_s();
		do {
			assert_int_equal(poll(&pfd, 1, 1000), 1);
			assert_int_equal(snd_pcm_poll_descriptors_revents(c, &pfd, 1, &rev), 0);
		} while (!(rev & POLLIN));
		t = now_s() - t0;
		printf("poll: capture readable after %.1f ms\n", t * 1e3);
		assert_true(t > 0.008);
		timely |= t > 0.008 && t < 0.015;
		/* emptied (what arrives while it reads is a frame or two): about a
		 * whole period to wait again */
		for (int k = 0; k < 8 && (n = snd_pcm_avail_update(c)) > 0; k++)
			assert_true(snd_pcm_readi(c, buf, n < 1024 ? (snd_pcm_uframes_t)n : 1024) > 0);
	}
	assert_true(timely);
	assert_true(snd_pcm_wait(c, 1000) > 0);
	assert_int_equal(snd_pcm_readi(c, buf, 480), 480);
	snd_pcm_close(c);
	snd_pcm_close(p);
	free(path);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s;
}

/* The measuring program's loop at real-time pace: no xrun, the tone's
 * gain, and the round trip found by cross-correlation, blocking and not. */
static void run_loop(int nonblock, int attempt)
{
	char *path = scenario(nonblock ? "loop-nb" : "loop", "noise_dbfs = -100\n");
	/* 100 ms periods, 300 ms queued: another program holding both cores
	 * for a while must not make this loop run late by a buffer */
	struct simdev_cfg cfg = { .scenario = path, .format = SND_PCM_FORMAT_S32_LE, .nonblock = nonblock,
	                          .period = 4800, .periods = 4 };
	struct simdev d;
	const size_t burst = 4096, frames = 2 * RATE;
	const double g = 10000.0 / 10100.05;
	float *play, *cap;
	uint32_t seed = 3;
	double best = -1, c0, t0;
	unsigned lag = 0;

	assert_int_equal(simdev_open(&d, &cfg), 0);
	play = calloc((frames + 8 * d.period) * d.n_out, sizeof *play);
	cap = calloc(frames * d.n_in, sizeof *cap);
	assert_non_null(play);
	assert_non_null(cap);
	/* noise on output 0 for the round trip, then a 1 kHz tone on output 1 */
	for (size_t k = 0; k < burst; k++)
		play[k * d.n_out] = (float)((lcg(&seed) >> 8) / 16777216.0 - 0.5);
	for (size_t k = 0; k < frames + 8 * d.period; k++)
		play[k * d.n_out + 1] = (float)(0.5 * sin(2 * M_PI * 1000.0 * (double)k / RATE));
	t0 = now_s();
	c0 = cpu_s();
	assert_int_equal(simdev_run(&d, play, frames + 8 * d.period, cap, frames, 3), 0);
	double wall = now_s() - t0, cpu = cpu_s() - c0;
	for (unsigned l = 0; l < 2048; l++) {
		double acc = 0;
		for (size_t k = 0; k < burst; k++)
			acc += (double)play[k * d.n_out] * cap[(k + l) * d.n_in];
		if (acc > best) {
			best = acc;
			lag = l;
		}
	}
	double a = cabs(sim_bin(cap + (size_t)RATE * d.n_in, d.n_in, 1, 4800, 100));
	printf("realtime loop%s: 2 s in %.3f s, %.1f %% CPU, round trip %u frames (configured %d), tone gain %.6f (expected %.6f)\n",
	       nonblock ? " (non-blocking)" : "", wall, 100 * cpu / wall, lag, LAT, a / 0.5, g);
	/* started back to back (within 2 ms), the two directions share their
	 * first frame; a machine that held this process between the two
	 * starts only adds to the round trip, never takes from it */
	assert_true(lag >= LAT);
	if (lag != LAT && attempt < 3) {
		printf("the starts were %u frames apart: again\n", lag - LAT);
		free(play);
		free(cap);
		simdev_close(&d);
		free(path);
		run_loop(nonblock, attempt + 1);
		return;
	}
	assert_int_equal(lag, LAT);
	assert_true(fabs(a / 0.5 - g) < 1e-4);
	/* the clock sets the pace: never faster; later only by what the buffer
	 * held (more, and the capture would have overrun) */
	assert_true(wall > 2.0 - 0.05 && wall < 2.0 + 4 * 0.1 + 0.05);
	free(play);
	free(cap);
	simdev_close(&d);
	free(path);
}

static void test_loop_blocking(void **state)
{
	(void)state;
	run_loop(0, 0);
}

static void test_loop_nonblocking(void **state)
{
	(void)state;
	run_loop(1, 0);
}

/* Two processes: the playback side in a child, the capture side here, on
 * the shared loop of one scenario. */
static void test_two_processes(void **state)
{
	char *path = scenario("two", "");
	int16_t buf[480 * 4];
	snd_pcm_t *c;
	pid_t child;
	double peak = 0, before = 0;

	(void)state;
	c = open_one(path, SND_PCM_STREAM_CAPTURE, 0, 480, 20);
	assert_int_equal(snd_pcm_start(c), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		snd_pcm_t *p = open_one(path, SND_PCM_STREAM_PLAYBACK, 0, 480, 20);
		int16_t out[480 * 4] = { 0 };
		usleep(100000);
		for (int i = 0; i < 50; i++) {   /* 0.5 s of 1 kHz on output 3 (A.R2) */
			for (int k = 0; k < 480; k++)
				out[k * 4 + 2] = (int16_t)(16000 * sin(2 * M_PI * 1000.0 * (i * 480 + k) / RATE));
			if (snd_pcm_writei(p, out, 480) != 480)
				_exit(1);
		}
		snd_pcm_drain(p);
		snd_pcm_close(p);
		_exit(0);
	}
	for (int i = 0; i < 100; i++) {   /* 1 s */
		assert_int_equal(snd_pcm_readi(c, buf, 480), 480);
		for (int k = 0; k < 480; k++) {
			double v = fabs(buf[k * 4 + 2] / 32768.0);
			if (i < 5)
				before = fmax(before, v);
			peak = fmax(peak, v);
		}
	}
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("two processes: capture peak %.4f (played %.4f), %.6f before playback started\n", peak, 16000 / 32768.0,
	       before);
	assert_true(before < 1e-3);
	assert_true(fabs(peak - 16000 / 32768.0 * 10000.0 / 10100.05) < 2e-3);
	snd_pcm_close(c);
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
		cmocka_unit_test(test_pacing),
		cmocka_unit_test(test_underrun),
		cmocka_unit_test(test_overrun),
		cmocka_unit_test(test_poll),
		cmocka_unit_test(test_loop_blocking),
		cmocka_unit_test(test_loop_nonblocking),
		cmocka_unit_test(test_two_processes),
	};
	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
