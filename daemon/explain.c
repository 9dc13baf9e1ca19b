/*
 * moderatord --explain: decide one comment read from stdin, with fields
 * from the command line, and show why. No Redis is needed.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision.h"
#include "entry.h"
#include "modes.h"
#include "xmalloc.h"

#define SPAN_SHOWN	80

static void	print_span(const char *, size_t);

/* Prints a matched span quoted, with control and invalid bytes escaped. */
static void
print_span(const char *s, size_t len)
{
	size_t	i;

	putchar('"');
	for (i = 0; i < len && i < SPAN_SHOWN; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == '"' || s[i] == '\\' ||
		    s[i] == 0x7f)
			printf("\\x%02x", (unsigned char)s[i]);
		else
			putchar(s[i]);
	}
	printf(len > SPAN_SHOWN ? "\"..." : "\"");
}

int
explain_main(const struct config *c, int argc, char **argv)
{
	struct diag		 d;
	struct ruleset		*rs;
	struct matcher		*m;
	struct entry		 e;
	struct decision		 dec;
	struct bytes		*kv, sid = { "explain", 7 };
	const struct field	*f;
	const struct hit	*h;
	char			*text, *eq;
	size_t			 len, cap, i, n = 0, examples;
	int			 have_id = 0;

	diag_init(&d);
	if ((rs = rules_load_dir(c->rules_dir, &c->rules, &d)) == NULL) {
		for (i = 0; i < d.n; i++)
			fprintf(stderr, "%s\n", d.lines[i]);
		diag_free(&d);
		return 1;
	}
	m = matcher_new(&c->rules);
	/* Failing examples do not stop --explain: it is how one debugs them. */
	rules_check_examples(rs, m, &d, &examples);
	for (i = 0; i < d.n; i++)
		fprintf(stderr, "warning: %s\n", d.lines[i]);
	diag_free(&d);

	/* Read one byte past the limit, so that too long is seen as such. */
	cap = c->limits.max_text + 2;
	text = xmalloc(cap);
	len = fread(text, 1, cap - 1, stdin);
	if (len > 0 && len <= c->limits.max_text && text[len - 1] == '\n')
		len--;	/* the newline that echo adds */

	kv = xcalloc(2 * ((size_t)argc + 2), sizeof *kv);
	for (i = 0; i < (size_t)argc; i++) {
		if ((eq = strchr(argv[i], '=')) == NULL || eq == argv[i]) {
			fprintf(stderr, "moderatord: --explain takes field=value "
			    "arguments, not '%s'\n", argv[i]);
			free(kv);
			free(text);
			matcher_free(m);
			ruleset_free(rs);
			return 1;
		}
		kv[2 * n] = (struct bytes){ argv[i], (size_t)(eq - argv[i]) };
		kv[2 * n + 1] = (struct bytes){ eq + 1, strlen(eq + 1) };
		if (kv[2 * n].len == 2 && memcmp(argv[i], "id", 2) == 0)
			have_id = 1;
		n++;
	}
	kv[2 * n] = (struct bytes){ "text", 4 };
	kv[2 * n + 1] = (struct bytes){ text, len };
	n++;
	if (!have_id) {
		kv[2 * n] = (struct bytes){ "id", 2 };
		kv[2 * n + 1] = (struct bytes){ "explain", 7 };
		n++;
	}
	entry_init(&e, sid, kv, n, &c->limits);
	decide(m, rs, &e, c->default_action, &dec);

	printf("decision: %s\n", action_name(dec.action));
	printf("reason: %s\n", dec.reason);
	printf("rules: %s\n", dec.rules);
	printf("shadow: %s\n", dec.shadow);
	for (i = 0; i < dec.nhits; i++) {
		h = &dec.hits[i];
		printf("match: %s (%s%s%s) %s:%zu ", h->rule->name,
		    action_name(h->rule->action), h->rule->shadow ? ", shadow" :
		    "", h->rule->final ? ", final" : "", h->rule->file,
		    h->rule->line);
		if (h->error) {
			printf("error: could not run on this text\n");
			continue;
		}
		f = entry_get(&e, h->rule->field);
		printf("%s[%zu..%zu] ", h->rule->field, h->start, h->end);
		print_span(f->value + h->start, h->end - h->start);
		putchar('\n');
	}
	if (dec.nhits == 0)
		printf("no rule matched\n");
	decision_free(&dec);
	entry_free(&e);
	free(kv);
	free(text);
	matcher_free(m);
	ruleset_free(rs);
	return 0;
}
