/* runner_priv: the runner's state, shared by the job runner, its jobs and the trigger's pilot (not for other modules). */
#ifndef TONEWIRE_RUNNER_PRIV_H
#define TONEWIRE_RUNNER_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "calibration.h"
#include "flexmon.h"
#include "measure.h"
#include "runner.h"
#include "session.h"
#include "station.h"

enum state { ST_IDLE = 0, ST_MEASURING, ST_ANALYSING, ST_DONE, ST_FLEXING };
enum kind { KIND_TEST = 0, KIND_FLEX, KIND_CALIBRATE, KIND_LEARN };

extern const char *const runner_state_names[];
extern const char *const runner_kind_names[];

/* A checked request, waiting for the runner thread. */
struct job {
	long long id;
	long long started_at;
	double t0;                       /* monotonic ms at submit: the test's total time starts here */
	char serial[RUNNER_SERIAL_MAX + 1];
	int has_serial;
	struct station_cable sc;         /* the cable in the runner's jig */
	enum kind kind;
	unsigned seconds;                /* flex: longest session */
	struct fleet_stamp stamp;        /* station, line and operator when it was asked for */
	struct learn_request learn;      /* learn: what to write, checked (sc has no wiring) */
};

struct runner {
	struct runner_cfg cfg;
	struct tw_jig jig;
	measure *ms;
	unsigned level_block;            /* frames per levels event: 50 ms of audio, 20 Hz */
	char inputs[FIXTURE_MAX_CHANNELS][2 * FIXTURE_NAME_MAX + 4];

	pthread_t thread;
	int started;
	pthread_mutex_t lock;            /* guards the fields below */
	pthread_cond_t cond;
	int quit, closing;
	enum state state;
	int busy;                        /* a test is submitted and not stored yet */
	int checking;                    /* measuring the round trip after an open */
	long long cur_id, last_id;
	json_t *last_result;
	int last_stored;                 /* 0: last_result could not be stored (never acknowledged) */
	struct job *pending;
	struct job *queue[RUNNER_QUEUE_MAX];   /* scans waiting for the jig, oldest first */
	unsigned n_queued;
	pthread_mutex_t submit_lock;     /* one submission at a time: ids follow arrival */
	double done_at;                  /* when the state became done */
	double latency_frames;
	int latency_valid;
	unsigned long long tests_run, generation_seen, losses_seen;
	int connected_seen;
	double started_ms;
	enum kind cur_kind;
	flexmon *flex;                   /* the flex session running, NULL when none */
	double flex_t0;                  /* monotonic ms when it started tracking */
	unsigned flex_seconds;
	json_t *last_flex;               /* result of the last flex session */
	struct calibration cal;          /* written by the runner thread under the lock */
	atomic_int flex_stop;            /* set by runner_flex_stop (any thread) */
	trigger *trig;                   /* NULL when tests start only when asked */
	char trig_cable[512];            /* the cable the trigger tests */
	atomic_int pilot_yield;          /* the pilot must give the device up (any thread) */
	int piloting, pilot_hold;        /* the pilot streams; someone waits to switch the device */

	/* Runner thread only: the classifier of the last cable used. */
	char cls_path[256];
	struct timespec cls_mtime;
	classifier *cls;
};

/* runner_state.c: the state, announced as SSE "state"; the round trip of the open device. */
void runner_publish_state(runner *r, enum state s, long long id);
void runner_set_state(runner *r, enum state s, long long id);
void runner_note_latency(runner *r, const struct measurement *m);

/* runner.c: queue a job (the trigger's and the API's). */
int runner_queue(runner *r, enum kind kind, unsigned seconds, const char *cable, const char *serial,
                 int wait_turn, long long *id, unsigned *position, char err[RUNNER_ERR_MAX]);

/* runner_jobs.c: the sessions of the runner thread. */
json_t *runner_run_job(runner *r, struct job *j);         /* a result, NULL when out of memory */
int runner_load_calibration(runner *r);                    /* the jig's active one from the store */
int runner_measure_latency(runner *r, double *frames);     /* one measurement, for the round trip */

/* runner_pilot.c: hands-free testing. */
int runner_trigger_setup(runner *r, const struct trigger_cfg *tc, char err[RUNNER_ERR_MAX]);
int runner_pilot(runner *r);          /* 1 when a cable went in and a test should start */

#endif
