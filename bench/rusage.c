/*
 * rusage: run each CMD in turn (A B C A B C ...), RUNS rounds, and print per
 * command one line "CPU_MS PEAK_RSS_KIB": the medians of what wait4 reports
 * for it and every descendant it waited for (user + system time; the peak
 * RSS of the largest process of the tree). Kernel workers (the network
 * namespace's teardown) are not in it: launches/s at -P2 shows those. A
 * small static launcher, so the fork before exec does not count a big
 * parent's pages.
 *
 *   rusage RUNS "CMD ARG..." ["CMD ARG..."]...   (arguments split on spaces)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof *v, cmp);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int runs = atoi(argv[1]), n = argc - 2;
	if (runs < 1)
		return 2;
	char **cmds[n];
	for (int i = 0; i < n; i++) {
		char **a = calloc(64, sizeof *a);
		int k = 0;
		for (char *t = strtok(strdup(argv[i + 2]), " "); t && k < 63; t = strtok(NULL, " "))
			a[k++] = t;
		cmds[i] = a;
	}
	double *cpu = calloc((size_t)runs * n, sizeof *cpu);
	double *rss = calloc((size_t)runs * n, sizeof *rss);
	for (int r = 0; r < runs; r++)
		for (int i = 0; i < n; i++) {
			pid_t pid = fork();
			if (pid == 0) {
				int fd = open("/dev/null", O_WRONLY);
				dup2(fd, 1);
				execvp(cmds[i][0], cmds[i]);
				_exit(127);
			}
			int st;
			struct rusage ru;
			if (wait4(pid, &st, 0, &ru) < 0)
				return 1;
			cpu[i * runs + r] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
					    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
			rss[i * runs + r] = ru.ru_maxrss;
		}
	for (int i = 0; i < n; i++)
		printf("%.3f %.0f\n", median(cpu + i * runs, runs), median(rss + i * runs, runs));
	return 0;
}
