/* holders: finds the processes that hold a sound device through /proc, words the message, and keeps ALSA's own words about a failed open. */
#include "holders.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Programs that keep sound devices open for everyone's desktop audio. */
static const char *const sound_servers[] = { "pipewire", "wireplumber", "pipewire-pulse", "pulseaudio", NULL };

static void read_comm(const char *proc_root, long pid, char *out, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(out, len, "?");
	snprintf(path, sizeof path, "%s/%ld/comm", proc_root, pid);
	if ((f = fopen(path, "r"))) {
		if (fgets(out, (int)len, f))
			out[strcspn(out, "\n")] = '\0';
		fclose(f);
	}
}

static void add_holder(char *out, size_t len, long pid, const char *comm, int *n, int *server)
{
	size_t used = strlen(out);
	char one[96];

	snprintf(one, sizeof one, "pid %ld (%.60s)", pid, comm);
	if (strstr(out, one))
		return;
	snprintf(out + used, len - used, "%s%s", *n ? ", " : "", one);
	(*n)++;
	for (unsigned k = 0; sound_servers[k]; k++)
		if (!strcmp(comm, sound_servers[k]) && server)
			*server = 1;
}

int holders_find(const char *proc_root, const char *dev_path, char *out, size_t len, int *sound_server)
{
	DIR *proc;
	struct dirent *p;
	int n = 0;

	if (!proc_root)
		proc_root = "/proc";
	out[0] = '\0';
	if (sound_server)
		*sound_server = 0;
	if (!(proc = opendir(proc_root)))
		return 0;
	while ((p = readdir(proc)) != NULL) {
		char dir[PATH_MAX], *end;
		long pid = strtol(p->d_name, &end, 10);
		DIR *fds;
		struct dirent *f;

		if (*end || pid <= 0)
			continue;
		snprintf(dir, sizeof dir, "%s/%ld/fd", proc_root, pid);
		/* another user's process: not ours to look into (EACCES) */
		if (!(fds = opendir(dir)))
			continue;
		while ((f = readdir(fds)) != NULL) {
			char link[PATH_MAX + 300], target[PATH_MAX];
			ssize_t m;
			snprintf(link, sizeof link, "%s/%s", dir, f->d_name);
			if ((m = readlink(link, target, sizeof target - 1)) <= 0)
				continue;
			target[m] = '\0';
			if (!strcmp(target, dev_path)) {
				char comm[64];
				read_comm(proc_root, pid, comm, sizeof comm);
				add_holder(out, len, pid, comm, &n, sound_server);
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return n;
}

int holders_card_device(const char *pcm, int *card, int *dev)
{
	static const char *const kinds[] = { "hw:", "plughw:", "sysdefault:", "front:", NULL };
	char spec[128], *comma, *cs, *ds;
	const char *rest = NULL;

	for (unsigned k = 0; kinds[k] && !rest; k++)
		if (!strncmp(pcm, kinds[k], strlen(kinds[k])))
			rest = pcm + strlen(kinds[k]);
	if (!rest)
		return -EINVAL;
	snprintf(spec, sizeof spec, "%s", rest);
	comma = strchr(spec, ',');
	if (comma)
		*comma = '\0';
	cs = !strncmp(spec, "CARD=", 5) ? spec + 5 : spec;
	ds = comma ? (!strncmp(comma + 1, "DEV=", 4) ? comma + 5 : comma + 1) : "0";
	if ((*card = snd_card_get_index(cs)) < 0)
		return -EINVAL;
	*dev = atoi(ds);
	return 0;
}

void holders_busy_message(const char *pcm, int capture, const char *alsa_msg, char *out, size_t len)
{
	char held[256] = "", node[64];
	int card, dev, server = 0, n = 0;
	const char *p;

	if (holders_card_device(pcm, &card, &dev) == 0) {
		snprintf(node, sizeof node, "/dev/snd/pcmC%dD%d%c", card, dev, capture ? 'c' : 'p');
		n = holders_find(NULL, node, held, sizeof held, &server);
	}
	/* A plugin that knows its holder says "process N" (the simulator does). */
	if (!n && alsa_msg && (p = strstr(alsa_msg, "process ")) && isdigit((unsigned char)p[8])) {
		char comm[64];
		long pid = strtol(p + 8, NULL, 10);
		read_comm("/proc", pid, comm, sizeof comm);
		add_holder(held, sizeof held, pid, comm, &n, &server);
	}
	if (!n) {
		snprintf(out, len, "'%.120s' is busy (%s): another program holds it, and Linux does not say which "
		         "(one of another user, or the sound server: try 'fuser -v /dev/snd/*')",
		         pcm, capture ? "capture" : "playback");
	} else if (server) {
		snprintf(out, len, "'%.120s' is busy (%s): held by %s. A desktop sound server keeps the interface open: "
		         "stop it for this user (systemctl --user stop pipewire.socket pipewire wireplumber, or "
		         "pulseaudio --kill), or have it leave the interface alone (pasuspender -- tonewire …)",
		         pcm, capture ? "capture" : "playback", held);
	} else {
		snprintf(out, len, "'%.120s' is busy (%s): held by %s; stop that program (a second tonewire on the same "
		         "jig? use 'tonewire test' through the daemon)", pcm, capture ? "capture" : "playback", held);
	}
}

/* ALSA's own message about the open in progress: one per thread, read
 * right after the call that failed. */
static _Thread_local char *alsa_msg;
static _Thread_local size_t alsa_msg_len;

static void remember_alsa_error(const char *file, int line, const char *func, int errcode, const char *fmt,
                                va_list arg)
{
	(void)file;
	(void)line;
	(void)func;
	(void)errcode;
	if (alsa_msg)
		vsnprintf(alsa_msg, alsa_msg_len, fmt, arg);
}

int holders_pcm_open(snd_pcm_t **pcm, const char *name, int capture, int mode, char *msg, size_t len)
{
	snd_local_error_handler_t old;
	int e;

	if (msg && len)
		msg[0] = '\0';
	alsa_msg = msg;
	alsa_msg_len = len;
	old = snd_lib_error_set_local(remember_alsa_error);
	e = snd_pcm_open(pcm, name, capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK, mode);
	snd_lib_error_set_local(old);
	alsa_msg = NULL;
	return e;
}

