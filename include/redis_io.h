#ifndef REDIS_IO_H
#define REDIS_IO_H

#include <stdint.h>

#include "batch.h"
#include "decide_proto.h"
#include "entry.h"
#include "log.h"
#include "verdict_proto.h"

struct event_base;
struct presence_record;
struct bayes_model;
struct bayes_item;
struct redis_io;

/*
 * The Redis side of the daemon: one hiredis async connection on the
 * caller's event base, in one of two roles. The decision connection
 * reads batches with XREADGROUP (and claims entries dead consumers
 * left), hands each batch up to be decided, and writes its decisions and
 * acks with one call of the decide script. The control connection
 * carries the rest: the presence record and the reload watch, moderators'
 * verdicts (read and counted), the rules' standing and the classifier's
 * copy. Apart, so that none of them waits behind a blocking read (up to
 * block_ms, longer than a presence record lives), nor a decision behind
 * them in the same pipe. Each reports up through the callbacks below and
 * never reaches further.
 */

enum redis_role {
	REDIS_DECISIONS,
	REDIS_CONTROL
};

/* Its configuration: plain values; strings borrowed for its lifetime. */
struct redis_io_config {
	enum redis_role	 role;
	const char	*address;	/* host:port, socket path or URL */
	struct sentinels *sentinels;	/* or NULL: address; shared */
	const char	*password;	/* NULL or "": none (a URL's wins) */
	int		 db;		/* a URL's wins */
	/* Streams, group, consumer, limits: the decide script's too. */
	struct decide_params stream;	/* its layout is set here */
	unsigned	 batch_size;
	unsigned	 block_ms;
	uint64_t	 command_timeout_ms;
	unsigned	 wait_replicas;	/* WAIT for them after each batch */
	uint64_t	 wait_timeout_ms;
	uint64_t	 claim_idle_ms;
	struct entry_limits limits;
	struct verdict_params verdicts;	/* its stream NULL or "": none */
	unsigned	 verdict_busy_rate; /* verdicts a second while comments
					       wait; 0: no limit */
};

/* What became of one verdict (verdict.lua's reply): borrowed strings. */
struct verdict_outcome {
	const struct verdict	*v;
	const char		*outcome;	/* counted, same, unmatched, ... */
	const char		*detail;	/* counted: "rule=a,rule=d" */
};

/*
 * What the Redis side tells its owner; arg is the owner's. Each is called
 * from the event loop, never from inside redis_io_* calls. The decision
 * connection calls those up to on_fatal; the control one on_fatal and
 * those from on_presence on.
 * on_ready	connected, set up, and reading (after every reconnect too)
 * on_batch	entries read: decide every item now (batch_decide); the
 *		batch is then written, and stays the Redis side's
 * on_written	the script answered: fate[i] says what became of item i;
 *		a written item holds its decision as the script settled it
 * on_lost	the connection was lost (once per loss); reconnecting
 * on_fatal	Redis refuses us as configured (a wrong password): give up
 * on_presence	fill in this daemon's record (presence.h), sent each second
 * on_reload	moderatorctl reload asked for a reload; gen is the counter's
 *		value, to be reported as the record's reload_gen when done
 * rules	the rules in force (their floors go with each verdict call)
 * on_verdicts	verdicts were counted: what became of each, and the rules
 *		the call demoted ("name level precision verdicts")
 * on_shared	each second: the counts and demoted hashes, as pairs
 */
struct redis_io_events {
	void	(*on_ready)(void *);
	void	(*on_batch)(struct batch *, void *);
	void	(*on_written)(const struct batch *, const enum item_fate *,
		    void *);
	void	(*on_lost)(const char *, void *);
	void	(*on_fatal)(const char *, void *);
	void	(*on_presence)(struct presence_record *, void *);
	void	(*on_reload)(const char *, void *);
	const struct ruleset *(*rules)(void *);
	void	(*on_verdicts)(const struct verdict_outcome *, size_t,
		    const char *const *, size_t, void *);
	void	(*on_shared)(const struct bytes *, size_t, const struct bytes *,
		    size_t, void *);
	/* The classifier's copy to keep, or NULL: no rule classifies. */
	struct bayes_model *(*model)(void *);
	/*
	 * What a verdict's text (len bytes) teaches the classifier: item's
	 * id and class are set, fill in its words and sure (bayes_proto.h).
	 * NULL: verdicts teach nothing.
	 */
	void	(*learn)(struct bayes_item *, const char *, size_t, void *);
	/* Comments are waiting: verdicts take verdict_busy_rate at most. */
	int	(*backlogged)(void *);
};

struct redis_io	*redis_io_new(struct event_base *,
		    const struct redis_io_config *, struct logger *,
		    const struct redis_io_events *, void *);
void		 redis_io_free(struct redis_io *);
int		 redis_io_start(struct redis_io *);
/* Stop reading; what is in flight is finished. */
void		 redis_io_stop(struct redis_io *);
int		 redis_io_leave(struct redis_io *);
void		 redis_io_unblock(struct redis_io *, const struct redis_io *);
/*
 * The consumer group's lag (entries not yet delivered to it) and pending
 * count, as XINFO GROUPS said a few seconds ago; -1 when not known.
 */
void		 redis_io_group(const struct redis_io *, int64_t *, int64_t *);
/* Lifts rule name's demotion (verdict_lift_lua). */
void		 redis_io_lift(struct redis_io *, const char *);
/* Says in Redis what rules rs are, for moderatorctl rules. */
void		 redis_io_publish_rules(struct redis_io *,
		    const struct ruleset *);
/* Its last read found a full batch: more comments are waiting. */
int		 redis_io_backlogged(const struct redis_io *);
/* Nothing in flight that stopping should wait for. */
int		 redis_io_idle(const struct redis_io *);

#endif
