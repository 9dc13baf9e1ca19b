/* The clocks the daemon measures intervals with. */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"

uint64_t
clock_monotonic_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Milliseconds since the epoch: for records others read, never intervals. */
uint64_t
clock_realtime_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * An ISO 8601 time: YYYY-MM-DDTHH:MM[:SS[.fff]] with Z, an offset
 * (+HH:MM, +HHMM) or no zone (UTC, as rules are written in UTC), or a
 * plain date YYYY-MM-DD (midnight UTC). 0 and *ms, or -1.
 */
int
clock_parse_iso8601(const char *s, int64_t *ms)
{
	struct tm	tm;
	int		y, mo, d, h = 0, mi = 0, sec = 0, n = 0, oh, om, frac = 0;
	int		digits = 0, sign;
	const char	*p;
	time_t		t;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
			return -1;
		p += 1 + n;
		if (*p == ':') {
			n = 0;
			if (sscanf(p + 1, "%2d%n", &sec, &n) != 1 || n != 2)
				return -1;
			p += 1 + n;
			if (*p == '.' || *p == ',') {
				for (p++; *p >= '0' && *p <= '9'; p++, digits++)
					if (digits < 3)
						frac = frac * 10 + (*p - '0');
				if (digits == 0)
					return -1;
				for (; digits < 3; digits++)
					frac *= 10;
			}
		}
		if (*p == 'Z' || *p == 'z')
			p++;
		else if (*p == '+' || *p == '-') {
			sign = *p == '-' ? -1 : 1;
			n = 0;
			if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) == 2 && n == 5)
				p += 1 + n;
			else if (sscanf(p + 1, "%2d%2d%n", &oh, &om, &n) == 2 &&
			    n == 4)
				p += 1 + n;
			else
				return -1;
			if (oh > 23 || om > 59)
				return -1;
			h -= sign * oh;
			mi -= sign * om;
		}
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h < -24 || h > 47 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000 + frac;
	return 0;
}

/* ms since the epoch as 2026-11-03T06:00:00Z (ms shown when not 0). */
void
clock_format_iso8601(int64_t ms, char *buf, size_t len)
{
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;

	gmtime_r(&t, &tm);
	if (ms % 1000 != 0)
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	else
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
}
