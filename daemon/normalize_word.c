/*
 * The word stages of a normalised view: confusables, leet, repeats and
 * spacing. They look at a character's neighbours, so they run on the
 * characters the character stages made (normalize.c), in that order.
 *
 * Where a stage must guess, it guesses against a match: a word is a run
 * of letters, marks, digits and leet symbols; other scripts' look-alikes
 * of Latin letters fold only in a word that has Latin letters too
 * (Russian or Greek stays as it is), Latin's own (the script g, the
 * dotless i) wherever they are; leet folds only in a word with letters
 * and only where a reader would see letters (see leet_folds); spacing
 * needs three words of one letter.
 */

#include <stdlib.h>
#include <string.h>

#include <unictype.h>

#include "confusables.h"
#include "normalize.h"
#include "normalize_internal.h"

#define WORD	(NORM_C_LETTER | NORM_C_MARK | NORM_C_DIGIT | NORM_C_LEET)

/* The leet map: documented in rules/README.md. */
static const char leet_from[] = "01345789@$!|";
static const char leet_to[] = "oieastbgasil";

static int	cmp_confusable(const void *, const void *);
static char	leet_letter(uint32_t);
static int	leet_folds(const struct norm_units *, size_t, size_t, size_t,
		    size_t, size_t);
static int	fold_words(struct norm_units *, unsigned);
static void	fold_repeats(struct norm_units *);
static int	joins_word(const struct norm_units *, size_t);
static void	move(struct norm_units *, size_t, size_t);
static int	separates(const struct norm_units *, size_t);
static size_t	word_end(const struct norm_units *, size_t);
static void	join_spaced(struct norm_units *);

static int
cmp_confusable(const void *key, const void *elem)
{
	uint32_t	cp = *(const uint32_t *)key;
	uint32_t	e = ((const struct confusable *)elem)->cp;

	return cp < e ? -1 : cp > e;
}

/* The Latin letter cp looks like, or 0. */
static char
lookalike(uint32_t cp)
{
	const struct confusable	*c;

	c = bsearch(&cp, confusables_table, confusables_count,
	    sizeof *confusables_table, cmp_confusable);
	return c != NULL ? c->latin : 0;
}

static char
leet_letter(uint32_t cp)
{
	const char	*p;

	if (cp == 0 || cp >= 0x80 || (p = strchr(leet_from, (int)cp)) == NULL)
		return 0;
	return leet_to[p - leet_from];
}

/* The class of a character: see normalize_internal.h. */
uint8_t
norm_classify(uint32_t cp)
{
	uint8_t	cls = 0;

	if (cp < 0x80 && leet_letter(cp) != 0)
		cls |= NORM_C_LEET;
	if (uc_is_general_category(cp, UC_CATEGORY_L)) {
		cls |= NORM_C_LETTER;
		if (uc_script(cp) == uc_script('a'))
			cls |= NORM_C_LATIN;
		if (cp >= 0x80 && lookalike(cp) != 0)
			cls |= NORM_C_LOOKALIKE;
	} else if (uc_is_general_category(cp, UC_CATEGORY_M))
		cls |= NORM_C_MARK;
	else if (uc_is_general_category(cp, UC_CATEGORY_N))
		cls |= NORM_C_DIGIT;
	else if (uc_is_general_category(cp, UC_CATEGORY_Z) || cp == '\t' ||
	    cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0x85)
		cls |= NORM_C_SPACE;
	else if (uc_is_general_category(cp, UC_CATEGORY_P))
		cls |= NORM_C_PUNCT;
	return cls;
}

/*
 * Does the leet character at j fold, in the word [ws, we) whose letters
 * run from fl to ll? Inside the letters, always ("k1ll", "v1@gra").
 * After them, only @ and $ ("viagr@", "a$$"): trailing digits are model
 * names and numbers ("A55", "mp3", "covid19"), a trailing ! is
 * punctuation. Before them, one character that is not @ (a mention), !
 * or |, and only before three or more characters ("1diot", "5h1t", "$hit"
 * but not "4th", "5pm", "10am", "$5bn").
 */
