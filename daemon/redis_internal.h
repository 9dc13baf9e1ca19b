#ifndef REDIS_INTERNAL_H
#define REDIS_INTERNAL_H

/*
 * The Redis side's state, shared by redis_io.c (the connection: connect,
 * setup, reconnect with backoff, the stall watchdog) and stream.c (what
 * flows over it: reading, claiming, writing decisions).
 */

#include <stdint.h>

#include <hiredis/async.h>

#include "address.h"
#include "decide_proto.h"
#include "log.h"
#include "redis_io.h"

#define STREAM_ID_MAX	64

struct event;
struct event_base;

enum conn_state {
	CONN_DOWN,	/* no connection; a reconnect is scheduled */
	CONN_SETUP,	/* connected or connecting; setup commands in flight */
	CONN_UP		/* reading and writing */
};

struct redis_io {
	struct event_base	*base;
	struct redis_io_config	 cfg;
	struct logger		*log;
	struct redis_io_events	 ev;
	void			*arg;		/* the owner's, for ev */
	struct decide_argv	 argv;		/* reused from write to write */
	redisAsyncContext	*ac;
	struct redis_address	 addr;	/* with sentinels: the master's */
	struct sentinel_ask	*ask;	/* with sentinels: asking them */
	enum conn_state		 state;
	char			*sha;
	struct event		*tick_ev;	/* stall watchdog, claim timer */
	struct event		*reconnect_ev;
	struct event		*drop_ev;	/* drop outside hiredis callbacks */
	struct event		*retry_ev;	/* re-read after a failed write */
	unsigned		 attempts;	/* failed connects in a row */
	uint64_t		 down_since_us;
	uint64_t		 busy_since_us;	/* last reply, or first send */
	uint64_t		 last_claim_us;
	uint64_t		 last_info_us;	/* XINFO GROUPS, for metrics */
	int64_t			 group_lag;	/* -1: not known */
	long long		 client_id;	/* CLIENT ID, or 0 if not known */
	int64_t			 group_pending;	/* -1: not known */
	uint64_t		 last_beat_us;	/* the presence record sent */
	int			 beating;	/* ... and not answered yet */
	int			 beat_failed;	/* a failure was logged */
	char			*reload_seen;	/* the reload counter, or NULL */
	int			 setup;		/* setup replies awaited */
	int			 reading;	/* an XREADGROUP is in flight */
	int			 blocking;	/* ... with BLOCK */
	int			 writes;	/* decide scripts in flight */
	int			 left;		/* its record removed: no beats */
	int			 claiming;	/* an XAUTOCLAIM is in flight */
	int			 pending_phase;	/* re-reading our own entries */
	int			 full;		/* the last read filled a batch */
	int			 wait_short;	/* WAIT found fewer replicas */
	int			 reread;	/* a write failed: re-read pending */
	int			 stopping;
	int			 ever_up;
	char			 cursor[STREAM_ID_MAX + 1];
	char			 claim_cursor[STREAM_ID_MAX + 1];
	/* Verdicts (verdicts.c): read a batch at a time, off the BLOCK. */
	struct decide_argv	 vargv;
	int			 vbusy;		/* a read or a script in flight */
	int			 vpending;	/* re-reading our own first */
	uint64_t		 vnext_us;	/* after a failure: not before */
	uint64_t		 vpace_us;	/* while comments wait: not before */
	char			 vcursor[STREAM_ID_MAX + 1];
	/* The classifier's copy (classifier.c): the generation it holds. */
	uint64_t		 bgen;
	int			 bbusy;		/* a copy call in flight */
	int			 bfailed;	/* ... the last failed: said once */
	int			 lfailed;	/* the last lessons failed: said */
};

/* redis_io.c */
void	rio_sent(struct redis_io *);
int	rio_answered(struct redis_io *, const redisReply *);
int	rio_usable(const struct redis_io *);
int	rio_queue(struct redis_io *, redisCallbackFn *, void *, int,
	    const char **, const size_t *, const char *);
void	rio_lost(struct redis_io *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	rio_fatal(struct redis_io *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	rio_create_group(struct redis_io *);

/* heartbeat.c */
void	heartbeat_send(struct redis_io *);
int	heartbeat_leave(struct redis_io *);
void	heartbeat_reset(struct redis_io *);

/* verdicts.c */
int	verdicts_on(const struct redis_io *);
void	verdicts_start(struct redis_io *);
void	verdicts_read(struct redis_io *);
void	verdicts_poll(struct redis_io *);
void	verdicts_reset(struct redis_io *);
/* classifier.c */
void	classifier_poll(struct redis_io *);
void	classifier_reset(struct redis_io *);

/* stream.c */
void	stream_start(struct redis_io *);
void	stream_read(struct redis_io *);
void	stream_claim(struct redis_io *);
void	stream_group_info(struct redis_io *);
void	stream_reset(struct redis_io *);

#endif
