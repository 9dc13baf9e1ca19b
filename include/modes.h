#ifndef MODES_H
#define MODES_H

#include "config.h"

/* The modes besides running the daemon; each returns an exit code. */
int	check_main(const struct config *);
int	explain_main(const struct config *, int, char **, int);
int	profile_main(const struct config *);
struct ruleset *check_load_rules(const struct config *);

#endif