static int
leet_folds(const struct norm_units *nu, size_t ws, size_t we, size_t fl,
    size_t ll, size_t j)
{
	uint32_t	cp = nu->cp[j];

	if (j > fl && j < ll)
		return 1;
	if (j > ll)
		return cp == '@' || cp == '$';
	return fl - ws == 1 && we - fl >= 3 && cp != '@' && cp != '!' &&
	    cp != '|';
}

/* A word's end: it runs over letters, marks, digits, leet symbols and
 * apostrophes between letters ("I'm", "don’t"). */
static size_t
word_end(const struct norm_units *nu, size_t i)
{
	while (i < nu->n && ((nu->cls[i] & WORD) || joins_word(nu, i)))
		i++;
	return i;
}

/* Is the apostrophe at i inside a word? */
static int
joins_word(const struct norm_units *nu, size_t i)
{
	return (nu->cp[i] == '\'' || nu->cp[i] == 0x2019) && i > 0 &&
	    i + 1 < nu->n && (nu->cls[i - 1] & NORM_C_LETTER) &&
	    (nu->cls[i + 1] & NORM_C_LETTER);
}

/* Character from takes the place of character to (to <= from). */
static void
move(struct norm_units *nu, size_t to, size_t from)
{
	nu->cp[to] = nu->cp[from];
	nu->cls[to] = nu->cls[from];
	nu->start[to] = nu->start[from];
	nu->end[to] = nu->end[from];
}

static int
separates(const struct norm_units *nu, size_t i)
{
	return (nu->cls[i] & (NORM_C_SPACE | NORM_C_PUNCT)) &&
	    !(nu->cls[i] & NORM_C_LEET);
}

/*
 * Confusables and leet, word by word, in one pass that also notes what
 * the later stages will have to do: returns NORM_REPEATS if a letter is
 * there three times in a row, NORM_SPACING if three words of one letter
 * follow each other apart only by separators.
 */
static int
fold_words(struct norm_units *nu, unsigned mask)
{
	uint32_t	*cp = nu->cp;
	uint8_t		*cls = nu->cls, c, flags;
	size_t		 n = nu->n, ws, we, j, fl = 0, ll = 0, letters;
	size_t		 run, prev_end = 0;
	int		 todo = 0, chain = 0, gap_ok, folded;

	for (ws = 0; ws < n; ws = we) {
		gap_ok = 1;
		while (ws < n && !(cls[ws] & WORD) && !((cls[ws] &
		    NORM_C_PUNCT) && joins_word(nu, ws)))
			gap_ok &= separates(nu, ws), ws++;
		if (ws == n)
			break;
		/* The word: where it ends, its letters, a letter thrice. */
		letters = run = 0;
		flags = 0;
		for (we = ws; we < n; we++) {
			c = cls[we];
			if (!(c & WORD) && !((c & NORM_C_PUNCT) &&
			    joins_word(nu, we)))
				break;
			flags |= c;
			if (!(c & NORM_C_LETTER)) {
				run = 0;
				continue;
			}
			if (letters++ == 0)
				fl = we;
			ll = we;
			run = run > 0 && cp[we] == cp[we - 1] ? run + 1 : 1;
			if (run == 3)
				todo |= mask & NORM_REPEATS;
		}
		folded = 0;
		if ((mask & NORM_CONFUSABLES) && (flags & NORM_C_LATIN) &&
		    (flags & NORM_C_LOOKALIKE)) {
			for (j = ws; j < we; j++) {
				if (!(cls[j] & NORM_C_LOOKALIKE))
					continue;
				cp[j] = (uint32_t)lookalike(cp[j]);
				cls[j] = NORM_C_LETTER | NORM_C_LATIN;
				folded = 1;
			}
		}
		if ((mask & NORM_LEET) && (flags & NORM_C_LEET) && letters > 0) {
			for (j = ws; j < we; j++) {
				if (!(cls[j] & NORM_C_LEET) ||
				    !leet_folds(nu, ws, we, fl, ll, j))
					continue;
				cp[j] = (uint32_t)leet_letter(cp[j]);
				cls[j] = NORM_C_LETTER | NORM_C_LATIN;
				folded = 1;
			}
		}
		/* Folding can make a letter thrice ("b000bs"): look again. */
		if (folded && (mask & NORM_REPEATS))
			for (j = ws; j + 2 < we; j++)
				if (cp[j] == cp[j + 1] && cp[j] == cp[j + 2] &&
				    (cls[j] & NORM_C_LETTER))
					todo |= NORM_REPEATS;
		if (mask & NORM_SPACING) {
			/* One letter and its marks? */
			for (j = ws + 1; j < we && (cls[j] & NORM_C_MARK); j++)
				;
			if ((cls[ws] & NORM_C_LETTER) && j == we)
				chain = chain > 0 && gap_ok && ws > prev_end ?
				    chain + 1 : 1;
			else
				chain = 0;
			if (chain >= 3)
				todo |= NORM_SPACING;
		}
		prev_end = we;
	}
	return todo;
}

