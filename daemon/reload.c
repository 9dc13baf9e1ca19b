/*
 * A reload's build in a thread of its own. The thread only loads and
 * compiles into memory nobody else sees; it tells the loop it is done
 * through a pipe, and the loop joins it and hands the result over.
 * Nothing of the daemon is touched from the thread: no log, no counter.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "prefilter.h"
#include "reload.h"
#include "rules_load.h"
#include "xmalloc.h"

struct reloader {
	struct event		*ev;		/* the pipe's read end */
	int			 fd[2];
	pthread_t		 thread;
	int			 busy;
	volatile int		 cancel;	/* the loop is stopping */
	reload_done_fn		*done;
	automaton_done_fn	*automaton_done;
	void			*arg;
	/* The build's input and output; the thread's while busy. */
	char			*dir;
	struct rules_options	 opts;
	struct ruleset		*rs;
	const struct ruleset	*for_rs;	/* an automaton's, or NULL */
	struct prefilter	*pf;
	struct diag		 d;
	double			 ms;
};

static void	*build(void *);
static void	built_cb(evutil_socket_t, short, void *);

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct reloader *
reloader_new(struct event_base *base, reload_done_fn *done,
    automaton_done_fn *automaton_done, void *arg)
{
	struct reloader	*rl;

	rl = xcalloc(1, sizeof *rl);
	if (pipe(rl->fd) != 0) {
		free(rl);
		return NULL;
	}
	rl->ev = event_new(base, rl->fd[0], EV_READ | EV_PERSIST, built_cb, rl);
	event_add(rl->ev, NULL);
	rl->done = done;
	rl->automaton_done = automaton_done;
	rl->arg = arg;
	diag_init(&rl->d);
	return rl;
}

/* The thread: the whole build, then one byte down the pipe. */
static void *
build(void *arg)
{
	struct reloader	*rl = arg;
	size_t		 examples, failed;
	double		 t0 = now_ms();
	char		 c = 1;

	rl->rs = rules_load_checked(rl->dir, &rl->opts, &rl->d, &examples,
	    &failed);
	if (rl->rs != NULL && failed != 0) {
		ruleset_free(rl->rs);
		rl->rs = NULL;
	}
	rl->ms = now_ms() - t0;
	while (write(rl->fd[1], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/*
 * Starts building the rules of dir with opts; -1 if a build is under way
 * already (or no thread could start).
 */
int
reloader_start(struct reloader *rl, const char *dir,
    const struct rules_options *opts)
{
	if (rl->busy)
		return -1;
	free(rl->dir);
	rl->dir = xstrdup(dir);
	rl->opts = *opts;
	rl->opts.cancel = &rl->cancel;
	rl->rs = NULL;
	rl->for_rs = NULL;
	diag_free(&rl->d);
	if (pthread_create(&rl->thread, NULL, build, rl) != 0)
		return -1;
	rl->busy = 1;
	return 0;
}

/* The thread of an automaton: reads rs only, never its prefilter. */
static void *
build_automaton(void *arg)
{
	struct reloader	*rl = arg;
	double		 t0 = now_ms();
	char		 c = 1;

	rl->opts.automaton = 1;
	rl->pf = prefilter_new(rl->for_rs, NULL, &rl->opts);
	rl->ms = now_ms() - t0;
	while (write(rl->fd[1], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/*
 * Starts building the automaton of rs, which must stay in force until
 * done is called (a reload waits for a busy reloader); -1 if busy.
 */
int
reloader_automaton(struct reloader *rl, const struct ruleset *rs,
    const struct rules_options *opts)
{
	if (rl->busy)
		return -1;
	rl->opts = *opts;
	rl->opts.cancel = &rl->cancel;
	rl->for_rs = rs;
	rl->rs = NULL;
	rl->pf = NULL;
	if (pthread_create(&rl->thread, NULL, build_automaton, rl) != 0)
		return -1;
	rl->busy = 1;
	return 0;
}

int
reloader_busy(const struct reloader *rl)
{
	return rl->busy;
}

/* The thread is done: join it and hand its result over, in the loop. */
static void
built_cb(evutil_socket_t fd, short events, void *arg)
{
	struct reloader	*rl = arg;
	char		 c;

	if (read(fd, &c, 1) != 1)
		return;
	pthread_join(rl->thread, NULL);
	rl->busy = 0;
	if (rl->for_rs != NULL) {
		const struct ruleset	*rs = rl->for_rs;
		struct prefilter	*pf = rl->pf;

		rl->for_rs = NULL;
		rl->pf = NULL;
		rl->automaton_done(pf, rs, rl->ms, rl->arg);
		return;
	}
	rl->done(rl->rs, &rl->d, rl->ms, rl->arg);
	rl->rs = NULL;
	diag_free(&rl->d);
}

/* Waits for a build under way (its result is thrown away), then frees. */
void
reloader_free(struct reloader *rl)
{
	if (rl == NULL)
		return;
	if (rl->busy) {
		rl->cancel = 1;	/* a build's children are killed */
		pthread_join(rl->thread, NULL);
		ruleset_free(rl->rs);
		prefilter_free(rl->pf);
	}
	event_free(rl->ev);
	close(rl->fd[0]);
	close(rl->fd[1]);
	diag_free(&rl->d);
	free(rl->dir);
	free(rl);
}
