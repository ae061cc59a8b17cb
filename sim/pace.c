/* pace: how the simulated interface's pointers move — by the monotonic clock, or at fast pace as far as the loop can feed them — and when its poll descriptor wakes the client. */
#include "pcm.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sys/timerfd.h>
#include <time.h>

uint64_t pace_appl(const struct sim *s)
{
	/* The application pointer wraps at the boundary; it is never more than
	 * a buffer away from the hw pointer, so unwrap it against ours. */
	snd_pcm_uframes_t b = s->boundary ? s->boundary : (snd_pcm_uframes_t)LONG_MAX;
	snd_pcm_uframes_t hw_mod = (snd_pcm_uframes_t)(s->hw % b);
	snd_pcm_uframes_t ap = s->io.appl_ptr % b;
	int64_t d = (int64_t)ap - (int64_t)hw_mod;

	if (d > (int64_t)(b / 2))
		d -= (int64_t)b;
	else if (d < -(int64_t)(b / 2))
		d += (int64_t)b;
	return (uint64_t)((int64_t)s->hw + d);
}

/* Capture frames elapsed since start on a clock running drift fast. */
static uint64_t capture_frames_at(const struct sim *s, int64_t now_ns)
{
	int64_t d = now_ns - s->t0_ns;
	uint64_t whole;
	double frac;

	if (d <= 0)
		return 0;
	whole = (uint64_t)(d / 1000000000) * s->rate + (uint64_t)(d % 1000000000) * s->rate / 1000000000u;
	if (s->drift == 0.0)
		return whole;
	frac = (double)((uint64_t)(d % 1000000000) * s->rate % 1000000000u) / 1e9;
	double f = ((double)whole + frac) * (1.0 + s->drift);
	return f > 0 ? (uint64_t)f : 0;
}

static int64_t capture_ns_of(const struct sim *s, uint64_t n)
{
	return s->t0_ns + (int64_t)ceil((double)n * 1e9 / (s->rate * (1.0 + s->drift))) + 1;
}

/* A waiting stream of fast pace: after the grace, the other side is late. */
static int starved_too_long(struct sim *s)
{
	int64_t now = loop_mono_ns();

	if (!s->starved_ns) {
		s->starved_ns = now;
		return 0;
	}
	return now - s->starved_ns >= FAST_GRACE_NS;
}

static int update_fast(struct sim *s, uint64_t appl)
{
	struct loop_shared *sh = s->sh;
	uint64_t target;

	if (!s->capture) {
		if (atomic_load(&sh->play_xrun))
			return -EPIPE;
		target = appl;
		/* Never lap the capture side in the ring. */
		if (atomic_load(&sh->cap_running)) {
			uint64_t lim = atomic_load(&sh->cap_src) + LOOP_RING_FRAMES / 2;
			if (s->t0 + target > lim)
				target = lim > s->t0 ? lim - s->t0 : 0;
		}
		if (target < s->hw)
			target = s->hw;
		if (target < appl && target + s->buffer - appl < s->avail_min) {
			if (starved_too_long(s)) {
				atomic_store(&sh->cap_xrun, 1);
				target = appl;
			}
		} else {
			s->starved_ns = 0;
		}
		s->hw = target;
		return 0;
	}

	if (atomic_load(&sh->cap_xrun))
		return -EPIPE;
	uint64_t room = appl + s->buffer;
	int fed = atomic_load(&sh->play_running) != 0;
	target = room;
	/* A capture started before its playback (two devices start that way)
	 * waits for it while one is open, as long as a late playback would be
	 * waited for: the pair's clock starts with the pair. */
	if (!fed && s->hw == 0 && sh->claim[LOOP_PLAYBACK].pid != 0 && !starved_too_long(s))
		return 0;
	/* A running playback feeds the loop: capture reaches only as far as it wrote. */
	if (fed) {
		uint64_t lim = physics_frames_before(s->ph, s->t0, atomic_load_explicit(&sh->play_end,
		                                                                         memory_order_acquire));
		if (lim < target)
			target = lim;
	}
	if (target < s->hw)
		target = s->hw;
	if (fed && target < room && target - appl < s->avail_min) {
		if (starved_too_long(s)) {
			atomic_store(&sh->play_xrun, 1);
			target = room;
		}
	} else {
		s->starved_ns = 0;
	}
	s->hw = target;
	uint64_t reached = physics_timeline_of(s->ph, s->t0, s->hw);
	atomic_store(&sh->cap_src, reached > s->latency ? reached - s->latency : 0);
	loop_raise(&sh->now, reached);
	return 0;
}

