/*
 * A rule's PCRE2 pattern rewritten for the automaton (automaton.c): a
 * Vectorscan pattern in byte mode that matches wherever PCRE2 (UTF, UCP,
 * MATCH_INVALID_UTF, the rule's caseless) matches, and may match more.
 * PCRE2 still decides every rule the automaton reports, so a rewrite may
 * widen but must never narrow: a narrowing would hide a match.
 *
 * Byte mode keeps compiles cheap (UTF-8 mode's Unicode classes cost ten
 * times as much) and makes invalid UTF-8 harmless. What stands for one
 * code point becomes a class of bytes: its ASCII members, found by asking
 * PCRE2 itself (so POSIX classes, properties and caseless ranges are
 * right by construction), plus, where it can match beyond ASCII, the lead
 * bytes of those code points and the continuation bytes, repeated up to
 * the longest encoding. A repeat {n,m} of such a class becomes {n,L*m}
 * bytes, unbounded past HS_REWRITE_BOUND. Caseless letters become the
 * alternation of their case forms (k and s also the Kelvin sign and the
 * long s, which PCRE2 matches for them). Look-arounds, \B, \G and \K
 * go; atomic groups and possessive or lazy repeats become plain ones; a
 * back reference becomes a copy of its group, or anything; \b stays only
 * where an ASCII word character stands next to it (beside a letter beyond
 * ASCII a byte scan sees no word byte). What cannot be rewritten safely
 * (conditionals, (*ACCEPT)) is refused, and its rule takes another path.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unistr.h>

#include "hs_rewrite.h"
#include "hs_rewrite_internal.h"
#include "xmalloc.h"

static void	parse_alt(struct parser *, struct flags, struct item *);

/* A back reference to group n (0: unknown): a copy of it, or anything. */
static void
backref(struct parser *ps, size_t n, struct flags f, struct item *it)
{
	struct group	*g;

	hsr_item_init(it, I_TEXT);
	if (!ps->noref && n >= 1 && n <= ps->ngroups) {
		g = &ps->groups[n - 1];
		if (g->out != NULL && g->clean && g->caseless == f.i) {
			hsr_puts(&it->out, "(?:");
			hsr_puts(&it->out, g->out);
			hsr_puts(&it->out, ")");
			return;
		}
	}
	hsr_puts(&it->out, ANY);
}

static size_t
group_named(const struct parser *ps, const char *name, size_t n)
{
	size_t	i;

	for (i = 0; i < ps->ngroups; i++)
		if (ps->groups[i].name != NULL &&
		    strlen(ps->groups[i].name) == n &&
		    memcmp(ps->groups[i].name, name, n) == 0)
			return i + 1;
	return 0;
}

/* A name up to one of the closing characters; ps->i past the closer. */
static size_t
read_name(struct parser *ps, const char *closers, const char **name)
{
	size_t	s = ps->i;

	while (ps->i < ps->len && strchr(closers, ps->p[ps->i]) == NULL)
		ps->i++;
	*name = ps->p + s;
	if (ps->i < ps->len)
		ps->i++;
	return ps->i - s - 1;
}

