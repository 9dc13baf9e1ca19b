/*
 * libFuzzer target: the rule-file loader. The input is one rule file; a
 * ruleset that loads has its examples run and decides a fixed comment, so
 * that what the loader builds is exercised too.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "decision.h"
#include "diag.h"
#include "matcher.h"
#include "rules_load.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bytes kv[] = {
		{ "id", 2 }, { "c1", 2 }, { "text", 4 },
		{ "Buy cheap VIAGRA at bit.ly/x, call 0161 496 0754!", 50 },
		{ "author", 6 }, { "alice", 5 }, { "author_age_days", 15 },
		{ "1", 1 }
	};
	struct rules_options	 o;
	struct entry_limits	 lim;
	struct diag		 d;
	struct ruleset		*rs;
	struct matcher		*m;
	struct entry		 e;
	struct decision		 dec;
	size_t			 total;

	ruleset_options_default(&o);
	diag_init(&d);
	rs = rules_load_buffer("fuzz.yaml", (const char *)data, size, &o, &d);
	if (rs != NULL) {
		m = matcher_new(&o);
		matcher_examples(m, rs, &d, &total);
		entry_limits_default(&lim);
		entry_init(&e, (struct bytes){ "1-0", 3 }, kv, 4, &lim);
		decision_make(m, rs, &e, ACTION_APPROVE, &dec);
		decision_free(&dec);
		entry_free(&e);
		matcher_free(m);
		ruleset_free(rs);
	}
	diag_free(&d);
	return 0;
}
