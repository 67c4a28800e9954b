//go:build cgo

// The hot path of `plash run ID CMD...`, in a C constructor that runs
// before the Go runtime starts (after the user namespace constructor of
// package ns, for a normal user). A Go process spends milliseconds
// starting (its runtime, its threads, the initialisation of every linked
// package); bwrap, the measure of issue 5, spends none of that.
//
// It does what Run in run_linux.go does for the common case, and nothing
// else: an id (no build arguments), a command (no default shell), the
// overlay union taste, no PLASH_NO_UNSHARE. It reads what it needs, then
// forks; the child makes a mount namespace of its own, mounts the
// container there and executes the login shell. Everything the fast path
// does not cover, and every failure up to that exec, leaves the command to
// the Go path, from the start: the parent has changed nothing (no
// namespace, no root, no directory; the child's mounts went with the
// child), and Go reports whatever went wrong in its words. So this file
// formats no error message: it decides, mounts, forks, waits and exits
// with the command's status. PLASH_NO_FAST_RUN=1 turns it off.
//
// Keep it in step with Run (run_linux.go), hostEnv, launcher, RunMounts,
// bindInto, memoryChanges and ns.WaitPid: the script run_fastpath.txtar
// runs the same commands through both paths (the bothpaths command) and
// fails on any difference in what they print or their exit status.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/mount.h>
#include <linux/openat2.h>

// From package ns: whether its constructor entered a user namespace.
extern int plash_early_ns(void);
// Defined (as 1) by programs other than plash that link this package
// (plash-exec), whose arguments mean something else.
extern int plash_fast_paths_off __attribute__((weak));

#define FR_MAX_LAYERS 500 // union.MaxLayers
#define FR_MAX_ENV 64

// The script the login shell runs; the same text as launcher in
// run_linux.go (TestFastRunLauncher compares them).
static const char fr_launcher[] =
	"while [ \"$1\" != -- ]; do export \"$1\"; shift; done; shift\n"
	"case $1 in */*) [ -e \"$1\" ];; *) command -v \"$1\" >/dev/null;; esac || { echo \"$1: command not found\" >&2; exit 127; }\n"
	"exec \"$@\"";

const char *plash_fastrun_launcher(void) { return fr_launcher; }


static int fr_nonempty(const char *s) { return s && *s; }

// fr_trace appends what happened ("taken", "fell back") to the file
// _PLASH_FAST_RUN_TRACE names, for the tests: they must know that the
// fast path ran, not the Go path twice.
static void fr_trace(const char *what) {
	const char *file = getenv("_PLASH_FAST_RUN_TRACE");
	if (!fr_nonempty(file))
		return;
	int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return;
	ssize_t unused = write(fd, what, strlen(what));
	(void)unused;
	close(fd);
}

