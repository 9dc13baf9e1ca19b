#ifndef ADDRESS_H
#define ADDRESS_H

/*
 * Where Redis is: "host:port", "/path/to/socket" (or "unix:/path"), or
 * "redis://[[user]:password@]host[:port][/db]".
 */
struct redis_address {
	char	*host;		/* NULL for a unix socket */
	int	 port;
	char	*path;		/* unix socket, or NULL */
	char	*user;		/* from a URL, or NULL */
	char	*password;	/* from a URL, or NULL */
	int	 db;		/* -1 when the URL names none */
};

/* What to send after connecting: AUTH if password, SELECT if db != 0. */
struct redis_login {
	const char	*user;		/* NULL: AUTH with the password alone */
	const char	*password;	/* NULL: no AUTH */
	int		 db;
};

int	address_parse(const char *, struct redis_address *, char **);
void	address_free(struct redis_address *);
void	address_login(const struct redis_address *, const char *, int,
	    struct redis_login *);
/*
 * A listening address: "host:port", "[v6]:port", or ":port" / "port"
 * for loopback (127.0.0.1). *host is allocated.
 */
int	address_parse_listen(const char *, char **, int *, char **);
/* "host:port" or the socket path, never the password. */
char	*address_describe(const struct redis_address *);

#endif
