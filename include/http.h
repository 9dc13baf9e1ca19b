#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdio.h>

struct event_base;
struct http;

/*
 * The metrics endpoint: libevent's HTTP server on the daemon's event
 * base, GET (or HEAD) only, on /metrics and /healthz. What they answer
 * comes from the owner's callbacks; arg is the owner's.
 * metrics	write the Prometheus text exposition to the stream
 * health	1 if healthy, else 0; a one-line reason in buf either way
 */
struct http_events {
	void	(*metrics)(FILE *, void *);
	int	(*health)(char *, size_t, void *);
};

/* Listens on "host:port" (address_parse_listen); NULL with *cause. */
struct http	*http_new(struct event_base *, const char *,
		    const struct http_events *, void *, char **);
void		 http_free(struct http *);

#endif
