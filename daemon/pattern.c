/* Regexes from rule files: PCRE2 with our flags, errors at file columns. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "normalize.h"
#include "pattern.h"
#include "xmalloc.h"

static pcre2_code *compile(struct diag *, const struct yfile *,
		    const yaml_node_t *, const char *, size_t, int, int, int);
static int	forbidden_verbs(struct diag *, const struct yfile *,
		    const yaml_node_t *, const char *, size_t);

/*
 * Pattern-start verbs that would lift our limits or our speed: turning
 * JIT off, setting limits of their own, or turning off the optimisations
 * that keep a bad pattern from being worse.
 */
static const char *const forbidden[] = { "NO_JIT", "LIMIT_MATCH=",
    "LIMIT_DEPTH=", "LIMIT_HEAP=", "LIMIT_RECURSION=", "NO_START_OPT",
    "NO_AUTO_POSSESS", "NO_DOTSTAR_ANCHOR", NULL };

static pcre2_code *
compile(struct diag *d, const struct yfile *yf, const yaml_node_t *n,
    const char *pat, size_t len, int caseless, int jit, int map_offsets)
{
	pcre2_code	*code;
	PCRE2_UCHAR	 msg[256];
	PCRE2_SIZE	 off;
	uint32_t	 flags;
	int		 err;

	flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_UCP;
	if (caseless)
		flags |= PCRE2_CASELESS;
	code = pcre2_compile((PCRE2_SPTR)pat, len, flags, &err, &off, NULL);
	if (code == NULL) {
		pcre2_get_error_message(err, msg, sizeof msg);
		if (map_offsets)
			yfile_error_at(d, yf, n, off, "bad regex: %s (at offset "
			    "%zu)", (char *)msg, (size_t)off);
		else
			yfile_error(d, yf, n, "bad word list: %s", (char *)msg);
		return NULL;
	}
	/* Without JIT (unsupported CPU, or jit: off) PCRE2 interprets. */
	if (jit)
		(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	return code;
}

/* Rejects a forbidden verb among the (*...) that open pat. */
static int
forbidden_verbs(struct diag *d, const struct yfile *yf, const yaml_node_t *n,
    const char *pat, size_t len)
{
	const char	*end;
	size_t		 off = 0, i;

	while (off + 2 < len && pat[off] == '(' && pat[off + 1] == '*') {
		if ((end = memchr(pat + off, ')', len - off)) == NULL)
			return 0;	/* PCRE2 will say what is wrong */
		for (i = 0; forbidden[i] != NULL; i++) {
			if (strncmp(pat + off + 2, forbidden[i],
			    strlen(forbidden[i])) == 0) {
				yfile_error_at(d, yf, n, off, "the verb %.*s is "
				    "not allowed: rules run with JIT and the "
				    "configured limits", (int)(end - pat - off + 1),
				    pat + off);
				return -1;
			}
		}
		off = (size_t)(end - pat) + 1;
	}
	return 0;
}

pcre2_code *
pattern_compile(struct diag *d, const struct yfile *yf, const yaml_node_t *n,
    int caseless, int jit, char **src)
{
	pcre2_code	*code;

	if (yfile_want_scalar(d, yf, n, "a regex") != 0)
		return NULL;
	if (n->data.scalar.length == 0) {
		yfile_error(d, yf, n, "a regex must not be empty");
		return NULL;
	}
	if (forbidden_verbs(d, yf, n, yfile_scalar(n),
	    n->data.scalar.length) != 0)
		return NULL;
	code = compile(d, yf, n, yfile_scalar(n), n->data.scalar.length,
	    caseless, jit, 1);
	if (code != NULL && src != NULL)
		*src = xstrndup(yfile_scalar(n), n->data.scalar.length);
	return code;
}

/*
 * words: [a, b c] -> (?<!\w)(?:a|b\s+c)(?!\w). The lookarounds instead of
 * \b keep whole-word matching right for words that begin or end with a
 * non-word character, such as "f*ck". Under normalize (stages), each word
 * goes through the character stages first, as the text will: "Café" is
 * looked for as "cafe" when the text loses its accents.
 */
pcre2_code *
pattern_words(struct diag *d, struct yfile *yf, yaml_node_t *n, int caseless,
    int jit, struct normalizer *nz, unsigned stages, char **src)
{
	yaml_node_item_t	*it;
	yaml_node_t		*w;
	const unsigned char	*s;
	struct textview		 view;
	pcre2_code		*code;
	char			*pat;
	size_t			 len, wlen, cap = 32, i;
	int			 bad = 0;

	if (n->type != YAML_SEQUENCE_NODE ||
	    n->data.sequence.items.start == n->data.sequence.items.top) {
		yfile_error(d, yf, n, "words must be a non-empty list");
		return NULL;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		w = yfile_node(yf, *it);
		if (yfile_want_scalar(d, yf, w, "a word") != 0) {
			bad = 1;
			continue;
		}
		if (w->data.scalar.length == 0) {
			yfile_error(d, yf, w, "empty word in words");
			bad = 1;
		}
		/* The longest escape, \x{7f}, is 6 bytes for 1; NFKC can
		 * make a character 18. */
		cap += 6 * 18 * w->data.scalar.length + 1;
	}
	if (bad)
		return NULL;
	stages &= NORM_CHAR_STAGES;
	textview_init(&view);
	pat = xmalloc(cap);
	len = (size_t)sprintf(pat, "(?<!\\w)(?:");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		w = yfile_node(yf, *it);
		s = w->data.scalar.value;
		wlen = w->data.scalar.length;
		if (stages != 0 && nz != NULL) {
			normalize_view(nz, (const char *)s, wlen, stages, &view);
			s = (const unsigned char *)view.p;
			wlen = view.len;
			if (wlen == 0) {
				yfile_error(d, yf, w, "the word '%s' is empty "
				    "once normalised", yfile_scalar(w));
				bad = 1;
			}
		}
		if (it != n->data.sequence.items.start)
			pat[len++] = '|';
		for (i = 0; i < wlen; i++) {
			if (s[i] == ' ') {
				while (i + 1 < wlen && s[i + 1] == ' ')
					i++;
				memcpy(pat + len, "\\s+", 3);
				len += 3;
			} else if (s[i] >= 0x80 || (s[i] >= '0' && s[i] <= '9') ||
			    ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
				pat[len++] = (char)s[i];
			else if (s[i] < 0x20 || s[i] == 0x7f)
				len += (size_t)sprintf(pat + len, "\\x{%x}", s[i]);
			else {
				pat[len++] = '\\';
				pat[len++] = (char)s[i];
			}
		}
	}
	memcpy(pat + len, ")(?!\\w)", 8);
	textview_free(&view);
	if (bad) {
		free(pat);
		return NULL;
	}
	code = compile(d, yf, n, pat, strlen(pat), caseless, jit, 0);
	if (code != NULL && src != NULL)
		*src = pat;
	else
		free(pat);
	return code;
}

int
pattern_jit_works(void)
{
	pcre2_code	*code;
	size_t		 size = 0;
	uint32_t	 have = 0;
	int		 erc;
	PCRE2_SIZE	 eoff;

	if (pcre2_config(PCRE2_CONFIG_JIT, &have) != 0 || !have)
		return 0;
	/* Built in is not enough: W^X memory (MemoryDenyWriteExecute) fails. */
	if ((code = pcre2_compile((PCRE2_SPTR)"a", 1, 0, &erc, &eoff,
	    NULL)) == NULL)
		return 0;
	if (pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0)
		(void)pcre2_pattern_info(code, PCRE2_INFO_JITSIZE, &size);
	pcre2_code_free(code);
	return size > 0;
}

/*
 * The end of the bracket class of PCRE2 pattern p (len bytes) that opens
 * at i: just past its ']', or len. A ']' first is a member; escapes,
 * \Q...\E and POSIX [:name:] (and [.x.], [=x=]) are skipped whole.
 */
size_t
pattern_class_end(const char *p, size_t len, size_t i)
{
	const char	*e;

	i++;
	if (i < len && p[i] == '^')
		i++;
	if (i < len && p[i] == ']')
		i++;
	while (i < len && p[i] != ']') {
		if (p[i] == '\\' && i + 1 < len && p[i + 1] == 'Q') {
			e = memmem(p + i, len - i, "\\E", 2);
			i = e != NULL ? (size_t)(e - p) + 2 : len;
		} else if (p[i] == '\\' && i + 1 < len)
			i += 2;
		else if (p[i] == '[' && i + 1 < len && strchr(":.=",
		    p[i + 1]) != NULL) {
			char	d = p[i + 1];

			for (i += 2; i + 1 < len && !(p[i] == d &&
			    p[i + 1] == ']'); i++)
				;
			i += 2;
		} else
			i++;
	}
	return i < len ? i + 1 : len;
}
