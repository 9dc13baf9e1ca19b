/*
 * Required literals of a PCRE2 pattern, for the prefilter.
 *
 * First the pattern is widened (literals_widen) into a pattern that
 * matches wherever it matches, and more, made only of literal text, '.',
 * groups, alternation and the repeats *, + and ?. Then the widened
 * pattern is parsed, and each part is given what any match of it must
 * contain (after Russ Cox's trigram index for code search, with whole
 * literals instead of trigrams): a literal is exactly itself; a sequence
 * of exact parts is exact while the combinations stay few (16), and
 * otherwise needs the best of its parts' requirements (the one whose
 * shortest string is longest); an alternation needs one of its branches'
 * requirements; x+ needs what x needs; x*, x? and '.' need nothing. A
 * pattern that needs nothing (it can match any text) has no literals, and
 * its rule always runs.
 */

#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "literals.h"
#include "pattern.h"
#include "xmalloc.h"

#define EXACT_MAX	16	/* strings in an exact set */
#define LITERAL_MAX	64	/* bytes in a literal */
#define CONJ_MAX	LITERALS_SETS

struct wbuf;

static void	put(struct wbuf *, const char *, size_t, int);
static size_t	skip_group(const char *, size_t, size_t);

/* A growing buffer for a widened pattern. */
struct wbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 atom;		/* the last thing written can be repeated */
};

