#ifndef HSCHECK_H
#define HSCHECK_H

/*
 * Is the libhs (Hyperscan's API) this process runs on one whose literal
 * scans can be trusted? The prefilter and the word lists take its word
 * for which literals a text holds, so a library that drops a match hides
 * a rule match. 0 if every known answer comes back right, else -1 and
 * why (allocated, the caller frees it).
 */
int	hscheck_literals(char **);

#endif
