/*
 * The automaton's database cache (hs_cache.h). An entry, KEY.hsdb:
 *
 *	"MODHSDB1"  key (64 hex)  n (u64)  outcomes (n bytes)
 *	db length (u64)  serialized database  SHA-256 of all before it
 *
 * Written to a temporary name and renamed, so that a reader sees a whole
 * entry or none; two daemons writing the same entry write the same bytes.
 * A load touches the entry; a store removes entries nobody loaded for
 * HS_CACHE_MAX_AGE, so that a directory of edited rule sets stays small.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hs.h>
#include <nettle/sha2.h>

#include "hs_cache.h"
#include "hs_compile.h"
#include "hs_rewrite.h"
#include "xmalloc.h"

#define MAGIC		"MODHSDB1"
#define ENTRY_MAX	(1024ul * 1024 * 1024)

static void	prune(const char *);

static void
hash_str(struct sha256_ctx *c, const char *s, size_t n)
{
	uint64_t	len = n;

	sha256_update(c, sizeof len, (const uint8_t *)&len);
	sha256_update(c, n, (const uint8_t *)s);
}

/*
 * The key of a database of n patterns exprs (ids, each compiled with
 * flags or as a prefilter): hex into key.
 */
void
hs_cache_key(char **exprs, const unsigned *ids, size_t n, unsigned flags,
    char key[HS_CACHE_KEY])
{
	struct sha256_ctx	 c;
	hs_platform_info_t	 plat;
	uint8_t			 d[SHA256_DIGEST_SIZE];
	char			 t[128];
	size_t			 i;

	sha256_init(&c);
	hs_target_platform(&plat);
	snprintf(t, sizeof t, "%s rewrite %d hs %s tune %u cpu %llu flags %u",
	    MAGIC, HS_REWRITE_VERSION, hs_version(), plat.tune,
	    (unsigned long long)plat.cpu_features, flags);
	hash_str(&c, t, strlen(t));
	for (i = 0; i < n; i++) {
		snprintf(t, sizeof t, "%u", ids[i]);
		hash_str(&c, t, strlen(t));
		hash_str(&c, exprs[i], strlen(exprs[i]));
	}
	sha256_digest(&c, sizeof d, d);
	for (i = 0; i < sizeof d; i++)
		snprintf(key + 2 * i, 3, "%02x", d[i]);
}

static char *
entry_path(const char *dir, const char *key, const char *suffix)
{
	char	*p;

	xasprintf(&p, "%s/%s%s", dir, key, suffix);
	return p;
}

/* The whole of a regular file, or NULL (errno set). */
static unsigned char *
slurp(const char *path, size_t *len)
{
	struct stat	 st;
	unsigned char	*b;
	ssize_t		 r;
	size_t		 got = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (size_t)st.st_size > ENTRY_MAX) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	b = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		if ((r = read(fd, b + got, (size_t)st.st_size - got)) <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return b;
}

/*
 * The entry of key, for n patterns: their outcomes into out and the
 * database into *db. 0 on success; -1 if there is none (*why NULL) or
 * it cannot be used (*why allocated, for a log line).
 */
int
hs_cache_load(const char *dir, const char *key, size_t n, unsigned char *out,
    struct hs_database **db, char **why)
{
	struct sha256_ctx	 c;
	uint8_t			 d[SHA256_DIGEST_SIZE];
	unsigned char		*b;
	uint64_t		 v;
	size_t			 len, at, dblen;
	char			*path;
	const char		*bad = NULL;

