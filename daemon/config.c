/*
 * The config file: YAML sections redis, rules, verdicts, classifier, log
 * and metrics, each key in one table with its type and bounds.
 * config_init() holds the defaults that moderatord.conf.example documents.
 */

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address.h"
#include "config.h"
#include "log.h"
#include "xmalloc.h"
#include "yfile.h"

#define PASSWORD_FILE_MAX	4096

enum ckind { C_STR, C_UINT, C_U32, C_SIZE, C_INT, C_BOOL, C_ACTION,
    C_DECISIONS, C_LEVEL, C_DURATION, C_LISTEN, C_LIST };

struct ckey {
	const char	*section;
	const char	*key;
	enum ckind	 kind;
	size_t		 off;
	uint64_t	 min;
	uint64_t	 max;
};

#define O(f)	offsetof(struct config, f)
static const struct ckey ckeys[] = {
	{ "redis", "address", C_STR, O(redis_address), 0, 0 },
	{ "redis", "password", C_STR, O(redis_password), 0, 0 },
	{ "redis", "password_file", C_STR, O(redis_password_file), 0, 0 },
	{ "redis", "database", C_INT, O(redis_db), 0, 65535 },
	{ "redis", "sentinels", C_LIST, O(sentinels), 0, 0 },
	{ "redis", "master_name", C_STR, O(master_name), 0, 0 },
	{ "redis", "sentinel_password_file", C_STR,
	    O(sentinel_password_file), 0, 0 },
	{ "redis", "input_stream", C_STR, O(input_stream), 1, 0 },
	{ "redis", "output_stream", C_STR, O(output_stream), 1, 0 },
	{ "redis", "group", C_STR, O(group), 1, 0 },
	{ "redis", "consumer", C_STR, O(consumer), 0, 0 },
	{ "redis", "batch_size", C_U32, O(batch_size), 1, 10000 },
	{ "redis", "block_ms", C_U32, O(block_ms), 1, 60000 },
	{ "redis", "wait_replicas", C_U32, O(wait_replicas), 0, 64 },
	{ "redis", "wait_timeout", C_DURATION, O(wait_timeout_ms), 1, 60000 },
	{ "redis", "output_maxlen", C_UINT, O(output_maxlen), 1, UINT64_MAX },
	{ "redis", "rate_limit_prefix", C_STR, O(rl_prefix), 0, 0 },
	{ "redis", "rate_limit_slack", C_DURATION, O(rl_slack_ms), 0,
	    7 * 86400000ull },
	{ "redis", "command_timeout", C_DURATION, O(command_timeout_ms), 100,
	    600000 },
	{ "redis", "claim_idle", C_DURATION, O(claim_idle_ms), 1000,
	    7 * 86400000ull },
	{ "redis", "max_deliveries", C_U32, O(max_deliveries), 1, 1000 },
	{ "redis", "dead_letter_stream", C_STR, O(dead_letter_stream), 1, 0 },
	{ "redis", "verdict_stream", C_STR, O(verdict_stream), 0, 0 },
	{ "redis", "verdict_prefix", C_STR, O(verdict_prefix), 1, 0 },
	{ "verdicts", "window", C_DURATION, O(verdict_window_ms), 60000,
	    366 * 86400000ull },
	{ "verdicts", "busy_rate", C_U32, O(verdict_busy_rate), 0, 1000000 },
	{ "classifier", "min_learned", C_UINT, O(classifier_min_learned), 1,
	    UINT64_MAX },
	{ "rules", "directory", C_STR, O(rules_dir), 1, 0 },
	{ "rules", "default_action", C_ACTION, O(rules.default_action), 0, 0 },
	{ "rules", "jit", C_BOOL, O(rules.jit), 0, 0 },
	{ "rules", "prefilter", C_BOOL, O(rules.prefilter), 0, 0 },
	{ "rules", "cache_dir", C_STR, O(rules_cache_dir), 0, 0 },
	{ "rules", "compile_budget", C_DURATION, O(rules_compile_budget_ms), 1,
	    600000 },
	{ "rules", "match_limit", C_U32, O(rules.match_limit), 1, UINT32_MAX },
	{ "rules", "depth_limit", C_U32, O(rules.depth_limit), 1, UINT32_MAX },
	{ "rules", "jit_stack_max", C_SIZE, O(rules.jit_stack_max),
	    32 * 1024, 1024 * 1024 * 1024 },
	{ "rules", "max_text_length", C_SIZE, O(limits.max_text), 1,
	    64 * 1024 * 1024 },
	{ "rules", "max_fields", C_SIZE, O(limits.max_fields), 2, 100000 },
	{ "rules", "max_field_length", C_SIZE, O(limits.max_field), 1,
	    64 * 1024 * 1024 },
	{ "log", "level", C_LEVEL, O(log.level), 0, 0 },
	{ "log", "stdout", C_BOOL, O(log.to_stdout), 0, 0 },
	{ "log", "stdout_decisions", C_DECISIONS, O(log.decisions_stdout),
	    0, 0 },
	{ "log", "file", C_STR, O(log.file), 0, 0 },
	{ "log", "file_decisions", C_DECISIONS, O(log.decisions_file), 0, 0 },
	{ "log", "text", C_BOOL, O(log.text), 0, 0 },
	{ "log", "text_max", C_SIZE, O(log.text_max), 1, 65536 },
	{ "metrics", "listen", C_LISTEN, O(metrics_listen), 0, 0 },
};
#undef O

