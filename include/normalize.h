#ifndef NORMALIZE_H
#define NORMALIZE_H

#include <stddef.h>

/*
 * Folds a text for duplicate detection: invalid UTF-8 bytes dropped,
 * Unicode compatibility normalisation (NFKC) and case folding, punctuation
 * and symbols removed, every run of white space made one space, none at
 * the ends. "Sign the PETITION!!!  now" and "sign the petition now" fold
 * alike. Returns an allocated string; *len is its length.
 */
char	*normalize_text(const char *, size_t, size_t *);

#endif
