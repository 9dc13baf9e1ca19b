#ifndef BENCH_TIME_H
#define BENCH_TIME_H

/*
 * What the in-process benchmarks time with: the daemon's monotonic clock
 * in us, and an ascending order of doubles for qsort (the median of runs).
 */
double	now_us(void);
int	cmp_double(const void *, const void *);

#endif
