/* moderatord: command line, modes and exit codes. */

#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "modes.h"
#include "xmalloc.h"

enum mode { MODE_RUN, MODE_CHECK, MODE_EXPLAIN, MODE_PROFILE };
enum { OPT_REDIS = 256, OPT_CONSUMER, OPT_EXPLAIN, OPT_PROFILE };

static const struct option longopts[] = {
	{ "config",	required_argument,	NULL, 'c' },
	{ "rules",	required_argument,	NULL, 'r' },
	{ "redis",	required_argument,	NULL, OPT_REDIS },
	{ "consumer",	required_argument,	NULL, OPT_CONSUMER },
	{ "check",	no_argument,		NULL, 't' },
	{ "explain",	no_argument,		NULL, OPT_EXPLAIN },
	{ "profile",	no_argument,		NULL, OPT_PROFILE },
	{ "version",	no_argument,		NULL, 'V' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL,		0,			NULL, 0 }
};

static void	usage(FILE *);
static void	set_string(char **, const char *);

static void
usage(FILE *f)
{
	fprintf(f,
"usage: moderatord [-c CONFIG] [-r RULES_DIR] [--redis URL] [--consumer NAME]\n"
"       moderatord -t [-c CONFIG] [-r RULES_DIR]\n"
"       moderatord --explain [-c CONFIG] [-r RULES_DIR] [--redis URL]\n"
"                  [field=value ...] < text\n"
"       moderatord --profile [-c CONFIG] [-r RULES_DIR] < comments.jsonl\n"
"       moderatord --version | --help\n"
"\n"
"  -c, --config FILE   config file (default " MODERATORD_CONF_DEFAULT ")\n"
"  -r, --rules DIR     rules directory (default " MODERATORD_RULES_DEFAULT ")\n"
"      --redis URL     host:port, /unix/socket, or\n"
"                      redis://[[user]:password@]host[:port][/db]\n"
"      --consumer NAME consumer name in the group (default: the host name)\n"
"  -t, --check         check config and rules, run the rule tests; exit 0/1\n"
"      --explain       decide the comment on stdin, show every matching rule;\n"
"                      with --redis, also the rate-limit windows' counts\n"
"      --profile       decide JSON lines of comments from stdin and show\n"
"                      each rule's hits and time, costliest first\n"
"  -V, --version       print the version\n"
"  -h, --help          print this help\n");
}

static void
set_string(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
}

int
main(int argc, char **argv)
{
	struct daemon	 dm;
	enum mode	 mode = MODE_RUN;
	const char	*conf = MODERATORD_CONF_DEFAULT, *rules = NULL;
	const char	*redis = NULL, *consumer = NULL;
	char		 host[HOST_NAME_MAX + 1];
	sigset_t	 sigs, old;
	int		 ch, explicit = 0, rc;

	/*
	 * Until the daemon's signal events exist, a stop or reload signal
	 * waits instead of killing us half started; they are delivered as
	 * events once daemon_run() unblocks them.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	sigprocmask(SIG_BLOCK, &sigs, &old);

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+c:r:tVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			explicit = 1;
			break;
		case 'r':
			rules = optarg;
			break;
		case OPT_REDIS:
			redis = optarg;
			break;
		case OPT_CONSUMER:
			consumer = optarg;
			break;
		case 't':
			mode = MODE_CHECK;
			break;
		case OPT_EXPLAIN:
			mode = MODE_EXPLAIN;
			break;
		case OPT_PROFILE:
			mode = MODE_PROFILE;
			break;
		case 'V':
			printf("moderatord %s\n", MODERATORD_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (optopt != 0 && optopt < 256)
				fprintf(stderr, "moderatord: bad option or missing "
				    "argument: -%c\n", optopt);
			else
				fprintf(stderr, "moderatord: bad option or missing "
				    "argument: %s\n", argv[optind - 1]);
			usage(stderr);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 0 && mode != MODE_EXPLAIN) {
		fprintf(stderr, "moderatord: unexpected argument '%s'\n", argv[0]);
		usage(stderr);
		return 1;
	}

	memset(&dm, 0, sizeof dm);
	config_init(&dm.cfg);
	if (config_load_file(&dm.cfg, conf, explicit) != 0) {
		fprintf(stderr, "moderatord: %s: configuration is not valid\n",
		    conf);
		config_free(&dm.cfg);
		return 1;
	}
	if (rules != NULL)
		set_string(&dm.cfg.rules_dir, rules);
	if (redis != NULL)
		set_string(&dm.cfg.redis_address, redis);
	if (consumer != NULL)
		set_string(&dm.cfg.consumer, consumer);
	if (dm.cfg.consumer == NULL || *dm.cfg.consumer == '\0') {
		if (gethostname(host, sizeof host) != 0 || *host == '\0')
			strcpy(host, "moderatord");
		host[sizeof host - 1] = '\0';
		set_string(&dm.cfg.consumer, host);
	}

	if (mode != MODE_RUN)
		sigprocmask(SIG_SETMASK, &old, NULL);
	switch (mode) {
	case MODE_CHECK:
		rc = check_main(&dm.cfg);
		break;
	case MODE_EXPLAIN:
		rc = explain_main(&dm.cfg, argc, argv, redis != NULL);
		break;
	case MODE_PROFILE:
		rc = profile_main(&dm.cfg);
		break;
	default:
		rc = daemon_run(&dm);
		break;
	}
	config_free(&dm.cfg);
	return rc;
}
