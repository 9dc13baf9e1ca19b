/* moderatord -t: load config and rules, run every rule example, summarise. */

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "address.h"
#include "clock.h"
#include "modes.h"
#include "normalize.h"
#include "prefilter.h"
#include "ratelimit.h"
#include "redis_sync.h"
#include "rules_load.h"

static void	print_files(const struct ruleset *);
static void	print_prefilter(const struct ruleset *);
static void	print_windows(const struct ruleset *, int64_t);

/*
 * A line per file: its rules, and which normalize stages they use (on
 * how many rules), so a moderator sees what each file matches against.
 */
static void
print_files(const struct ruleset *rs)
{
	const struct rule	*r = rs->rules;
	size_t			 i, j, normalized, native;
	unsigned		 stages;
	char			*names;

	for (i = 0; i < rs->nfiles; i++) {
		printf("%s: %zu rule%s", rs->files[i], rs->file_rules[i],
		    rs->file_rules[i] == 1 ? "" : "s");
		stages = 0;
		normalized = native = 0;
		for (j = 0; j < rs->file_rules[i]; j++, r++) {
			stages |= r->stages;
			normalized += r->stages != 0;
			native += (r->stages & (NORM_TO_CYRILLIC |
			    NORM_TO_GREEK)) != 0;
		}
		if (normalized > 0) {
			names = normalize_stages_describe(stages);
			printf("; normalize %s (%zu rule%s)", names, normalized,
			    normalized == 1 ? "" : "s");
			free(names);
		}
		if (native > 0)
			printf("; %zu written in Cyrillic or Greek: look-alikes "
			    "read toward it", native);
		putchar('\n');
	}
}

/*
 * Each time-boxed rule's window, and where it stands at now: an expired
 * rule is flagged, as a moderator may have meant to extend it.
 */
static void
print_windows(const struct ruleset *rs, int64_t now)
{
	const struct rule	*r;
	char			 from[CLOCK_ISO8601_MAX + 8];
	char			 until[CLOCK_ISO8601_MAX + 8];
	size_t			 i;

	for (i = 0; i < rs->nrules; i++) {
		r = &rs->rules[i];
		if (r->valid_from == INT64_MIN && r->valid_until == INT64_MAX)
			continue;
		*from = *until = '\0';
		if (r->valid_from != INT64_MIN) {
			strcpy(from, " from ");
			clock_format_iso8601(r->valid_from, from + 6,
			    sizeof from - 6);
		}
		if (r->valid_until != INT64_MAX) {
			strcpy(until, " until ");
			clock_format_iso8601(r->valid_until, until + 7,
			    sizeof until - 7);
		}
		printf("%s:%zu: rule %s in force%s%s: %s\n", r->file, r->line,
		    r->name, from, until, now >= r->valid_until ? "EXPIRED "
		    "(loaded and tested, never applied)" : now < r->valid_from ?
		    "not yet in force" : "in force now");
	}
}

/* How many rules the prefilter covers, and how many always run. */
static void
print_prefilter(const struct ruleset *rs)
{
	const struct prefilter	*pf = rs->prefilter;
	size_t			 i, patterns = 0;

	for (i = 0; i < rs->nrules; i++)
		patterns += rs->rules[i].match != NULL ||
		    rs->rules[i].list != NULL;
	if (pf == NULL) {
		printf("prefilter: off (rules: prefilter: false); %zu rules "
		    "with a pattern run on every comment\n", patterns);
		return;
	}
	if (pf->error != NULL) {
		printf("prefilter: %s\n", pf->error);
		return;
	}
	for (i = 0; i < pf->nnotes; i++)
		printf("prefilter: %s\n", pf->notes[i]);
	printf("prefilter: %zu rules on the automaton (%zu exact, %zu as a "
	    "Vectorscan prefilter), %zu on required literals (%zu literals), "
	    "%zu run on every comment; built in %.0f ms", pf->exact +
	    pf->hsprefilter, pf->exact, pf->hsprefilter, pf->literal,
	    pf->literals, pf->always, pf->compile_ms);
	if (pf->automaton)
		printf(" (automaton: %zu databases from the cache, %zu "
		    "compiled)", pf->cached, pf->built);
	printf("\n");
	for (i = 0; i < rs->nrules; i++)
		if (pf->path[i] != PATH_EXACT && pf->why[i] != NULL &&
		    rs->rules[i].match != NULL)
			printf("prefilter: rule %s (%s:%zu) %s: %s\n",
			    rs->rules[i].name, rs->rules[i].file,
			    rs->rules[i].line, pf->path[i] == PATH_ALWAYS ?
			    "runs on every comment" : pf->path[i] ==
			    PATH_LITERALS ? "is on required literals" :
			    "is a Vectorscan prefilter", pf->why[i]);
}

