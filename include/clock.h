#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>

/* Microseconds of CLOCK_MONOTONIC: for intervals, never for dates. */
uint64_t	clock_monotonic_us(void);
/* Milliseconds since the epoch. */
uint64_t	clock_realtime_ms(void);

#endif