/* An escape outside a class, at the backslash. */
static void
parse_escape(struct parser *ps, struct flags f, struct item *it)
{
	size_t		 at = ps->i, n = 0;
	const char	*name;
	long		 cp;
	char		 c;

	ps->i++;
	if (ps->i >= ps->len) {
		ps->why = "a pattern that ends in a backslash";
		hsr_item_init(it, I_NONE);
		return;
	}
	c = ps->p[ps->i];
	switch (c) {
	case 'Q':
		ps->i++;
		ps->quote = 1;
		hsr_item_init(it, I_NONE);
		return;
	case 'E':
		ps->i++;
		hsr_item_init(it, I_NONE);
		return;
	case 'b':
		ps->i++;
		hsr_item_init(it, I_BOUND);
		return;
	case 'B': case 'G': case 'K':
		ps->i++;
		hsr_item_init(it, I_EMPTY);
		return;
	case 'A':
		ps->i++;
		hsr_item_init(it, I_ANCHOR);
		hsr_puts(&it->out, "^");
		return;
	case 'z': case 'Z':
		ps->i++;
		hsr_item_init(it, I_ANCHOR);
		hsr_puts(&it->out, "$");
		return;
	case 'X':
		ps->i++;
		hsr_item_init(it, I_TEXT);
		hsr_puts(&it->out, "[\\x00-\\xff]+");
		return;
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
	case 'h': case 'H': case 'v': case 'V': case 'R': case 'C':
	case 'p': case 'P':
		ps->i++;
		hsr_class_escape(ps, f, c, at, it);
		return;
	case 'N':
		if (ps->i + 1 >= ps->len || ps->p[ps->i + 1] != '{') {
			ps->i++;
			hsr_item_init(it, I_CLASS);
			hsr_bs_range(&it->set, 0, 0xff);
			it->set.w[0] &= ~(1ull << '\n');
			it->L = 4;
			return;
		}
		break;
	case 'g':
		ps->i++;
		if (ps->i < ps->len && (ps->p[ps->i] == '<' ||
		    ps->p[ps->i] == '\'')) {
			(void)read_name(ps, ">'", &name);
			hsr_item_init(it, I_TEXT);
			hsr_puts(&it->out, ANY);	/* a subroutine call */
			return;
		}
		if (ps->i < ps->len && ps->p[ps->i] == '{') {
			ps->i++;
			n = read_name(ps, "}", &name);
			if (n > 0 && (name[0] >= '0' && name[0] <= '9'))
				backref(ps, strtoul(name, NULL, 10), f, it);
			else if (n > 0 && name[0] != '-' && name[0] != '+')
				backref(ps, group_named(ps, name, n), f, it);
			else
				backref(ps, 0, f, it);
			return;
		}
		if (ps->i < ps->len && (ps->p[ps->i] == '-' ||
		    ps->p[ps->i] == '+'))
			ps->i++;
		while (ps->i < ps->len && ps->p[ps->i] >= '0' &&
		    ps->p[ps->i] <= '9')
			ps->i++;
		backref(ps, 0, f, it);
		return;
	case 'k':
		ps->i++;
		if (ps->i < ps->len && strchr("<'{", ps->p[ps->i]) != NULL) {
			ps->i++;
			n = read_name(ps, ">'}", &name);
			backref(ps, group_named(ps, name, n), f, it);
			return;
		}
		break;
	default:
		if (c >= '1' && c <= '9') {
			n = 0;
			while (ps->i < ps->len && ps->p[ps->i] >= '0' &&
			    ps->p[ps->i] <= '9')
				n = n * 10 + (size_t)(ps->p[ps->i++] - '0');
			/* \10 and up may be octal: then "anything" is wide. */
			backref(ps, n < 10 ? n : 0, f, it);
			return;
		}
		break;
	}
	if ((cp = hsr_escaped_char(ps)) < 0) {
		ps->why = "an escape the rewriter does not know";
		hsr_item_init(it, I_NONE);
		return;
	}
	hsr_literal(ps, (uint32_t)cp, f.i, it);
}

/* Skips what extended mode ignores: white space and # comments. */
static void
skip_extended(struct parser *ps, struct flags f)
{
	if (!f.x || ps->quote)
		return;
	while (ps->i < ps->len) {
		char	c = ps->p[ps->i];

		if (c == ' ' || (c >= '\t' && c <= '\r'))
			ps->i++;
		else if (c == '#') {
			while (ps->i < ps->len && ps->p[ps->i] != '\n')
				ps->i++;
		} else
			break;
	}
}

