#ifndef HS_COMPILE_H
#define HS_COMPILE_H

#include <stddef.h>

struct hs_database;

/*
 * Vectorscan compiles under a budget. A pattern can make the compiler
 * run for minutes or take gigabytes; a start, a reload or -t must never
 * wedge on one. So every compile runs in a forked child, watched: one
 * that runs past its time or memory is killed, and its patterns take
 * another path. Several children run at once, one a core.
 */

enum hs_outcome {
	HS_OUT_EXACT = 0,	/* compiles as it is */
	HS_OUT_PREFILTER = 1,	/* compiles with HS_FLAG_PREFILTER */
	HS_OUT_FAILED = 2,	/* neither, or over budget */
	HS_OUT_OVER = 3		/* ... over budget (killed) */
};

#define HS_MEMORY_MAX		(1024ul * 1024 * 1024)	/* a child's RSS */

/* One database to build: its patterns, flags and ids. */
struct hs_group {
	char			**exprs;
	unsigned		 *flags;
	unsigned		 *ids;
	size_t			  n;
	struct hs_database	 *db;	/* out: NULL if it failed */
	const char		 *why;	/* ... why */
	int			  killed; /* ... over its budget */
	double			  ms;	/* ... how long it took */
};

struct hs_platform_info;

void	hs_target_platform(struct hs_platform_info *);
void	hs_compile_test(char **, unsigned, size_t, unsigned char *, double,
	    const volatile int *);
void	hs_compile_groups(struct hs_group *, size_t, double,
	    const volatile int *);

#endif
