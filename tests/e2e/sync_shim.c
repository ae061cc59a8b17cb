/* sync_shim: an LD_PRELOAD library that records, with CLOCK_MONOTONIC times, every
 * fsync/fdatasync a process completes (and on which file) and every HTTP reply
 * it starts to send (and its status), into the file $TW_SYNC_LOG. The
 * durability test reads it to prove each acknowledged result was on stable
 * storage before its 2xx left the daemon. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;

static long long mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One line per event, written with one write() so lines never interleave. */
static void note(const char *fmt, ...)
{
	char line[1200];
	va_list ap;
	pthread_mutex_lock(&lock);
	if (log_fd < 0) {
		const char *path = getenv("TW_SYNC_LOG");
		log_fd = path ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -2;
	}
	if (log_fd >= 0) {
		va_start(ap, fmt);
		int n = vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		if (n > 0) {
			ssize_t (*real_write)(int, const void *, size_t) = dlsym(RTLD_NEXT, "write");
			real_write(log_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
		}
	}
	pthread_mutex_unlock(&lock);
}

static void note_sync(int fd, const char *what)
{
	char link[64], path[1024];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	path[n > 0 ? n : 0] = '\0';
	note("%lld %s %s\n", mono_ns(), what, path);
}

/* A reply starts with its status line: "HTTP/1.1 200 OK". */
static void note_reply(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	if (len >= 12 && !memcmp(p, "HTTP/1.", 7))
		note("%lld reply %.3s %d\n", mono_ns(), p + 9, fd);
}

int fsync(int fd)
{
	int (*real)(int) = dlsym(RTLD_NEXT, "fsync");
	int r = real(fd);
	if (r == 0)
		note_sync(fd, "fsync");
	return r;
}

int fdatasync(int fd)
{
	int (*real)(int) = dlsym(RTLD_NEXT, "fdatasync");
	int r = real(fd);
	if (r == 0)
		note_sync(fd, "fdatasync");
	return r;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	ssize_t (*real)(int, const void *, size_t, int) = dlsym(RTLD_NEXT, "send");
	note_reply(fd, buf, len);
	return real(fd, buf, len, flags);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	ssize_t (*real)(int, const struct msghdr *, int) = dlsym(RTLD_NEXT, "sendmsg");
	if (msg->msg_iovlen)
		note_reply(fd, msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len);
	return real(fd, msg, flags);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	ssize_t (*real)(int, const struct iovec *, int) = dlsym(RTLD_NEXT, "writev");
	if (cnt > 0)
		note_reply(fd, iov[0].iov_base, iov[0].iov_len);
	return real(fd, iov, cnt);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	ssize_t (*real)(int, const void *, size_t) = dlsym(RTLD_NEXT, "write");
	note_reply(fd, buf, len);
	return real(fd, buf, len);
}
