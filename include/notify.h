#ifndef NOTIFY_H
#define NOTIFY_H

#include <stdint.h>

/* sd_notify when built with libsystemd and run under systemd; else nothing. */
void	notify_ready(void);
void	notify_reloading(void);
void	notify_stopping(void);
uint64_t notify_watchdog_usec(void);
void	notify_watchdog(void);
void	notify_status(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
