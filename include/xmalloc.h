#ifndef XMALLOC_H
#define XMALLOC_H

#include <stddef.h>

/* Allocation that aborts on failure: a daemon out of memory cannot decide. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
