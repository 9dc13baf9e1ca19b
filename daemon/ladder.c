/*
 * escalate: the repeat-offender ladder of a rule: which decisions and
 * verdicts are strikes, how long a strike counts, and the steps. The
 * counting is in Redis (decide.lua, verdict.lua); here the ladder is read
 * from its rule file and handed over as one string.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder.h"
#include "ratelimit.h"
#include "xmalloc.h"

static const char *const ladder_keys[] = { "key", "strikes_from", "decay",
	"steps", NULL };
static const char *const step_keys[] = { "strikes", "action", "for", NULL };

static int
parse_from(struct diag *d, struct yfile *yf, yaml_node_t *n, unsigned *from)
{
	yaml_node_item_t	*it;
	yaml_node_t		*v;
	const char		*s;
	int			 rc = 0;

	*from = 0;
	if (n->type != YAML_SEQUENCE_NODE ||
	    n->data.sequence.items.start == n->data.sequence.items.top) {
		yfile_error(d, yf, n, "strikes_from is a list of reject, flag "
		    "and remove, such as [reject, remove]");
		return -1;
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		v = yfile_node(yf, *it);
		if (yfile_want_scalar(d, yf, v, "strikes_from") != 0) {
			rc = -1;
			continue;
		}
		s = yfile_scalar(v);
		if (strcmp(s, "reject") == 0)
			*from |= LADDER_FROM_REJECT;
		else if (strcmp(s, "flag") == 0)
			*from |= LADDER_FROM_FLAG;
		else if (strcmp(s, "remove") == 0)
			*from |= LADDER_FROM_REMOVE;
		else {
			yfile_error(d, yf, v, "a strike comes from reject or "
			    "flag (decisions) or remove (moderators' verdicts), "
			    "not '%s'", s);
			rc = -1;
		}
	}
	return rc;
}

static int
parse_step(struct diag *d, struct yfile *yf, yaml_node_t *n,
    struct ladder_step *st)
{
	yaml_node_t	*v;
	int		 rc = 0;

	memset(st, 0, sizeof *st);
	if (yfile_mapping_check(d, yf, n, step_keys, "a step") != 0) {
		if (n->type != YAML_MAPPING_NODE)
			return -1;
		rc = -1;
	}
	if ((v = yfile_find(yf, n, "strikes")) == NULL) {
		yfile_error(d, yf, n, "a step needs strikes: how many make it");
		rc = -1;
	} else if (yfile_uint(d, yf, v, 1, LADDER_STRIKES_MAX,
	    &st->strikes) != 0)
		rc = -1;
	if ((v = yfile_find(yf, n, "action")) == NULL) {
		yfile_error(d, yf, n, "a step needs an action: flag or reject");
		rc = -1;
	} else if (yfile_want_scalar(d, yf, v, "action") != 0)
		rc = -1;
	else if (action_parse(yfile_scalar(v), &st->action) != 0 ||
	    st->action == ACTION_APPROVE) {
		yfile_error(d, yf, v, "a step's action is flag or reject, not "
		    "'%s'", yfile_scalar(v));
		rc = -1;
	}
	if ((v = yfile_find(yf, n, "for")) != NULL &&
	    yfile_duration_ms(d, yf, v, 1, LADDER_DECAY_MAX_MS,
	    &st->for_ms) != 0)
		rc = -1;
	return rc;
}

/*
 * Parses an escalate: mapping into rl: its key fields, and rl->ladder.
 * Every error goes to d; -1 if any.
 */
int
ladder_parse(struct diag *d, struct yfile *yf, yaml_node_t *n,
    struct rate_limit *rl)
{
	struct ladder		*lad;
	yaml_node_t		*v;
	yaml_node_item_t	*it;
	size_t			 i;
	int			 rc = 0;

	memset(rl, 0, sizeof *rl);
	rl->text_view = SIZE_MAX;
	rl->ladder = lad = xcalloc(1, sizeof *lad);
	if (yfile_mapping_check(d, yf, n, ladder_keys, "escalate") != 0) {
		if (n->type != YAML_MAPPING_NODE)
			return -1;
		rc = -1;
	}
	if ((v = yfile_find(yf, n, "key")) == NULL) {
		yfile_error(d, yf, n, "escalate needs a key: whose strikes "
		    "count, such as author");
		rc = -1;
	} else if (ratelimit_parse_key(d, yf, v, rl) != 0)
		rc = -1;
	else if (rl->near) {
		yfile_error(d, yf, v, "an escalate key cannot be near_text");
		rc = -1;
	}
	if ((v = yfile_find(yf, n, "strikes_from")) == NULL) {
		yfile_error(d, yf, n, "escalate needs strikes_from, such as "
		    "[reject, remove]");
		rc = -1;
	} else if (parse_from(d, yf, v, &lad->from) != 0)
		rc = -1;
	if ((v = yfile_find(yf, n, "decay")) == NULL) {
		yfile_error(d, yf, n, "escalate needs decay: how long a strike "
		    "counts, such as 7d");
		rc = -1;
	} else if (yfile_duration_ms(d, yf, v, 1, LADDER_DECAY_MAX_MS,
	    &lad->decay_ms) != 0)
		rc = -1;
	else
		lad->decay = xstrdup(yfile_scalar(v));
	if ((v = yfile_find(yf, n, "steps")) == NULL ||
	    v->type != YAML_SEQUENCE_NODE ||
	    v->data.sequence.items.start == v->data.sequence.items.top) {
		yfile_error(d, yf, v != NULL ? v : n, "escalate needs steps: a "
		    "list such as [{ strikes: 2, action: flag }]");
		return -1;
	}
	for (it = v->data.sequence.items.start;
	    it < v->data.sequence.items.top; it++) {
		if (lad->nsteps == LADDER_STEPS_MAX) {
			yfile_error(d, yf, v, "at most %d steps",
			    LADDER_STEPS_MAX);
			return -1;
		}
		lad->steps = xreallocarray(lad->steps, lad->nsteps + 1,
		    sizeof *lad->steps);
		if (parse_step(d, yf, yfile_node(yf, *it),
		    &lad->steps[lad->nsteps]) != 0) {
			rc = -1;
			continue;
		}
		i = lad->nsteps++;
		if (i > 0 && lad->steps[i].strikes <=
		    lad->steps[i - 1].strikes) {
			yfile_error(d, yf, yfile_node(yf, *it), "steps go up: "
			    "each needs more strikes than the one before");
			rc = -1;
		}
	}
	/* The window a key's strikes are kept for. */
	rl->per_ms = lad->decay_ms;
	return rc;
}

