/* profiles ends: one end of a cable or one socket side of a jig, made of labelled plugs, flattened to contacts. */
#include "profiles.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int profiles_end_find(const struct tw_end *e, const char *name)
{
	for (unsigned i = 0; i < e->n_contacts; i++)
		if (strcmp(e->contact[i], name) == 0)
			return (int)i;
	return -1;
}

/* Labels become part of contact names ("B.left.+") and of the API's JSON, so
 * they stay plain words. */
static int label_ok(const char *s, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}


int profiles_end_parse(const struct profiles *p, const char *spec, const char *base_dir,
                       struct tw_end *out, char err[PROFILE_ERR_MAX])
{
	const char *s = spec;
	unsigned labelled = 0;

	memset(out, 0, sizeof *out);
	if (!spec) {
		snprintf(err, PROFILE_ERR_MAX, "empty; expected a connector name");
		return -EINVAL;
	}
	for (;;) {
		char tok[300], ref[300], sub[PROFILE_ERR_MAX];
		const char *colon;
		size_t len, label_len = 0;
		unsigned k = out->n_plugs;
		struct tw_connector *c;
		int rc;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		len = strcspn(s, " \t");
		if (len >= sizeof tok) {
			snprintf(err, PROFILE_ERR_MAX, "'%.40s…' is too long", s);
			return -EINVAL;
		}
		memcpy(tok, s, len);
		tok[len] = '\0';
		s += len;
		if (k == PROFILE_MAX_PLUGS) {
			snprintf(err, PROFILE_ERR_MAX, "more than %d plugs in '%s'", PROFILE_MAX_PLUGS, spec);
			return -EINVAL;
		}
		colon = strchr(tok, ':');
		if (colon) {
			label_len = (size_t)(colon - tok);
			if (!label_ok(tok, label_len) || label_len >= sizeof out->label[0]) {
				snprintf(err, PROFILE_ERR_MAX,
				         "bad plug label '%.*s' in '%s'; expected a word of at most %zu letters, digits, '_' or '-' (e.g. left:2pin-0.78)",
				         (int)label_len, tok, spec, sizeof out->label[0] - 1);
				return -EINVAL;
			}
			memcpy(out->label[k], tok, label_len);
			out->label[k][label_len] = '\0';
			for (unsigned j = 0; j < k; j++) {
				if (strcmp(out->label[j], out->label[k]) == 0) {
					snprintf(err, PROFILE_ERR_MAX, "plug label '%s' used twice in '%s'",
					         out->label[k], spec);
					return -EINVAL;
				}
			}
			labelled++;
			memmove(tok, colon + 1, strlen(colon + 1) + 1);
		}
		if (!tok[0]) {
			snprintf(err, PROFILE_ERR_MAX, "plug '%s' has no connector after ':' in '%s'",
			         out->label[k], spec);
			return -EINVAL;
		}
		/* A relative path in a profile means "next to this file", so a folder
		 * of profiles can be moved as a whole. */
		if (profiles_is_path(tok) && tok[0] != '/' && base_dir && base_dir[0]) {
			if ((size_t)snprintf(ref, sizeof ref, "%s/%s", base_dir, tok) >= sizeof ref) {
				snprintf(err, PROFILE_ERR_MAX, "connector path too long: %.60s…", tok);
				return -ENAMETOOLONG;
			}
		} else {
			memcpy(ref, tok, strlen(tok) + 1);
		}
		c = &out->plug[k];
		rc = profiles_load_connector(p, ref, c, sub);
		if (rc < 0) {
			memcpy(err, sub, PROFILE_ERR_MAX);
			return rc;
		}
		if (out->n_contacts + c->n_contacts > FIXTURE_MAX_CONTACTS) {
			snprintf(err, PROFILE_ERR_MAX, "more than %d contacts in '%s'", FIXTURE_MAX_CONTACTS,
			         spec);
			return -EINVAL;
		}
		for (unsigned i = 0; i < c->n_contacts; i++) {
			unsigned n = out->n_contacts++;
			char flat[FIXTURE_NAME_MAX];

			if (out->label[k][0])
				snprintf(flat, sizeof flat, "%s.%s", out->label[k], c->contact[i]);
			else
				snprintf(flat, sizeof flat, "%s", c->contact[i]);
			memcpy(out->contact[n], flat, sizeof flat);
			out->role[n] = c->role[i];
			memcpy(out->plug_of[n], out->label[k], sizeof out->plug_of[n]);
		}
		out->n_plugs++;
	}
	if (out->n_plugs == 0) {
		snprintf(err, PROFILE_ERR_MAX, "empty; expected a connector name, or labelled plugs such as 'left:2pin-0.78 right:2pin-0.78'");
		return -EINVAL;
	}
	/* Without labels two plugs' contacts would share names ("+" twice). */
	if (out->n_plugs > 1 && labelled != out->n_plugs) {
		snprintf(err, PROFILE_ERR_MAX,
		         "'%s' has %u plugs, so each needs a label, e.g. 'left:2pin-0.78 right:2pin-0.78'",
		         spec, out->n_plugs);
		return -EINVAL;
	}
	return 0;
}
