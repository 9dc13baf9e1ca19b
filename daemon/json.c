/* One JSON object per line, valid whatever bytes the strings hold. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "xmalloc.h"

static void	jbuf_grow(struct jbuf *, size_t);
static void	jbuf_key(struct jbuf *, const char *);
static void	jbuf_escaped(struct jbuf *, const char *, size_t);

void
jbuf_init(struct jbuf *j)
{
	j->p = NULL;
	j->len = j->cap = 0;
	j->first = 1;
}

void
jbuf_free(struct jbuf *j)
{
	free(j->p);
	jbuf_init(j);
}

static void
jbuf_grow(struct jbuf *j, size_t more)
{
	if (j->len + more + 1 <= j->cap)
		return;
	while (j->len + more + 1 > j->cap)
		j->cap = j->cap ? j->cap * 2 : 256;
	j->p = xreallocarray(j->p, j->cap, 1);
}

void
jbuf_raw(struct jbuf *j, const char *s, size_t len)
{
	jbuf_grow(j, len);
	memcpy(j->p + j->len, s, len);
	j->len += len;
	j->p[j->len] = '\0';
}

void
jbuf_open(struct jbuf *j)
{
	jbuf_raw(j, "{", 1);
	j->first = 1;
}

void
jbuf_close(struct jbuf *j)
{
	jbuf_raw(j, "}", 1);
}

static void
jbuf_key(struct jbuf *j, const char *key)
{
	if (!j->first)
		jbuf_raw(j, ",", 1);
	j->first = 0;
	jbuf_escaped(j, key, strlen(key));
	jbuf_raw(j, ":", 1);
}

/*
 * Length of the valid UTF-8 sequence at s, or 0 if the byte there starts
 * none: overlong forms, surrogates and code points past U+10FFFF are
 * invalid (RFC 3629).
 */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
	unsigned	c = s[0], cp;
	size_t		n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* 1 if all of s is valid UTF-8; else 0 and *bad is the first bad offset. */
int
utf8_valid_prefix(const unsigned char *s, size_t len, size_t *bad)
{
	size_t	i = 0, n;

	while (i < len) {
		if ((n = utf8_seq(s + i, len - i)) == 0) {
			if (bad != NULL)
				*bad = i;
			return 0;
		}
		i += n;
	}
	return 1;
}

static void
jbuf_escaped(struct jbuf *j, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	char		 esc[8];
	size_t		 i = 0, n;

	jbuf_grow(j, len + 2);
	jbuf_raw(j, "\"", 1);
	while (i < len) {
		if (s[i] == '"' || s[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)s[i];
			jbuf_raw(j, esc, 2);
			i++;
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", s[i]);
			jbuf_raw(j, esc, 6);
			i++;
		} else if ((n = utf8_seq(s + i, len - i)) == 0) {
			jbuf_raw(j, "\\ufffd", 6);
			i++;
		} else if ((n == 2 && s[i] == 0xc2 && s[i + 1] == 0x85) ||
		    (n == 3 && s[i] == 0xe2 && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0xa8 || s[i + 2] == 0xa9))) {
			/*
			 * NEL, LINE and PARAGRAPH SEPARATOR are valid in JSON
			 * but end lines for JavaScript and some log tools.
			 */
			snprintf(esc, sizeof esc, "\\u%04x", n == 2 ? 0x85 :
			    s[i + 2] == 0xa8 ? 0x2028 : 0x2029);
			jbuf_raw(j, esc, 6);
			i += n;
		} else {
			jbuf_raw(j, (const char *)s + i, n);
			i += n;
		}
	}
	jbuf_raw(j, "\"", 1);
}

void
jbuf_str(struct jbuf *j, const char *key, const char *s, size_t len)
{
	jbuf_key(j, key);
	jbuf_escaped(j, s, len);
}

void
jbuf_cstr(struct jbuf *j, const char *key, const char *s)
{
	jbuf_str(j, key, s, s ? strlen(s) : 0);
}

void
jbuf_int(struct jbuf *j, const char *key, int64_t v)
{
	char	num[32];
	int	n;

	jbuf_key(j, key);
	n = snprintf(num, sizeof num, "%lld", (long long)v);
	jbuf_raw(j, num, (size_t)n);
}
