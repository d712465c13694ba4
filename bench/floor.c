/*
 * floor: the least a namespace jailer can do, to measure jail against.
 *
 *   floor [-U] [-n] [-p] [-m] [-u] [-i] [-c] [--] CMD [ARG...]
 *
 * One clone(2) with the namespace flags (-U user, -n net, -p pid, -m mount,
 * -u uts, -i ipc, -c cgroup); the parent writes setgroups/uid_map/gid_map
 * ("0 UID 1") and releases the child through a pipe; the child makes "/"
 * recursively private (with -m) and execs CMD; the parent waits and exits
 * with CMD's status. No /proc, no init, no fd or signal work.
 *
 * Build: cc -O2 -static -o floor floor.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static int go[2];
static int private_root;
static char **cmd;

static int child(void *arg)
{
	char c;
	(void)arg;
	close(go[1]);
	if (read(go[0], &c, 1) != 1)
		_exit(125);
	if (private_root && mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL))
		_exit(125);
	execvp(cmd[0], cmd);
	_exit(127);
}

static void put(pid_t pid, const char *file, const char *text)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(path);
		exit(125);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	int flags = SIGCHLD, i;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		for (char *p = argv[i] + 1; *p; p++) {
			switch (*p) {
			case 'U': flags |= CLONE_NEWUSER; break;
			case 'n': flags |= CLONE_NEWNET; break;
			case 'p': flags |= CLONE_NEWPID; break;
			case 'm': flags |= CLONE_NEWNS; private_root = 1; break;
			case 'u': flags |= CLONE_NEWUTS; break;
			case 'i': flags |= CLONE_NEWIPC; break;
			case 'c': flags |= CLONE_NEWCGROUP; break;
			default: fprintf(stderr, "floor: unknown flag -%c\n", *p); return 125;
			}
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: floor [-Unpmuic] [--] CMD [ARG...]\n");
		return 125;
	}
	cmd = argv + i;
	if (pipe2(go, O_CLOEXEC))
		return 125;
	uid_t uid = getuid();
	gid_t gid = getgid();
	pid_t pid = clone(child, stack + sizeof stack, flags, NULL);
	if (pid < 0) {
		perror("clone");
		return 125;
	}
	close(go[0]);
	if (flags & CLONE_NEWUSER) {
		char map[32];
		put(pid, "setgroups", "deny");
		snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
		put(pid, "uid_map", map);
		snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
		put(pid, "gid_map", map);
	}
	if (write(go[1], "g", 1) != 1)
		return 125;
	close(go[1]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 125;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
