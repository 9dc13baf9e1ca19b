#include "bench_time.h"
#include "clock.h"

/* The daemon's own clock, as a double for the arithmetic of medians. */
double
now_us(void)
{
	return (double)clock_monotonic_us();
}

int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}