static int	parse_log_decisions(const char *, enum log_decisions *);
static int	set_key(struct config *, const struct ckey *, struct diag *,
		    struct yfile *, yaml_node_t *);
static void	cache_dir_resolve(struct config *);
static void	load_section(struct config *, const char *, struct diag *,
		    struct yfile *, yaml_node_t *);

/*
 * The automaton's cache, when the config names none (""): under systemd
 * the unit's CacheDirectory= (the first of $CACHE_DIRECTORY), else none.
 */
static void
cache_dir_resolve(struct config *c)
{
	const char	*env = getenv("CACHE_DIRECTORY");
	size_t		 n = env != NULL ? strcspn(env, ":") : 0;

	if (*c->rules_cache_dir == '\0' && n > 0) {
		free(c->rules_cache_dir);
		c->rules_cache_dir = xstrndup(env, n);
	}
	c->rules.cache_dir = *c->rules_cache_dir != '\0' ? c->rules_cache_dir :
	    NULL;
}

void
config_init(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->redis_address = xstrdup("127.0.0.1:6379");
	c->redis_db = 0;
	c->input_stream = xstrdup("comments:in");
	c->output_stream = xstrdup("comments:decisions");
	c->group = xstrdup("moderators");
	c->batch_size = 256;
	c->block_ms = 2000;
	c->output_maxlen = 1000000;
	c->rl_prefix = xstrdup("moderatord:rl:");
	c->rl_slack_ms = 600000;
	c->command_timeout_ms = 5000;
	c->wait_replicas = 0;
	c->wait_timeout_ms = 1000;
	c->claim_idle_ms = 60000;
	c->max_deliveries = 5;
	c->dead_letter_stream = xstrdup("comments:dead");
	c->sentinels = xstrdup("");
	c->master_name = xstrdup("");
	c->verdict_stream = xstrdup("comments:verdicts");
	c->verdict_prefix = xstrdup("moderatord:v:");
	c->verdict_window_ms = 7 * 86400000ull;
	c->verdict_busy_rate = 100;
	c->classifier_min_learned = 200;
	c->rules_dir = xstrdup(MODERATORD_RULES_DEFAULT);
	ruleset_options_default(&c->rules);
	c->rules_cache_dir = xstrdup("");
	cache_dir_resolve(c);
	c->rules_compile_budget_ms = (uint64_t)RULES_DEFAULT_COMPILE_BUDGET_MS;
	entry_limits_default(&c->limits);
	c->log.level = xstrdup("info");
	c->log.to_stdout = 1;
	c->log.decisions_stdout = LOG_DECISIONS_FLAGGED;
	c->log.decisions_file = LOG_DECISIONS_ALL;
	c->log.text = 0;
	c->log.text_max = 200;
	c->metrics_listen = xstrdup("");
}

void
config_free(struct config *c)
{
	size_t	 i;
	char	**sp;

	for (i = 0; i < sizeof ckeys / sizeof ckeys[0]; i++) {
		if (ckeys[i].kind != C_STR && ckeys[i].kind != C_LEVEL &&
		    ckeys[i].kind != C_LISTEN && ckeys[i].kind != C_LIST)
			continue;
		sp = (char **)((char *)c + ckeys[i].off);
		if (*sp != NULL && ckeys[i].off == offsetof(struct config,
		    redis_password))
			explicit_bzero(*sp, strlen(*sp));
		free(*sp);
		*sp = NULL;
	}
	if (c->sentinel_password != NULL)
		explicit_bzero(c->sentinel_password,
		    strlen(c->sentinel_password));
	free(c->sentinel_password);
	c->sentinel_password = NULL;
}

static int
parse_log_decisions(const char *s, enum log_decisions *out)
{
	if (strcmp(s, "all") == 0)
		*out = LOG_DECISIONS_ALL;
	else if (strcmp(s, "flagged") == 0)
		*out = LOG_DECISIONS_FLAGGED;
	else if (strcmp(s, "none") == 0)
		*out = LOG_DECISIONS_NONE;
	else
		return -1;
	return 0;
}

