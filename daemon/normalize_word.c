/*
 * The word stages of a normalised view: confusables, leet, repeats and
 * spacing. They look at a character's neighbours, so they run on the
 * characters the character stages made (normalize.c), in that order.
 *
 * Where a stage must guess, it guesses against a match: a word is a run
 * of letters, marks, digits and leet symbols; other scripts' look-alikes
 * of Latin letters fold only in a word that has Latin letters too
 * (Russian or Greek stays as it is), Latin's own (the script g, the
 * dotless i) wherever they are; for a rule written in Cyrillic or Greek
 * (NORM_TO_CYRILLIC, NORM_TO_GREEK) the other way round, Latin
 * look-alikes in a word that has that script's letters. Leet folds only
 * in a word with letters, by the map of the word's script, and not
 * where a reader sees a number (see fold_leet); spacing needs three
 * words of one letter, and splits the joined run at the words the rules
 * look for (lexicon.c).
 */

#include <stdlib.h>
#include <string.h>

#include <unictype.h>

#include "confusables.h"
#include "lexicon.h"
#include "normalize.h"
#include "normalize_internal.h"

#define WORD	(NORM_C_LETTER | NORM_C_MARK | NORM_C_DIGIT | NORM_C_LEET)
#define SPLIT_MAX	64	/* letters of a spaced-out run to split */
#define SPLIT_WORD	24	/* letters of one word in it */

/* The leet maps: documented in rules/README.md. */
static const char leet_from[] = "01345789@$!|";
static const char leet_to[] = "oieastbgasil";
static const char cyr_leet_from[] = "03@46";
static const uint32_t cyr_leet_to[] = { 0x043e, 0x0437, 0x0430, 0x0447,
    0x0431 };	/* о з а ч б */

static int	cmp_confusable(const void *, const void *);
static char	leet_letter(uint32_t);
static uint32_t	leet_in(uint32_t, int);
static int	word_scripts(const struct norm_units *, size_t, size_t);
static void	become_letter(struct norm_units *, size_t, uint32_t);
static int	number_goes_on(const struct norm_units *, size_t);
static int	fold_leet(struct norm_units *, size_t, size_t, size_t, size_t,
		    int);
static int	fold_words(struct norm_units *, unsigned);
static void	fold_repeats(struct norm_units *);
static int	joins_word(const struct norm_units *, size_t);
static void	move(struct norm_units *, size_t, size_t);
static int	separates(const struct norm_units *, size_t);
static size_t	word_end(const struct norm_units *, size_t);
static int	split_run(const uint32_t *, size_t, const struct lexicon *,
		    uint8_t *);
static void	join_spaced(struct norm_units *, const struct lexicon *);

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

/* What leet character cp stands for in a word of scripts: 0 for none. */
static uint32_t
leet_in(uint32_t cp, int scripts)
{
	const char	*p;

	if (cp == 0 || cp >= 0x80)
		return 0;
	if (scripts == NORM_SCRIPT_CYRILLIC)
		return (p = strchr(cyr_leet_from, (int)cp)) != NULL ?
		    cyr_leet_to[p - cyr_leet_from] : 0;
	return (uint32_t)(unsigned char)leet_letter(cp);
}

