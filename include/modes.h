#ifndef MODES_H
#define MODES_H

#include <stdint.h>

#include "config.h"

/* The modes besides running the daemon; each returns an exit code. */
int	check_main(const struct config *);
int	explain_main(const struct config *, int, char **, int, int64_t);
int	profile_main(const struct config *);
/* The rules of dir (NULL: the config's), tested; NULL if they fail. */
struct ruleset *check_load_rules(const struct config *, const char *);

/* --replay: the old rules' directory, the input, the report. */
struct replay_opts {
	const char	*old_dir;
	const char	*stream;	/* --from-stream KEY, or NULL: stdin */
	unsigned long	 count;
	int		 json;
	int		 fail_on_change;
	int64_t		 at;		/* --at, or 0: now */
	const char	*verdicts;	/* --verdicts FILE, or NULL */
	int		 from_verdicts;	/* --from-verdicts: the stream's */
};
int	replay_main(const struct config *, const struct replay_opts *);

#endif