	*why = NULL;
	*db = NULL;
	path = entry_path(dir, key, ".hsdb");
	if ((b = slurp(path, &len)) == NULL) {
		if (errno != ENOENT)
			xasprintf(why, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	at = sizeof MAGIC - 1 + 64;
	if (len < at + 16 + SHA256_DIGEST_SIZE || memcmp(b, MAGIC,
	    sizeof MAGIC - 1) != 0)
		bad = "not a database entry";
	else if (memcmp(b + sizeof MAGIC - 1, key, 64) != 0)
		bad = "an entry of other patterns";
	else {
		sha256_init(&c);
		sha256_update(&c, len - SHA256_DIGEST_SIZE, b);
		sha256_digest(&c, sizeof d, d);
		memcpy(&v, b + at, sizeof v);
		if (memcmp(d, b + len - SHA256_DIGEST_SIZE, sizeof d) != 0)
			bad = "checksum mismatch";
		else if (v != n || len - at < 16 + n + SHA256_DIGEST_SIZE)
			bad = "an entry of other patterns";
	}
	if (bad == NULL) {
		memcpy(out, b + at + 8, n);
		memcpy(&v, b + at + 8 + n, sizeof v);
		dblen = len - at - 16 - n - SHA256_DIGEST_SIZE;
		if (v != dblen)
			bad = "a database of the wrong length";
		else if (hs_deserialize_database((const char *)b + at + 16 + n,
		    dblen, db) != HS_SUCCESS) {
			*db = NULL;
			bad = "a database this library cannot load";
		}
	}
	free(b);
	if (bad != NULL) {
		xasprintf(why, "%s: %s", path, bad);
		free(path);
		return -1;
	}
	(void)utimensat(AT_FDCWD, path, NULL, 0);	/* in use: kept */
	free(path);
	return 0;
}

/* Writes the entry of key; 0, or -1 with *why allocated. */
int
hs_cache_store(const char *dir, const char *key, size_t n,
    const unsigned char *outcomes, const struct hs_database *db, char **why)
{
	struct sha256_ctx	 c;
	uint8_t			 d[SHA256_DIGEST_SIZE];
	char			*bytes = NULL, *path, *tmp, *b;
	size_t			 dblen, len, at;
	uint64_t		 v;
	FILE			*f;
	int			 ok;

	*why = NULL;
	if (hs_serialize_database(db, &bytes, &dblen) != HS_SUCCESS) {
		xasprintf(why, "cannot serialize a database");
		return -1;
	}
	len = sizeof MAGIC - 1 + 64 + 16 + n + dblen + SHA256_DIGEST_SIZE;
	b = xmalloc(len);
	memcpy(b, MAGIC, sizeof MAGIC - 1);
	memcpy(b + sizeof MAGIC - 1, key, 64);
	at = sizeof MAGIC - 1 + 64;
	v = n;
	memcpy(b + at, &v, sizeof v);
	memcpy(b + at + 8, outcomes, n);
	v = dblen;
	memcpy(b + at + 8 + n, &v, sizeof v);
	memcpy(b + at + 16 + n, bytes, dblen);
	free(bytes);
	sha256_init(&c);
	sha256_update(&c, len - SHA256_DIGEST_SIZE, (const uint8_t *)b);
	sha256_digest(&c, sizeof d, d);
	memcpy(b + len - SHA256_DIGEST_SIZE, d, sizeof d);
	path = entry_path(dir, key, ".hsdb");
	xasprintf(&tmp, "%s/.%s.%ld.tmp", dir, key, (long)getpid());
	ok = (f = fopen(tmp, "wb")) != NULL;
	if (ok) {
		ok = fwrite(b, 1, len, f) == len;
		ok = (fclose(f) == 0) && ok;
	}
	if (ok)
		ok = rename(tmp, path) == 0;
	if (!ok) {
		xasprintf(why, "%s: %s", tmp, strerror(errno));
		(void)unlink(tmp);
	}
	free(b);
	free(path);
	free(tmp);
	if (ok)
		prune(dir);
	return ok ? 0 : -1;
}

/* Removes the entries nobody loaded or wrote for HS_CACHE_MAX_AGE. */
static void
prune(const char *dir)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	size_t		 n;
	time_t		 now = time(NULL);
	char		*p;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n != 64 + 5 || strcmp(de->d_name + 64, ".hsdb") != 0)
			continue;
		xasprintf(&p, "%s/%s", dir, de->d_name);
		if (stat(p, &st) == 0 && now - st.st_mtime > HS_CACHE_MAX_AGE)
			(void)unlink(p);
		free(p);
	}
	closedir(d);
}
