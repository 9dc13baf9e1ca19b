#ifndef NORMALIZE_H
#define NORMALIZE_H

#include <stddef.h>

/*
 * Folds a text for duplicate detection: invalid UTF-8 bytes dropped,
 * Unicode compatibility normalisation (NFKC) and case folding, then only
 * letters, digits and combining marks kept: white space, punctuation,
 * symbols (emoji) and control characters all go. "Sign the PETITION!!!
 * now", "sign the petition now" and "sign-the-petition now" fold alike,
 * to "signthepetitionnow". Returns an allocated string; *len its length.
 */
char	*normalize_text(const char *, size_t, size_t *);

#endif
