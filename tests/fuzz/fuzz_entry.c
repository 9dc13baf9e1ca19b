/*
 * libFuzzer target: a stream entry as Redis would hand it over, decoded
 * into a comment, decided, keyed for rate limits and logged as JSON. The
 * input is split at NUL bytes: the stream id, then field, value, ...
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision.h"
#include "diag.h"
#include "log.h"
#include "modlog.h"
#include "ratelimit.h"
#include "rules.h"

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
    "  action: flag\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ruleset	*rs;
	static struct matcher	*m;
	struct rules_options	 o;
	struct entry_limits	 lim = { 4096, 16, 256 };
	struct diag		 d;
	struct bytes		 parts[MAX_PARTS];
	struct entry		 e;
	struct decision		 dec;
	struct logger		 lg;
	const uint8_t		*p = data, *nul;
	size_t			 n = 0, i;
	char			*key;

	if (rs == NULL) {
		rules_options_default(&o);
		diag_init(&d);
		rs = rules_load_buffer("fuzz.yaml", rules_yaml,
		    sizeof rules_yaml - 1, &o, &d);
		if (rs == NULL)
			abort();
		m = matcher_new(&o);
		diag_free(&d);
	}
	while (n < MAX_PARTS && p <= data + size) {
		nul = memchr(p, '\0', (size_t)(data + size - p));
		if (nul == NULL)
			nul = data + size;
		parts[n++] = (struct bytes){ (const char *)p, (size_t)(nul - p) };
		p = nul + 1;
	}
	entry_init(&e, parts[0], parts + 1, (n - 1) / 2, &lim);
	decide(m, rs, &e, ACTION_APPROVE, &dec);
	for (i = 0; i < dec.nchecks; i++) {
		key = ratelimit_key(dec.checks[i].rule->limit,
		    dec.checks[i].rule->name, &e);
		free(key);
	}
	memset(&lg, 0, sizeof lg);
	lg.to_stdout = 1;
	lg.out = fopen("/dev/null", "w");
	lg.decisions_stdout = LOG_DECISIONS_ALL;
	lg.text = 1;
	lg.text_max = 100;
	modlog_decision(&lg, &e, &dec, 1);
	fclose(lg.out);
	decision_free(&dec);
	entry_free(&e);
	return 0;
}
