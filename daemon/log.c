/*
 * The operational log, after ntpd's log.c: a handful of calls, errno kept,
 * printf formats checked. Each line is one JSON object with ts, level and
 * msg, so operational lines and decision lines share one format.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "log.h"
#include "xmalloc.h"

static const char *const level_names[] = {
	"error", "warning", "info", "debug"
};

static void	vlog(struct logger *, enum log_level, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

int
log_level_parse(const char *s, enum log_level *out)
{
	size_t	i;

	for (i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (strcmp(s, "warn") == 0) {
		*out = LOG_LEVEL_WARN;
		return 0;
	}
	return -1;
}

/* Sets the logger up from the config. On error *cause says why. */
int
logger_open(struct logger *lg, const struct log_options *o, char **cause)
{
	memset(lg, 0, sizeof *lg);
	lg->level = LOG_LEVEL_INFO;
	if (o->level != NULL && log_level_parse(o->level, &lg->level) != 0) {
		xasprintf(cause, "unknown log level '%s'", o->level);
		return -1;
	}
	lg->to_stdout = o->to_stdout;
	lg->out = stdout;
	lg->decisions_stdout = o->decisions_stdout;
	lg->decisions_file = o->decisions_file;
	lg->text = o->text;
	lg->text_max = o->text_max;
	if (o->file != NULL && *o->file != '\0') {
		lg->path = xstrdup(o->file);
		return logger_reopen(lg, cause);
	}
	return 0;
}

/* Reopens the log file (after logrotate moved it away): SIGUSR1. */
int
logger_reopen(struct logger *lg, char **cause)
{
	FILE	*f;

	if (lg->path == NULL)
		return 0;
	if ((f = fopen(lg->path, "a")) == NULL) {
		xasprintf(cause, "%s: %s", lg->path, strerror(errno));
		return -1;
	}
	if (lg->file != NULL)
		fclose(lg->file);
	lg->file = f;
	return 0;
}

void
logger_close(struct logger *lg)
{
	if (lg->file != NULL)
		fclose(lg->file);
	if (lg->out != NULL)
		fflush(lg->out);
	free(lg->path);
	memset(lg, 0, sizeof *lg);
}

static int
wants(enum log_decisions mode, int action)
{
	if (action < 0)
		return 1;
	if (mode == LOG_DECISIONS_ALL)
		return 1;
	return mode == LOG_DECISIONS_FLAGGED && action > 0;
}

/*
 * Writes one finished JSON line to each sink that wants it. action is -1
 * for an operational line, else the decision's enum action. Operational
 * lines are flushed at once; decision lines with the batch (logger_flush).
 */
void
logger_write(struct logger *lg, const char *line, size_t len, int action)
{
	if (lg->to_stdout && lg->out != NULL &&
	    wants(lg->decisions_stdout, action)) {
		fwrite(line, 1, len, lg->out);
		fputc('\n', lg->out);
		if (action < 0)
			fflush(lg->out);
	}
	if (lg->file != NULL && wants(lg->decisions_file, action)) {
		fwrite(line, 1, len, lg->file);
		fputc('\n', lg->file);
		if (action < 0)
			fflush(lg->file);
	}
}

void
logger_flush(struct logger *lg)
{
	if (lg->to_stdout && lg->out != NULL)
		fflush(lg->out);
	if (lg->file != NULL)
		fflush(lg->file);
}

/* ISO 8601 in UTC with milliseconds, as jq and every log shipper read it. */
void
log_timestamp(char *buf, size_t len)
{
	struct timespec	ts;
	struct tm	tm;
	size_t		n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static void
vlog(struct logger *lg, enum log_level level, const char *fmt, va_list ap)
{
	struct jbuf	 j;
	char		 ts[40], *msg;
	int		 saved = errno;

	if (lg == NULL || level > lg->level)
		return;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	log_timestamp(ts, sizeof ts);
	jbuf_init(&j);
	jbuf_open(&j);
	jbuf_cstr(&j, "ts", ts);
	jbuf_cstr(&j, "level", level_names[level]);
	jbuf_cstr(&j, "msg", msg ? msg : fmt);
	jbuf_close(&j);
	logger_write(lg, j.p, j.len, -1);
	jbuf_free(&j);
	free(msg);
	errno = saved;
}

#define LOGFN(name, level)						\
void									\
name(struct logger *lg, const char *fmt, ...)				\
{									\
	va_list	ap;							\
									\
	va_start(ap, fmt);						\
	vlog(lg, level, fmt, ap);					\
	va_end(ap);							\
}
LOGFN(log_errorx, LOG_LEVEL_ERROR)
LOGFN(log_warnx, LOG_LEVEL_WARN)
LOGFN(log_info, LOG_LEVEL_INFO)
LOGFN(log_debug, LOG_LEVEL_DEBUG)
