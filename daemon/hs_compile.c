/*
 * Vectorscan compiles in watched children (after rspamd, which tries a
 * prefilter compile in a forked child with a time limit). The parent
 * only reads pipes: a child's result is a byte a pattern tested, or a
 * serialized database; a child that runs past its budget or its memory
 * is killed, and what it was doing fails alone. Where no child can be
 * forked the compile runs here, without a budget.
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hs.h>

#include "clock.h"
#include "hs_compile.h"
#include "xmalloc.h"

#define WORKERS_MAX	8
/* A database of n patterns, each tested within budget b (ms). */
#define GROUP_BUDGET_MS(b, n)	(10.0 * (b) + 40.0 * (double)(n))

enum job_kind { JOB_TEST, JOB_GROUP };

struct job {
	enum job_kind	 kind;
	size_t		 start;		/* JOB_TEST: patterns [start, end) */
	size_t		 end;
	struct hs_group	*group;		/* JOB_GROUP */
};

struct child {
	pid_t		 pid;
	int		 fd;
	struct job	 job;
	double		 since;		/* its budget runs from here (ms) */
	double		 budget;
	size_t		 rss0;		/* resident at fork: the parent's pages */
	unsigned char	*in;		/* what it wrote */
	size_t		 len;
	size_t		 cap;
	int		 killed;
};

struct pool {
	char		**exprs;	/* JOB_TEST */
	unsigned	  flags;
	unsigned char	 *out;
	struct job	 *queue;
	size_t		  nqueue;
	struct child	  kids[WORKERS_MAX];
	size_t		  nkids;
	size_t		  workers;
	double		  budget;	/* a pattern's test compile, ms */
	const volatile int *cancel;	/* set: kill them all, fail the rest */
};

static double
now_ms(void)
{
	return (double)clock_monotonic_us() / 1e3;
}

static size_t
workers(void)
{
	long	n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > WORKERS_MAX ? WORKERS_MAX : (size_t)n;
}

static void
write_all(int fd, const void *p, size_t n)
{
	const char	*s = p;
	ssize_t		 w;

	while (n > 0) {
		if ((w = write(fd, s, n)) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		s += w;
		n -= (size_t)w;
	}
}

/*
 * The machine the databases are built for: this one, without AVX-512.
 * A database built for AVX-512 scans no faster here (docs/BENCHMARKS.md)
 * and cannot be loaded where AVX-512 is missing: under valgrind, whose
 * emulated CPU stops at AVX2, or on an older host sharing a cache. Tuned
 * for no family: a cache entry must not depend on the CPU's model.
 */
void
hs_target_platform(struct hs_platform_info *p)
{
	memset(p, 0, sizeof *p);
	(void)hs_populate_platform(p);
	p->tune = HS_TUNE_FAMILY_GENERIC;
	p->cpu_features &= HS_CPU_FEATURES_AVX2;
}

static unsigned char
test_one(const char *expr, unsigned flags)
{
	hs_database_t		*db;
	hs_compile_error_t	*err;

	if (hs_compile(expr, flags, HS_MODE_BLOCK, NULL, &db, &err) ==
	    HS_SUCCESS) {
		hs_free_database(db);
		return HS_OUT_EXACT;
	}
	hs_free_compile_error(err);
	if (hs_compile(expr, flags | HS_FLAG_PREFILTER, HS_MODE_BLOCK, NULL, &db,
	    &err) == HS_SUCCESS) {
		hs_free_database(db);
		return HS_OUT_PREFILTER;
	}
	hs_free_compile_error(err);
	return HS_OUT_FAILED;
}

/*
 * A group's database, serialized (*len bytes, allocated), or NULL with
 * *why (static or allocated in *whybuf).
 */
static char *
group_build(const struct hs_group *g, size_t *len, char *whybuf, size_t whylen)
{
	hs_database_t		*db;
	hs_compile_error_t	*err;
	hs_platform_info_t	 plat;
	char			*bytes;

	hs_target_platform(&plat);
	if (hs_compile_multi((const char *const *)g->exprs, g->flags, g->ids,
	    (unsigned)g->n, HS_MODE_BLOCK, &plat, &db, &err) != HS_SUCCESS) {
		snprintf(whybuf, whylen, "%s", err->message);
		hs_free_compile_error(err);
		return NULL;
	}
	if (hs_serialize_database(db, &bytes, len) != HS_SUCCESS) {
		snprintf(whybuf, whylen, "cannot serialize the database");
		bytes = NULL;
	}
	hs_free_database(db);
	return bytes;
}

/* Closes every descriptor but keep. */
static void
close_others(int keep)
{
	long	max = sysconf(_SC_OPEN_MAX);
	int	fd;

	if ((keep == 0 || close_range(0, (unsigned)keep - 1, 0) == 0) &&
	    close_range((unsigned)keep + 1, ~0u, 0) == 0)
		return;
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 0; fd < max; fd++)
		if (fd != keep)
			(void)close(fd);
}

