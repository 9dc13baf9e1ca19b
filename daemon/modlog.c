/*
 * The moderation log: one JSON object per decision. The fields are fixed
 * here, in one place, so that `jq` filters written against them hold.
 * No text unless the config asks, and then cut to text_max bytes.
 */

#include <string.h>

#include "json.h"
#include "modlog.h"

static void	field_or_empty(struct jbuf *, const char *, const struct entry *);

static void
field_or_empty(struct jbuf *j, const char *name, const struct entry *e)
{
	const struct field	*f = entry_get(e, name);

	if (f != NULL)
		jbuf_str(j, name, f->value, f->value_len);
	else
		jbuf_str(j, name, "", 0);
}

/* Logs item it's decision; latency_us runs from read to durable write. */
void
modlog_decision(struct logger *lg, const struct batch_item *it,
    const char *ruleset, uint64_t latency_us)
{
	const struct entry	*e = &it->entry;
	struct jbuf		 j;
	char			 ts[40];
	size_t			 len;

	if (lg->decisions_stdout == LOG_DECISIONS_NONE &&
	    lg->decisions_file == LOG_DECISIONS_NONE)
		return;
	log_timestamp(ts, sizeof ts);
	jbuf_init(&j);
	jbuf_open(&j);
	jbuf_cstr(&j, "ts", ts);
	jbuf_cstr(&j, "event", "decision");
	field_or_empty(&j, "id", e);
	jbuf_cstr(&j, "decision", action_name(it->action));
	jbuf_cstr(&j, "rules", it->rules);
	jbuf_cstr(&j, "shadow", it->shadow);
	jbuf_cstr(&j, "reason", it->reason);
	field_or_empty(&j, "author", e);
	field_or_empty(&j, "thread", e);
	jbuf_cstr(&j, "entry", e->stream_id);
	jbuf_cstr(&j, "ruleset", ruleset);
	jbuf_int(&j, "latency_us", (int64_t)latency_us);
	if (it->errors)
		jbuf_int(&j, "rule_errors", (int64_t)it->errors);
	if (lg->text && e->text != NULL) {
		len = e->text->value_len;
		jbuf_str(&j, "text", e->text->value,
		    len > lg->text_max ? lg->text_max : len);
	}
	jbuf_close(&j);
	logger_write(lg, j.p, j.len, (int)it->action);
	jbuf_free(&j);
}
