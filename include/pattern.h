#ifndef PATTERN_H
#define PATTERN_H

#include <stddef.h>

#include "diag.h"
#include "yfile.h"

struct pcre2_real_code_8;

/*
 * Compiles a regex written in node n of yf, with the default flags (UTF,
 * invalid UTF-8 tolerated, Unicode properties, caseless unless asked
 * otherwise) and JIT if jit is set. A compile error is reported at the
 * file column of the offending character. NULL on error. With src, the
 * pattern's text is copied there (the caller frees it).
 */
struct pcre2_real_code_8 *pattern_compile(struct diag *, const struct yfile *,
		    const yaml_node_t *, int, int, char **);
/*
 * words: [a, b c] -> one whole-word pattern, compiled; NULL on error.
 * With a normalizer and stages, each word is normalised first. With src,
 * the pattern made is left there (the caller frees it).
 */
struct normalizer;
struct pcre2_real_code_8 *pattern_words(struct diag *, struct yfile *,
		    yaml_node_t *, int, int, struct normalizer *, unsigned,
		    char **);
size_t	pattern_class_end(const char *, size_t, size_t);
/* Whether PCRE2's JIT compiles here (built in, and memory allows). */
int	pattern_jit_works(void);

#endif