static int fr_digits(const char *s) {
	size_t n = strlen(s);
	if (n == 0 || n > 19)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

// fr_clean cleans the absolute path p in place lexically, as Go's
// filepath.Clean does. It returns 0 when p is not absolute.
static int fr_clean(char *p) {
	if (p[0] != '/')
		return 0;
	// The result p[0..w) never has a trailing slash and never outgrows
	// what r has read.
	char *w = p + 1;
	const char *r = p + 1;
	while (*r) {
		if (*r == '/') {
			r++;
		} else if (r[0] == '.' && (r[1] == '/' || r[1] == 0)) {
			r++;
		} else if (r[0] == '.' && r[1] == '.' && (r[2] == '/' || r[2] == 0)) {
			r += 2;
			while (w > p + 1 && w[-1] != '/')
				w--;
			if (w > p + 1)
				w--;
		} else {
			if (w > p + 1)
				*w++ = '/';
			while (*r && *r != '/')
				*w++ = *r++;
		}
	}
	*w = 0;
	return 1;
}

int plash_fastrun_clean(char *p) { return fr_clean(p); }

static int fr_join(char *out, size_t size, const char *a, const char *b) {
	size_t la = strlen(a), lb = strlen(b);
	if (la + 1 + lb + 1 > size)
		return 0;
	memcpy(out, a, la);
	out[la] = '/';
	memcpy(out + la + 1, b, lb + 1);
	return 1;
}

static int fr_openin(int root, const char *path, unsigned long long flags, unsigned long long mode) {
	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.mode = mode,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	for (;;) {
		int fd = syscall(SYS_openat2, root, path, &how, sizeof how);
		if (fd < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		return fd;
	}
}

// fr_mkdir_all makes the directory path and its missing parents below
// root (mkdirAllIn).
static int fr_mkdir_all(int root, const char *path) {
	char cur[PATH_MAX] = "/";
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchrnul(p, '/');
		char name[NAME_MAX + 1];
		if ((size_t)(e - p) > NAME_MAX)
			return -1;
		memcpy(name, p, e - p);
		name[e - p] = 0;
		int dfd = fr_openin(root, cur, O_PATH | O_DIRECTORY, 0);
		if (dfd < 0)
			return -1;
		int r = mkdirat(dfd, name, 0755);
		int saved = errno;
		close(dfd);
		if (r < 0 && saved != EEXIST)
			return -1;
		size_t l = strlen(cur);
		if (l + 1 + strlen(name) + 1 > sizeof cur)
			return -1;
		if (l > 1)
			cur[l++] = '/';
		strcpy(cur + l, name);
		p = e;
	}
	return 0;
}

// fr_bind maps the host path hp at the same place below root (bindInto).
static int fr_bind(int root, const char *hp) {
	struct stat st;
	if (stat(hp, &st) < 0)
		return -1;
	int fd = fr_openin(root, hp, O_PATH, 0);
	if (fd < 0 && errno == ENOENT) {
		if (S_ISDIR(st.st_mode)) {
			if (fr_mkdir_all(root, hp) < 0)
				return -1;
		} else {
			char dir[PATH_MAX];
			snprintf(dir, sizeof dir, "%s", hp);
			char *slash = strrchr(dir, '/');
			if (slash)
				*slash = 0;
			if (fr_mkdir_all(root, dir) < 0)
				return -1;
			int f = fr_openin(root, hp, O_CREAT | O_RDONLY, 0644);
			if (f < 0)
				return -1;
			close(f);
		}
		fd = fr_openin(root, hp, O_PATH, 0);
	}
	if (fd < 0)
		return -1;
	int tree = syscall(SYS_open_tree, AT_FDCWD, hp, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0) {
		close(fd);
		return -1;
	}
	int r = syscall(SYS_move_mount, tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	close(tree);
	close(fd);
	return r;
}

// fr_is_assignment reports whether w is a NAME=VALUE word (isAssignment).
static int fr_is_assignment(const char *w) {
	const char *eq = strchr(w, '=');
	if (!eq || eq == w)
		return 0;
	for (const char *c = w; c < eq; c++) {
		int ok = *c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			 (c > w && *c >= '0' && *c <= '9');
		if (!ok)
			return 0;
	}
	return 1;
}

// fr_env is hostEnv: TERM, DISPLAY, HOME and the names in PLASH_EXPORT go
// into env, the PLASH_EXPORT ones also into exports, each once. Both are
// NULL-terminated. It returns 0 for what it leaves to the Go path: too
// many names, or a name with '=' (which getenv and Go look up
// differently).
static int fr_env(char **env, char **exports, int *nexports) {
	static char names[4096];
	const char *list[FR_MAX_ENV];
	int export[FR_MAX_ENV], nl = 0, ne = 0, nx = 0;
	list[nl] = "TERM", export[nl++] = 0;
	list[nl] = "DISPLAY", export[nl++] = 0;
	list[nl] = "HOME", export[nl++] = 0;
	const char *pe = getenv("PLASH_EXPORT");
	if (pe) {
		if (strlen(pe) >= sizeof names)
			return 0;
		strcpy(names, pe);
		char *save;
		// strtok_r skips empty names, as hostEnv does.
		for (char *tok = strtok_r(names, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
			if (nl == FR_MAX_ENV || strchr(tok, '='))
				return 0;
			list[nl] = tok, export[nl++] = 1;
		}
	}
	for (int i = 0; i < nl; i++) {
		char *v = getenv(list[i]);
		if (!v)
			continue;
		// The environment entry NAME=VALUE that v points into.
		char *entry = v - strlen(list[i]) - 1;
		int inEnv = 0, inExports = 0;
		for (int j = 0; j < ne; j++)
			inEnv |= env[j] == entry;
		for (int j = 0; j < nx; j++)
			inExports |= exports[j] == entry;
		if (!inEnv)
			env[ne++] = entry;
		if (export[i] && !inExports)
			exports[nx++] = entry;
	}
	env[ne] = NULL;
	exports[nx] = NULL;
	*nexports = nx;
	return 1;
}

// fr_getwd is os.Getwd: $PWD when it names the working directory, else
// getcwd. "" when neither works.
static void fr_getwd(char *out, size_t size) {
	const char *pwd = getenv("PWD");
	struct stat dot, d;
	if (pwd && pwd[0] == '/' && strlen(pwd) < size && stat(".", &dot) == 0 && stat(pwd, &d) == 0 &&
	    dot.st_dev == d.st_dev && dot.st_ino == d.st_ino) {
		strcpy(out, pwd);
		return;
	}
	if (!getcwd(out, size))
		out[0] = 0;
}

// fr_data finds the data directory as store.DefaultDir does.
static int fr_data(char *out, size_t size) {
	const char *d = getenv("PLASH_DATA");
	if (fr_nonempty(d)) {
		if (d[0] == '/') {
			if (strlen(d) >= size)
				return 0;
			strcpy(out, d);
		} else {
			char wd[PATH_MAX];
			fr_getwd(wd, sizeof wd);
			if (!wd[0] || !fr_join(out, size, wd, d))
				return 0;
		}
		return fr_clean(out);
	}
	if (plash_early_ns())
		return 0; // the constructor of package ns sets PLASH_DATA when it can
	snprintf(out, size, "/var/lib/plash");
	return 1;
}

// fr_layers fills layers with the root directories of id's ancestry,
// top-most first (Store.Ancestry, layerPaths). It returns their number,
// 0 when the Go path should say what is wrong.
static int fr_layers(const char *data, const char *id, char **layers, char *buf, size_t bufsize) {
	char path[PATH_MAX], target[PATH_MAX], node[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/index/%s", data, id) >= (int)sizeof path)
		return 0;
	ssize_t n = readlink(path, target, sizeof target);
	if (n <= 0 || n == sizeof target)
		return 0;
	target[n] = 0;
	if (target[0] == '/')
		snprintf(node, sizeof node, "%s", target);
	else if (snprintf(node, sizeof node, "%s/index/%s", data, target) >= (int)sizeof node)
		return 0;
	if (!fr_clean(node))
		return 0;
	struct stat st;
	if (stat(node, &st) < 0)
		return 0;
	char layer[PATH_MAX];
	if (snprintf(layer, sizeof layer, "%s/layer/", data) >= (int)sizeof layer)
		return 0;
	size_t ll = strlen(layer);
	if (strncmp(node, layer, ll))
		return 0;
	// node below layer/: 0/<ancestors>/<id>
	char *ids[FR_MAX_LAYERS + 1];
	int k = 0;
	char rel[PATH_MAX];
	snprintf(rel, sizeof rel, "%s", node + ll);
	char *save;
	for (char *t = strtok_r(rel, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (k == FR_MAX_LAYERS + 1 || !fr_digits(t))
			return 0;
		ids[k++] = t;
	}
	if (k == 0 || strcmp(ids[0], "0") || k > FR_MAX_LAYERS)
		return 0;
	size_t used = 0;
	for (int i = 0; i < k; i++) {
		const char *lid = ids[k - 1 - i];
		int w = snprintf(buf + used, bufsize - used, "%s/index/%s/_data/root", data, lid);
		if (w < 0 || (size_t)w >= bufsize - used)
			return 0;
		layers[i] = buf + used;
		used += w + 1;
	}
	return k;
}

static int fr_read_small(const char *path, char *buf, size_t size) {
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

static int fr_overlay_taste(const char *data) {
	char path[PATH_MAX], buf[256];
	if (snprintf(path, sizeof path, "%s/config/union_taste", data) >= (int)sizeof path)
		return 0;
	int n = fr_read_small(path, buf, sizeof buf);
	if (n <= 0 || n == sizeof buf - 1)
		return 0; // empty, or more than the C path reads: Go decides
	char *s = buf, *e = buf + n;
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\v' || e[-1] == '\f'))
		e--;
	return e - s == 7 && !memcmp(s, "overlay", 7);
}

// fr_in_userns is union.InUserNS: 1 in a user namespace other than the
// initial one (whose uid_map maps all 2^32-1 ids onto themselves), 0 in
// the initial one, -1 when it cannot tell.
static int fr_in_userns(void) {
	char buf[256];
	int n = fr_read_small("/proc/self/uid_map", buf, sizeof buf);
	if (n < 0)
		return -1;
	unsigned long long a, b, c;
	int used = 0;
	if (sscanf(buf, "%llu %llu %llu %n", &a, &b, &c, &used) == 3 && used == n && a == 0 && b == 0 &&
	    c == 4294967295ULL)
		return 0;
	return 1;
}

// fr_files_ok reports whether standard input, output and error are open
// and kept across exec (the Go path hands exactly these three over).
static int fr_files_ok(void) {
	for (int fd = 0; fd <= 2; fd++) {
		int f = fcntl(fd, F_GETFD);
		if (f < 0 || (f & FD_CLOEXEC))
			return 0;
	}
	return 1;
}

static int fr_fsconfig(int fd, unsigned cmd, const char *key, const char *value) {
	return syscall(SYS_fsconfig, fd, cmd, key, value, 0);
}

// fr_mount_overlay mounts the layers with upper and work at target
// (mountOverlayFS).
static int fr_mount_overlay(char **layers, int n, const char *upper, const char *work, const char *target,
			    int userxattr) {
	int fd = syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
	if (fd < 0)
		return -1;
	int ok = 1;
	for (int i = 0; ok && i < n; i++)
		ok = fr_fsconfig(fd, FSCONFIG_SET_STRING, "lowerdir+", layers[i]) == 0;
	if (ok && userxattr)
		ok = fr_fsconfig(fd, FSCONFIG_SET_FLAG, "userxattr", NULL) == 0;
	ok = ok && fr_fsconfig(fd, FSCONFIG_SET_STRING, "upperdir", upper) == 0 &&
	     fr_fsconfig(fd, FSCONFIG_SET_STRING, "workdir", work) == 0 &&
	     fr_fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL) == 0;
	int m = ok ? syscall(SYS_fsmount, fd, FSMOUNT_CLOEXEC, 0) : -1;
	close(fd);
	if (m < 0)
		return -1;
	int r = syscall(SYS_move_mount, m, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
	close(m);
	return r;
}

static volatile pid_t fr_child_pid;

// fr_terminal_foreground is terminalForeground in package ns.
static int fr_terminal_foreground(void) {
	pid_t pgrp = getpgrp();
	for (int fd = 0; fd <= 2; fd++) {
		pid_t fg;
		if (ioctl(fd, TIOCGPGRP, &fg) == 0)
			return fg == pgrp;
	}
	return 0;
}

// fr_forward is ns.Forward: SIGINT and SIGQUIT from the terminal reach
// the command already.
static void fr_forward(int sig) {
	int saved = errno;
	if (!((sig == SIGINT || sig == SIGQUIT) && fr_terminal_foreground()))
		kill(fr_child_pid, sig);
	errno = saved;
}

static const int fr_forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// A run the fast path takes on: what Run works out before it mounts.
struct fr_run {
	char data[PATH_MAX], cwd[PATH_MAX];
	char target[PATH_MAX], tmp[PATH_MAX], changes[PATH_MAX], upper[PATH_MAX], work[PATH_MAX];
	char *layers[FR_MAX_LAYERS];
	int nlayers;
	char layerbuf[FR_MAX_LAYERS * 96];
	char *env[FR_MAX_ENV + 1], *exports[FR_MAX_ENV + 1];
	char **args; // sh -lc LAUNCHER sh EXPORTS... -- CMD...
	int userxattr; // in a user namespace: overlay keeps its xattrs in user.*
};

// fr_prepare decides whether the fast path runs this command line and
// fills r. It changes nothing.
static int fr_prepare(struct fr_run *r, int argc, char **argv) {
	if (&plash_fast_paths_off && plash_fast_paths_off)
		return 0;
	if (argc < 4 || strcmp(argv[1], "run") || !fr_digits(argv[2]))
		return 0;
	if (fr_nonempty(getenv("PLASH_NO_FAST_RUN")))
		return 0;
	// Not in the child that ns.Start re-executed (it waits for its maps
	// on a descriptor), nor when cli hands an error descriptor over.
	if (getenv("_PLASH_NS_SYNC") || getenv("_PLASH_ERROR_FD"))
		return 0;
	if (fr_nonempty(getenv("PLASH_NO_UNSHARE")) && !plash_early_ns())
		return 0;
	if (geteuid() != 0 || !fr_files_ok())
		return 0;
	if (!fr_data(r->data, sizeof r->data) || !fr_overlay_taste(r->data))
		return 0;
	r->nlayers = fr_layers(r->data, argv[2], r->layers, r->layerbuf, sizeof r->layerbuf);
	if (r->nlayers == 0)
		return 0;
	fr_getwd(r->cwd, sizeof r->cwd);
	r->userxattr = fr_in_userns();
	if (r->userxattr < 0)
		return 0;
	int nexports;
	if (!fr_env(r->env, r->exports, &nexports))
		return 0;
	int first = 3; // the command, after NAME=VALUE words
	while (first < argc && fr_is_assignment(argv[first]))
		first++;
	if (first == argc)
		return 0; // root's shell from the container's /etc/passwd
	if (snprintf(r->target, sizeof r->target, "%s/mnt", r->data) >= (int)sizeof r->target ||
	    snprintf(r->tmp, sizeof r->tmp, "%s/tmp", r->data) >= (int)sizeof r->tmp ||
	    snprintf(r->changes, sizeof r->changes, "%s/changes", r->tmp) >= (int)sizeof r->changes ||
	    snprintf(r->upper, sizeof r->upper, "%s/data", r->changes) >= (int)sizeof r->upper ||
	    snprintf(r->work, sizeof r->work, "%s/work", r->changes) >= (int)sizeof r->work)
		return 0;
	r->args = calloc(4 + nexports + (first - 3) + 1 + (argc - first) + 1, sizeof *r->args);
	if (!r->args)
		return 0;
	int k = 0;
	r->args[k++] = "sh";
	r->args[k++] = "-lc";
	r->args[k++] = (char *)fr_launcher;
	r->args[k++] = "sh";
	for (int i = 0; i < nexports; i++)
		r->args[k++] = r->exports[i];
	for (int i = 3; i < first; i++)
		r->args[k++] = argv[i];
	r->args[k++] = "--";
	for (int i = first; i < argc; i++)
		r->args[k++] = argv[i];
	r->args[k] = NULL;
	return 1;
}

// fr_mount makes the container's file system at r->target in a new mount
// namespace (runLocked up to the start of the command) and returns an
// O_PATH descriptor of its root, or -1.
static int fr_mount(struct fr_run *r) {
	if (unshare(CLONE_NEWNS) < 0 || mount("", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	// memoryChanges
	if (mount("tmpfs", r->tmp, "tmpfs", 0, "mode=0700") < 0 || mkdir(r->changes, 0755) < 0 ||
	    mkdir(r->upper, 0755) < 0 || mkdir(r->work, 0755) < 0 ||
	    fr_mount_overlay(r->layers, r->nlayers, r->upper, r->work, r->target, r->userxattr) < 0)
		return -1;
	int root = open(r->target, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -1;
	// RunMounts
	const char *mounts[] = {"/tmp", "/home", "/root", "/etc/resolv.conf", "/sys", "/dev", "/proc"};
	for (size_t i = 0; i < sizeof mounts / sizeof *mounts; i++) {
		if (!strcmp(mounts[i], "/root") && access("/root", R_OK) != 0)
			continue;
		if (fr_bind(root, mounts[i]) < 0) {
			close(root);
			return -1;
		}
	}
	return root;
}

// fr_keeps_disposition lists the signals whose inherited disposition a
// child of Go's runtime keeps: those Go leaves alone (SIGCONT, SIGTSTP,
// SIGTTIN, SIGTTOU, the C library's 32-34) and SIGHUP and SIGINT, which Go
// leaves ignored when they were. Go catches every other signal, so after
// the exec they are back to their defaults.
static int fr_keeps_disposition(int sig) {
	return sig == SIGHUP || sig == SIGINT || sig == SIGCONT || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU || (sig >= 32 && sig <= 34) || sig == SIGKILL || sig == SIGSTOP;
}

// fr_child runs in the forked child: it mounts the container in a mount
// namespace of its own and executes the login shell there. Failing, it
// writes errno to errfd and exits; the parent then leaves the command to
// the Go path. The parent changes no namespace, no root and no directory.
static void fr_child(struct fr_run *r, int errfd, const sigset_t *mask) {
	for (int sig = 1; sig < NSIG; sig++)
		if (!fr_keeps_disposition(sig))
			signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	int e = 0;
	int root = fr_mount(r);
	if (root < 0) {
		e = errno;
	} else {
		const char *dir = "/";
		if (r->cwd[0]) {
			int d = fr_openin(root, r->cwd, O_PATH | O_DIRECTORY, 0);
			if (d >= 0) {
				dir = r->cwd;
				close(d);
			}
		}
		close(root);
		if (chroot(r->target) < 0 || chdir(dir) < 0)
			e = errno;
		else {
			execve("/bin/sh", r->args, r->env);
			e = errno;
		}
	}
	if (e == 0)
		e = EINVAL;
	ssize_t unused = write(errfd, &e, sizeof e);
	(void)unused;
	_exit(127);
}

// fr_wait passes the forwarded signals on to pid until it ends and exits
// with its status, 128+N when signal N killed it (ns.WaitPid). As
// signal.Notify does, it catches them even when they were ignored or
// blocked.
static void fr_wait(pid_t pid, const sigset_t *mask) {
	fr_child_pid = pid;
	sigset_t waiting = *mask;
	for (size_t i = 0; i < sizeof fr_forwarded / sizeof *fr_forwarded; i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = fr_forward;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;
		sigaction(fr_forwarded[i], &sa, NULL);
		sigdelset(&waiting, fr_forwarded[i]);
	}
	sigprocmask(SIG_SETMASK, &waiting, NULL);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(1);
	if (WIFSIGNALED(status))
		_exit(128 + WTERMSIG(status));
	_exit(WEXITSTATUS(status));
}

__attribute__((constructor(202))) static void plash_fastrun(int argc, char **argv) {
	static struct fr_run r;
	if (!fr_prepare(&r, argc, argv))
		return;
	int errpipe[2];
	if (pipe2(errpipe, O_CLOEXEC) < 0) {
		free(r.args);
		return;
	}
	// The forwarded signals wait until the handlers know the child.
	sigset_t block, saved;
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof fr_forwarded / sizeof *fr_forwarded; i++)
		sigaddset(&block, fr_forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, &saved);
	// waitpid needs SIGCHLD not ignored (it may be, by inheritance).
	struct sigaction oldchld, dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &dfl, &oldchld);
	pid_t pid = fork();
	if (pid == 0)
		fr_child(&r, errpipe[1], &saved); // does not return
	close(errpipe[1]);
	ssize_t n = -1;
	if (pid > 0) {
		int e;
		while ((n = read(errpipe[0], &e, sizeof e)) < 0 && errno == EINTR)
			;
	}
	close(errpipe[0]);
	if (n == 0) {
		fr_trace("taken\n");
		fr_wait(pid, &saved); // the shell is running; does not return
	}
	// Not started: the Go path runs the command and says what is wrong.
	// The child's namespace, and all it mounted, went with the child.
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGCHLD, &oldchld, NULL);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	free(r.args);
	fr_trace("fell back\n");
}
