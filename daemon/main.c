/* moderatord: command line, modes and exit codes. */

#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "daemon.h"
#include "modes.h"
#include "xmalloc.h"

enum mode { MODE_RUN, MODE_CHECK, MODE_EXPLAIN, MODE_PROFILE, MODE_REPLAY };
enum { OPT_REDIS = 256, OPT_CONSUMER, OPT_EXPLAIN, OPT_PROFILE, OPT_REPLAY,
    OPT_JSON, OPT_FAIL_ON_CHANGE, OPT_FROM_STREAM, OPT_COUNT, OPT_AT,
    OPT_VERDICTS, OPT_FROM_VERDICTS };

static const struct option longopts[] = {
	{ "config",	required_argument,	NULL, 'c' },
	{ "rules",	required_argument,	NULL, 'r' },
	{ "redis",	required_argument,	NULL, OPT_REDIS },
	{ "consumer",	required_argument,	NULL, OPT_CONSUMER },
	{ "check",	no_argument,		NULL, 't' },
	{ "explain",	no_argument,		NULL, OPT_EXPLAIN },
	{ "profile",	no_argument,		NULL, OPT_PROFILE },
	{ "replay",	required_argument,	NULL, OPT_REPLAY },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "fail-on-change", no_argument,	NULL, OPT_FAIL_ON_CHANGE },
	{ "from-stream", required_argument,	NULL, OPT_FROM_STREAM },
	{ "count",	required_argument,	NULL, OPT_COUNT },
	{ "at",		required_argument,	NULL, OPT_AT },
	{ "verdicts",	required_argument,	NULL, OPT_VERDICTS },
	{ "from-verdicts", no_argument,		NULL, OPT_FROM_VERDICTS },
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
"       moderatord --replay OLD_RULES_DIR [-r NEW_RULES_DIR] [--json]\n"
"                  [--fail-on-change] [--at TIME] < comments.jsonl\n"
"       moderatord --replay OLD_RULES_DIR [-r NEW_RULES_DIR] --redis URL\n"
"                  --from-stream KEY [--count N] [--json] [--fail-on-change]\n"
"                  (either with --verdicts FILE or --from-verdicts)\n"
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
"      --replay DIR    decide a capture with the rules of DIR (old) and\n"
"                      of -r (new); report what changes: exit 0, or 2\n"
"                      with --fail-on-change when a decision changes\n"
"      --from-stream KEY  replay the last --count N (default 1000)\n"
"                      entries of a stream, not consumed\n"
"      --json          the replay report as one JSON object\n"
"      --verdicts FILE moderators' verdicts (JSON lines: id, verdict) that\n"
"                      judge the replay: what each rule gains or loses that\n"
"                      they removed or approved, each rule set's precision\n"
"      --from-verdicts the same from the verdict stream (needs --redis)\n"
"      --at TIME       --explain or --replay as at TIME (ISO 8601), for\n"
"                      rules with valid_from or valid_until\n"
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
	char		 host[HOST_NAME_MAX + 1], *end;
	sigset_t	 sigs, old;
	int		 ch, explicit = 0, rc;
	struct replay_opts ro;
	const char	*at = NULL;

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

	memset(&ro, 0, sizeof ro);
	ro.count = 1000;
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
		case OPT_REPLAY:
			mode = MODE_REPLAY;
			ro.old_dir = optarg;
			break;
		case OPT_JSON:
			ro.json = 1;
			break;
		case OPT_FAIL_ON_CHANGE:
			ro.fail_on_change = 1;
			break;
		case OPT_FROM_STREAM:
			ro.stream = optarg;
			break;
		case OPT_COUNT:
			ro.count = strtoul(optarg, &end, 10);
			if (*optarg < '1' || *optarg > '9' || *end != '\0' ||
			    ro.count > 10000000) {
				fprintf(stderr, "moderatord: --count must be 1 to "
				    "10000000\n");
				return 1;
			}
			break;
		case OPT_VERDICTS:
			ro.verdicts = optarg;
			break;
		case OPT_FROM_VERDICTS:
			ro.from_verdicts = 1;
			break;
		case OPT_AT:
			at = optarg;
			if (clock_parse_iso8601(at, &ro.at) != 0) {
				fprintf(stderr, "moderatord: --at: not an ISO 8601 "
				    "time (UTC unless it has an offset), such as "
				    "2026-11-03T06:00:00Z: '%s'\n", at);
				return 1;
			}
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
	if ((ro.json || ro.fail_on_change || ro.stream || ro.verdicts ||
	    ro.from_verdicts) && mode != MODE_REPLAY) {
		fprintf(stderr, "moderatord: --json, --fail-on-change, "
		    "--from-stream, --verdicts and --from-verdicts go with "
		    "--replay\n");
		return 1;
	}
	if (ro.verdicts != NULL && ro.from_verdicts) {
		fprintf(stderr, "moderatord: --verdicts or --from-verdicts, not "
		    "both\n");
		return 1;
	}
	if (ro.from_verdicts && redis == NULL) {
		fprintf(stderr, "moderatord: --from-verdicts needs --redis\n");
		return 1;
	}
	if (at != NULL && mode != MODE_REPLAY && mode != MODE_EXPLAIN) {
		fprintf(stderr, "moderatord: --at goes with --explain or "
		    "--replay\n");
		return 1;
	}
	if (mode == MODE_REPLAY && ro.stream != NULL && redis == NULL) {
		fprintf(stderr, "moderatord: --from-stream needs --redis\n");
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
	if (redis != NULL) {
		/* An address named here is where Redis is: no sentinels. */
		set_string(&dm.cfg.redis_address, redis);
		set_string(&dm.cfg.sentinels, "");
	}
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
		rc = explain_main(&dm.cfg, argc, argv, redis != NULL, ro.at);
		break;
	case MODE_PROFILE:
		rc = profile_main(&dm.cfg);
		break;
	case MODE_REPLAY:
		rc = replay_main(&dm.cfg, &ro);
		break;
	default:
		rc = daemon_run(&dm);
		break;
	}
	config_free(&dm.cfg);
	return rc;
}
