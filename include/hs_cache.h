#ifndef HS_CACHE_H
#define HS_CACHE_H

#include <stddef.h>

struct hs_database;

/*
 * Compiled automaton databases on disk (rules: cache_dir), so that a
 * start or a reload with unchanged rules compiles nothing. An entry is
 * named by a hash of everything its database is built from: the derived
 * patterns, their flags and ids, the rewriter's version, the library's
 * version and the platform it was built for. It holds each pattern's
 * outcome (hs_compile.h) and the serialized database, and a checksum of
 * both. An entry that is missing, short, corrupt or not what its name
 * says is never used: the database is rebuilt and the entry rewritten.
 */

#define HS_CACHE_KEY	65	/* hex SHA-256 and a NUL */
#define HS_CACHE_MAX_AGE (7 * 24 * 3600)	/* unused entries go after */

void	hs_cache_key(char **, const unsigned *, size_t, unsigned,
	    char [HS_CACHE_KEY]);
int	hs_cache_load(const char *, const char *, size_t, unsigned char *,
	    struct hs_database **, char **);
int	hs_cache_store(const char *, const char *, size_t,
	    const unsigned char *, const struct hs_database *, char **);

#endif
