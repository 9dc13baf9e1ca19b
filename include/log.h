#ifndef LOG_H
#define LOG_H

#include <stdio.h>

#include <stddef.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

enum log_decisions {
	LOG_DECISIONS_NONE,
	LOG_DECISIONS_FLAGGED,
	LOG_DECISIONS_ALL
};

/* How to log, as the config says; strings borrowed. */
struct log_options {
	char		*level;
	int		 to_stdout;
	char		*file;		/* NULL or "": no file */
	enum log_decisions decisions_stdout;
	enum log_decisions decisions_file;
	int		 text;		/* log comment text, cut to text_max */
	size_t		 text_max;
};

/*
 * The log sinks: stdout (journald under systemd) and an optional file,
 * reopened on SIGUSR1. Every line is one JSON object. The logger belongs
 * to the daemon context and is passed to whoever logs.
 */
struct logger {
	enum log_level	 level;
	int		 to_stdout;
	FILE		*out;		/* stdout, or a test's stream */
	char		*path;
	FILE		*file;
	enum log_decisions decisions_stdout;
	enum log_decisions decisions_file;
	int		 text;
	size_t		 text_max;
};

int	log_level_parse(const char *, enum log_level *);
int	logger_open(struct logger *, const struct log_options *, char **);
int	logger_reopen(struct logger *, char **);
void	logger_close(struct logger *);
void	logger_write(struct logger *, const char *, size_t, int);
void	logger_flush(struct logger *);

/*
 * ntpd's names: the x forms do not append strerror(errno), and no caller
 * needs the forms that would. errno is kept across every call.
 */
void	log_errorx(struct logger *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_warnx(struct logger *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_info(struct logger *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_debug(struct logger *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_timestamp(char *, size_t);

#endif
