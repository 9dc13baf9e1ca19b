/*
 * Actions and their precedence. Precedence is decided here and only here:
 * the decide script is handed precedence numbers and compares them, so
 * the order of the enum never has to be known on the Lua side.
 */

#include <string.h>

#include "action.h"

#define ORDER_BITS	32
#define ORDER_MAX	((UINT64_C(1) << ORDER_BITS) - 1)

const char *
action_name(enum action a)
{
	switch (a) {
	case ACTION_APPROVE:
		return "approve";
	case ACTION_FLAG:
		return "flag";
	case ACTION_REJECT:
		return "reject";
	}
	return "?";
}

int
action_parse(const char *s, enum action *a)
{
	if (strcmp(s, "approve") == 0)
		*a = ACTION_APPROVE;
	else if (strcmp(s, "flag") == 0)
		*a = ACTION_FLAG;
	else if (strcmp(s, "reject") == 0)
		*a = ACTION_REJECT;
	else
		return -1;
	return 0;
}

/*
 * The precedence of action a decided by the rule at place order in the
 * ruleset (SIZE_MAX: no rule decided): the more severe action wins, and
 * between equal actions the earlier rule, whose reason is then given.
 * With no deciding rule any rule of the same action wins. The result fits
 * in 34 bits, so Lua's numbers hold it exactly.
 */
uint64_t
action_precedence(enum action a, size_t order)
{
	uint64_t	low;

	if (order == SIZE_MAX)
		low = 0;
	else
		low = ORDER_MAX - ((uint64_t)order < ORDER_MAX - 1 ?
		    (uint64_t)order : ORDER_MAX - 1);
	return ((uint64_t)a << ORDER_BITS) | low;
}