/* Option letters at ps->i, up to ')' or ':', applied to *f. */
static int
parse_options(struct parser *ps, struct flags *f)
{
	int	on = 1;
	char	c;

	if (ps->i < ps->len && ps->p[ps->i] == '^') {
		f->i = f->m = f->n = f->s = f->x = f->xx = 0;
		ps->i++;
	}
	for (; ps->i < ps->len; ps->i++) {
		c = ps->p[ps->i];
		if (c == ')' || c == ':')
			return 0;
		switch (c) {
		case '-': on = 0; break;
		case 'i': f->i = on; break;
		case 'm': f->m = on; break;
		case 's': f->s = on; break;
		case 'n': f->n = on; break;
		case 'x':
			if (on && ps->i + 1 < ps->len && ps->p[ps->i + 1] == 'x') {
				f->xx = 1;
				ps->i++;
			} else if (!on)
				f->xx = 0;
			f->x = on;
			break;
		case 'J': case 'U': break;
		default:
			ps->why = "an option the rewriter does not know";
			return -1;
		}
	}
	return -1;
}

/* The body of a group up to its ')', as an item. */
static void
group_body(struct parser *ps, struct flags f, struct item *it)
{
	struct item	inner;

	if (++ps->depth > DEPTH_MAX) {
		ps->why = "groups nested too deep";
		hsr_item_init(it, I_NONE);
		return;
	}
	parse_alt(ps, f, &inner);
	ps->depth--;
	if (ps->i >= ps->len || ps->p[ps->i] != ')') {
		if (ps->why == NULL)
			ps->why = "an unclosed group";
	} else
		ps->i++;
	hsr_item_init(it, I_TEXT);
	hsr_puts(&it->out, "(?:");
	if (inner.out.p != NULL)
		hsr_puts(&it->out, inner.out.p);
	hsr_puts(&it->out, ")");
	it->fw = inner.fw;
	it->lw = inner.lw;
	hsr_item_free(&inner);
}

/* A capturing group (name or NULL), numbered for back references. */
static void
capture(struct parser *ps, struct flags f, const char *name, size_t nlen,
    struct item *it)
{
	struct group	*g;
	size_t		 n;
	int		 was = ps->changed;

	ps->groups = xreallocarray(ps->groups, ps->ngroups + 1,
	    sizeof *ps->groups);
	n = ps->ngroups++;
	g = &ps->groups[n];
	memset(g, 0, sizeof *g);
	g->caseless = f.i;
	g->name = name != NULL ? xstrndup(name, nlen) : NULL;
	ps->changed = 0;
	group_body(ps, f, it);
	g = &ps->groups[n];
	g->clean = !ps->changed;
	ps->changed |= was;
	/* the body without its "(?:" and ")" */
	if (it->out.len >= 4)
		g->out = xstrndup(it->out.p + 3, it->out.len - 4);
}

static int
name_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(s, name, n) == 0;
}

/* Is the verb or option name n of (*...) a look-around? */
static int
lookaround_name(const char *s, size_t n)
{
	static const char *const names[] = { "pla", "plb", "nla", "nlb",
	    "napla", "naplb", "positive_lookahead", "positive_lookbehind",
	    "negative_lookahead", "negative_lookbehind",
	    "non_atomic_positive_lookahead", "non_atomic_positive_lookbehind",
	    NULL };
	size_t	i;

	for (i = 0; names[i] != NULL; i++)
		if (name_is(s, n, names[i]))
			return 1;
	return 0;
}

