#ifndef SENTINEL_H
#define SENTINEL_H

#include <stddef.h>

#include <hiredis/hiredis.h>

#include "address.h"

struct event_base;

/*
 * Redis Sentinel, as its client procedure has it: ask the sentinels in
 * turn (each briefly) where master_name's master is, the one that last
 * answered first; connect there; check ROLE; ask again on every
 * reconnect.
 */
struct sentinels {
	struct redis_address	*at;
	size_t			 n;
	size_t			 first;		/* the one that answered last */
	char			*master;	/* master_name */
	char			*password;	/* the sentinels', or NULL */
	unsigned		 timeout_ms;	/* for each sentinel */
};

/* list: "host:port,host:port" (or socket paths); -1 and *cause if bad. */
int	sentinels_parse(struct sentinels *, const char *, const char *,
	    const char *, char **);
void	sentinels_free(struct sentinels *);
/*
 * SENTINEL GET-MASTER-ADDR-BY-NAME's reply: 0 with *host (allocated) and
 * *port, or -1 with *why (allocated).
 */
int	sentinel_master_reply(const struct sentinels *, const redisReply *,
	    char **, int *, char **);
/* ROLE's reply: 1 for a master; else 0, and *role says what it is. */
int	sentinel_role_master(const redisReply *, const char **);
/* "host:port" of sentinel i, never its password. */
char	*sentinel_describe(const struct sentinels *, size_t);
/* Adds what sentinel i said (why) to *said, "host:port: why; ...". */
void	 sentinel_said(const struct sentinels *, size_t, const char *,
	    char **);
/* "no sentinel named master M (what each said)", allocated. */
char	*sentinel_none(const struct sentinels *, const char *);

/* Asking from an event loop (the daemon). */
struct sentinel_ask;
/* host NULL: none answered, and why says so (sentinel_none). */
typedef void sentinel_cb(const char *host, int port, const char *why,
	    void *arg);

struct sentinel_ask *sentinel_ask_new(struct event_base *,
		    struct sentinels *);
/* Asks, unless an ask is under way; cb is called from the loop. */
void	sentinel_ask_start(struct sentinel_ask *, sentinel_cb *, void *);
void	sentinel_ask_free(struct sentinel_ask *);

/* Asking and waiting (moderatorctl): 0 with *host and *port, or -1. */
int	sentinel_resolve(struct sentinels *, char **, int *, char **);

#endif
