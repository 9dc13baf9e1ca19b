#ifndef CLOCK_H
#define CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Microseconds of CLOCK_MONOTONIC: for intervals, never for dates. */
uint64_t	clock_monotonic_us(void);
/* Milliseconds since the epoch. */
uint64_t	clock_realtime_ms(void);
/* ISO 8601 (UTC unless it has a zone) to ms; 0, or -1. */
int		clock_parse_iso8601(const char *, int64_t *);
void		clock_format_iso8601(int64_t, char *, size_t);
#define CLOCK_ISO8601_MAX	32

#endif