/* A letter three or more times in a row becomes one, spanning them all. */
static void
fold_repeats(struct norm_units *nu)
{
	size_t			 i, j, n = 0;

	for (i = 0; i < nu->n; i = j) {
		for (j = i + 1; j < nu->n && nu->cp[j] == nu->cp[i] &&
		    (nu->cls[i] & NORM_C_LETTER); j++)
			;
		if (j - i >= 3) {
			move(nu, n, i);
			nu->end[n++] = nu->end[j - 1];
		} else {
			while (i < j)
				move(nu, n++, i++);
		}
	}
	nu->n = n;
}

/*
 * Three or more words of one letter, apart only by spaces and
 * punctuation ("f u c k", "f.u.c.k"), lose what is between them. In
 * place: what is kept never moves forward.
 */
static void
join_spaced(struct norm_units *nu)
{
	size_t			 i = 0, j, we, sep, last, count, n = 0;

	while (i < nu->n) {
		if (!(nu->cls[i] & WORD) && !joins_word(nu, i)) {
			move(nu, n++, i++);
			continue;
		}
		we = word_end(nu, i);
		for (j = i + 1; j < we && (nu->cls[j] & NORM_C_MARK); j++)
			;
		if (!(nu->cls[i] & NORM_C_LETTER) || j != we) {
			while (i < we)
				move(nu, n++, i++);
			continue;
		}
		/* How many words of one letter follow, apart by separators? */
		count = 1;
		last = we;
		for (;;) {
			for (sep = last; sep < nu->n && separates(nu, sep) &&
			    !joins_word(nu, sep); sep++)
				;
			if (sep == last || sep == nu->n ||
			    !(nu->cls[sep] & NORM_C_LETTER))
				break;
			we = word_end(nu, sep);
			for (j = sep + 1; j < we && (nu->cls[j] & NORM_C_MARK); j++)
				;
			if (j != we)
				break;
			count++;
			last = we;
		}
		for (j = i; j < last; j++)
			if (count < 3 || !separates(nu, j))
				move(nu, n++, j);
		i = last;
	}
	nu->n = n;
}

/* Every run of white space becomes one space, spanning the run. */
static void
collapse_spaces(struct norm_units *nu)
{
	size_t	i, j, n = 0;

	for (i = 0; i < nu->n; i = j) {
		j = i + 1;
		if (!(nu->cls[i] & NORM_C_SPACE)) {
			move(nu, n++, i);
			continue;
		}
		while (j < nu->n && (nu->cls[j] & NORM_C_SPACE))
			j++;
		move(nu, n, i);
		nu->cp[n] = ' ';
		nu->end[n++] = nu->end[j - 1];
	}
	nu->n = n;
}

/* The word stages of mask, in their order. */
void
norm_words(struct norm_units *nu, unsigned mask)
{
	int	todo;

	if (mask & NORM_SPACES)
		collapse_spaces(nu);
	if (!(mask & (NORM_CONFUSABLES | NORM_LEET | NORM_REPEATS |
	    NORM_SPACING)))
		return;
	todo = fold_words(nu, mask);
	if (todo & NORM_REPEATS) {
		fold_repeats(nu);
		/* A run folded to one letter may make a word of one. */
		if (mask & NORM_SPACING)
			todo |= NORM_SPACING;
	}
	if (todo & NORM_SPACING)
		join_spaced(nu);
}