/* The child: a job's results down fd, then out. */
static void
child_main(struct pool *p, const struct job *j, int fd, pid_t parent)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2,
	    SIGPIPE };
	sigset_t	 none;
	char		 why[512];
	char		*bytes;
	uint64_t	 n;
	size_t		 i, len;
	unsigned char	 c;

	/* A child outlives no parent (killed, say): it would compile on. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(1);
	/*
	 * Only its pipe stays open: the parent's stdio buffers came along,
	 * and whatever flushes them at exit (valgrind's libc cleanup does)
	 * would write them to the daemon's log a second time.
	 */
	close_others(fd);
	/* The daemon's handlers would wake its loop from here. */
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (j->kind == JOB_TEST) {
		for (i = j->start; i < j->end; i++) {
			c = test_one(p->exprs[i], p->flags);
			write_all(fd, &c, 1);
		}
		_exit(0);
	}
	if ((bytes = group_build(j->group, &len, why, sizeof why)) == NULL) {
		n = UINT64_MAX;
		write_all(fd, &n, sizeof n);
		write_all(fd, why, strlen(why));
		_exit(0);
	}
	n = len;
	write_all(fd, &n, sizeof n);
	write_all(fd, bytes, len);
	_exit(0);
}

/* A job done here, without a budget: no child could be forked. */
static void
run_here(struct pool *p, const struct job *j)
{
	struct hs_group	*g = j->group;
	char		 why[512], *bytes;
	size_t		 i, len;
	double		 t0 = now_ms();

	if (j->kind == JOB_TEST) {
		for (i = j->start; i < j->end; i++)
			p->out[i] = test_one(p->exprs[i], p->flags);
		return;
	}
	if ((bytes = group_build(g, &len, why, sizeof why)) == NULL) {
		g->why = "the group does not compile";
		return;
	}
	if (hs_deserialize_database(bytes, len, &g->db) != HS_SUCCESS) {
		g->db = NULL;
		g->why = "cannot load the compiled database";
	}
	free(bytes);
	g->ms = now_ms() - t0;
}

static size_t	rss(pid_t);

static int
spawn(struct pool *p, const struct job *j)
{
	struct child	*k = &p->kids[p->nkids];
	int		 fd[2];
	pid_t		 pid, parent = getpid();

	if (pipe(fd) != 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		close(fd[0]);
		child_main(p, j, fd[1], parent);
	}
	close(fd[1]);
	memset(k, 0, sizeof *k);
	k->pid = pid;
	k->fd = fd[0];
	k->job = *j;
	k->since = now_ms();
	k->budget = j->kind == JOB_TEST ? p->budget :
	    GROUP_BUDGET_MS(p->budget, j->group->n);
	k->rss0 = rss(pid);
	p->nkids++;
	return 0;
}

