/*
 * rss: run CMD N times and print the median peak RSS in KiB of the largest
 * process in its tree (wait4's ru_maxrss covers the child and every
 * descendant it waited for). A small static launcher, so the fork before
 * exec does not count a big parent's pages.
 *
 *   rss N CMD [ARG...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int n = atoi(argv[1]);
	long *v = calloc(n, sizeof *v);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		int st;
		struct rusage ru;
		if (wait4(pid, &st, 0, &ru) < 0)
			return 1;
		v[i] = ru.ru_maxrss;
	}
	qsort(v, n, sizeof *v, cmp);
	printf("%ld\n", v[n / 2]);
	return 0;
}