/*
 * The rules for --explain and --profile: loaded and tested, every message
 * printed, failing examples as warnings only (they are how one debugs
 * them). NULL if the rules do not load.
 */
struct ruleset *
check_load_rules(const struct config *c, const char *dir)
{
	struct diag	 d;
	struct ruleset	*rs;
	size_t		 examples, failed;

	diag_init(&d);
	rs = rules_load_checked(dir != NULL ? dir : c->rules_dir, &c->rules,
	    &d, &examples, &failed);
	diag_print(&d, stderr, rs != NULL ? "warning: " : "");
	diag_free(&d);
	return rs;
}

/*
 * For rules that classify: how far the classifier has come, as Redis
 * says (the config's Redis; unreachable is said, and is no error here).
 */
static void
print_classifier(const struct config *c, const struct ruleset *rs)
{
	redisContext		*rc;
	unsigned long long	 spam, ham;
	const char		*why;

	if (rs->classifying == 0)
		return;
	printf("classifier: %zu rule%s classify; each class needs %llu "
	    "comments learned\n", rs->classifying, rs->classifying == 1 ? "" :
	    "s", (unsigned long long)c->classifier_min_learned);
	if ((rc = redis_sync_connect(c, "moderatord")) == NULL) {
		printf("classifier: Redis not reachable: how much it has "
		    "learned is not known\n");
		return;
	}
	if (redis_sync_learned(rc, c->verdict_prefix, &spam, &ham, &why) == 0)
		printf("classifier: learned %llu spam and %llu ham comments%s\n",
		    spam, ham, spam >= c->classifier_min_learned &&
		    ham >= c->classifier_min_learned ? ": classifying" :
		    ": not classifying yet");
	else
		printf("classifier: reading it from Redis failed: %s\n", why);
	redisFree(rc);
}

int
check_main(const struct config *c)
{
	struct diag		 d;
	struct ruleset		*rs;
	struct redis_address	 a;
	size_t			 i, n[ACTION_COUNT] = { 0 }, examples, failed;
	size_t			 shadow = 0, final = 0, limits = 0, ladders = 0;
	char			*cause;
	int			 rc = 0;

	diag_init(&d);
	if (address_parse(c->redis_address, &a, &cause) != 0) {
		fprintf(stderr, "moderatord: redis address: %s\n", cause);
		free(cause);
		rc = 1;
	}
	address_free(&a);

	if ((rs = rules_load_checked(c->rules_dir, &c->rules, &d, &examples,
	    &failed)) != NULL) {
		print_files(rs);
		for (i = 0; i < rs->nrules; i++) {
			n[rs->rules[i].action]++;
			shadow += rs->rules[i].shadow;
			final += rs->rules[i].final;
			limits += rs->rules[i].limit != NULL &&
			    rs->rules[i].limit->ladder == NULL;
			ladders += rs->rules[i].limit != NULL &&
			    rs->rules[i].limit->ladder != NULL;
		}
		printf("%zu rules in %zu files: %zu reject, %zu flag, "
		    "%zu approve; %zu shadow, %zu final, %zu rate limits, "
		    "%zu escalate; %zu examples, %zu failed\n", rs->nrules,
		    rs->nfiles, n[ACTION_REJECT], n[ACTION_FLAG],
		    n[ACTION_APPROVE], shadow, final, limits, ladders, examples,
		    d.n);
		print_windows(rs, (int64_t)clock_realtime_ms());
		print_prefilter(rs);
		print_classifier(c, rs);
		printf("ruleset %s\n", rs->hash);
		ruleset_free(rs);
	}
	diag_print(&d, stderr, "");
	if (d.n != 0) {
		fprintf(stderr, "moderatord: %zu error%s in the rules\n", d.n,
		    d.n == 1 ? "" : "s");
		rc = 1;
	}
	diag_free(&d);
	if (rc == 0)
		printf("configuration OK\n");
	return rc;
}
