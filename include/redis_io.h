#ifndef REDIS_IO_H
#define REDIS_IO_H

struct daemon;
struct redis_io;

/*
 * The Redis side of the daemon: one hiredis async connection on the
 * daemon's event base that reads batches with XREADGROUP and writes each
 * batch's decisions and acks with one call of the decide script.
 */
struct redis_io	*redis_io_new(struct daemon *);
void		 redis_io_free(struct redis_io *);
int		 redis_io_start(struct redis_io *);
/* Stop reading; the daemon's loop ends once nothing is in flight. */
void		 redis_io_stop(struct redis_io *);
int		 redis_io_idle(const struct redis_io *);

#endif
