/*
 * GET /metrics and /healthz over libevent's evhttp, on the event loop:
 * a scrape renders the counters in memory and never waits on Redis.
 * Requests are bounded (headers, body, idle time) as anything from
 * outside is.
 */

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "address.h"
#include "http.h"
#include "xmalloc.h"

#define HTTP_MAX_HEADERS	8192
#define HTTP_MAX_BODY		1024
#define HTTP_TIMEOUT_S		10

struct http {
	struct evhttp			*evh;
	const struct http_events	*ev;
	void				*arg;
};

static void
reply(struct evhttp_request *req, int code, const char *reason,
    const char *type, char *body, size_t len)
{
	struct evbuffer	*buf;

	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", type);
	if ((buf = evbuffer_new()) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evbuffer_add(buf, body, len);
	evhttp_send_reply(req, code, reason, buf);
	evbuffer_free(buf);
}

static void
on_metrics(struct evhttp_request *req, void *arg)
{
	struct http	*h = arg;
	FILE		*f;
	char		*body = NULL;
	size_t		 len = 0;

	if ((f = open_memstream(&body, &len)) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	h->ev->metrics(f, h->arg);
	if (fclose(f) != 0) {
		free(body);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	reply(req, HTTP_OK, "OK", "text/plain; version=0.0.4; charset=utf-8",
	    body, len);
	free(body);
}

static void
on_health(struct evhttp_request *req, void *arg)
{
	struct http	*h = arg;
	char		 line[256];
	int		 ok;

	ok = h->ev->health(line, sizeof line - 1, h->arg);
	line[sizeof line - 2] = '\0';
	strcat(line, "\n");
	reply(req, ok ? HTTP_OK : 503, ok ? "OK" : "Service Unavailable",
	    "text/plain; charset=utf-8", line, strlen(line));
}

static void
on_other(struct evhttp_request *req, void *arg)
{
	evhttp_send_error(req, HTTP_NOTFOUND, "try /metrics or /healthz");
}

struct http *
http_new(struct event_base *base, const char *listen,
    const struct http_events *ev, void *arg, char **cause)
{
	struct http	*h;
	char		*host;
	int		 port;

	if (address_parse_listen(listen, &host, &port, cause) != 0)
		return NULL;
	h = xcalloc(1, sizeof *h);
	h->ev = ev;
	h->arg = arg;
	if ((h->evh = evhttp_new(base)) == NULL) {
		*cause = xstrdup("cannot create the HTTP server");
		goto fail;
	}
	evhttp_set_allowed_methods(h->evh, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_headers_size(h->evh, HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(h->evh, HTTP_MAX_BODY);
	evhttp_set_timeout(h->evh, HTTP_TIMEOUT_S);
	evhttp_set_cb(h->evh, "/metrics", on_metrics, h);
	evhttp_set_cb(h->evh, "/healthz", on_health, h);
	evhttp_set_gencb(h->evh, on_other, h);
	if (evhttp_bind_socket_with_handle(h->evh, host, (ev_uint16_t)port) ==
	    NULL) {
		xasprintf(cause, "cannot listen on %s for metrics: %s", listen,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		goto fail;
	}
	free(host);
	return h;
fail:
	free(host);
	http_free(h);
	return NULL;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	if (h->evh != NULL)
		evhttp_free(h->evh);
	free(h);
}