static void
put(struct wbuf *w, const char *s, size_t n, int atom)
{
	if (w->len + n + 1 > w->cap) {
		w->cap = (w->len + n + 1) * 2;
		w->p = xreallocarray(w->p, w->cap, 1);
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
	w->p[w->len] = '\0';
	w->atom = atom;
}


/* The index just past the group that opens at i (or len). */
static size_t
skip_group(const char *p, size_t len, size_t i)
{
	int	depth = 0;

	while (i < len) {
		if (p[i] == '\\') {
			if (i + 1 < len && p[i + 1] == 'Q') {
				const char *e = memmem(p + i, len - i, "\\E", 2);
				i = e != NULL ? (size_t)(e - p) + 2 : len;
			} else
				i += 2;
			continue;
		}
		if (p[i] == '[') {
			i = pattern_class_end(p, len, i);
			continue;
		}
		if (p[i] == '(')
			depth++;
		else if (p[i] == ')' && --depth == 0)
			return i + 1;
		i++;
	}
	return len;
}

/*
 * A pattern that matches wherever pat matches, and more: assertions and
 * lookarounds go, every class and class escape becomes '.', a back
 * reference or subroutine '.*', a bounded repeat '*' or '+', lazy and
 * possessive repeats plain ones, atomic groups plain groups. Literal text,
 * groups, alternation and (?i) stay. Compiled with DOTALL, the result is
 * a superset of the pattern's matches. NULL where the pattern uses what is
 * not widened safely ((?x) layout, conditionals, (*ACCEPT)): its rule
 * then always runs.
 */
char *
literals_widen(const char *pat)
{
	struct wbuf	 w = { NULL, 0, 0, 0 };
	size_t		 len = strlen(pat), i = 0, j;
	const char	*e;
	char		 c;
	int		 lead = 1;

	put(&w, "", 0, 0);
	while (i < len) {
		c = pat[i];
		if (c != '(' || i + 1 >= len || pat[i + 1] != '*')
			lead = 0;
		if (c == '\\' && i + 1 < len) {
			c = pat[i + 1];
			if (c == 'Q') {
				e = memmem(pat + i, len - i, "\\E", 2);
				j = e != NULL ? (size_t)(e - pat) + 2 : len;
				put(&w, pat + i, j - i, 1);
				i = j;
			} else if (c == 'x' || c == 'o') {
				j = i + 2;
				if (j < len && pat[j] == '{') {
					while (j < len && pat[j] != '}')
						j++;
					j++;
				} else
					while (j < len && j < i + 4 &&
					    strchr("0123456789abcdefABCDEF",
					    pat[j]) != NULL)
						j++;
				put(&w, pat + i, (j > len ? len : j) - i, 1);
				i = j;
			} else if (c == 'c' && i + 2 < len) {
				put(&w, pat + i, 3, 1);
				i += 3;
			} else if (c == 'p' || c == 'P') {
				j = i + 2;
				if (j < len && pat[j] == '{') {
					while (j < len && pat[j] != '}')
						j++;
				}
				put(&w, ".", 1, 1);
				i = j + 1;
			} else if (strchr("wWsSdDhHvVNC", c) != NULL) {
				put(&w, ".", 1, 1);
				i += 2;
			} else if (c == 'R' || c == 'X') {
				put(&w, "(?:.+)", 6, 1);
				i += 2;
			} else if (strchr("bBAzZGK", c) != NULL) {
				w.atom = 0;
				i += 2;
			} else if ((c >= '1' && c <= '9') || c == 'g' ||
			    c == 'k') {
				j = i + 2;
				if (j < len && strchr("{<'", pat[j]) != NULL) {
					while (j < len && strchr("}>'",
					    pat[j]) == NULL)
						j++;
					j++;
				} else
					while (j < len && ((pat[j] >= '0' &&
					    pat[j] <= '9') || pat[j] == '-' ||
					    pat[j] == '+'))
						j++;
				put(&w, "(?:.*)", 6, 1);
				i = j;
			} else {
				put(&w, pat + i, 2, 1);
				i += 2;
			}
			continue;
		}
		if (c == '[') {
			i = pattern_class_end(pat, len, i);
			put(&w, ".", 1, 1);
			continue;
		}
		if (c == '^' || c == '$') {
			w.atom = 0;
			i++;
			continue;
		}
		if (c == '(' && i + 1 < len && pat[i + 1] == '*') {
			j = i;
			while (j < len && pat[j] != ')')
				j++;
			if (!lead && (memmem(pat + i, j - i, "ACCEPT", 6) !=
			    NULL))
				goto refuse;
			w.atom = 0;
			i = j + 1;
			continue;
		}
		if (c == '(' && i + 1 < len && pat[i + 1] == '?') {
			c = i + 2 < len ? pat[i + 2] : '\0';
			if (c == '#' || c == 'C') {
				while (i < len && pat[i] != ')')
					i++;
				i++;
			} else if (c == '=' || c == '!' || (c == '<' &&
			    i + 3 < len && (pat[i + 3] == '=' ||
			    pat[i + 3] == '!'))) {
				w.atom = 0;
				i = skip_group(pat, len, i);
			} else if (c == '(')
				goto refuse;
			else if (c == ':' || c == '|' || c == '>') {
				put(&w, "(?:", 3, 0);
				i += 3;
			} else if (c == '<' || c == '\'' || (c == 'P' &&
			    i + 3 < len && pat[i + 3] == '<')) {
				/* A named group: a plain one. */
				for (j = i + 3; j < len && pat[j] != (c == '\'' ?
				    '\'' : '>'); j++)
					;
				put(&w, "(", 1, 0);
				i = j + 1;
			} else if (c == 'R' || c == '&' || c == '+' ||
			    c == '-' || (c >= '0' && c <= '9') || (c == 'P' &&
			    i + 3 < len && pat[i + 3] == '>')) {
				if (c == '-' && i + 3 < len && !(pat[i + 3] >=
				    '0' && pat[i + 3] <= '9'))
					goto flags;
				while (i < len && pat[i] != ')')
					i++;
				put(&w, "(?:.*)", 6, 1);
				i++;
			} else {
flags:
				/* (?i), (?-i), (?i:, (?s) ...: kept as they are. */
				j = i + 2;
				while (j < len && pat[j] != ')' && pat[j] != ':')
					j++;
				if (memchr(pat + i, 'x', j - i) != NULL)
					goto refuse;
				put(&w, pat + i, j + 1 - i, 0);
				i = j + 1;
			}
			continue;
		}
		if (c == '{') {
			j = i + 1;
			while (j < len && pat[j] >= '0' && pat[j] <= '9')
				j++;
			if (j > i + 1 && j < len && (pat[j] == '}' ||
			    pat[j] == ',')) {
				size_t	k = j;

				if (pat[k] == ',')
					for (k++; k < len && pat[k] >= '0' &&
					    pat[k] <= '9'; k++)
						;
				if (k < len && pat[k] == '}') {
					if (w.atom)
						put(&w, strtoul(pat + i + 1,
						    NULL, 10) == 0 ? "*" : "+",
						    1, 0);
					i = k + 1;
					if (i < len && (pat[i] == '+' ||
					    pat[i] == '?'))
						i++;
					continue;
				}
			}
			put(&w, "\\{", 2, 1);
			i++;
			continue;
		}
		if (c == '*' || c == '+' || c == '?') {
			if (w.atom)
				put(&w, pat + i, 1, 0);
			i++;
			if (i < len && (pat[i] == '+' || pat[i] == '?'))
				i++;
			continue;
		}
		put(&w, pat + i, 1, c != '(' && c != '|');
		i++;
	}
	return w.p;
refuse:
	free(w.p);
	return NULL;
}


/* A set of strings. */
struct set {
	char	**s;
	size_t	 *len;
	size_t	  n;
};

/*
 * What a part of the pattern is known to match: exactly one of the
 * strings of ex ("" may be one), or else every match contains one string
 * of each of the sets conj[0..nconj) (none: anything may match).
 */
struct info {
	int		exact;
	struct set	ex;
	struct set	conj[CONJ_MAX];
	size_t		nconj;
};

struct parser {
	const char	*p;
	size_t		 i;
	size_t		 len;
	int		 caseless;
	int		 bad;
};

static struct info	parse_alt(struct parser *);

static void
set_free(struct set *a)
{
	size_t	i;

	for (i = 0; i < a->n; i++)
		free(a->s[i]);
	free(a->s);
	free(a->len);
	memset(a, 0, sizeof *a);
}

static void
set_add(struct set *a, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < a->n; i++)
		if (a->len[i] == len && memcmp(a->s[i], s, len) == 0)
			return;
	a->s = xreallocarray(a->s, a->n + 1, sizeof *a->s);
	a->len = xreallocarray(a->len, a->n + 1, sizeof *a->len);
	a->s[a->n] = xmalloc(len + 1);
	memcpy(a->s[a->n], s, len);
	a->s[a->n][len] = '\0';
	a->len[a->n++] = len;
}