/* A list of scalars (or one scalar) -> "a,b,c"; no entry may hold ','. */
static int
set_list(struct diag *d, struct yfile *yf, yaml_node_t *v, const char *key,
    char **field)
{
	yaml_node_item_t	*it;
	yaml_node_t		*e;
	const char		*s;
	char			*out, *was;

	if (v->type == YAML_SCALAR_NODE) {
		free(*field);
		*field = xstrdup(yfile_scalar(v));
		return 0;
	}
	if (v->type != YAML_SEQUENCE_NODE) {
		yfile_error(d, yf, v, "%s must be a list", key);
		return -1;
	}
	out = xstrdup("");
	for (it = v->data.sequence.items.start;
	    it < v->data.sequence.items.top; it++) {
		e = yfile_node(yf, *it);
		if (yfile_want_scalar(d, yf, e, key) != 0) {
			free(out);
			return -1;
		}
		s = yfile_scalar(e);
		if (*s == '\0' || strchr(s, ',') != NULL) {
			yfile_error(d, yf, e, "%s: '%s' is not an address", key,
			    s);
			free(out);
			return -1;
		}
		was = out;
		xasprintf(&out, "%s%s%s", was, *was ? "," : "", s);
		free(was);
	}
	free(*field);
	*field = out;
	return 0;
}

static int
set_key(struct config *c, const struct ckey *k, struct diag *d,
    struct yfile *yf, yaml_node_t *v)
{
	void		*field = (char *)c + k->off;
	const char	*s;
	char		*host = NULL, *cause = NULL;
	uint64_t	 u;
	enum log_level	 lvl;
	int		 port;

	switch (k->kind) {
	case C_LIST:
		return set_list(d, yf, v, k->key, (char **)field);
	case C_STR:
	case C_LEVEL:
	case C_LISTEN:
		if (yfile_want_scalar(d, yf, v, k->key) != 0)
			return -1;
		s = yfile_scalar(v);
		if (k->kind == C_LISTEN && *s != '\0' &&
		    address_parse_listen(s, &host, &port, &cause) != 0) {
			yfile_error(d, yf, v, "listen: %s", cause);
			free(cause);
			return -1;
		}
		free(host);
		if (k->min > 0 && *s == '\0') {
			yfile_error(d, yf, v, "%s must not be empty", k->key);
			return -1;
		}
		if (k->kind == C_LEVEL && log_level_parse(s, &lvl) != 0) {
			yfile_error(d, yf, v, "level must be error, warning, "
			    "info or debug, not '%s'", s);
			return -1;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(s);
		return 0;
	case C_BOOL:
		return yfile_bool(d, yf, v, (int *)field);
	case C_DURATION:
		return yfile_duration_ms(d, yf, v, k->min, k->max,
		    (uint64_t *)field);
	case C_ACTION:
		if (yfile_want_scalar(d, yf, v, k->key) != 0)
			return -1;
		if (action_parse(yfile_scalar(v), (enum action *)field) != 0) {
			yfile_error(d, yf, v, "action must be approve, flag or "
			    "reject, not '%s'", yfile_scalar(v));
			return -1;
		}
		return 0;
	case C_DECISIONS:
		if (yfile_want_scalar(d, yf, v, k->key) != 0)
			return -1;
		if (parse_log_decisions(yfile_scalar(v),
		    (enum log_decisions *)field) != 0) {
			yfile_error(d, yf, v, "%s must be all, flagged or none, "
			    "not '%s'", k->key, yfile_scalar(v));
			return -1;
		}
		return 0;
	case C_UINT:
	case C_U32:
	case C_SIZE:
	case C_INT:
		if (yfile_uint(d, yf, v, k->min, k->max, &u) != 0)
			return -1;
		if (k->kind == C_UINT)
			*(uint64_t *)field = u;
		else if (k->kind == C_U32)
			*(uint32_t *)field = (uint32_t)u;
		else if (k->kind == C_SIZE)
			*(size_t *)field = (size_t)u;
		else
			*(int *)field = (int)u;
		return 0;
	}
	return -1;
}

static void
load_section(struct config *c, const char *section, struct diag *d,
    struct yfile *yf, yaml_node_t *map)
{
	const char		*allowed[sizeof ckeys / sizeof ckeys[0] + 1];
	yaml_node_pair_t	*p;
	yaml_node_t		*k;
	size_t			 i, n = 0;

