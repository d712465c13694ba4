/*
 * cpu: run each CMD in turn (A B C A B C ...), RUNS rounds, and print per
 * command the median CPU time in ms (user + system) that wait4 reports
 * for it and every descendant it waited for. Kernel workers (the network
 * namespace's teardown) are not in it: launches/s at -P2 shows those.
 *
 *   cpu RUNS "CMD ARG..." ["CMD ARG..."]...   (arguments split on spaces)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int runs = atoi(argv[1]), n = argc - 2;
	char **cmds[n];
	for (int i = 0; i < n; i++) {
		char **a = calloc(64, sizeof *a);
		int k = 0;
		for (char *t = strtok(strdup(argv[i + 2]), " "); t && k < 63; t = strtok(NULL, " "))
			a[k++] = t;
		cmds[i] = a;
	}
	double *v = calloc((size_t)runs * n, sizeof *v);
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
			v[i * runs + r] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
					  (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
		}
	for (int i = 0; i < n; i++) {
		qsort(v + i * runs, runs, sizeof *v, cmp);
		printf("%.3f\n", v[i * runs + runs / 2]);
	}
	return 0;
}