/* The class of a character: see normalize_internal.h. */
uint8_t
norm_classify(uint32_t cp)
{
	uint8_t	cls = 0;

	if (cp < 0x80 && (leet_letter(cp) != 0 ||
	    strchr(cyr_leet_from, (int)cp) != NULL) && cp != 0)
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

/* The scripts (NORM_SCRIPT_*) of the letters from fl to ll. */
static int
word_scripts(const struct norm_units *nu, size_t fl, size_t ll)
{
	int	scripts = 0;
	size_t	j;

	for (j = fl; j <= ll; j++)
		scripts |= norm_script_of(nu->cp[j], nu->cls[j]);
	return scripts;
}

/* The leet character at j reads as letter to. */
static void
become_letter(struct norm_units *nu, size_t j, uint32_t to)
{
	nu->cp[j] = to;
	nu->cls[j] = NORM_C_LETTER | (to < 0x80 ? NORM_C_LATIN : 0);
}

/* Does a number go on after the word ending at we ("v1.2", "3.5")? */
static int
number_goes_on(const struct norm_units *nu, size_t we)
{
	return we + 1 < nu->n && (nu->cp[we] == '.' || nu->cp[we] == ',' ||
	    nu->cp[we] == ':') && (nu->cls[we + 1] & NORM_C_DIGIT);
}

/*
 * Leet in the word [ws, we) whose letters run from fl to ll, by the map
 * of its scripts; returns whether anything folded. Wherever a reader
 * sees letters, a leet character folds, first and last included:
 * - between letters, always ("k1ll", "v1@gra");
 * - before them, one character that is not @ (a mention), ! or |, and
 *   only before three or more characters ("1diot", "5lu7", "$hit"; not
 *   "4th", "5pm", "10am", "$5bn", "4x4");
 * - after them, a run of leet characters once the word reads as three
 *   or more letters ("wh0r3", "idi07", "c1al15", "5lu7"), unless a
 *   number goes on ("ios17.2"); a word of one or two letters keeps its
 *   digits ("A55", "G7", "mp3", "ps5": model names), a trailing ! is
 *   punctuation, and of @ and $ alone after letters ("viagr@", "a$$")
 *   a single $ after at most three letters is a currency ("US$", "HK$").
 */
static int
fold_leet(struct norm_units *nu, size_t ws, size_t we, size_t fl, size_t ll,
    int scripts)
{
	uint32_t	*cp = nu->cp, to;
	uint8_t		*cls = nu->cls;
	size_t		 j, reads, letters = 0;
	int		 folded = 0, signs = 1, all = 1;

	for (j = ws; j < we; j++)
		letters += (cls[j] & NORM_C_LETTER) != 0;
	for (j = fl + 1; j < ll; j++) {
		if ((cls[j] & NORM_C_LEET) && (to = leet_in(cp[j], scripts))) {
			become_letter(nu, j, to);
			folded = 1;
		}
	}
	reads = ll + 1 - fl;
	if (fl - ws == 1 && we - fl >= 3 && (cls[ws] & NORM_C_LEET) &&
	    cp[ws] != '@' && cp[ws] != '!' && cp[ws] != '|' &&
	    (to = leet_in(cp[ws], scripts)) != 0) {
		become_letter(nu, ws, to);
		folded = 1;
		reads++;
	}
	/* A trailing ! or | is punctuation ("kill!"), not part of the run. */
	while (we > ll + 1 && (cp[we - 1] == '!' || cp[we - 1] == '|'))
		we--;
	if (ll + 1 == we)
		return folded;
	for (j = ll + 1; j < we; j++) {
		if (!(cls[j] & NORM_C_LEET) || cp[j] == '!' || cp[j] == '|' ||
		    leet_in(cp[j], scripts) == 0)
			all = 0;
		if (cp[j] != '@' && cp[j] != '$')
			signs = 0;
	}
	if (!all)
		return folded;
	if (signs) {
		if (we - ll == 2 && cp[ll + 1] == '$' && letters <= 3 &&
		    !folded && reads == letters)
			return folded;		/* a currency: US$ */
	} else if (reads < 3 || number_goes_on(nu, we))
		return folded;	/* a model name, a number: mp3, A55, ios17.2 */
	for (j = ll + 1; j < we; j++)
		become_letter(nu, j, leet_in(cp[j], scripts));
	return 1;
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
	int		 todo = 0, chain = 0, gap_ok, folded, scripts, other;

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
		other = 0;	/* a letter of another script than Latin */
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
			other |= !(c & NORM_C_LATIN);
			if (letters++ == 0)
				fl = we;
			ll = we;
			run = run > 0 && cp[we] == cp[we - 1] ? run + 1 : 1;
			if (run == 3)
				todo |= mask & NORM_REPEATS;
		}
		folded = 0;
		scripts = letters == 0 ? 0 : other ? word_scripts(nu, fl, ll) :
		    NORM_SCRIPT_LATIN;
		if ((mask & NORM_CONFUSABLES) && (mask & (NORM_TO_CYRILLIC |
		    NORM_TO_GREEK))) {
			/* Toward the rule's script, in a word that has it. */
			if ((scripts & NORM_SCRIPT_LATIN) && (scripts &
			    ((mask & NORM_TO_CYRILLIC) ? NORM_SCRIPT_CYRILLIC :
			    NORM_SCRIPT_GREEK))) {
				for (j = ws; j < we; j++) {
					if (!(cls[j] & NORM_C_LATIN) ||
					    norm_native(cp[j], mask) == 0)
						continue;
					cp[j] = norm_native(cp[j], mask);
					cls[j] = NORM_C_LETTER;
					folded = 1;
				}
				nu->ascii = 0;
				scripts = word_scripts(nu, fl, ll);
			}
		} else if ((mask & NORM_CONFUSABLES) && (flags & NORM_C_LATIN) &&
		    (flags & NORM_C_LOOKALIKE)) {
			for (j = ws; j < we; j++) {
				if (!(cls[j] & NORM_C_LOOKALIKE))
					continue;
				cp[j] = (uint32_t)lookalike(cp[j]);
				cls[j] = NORM_C_LETTER | NORM_C_LATIN;
				folded = 1;
			}
			scripts = word_scripts(nu, fl, ll);
		}
		if ((mask & NORM_LEET) && (flags & NORM_C_LEET) && letters > 0 &&
		    fold_leet(nu, ws, we, fl, ll, scripts))
			folded = 1;
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
 * Where the run of k letters (one a word, from a spaced-out run) splits
 * into words of lx: cut[t] set after letter t ends a word. 0 if it does
 * not split into two or more: it then stays one word. Fewest words win;
 * a word of one letter only if lx has it ("a", "я"), so "a s s e s s m e
 * n t" stays "assessment" while "f u c k y o u" is "fuck you".
 */
static int
split_run(const uint32_t *letters, size_t k, const struct lexicon *lx,
    uint8_t *cut)
{
	uint8_t		best[SPLIT_MAX + 1];
	uint8_t		from[SPLIT_MAX + 1];
	size_t		i, j;

	if (lx == NULL || k > SPLIT_MAX)
		return 0;
	best[0] = 0;
	for (i = 1; i <= k; i++) {
		best[i] = UINT8_MAX;
		for (j = i > SPLIT_WORD ? i - SPLIT_WORD : 0; j < i; j++)
			if (best[j] != UINT8_MAX && best[j] + 1 < best[i] &&
			    lexicon_has(lx, letters + j, i - j)) {
				best[i] = (uint8_t)(best[j] + 1);
				from[i] = (uint8_t)j;
			}
	}
	if (best[k] == UINT8_MAX || best[k] < 2)
		return 0;
	memset(cut, 0, k);
	for (i = k; i > 0; i = from[i])
		if (from[i] > 0)
			cut[from[i] - 1] = 1;
	return 1;
}

/*
 * Three or more words of one letter, apart only by spaces and
 * punctuation ("f u c k", "f.u.c.k"), lose what is between them, but
 * for one separator where the run splits into words (split_run). In
 * place: what is kept never moves forward.
 */
static void
join_spaced(struct norm_units *nu, const struct lexicon *lx)
{
	uint32_t	 letters[SPLIT_MAX];
	uint8_t		 cut[SPLIT_MAX];
	size_t		 i = 0, j, we, sep, last, count, n = 0, t;
	int		 split, kept;

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
		letters[0] = nu->cp[i];
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
			if (count < SPLIT_MAX)
				letters[count] = nu->cp[sep];
			count++;
			last = we;
		}
		split = count >= 3 && split_run(letters, count, lx, cut);
		for (j = i, t = 0, kept = 0; j < last; j++) {
			if (count < 3 || !separates(nu, j)) {
				if (j > i && (nu->cls[j] & NORM_C_LETTER) &&
				    !(nu->cls[j] & NORM_C_MARK))
					t++, kept = 0;
				move(nu, n++, j);
			} else if (split && cut[t] && !kept) {
				move(nu, n, j);
				nu->cp[n] = ' ';
				nu->cls[n++] = NORM_C_SPACE;
				kept = 1;
			}
		}
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

/* The word stages of mask, in their order; lx: spacing's words. */
void
norm_words(struct norm_units *nu, unsigned mask, const struct lexicon *lx)
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
		join_spaced(nu, lx);
}