	for (i = 0; i < sizeof ckeys / sizeof ckeys[0]; i++)
		if (strcmp(ckeys[i].section, section) == 0)
			allowed[n++] = ckeys[i].key;
	allowed[n] = NULL;
	if (yfile_mapping_check(d, yf, map, allowed, section) != 0 &&
	    map->type != YAML_MAPPING_NODE)
		return;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	    p++) {
		k = yfile_node(yf, p->key);
		for (i = 0; i < sizeof ckeys / sizeof ckeys[0]; i++) {
			if (strcmp(ckeys[i].section, section) != 0 ||
			    yfile_scalar(k) == NULL ||
			    strcmp(ckeys[i].key, yfile_scalar(k)) != 0)
				continue;
			set_key(c, &ckeys[i], d, yf, yfile_node(yf, p->value));
		}
	}
}

/*
 * Reads the YAML file at path over what c holds. Reports every error in
 * d and returns -1 if there was any; c may then be partly updated.
 */
int
config_load(struct config *c, const char *path, struct diag *d)
{
	static const char *const sections[] = { "redis", "rules", "log",
	    "metrics", "verdicts", "classifier", NULL };
	struct yfile		 yf;
	yaml_node_t		*root;
	yaml_node_pair_t	*p;
	const char		*section;
	size_t			 before = d->n;

	if (yfile_load(&yf, path, d) != 0) {
		yfile_free(&yf);
		return -1;
	}
	root = yfile_root(&yf);
	/* Unknown sections are reported; the known ones are still read. */
	if (root != NULL && (yfile_mapping_check(d, &yf, root, sections,
	    "the config") == 0 || root->type == YAML_MAPPING_NODE)) {
		for (p = root->data.mapping.pairs.start;
		    p < root->data.mapping.pairs.top; p++) {
			section = yfile_scalar(yfile_node(&yf, p->key));
			if (section != NULL && (strcmp(section, "redis") == 0 ||
			    strcmp(section, "rules") == 0 ||
			    strcmp(section, "log") == 0 ||
			    strcmp(section, "verdicts") == 0 ||
			    strcmp(section, "classifier") == 0 ||
			    strcmp(section, "metrics") == 0))
				load_section(c, section, d, &yf,
				    yfile_node(&yf, p->value));
		}
	}
	yfile_free(&yf);
	if (*c->sentinels != '\0' && *c->master_name == '\0')
		diag_add(d, path, 0, 0, "redis: sentinels need master_name");
	if (c->wait_replicas > 0 && c->wait_timeout_ms >= c->command_timeout_ms)
		diag_add(d, path, 0, 0, "redis: wait_timeout must be shorter "
		    "than command_timeout");
	cache_dir_resolve(c);
	c->rules.compile_budget_ms = (double)c->rules_compile_budget_ms;
	return d->n == before ? 0 : -1;
}

/*
 * The default config file is optional: built-in defaults apply if it does
 * not exist. A file named with -c (explicit) must exist. Errors go to
 * stderr.
 */
int
config_load_file(struct config *c, const char *path, int explicit)
{
	struct diag	d;
	struct stat	sb;
	int		rc;

	if (!explicit && stat(path, &sb) != 0 && errno == ENOENT)
		return 0;
	diag_init(&d);
	rc = config_load(c, path, &d);
	diag_print(&d, stderr, "");
	diag_free(&d);
	return rc;
}

/* The first line of path, without its newline ("" -> NULL), in *out. */
static int
read_secret(const char *path, char **out, char **cause)
{
	FILE		*f;
	char		 buf[PASSWORD_FILE_MAX + 1];
	size_t		 n;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, PASSWORD_FILE_MAX, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (*out != NULL) {
		explicit_bzero(*out, strlen(*out));
		free(*out);
	}
	*out = *buf ? xstrdup(buf) : NULL;
	explicit_bzero(buf, sizeof buf);
	return 0;
}

/*
 * Reads the password from redis_password_file (a systemd credential, say):
 * the first line, without its newline. An empty file means no password.
 * Without a password_file, systemd's credential redis-password is used if
 * the unit passed one. sentinel_password_file is read the same way.
 */
int
config_read_password(struct config *c, char **cause)
{
	const char	*dir;

	if ((c->redis_password_file == NULL || *c->redis_password_file ==
	    '\0') && (dir = getenv("CREDENTIALS_DIRECTORY")) != NULL) {
		/* systemd's LoadCredential=redis-password, if it is there. */
		free(c->redis_password_file);
		xasprintf(&c->redis_password_file, "%s/redis-password", dir);
		if (access(c->redis_password_file, F_OK) != 0) {
			free(c->redis_password_file);
			c->redis_password_file = NULL;
		}
	}
	if (c->redis_password_file != NULL && *c->redis_password_file !=
	    '\0' && read_secret(c->redis_password_file, &c->redis_password,
	    cause) != 0)
		return -1;
	if (c->sentinel_password_file != NULL &&
	    *c->sentinel_password_file != '\0' &&
	    read_secret(c->sentinel_password_file, &c->sentinel_password,
	    cause) != 0)
		return -1;
	return 0;
}