/* A group, an option setting or a verb, at its '('. */
static void
parse_group(struct parser *ps, struct flags *f, struct item *it)
{
	const char	*p = ps->p, *name;
	size_t		 n, s;
	struct flags	 g = *f;
	char		 c;

	ps->i++;
	if (ps->i < ps->len && p[ps->i] == '*') {
		s = ++ps->i;
		while (ps->i < ps->len && p[ps->i] != ':' && p[ps->i] != ')')
			ps->i++;
		n = ps->i - s;
		if (name_is(p + s, n, "ACCEPT")) {
			ps->why = "(*ACCEPT)";
			hsr_item_init(it, I_NONE);
			return;
		}
		if (ps->i < ps->len && p[ps->i] == ':' && n > 0 &&
		    p[s] >= 'a' && p[s] <= 'z') {
			ps->i++;
			if (lookaround_name(p + s, n)) {
				group_body(ps, g, it);
				hsr_item_free(it);
				hsr_item_init(it, I_EMPTY);
			} else if (name_is(p + s, n, "atomic") ||
			    name_is(p + s, n, "sr") || name_is(p + s, n, "asr") ||
			    name_is(p + s, n, "script_run") ||
			    name_is(p + s, n, "atomic_script_run"))
				group_body(ps, g, it);
			else {
				ps->why = "an unknown (*name: group";
				hsr_item_init(it, I_NONE);
			}
			return;
		}
		while (ps->i < ps->len && p[ps->i] != ')')
			ps->i++;
		ps->i++;
		hsr_item_init(it, I_NONE);	/* a verb or a start-of-pattern option */
		return;
	}
	if (ps->i >= ps->len || p[ps->i] != '?') {
		if (f->n)
			group_body(ps, g, it);
		else
			capture(ps, g, NULL, 0, it);
		return;
	}
	ps->i++;
	c = ps->i < ps->len ? p[ps->i] : '\0';
	switch (c) {
	case '#':
		while (ps->i < ps->len && p[ps->i] != ')')
			ps->i++;
		ps->i++;
		hsr_item_init(it, I_NONE);
		return;
	case ':':
		ps->i++;
		group_body(ps, g, it);
		return;
	case '|':
		ps->i++;
		ps->noref = 1;
		group_body(ps, g, it);
		return;
	case '>':
		ps->i++;
		group_body(ps, g, it);
		return;
	case '=': case '!': case '*':
		ps->i++;
		group_body(ps, g, it);
		hsr_item_free(it);
		hsr_item_init(it, I_EMPTY);
		return;
	case '(':
		ps->why = "a conditional group";
		hsr_item_init(it, I_NONE);
		return;
	case 'C':
		while (ps->i < ps->len && p[ps->i] != ')')
			ps->i++;
		ps->i++;
		hsr_item_init(it, I_NONE);
		return;
	case '<':
		if (ps->i + 1 < ps->len && strchr("=!*", p[ps->i + 1]) != NULL) {
			ps->i += 2;
			group_body(ps, g, it);
			hsr_item_free(it);
			hsr_item_init(it, I_EMPTY);
			return;
		}
		ps->i++;
		n = read_name(ps, ">", &name);
		capture(ps, g, name, n, it);
		return;
	case '\'':
		ps->i++;
		n = read_name(ps, "'", &name);
		capture(ps, g, name, n, it);
		return;
	case 'P':
		ps->i++;
		c = ps->i < ps->len ? p[ps->i] : '\0';
		ps->i++;
		if (c == '<') {
			n = read_name(ps, ">", &name);
			capture(ps, g, name, n, it);
		} else if (c == '=') {
			n = read_name(ps, ")", &name);
			backref(ps, group_named(ps, name, n), *f, it);
		} else {
			(void)read_name(ps, ")", &name);
			hsr_item_init(it, I_TEXT);
			hsr_puts(&it->out, ANY);
		}
		return;
	case 'R': case '&': case '+': case '0': case '1': case '2': case '3':
	case '4': case '5': case '6': case '7': case '8': case '9':
		(void)read_name(ps, ")", &name);
		hsr_item_init(it, I_TEXT);
		hsr_puts(&it->out, ANY);	/* recursion, a subroutine call */
		return;
	case '-':
		if (ps->i + 1 < ps->len && p[ps->i + 1] >= '0' &&
		    p[ps->i + 1] <= '9') {
			(void)read_name(ps, ")", &name);
			hsr_item_init(it, I_TEXT);
			hsr_puts(&it->out, ANY);
			return;
		}
		break;
	default:
		break;
	}
	if (parse_options(ps, &g) != 0) {
		hsr_item_init(it, I_NONE);
		return;
	}
	ps->changed = 1;
	if (p[ps->i] == ')') {
		ps->i++;
		*f = g;		/* (?i): the rest of the enclosing group */
		hsr_item_init(it, I_NONE);
		return;
	}
	ps->i++;
	group_body(ps, g, it);
}

