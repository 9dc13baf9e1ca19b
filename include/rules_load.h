#ifndef RULES_LOAD_H
#define RULES_LOAD_H

#include <stddef.h>

#include "diag.h"
#include "ruleset.h"

/*
 * Rule files -> struct ruleset. Every error goes into the diag as
 * file:line:column and loading goes on; NULL if there was any.
 */
struct ruleset	*rules_load_dir(const char *, const struct rules_options *,
		    struct diag *);
/* One file's text, named by the first argument: for the fuzzers. */
struct ruleset	*rules_load_buffer(const char *, const char *, size_t,
		    const struct rules_options *, struct diag *);
struct ruleset	*rules_load_checked(const char *, const struct rules_options *,
		    struct diag *, size_t *, size_t *);

#endif
