/* log: rate-limited messages on stderr, and alsa-lib's error messages routed through them. */
#include "log.h"

#include <alsa/asoundlib.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"

#define LOG_SLOTS 16
#define LOG_TEXT_MAX 512

/* The one piece of process-wide state here: alsa-lib's error handler takes
 * no context pointer, so what it needs cannot be handed to it. */
static struct {
	pthread_mutex_t lock;
	char prog[32];
	struct slot {
		char text[LOG_TEXT_MAX];
		double last_ms;          /* when it was last printed */
		unsigned long held;      /* repeats not printed since */
	} slot[LOG_SLOTS];
	unsigned next;
} state = { .lock = PTHREAD_MUTEX_INITIALIZER, .prog = "tonewire" };

void log_init(const char *prog)
{
	pthread_mutex_lock(&state.lock);
	snprintf(state.prog, sizeof(state.prog), "%s", prog);
	pthread_mutex_unlock(&state.lock);
}

static void say(const char *text)
{
	double now = clock_now_ms();
	struct slot *s = NULL;
	pthread_mutex_lock(&state.lock);
	for (unsigned i = 0; i < LOG_SLOTS && !s; i++)
		if (!strcmp(state.slot[i].text, text))
			s = &state.slot[i];
	if (s && now - s->last_ms < LOG_REPEAT_S * 1e3) {
		s->held++;
		pthread_mutex_unlock(&state.lock);
		return;
	}
	if (!s) {
		s = &state.slot[state.next++ % LOG_SLOTS];   /* the oldest new message makes room */
		snprintf(s->text, sizeof(s->text), "%s", text);
		s->held = 0;
	}
	if (s->held)
		fprintf(stderr, "%s: %s (and %lu times more in the last %d s)\n", state.prog, text, s->held,
		        LOG_REPEAT_S);
	else
		fprintf(stderr, "%s: %s\n", state.prog, text);
	s->held = 0;
	s->last_ms = now;
	pthread_mutex_unlock(&state.lock);
}

void log_limited(const char *fmt, ...)
{
	char text[LOG_TEXT_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	say(text);
}

static void alsa_error(const char *file, int line, const char *function, int err, const char *fmt, ...)
{
	char msg[LOG_TEXT_MAX - 64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)line;
	if (err)
		log_limited("ALSA: %s (%s:%s: %s)", msg, file, function, snd_strerror(err));
	else
		log_limited("ALSA: %s (%s:%s)", msg, file, function);
}

void log_route_alsa(void)
{
	snd_lib_error_set_handler(alsa_error);
}
