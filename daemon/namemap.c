/* Values by name, in a tsearch tree (see namemap.h). */

#include <search.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "namemap.h"
#include "xmalloc.h"

struct node {
	char		*key;
	alignas(max_align_t) unsigned char value[];
};

static int
cmp_node(const void *a, const void *b)
{
	return strcmp(((const struct node *)a)->key,
	    ((const struct node *)b)->key);
}

void *
namemap_find(const struct namemap *m, const char *key)
{
	struct node	 k;
	void		*found;

	k.key = (char *)key;
	if ((found = tfind(&k, &m->root, cmp_node)) == NULL)
		return NULL;
	return (*(struct node **)found)->value;
}

void *
namemap_get(struct namemap *m, const char *key, size_t vsize)
{
	struct node	*n;
	void		*v;

	if ((v = namemap_find(m, key)) != NULL)
		return v;
	n = xcalloc(1, sizeof *n + vsize);
	n->key = xstrdup(key);
	if (tsearch(n, &m->root, cmp_node) == NULL)
		abort();	/* out of memory, as xmalloc */
	m->n++;
	return n->value;
}

void
namemap_remove(struct namemap *m, const char *key, void (*clear)(void *))
{
	struct node	 k, *n;
	void		*found;

	k.key = (char *)key;
	if ((found = tfind(&k, &m->root, cmp_node)) == NULL)
		return;
	n = *(struct node **)found;
	tdelete(&k, &m->root, cmp_node);
	if (clear != NULL)
		clear(n->value);
	free(n->key);
	free(n);
	m->n--;
}

struct each {
	void	(*cb)(const char *, void *, void *);
	void	 *arg;
};

static void
visit(const void *p, VISIT which, void *arg)
{
	struct node	*n = *(struct node *const *)p;
	struct each	*e = arg;

	if (which == postorder || which == leaf)
		e->cb(n->key, n->value, e->arg);
}

void
namemap_each(const struct namemap *m, void (*cb)(const char *, void *,
    void *), void *arg)
{
	struct each	e = { cb, arg };

	twalk_r(m->root, visit, &e);
}

/* tdestroy gives no argument: the clear function goes first, by a walk. */
static void
clear_one(const char *key, void *value, void *arg)
{
	void	(*clear)(void *) = *(void (**)(void *))arg;

	clear(value);
}

static void
free_node(void *p)
{
	struct node	*n = p;

	free(n->key);
	free(n);
}

void
namemap_free(struct namemap *m, void (*clear)(void *))
{
	if (clear != NULL)
		namemap_each(m, clear_one, &clear);
	tdestroy(m->root, free_node);
	m->root = NULL;
	m->n = 0;
}
