#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "action.h"
#include "entry.h"
#include "log.h"
#include "ruleset.h"

/*
 * Everything the daemon reads from its config file. config_init() sets
 * the documented defaults; every string is owned by the struct.
 */
struct config {
	/* redis: */
	char		*redis_address;
	char		*redis_password;
	char		*redis_password_file;
	int		 redis_db;
	char		*sentinels;		/* "host:port,...", "": none */
	char		*master_name;
	char		*sentinel_password;	/* read from the file below */
	char		*sentinel_password_file;
	char		*input_stream;
	char		*output_stream;
	char		*group;
	char		*consumer;
	unsigned	 batch_size;
	unsigned	 block_ms;
	uint64_t	 output_maxlen;
	char		*rl_prefix;
	uint64_t	 rl_slack_ms;
	uint64_t	 command_timeout_ms;
	unsigned	 wait_replicas;		/* WAIT after each batch; 0: no */
	uint64_t	 wait_timeout_ms;
	uint64_t	 claim_idle_ms;
	unsigned	 max_deliveries;
	char		*dead_letter_stream;
	char		*verdict_stream;	/* "": verdicts off */
	char		*verdict_prefix;	/* keys of verdicts' counts */

	/* verdicts: */
	uint64_t	 verdict_window_ms;	/* a verdict later is unmatched */
	unsigned	 verdict_busy_rate;	/* a second while comments wait */

	/* classifier: */
	uint64_t	 classifier_min_learned; /* of each class, to classify */

	/* rules: */
	char		*rules_dir;
	char		*rules_cache_dir;	/* "": none */
	uint64_t	 rules_compile_budget_ms;
	struct rules_options rules;
	struct entry_limits limits;

	/* log: */
	struct log_options log;

	/* metrics: "" (off) or where GET /metrics and /healthz listen */
	char		*metrics_listen;
};

void	config_init(struct config *);
void	config_free(struct config *);
/* Reads path over the defaults; 0, or -1 with the errors in diag. */
int	config_load(struct config *, const char *, struct diag *);
/* config_load of a file that may be absent unless explicit; errors on stderr. */
int	config_load_file(struct config *, const char *, int);
/*
 * Fills redis_password from redis_password_file if one is set, and
 * sentinel_password from sentinel_password_file.
 */
int	config_read_password(struct config *, char **);

#endif
