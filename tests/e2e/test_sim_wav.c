/* test_sim_wav: writes test-tone WAV files and checks recorded ones, for the aplay/arecord test of the simulated jig. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Block length of the check: 100 ms at 48 kHz, so tones on multiples of
 * 10 Hz sit on a bin. */
#define BLOCK 4800

static void put16(FILE *f, unsigned v)
{
	fputc((int)(v & 0xff), f);
	fputc((int)((v >> 8) & 0xff), f);
}

static void put32(FILE *f, uint32_t v)
{
	put16(f, v & 0xffff);
	put16(f, v >> 16);
}

/* gen OUT CHANNELS RATE SECONDS FREQ...: tone k (amplitude 0.25) on channel k. */
static int gen(int argc, char **argv)
{
	unsigned ch, rate;
	double secs;
	FILE *f;

	if (argc < 6)
		return 2;
	ch = (unsigned)atoi(argv[3]);
	rate = (unsigned)atoi(argv[4]);
	secs = atof(argv[5]);
	if (ch < 1 || ch > 16 || rate < 8000 || secs <= 0 || argc - 6 > (int)ch)
		return 2;
	uint32_t frames = (uint32_t)(secs * rate), bytes = frames * ch * 2;
	f = fopen(argv[2], "wb");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	fwrite("RIFF", 1, 4, f);
	put32(f, 36 + bytes);
	fwrite("WAVEfmt ", 1, 8, f);
	put32(f, 16);
	put16(f, 1);
	put16(f, ch);
	put32(f, rate);
	put32(f, rate * ch * 2);
	put16(f, ch * 2);
	put16(f, 16);
	fwrite("data", 1, 4, f);
	put32(f, bytes);
	for (uint32_t k = 0; k < frames; k++) {
		for (unsigned c = 0; c < ch; c++) {
			double v = (int)c < argc - 6 ? 0.25 * sin(2 * M_PI * atof(argv[6 + c]) * k / rate) : 0.0;
			put16(f, (unsigned)(uint16_t)(int16_t)lrint(v * 32767));
		}
	}
	return fclose(f) == 0 ? 0 : 1;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A 16-bit PCM WAV as float frames. */
static float *load(const char *path, unsigned *ch, unsigned *rate, size_t *frames)
{
	FILE *f = fopen(path, "rb");
	unsigned char hdr[8], fmt[16];
	float *x = NULL;
	int have_fmt = 0;

	if (!f) {
		perror(path);
		return NULL;
	}
	if (fread(hdr, 1, 8, f) != 8 || memcmp(hdr, "RIFF", 4) || fread(hdr, 1, 4, f) != 4 || memcmp(hdr, "WAVE", 4))
		goto bad;
	while (fread(hdr, 1, 8, f) == 8) {
		uint32_t len = get32(hdr + 4);
		if (!memcmp(hdr, "fmt ", 4) && len >= 16) {
			if (fread(fmt, 1, 16, f) != 16 || fseek(f, (long)(len - 16 + (len & 1)), SEEK_CUR))
				goto bad;
			*ch = fmt[2] | fmt[3] << 8;
			*rate = get32(fmt + 4);
			have_fmt = fmt[0] == 1 && fmt[14] == 16 && *ch > 0;
		} else if (!memcmp(hdr, "data", 4) && have_fmt) {
			/* arecord writes a huge length while recording and fixes it at the end */
			size_t n = 0, cap = 1 << 16;
			x = malloc(cap * sizeof *x);
			unsigned char s[2];
			while (x && n < len / 2 && fread(s, 1, 2, f) == 2) {
				if (n == cap) {
					float *y = realloc(x, 2 * cap * sizeof *x);
					if (!y)
						goto bad;
					x = y;
					cap *= 2;
				}
				x[n++] = (int16_t)(s[0] | s[1] << 8) / 32768.0f;
			}
			*frames = n / *ch;
			fclose(f);
			return x;
		} else if (fseek(f, (long)(len + (len & 1)), SEEK_CUR)) {
			goto bad;
		}
	}
bad:
	fprintf(stderr, "%s: not a 16-bit PCM WAV file\n", path);
	free(x);
	fclose(f);
	return NULL;
}

static double amplitude(const float *x, unsigned ch, unsigned c, size_t at, unsigned rate, double hz)
{
	double re = 0, im = 0;

	for (size_t i = 0; i < BLOCK; i++) {
		double ph = 2 * M_PI * hz * (double)i / rate;
		re += x[(at + i) * ch + c] * cos(ph);
		im -= x[(at + i) * ch + c] * sin(ph);
	}
	return 2 * sqrt(re * re + im * im) / BLOCK;
}

/* check IN CHANNEL FREQ AMPLITUDE TOLERANCE MIN_SECONDS: the tone is on that
 * channel at that amplitude (relative tolerance) for at least MIN_SECONDS
 * of 100 ms blocks. AMPLITUDE 0 means "absent" (below 1e-3 everywhere). */
static int check(int argc, char **argv)
{
	unsigned ch = 0, rate = 0, c;
	size_t frames = 0, blocks_on = 0, blocks = 0;
	double hz, want, tol, min_s, peak = 0;
	float *x;

	if (argc != 8)
		return 2;
	c = (unsigned)atoi(argv[3]);
	hz = atof(argv[4]);
	want = atof(argv[5]);
	tol = atof(argv[6]);
	min_s = atof(argv[7]);
	x = load(argv[2], &ch, &rate, &frames);
	if (!x)
		return 1;
	if (c >= ch) {
		fprintf(stderr, "%s has %u channels\n", argv[2], ch);
		free(x);
		return 1;
	}
	for (size_t at = 0; at + BLOCK <= frames; at += BLOCK) {
		double a = amplitude(x, ch, c, at, rate, hz);
		blocks++;
		peak = fmax(peak, a);
		if (want > 0 && fabs(a / want - 1) <= tol)
			blocks_on++;
	}
	free(x);
	printf("%s: channel %u, %.0f Hz: peak %.5f (%.2f dBFS), %.2f s of %.2f s at %.5f +- %.0f %%\n", argv[2], c, hz,
	       peak, 20 * log10(peak > 0 ? peak : 1e-12), blocks_on * (double)BLOCK / rate, blocks * (double)BLOCK / rate,
	       want, tol * 100);
	if (want == 0)
		return peak < 1e-3 ? 0 : 1;
	return blocks_on * (double)BLOCK / rate >= min_s ? 0 : 1;
}

int main(int argc, char **argv)
{
	int rc = 2;

	if (argc > 1 && strcmp(argv[1], "gen") == 0)
		rc = gen(argc, argv);
	else if (argc > 1 && strcmp(argv[1], "check") == 0)
		rc = check(argc, argv);
	if (rc == 2)
		fprintf(stderr, "usage: %s gen OUT.wav CHANNELS RATE SECONDS FREQ...\n"
		                "       %s check IN.wav CHANNEL FREQ AMPLITUDE TOLERANCE MIN_SECONDS\n",
		        argv[0], argv[0]);
	return rc;
}
