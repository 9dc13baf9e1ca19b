/* moderatorctl: command line, configuration and the Redis connection. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "redis_sync.h"
#include "xmalloc.h"

struct command {
	const char	*name;
	int		(*run)(struct ctl *, int, char **);
	const char	*what;
};

static const struct command commands[] = {
	{ "tail",	ctl_tail,	"follow decisions as they are written" },
	{ "stats",	ctl_stats,	"decisions, top rules and authors of a "
					"recent window" },
	{ "top",	ctl_top,	"a live view: rates, latency, backlog, "
					"rules, instances" },
	{ "pending",	ctl_pending,	"consumers, pending entries, lag, dead "
					"letters" },
	{ "requeue",	ctl_requeue,	"put dead-lettered entries back in the "
					"input stream" },
	{ "status",	ctl_status,	"every running instance and its rules" },
	{ "reload",	ctl_reload,	"make every instance reload its rules; "
					"wait for each" },
	{ "export",	ctl_export,	"the last input entries as JSON lines" },
	{ "rules",	ctl_rules,	"every rule with its verdicts, precision "
					"and state; --reset NAME" },
	{ "learn",	ctl_learn,	"teach the classifier spam or ham: JSON "
					"lines on stdin" },
	{ "strikes",	ctl_strikes,	"an author's strikes under each escalate "
					"rule, and the step that applies" },
};
#define NCOMMANDS	(sizeof commands / sizeof commands[0])

static void
usage(FILE *f)
{
	size_t	i;

	fprintf(f,
"usage: moderatorctl [-c CONFIG] [--redis URL] [--no-color] COMMAND [ARGS]\n"
"       moderatorctl COMMAND --help | --version | --help\n"
"\n"
"  -c, --config FILE  the daemon's config file, for the Redis address,\n"
"                     password, streams and group (default\n"
"                     " MODERATORD_CONF_DEFAULT ")\n"
"      --redis URL    host:port, /unix/socket or redis://... instead\n"
"      --no-color     no colours even on a terminal (also NO_COLOR=1)\n"
"\n"
"commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].what);
}

int
ctl_number(const char *cmd, const char *opt, const char *arg,
    unsigned long min, unsigned long max, unsigned long *out)
{
	char	*end;

	errno = 0;
	*out = strtoul(arg, &end, 10);
	if (*arg == '\0' || *arg == '-' || *end != '\0' || errno != 0 ||
	    *out < min || *out > max) {
		fprintf(stderr, "moderatorctl %s: %s must be %lu to %lu, not "
		    "'%s'\n", cmd, opt, min, max, arg);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "redis",	required_argument,	NULL, 'R' },
		{ "no-color",	no_argument,		NULL, 'C' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct ctl		 c;
	const struct command	*cmd = NULL;
	const char		*conf = MODERATORD_CONF_DEFAULT, *redis = NULL;
	int			 ch, explicit = 0, color = 1, rc;
	size_t			 i;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+c:Vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			explicit = 1;
			break;
		case 'R':
			redis = optarg;
			break;
		case 'C':
			color = 0;
			break;
		case 'V':
			printf("moderatorctl %s\n", MODERATORD_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "moderatorctl: bad option or missing "
			    "argument: %s\n", argv[optind - 1]);
			usage(stderr);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return 1;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		fprintf(stderr, "moderatorctl: unknown command '%s'\n", argv[0]);
		usage(stderr);
		return 1;
	}

	memset(&c, 0, sizeof c);
	config_init(&c.cfg);
	if (config_load_file(&c.cfg, conf, explicit) != 0) {
		fprintf(stderr, "moderatorctl: %s: configuration is not valid\n",
		    conf);
		config_free(&c.cfg);
		return 1;
	}
	if (redis != NULL) {
		/* An address named here is where Redis is: no sentinels. */
		free(c.cfg.redis_address);
		c.cfg.redis_address = xstrdup(redis);
		free(c.cfg.sentinels);
		c.cfg.sentinels = xstrdup("");
	}
	c.tty = isatty(STDOUT_FILENO);
	c.color = c.tty && color && getenv("NO_COLOR") == NULL;
	/* Connected at the first command sent: a bad option needs no Redis. */
	optind = 0;	/* each command parses its own options */
	opterr = 1;	/* and getopt names a bad one */
	rc = cmd->run(&c, argc, argv);
	if (c.rc != NULL)
		redisFree(c.rc);
	config_free(&c.cfg);
	return rc;
}
