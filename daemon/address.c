/* Redis addresses: host:port, a unix socket path, or a redis:// URL. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "xmalloc.h"

#define REDIS_DEFAULT_PORT	6379

static int	parse_port(const char *, int *);
static int	parse_hostport(const char *, struct redis_address *, char **);
static int	parse_url(const char *, struct redis_address *, char **);

static int
parse_port(const char *s, int *port)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* "host", "host:port", "[v6]:port". */
static int
parse_hostport(const char *s, struct redis_address *a, char **cause)
{
	const char	*colon, *close;

	a->port = REDIS_DEFAULT_PORT;
	if (*s == '[') {
		if ((close = strchr(s, ']')) == NULL) {
			*cause = xstrdup("unclosed '[' in IPv6 address");
			return -1;
		}
		a->host = xstrndup(s + 1, (size_t)(close - s - 1));
		colon = close[1] == ':' ? close + 1 : NULL;
		if (colon == NULL && close[1] != '\0') {
			*cause = xstrdup("junk after IPv6 address");
			return -1;
		}
	} else if ((colon = strrchr(s, ':')) != NULL)
		a->host = xstrndup(s, (size_t)(colon - s));
	else
		a->host = xstrdup(s);
	if (*a->host == '\0') {
		*cause = xstrdup("empty host name");
		return -1;
	}
	if (colon != NULL && parse_port(colon + 1, &a->port) != 0) {
		xasprintf(cause, "bad port '%s'", colon + 1);
		return -1;
	}
	return 0;
}

/* redis://[[user]:password@]host[:port][/db] */
static int
parse_url(const char *s, struct redis_address *a, char **cause)
{
	const char	*at, *slash, *colon, *rest = s + strlen("redis://");
	char		*hostport, *end;
	long		 db;
	int		 rc;

	slash = strchr(rest, '/');
	at = strrchr(rest, '@');
	if (at != NULL && slash != NULL && at > slash)
		at = NULL;
	if (at != NULL) {
		colon = memchr(rest, ':', (size_t)(at - rest));
		if (colon == NULL) {
			*cause = xstrdup("URL credentials must be "
			    "[user]:password@");
			return -1;
		}
		if (colon > rest)
			a->user = xstrndup(rest, (size_t)(colon - rest));
		a->password = xstrndup(colon + 1, (size_t)(at - colon - 1));
		rest = at + 1;
	}
	hostport = slash ? xstrndup(rest, (size_t)(slash - rest)) : xstrdup(rest);
	rc = parse_hostport(hostport, a, cause);
	free(hostport);
	if (rc != 0)
		return -1;
	if (slash != NULL && slash[1] != '\0') {
		errno = 0;
		db = strtol(slash + 1, &end, 10);
		if (*end != '\0' || errno != 0 || db < 0 || db > 65535) {
			xasprintf(cause, "bad database number '%s'", slash + 1);
			return -1;
		}
		a->db = (int)db;
	}
	return 0;
}

/*
 * Parses s into a, which the caller frees with address_free whatever the
 * result. On error *cause is an allocated message that never repeats the
 * password.
 */
int
address_parse(const char *s, struct redis_address *a, char **cause)
{
	memset(a, 0, sizeof *a);
	a->db = -1;
	*cause = NULL;
	if (*s == '\0') {
		*cause = xstrdup("empty Redis address");
		return -1;
	}
	if (strncmp(s, "unix:", 5) == 0 || *s == '/' || *s == '.') {
		a->path = xstrdup(strncmp(s, "unix:", 5) == 0 ? s + 5 : s);
		if (*a->path == '\0') {
			*cause = xstrdup("empty unix socket path");
			return -1;
		}
		return 0;
	}
	if (strncmp(s, "redis://", 8) == 0)
		return parse_url(s, a, cause);
	if (strstr(s, "://") != NULL) {
		*cause = xstrdup("only redis:// URLs are supported");
		return -1;
	}
	return parse_hostport(s, a, cause);
}

int
address_parse_listen(const char *s, char **host, int *port, char **cause)
{
	struct redis_address	a;
	const char		*p = *s == ':' ? s + 1 : s;
	int			 rc;

	*host = NULL;
	*cause = NULL;
	if (strspn(p, "0123456789") == strlen(p)) {
		if (parse_port(p, port) != 0) {
			xasprintf(cause, "bad port '%s'", p);
			return -1;
		}
		*host = xstrdup("127.0.0.1");
		return 0;
	}
	/* A port is required: the host's default port is Redis's. */
	if (s[strlen(s) - 1] == ']' || (*s != '[' && strchr(s, ':') == NULL)) {
		xasprintf(cause, "'%s' has no port (host:port)", s);
		return -1;
	}
	memset(&a, 0, sizeof a);
	if ((rc = parse_hostport(s, &a, cause)) == 0) {
		*host = a.host;
		*port = a.port;
	} else
		free(a.host);
	return rc;
}

void
address_free(struct redis_address *a)
{
	free(a->host);
	free(a->path);
	free(a->user);
	if (a->password != NULL) {
		explicit_bzero(a->password, strlen(a->password));
		free(a->password);
	}
	memset(a, 0, sizeof *a);
}

/*
 * The AUTH and SELECT for address a given the config's password and
 * database: a URL's own credentials and database win. Strings are
 * borrowed from a and password.
 */
void
address_login(const struct redis_address *a, const char *password, int db,
    struct redis_login *out)
{
	out->user = a->user;
	out->password = a->password != NULL ? a->password : password;
	if (out->password != NULL && *out->password == '\0')
		out->password = NULL;
	out->db = a->db >= 0 ? a->db : db;
}

char *
address_describe(const struct redis_address *a)
{
	char	*s;

	if (a->path != NULL)
		return xstrdup(a->path);
	if (strchr(a->host, ':') != NULL)
		xasprintf(&s, "[%s]:%d", a->host, a->port);
	else
		xasprintf(&s, "%s:%d", a->host, a->port);
	return s;
}
