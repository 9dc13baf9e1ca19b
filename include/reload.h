#ifndef RELOAD_H
#define RELOAD_H

#include "diag.h"
#include "ruleset.h"

struct event_base;
struct reloader;

/*
 * Builds a new ruleset off the event loop: loading, compiling (the
 * prefilter of thousands of rules takes seconds) and running the rules'
 * tests happen in a thread, and done is called from the loop with the
 * result, to swap it in. The loop never waits for a build.
 *
 * done(rs, d, build_ms, arg): rs is the new ruleset (the caller's now),
 * or NULL if the rules did not load or their tests failed; d holds every
 * message (valid during the call).
 */
typedef void	reload_done_fn(struct ruleset *, const struct diag *, double,
		    void *);

/*
 * The automaton of a ruleset in force, built in the thread (at start the
 * daemon decides with the literal prefilter until it is ready): done(pf,
 * rs, build_ms, arg) hands it over for rs, the caller's to swap in.
 */
struct prefilter;
typedef void	automaton_done_fn(struct prefilter *, const struct ruleset *,
		    double, void *);

struct reloader	*reloader_new(struct event_base *, reload_done_fn *,
		    automaton_done_fn *, void *);
int		 reloader_start(struct reloader *, const char *,
		    const struct rules_options *);
int		 reloader_automaton(struct reloader *, const struct ruleset *,
		    const struct rules_options *);
int		 reloader_busy(const struct reloader *);
void		 reloader_free(struct reloader *);

#endif
