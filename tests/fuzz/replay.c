/*
 * Replays fuzz inputs through a fuzz target without libFuzzer, so that
 * the committed corpora are a regression test in every build (gcc too).
 * Usage: replay FILE_OR_DIR ...; exits non-zero if no input was found.
 */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t	replay_path(const char *);

static size_t
replay_file(const char *path)
{
	FILE		*f;
	uint8_t		*buf;
	long		 len;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		exit(1);
	}
	/* An exact-size copy, so that ASan sees a read past the input. */
	if ((buf = malloc(len > 0 ? (size_t)len : 1)) == NULL ||
	    fread(buf, 1, (size_t)len, f) != (size_t)len) {
		perror(path);
		exit(1);
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 1;
}

static size_t
replay_path(const char *path)
{
	struct stat	 sb;
	struct dirent	*de;
	DIR		*dp;
	char		*sub;
	size_t		 n = 0;

	if (stat(path, &sb) != 0) {
		perror(path);
		exit(1);
	}
	if (!S_ISDIR(sb.st_mode))
		return replay_file(path);
	if ((dp = opendir(path)) == NULL) {
		perror(path);
		exit(1);
	}
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&sub, "%s/%s", path, de->d_name) < 0)
			abort();
		n += replay_path(sub);
		free(sub);
	}
	closedir(dp);
	return n;
}

int
main(int argc, char **argv)
{
	size_t	n = 0;
	int	i;

	for (i = 1; i < argc; i++)
		n += replay_path(argv[i]);
	printf("%zu inputs replayed, no crash\n", n);
	return n == 0;
}
