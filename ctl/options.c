/*
 * moderatorctl's command options, one parser for all, and how it shows
 * times. Each command lists
 * its options (a flag, a number in a range, a string) and where each
 * goes; --help prints the command's usage. getopt_long underneath, so
 * "--count 5" and "--count=5" both work.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

#define CTL_OPTS_MAX	16

/*
 * Parses argv (argv[0] the command's name) by opts, ended by one with a
 * NULL name. Up to npos arguments that are not options go into pos, in
 * order (NULL if absent); more is an error. Returns -1 to go on, else the
 * exit code (0 after --help).
 */
int
ctl_options(int argc, char **argv, const char *usage,
    const struct ctl_opt *opts, const char **pos, size_t npos)
{
	struct option	 longopts[CTL_OPTS_MAX + 2];
	const struct ctl_opt *o;
	char		 dashed[64];
	size_t		 i, n;
	int		 ch;

	for (n = 0; opts != NULL && opts[n].name != NULL &&
	    n < CTL_OPTS_MAX; n++) {
		longopts[n].name = opts[n].name;
		longopts[n].has_arg = opts[n].kind == CTL_FLAG ? no_argument :
		    required_argument;
		longopts[n].flag = NULL;
		longopts[n].val = 256 + (int)n;
	}
	longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[n + 1] = (struct option){ NULL, 0, NULL, 0 };
	for (i = 0; i < npos; i++)
		pos[i] = NULL;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (ch < 256 || ch >= 256 + (int)n) {
			fputs(usage, stderr);
			return 1;
		}
		o = &opts[ch - 256];
		switch (o->kind) {
		case CTL_FLAG:
			*(int *)o->to = 1;
			break;
		case CTL_NUMBER:
			snprintf(dashed, sizeof dashed, "--%s", o->name);
			if (ctl_number(argv[0], dashed, optarg, o->min, o->max,
			    o->to) != 0)
				return 1;
			break;
		case CTL_STRING:
			*(const char **)o->to = optarg;
			break;
		}
	}
	for (i = 0; optind < argc; optind++, i++) {
		if (i == npos) {
			fprintf(stderr, "moderatorctl %s: unexpected argument "
			    "'%s'\n", argv[0], argv[optind]);
			fputs(usage, stderr);
			return 1;
		}
		pos[i] = argv[optind];
	}
	return -1;
}

/* Time ms (since the epoch) as w says, in buf; buf. */
char *
ctl_time(uint64_t ms, enum ctl_when w, char *buf, size_t len)
{
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;

	if (w == CTL_UTC)
		gmtime_r(&t, &tm);
	else
		localtime_r(&t, &tm);
	strftime(buf, len, w == CTL_HM ? "%H:%M" : w == CTL_HMS ? "%H:%M:%S" :
	    "%Y-%m-%dT%H:%M:%S", &tm);
	return buf;
}
