#ifndef DIAG_H
#define DIAG_H

#include <stddef.h>
#include <stdio.h>

/*
 * Diagnostics collected by the parsers: each one is a ready line of the
 * form "file:line:column: message". Parsers keep going after an error and
 * the caller fails at the end, so one run shows every mistake.
 */
struct diag {
	char	**lines;
	size_t	  n;
	size_t	  cap;
};

void	diag_init(struct diag *);
void	diag_free(struct diag *);
/* line and column count from 1; 0 leaves them out of the message. */
void	diag_add(struct diag *, const char *, size_t, size_t, const char *, ...)
	    __attribute__((format(printf, 5, 6)));
void	diag_print(const struct diag *, FILE *, const char *);

#endif
