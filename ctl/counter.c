/* Counting names (rules, authors) with a tsearch tree. */

#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "xmalloc.h"

static int
cmp_count(const void *a, const void *b)
{
	return strcmp(((const struct ctl_count *)a)->name,
	    ((const struct ctl_count *)b)->name);
}

void
count_add(struct counter *k, const char *name, size_t len)
{
	struct ctl_count	 key, *e;
	void			*found;

	key.name = xstrndup(name, len);
	if ((found = tfind(&key, &k->root, cmp_count)) != NULL) {
		(*(struct ctl_count **)found)->n++;
		free(key.name);
		return;
	}
	e = xmalloc(sizeof *e);
	e->name = key.name;
	e->n = 1;
	if (tsearch(e, &k->root, cmp_count) == NULL)
		abort();
	k->n++;
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
flatten_one(const void *node, VISIT which, void *arg)
{
	struct flatten	*f = arg;

	if (which == postorder || which == leaf)
		f->v[f->n++] = **(struct ctl_count *const *)node;
}

static void
free_node(void *p)
{
	free(p);	/* the struct; its name moved to the array */
}

/* The counter as an array, most first; the counter is emptied. */
struct ctl_count *
count_array(struct counter *k, size_t *n)
{
	struct flatten	f;

	f.v = xreallocarray(NULL, k->n + 1, sizeof *f.v);
	f.n = 0;
	twalk_r(k->root, flatten_one, &f);
	tdestroy(k->root, free_node);
	k->root = NULL;
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
