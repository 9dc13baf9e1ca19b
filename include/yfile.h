#ifndef YFILE_H
#define YFILE_H

#include <stdint.h>
#include <yaml.h>

#include "diag.h"

#define YAMLFILE_MAX_SIZE	(4u * 1024 * 1024)

/*
 * A YAML file loaded whole into a libyaml document, with its source text
 * kept so that offsets inside a scalar (a regex error) map back to the
 * exact line and column of the file.
 */
struct yfile {
	char		*path;
	char		*src;
	size_t		 len;
	yaml_document_t	 doc;
	int		 loaded;
};

int		 yfile_load(struct yfile *, const char *, struct diag *);
int		 yfile_load_mem(struct yfile *, const char *, const char *,
		    size_t, struct diag *);
void		 yfile_free(struct yfile *);
yaml_node_t	*yfile_root(struct yfile *);
yaml_node_t	*yfile_node(struct yfile *, int);

void		 yfile_error(struct diag *, const struct yfile *,
		    const yaml_node_t *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
void		 yfile_error_at(struct diag *, const struct yfile *,
		    const yaml_node_t *, size_t, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
size_t		 yfile_line(const yaml_node_t *);

/* Scalar helpers: each reports its own error and returns -1. */
const char	*yfile_scalar(const yaml_node_t *);
int		 yfile_want_scalar(struct diag *, const struct yfile *,
		    const yaml_node_t *, const char *);
int		 yfile_bool(struct diag *, const struct yfile *,
		    const yaml_node_t *, int *);
int		 yfile_uint(struct diag *, const struct yfile *,
		    const yaml_node_t *, uint64_t, uint64_t, uint64_t *);
int		 yfile_fraction(struct diag *, const struct yfile *,
		    const yaml_node_t *, const char *, double *);
int		 yfile_duration_ms(struct diag *, const struct yfile *,
		    const yaml_node_t *, uint64_t, uint64_t, uint64_t *);
yaml_node_t	*yfile_find(struct yfile *, yaml_node_t *, const char *);
int		 yfile_mapping_check(struct diag *, struct yfile *,
		    yaml_node_t *, const char *const *, const char *);

#endif
