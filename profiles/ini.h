/* ini: the one reader of tonewire's INI files (configuration, profiles, scenarios), with errors as file:line: key: what is wrong. */
#ifndef TONEWIRE_INI_H
#define TONEWIRE_INI_H

#include <stddef.h>

#define INI_ERR_MAX 256
/* Every INI file tonewire reads is a page or two of text; a file this large
 * is a mistaken path (a log, an image), refused before it is read. */
#define INI_FILE_MAX (1L << 20)

/* A key a file may hold. */
struct ini_key {
	const char *section;   /* the section it belongs to */
	const char *name;      /* NULL: any key of that section (e.g. channel numbers) */
	int repeat;            /* 1: may be given on several lines (wire, tie, load, …) */
};

/* What a file may contain; anything else is an error naming its line. */
struct ini_schema {
	const char *what;               /* what the file is, for messages: "scenario", "jig profile" */
	const char *const *sections;    /* the sections it may have, NULL-terminated */
	const struct ini_key *keys;     /* n_keys of them */
	unsigned n_keys;
	int comments;                   /* 1: whole-line comments are entries too (key NULL) */
};

/* One line that holds a key (or, with schema.comments, a comment). */
struct ini_entry {
	unsigned line;                  /* 1-based */
	const char *section;            /* the schema's name of it; "" before the first section */
	const char *key;                /* NULL for a comment */
	const char *value;              /* trimmed; a comment's text after ';' or '#' */
};

typedef struct ini ini;

/* Read and check the file at path against schema: a regular text file (a
 * directory, a device or a FIFO is refused by name), no NUL or control
 * bytes, any line length, ';'/'#' comments at the start of a line or after
 * a blank, CRLF or LF, known sections and keys, each key once unless it
 * repeats. *out (free with ini_free) holds the entries in file order.
 * Returns 0, -ENOENT (no such file) or -EINVAL / -ENOMEM, err filled. */
int ini_load(const char *path, const struct ini_schema *schema, ini **out, char err[INI_ERR_MAX]);

/* The same on text of len bytes already in memory; name stands for the
 * file in messages. */
int ini_parse(const char *name, const char *text, size_t len, const struct ini_schema *schema,
              ini **out, char err[INI_ERR_MAX]);

/* Free a parsed file. Accepts NULL. */
void ini_free(ini *d);

/* The file name messages use (owned by d). */
const char *ini_name(const ini *d);

/* How many entries d holds, and entry i (0-based, file order; owned by d). */
unsigned ini_count(const ini *d);
const struct ini_entry *ini_at(const ini *d, unsigned i);

/* The line of the first header of section, 0 when the file has none. */
unsigned ini_section_line(const ini *d, const char *section);

/* The first entry of key in section, or NULL. */
const struct ini_entry *ini_get(const ini *d, const char *section, const char *key);

/* Write "file:line: key: message" into err (no line when line is 0, no key
 * when key is NULL). Returns -EINVAL, so a caller can return it. */
int ini_error(char err[INI_ERR_MAX], const char *file, unsigned line, const char *key,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Split a value into its blank-separated words, in place: w[0..n) point
 * into s. Returns n, or max + 1 when there are more than max. */
unsigned ini_words(char *s, char **w, unsigned max);

#endif