/* Frees what lad holds. */
void
ladder_clear(struct ladder *lad)
{
	free(lad->decay);
	free(lad->steps);
	memset(lad, 0, sizeof *lad);
}

void
ladder_free(struct ladder *lad)
{
	if (lad == NULL)
		return;
	ladder_clear(lad);
	free(lad);
}

/* The most severe action of the steps: what the rule can do. */
enum action
ladder_top_action(const struct ladder *lad)
{
	enum action	a = ACTION_FLAG;
	size_t		i;

	for (i = 0; i < lad->nsteps; i++)
		if (lad->steps[i].action > a)
			a = lad->steps[i].action;
	return a;
}

/*
 * The ladder as decide.lua reads it: "FROM DECAY_MS DECAY STEP,STEP,..."
 * with FROM the letters r, f and v (reject, flag, remove) and each step
 * "STRIKES:ACTION:PRECEDENCE:FOR_MS"; order is the rule's index, for the
 * precedence. The caller frees it.
 */
char *
ladder_spec(const struct ladder *lad, size_t order)
{
	char	*s, *next;
	size_t	 i;

	xasprintf(&s, "%s%s%s %llu %s ", lad->from & LADDER_FROM_REJECT ?
	    "r" : "", lad->from & LADDER_FROM_FLAG ? "f" : "",
	    lad->from & LADDER_FROM_REMOVE ? "v" : "",
	    (unsigned long long)lad->decay_ms, lad->decay);
	for (i = 0; i < lad->nsteps; i++) {
		xasprintf(&next, "%s%s%llu:%s:%llu:%llu", s, i ? "," : "",
		    (unsigned long long)lad->steps[i].strikes,
		    action_name(lad->steps[i].action),
		    (unsigned long long)action_precedence(
		    lad->steps[i].action, order),
		    (unsigned long long)lad->steps[i].for_ms);
		free(s);
		s = next;
	}
	return s;
}

/*
 * The ladder of a ladder_spec string, into lad (ladder_clear frees what it
 * holds); -1 if s is not one. moderatorctl reads the daemons' ladders so.
 */
int
ladder_from_spec(const char *s, struct ladder *lad)
{
	char			 from[8], decay[32];
	unsigned long long	 ms, n, prec, for_ms;
	const char		*p;
	char			 act[16];
	int			 used;

	memset(lad, 0, sizeof *lad);
	if (sscanf(s, "%7[rfv] %llu %31s %n", from, &ms, decay, &used) != 3)
		return -1;
	lad->from = (strchr(from, 'r') ? LADDER_FROM_REJECT : 0) |
	    (strchr(from, 'f') ? LADDER_FROM_FLAG : 0) |
	    (strchr(from, 'v') ? LADDER_FROM_REMOVE : 0);
	lad->decay_ms = ms;
	lad->decay = xstrdup(decay);
	for (p = s + used; *p != '\0' && lad->nsteps < LADDER_STEPS_MAX;) {
		if (sscanf(p, "%llu:%15[a-z]:%llu:%llu%n", &n, act, &prec,
		    &for_ms, &used) != 4)
			break;
		lad->steps = xreallocarray(lad->steps, lad->nsteps + 1,
		    sizeof *lad->steps);
		lad->steps[lad->nsteps].strikes = n;
		lad->steps[lad->nsteps].for_ms = for_ms;
		if (action_parse(act, &lad->steps[lad->nsteps].action) != 0)
			break;
		lad->nsteps++;
		p += used;
		if (*p == ',')
			p++;
	}
	if (*p != '\0' || lad->nsteps == 0) {
		ladder_clear(lad);
		return -1;
	}
	return 0;
}

/*
 * The step that applies at time t to a key with n strikes (not decayed)
 * the newest at time last, or NULL: the one with the most strikes reached
 * whose for, if it has one, has not run out since the last strike.
 * (decide.lua has the same rule: ladder_step.)
 */
const struct ladder_step *
ladder_step_at(const struct ladder *lad, uint64_t n, int64_t last, int64_t t)
{
	size_t	i;

	for (i = lad->nsteps; i-- > 0;)
		if (n >= lad->steps[i].strikes && (lad->steps[i].for_ms == 0 ||
		    t < last + (int64_t)lad->steps[i].for_ms))
			return &lad->steps[i];
	return NULL;
}
