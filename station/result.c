/* result: the result object (docs/result.md) as JSON, a report for people, and JUnit XML. */
#include "result.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "series.h"
#include "station.h"

void result_format_time(long long unix_s, char buf[32])
{
	time_t t = (time_t)unix_s;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A number as the JSON carries it: finite, rounded for readability
 * (measurement noise is far above 0.001). */
static double published(double x)
{
	if (!isfinite(x))
		x = x < 0 ? -400.0 : 400.0;
	return round(x * 1000.0) / 1000.0;
}

static json_t *num(double x)
{
	return json_real(published(x));
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}


static json_t *faults_json(const struct fixture *f, const struct classification *c)
{
	json_t *arr = json_array();
	for (unsigned i = 0; c && i < c->n_faults; i++) {
		const struct fault *ft = &c->fault[i];
		json_t *o = json_object(), *contacts = json_array();
		char summary[512];   /* a fault's sentence plus what the jig cannot tell it from */
		for (unsigned k = 0; k < ft->n_contacts; k++)
			if (ft->contacts[k] >= 0 && (unsigned)ft->contacts[k] < f->n_contacts)
				json_array_append_new(contacts, json_string(f->contact[ft->contacts[k]].name));
		/* The sentence says the number the object carries: a page that formats
		 * "ohms" itself (web/faults.js) then reads the same digits. From the
		 * unrounded value, 0.4950000001 Ω was "0.5" here and "0.49" there. */
		struct fault shown = *ft;
		shown.value = published(ft->value);
		classify_describe(f, &shown, summary, sizeof(summary));
		json_object_set_new(o, "code", json_string(fault_code_name(ft->code)));
		json_object_set_new(o, "contacts", contacts);
		json_object_set_new(o, "summary", json_string(summary));
		json_object_set_new(o, "confidence", num(ft->confidence));
		if (ft->channel[0])
			json_object_set_new(o, "channel", json_string(ft->channel));
		if (ft->alternatives) {
			/* docs/result.md: codes this jig cannot tell from `code`. */
			json_t *alt = json_array();
			for (int k = 0; k < FAULT_COUNT; k++)
				if (ft->alternatives & (1u << k))
					json_array_append_new(alt, json_string(fault_code_name((enum fault_code)k)));
			json_object_set_new(o, "alternatives", alt);
		}
		if (ft->code == FAULT_HIGH_RESISTANCE || ft->code == FAULT_SHORT)
			json_object_set_new(o, "ohms", num(ft->value));
		else if (ft->code == FAULT_CROSSTALK)
			json_object_set_new(o, "crosstalk_db", num(ft->value));
		else if (ft->code == FAULT_INTERMITTENT)
			json_object_set_new(o, "count", json_integer((json_int_t)ft->value));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *wiring_json(const struct fixture *f, const struct classification *c)
{
	json_t *arr = json_array();
	for (unsigned i = 0; c && i < c->n_reach; i++) {
		const struct reach *r = &c->reach[i];
		json_t *o = json_object(), *to = json_array(), *gains = json_array();
		double best = 0;
		for (unsigned k = 0; k < r->n_to; k++) {
			json_array_append_new(to, json_string(f->contact[r->to[k]].name));
			json_array_append_new(gains, num(r->gain[k]));
			if (fabs(r->gain[k]) > fabs(best))
				best = r->gain[k];
		}
		json_object_set_new(o, "from", json_string(f->contact[r->from].name));
		json_object_set_new(o, "to", to);
		json_object_set_new(o, "gain", num(best));
		json_object_set_new(o, "gains", gains);
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *channels_json(const struct classification *c)
{
	json_t *arr = json_array();
	for (unsigned i = 0; c && i < c->n_channels; i++) {
		const struct channel_view *v = &c->channel[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(v->name));
		json_object_set_new(o, "level_db", num(v->level_db));
		json_object_set_new(o, "phase_deg", num(v->phase_deg));
		json_object_set_new(o, "polarity", json_string(v->inverted ? "inverted" : "normal"));
		json_object_set_new(o, "crosstalk_db", num(v->crosstalk_db));
		json_object_set_new(o, "snr_db", num(v->snr_db));
		json_object_set_new(o, "mono_ratio_db", num(v->mono_ratio_db));
		if (v->found_at[0])   /* where the named wiring puts it: "R" for L on an L/R swap */
			json_object_set_new(o, "found_at", json_string(v->found_at));
		json_array_append_new(arr, o);
	}
	return arr;
}

static void limit_row(json_t *arr, const char *name, const char *channel, double limit, double measured,
                      double margin)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "channel", json_string(channel));
	json_object_set_new(o, "limit", num(limit));
	json_object_set_new(o, "measured", num(measured));
	json_object_set_new(o, "margin", num(margin));
	json_object_set_new(o, "ok", json_boolean(margin >= 0));
	json_array_append_new(arr, o);
}

/* Every limit of the cable a channel was judged against, with the measured
 * value and the margin (positive = inside the limit). The phase limit is on
 * the deviation from 0 degrees, or from 180 for an inverted channel (whose
 * inversion is a fault of its own). */
static json_t *limits_json(const struct fixture *f, const struct classification *c,
                           const struct classify_limits *lim)
{
	json_t *arr = json_array();
	for (unsigned i = 0; c && lim && i < c->n_channels; i++) {
		const struct channel_view *v = &c->channel[i];
		double dev = fabs(v->phase_deg);
		if (v->inverted)
			dev = 180.0 - dev;
		limit_row(arr, "level_db", v->name, lim->max_level_dev_db, v->level_db,
		          lim->max_level_dev_db - fabs(v->level_db));
		limit_row(arr, "crosstalk_db", v->name, lim->max_crosstalk_db, v->crosstalk_db,
		          lim->max_crosstalk_db - v->crosstalk_db);
		limit_row(arr, "snr_db", v->name, lim->min_snr_db, v->snr_db, v->snr_db - lim->min_snr_db);
		limit_row(arr, "phase_deg", v->name, lim->max_phase_deg, v->phase_deg, lim->max_phase_deg - dev);
	}
	/* Series resistance is known only where the classifier fitted one. */
	for (unsigned i = 0; c && lim && i < c->n_faults; i++) {
		const struct fault *ft = &c->fault[i];
		char where[64] = "";
		if (ft->code != FAULT_HIGH_RESISTANCE)
			continue;
		if (ft->channel[0])
			snprintf(where, sizeof(where), "%s", ft->channel);
		for (unsigned k = 0; !where[0] && k < ft->n_contacts; k++)
			if (ft->contacts[k] >= 0 && (unsigned)ft->contacts[k] < f->n_contacts)
				snprintf(where, sizeof(where), "%s", f->contact[ft->contacts[k]].name);
		limit_row(arr, "series_ohms", where, lim->max_series_ohms, ft->value, lim->max_series_ohms - ft->value);
	}
	return arr;
}

static json_t *matrix_json(const struct fixture *f, const struct measurement *m)
{
	json_t *o = json_object(), *ins = json_array(), *outs = json_array();
	json_t *g = json_array(), *p = json_array(), *snr = json_array();
	char name[80];

	for (unsigned i = 0; i < f->n_inputs; i++) {
		station_input_name(f, i, name, sizeof(name));
		json_array_append_new(ins, json_string(name));
	}
	for (unsigned o2 = 0; o2 < f->n_outputs; o2++)
		json_array_append_new(outs, json_string(f->contact[f->output[o2]].name));
	for (unsigned i = 0; m && i < f->n_inputs && i < m->an.n_inputs; i++) {
		json_t *gr = json_array(), *pr = json_array(), *sr = json_array();
		for (unsigned k = 0; k < f->n_outputs && k < m->an.n_tones; k++) {
			const struct tone_result *t = &m->an.h[i][k];
			json_array_append_new(gr, num(t->gain_db < -200 ? -200 : t->gain_db));
			json_array_append_new(pr, num(t->phase_deg));
			json_array_append_new(sr, num(t->snr_db));
		}
		json_array_append_new(g, gr);
		json_array_append_new(p, pr);
		json_array_append_new(snr, sr);
	}
	json_object_set_new(o, "inputs", ins);
	json_object_set_new(o, "outputs", outs);
	json_object_set_new(o, "gain_db", g);
	json_object_set_new(o, "phase_deg", p);
	json_object_set_new(o, "snr_db", snr);
	return o;
}

/* Traceability: who tested, where, with which software and definitions;
 * and the largest conductor resistance the jig can read back (SPC). */
static void trace_json(json_t *o, const struct result_meta *meta, const struct fixture *f,
                       const struct classification *c, const struct measurement *m)
{
	const char *keys[] = { "station", "line", "operator" };
	const char *vals[] = { meta->station, meta->line, meta->operator_name };
	double ohms, each[WIRING_MAX];
	for (unsigned i = 0; i < 3; i++)
		if (vals[i] && vals[i][0])
			json_object_set_new(o, keys[i], json_string(vals[i]));
	json_object_set_new(o, "software_version", json_string(TONEWIRE_VERSION));
	if (meta->profile_sha256 && meta->profile_sha256[0])
		json_object_set_new(o, "profile_sha256", json_string(meta->profile_sha256));
	json_object_set_new(o, "series_ohms", f && c && m && series_estimate(f, &c->best, &m->an, each, &ohms) == 0
	                                      ? num(ohms) : json_null());
}

json_t *result_json(const struct result_meta *meta, const struct fixture *f,
                    const struct classification *c, const struct measurement *m)
{
	json_t *o = json_object(), *timing = json_object();
	char when[32];

	json_object_set_new(o, "id", meta->id > 0 ? json_integer(meta->id) : json_null());
	if (meta->kind)
		json_object_set_new(o, "kind", json_string(meta->kind));
	json_object_set_new(o, "serial", str_or_null(meta->serial));
	json_object_set_new(o, "cable", str_or_null(meta->cable));
	json_object_set_new(o, "jig", str_or_null(meta->jig));
	result_format_time(meta->started_at, when);
	json_object_set_new(o, "started_at", json_string(when));
	json_object_set_new(o, "verdict", json_string(c ? verdict_name(c->verdict) : "error"));
	if (c) {
		json_object_set_new(o, "faults", faults_json(f, c));
	} else {
		json_t *arr = json_array(), *ft = json_object();
		json_object_set_new(ft, "code", json_string(meta->error_code ? meta->error_code : "no_signal"));
		json_object_set_new(ft, "contacts", json_array());
		json_object_set_new(ft, "summary", json_string(meta->error ? meta->error : "no measurement"));
		json_object_set_new(ft, "confidence", json_real(1.0));
		json_array_append_new(arr, ft);
		json_object_set_new(o, "faults", arr);
	}
	json_object_set_new(o, "wiring", wiring_json(f, c));
	json_object_set_new(o, "channels", channels_json(c));
	if (meta->limits && c)
		json_object_set_new(o, "limits", limits_json(f, c, meta->limits));
	json_object_set_new(o, "matrix", f ? matrix_json(f, m) : json_object());
	json_object_set_new(timing, "total", num(meta->total_ms));
	json_object_set_new(timing, "acquire", num(m ? m->acquire_ms : 0));
	json_object_set_new(timing, "analyze", num((m ? m->analyze_ms : 0) + meta->classify_ms));
	json_object_set_new(o, "timing_ms", timing);
	if (meta->device)
		json_object_set_new(o, "device", json_string(meta->device));
	if (meta->format)
		json_object_set_new(o, "format", json_string(meta->format));
	if (meta->rate)
		json_object_set_new(o, "rate", json_integer(meta->rate));
	if (m && m->coarse.found)
		json_object_set_new(o, "latency_frames", num(m->latency_frames));
	if (meta->error)
		json_object_set_new(o, "error", json_string(meta->error));
	/* Which calibration the levels are relative to: null = the raw jig. */
	json_object_set_new(o, "calibration", meta->calibration > 0 ? json_integer(meta->calibration) : json_null());
	trace_json(o, meta, f, c, m);
	return o;
}

const char *result_error_code(int errnum)
{
	switch (errnum) {
	case -EBUSY: return "device_busy";
	case -ENODEV: return "device_lost";
	case -EPIPE: return "xrun";
	/* A mixer control that cannot be set as the interface's profile needs
	 * (a direct monitor stuck on, 48 V on the jig): not safe to measure. */
	case -EACCES: return "device_setup";
	default: return "no_signal";
	}
}

int result_exit_status(const json_t *result)
{
	const char *v = json_string_value(json_object_get(result, "verdict"));
	if (v && strcmp(v, "pass") == 0)
		return 0;
	if (v && strcmp(v, "fail") == 0)
		return 1;
	return 3;
}

static const char *sget(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static double nget(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* "station S1 (line L1) · operator ann · tonewire 0.1.0 · profiles 3f2a… · calibration #4" */
static void print_trace(FILE *out, const json_t *r)
{
	const char *st = sget(r, "station"), *line = sget(r, "line"), *op = sget(r, "operator");
	const char *hash = sget(r, "profile_sha256");
	json_t *cal = json_object_get(r, "calibration");
	fprintf(out, "\n");
	if (*st)
		fprintf(out, "station %s%s%s%s · ", st, *line ? " (line " : "", line, *line ? ")" : "");
	if (*op)
		fprintf(out, "operator %s · ", op);
	fprintf(out, "tonewire %s", sget(r, "software_version"));
	if (*hash)
		fprintf(out, " · profiles %.12s", hash);
	if (json_is_integer(cal))
		fprintf(out, " · calibration #%lld", (long long)json_integer_value(cal));
	fprintf(out, "\n");
}

void result_print(FILE *out, const json_t *r, int color)
{
	const char *verdict = sget(r, "verdict");
	const char *on = "", *off = "";
	size_t i, k;
	json_t *v, *w;

	if (color) {
		on = strcmp(verdict, "pass") == 0 ? "\033[1;32m" : strcmp(verdict, "fail") == 0 ? "\033[1;31m" : "\033[1;33m";
		off = "\033[0m";
	}
	fprintf(out, "%s%s%s  %s on %s", on,
	        strcmp(verdict, "pass") == 0 ? "PASS" : strcmp(verdict, "fail") == 0 ? "FAIL" : "ERROR",
	        off, sget(r, "cable"), sget(r, "jig"));
	if (*sget(r, "serial"))
		fprintf(out, "  serial %s", sget(r, "serial"));
	fprintf(out, "\n");
	json_array_foreach(json_object_get(r, "faults"), i, v) {
		fprintf(out, "  - %s  [%s", sget(v, "summary"), sget(v, "code"));
		json_array_foreach(json_object_get(v, "alternatives"), k, w)
			fprintf(out, " or %s", json_string_value(w));
		fprintf(out, ", confidence %.2f]\n", nget(v, "confidence"));
	}

	json_t *wiring = json_object_get(r, "wiring");
	if (json_array_size(wiring)) {
		fprintf(out, "\nWiring (near end -> far end, gain)\n");
		json_array_foreach(wiring, i, v) {
			json_t *to = json_object_get(v, "to"), *gains = json_object_get(v, "gains");
			fprintf(out, "  %-12s ->", sget(v, "from"));
			if (!json_array_size(to))
				fprintf(out, " (open)");
			json_array_foreach(to, k, w)
				fprintf(out, " %s (%.3f)", json_string_value(w),
				        json_number_value(json_array_get(gains, k)));
			fprintf(out, "\n");
		}
	}
	json_t *channels = json_object_get(r, "channels");
	if (json_array_size(channels)) {
		fprintf(out, "\n%-8s %9s %9s %9s %13s %8s\n", "channel", "level dB", "phase", "polarity",
		        "crosstalk dB", "SNR dB");
		json_array_foreach(channels, i, v) {
			char name[32];
			if (*sget(v, "found_at"))
				snprintf(name, sizeof(name), "%s@%s", sget(v, "name"), sget(v, "found_at"));
			else
				snprintf(name, sizeof(name), "%s", sget(v, "name"));
			fprintf(out, "%-8s %9.2f %9.1f %9s %13.1f %8.1f\n", name,
			        nget(v, "level_db"), nget(v, "phase_deg"), sget(v, "polarity"),
			        nget(v, "crosstalk_db"), nget(v, "snr_db"));
		}
	}
	print_trace(out, r);
	json_t *t = json_object_get(r, "timing_ms");
	fprintf(out, "\n%.0f ms (acquire %.1f ms, analyse %.1f ms)", nget(t, "total"),
	        nget(t, "acquire"), nget(t, "analyze"));
	if (json_object_get(r, "latency_frames"))
		fprintf(out, ", round trip %.2f frames", nget(r, "latency_frames"));
	fprintf(out, "\n");
}

static void xml_escaped(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			/* Control characters are not allowed in XML 1.0. */
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

/* The traceability keys a result has, as JUnit properties of its testcase. */
static void junit_properties(FILE *f, const json_t *r)
{
	static const char *const keys[] = { "serial", "station", "line", "operator", "software_version",
	                                    "profile_sha256", "calibration", NULL };
	int open = 0;
	for (const char *const *k = keys; *k; k++) {
		json_t *v = json_object_get(r, *k);
		char num_buf[32];
		const char *text = json_string_value(v);
		if (json_is_integer(v)) {
			snprintf(num_buf, sizeof(num_buf), "%lld", (long long)json_integer_value(v));
			text = num_buf;
		}
		if (!text || !*text)
			continue;
		if (!open++)
			fprintf(f, "      <properties>\n");
		fprintf(f, "        <property name=\"%s\" value=\"", *k);
		xml_escaped(f, text);
		fprintf(f, "\"/>\n");
	}
	if (open)
		fprintf(f, "      </properties>\n");
}

int result_write_junit(const char *path, const json_t *results)
{
	json_t *one = NULL;
	const json_t *arr = results;
	size_t i, k, fails = 0, errors = 0;
	double total = 0;
	json_t *r, *v;
	FILE *f;

	if (!json_is_array(results)) {
		one = json_array();
		json_array_append(one, (json_t *)results);
		arr = one;
	}
	json_array_foreach(arr, i, r) {
		const char *vd = sget(r, "verdict");
		fails += strcmp(vd, "fail") == 0;
		errors += strcmp(vd, "error") == 0;
		total += nget(json_object_get(r, "timing_ms"), "total");
	}
	f = fopen(path, "w");
	if (!f) {
		int e = -errno;
		json_decref(one);
		return e;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
	        json_array_size(arr), fails, errors, total / 1000.0);
	fprintf(f, "  <testsuite name=\"tonewire\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
	        json_array_size(arr), fails, errors, total / 1000.0);
	json_array_foreach(arr, i, r) {
		const char *vd = sget(r, "verdict");
		fprintf(f, "    <testcase classname=\"tonewire.");
		xml_escaped(f, sget(r, "cable"));
		fprintf(f, "\" name=\"");
		xml_escaped(f, *sget(r, "serial") ? sget(r, "serial") : sget(r, "cable"));
		fprintf(f, "\" time=\"%.3f\">\n", nget(json_object_get(r, "timing_ms"), "total") / 1000.0);
		junit_properties(f, r);
		if (strcmp(vd, "pass") != 0) {
			const char *tag = strcmp(vd, "fail") == 0 ? "failure" : "error";
			json_t *first = json_array_get(json_object_get(r, "faults"), 0);
			fprintf(f, "      <%s type=\"", tag);
			xml_escaped(f, first ? sget(first, "code") : vd);
			fprintf(f, "\" message=\"");
			xml_escaped(f, first ? sget(first, "summary") : vd);
			fprintf(f, "\">");
			json_array_foreach(json_object_get(r, "faults"), k, v) {
				xml_escaped(f, sget(v, "code"));
				fputs(": ", f);
				xml_escaped(f, sget(v, "summary"));
				fputs("\n", f);
			}
			fprintf(f, "</%s>\n", tag);
		}
		fprintf(f, "    </testcase>\n");
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	json_decref(one);
	if (fclose(f) != 0)
		return -errno;
	return 0;
}
