#ifndef ENTRY_H
#define ENTRY_H

#include <stddef.h>

/* Bounds on what one stream entry may hold: every size from outside. */
struct entry_limits {
	size_t	max_text;	/* longer texts are flagged without matching */
	size_t	max_fields;	/* field/value pairs */
	size_t	max_field;	/* bytes in a field name or a value other than text */
};

#define ENTRY_DEFAULT_MAX_TEXT		(64u * 1024)
#define ENTRY_DEFAULT_MAX_FIELDS	64
#define ENTRY_DEFAULT_MAX_FIELD		4096

struct bytes {
	const char	*p;
	size_t		 len;
};

struct field {
	char	*name;		/* NUL-terminated; may hold NULs inside */
	size_t	 name_len;
	char	*value;
	size_t	 value_len;
};

/*
 * One comment read from the input stream. entry_init() copies everything
 * it is given, so the entry outlives the reply it came from. An entry that
 * breaks the schema or a bound is still a valid entry: its `malformed`
 * says why, and it gets a flag decision instead of being matched.
 */
struct entry {
	char		*stream_id;
	struct field	*fields;
	size_t		 nfields;
	const struct field *id;
	const struct field *text;
	char		*malformed;	/* reason without the "malformed: " */
	int		 too_long;	/* text over the limit: not kept */
	size_t		 text_bytes;	/* the text's length as received */
};

void		 entry_init(struct entry *, struct bytes, const struct bytes *,
		    size_t, const struct entry_limits *);
void		 entry_init_missing(struct entry *, struct bytes, const char *);
void		 entry_free(struct entry *);
const struct field *entry_get(const struct entry *, const char *);
/* The value of field name among n field/value pairs kv, or NULL. */
const struct bytes *bytes_field(const struct bytes *, size_t, const char *);
void		 entry_limits_default(struct entry_limits *);

#endif
