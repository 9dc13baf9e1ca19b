/*
 * In-process micro-benchmarks of the engine, no Redis: the cost of each
 * normalize stage, and of all together, on texts of 100 B, 1 KiB and
 * 10 KiB in English, Russian and Greek. Each figure is the median of 7
 * runs, in microseconds per text and per KiB.
 *
 *     build/bench/engine_bench normalize
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "normalize.h"
#include "ratelimit.h"

#define RUNS	7

static const char english[] =
    "I think the council got this one right, for once. My street already "
    "has a bus lane and it works fine; the shops on the high street were "
    "worried in 2019 but footfall rose by 12% the year after. Has anyone "
    "read the consultation document? Page 12 is telling: they expect 3.5 "
    "fewer cars per hundred households by 2030. ";
static const char russian[] =
    "Согласен с автором, хорошая статья. Мы живём в центре уже двадцать "
    "лет, и машин стало гораздо больше; дети не могут спокойно ходить в "
    "школу. Надеюсь, что городской совет доведёт дело до конца и не "
    "отступит после первых жалоб. ";
static const char greek[] =
    "Συμφωνώ με το άρθρο, επιτέλους κάτι γίνεται στο κέντρο της πόλης. "
    "Τα παιδιά μας θα μπορούν να πηγαίνουν με ασφάλεια στο σχολείο και "
    "οι μαγαζάτορες θα δουν περισσότερους πεζούς. ";

static double
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A text of about len bytes from sample, cut at a character boundary. */
static char *
make_text(const char *sample, size_t len, size_t *outlen)
{
	char	*t = malloc(len + 1);
	size_t	 n = 0, sl = strlen(sample);

	while (n < len) {
		size_t k = len - n < sl ? len - n : sl;
		memcpy(t + n, sample, k);
		n += k;
	}
	while (n > 0 && ((unsigned char)t[n - 1] & 0xc0) == 0x80)
		n--;
	if (n > 0 && (unsigned char)t[n - 1] >= 0xc0)
		n--;
	t[n] = '\0';
	*outlen = n;
	return t;
}

static double
time_view(struct normalizer *nz, struct textview *v, const char *t,
    size_t len, unsigned stages)
{
	double	runs[RUNS], t0;
	size_t	iters = 200000 / (len / 64 + 1) + 10, i;
	int	r;

	normalize_view(nz, t, len, stages, v);	/* warm the cache */
	for (r = 0; r < RUNS; r++) {
		t0 = now_us();
		for (i = 0; i < iters; i++)
			normalize_view(nz, t, len, stages, v);
		runs[r] = (now_us() - t0) / (double)iters;
	}
	qsort(runs, RUNS, sizeof runs[0], cmp_double);
	return runs[RUNS / 2];
}

static int
bench_normalize(void)
{
	static const struct { const char *name; const char *sample; } langs[] = {
		{ "English", english }, { "Russian", russian },
		{ "Greek", greek },
	};
	static const size_t sizes[] = { 100, 1024, 10240 };
	struct normalizer	*nz = normalizer_new();
	struct textview		 v;
	unsigned		 bit;
	size_t			 l, s, len;
	char			*t, label[32];
	double			 us;

	textview_init(&v);
	printf("%-12s %-8s %8s %10s %10s\n", "stages", "text", "bytes",
	    "us/text", "us/KiB");
	for (l = 0; l < 3; l++) {
		for (s = 0; s < 3; s++) {
			t = make_text(langs[l].sample, sizes[s], &len);
			for (bit = 1; bit <= NORM_ALNUM; bit <<= 1) {
				if (bit == NORM_ALNUM)
					snprintf(label, sizeof label, "key-fold");
				else
					snprintf(label, sizeof label, "%s",
					    normalize_stage_name(bit));
				us = time_view(nz, &v, t, len, bit == NORM_ALNUM ?
				    RATELIMIT_TEXT_STAGES : bit);
				printf("%-12s %-8s %8zu %10.2f %10.2f\n", label,
				    langs[l].name, len, us, us * 1024 / (double)len);
			}
			us = time_view(nz, &v, t, len, NORM_ALL);
			printf("%-12s %-8s %8zu %10.2f %10.2f\n", "all",
			    langs[l].name, len, us, us * 1024 / (double)len);
			free(t);
		}
	}
	textview_free(&v);
	normalizer_free(nz);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "normalize") == 0)
		return bench_normalize();
	fprintf(stderr, "usage: engine_bench normalize\n");
	return 1;
}
