/* routes_station: the station itself — status, profiles, the simulated jig's scenarios, the trigger's next serial. */
#include "routes.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "devices.h"
#include "line_http.h"
#include "reply.h"

/* The sound cards of the machine, as `tonewire devices --json` lists them,
 * and the station's own device as the engine has it open: probing it would
 * take it from the engine (a simulated one shares its loop). */
enum MHD_Result routes_devices(http *h, struct MHD_Connection *c, struct request *rq)
{
	(void)rq;
	json_t *o = devices_json(h->ctx.profiles, NULL, 0);
	json_t *s = runner_status_json(h->ctx.runner);
	if (!o || !s) {
		json_decref(o);
		json_decref(s);
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	}
	json_t *self = json_object();
	static const char *const keys[] = { "device", "connected", "device_error", "format", "rate", "period",
	                                    "interface", "setup_error", "jig", NULL };
	for (unsigned i = 0; keys[i]; i++) {
		json_t *v = json_object_get(s, keys[i]);
		if (v)
			json_object_set(self, keys[i], v);
	}
	json_object_set_new(o, "station", self);
	json_decref(s);
	return reply_json(c, MHD_HTTP_OK, o);
}

enum MHD_Result routes_status(http *h, struct MHD_Connection *c, struct request *rq)
{
	(void)rq;
	json_t *s = runner_status_json(h->ctx.runner);
	char path[512];
	if (s && demo_scenario_path(json_string_value(json_object_get(s, "device")), path, sizeof(path))) {
		struct demo_info info;
		if (demo_info_read(path, &info) == 0)
			json_object_set_new(s, "scenario", json_string(info.name));
	}
	if (s && h->ctx.default_cable[0])
		json_object_set_new(s, "cable", json_string(h->ctx.default_cable));
	if (s && h->ctx.line)
		line_http_status(h->ctx.line, s);
	return reply_json(c, MHD_HTTP_OK, s);
}

static json_t *end_json(const struct tw_end *e)
{
	json_t *plugs = json_array();
	for (unsigned i = 0; i < e->n_plugs; i++) {
		json_t *p = json_object();
		json_object_set_new(p, "label", json_string(e->label[i]));
		json_object_set_new(p, "connector", json_string(e->plug[i].name));
		json_array_append_new(plugs, p);
	}
	return plugs;
}

/* "label:connector …" of one end, as a cable profile writes it. */
static json_t *end_spec(const struct tw_end *e)
{
	char buf[256] = "";
	for (unsigned i = 0; i < e->n_plugs; i++) {
		size_t n = strlen(buf);
		if (e->label[i][0])
			snprintf(buf + n, sizeof(buf) - n, "%s%s:%s", i ? " " : "", e->label[i], e->plug[i].name);
		else
			snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "", e->plug[i].name);
	}
	return json_string(buf);
}

/* Scratch space for loading every profile once, on the heap: the structs are large. */
struct scratch {
	char (*names)[PROFILE_NAME_MAX];
	struct tw_connector con;
	struct tw_cable cab;
	struct tw_jig jig;
	struct fixture fx;
	struct wiring w;
};

#define MAX_PROFILES 256

static json_t *connectors_json(http *h, struct scratch *s)
{
	char err[PROFILE_ERR_MAX];
	json_t *cons = json_array();
	unsigned n = profiles_list(h->ctx.profiles, PROFILE_CONNECTOR, s->names, MAX_PROFILES);
	for (unsigned i = 0; i < n; i++) {
		if (profiles_load_connector(h->ctx.profiles, s->names[i], &s->con, err) < 0)
			continue;
		json_t *o = json_object(), *contacts = json_array();
		for (unsigned k = 0; k < s->con.n_contacts; k++) {
			json_t *ct = json_object();
			json_object_set_new(ct, "name", json_string(s->con.contact[k]));
			json_object_set_new(ct, "role", json_string(role_name(s->con.role[k])));
			json_array_append_new(contacts, ct);
		}
		json_object_set_new(o, "name", json_string(s->con.name));
		json_object_set_new(o, "description", json_string(s->con.description));
		json_object_set_new(o, "contacts", contacts);
		json_array_append_new(cons, o);
	}
	return cons;
}

