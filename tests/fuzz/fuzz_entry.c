/*
 * libFuzzer target: a stream entry as Redis would hand it over, decoded
 * into a comment, decided as a batch of one (keyed for rate limits, with
 * normalised rules), encoded as the decide script's arguments and logged
 * as JSON; and every normalised view of its text built, with the offset
 * map's invariants checked. The input is split at NUL bytes: the stream
 * id, then field, value, ...
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "decide_proto.h"
#include "diag.h"
#include "log.h"
#include "matcher.h"
#include "modlog.h"
#include "normalize.h"
#include "rules_load.h"
#include "../viewcheck.h"

#define MAX_PARTS	512

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char rules_yaml[] =
    "- name: trusted\n  when: { author: '^staff-', karma: '>= 10' }\n"
    "  action: approve\n  final: true\n"
    "- name: spam\n  words: [viagra, 'f*ck', дурак]\n  action: reject\n"
    "- name: links\n  match: '\\bhttps?://\\S+'\n"
    "  except: ['example\\.org']\n  action: flag\n"
    "- name: flood\n  rate_limit: { key: [author, thread], max: 2, per: 1m }\n"
    "  action: flag\n"
    "- name: copies\n  rate_limit: { key: text, max: 3, per: 10m }\n"
    "  action: flag\n"
    "- name: evasions\n  words: [viagra, 'kill yourself', fuck]\n"
    "  normalize: true\n  action: reject\n"
    "- name: lookalikes\n  match: '\\bv\\w+a\\b'\n"
    "  normalize: [confusables, leet]\n  except: [via]\n  action: flag\n"
    "- name: cyrillic\n  words: [сука, хохлы, 'убью тебя']\n"
    "  normalize: true\n  action: flag\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ruleset	*rs;
	static struct matcher	*m;
	static struct decide_argv argv;
	static struct normalizer *nz;
	static struct textview	 view;
	static const unsigned	 stages[] = { NORM_NFKC, NORM_CASEFOLD,
				    NORM_INVISIBLE, NORM_DIACRITICS,
				    NORM_CONFUSABLES, NORM_LEET, NORM_REPEATS,
				    NORM_SPACING, NORM_ALL, NORM_NFKC |
				    NORM_CASEFOLD | NORM_ALNUM, NORM_ALL |
				    NORM_TO_CYRILLIC, NORM_ALL | NORM_TO_GREEK };
	const struct field	*text;
	struct decide_params	 params = { 2, "in", "out", "dead", "g", "c",
				    "rl:", 1000, 60000, 5, "j:", 60000, "s:" };
	struct rules_options	 o;
	struct entry_limits	 lim = { 4096, 16, 256 };
	struct diag		 d;
	struct bytes		 parts[MAX_PARTS];
	struct batch		*b;
	struct logger		 lg;
	const uint8_t		*p = data, *nul;
	size_t			 n = 0, i;

	if (rs == NULL) {
		ruleset_options_default(&o);
		diag_init(&d);
		rs = rules_load_buffer("fuzz.yaml", rules_yaml,
		    sizeof rules_yaml - 1, &o, &d);
		if (rs == NULL)
			abort();
		m = matcher_new(&o);
		nz = normalizer_new();
		/* The rules' words split spaced-out runs in the views too. */
		normalizer_lexicon(nz, rs->lexicon);
		textview_init(&view);
		diag_free(&d);
	}
	while (n < MAX_PARTS && p <= data + size) {
		nul = memchr(p, '\0', (size_t)(data + size - p));
		if (nul == NULL)
			nul = data + size;
		parts[n++] = (struct bytes){ (const char *)p, (size_t)(nul - p) };
		p = nul + 1;
	}
	b = batch_new(1);
	entry_init(&b->items[0].entry, parts[0], parts + 1, (n - 1) / 2, &lim);
	b->n = 1;
	batch_decide(m, rs, ACTION_APPROVE, b);
	if ((text = entry_get(&b->items[0].entry, "text")) != NULL) {
		for (i = 0; i < sizeof stages / sizeof stages[0]; i++) {
			normalize_view(nz, text->value, text->value_len,
			    stages[i], &view);
			if (viewcheck(text->value, text->value_len, &view) != 0)
				abort();
		}
	}
	for (i = 0; i < b->items[0].nchecks; i++)
		if (b->items[0].checks[i].key == NULL ||
		    b->items[0].checks[i].limit >= b->nlimits)
			abort();
	decide_proto_encode(&argv, &params, "EVALSHA", "sha", b);
	for (i = 0; i < argv.n; i++)
		if (argv.v[i] == NULL)
			abort();
	memset(&lg, 0, sizeof lg);
	lg.to_stdout = 1;
	lg.out = fopen("/dev/null", "w");
	lg.decisions_stdout = LOG_DECISIONS_ALL;
	lg.text = 1;
	lg.text_max = 100;
	modlog_decision(&lg, &b->items[0], b->ruleset, 1);
	fclose(lg.out);
	batch_free(b);
	return 0;
}
