//go:build cgo

package ns

// The hot path: `plash run` and `plash runopts` as a normal user enter
// their user namespace here, in a C constructor that runs before the Go
// runtime starts its threads, while unshare(CLONE_NEWUSER) still works.
// That saves the re-exec of Start (a second start of this large binary).
// A forked helper runs newuidmap/newgidmap on us. Whenever anything is
// missing (tools, ranges), the constructor does nothing and the Go path
// (Enter, with its fallback and its one-line warning) takes over.
// PLASH_NO_EARLY_NS=1 turns it off.

/*
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int plash_early_entered;

int plash_early_ns(void) { return plash_early_entered; }

// Defined (as 1) by programs other than plash that link this package
// (plash-exec), whose arguments mean something else.
extern int plash_fast_paths_off __attribute__((weak));

// Which commands enter early: argv[1] is run or runopts, or build
// arguments (plash --from ... -- CMD), not --help or --version.
static int plash_early_wanted(int argc, char **argv) {
	if ((&plash_fast_paths_off && plash_fast_paths_off) || argc < 2)
		return 0;
	const char *a = argv[1];
	if (!strcmp(a, "run") || !strcmp(a, "runopts"))
		return 1;
	if (a[0] == '-' && strcmp(a, "-h") && strcmp(a, "--help") && strcmp(a, "--version"))
		return 1;
	return 0;
}

#define PLASH_MAX_RANGES 16
#define PLASH_MAX_ARGS (4 + 3 * PLASH_MAX_RANGES + 1)

// plash_number parses a decimal number as Go's strconv.Atoi does (an
// optional sign, digits, nothing else) into *v; 0 if it is not one.
static int plash_number(const char *s, long long *v) {
	int neg = 0;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!*s)
		return 0;
	long long n = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > 1000000000000LL)
			return 0;
		n = n * 10 + (*s - '0');
	}
	*v = neg ? -n : n;
	return 1;
}

// plash_map_args builds newuidmap/newgidmap arguments for pid from the
// ranges of file that belong to name or uid, read as ns.subRanges reads
// them. It returns the number of ranges found, or 0 when there are none
// or more than this code takes (the Go path then decides).
static int plash_map_args(const char *file, const char *name, unsigned uid, unsigned self,
			  char *tool, pid_t pid, char **argv, char store[][24]) {
	static char text[65536];
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t total = 0, n;
	while (total < (ssize_t)sizeof text - 1 && (n = read(fd, text + total, sizeof text - 1 - total)) > 0)
		total += n;
	close(fd);
	if (total == (ssize_t)sizeof text - 1)
		return 0;
	text[total] = 0;
	int k = 0, ranges = 0;
	argv[k++] = tool;
	snprintf(store[k], 24, "%d", (int)pid); argv[k] = store[k]; k++;
	argv[k++] = "0";
	snprintf(store[k], 24, "%u", self); argv[k] = store[k]; k++;
	argv[k++] = "1";
	long long next = 1;
	char uidstr[24];
	snprintf(uidstr, sizeof uidstr, "%u", uid);
	char *save;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		// strings.TrimSpace, then exactly three ':'-separated fields.
		while (*line == ' ' || *line == '\t' || *line == '\r' || *line == '\v' || *line == '\f')
			line++;
		char *end = line + strlen(line);
		while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\v' || end[-1] == '\f'))
			*--end = 0;
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2 || strchr(c2 + 1, ':'))
			continue;
		*c1 = *c2 = 0;
		if (strcmp(line, name) && strcmp(line, uidstr))
			continue;
		long long start, count;
		if (!plash_number(c1 + 1, &start) || !plash_number(c2 + 1, &count) || start < 0 || count <= 0)
			continue;
		if (ranges == PLASH_MAX_RANGES)
			return 0;
		snprintf(store[k], 24, "%lld", next); argv[k] = store[k]; k++;
		snprintf(store[k], 24, "%lld", start); argv[k] = store[k]; k++;
		snprintf(store[k], 24, "%lld", count); argv[k] = store[k]; k++;
		next += count;
		ranges++;
	}
	argv[k] = NULL;
	return ranges;
}

// plash_user_name finds the name of uid in /etc/passwd.
static int plash_user_name(unsigned uid, char *name, size_t size) {
	FILE *f = fopen("/etc/passwd", "re");
	if (!f)
		return 0;
	char line[1024];
	int found = 0;
	while (!found && fgets(line, sizeof line, f)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		char *end;
		unsigned long u = strtoul(c2 + 1, &end, 10);
		if (end == c2 + 1 || *end != ':' || u != uid)
			continue;
		*c1 = 0;
		snprintf(name, size, "%s", line);
		found = 1;
	}
	fclose(f);
	return found;
}

static int plash_find_tool(const char *name, char *out, size_t size) {
	static const char *dirs[] = {"/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin", NULL};
	for (int i = 0; dirs[i]; i++) {
		snprintf(out, size, "%s/%s", dirs[i], name);
		if (access(out, X_OK) == 0)
			return 1;
	}
	return 0;
}

// plash_spawn forks a child that waits for a byte on sync, then runs
// argv (a byte that does not come means the parent did not unshare).
static pid_t plash_spawn(char **argv, int sync[2]) {
	pid_t p = fork();
	if (p == 0) {
		close(sync[1]);
		char c;
		if (read(sync[0], &c, 1) != 1)
			_exit(2);
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	return p;
}

__attribute__((constructor(201))) static void plash_early_userns(int argc, char **argv) {
	if (getuid() == 0 || geteuid() == 0 || getenv("_PLASH_NS_SYNC") || getenv("PLASH_NO_EARLY_NS"))
		return;
	if (!plash_early_wanted(argc, argv))
		return;
	unsigned uid = getuid(), gid = getgid();
	char name[256];
	if (!plash_user_name(uid, name, sizeof name))
		return; // not in /etc/passwd: the Go path asks getent (NSS)
	char newuidmap[64], newgidmap[64];
	if (!plash_find_tool("newuidmap", newuidmap, sizeof newuidmap) ||
	    !plash_find_tool("newgidmap", newgidmap, sizeof newgidmap))
		return;
	pid_t self = getpid();
	char *uargv[PLASH_MAX_ARGS], *gargv[PLASH_MAX_ARGS];
	static char ustore[PLASH_MAX_ARGS][24], gstore[PLASH_MAX_ARGS][24];
	if (plash_map_args("/etc/subuid", name, uid, uid, newuidmap, self, uargv, ustore) == 0 ||
	    plash_map_args("/etc/subgid", name, uid, gid, newgidmap, self, gargv, gstore) == 0)
		return;
	// Two children, forked while we are still in the caller's user
	// namespace (where the tools are setuid root), run newuidmap and
	// newgidmap on us once we have unshared.
	int sync[2];
	if (pipe2(sync, O_CLOEXEC) != 0)
		return;
	// waitpid needs SIGCHLD not ignored (it may be, by inheritance).
	struct sigaction oldchld, dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &dfl, &oldchld);
	pid_t u = plash_spawn(uargv, sync);
	pid_t g = u > 0 ? plash_spawn(gargv, sync) : -1;
	close(sync[0]);
	int ok = g > 0 && unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0;
	if (ok)
		ok = write(sync[1], "ug", 2) == 2;
	close(sync[1]);
	int su = -1, sg = -1;
	if (u > 0)
		while (waitpid(u, &su, 0) < 0 && errno == EINTR)
			;
	if (g > 0)
		while (waitpid(g, &sg, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGCHLD, &oldchld, NULL);
	if (!ok)
		return; // the Go path reports why user namespaces do not work
	if (!WIFEXITED(su) || WEXITSTATUS(su) != 0 || !WIFEXITED(sg) || WEXITSTATUS(sg) != 0) {
		fprintf(stderr, "plash error: newuidmap/newgidmap failed to map the ids of a new user namespace (check /etc/subuid and /etc/subgid; PLASH_NO_EARLY_NS=1 shows more)\n");
		_exit(1);
	}
	plash_early_entered = 1;
	// Root now, but the data directory is the caller's (the non-root
	// choice of store.DefaultDir). Go's init below sets it in its own copy
	// of the environment; this is for the C fast path of plash run.
	const char *data = getenv("PLASH_DATA"), *home = getenv("HOME");
	if ((!data || !*data) && home && *home) {
		char dir[4096];
		if (snprintf(dir, sizeof dir, "%s/.plashdata", home) < (int)sizeof dir)
			setenv("PLASH_DATA", dir, 1);
	}
}
// plash_early_map_args_test is plash_map_args for tests: the arguments
// joined by spaces into out, or "" when it declines.
void plash_early_map_args_test(const char *file, const char *name, unsigned uid, unsigned self, char *out, size_t size) {
	char *argv[PLASH_MAX_ARGS];
	static char store[PLASH_MAX_ARGS][24];
	out[0] = 0;
	if (plash_map_args(file, name, uid, self, "tool", 42, argv, store) == 0)
		return;
	size_t used = 0;
	for (int i = 1; argv[i]; i++)
		used += snprintf(out + used, size - used, "%s%s", i > 1 ? " " : "", argv[i]);
}
*/
import "C"

import (
	"strings"
	"unsafe"
)

// earlyEntered reports whether the C constructor put this process into
// its own user and mount namespace.
func earlyEntered() bool { return C.plash_early_ns() != 0 }

// earlyMapArgs is what the constructor would give newuidmap for pid 42 from
// file: nil when it leaves the mapping to the Go path.
func earlyMapArgs(file, name string, uid, self int) []string {
	cf, cn := C.CString(file), C.CString(name)
	defer C.free(unsafe.Pointer(cf))
	defer C.free(unsafe.Pointer(cn))
	out := make([]byte, 4096)
	C.plash_early_map_args_test(cf, cn, C.uint(uid), C.uint(self), (*C.char)(unsafe.Pointer(&out[0])), C.size_t(len(out)))
	s := C.GoString((*C.char)(unsafe.Pointer(&out[0])))
	if s == "" {
		return nil
	}
	return strings.Fields(s)
}
