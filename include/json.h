#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdint.h>

/*
 * A growing buffer that writes one JSON object. Strings are escaped so
 * that the output is valid JSON whatever bytes they hold: invalid UTF-8
 * becomes U+FFFD, never passes through.
 */
struct jbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 first;
};

void	jbuf_init(struct jbuf *);
void	jbuf_free(struct jbuf *);
void	jbuf_open(struct jbuf *);
void	jbuf_close(struct jbuf *);
void	jbuf_str(struct jbuf *, const char *, const char *, size_t);
void	jbuf_cstr(struct jbuf *, const char *, const char *);
void	jbuf_int(struct jbuf *, const char *, int64_t);
void	jbuf_raw(struct jbuf *, const char *, size_t);
void	jbuf_num(struct jbuf *, const char *, double);

#endif