/* A quantifier at ps->i, if there is one: *lo, *hi (-1 unbounded). */
static int
parse_quantifier(struct parser *ps, long *lo, long *hi)
{
	const char	*p = ps->p;
	size_t		 j;
	char		*e;

	if (ps->quote && ps->i + 1 < ps->len && p[ps->i] == '\\' &&
	    p[ps->i + 1] == 'E') {
		ps->i += 2;	/* \Qab\E+ repeats the b */
		ps->quote = 0;
	}
	if (ps->i >= ps->len || ps->quote)
		return 0;
	switch (p[ps->i]) {
	case '*': *lo = 0; *hi = -1; ps->i++; break;
	case '+': *lo = 1; *hi = -1; ps->i++; break;
	case '?': *lo = 0; *hi = 1; ps->i++; break;
	case '{':
		j = ps->i + 1;
		if (j >= ps->len || p[j] < '0' || p[j] > '9')
			return 0;
		*lo = strtol(p + j, &e, 10);
		j = (size_t)(e - p);
		*hi = *lo;
		if (j < ps->len && p[j] == ',') {
			j++;
			*hi = -1;
			if (j < ps->len && p[j] >= '0' && p[j] <= '9') {
				*hi = strtol(p + j, &e, 10);
				j = (size_t)(e - p);
			}
		}
		if (j >= ps->len || p[j] != '}')
			return 0;
		ps->i = j + 1;
		break;
	default:
		return 0;
	}
	if (ps->i < ps->len && (p[ps->i] == '+' || p[ps->i] == '?'))
		ps->i++;	/* possessive or lazy: a plain repeat */
	return 1;
}

/* One item and its quantifier, if any. */
static void
parse_item(struct parser *ps, struct flags *f, struct item *it)
{
	long	lo, hi;
	char	c = ps->p[ps->i];

	if (ps->quote) {
		hsr_literal(ps, hsr_next_cp(ps), f->i, it);
	} else if (c == '(')
		parse_group(ps, f, it);
	else if (c == '[')
		hsr_parse_class(ps, *f, it);
	else if (c == '\\')
		parse_escape(ps, *f, it);
	else if (c == '.') {
		ps->i++;
		hsr_item_init(it, I_CLASS);
		hsr_bs_range(&it->set, 0, 0xff);
		if (!f->s)
			it->set.w[0] &= ~(1ull << '\n');
		it->L = 4;
	} else if (c == '^' || c == '$') {
		ps->i++;
		hsr_item_init(it, f->m ? I_EMPTY : I_ANCHOR);
		if (!f->m)
			hsr_put(&it->out, &c, 1);
	} else
		hsr_literal(ps, hsr_next_cp(ps), f->i, it);
	if (it->kind == I_NONE)
		return;
	skip_extended(ps, *f);
	if (!parse_quantifier(ps, &lo, &hi)) {
		if (it->kind == I_CLASS)
			hsr_class_to_text(it, 1, 1);
		return;
	}
	if (it->kind == I_CLASS)
		hsr_class_to_text(it, lo, hi);
	else if (it->kind == I_TEXT) {
		struct buf	b = { NULL, 0, 0 };

		long	bound = it->out.len <= TEXT_SHORT ? TEXT_BOUND_SHORT :
			    TEXT_BOUND;

		if (hi < 0 || hi > bound)
			hi = -1;
		if (lo > bound)
			lo = bound;
		hsr_puts(&b, "(?:");
		hsr_puts(&b, it->out.p);
		hsr_puts(&b, ")");
		hsr_put_repeat(&b, lo, hi);
		free(it->out.p);
		it->out = b;
		it->fw = it->fw && lo >= 1;
		it->lw = it->lw && lo >= 1;
	}
	/* A repeated assertion matches what it matched once: ignored. */
}

/* Does a match of items[k] consume something (not an assertion)? */
static int
consumes(const struct item *it)
{
	return it->kind == I_TEXT;
}

/*
 * A branch: items up to '|' or ')' or the end, joined; \b kept only
 * beside an item that surely begins or ends with an ASCII word byte.
 */
