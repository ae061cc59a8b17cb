/* log: messages for people on stderr — a message that repeats is printed once a minute, with how often it came. */
#ifndef TONEWIRE_LOG_H
#define TONEWIRE_LOG_H

/* Name messages with prog ("tonewired"); call once at start-up. */
void log_init(const char *prog);

/* "prog: message". A message whose text was already printed in the last
 * LOG_REPEAT_S seconds is only counted; the next time it is printed, the
 * count of those held back goes with it. Any thread but a real-time one. */
void log_limited(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Route alsa-lib's own error messages ("ALSA lib …") through log_limited:
 * a missing device is retried twice a second, forever. Call before any
 * other thread starts. */
void log_route_alsa(void);

#define LOG_REPEAT_S 60

#endif
