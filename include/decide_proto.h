#ifndef DECIDE_PROTO_H
#define DECIDE_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "entry.h"

/*
 * The decide script's calling convention (the layout is declared in
 * daemon/decide.lua): a batch -> the arguments of one EVALSHA, and each
 * element of the reply -> what became of its entry. Pure: no I/O, so the
 * layout is tested against known argument lists.
 */

/* What a batch's call needs besides the batch: plain values, borrowed. */
struct decide_params {
	unsigned	 layout;	/* the version the script reads */
	const char	*input_stream;
	const char	*output_stream;
	const char	*dead_letter_stream;
	const char	*group;
	const char	*consumer;
	const char	*rl_prefix;
	uint64_t	 output_maxlen;
	uint64_t	 rl_slack_ms;
	uint64_t	 max_deliveries;
	const char	*join_prefix;	/* "": keep nothing for verdicts */
	uint64_t	 join_ttl_ms;
	const char	*strike_prefix;	/* escalate's records for verdicts */
};

/*
 * An argument vector for redisAsyncCommandArgv, which copies the
 * arguments at once. Most point into the batch; numbers and keys made
 * here live in buf. Reused from batch to batch: nothing is allocated once
 * it has grown.
 */
struct decide_argv {
	const char	**v;
	size_t		 *len;
	size_t		 *off;		/* offset in buf, or SIZE_MAX: borrowed */
	size_t		  n;
	size_t		  cap;
	char		 *buf;
	size_t		  buflen;
	size_t		  bufcap;
};

/* What became of an entry the decide script was given. */
enum item_fate {
	FATE_GONE,	/* no longer pending for us: decided elsewhere */
	FATE_WRITTEN,	/* decided and acknowledged */
	FATE_DEAD,	/* delivered too often: dead-lettered and acknowledged */
	FATE_UNKNOWN	/* a reply element not understood: a C/Lua drift */
};

/* One element of the script's reply, as the caller read it. */
enum decide_reply_kind {
	DECIDE_REPLY_INTEGER,
	DECIDE_REPLY_FIELDS,	/* {decision, rules, shadow, reason} */
	DECIDE_REPLY_OTHER
};

struct decide_reply {
	enum decide_reply_kind	 kind;
	long long		 integer;
	struct bytes		 field[4];
};

void		decide_argv_init(struct decide_argv *);
void		decide_argv_free(struct decide_argv *);
/* Building an argument vector (the verdict script's too): a->n = 0 first. */
void		argv_add(struct decide_argv *, const char *, size_t);
void		argv_str(struct decide_argv *, const char *);
void		argv_made(struct decide_argv *, const char *, size_t,
		    const char *, size_t);
void		argv_u64(struct decide_argv *, uint64_t);
void		argv_done(struct decide_argv *);
void		decide_proto_encode(struct decide_argv *,
		    const struct decide_params *, const char *, const char *,
		    const struct batch *);
enum item_fate	decide_proto_settle(struct batch_item *,
		    const struct decide_reply *);

#endif
