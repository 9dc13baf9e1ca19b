/* Counting names (rules, authors). */

#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "xmalloc.h"

void
count_add(struct counter *k, const char *name, size_t len)
{
	char	*key = xstrndup(name, len);

	(*(uint64_t *)namemap_get(&k->names, key, sizeof(uint64_t)))++;
	free(key);
}

/* Each comma-separated name of list. */
void
count_list(struct counter *k, const char *list)
{
	size_t	len;

	while (list != NULL && *list != '\0') {
		len = strcspn(list, ",");
		if (len > 0)
			count_add(k, list, len);
		list += len;
		if (*list == ',')
			list++;
	}
}

struct flatten {
	struct ctl_count	*v;
	size_t			 n;
};

static void
flatten_one(const char *name, void *value, void *arg)
{
	struct flatten	*f = arg;

	f->v[f->n].name = xstrdup(name);
	f->v[f->n++].n = *(uint64_t *)value;
}

/* The counter as an array, most first; the counter is emptied. */
struct ctl_count *
count_array(struct counter *k, size_t *n)
{
	struct flatten	f;

	f.v = xreallocarray(NULL, k->names.n + 1, sizeof *f.v);
	f.n = 0;
	namemap_each(&k->names, flatten_one, &f);
	namemap_free(&k->names, NULL);
	ctl_counts_sort(f.v, f.n);
	*n = f.n;
	return f.v;
}

static int
cmp_most(const void *a, const void *b)
{
	const struct ctl_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->name, y->name);
}

void
ctl_counts_sort(struct ctl_count *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_most);
}
