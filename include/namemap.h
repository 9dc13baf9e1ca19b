#ifndef NAMEMAP_H
#define NAMEMAP_H

#include <stddef.h>

/*
 * Values by name, in name order (a tsearch tree underneath: <search.h>
 * is kept out of this header, as its struct entry clashes with ours).
 * Values are allocated here, zeroed, and freed with the map.
 */
struct namemap {
	void	*root;
	size_t	 n;
};

/* The value of key, made (vsize bytes, zeroed) if it is not there yet. */
void	*namemap_get(struct namemap *, const char *, size_t);
void	*namemap_find(const struct namemap *, const char *);
/* Removes key and its value (after clear(value), if given). */
void	 namemap_remove(struct namemap *, const char *, void (*)(void *));
/* cb(key, value, arg) for each, in key order. */
void	 namemap_each(const struct namemap *,
	    void (*)(const char *, void *, void *), void *);
/* Frees every key and value (after clear(value), if given). */
void	 namemap_free(struct namemap *, void (*)(void *));

#endif