static json_t *cables_json(http *h, struct scratch *s)
{
	char err[PROFILE_ERR_MAX];
	json_t *cabs = json_array();
	unsigned n = profiles_list(h->ctx.profiles, PROFILE_CABLE, s->names, MAX_PROFILES);
	for (unsigned i = 0; i < n; i++) {
		if (profiles_load_cable(h->ctx.profiles, s->names[i], &s->cab, err) < 0)
			continue;
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(s->cab.name));
		json_object_set_new(o, "description", json_string(s->cab.description));
		json_object_set_new(o, "end_a", end_spec(&s->cab.a));
		json_object_set_new(o, "end_b", end_spec(&s->cab.b));
		json_object_set_new(o, "plugs_a", end_json(&s->cab.a));
		json_object_set_new(o, "plugs_b", end_json(&s->cab.b));
		/* Whether the station's jig can take it: what the dashboard offers. */
		json_object_set_new(o, "fits_jig", json_boolean(profiles_fixture(h->ctx.jig, &s->cab, &s->fx, &s->w,
		                                                                 err) == 0));
		json_array_append_new(cabs, o);
	}
	return cabs;
}

static json_t *jig_json(http *h, const struct tw_jig *jig)
{
	json_t *o = json_object(), *sockets = json_object(), *outs = json_array(), *ins = json_array();
	json_object_set_new(sockets, "a", end_spec(&jig->socket_a));
	json_object_set_new(sockets, "b", end_spec(&jig->socket_b));
	const struct fixture *f = &jig->fixture;
	for (unsigned k = 0; k < f->n_outputs; k++)
		json_array_append_new(outs, json_string(f->contact[f->output[k]].name));
	for (unsigned k = 0; k < f->n_inputs; k++) {
		char nm[2 * FIXTURE_NAME_MAX + 4];
		if (f->input_neg[k] < 0)
			snprintf(nm, sizeof(nm), "%s", f->contact[f->input_pos[k]].name);
		else
			snprintf(nm, sizeof(nm), "+%s -%s", f->contact[f->input_pos[k]].name, f->contact[f->input_neg[k]].name);
		json_array_append_new(ins, json_string(nm));
	}
	json_object_set_new(o, "name", json_string(jig->name));
	json_object_set_new(o, "description", json_string(jig->description));
	json_object_set_new(o, "sockets", sockets);
	json_object_set_new(o, "outputs", outs);
	json_object_set_new(o, "inputs", ins);
	json_object_set_new(o, "station", json_boolean(!strcmp(jig->name, h->ctx.jig->name)));
	return o;
}

static json_t *jigs_json(http *h, struct scratch *s)
{
	char err[PROFILE_ERR_MAX];
	json_t *jigs = json_array();
	unsigned n = profiles_list(h->ctx.profiles, PROFILE_JIG, s->names, MAX_PROFILES);
	for (unsigned i = 0; i < n; i++)
		if (profiles_load_jig(h->ctx.profiles, s->names[i], &s->jig, err) == 0)
			json_array_append_new(jigs, jig_json(h, &s->jig));
	return jigs;
}

enum MHD_Result routes_profiles(http *h, struct MHD_Connection *c, struct request *rq)
{
	struct scratch *s = calloc(1, sizeof(*s));
	(void)rq;
	if (s)
		s->names = calloc(MAX_PROFILES, PROFILE_NAME_MAX);
	if (!s || !s->names) {
		free(s);
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	}
	json_t *out = json_object();
	json_object_set_new(out, "jig", json_string(h->ctx.jig->name));
	json_object_set_new(out, "connectors", connectors_json(h, s));
	json_object_set_new(out, "cables", cables_json(h, s));
	json_object_set_new(out, "jigs", jigs_json(h, s));
	free(s->names);
	free(s);
	return reply_json(c, MHD_HTTP_OK, out);
}

/* 1 with the scenario's path when the station's device is the simulated jig. */
static int current_scenario(http *h, char *path, size_t len)
{
	json_t *s = runner_status_json(h->ctx.runner);
	int sim = demo_scenario_path(json_string_value(json_object_get(s, "device")), path, len);
	json_decref(s);
	return sim;
}

enum MHD_Result routes_demo_list(http *h, struct MHD_Connection *c, struct request *rq)
{
	char path[512], resolved[PATH_MAX], dir[PATH_MAX];
	struct demo_info info;
	(void)rq;
	if (!current_scenario(h, path, sizeof(path)))
		return reply_error(c, MHD_HTTP_NOT_FOUND, "the station's device is not the simulated jig");
	const char *cur = realpath(path, resolved) ? resolved : path;
	const char *list_dir = realpath(h->ctx.demo_dir, dir) ? dir : h->ctx.demo_dir;
	json_t *o = json_object();
	json_object_set_new(o, "jig", json_string(h->ctx.jig->name));
	json_object_set_new(o, "current", demo_info_read(path, &info) == 0 ? json_string(info.name) : json_null());
	json_object_set_new(o, "scenarios", demo_list(list_dir, h->ctx.jig->name, cur, h->ctx.default_cable));
	return reply_json(c, MHD_HTTP_OK, o);
}