void pace_unplug(struct sim *s)
{
	s->gone = 1;
	snd_pcm_ioplug_set_state(&s->io, SND_PCM_STATE_DISCONNECTED);
}

/* Moves the hw pointer to where the clock (or the loop, at fast pace) has
 * it; -EPIPE on an xrun. Marks the stream disconnected once unplugged. */
int pace_update(struct sim *s)
{
	uint64_t appl = pace_appl(s), h;
	snd_pcm_state_t state = s->io.state;

	if (!s->running || s->gone)
		return 0;
	if (s->fast) {
		int rc = update_fast(s, appl);
		if (rc < 0)
			return rc;
		h = s->hw;
	} else {
		int64_t now = loop_mono_ns();
		if (s->capture) {
			h = capture_frames_at(s, now);
		} else {
			uint64_t t = loop_frames_at(s->loop, now, s->rate);
			h = t > s->t0 ? t - s->t0 : 0;
		}
		if (h < s->hw)
			h = s->hw;
	}
	if (!s->capture && state == SND_PCM_STATE_DRAINING && h > appl)
		h = appl;
	if (h >= s->unplug_frames) {
		s->hw = s->unplug_frames > s->hw ? s->unplug_frames : s->hw;
		/* At fast pace the frames before the unplug are delivered first,
		 * so a run ends after exactly that many; in real time the device
		 * vanishes with whatever its buffer held, as a USB one does. */
		if (!s->fast || appl >= s->unplug_frames)
			pace_unplug(s);
		return 0;
	}
	s->hw = h;
	if (!s->fast && state != SND_PCM_STATE_DRAINING && s->stop_threshold < s->boundary) {
		int64_t avail = s->capture ? (int64_t)(h - appl) : (int64_t)(h + s->buffer - appl);
		if (avail >= (int64_t)s->stop_threshold)
			return -EPIPE;
	}
	return 0;
}

void pace_arm(struct sim *s, int64_t when_ns)
{
	struct itimerspec its = { 0 };

	if (when_ns > 0) {
		its.it_value.tv_sec = when_ns / 1000000000;
		its.it_value.tv_nsec = when_ns % 1000000000;
	} else if (when_ns == 0) {
		its.it_value.tv_nsec = 1;   /* in the past: readable now */
	}
	/* when_ns < 0: disarmed */
	timerfd_settime(s->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Time the poll descriptor so it is readable exactly when the client can
 * go on (avail_min reached, drain done, an xrun or the unplug). */
void pace_rearm(struct sim *s, uint64_t appl)
{
	snd_pcm_state_t state = s->io.state;
	int draining = state == SND_PCM_STATE_DRAINING;

	switch (state) {
	case SND_PCM_STATE_XRUN:
	case SND_PCM_STATE_DISCONNECTED:
		pace_arm(s, 0);
		return;
	case SND_PCM_STATE_PREPARED:
		pace_arm(s, s->capture ? -1 : 0);
		return;
	case SND_PCM_STATE_RUNNING:
	case SND_PCM_STATE_DRAINING:
		break;
	default:
		pace_arm(s, -1);
		return;
	}
	if (s->gone) {
		pace_arm(s, 0);
		return;
	}
	if (s->fast) {
		int64_t avail;
		if (pace_update(s) < 0 || s->gone) {
			pace_arm(s, 0);
			return;
		}
		avail = s->capture ? (int64_t)(s->hw - appl) : (int64_t)(s->hw + s->buffer - appl);
		if (avail >= (int64_t)(draining && !s->capture ? s->buffer : s->avail_min))
			pace_arm(s, 0);
		else
			pace_arm(s, loop_mono_ns() + FAST_RECHECK_NS);
		return;
	}

	int64_t target, when;
	if (s->capture)
		target = (int64_t)(appl + s->avail_min);
	else if (draining)
		target = (int64_t)appl;
	else
		target = (int64_t)(appl + s->avail_min) - (int64_t)s->buffer;
	if (s->stop_threshold < s->boundary) {
		int64_t xrun = s->capture ? (int64_t)(appl + s->stop_threshold)
		                          : (int64_t)(appl + s->stop_threshold) - (int64_t)s->buffer;
		if (xrun < target)
			target = xrun;
	}
	if (s->unplug_frames < (uint64_t)INT64_MAX && (int64_t)s->unplug_frames < target)
		target = (int64_t)s->unplug_frames;
	if (target <= 0 || (uint64_t)target <= s->hw) {
		pace_arm(s, 0);
		return;
	}
	if (s->capture)
		when = capture_ns_of(s, (uint64_t)target);
	else
		when = loop_ns_of(s->loop, s->t0 + (uint64_t)target, s->rate);
	pace_arm(s, when);
}