static void
info_free(struct info *a)
{
	size_t	i;

	set_free(&a->ex);
	for (i = 0; i < a->nconj; i++)
		set_free(&a->conj[i]);
	memset(a, 0, sizeof *a);
}

static struct info
info_exact(const char *s, size_t len)
{
	struct info	a;

	memset(&a, 0, sizeof a);
	a.exact = 1;
	set_add(&a.ex, s, len);
	return a;
}

static struct info
info_any(void)
{
	struct info	a;

	memset(&a, 0, sizeof a);
	return a;
}

/*
 * How unlikely a string is in a text: letters common in prose count 1,
 * other letters 2, anything else 3. A set is as good as its likeliest
 * string.
 */
static unsigned
score(const char *s, size_t len)
{
	unsigned	t = 0;
	size_t		i;
	unsigned char	c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i] | 0x20;
		if (strchr("etaoinshrdlu ", c) != NULL)
			t += 1;
		else if (c >= 'a' && c <= 'z')
			t += 2;
		else if (((unsigned char)s[i] & 0xc0) != 0x80)
			t += 3;
	}
	return t;
}

static unsigned
set_score(const struct set *a)
{
	unsigned	m = (unsigned)-1, v;
	size_t		i;

	for (i = 0; i < a->n; i++)
		if ((v = score(a->s[i], a->len[i])) < m)
			m = v;
	return m;
}

/* Makes a not exact: its exact set becomes one required set. */
static void
inexact(struct info *a)
{
	size_t	i;

	if (!a->exact)
		return;
	a->exact = 0;
	for (i = 0; i < a->ex.n; i++) {
		if (a->ex.len[i] == 0) {
			set_free(&a->ex);	/* "" requires nothing */
			return;
		}
	}
	a->conj[0] = a->ex;
	a->nconj = 1;
	memset(&a->ex, 0, sizeof a->ex);
}

/* Adds required set c to a's conjunction, keeping the best CONJ_MAX. */
static void
conj_add(struct info *a, struct set c)
{
	size_t	i, worst = 0;

	if (a->nconj < CONJ_MAX) {
		a->conj[a->nconj++] = c;
		return;
	}
	for (i = 1; i < a->nconj; i++)
		if (set_score(&a->conj[i]) < set_score(&a->conj[worst]))
			worst = i;
	if (set_score(&c) > set_score(&a->conj[worst])) {
		set_free(&a->conj[worst]);
		a->conj[worst] = c;
	} else
		set_free(&c);
}

static struct info
concat(struct info a, struct info b)
{
	struct info	c;
	char		buf[2 * LITERAL_MAX];
	size_t		i, j;
	int		long_ = 0;

	if (a.exact && b.exact && a.ex.n * b.ex.n <= EXACT_MAX) {
		c = info_exact("", 0);
		set_free(&c.ex);
		for (i = 0; i < a.ex.n && !long_; i++) {
			for (j = 0; j < b.ex.n; j++) {
				if (a.ex.len[i] + b.ex.len[j] > LITERAL_MAX) {
					long_ = 1;
					break;
				}
				memcpy(buf, a.ex.s[i], a.ex.len[i]);
				memcpy(buf + a.ex.len[i], b.ex.s[j], b.ex.len[j]);
				set_add(&c.ex, buf, a.ex.len[i] + b.ex.len[j]);
			}
		}
		if (!long_) {
			info_free(&a);
			info_free(&b);
			return c;
		}
		info_free(&c);
	}
	inexact(&a);
	inexact(&b);
	for (i = 0; i < b.nconj; i++)
		conj_add(&a, b.conj[i]);
	b.nconj = 0;
	info_free(&b);
	return a;
}