/* The scenario called name in the demo folder, for this station's jig
 * only (another jig has other channels): 0 with its path and what it says
 * about itself, or -ENOENT / -EINVAL. */
static int demo_scenario(http *h, const char *name, char *path, size_t len, struct demo_info *info)
{
	int e = demo_find(h->ctx.demo_dir, name, path, len);
	if (e < 0)
		return e;
	if (demo_info_read(path, info) < 0)
		return -ENOENT;
	char want[256];
	const char *b = strrchr(info->jig, '/');
	snprintf(want, sizeof(want), "%s", b ? b + 1 : info->jig);
	size_t n = strlen(want);
	if (n > 5 && !strcmp(want + n - 5, ".conf"))
		want[n - 5] = '\0';
	return strcmp(want, h->ctx.jig->name) ? -ENOENT : 0;
}

enum MHD_Result routes_demo_set(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const fields[] = { "scenario", NULL };
	enum MHD_Result ret = MHD_NO;
	char path[512], device[600];
	struct demo_info info;

	if (!current_scenario(h, path, sizeof(path)))
		return reply_error(c, MHD_HTTP_NOT_FOUND, "the station's device is not the simulated jig");
	json_t *o = http_body_object(c, rq, fields, 0, &ret);
	if (!o)
		return ret;
	json_t *js = json_object_get(o, "scenario");
	if (!json_is_string(js)) {
		json_decref(o);
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "scenario: required, a scenario name from GET /api/v1/demo");
	}
	if (demo_scenario(h, json_string_value(js), path, sizeof(path), &info) < 0) {
		ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "scenario: no scenario '%.60s' for jig %s (see GET /api/v1/demo)",
		                  json_string_value(js), h->ctx.jig->name);
		json_decref(o);
		return ret;
	}
	json_decref(o);
	snprintf(device, sizeof(device), "tonewire_sim:%s", path);
	int e = runner_set_device(h->ctx.runner, device);
	if (e == -EBUSY) {
		long long id = 0;
		runner_busy(h->ctx.runner, &id);
		return reply_busy(c, id, NULL);
	}
	if (e < 0)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot switch the device: %s", strerror(-e));
	json_t *b = json_object();
	json_object_set_new(b, "scenario", json_string(info.name));
	json_object_set_new(b, "title", json_string(info.title));
	json_object_set_new(b, "cable", info.cable[0] ? json_string(info.cable) :
	                    h->ctx.default_cable[0] ? json_string(h->ctx.default_cable) : json_null());
	json_object_set_new(b, "device", json_string(device));
	return reply_json(c, MHD_HTTP_OK, b);
}

/* The serial of the cable the operator is about to plug in (scanned from
 * its label): the next test the trigger starts carries it. */
enum MHD_Result routes_trigger_serial(http *h, struct MHD_Connection *c, struct request *rq)
{
	static const char *const fields[] = { "serial", "retest", NULL };
	enum MHD_Result ret = MHD_NO;
	const char *serial, *why;

	json_t *o = http_body_object(c, rq, fields, 0, &ret);
	if (!o)
		return ret;
	json_t *js = json_object_get(o, "serial");
	if (!js || (!json_is_string(js) && !json_is_null(js))) {
		json_decref(o);
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "serial: expected a string (or null to clear it)");
	}
	serial = json_string_value(js);   /* NULL for null */
	if ((why = http_serial_problem(js))) {
		ret = reply_error(c, MHD_HTTP_BAD_REQUEST, "serial: %s", why);
		json_decref(o);
		return ret;
	}
	/* The retest policy as it is scanned: the test starts by itself later. */
	if (routes_line_refuses(h, c, serial, o, &ret)) {
		json_decref(o);
		return ret;
	}
	int e = runner_trigger_serial(h->ctx.runner, serial);
	if (e < 0) {
		json_decref(o);
		if (e == -ENOTSUP)
			return reply_error(c, MHD_HTTP_CONFLICT,
			                   "the station is not triggered by insertion ([station] trigger = auto)");
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "serial: too long");
	}
	json_t *b = json_object();
	json_object_set_new(b, "serial", serial && serial[0] ? json_string(serial) : json_null());
	json_decref(o);
	return reply_json(c, MHD_HTTP_OK, b);
}