/* The child's resident memory, in bytes (0 if unknown). */
static size_t
rss(pid_t pid)
{
	char		 path[64];
	FILE		*f;
	unsigned long	 size, res = 0;

	snprintf(path, sizeof path, "/proc/%ld/statm", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (size_t)res * (size_t)sysconf(_SC_PAGESIZE);
}

static void
push(struct pool *p, struct job j)
{
	p->queue = xreallocarray(p->queue, p->nqueue + 1, sizeof *p->queue);
	memmove(p->queue + 1, p->queue, p->nqueue * sizeof *p->queue);
	p->queue[0] = j;
	p->nqueue++;
}

/* A child is done (EOF, or killed): its results, and what is left. */
static void
reap(struct pool *p, size_t i)
{
	struct child	*k = &p->kids[i];
	struct hs_group	*g = k->job.group;
	struct job	 rest;
	uint64_t	 n;
	size_t		 done, x;
	ssize_t		 r;
	int		 status;

	while (waitpid(k->pid, &status, 0) < 0 && errno == EINTR)
		;
	/* What it wrote before it died is still in the pipe. */
	for (;;) {
		if (k->len + 65536 > k->cap) {
			k->cap = (k->len + 65536) * 2;
			k->in = xreallocarray(k->in, k->cap, 1);
		}
		if ((r = read(k->fd, k->in + k->len, k->cap - k->len)) > 0)
			k->len += (size_t)r;
		else if (r == 0 || errno != EINTR)
			break;
	}
	close(k->fd);
	if (k->job.kind == JOB_TEST) {
		done = k->len < k->job.end - k->job.start ? k->len :
		    k->job.end - k->job.start;
		for (x = 0; x < done; x++)
			p->out[k->job.start + x] = k->in[x];
		if (k->job.start + done < k->job.end) {
			/* The pattern it was on fails; the others go on. */
			p->out[k->job.start + done] = k->killed ? HS_OUT_OVER :
			    HS_OUT_FAILED;
			if (k->job.start + done + 1 < k->job.end) {
				rest = k->job;
				rest.start = k->job.start + done + 1;
				push(p, rest);
			}
		}
	} else {
		g->ms = now_ms() - k->since;
		if (k->killed) {
			g->why = "over its compile budget";
			g->killed = 1;
		} else if (k->len < sizeof n)
			g->why = "the compiler died";
		else {
			memcpy(&n, k->in, sizeof n);
			if (n == UINT64_MAX || n != k->len - sizeof n)
				g->why = "the group does not compile";
			else if (hs_deserialize_database((char *)k->in + sizeof n,
			    (size_t)n, &g->db) != HS_SUCCESS) {
				g->db = NULL;
				g->why = "cannot load the compiled database";
			}
		}
	}
	free(k->in);
	p->kids[i] = p->kids[--p->nkids];
}

/* Runs every queued job, p->workers at a time. */
static void
run(struct pool *p)
{
	struct pollfd	 pfd[WORKERS_MAX];
	struct child	*k;
	struct job	 j;
	size_t		 i;
	ssize_t		 r;
	double		 t;

	while (p->nqueue > 0 || p->nkids > 0) {
		if (p->cancel != NULL && *p->cancel) {
			/* What is queued fails: its outcomes say so already. */
			for (i = p->nkids; i-- > 0;) {
				kill(p->kids[i].pid, SIGKILL);
				p->kids[i].killed = 1;
				reap(p, i);
			}
			p->nqueue = 0;	/* reap requeued what was left */
			continue;
		}
		while (p->nqueue > 0 && p->nkids < p->workers) {
			j = p->queue[0];
			memmove(p->queue, p->queue + 1, --p->nqueue *
			    sizeof *p->queue);
			if (spawn(p, &j) != 0)
				run_here(p, &j);
		}
		for (i = 0; i < p->nkids; i++) {
			pfd[i].fd = p->kids[i].fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, p->nkids, 50) < 0 && errno != EINTR)
			break;
		t = now_ms();
		for (i = p->nkids; i-- > 0;) {
			k = &p->kids[i];
			if (pfd[i].revents != 0) {
				if (k->len + 65536 > k->cap) {
					k->cap = (k->len + 65536) * 2;
					k->in = xreallocarray(k->in, k->cap, 1);
				}
				r = read(k->fd, k->in + k->len, k->cap - k->len);
				if (r > 0) {
					if (k->job.kind == JOB_TEST)
						k->since = t;	/* a pattern each */
					k->len += (size_t)r;
					continue;
				}
				if (r < 0 && errno == EINTR)
					continue;
				reap(p, i);
				continue;
			}
			/* A fork shares its parent's pages: count its growth. */
			if (t - k->since > k->budget || rss(k->pid) >
			    k->rss0 + HS_MEMORY_MAX) {
				kill(k->pid, SIGKILL);
				k->killed = 1;
				reap(p, i);
			}
		}
	}
	free(p->queue);
	p->queue = NULL;
}

/*
 * Test-compiles each of the n expressions alone with flags, exact then
 * as a prefilter, within budget ms each: out[i] is its hs_outcome.
 */
void
hs_compile_test(char **exprs, unsigned flags, size_t n, unsigned char *out,
    double budget, const volatile int *cancel)
{
	struct pool	p;
	struct job	j;
	size_t		i, batch;

	memset(&p, 0, sizeof p);
	p.exprs = exprs;
	p.flags = flags;
	p.out = out;
	p.budget = budget;
	p.cancel = cancel;
	memset(out, HS_OUT_FAILED, n);
	p.workers = workers();
	batch = n / (p.workers * 4) + 1;
	if (batch > 64)
		batch = 64;
	memset(&j, 0, sizeof j);
	j.kind = JOB_TEST;
	for (i = n; i > 0; i -= j.end - j.start) {
		j.end = i;
		j.start = i > batch ? i - batch : 0;
		push(&p, j);
	}
	run(&p);
}

/*
 * Compiles each group into its database (or why it has none), within a
 * budget that grows with its patterns (budget: one pattern's).
 */
void
hs_compile_groups(struct hs_group *g, size_t n, double budget,
    const volatile int *cancel)
{
	struct pool	p;
	struct job	j;
	size_t		i;

	memset(&p, 0, sizeof p);
	p.workers = workers();
	p.budget = budget;
	p.cancel = cancel;
	memset(&j, 0, sizeof j);
	j.kind = JOB_GROUP;
	for (i = n; i-- > 0;) {
		g[i].db = NULL;
		g[i].why = "given up";
		g[i].killed = 0;
		j.group = &g[i];
		push(&p, j);
	}
	run(&p);
}