/* The best one of a's required sets, or an empty set: nothing. */
static struct set
best_conj(struct info *a)
{
	struct set	s;
	size_t		i, best = 0;

	inexact(a);
	if (a->nconj == 0) {
		memset(&s, 0, sizeof s);
		return s;
	}
	for (i = 1; i < a->nconj; i++)
		if (set_score(&a->conj[i]) > set_score(&a->conj[best]))
			best = i;
	s = a->conj[best];
	memset(&a->conj[best], 0, sizeof a->conj[best]);
	info_free(a);
	return s;
}

static struct info
alternate(struct info a, struct info b)
{
	struct info	c;
	struct set	sa, sb;
	size_t		i;

	if (a.exact && b.exact && a.ex.n + b.ex.n <= EXACT_MAX) {
		for (i = 0; i < b.ex.n; i++)
			set_add(&a.ex, b.ex.s[i], b.ex.len[i]);
		info_free(&b);
		return a;
	}
	sa = best_conj(&a);
	sb = best_conj(&b);
	if (sa.n == 0 || sb.n == 0) {
		set_free(&sa);
		set_free(&sb);
		return info_any();
	}
	for (i = 0; i < sb.n; i++)
		set_add(&sa, sb.s[i], sb.len[i]);
	set_free(&sb);
	c = info_any();
	c.conj[0] = sa;
	c.nconj = 1;
	return c;
}

/* One escaped literal at \, as UTF-8 into buf; 0 if not a literal. */
static size_t
escape(struct parser *ps, uint8_t *buf)
{
	const char	*p = ps->p;
	size_t		 i = ps->i + 1, j;
	unsigned long	 cp;
	char		*end;
	int		 k;

	if (i >= ps->len)
		return 0;
	switch (p[i]) {
	case 'x':
	case 'o':
		if (i + 1 < ps->len && p[i + 1] == '{') {
			cp = strtoul(p + i + 2, &end, p[i] == 'x' ? 16 : 8);
			j = (size_t)(end - p);
			if (j >= ps->len || p[j] != '}')
				return 0;
			ps->i = j + 1;
		} else if (p[i] == 'x') {
			for (cp = 0, j = i + 1; j < ps->len && j < i + 3 &&
			    strchr("0123456789abcdefABCDEF", p[j]) != NULL; j++)
				cp = cp * 16 + (unsigned long)(p[j] <= '9' ?
				    p[j] - '0' : (p[j] | 0x20) - 'a' + 10);
			ps->i = j;
		} else
			return 0;
		break;
	case '0':
		for (cp = 0, j = i + 1; j < ps->len && j < i + 3 &&
		    p[j] >= '0' && p[j] <= '7'; j++)
			cp = cp * 8 + (unsigned long)(p[j] - '0');
		ps->i = j;
		break;
	case 'c':
		if (i + 1 >= ps->len)
			return 0;
		cp = ((unsigned long)(unsigned char)p[i + 1] & ~0x20ul) ^ 0x40;
		ps->i = i + 2;
		break;
	case 'n': cp = '\n'; ps->i = i + 1; break;
	case 't': cp = '\t'; ps->i = i + 1; break;
	case 'r': cp = '\r'; ps->i = i + 1; break;
	case 'f': cp = '\f'; ps->i = i + 1; break;
	case 'e': cp = 0x1b; ps->i = i + 1; break;
	case 'a': cp = 0x07; ps->i = i + 1; break;
	default:
		if ((unsigned char)p[i] >= 0x80 ||
		    ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z') ||
		    (p[i] >= '0' && p[i] <= '9'))
			return 0;	/* an escape widen did not expect */
		cp = (unsigned char)p[i];
		ps->i = i + 1;
		break;
	}
	if (cp == 0 || cp > 0x10ffff ||
	    (k = u8_uctomb(buf, (ucs4_t)cp, 6)) <= 0)
		return 0;
	return (size_t)k;
}

