/* load: what the connector, cable and jig parsers share (private to profiles/). */
#ifndef TONEWIRE_PROFILES_LOAD_H
#define TONEWIRE_PROFILES_LOAD_H

#include "ini.h"
#include "profiles.h"

/* A list value (an end spec, a wire line) is short; longer is a mistake. */
#define LOAD_VALUE_MAX 200

/* One profile file being turned into a struct. */
struct loader {
	const struct profiles *p;
	const char *requested;          /* the name or path asked for */
	ini *doc;
	const char *file;               /* as messages name it */
	char base[256];                 /* the file's folder: relative connector paths start there */
	char *err;
};

/* Find the profile a name or path refers to (path gets the file) and read
 * it against schema. 0, -ENOENT or -EINVAL/-ENOMEM with err filled. */
int load_open(struct loader *ld, const struct profiles *p, enum profile_kind kind, const char *requested,
              char path[256], const struct ini_schema *schema, char err[PROFILE_ERR_MAX]);

/* Free what load_open read. */
void load_close(struct loader *ld);

/* "file:line: key: message" into ld->err; returns -EINVAL. */
int load_fail(const struct loader *ld, unsigned line, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Index of e's key in schema->keys (its wildcard entry for a section of
 * free keys), or -1. */
int load_key(const struct ini_schema *schema, const struct ini_entry *e);

/* A finite number with an optional k/M multiplier ("10k"): 0 or -EINVAL. */
int load_number(const char *v, double *out);

/* e's value as ohms above 0, or a message. */
int load_ohms(const struct loader *ld, const struct ini_entry *e, double *out);

/* e's value as a profile name (plain characters, no .conf), or a message. */
int load_name(const struct loader *ld, const struct ini_entry *e, char name[PROFILE_NAME_MAX]);

/* e's value copied into dst (cap bytes), or a message when it is longer. */
int load_text(const struct loader *ld, const struct ini_entry *e, char *dst, size_t cap);

/* Split v at blanks and commas into max tokens of cap bytes each (tok is
 * max * cap bytes). Returns the count, or -1 when there are more than max or
 * one is longer than cap - 1. */
int load_split(const char *v, char *tok, size_t cap, unsigned max);

/* "A.T A.R A.S": e's contacts, each with prefix. */
void load_end_contacts(const struct tw_end *e, const char *prefix, char *buf, size_t len);

/* A cable end or a jig socket (end_a, end_b, socket_a, socket_b): parsed
 * into end, its spec kept in spec; connector paths relative to the file. */
int load_end(const struct loader *ld, const struct ini_entry *e, struct tw_end *end,
             char spec[LOAD_VALUE_MAX]);

/* The name key must agree with the file name for a profile found by name,
 * or results would report it under another name than the one that finds
 * it; absent (name_line 0), it is the file name. */
int load_settle_name(const struct loader *ld, char name[PROFILE_NAME_MAX], unsigned name_line);

#endif