static void
parse_seq(struct parser *ps, struct flags *f, struct item *out)
{
	struct item	*items = NULL;
	size_t		 n = 0, k, j;
	int		 keep;

	hsr_item_init(out, I_TEXT);
	hsr_puts(&out->out, "");
	for (;;) {
		if (ps->quote && ps->i + 1 < ps->len && ps->p[ps->i] == '\\' &&
		    ps->p[ps->i + 1] == 'E') {
			ps->i += 2;
			ps->quote = 0;
			continue;
		}
		skip_extended(ps, *f);
		if (ps->why != NULL || ps->i >= ps->len || (!ps->quote &&
		    (ps->p[ps->i] == '|' || ps->p[ps->i] == ')')))
			break;
		items = xreallocarray(items, n + 1, sizeof *items);
		parse_item(ps, f, &items[n]);
		if (items[n].kind == I_NONE)
			hsr_item_free(&items[n]);
		else
			n++;
		if (out->out.len > OUT_MAX)
			ps->why = "a rewrite too long";
	}
	for (k = 0; k < n; k++) {
		if (items[k].kind == I_BOUND) {
			keep = 0;
			for (j = k; j-- > 0;)
				if (consumes(&items[j])) {
					keep = items[j].lw;
					break;
				}
			for (j = k + 1; !keep && j < n; j++)
				if (consumes(&items[j])) {
					keep = items[j].fw;
					break;
				}
			if (keep)
				hsr_puts(&out->out, "\\b");
		} else if (items[k].kind == I_ANCHOR) {
			/* Vectorscan takes ^ and $ only at the ends. */
			if (ps->depth == 0 && ((items[k].out.p[0] == '^' &&
			    k == 0) || (items[k].out.p[0] == '$' && k == n - 1)))
				hsr_puts(&out->out, items[k].out.p);
		} else if (items[k].out.p != NULL && items[k].kind != I_EMPTY)
			hsr_puts(&out->out, items[k].out.p);
	}
	out->fw = out->lw = 0;
	for (k = 0; k < n && !consumes(&items[k]); k++)
		;
	if (k < n)
		out->fw = items[k].fw;
	for (k = n; k > 0 && !consumes(&items[k - 1]); k--)
		;
	if (k > 0)
		out->lw = items[k - 1].lw;
	for (k = 0; k < n; k++)
		hsr_item_free(&items[k]);
	free(items);
	if (out->out.len > OUT_MAX)
		ps->why = "a rewrite too long";
}

/* Branches up to ')' or the end; the options carry across them. */
static void
parse_alt(struct parser *ps, struct flags f, struct item *out)
{
	struct item	branch;
	int		first = 1;

	hsr_item_init(out, I_TEXT);
	hsr_puts(&out->out, "");
	out->fw = out->lw = 1;
	for (;;) {
		parse_seq(ps, &f, &branch);
		if (!first)
			hsr_puts(&out->out, "|");
		hsr_puts(&out->out, branch.out.p);
		out->fw &= branch.fw;
		out->lw &= branch.lw;
		hsr_item_free(&branch);
		first = 0;
		if (ps->why != NULL || ps->i >= ps->len || ps->p[ps->i] != '|')
			break;
		ps->i++;
	}
}

/*
 * The byte-mode Vectorscan pattern for PCRE2 pattern pat (len bytes),
 * caseless as its rule is: allocated, or NULL with *why saying why it
 * cannot be rewritten.
 */
char *
hs_rewrite(struct hs_rewriter *rw, const char *pat, size_t len, int caseless,
    const char **why)
{
	struct parser	ps;
	struct flags	f;
	struct item	top;
	size_t		k;

	memset(&ps, 0, sizeof ps);
	memset(&f, 0, sizeof f);
	ps.rw = rw;
	ps.p = pat;
	ps.len = len;
	f.i = caseless;
	parse_alt(&ps, f, &top);
	if (ps.why == NULL && ps.i < len)
		ps.why = "an unmatched ')'";
	for (k = 0; k < ps.ngroups; k++) {
		free(ps.groups[k].out);
		free(ps.groups[k].name);
	}
	free(ps.groups);
	if (ps.why != NULL) {
		*why = ps.why;
		hsr_item_free(&top);
		return NULL;
	}
	*why = NULL;
	return top.out.p;
}
