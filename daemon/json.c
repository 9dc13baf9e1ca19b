/* One JSON object per line, valid whatever bytes the strings hold. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistr.h>

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

static void
jbuf_escaped(struct jbuf *j, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	char		 esc[8];
	size_t		 i = 0, n;
	ucs4_t		 uc;
	int		 k;

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
		} else if (s[i] < 0x80) {
			n = i + 1;
			while (n < len && s[n] >= 0x20 && s[n] < 0x7f &&
			    s[n] != '"' && s[n] != '\\')
				n++;
			jbuf_raw(j, (const char *)s + i, n - i);
			i = n;
		} else if ((k = u8_mbtoucr(&uc, s + i, len - i)) <= 0) {
			/* Invalid or cut short (RFC 3629): never passed on. */
			jbuf_raw(j, "\\ufffd", 6);
			i++;
		} else if (uc == 0x85 || uc == 0x2028 || uc == 0x2029) {
			/*
			 * NEL, LINE and PARAGRAPH SEPARATOR are valid in JSON
			 * but end lines for JavaScript and some log tools.
			 */
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned)uc);
			jbuf_raw(j, esc, 6);
			i += (size_t)k;
		} else {
			jbuf_raw(j, (const char *)s + i, (size_t)k);
			i += (size_t)k;
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

/* A number with key; not a number (NaN) is null. */
void
jbuf_num(struct jbuf *j, const char *key, double v)
{
	char	num[40];
	int	n;

	jbuf_key(j, key);
	n = v == v ? snprintf(num, sizeof num, "%.6g", v) :
	    snprintf(num, sizeof num, "null");
	jbuf_raw(j, num, (size_t)n);
}