/* An atom: a literal character, '.', a group, \Q...\E. */
static struct info
parse_atom(struct parser *ps)
{
	const char	*p = ps->p;
	struct info	 a, c;
	uint8_t		 buf[8];
	size_t		 n, j;
	ucs4_t		 uc;
	int		 k;

	if (p[ps->i] == '.') {
		ps->i++;
		return info_any();
	}
	if (p[ps->i] == '(') {
		if (ps->i + 1 < ps->len && p[ps->i + 1] == '?' &&
		    ps->i + 2 < ps->len && p[ps->i + 2] != ':') {
			/* (?flags) or (?flags: ... ): i makes it caseless. */
			for (j = ps->i + 2; j < ps->len && p[j] != ')' &&
			    p[j] != ':'; j++)
				if (p[j] == 'i')
					ps->caseless = 1;
			if (j >= ps->len) {
				ps->bad = 1;
				return info_any();
			}
			ps->i = j + 1;
			if (p[j] == ')')
				return info_exact("", 0);
		} else
			ps->i += ps->i + 1 < ps->len && p[ps->i + 1] == '?' ?
			    3 : 1;
		a = parse_alt(ps);
		if (ps->i >= ps->len || p[ps->i] != ')')
			ps->bad = 1;
		else
			ps->i++;
		return a;
	}
	if (p[ps->i] == '\\' && ps->i + 1 < ps->len && p[ps->i + 1] == 'Q') {
		const char *e = memmem(p + ps->i, ps->len - ps->i, "\\E", 2);

		n = e != NULL ? (size_t)(e - p) : ps->len;
		a = info_exact("", 0);
		c = info_exact(p + ps->i + 2, n > ps->i + 2 ? n - ps->i - 2 : 0);
		ps->i = e != NULL ? n + 2 : ps->len;
		if (c.ex.len[0] > LITERAL_MAX) {
			/* A prefix of it is required all the same. */
			info_free(&a);
			c.ex.len[0] = LITERAL_MAX;
			inexact(&c);
			return c;
		}
		return concat(a, c);
	}
	if (p[ps->i] == '\\') {
		if ((n = escape(ps, buf)) == 0) {
			ps->bad = 1;
			return info_any();
		}
		return info_exact((const char *)buf, n);
	}
	if ((k = u8_mbtoucr(&uc, (const uint8_t *)p + ps->i,
	    ps->len - ps->i)) <= 0) {
		ps->bad = 1;
		return info_any();
	}
	a = info_exact(p + ps->i, (size_t)k);
	ps->i += (size_t)k;
	return a;
}

static struct info
parse_repeat(struct parser *ps)
{
	struct info	a = parse_atom(ps);
	char		q;

	while (ps->i < ps->len && !ps->bad &&
	    strchr("*+?", q = ps->p[ps->i]) != NULL) {
		ps->i++;
		if (q == '+')
			inexact(&a);
		else if (q == '?' && a.exact && a.ex.n < EXACT_MAX)
			set_add(&a.ex, "", 0);
		else {
			info_free(&a);
			a = info_any();
		}
	}
	return a;
}

static struct info
parse_concat(struct parser *ps)
{
	struct info	a = info_exact("", 0);

	while (ps->i < ps->len && !ps->bad && ps->p[ps->i] != '|' &&
	    ps->p[ps->i] != ')')
		a = concat(a, parse_repeat(ps));
	return a;
}

static struct info
parse_alt(struct parser *ps)
{
	struct info	a = parse_concat(ps);

	while (ps->i < ps->len && !ps->bad && ps->p[ps->i] == '|') {
		ps->i++;
		a = alternate(a, parse_concat(ps));
	}
	return a;
}

/*
 * The literals every match of pattern (PCRE2 syntax, compiled caseless
 * if caseless) contains, into out: 0, or -1 when the pattern requires
 * none (it may match anything) or is not understood.
 */
int
literals_required(const char *pattern, int caseless, struct literals *out)
{
	struct parser	 ps;
	struct info	 a;
	char		*w;
	size_t		 i;

	memset(out, 0, sizeof *out);
	if ((w = literals_widen(pattern)) == NULL)
		return -1;
	memset(&ps, 0, sizeof ps);
	ps.p = w;
	ps.len = strlen(w);
	ps.caseless = caseless;
	a = parse_alt(&ps);
	free(w);
	inexact(&a);
	if (ps.bad || ps.i != ps.len || a.nconj == 0) {
		info_free(&a);
		return -1;
	}
	for (i = 0; i < a.nconj; i++) {
		out->set[i].s = a.conj[i].s;
		out->set[i].len = a.conj[i].len;
		out->set[i].n = a.conj[i].n;
	}
	out->nset = a.nconj;
	out->caseless = ps.caseless;
	return 0;
}

void
literals_free(struct literals *l)
{
	size_t	i, j;

	for (i = 0; i < l->nset; i++) {
		for (j = 0; j < l->set[i].n; j++)
			free(l->set[i].s[j]);
		free(l->set[i].s);
		free(l->set[i].len);
	}
	memset(l, 0, sizeof *l);
}
