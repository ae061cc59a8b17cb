/* cli: the tonewire command — subcommands share these helpers. */
#ifndef TONEWIRE_CLI_H
#define TONEWIRE_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "station.h"

/* Exit status (docs/result.md, contract). */
enum {
	EXIT_PASS = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,    /* usage or bad input */
	EXIT_STATION = 3,  /* no device, daemon unreachable, "error" verdict */
};

/* The subcommands: argv[0] is the subcommand's name; each returns the exit status. */
int cmd_run(int argc, char **argv);             /* measure on a local device */
int cmd_profiles(int argc, char **argv);        /* list or show profiles */
int cmd_remote(const char *cmd, int argc, char **argv);   /* test, status, history via tonewired */
int cmd_analyze(int argc, char **argv);         /* the verdict of a saved capture */
int cmd_flex(int argc, char **argv);            /* a flex session on a local device */
/* tonewire flex through tonewired (argv[0] is "flex"): when --device is not given. */
int cmd_flex_remote(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);       /* a calibration via tonewired */
int cmd_devices(int argc, char **argv);         /* the sound devices and what fits them */
int cmd_line(int argc, char **argv);            /* the production line via tonewired */
int cmd_learn(int argc, char **argv);           /* learn a cable from samples on a local jig */

/* Print "tonewire: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Output a result as the user asked: JSON on stdout or the readable report,
 * and JUnit XML when junit is set. Returns the exit status of the result, or
 * EXIT_USAGE when the JUnit file cannot be written. */
int cli_emit_result(json_t *result, int as_json, const char *junit);

/* One flex event ({"time_ms", "duration_ms", "contacts", "depth", …}) as a
 * line for people, and the session's summary line, for local and remote flex. */
void cli_print_flex_event(FILE *out, const json_t *event);
void cli_print_flex_summary(FILE *out, const json_t *result);

/* The option values the local commands (run, flex, learn) share: a sample
 * rate in Hz, and a number of analysis windows (1..64). 0, or -1 after
 * telling the user what is wrong with arg. */
int cli_rate_arg(const char *arg, unsigned *rate);
int cli_windows_arg(const char *arg, unsigned *windows);

/* For command cmd: the jig (jig_name, else the one a tonewire_sim device's
 * scenario names) into *jig, looked up through prof, which is set up with
 * extra first (and extra handed to the simulator). 0, or -1 after telling
 * the user why (a usage error). */
int cli_jig_load(const char *cmd, const char *extra, const char *device, const char *jig_name,
                 struct profiles *prof, struct tw_jig *jig);

/* For command cmd: the jig (jig_name, else the one a tonewire_sim device's
 * scenario names), the cable, and the one in the other, looked up through
 * extra first. NULL after telling the user why (a usage error); free()
 * the result. */
struct station_cable *cli_station_load(const char *cmd, const char *extra, const char *device,
                                     const char *jig_name, const char *cable_name);

#endif
