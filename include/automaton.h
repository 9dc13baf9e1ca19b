#ifndef AUTOMATON_H
#define AUTOMATON_H

#include "prefilter.h"
#include "ruleset.h"

/*
 * The automaton: every rule's pattern rewritten (hs_rewrite.c) and all
 * of a view's compiled into Vectorscan databases, which report the rules
 * that may match; PCRE2 decides. Built by prefilter_new when asked, into
 * its views' adb; the rules it cannot take go on to the literal path.
 */
#define AUTOMATON_CHUNK	512	/* patterns a database, about */
#define AUTOMATON_FLAGS	(HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY)

void	automaton_build(struct prefilter *, const struct ruleset *,
	    const struct rules_options *);

#endif
