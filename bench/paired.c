/*
 * paired: time commands interleaved (A B C A B C ...), so that the machine's
 * drift hits them all alike, and print each one's median wall time in ms
 * and the median of its per-round ratio to the first command.
 *
 *   paired RUNS 'CMD ARG...' 'CMD ARG...' ...
 *
 * Each command is split on spaces and run with fork+execvp; stdout and
 * stderr go to /dev/null; a non-zero exit aborts.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXC 16
#define MAXA 64

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof *v, cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double run(char **argv, int null)
{
	double t = now();
	pid_t pid = fork();
	if (pid == 0) {
		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	t = now() - t;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "paired: %s failed (status %d)\n", argv[0], st);
		exit(1);
	}
	return t;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc - 2 > MAXC)
		return 2;
	int runs = atoi(argv[1]), nc = argc - 2;
	static char *args[MAXC][MAXA];
	for (int c = 0; c < nc; c++) {
		int k = 0;
		for (char *tok = strtok(argv[c + 2], " "); tok && k < MAXA - 1; tok = strtok(NULL, " "))
			args[c][k++] = tok;
		args[c][k] = NULL;
	}
	int null = open("/dev/null", O_WRONLY);
	double *t = calloc((size_t)runs * nc, sizeof *t);
	double *r = calloc(runs, sizeof *r);
	double *m = calloc(runs, sizeof *m);
	for (int i = 0; i < 20; i++) /* warm up */
		for (int c = 0; c < nc; c++)
			run(args[c], null);
	for (int i = 0; i < runs; i++)
		for (int c = 0; c < nc; c++)
			t[i * nc + c] = run(args[(c + i) % nc], null), t[i * nc + c] = t[i * nc + c];
	/* the rotation above shifts which command goes first each round;
	   undo it when collecting */
	for (int c = 0; c < nc; c++) {
		for (int i = 0; i < runs; i++) {
			int slot = ((c - i) % nc + nc) % nc;
			int slot0 = ((0 - i) % nc + nc) % nc;
			m[i] = t[i * nc + slot];
			r[i] = t[i * nc + slot0] / t[i * nc + slot];
		}
		double med = median(m, runs);
		printf("%.3f %.3f\n", med, median(r, runs));
	}
	return 0;
}
