//! The flag table: the single source for parsing, `--help`, the man page and
//! shell completions. Plain data, std only, so that build.rs can include it.

#![forbid(unsafe_code)]

/// Which part of `--help` and the man page a flag is listed in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Section {
    Namespaces,
    Filesystem,
    Identity,
    Process,
    Info,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Namespaces,
        Section::Filesystem,
        Section::Identity,
        Section::Process,
        Section::Info,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::Namespaces => "Namespaces",
            Section::Filesystem => "Filesystem view (each implies --mount)",
            Section::Identity => "Identity",
            Section::Process => "Process setup",
            Section::Info => "Information",
        }
    }
}

/// Every flag jail knows. The parser matches on this, never on strings.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FlagId {
    Net,
    Pid,
    AsPid1,
    Mount,
    Uts,
    Hostname,
    Ipc,
    Cgroup,
    Time,
    Monotonic,
    Boottime,
    All,
    LandlockOnly,
    ConnectTcp,
    BindTcp,
    Ro,
    Rw,
    Bind,
    RoBind,
    Tmpfs,
    Hide,
    Overlay,
    Root,
    Dev,
    EmptyRoot,
    Dir,
    Symlink,
    File,
    RoFile,
    Perms,
    Size,
    MapRoot,
    Uid,
    Gid,
    MapAuto,
    MapUsers,
    MapGroups,
    CapDrop,
    CapAdd,
    DisableUserns,
    Env,
    Unsetenv,
    Clearenv,
    Chdir,
    Rlimit,
    CgroupV2,
    Memory,
    Pids,
    CpuWeight,
    Stdin,
    Stdout,
    Stderr,
    KeepFd,
    NewSession,
    DieWithParent,
    Cpus,
    Timeout,
    KillAfter,
    InfoFd,
    JsonStatusFd,
    Args,
    ShareIpcScope,
    Seccomp,
    Strict,
    Verbose,
    Explain,
    Completions,
    Check,
    Help,
    Version,
}

/// One row of the table.
pub struct FlagDef {
    pub id: FlagId,
    pub short: Option<char>,
    pub long: &'static str,
    /// The value the flag takes, `Value::None` for a switch.
    pub value: Value,
    pub section: Section,
    /// One line for `--help`.
    pub help: &'static str,
    /// Extra sentences for the man page (may be empty). Written as
    /// `man_doc!("...")`: the includer defines the macro, build.rs as the
    /// text, the crate as "" (only the man page needs it).
    pub doc: &'static str,
}

/// The value a flag takes: its name in `--help` and the man page, and what
/// it completes to in a shell.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Value {
    /// A switch: no value.
    None,
    /// A number: nothing to offer.
    Number(&'static str),
    /// Free text (a name): nothing to offer.
    Text(&'static str),
    /// A path: completes to files.
    Path(&'static str),
    /// A directory.
    Dir(&'static str),
    /// The name of an environment variable.
    EnvVar(&'static str),
    /// One of these words.
    Choice(&'static str, &'static [&'static str]),
    /// One of these names followed by '=' and a value (no space after).
    Assign(&'static str, &'static [&'static str]),
}

impl Value {
    /// How `--help` and the man page name the value: `PATH`. None for a
    /// switch.
    pub const fn name(self) -> Option<&'static str> {
        match self {
            Value::None => None,
            Value::Number(n)
            | Value::Text(n)
            | Value::Path(n)
            | Value::Dir(n)
            | Value::EnvVar(n)
            | Value::Choice(n, _)
            | Value::Assign(n, _) => Some(n),
        }
    }
}

use FlagId as F;
use Section as S;

/// The table, in the order `--help` and the man page list it.
pub const FLAGS: &[FlagDef] = &[
    FlagDef {
        id: F::Net,
        short: Some('n'),
        long: "net",
        value: Value::None,
        section: S::Namespaces,
        help: "new network namespace: only lo, up (127.0.0.1 and ::1)",
        doc: man_doc!(
            "Nothing outside the jail is reachable; servers on the host's loopback are not \
         either. COMMAND's group may open ICMP echo sockets (net.ipv4.ping_group_range), so \
         ping works without CAP_NET_RAW."
        ),
    },
    FlagDef {
        id: F::ConnectTcp,
        short: None,
        long: "connect-tcp",
        value: Value::Number("PORT"),
        section: S::Namespaces,
        help: "allow TCP connect only to PORT (repeatable; Landlock ABI 4)",
        doc: man_doc!(
            "Every other TCP connect fails with EACCES, on any address (a dev database on \
         localhost stays out of reach); UDP and other sockets are not affected. Without --net \
         it works with the host's network: jail --connect-tcp 443 -- curl https://... With \
         --landlock-only --net it opens these ports again. With any port rule, MPTCP \
         sockets, sends with MSG_FASTOPEN and io_uring are refused (they reach TCP ports \
         around the rules)."
        ),
    },
    FlagDef {
        id: F::BindTcp,
        short: None,
        long: "bind-tcp",
        value: Value::Number("PORT"),
        section: S::Namespaces,
        help: "allow TCP bind only to PORT (repeatable; Landlock ABI 4)",
        doc: man_doc!(
            "Every other TCP bind fails with EACCES. Port 0 allows binding to a port the \
         kernel picks. Connecting is not affected."
        ),
    },
    FlagDef {
        id: F::Pid,
        short: Some('p'),
        long: "pid",
        value: Value::None,
        section: S::Namespaces,
        help: "new PID namespace with a built-in init; implies --mount and a fresh /proc",
        doc: man_doc!(
            "PID 1 is jail's init: it starts COMMAND as PID 2, reaps every orphan, forwards \
         signals and exits like COMMAND. ps shows only the jail's processes."
        ),
    },
    FlagDef {
        id: F::AsPid1,
        short: None,
        long: "as-pid-1",
        value: Value::None,
        section: S::Namespaces,
        help: "run COMMAND itself as PID 1, without the init (implies --pid)",
        doc: man_doc!(
            "COMMAND must then reap orphans and handle signals itself, as PID 1 of a namespace \
         ignores every signal it has no handler for."
        ),
    },
    FlagDef {
        id: F::Mount,
        short: Some('m'),
        long: "mount",
        value: Value::None,
        section: S::Namespaces,
        help: "new mount namespace; / is made recursively private",
        doc: man_doc!("Mounts made inside never show on the host."),
    },
    FlagDef {
        id: F::Uts,
        short: Some('u'),
        long: "uts",
        value: Value::None,
        section: S::Namespaces,
        help: "new UTS namespace (hostname and domain name)",
        doc: man_doc!(""),
    },
    FlagDef {
        id: F::Hostname,
        short: None,
        long: "hostname",
        value: Value::Text("NAME"),
        section: S::Namespaces,
        help: "set the hostname inside (implies --uts)",
        doc: man_doc!("At most 64 bytes."),
    },
    FlagDef {
        id: F::Ipc,
        short: Some('i'),
        long: "ipc",
        value: Value::None,
        section: S::Namespaces,
        help: "new IPC namespace (System V IPC, POSIX message queues) and a private /dev/shm \
               (implies --mount)",
        doc: man_doc!(
            "POSIX shared memory and named semaphores (files in /dev/shm) are the jail's own \
         too: /dev/shm is a new tmpfs (mode 1777, nosuid, nodev), writable under --ro, gone \
         with the jail, unless an option names /dev/shm or /dev (--rw /dev/shm, --bind \
         SRC:/dev/shm, --dev). Without --ipc, /dev/shm is the caller's. Implied by --ro."
        ),
    },
    FlagDef {
        id: F::Cgroup,
        short: Some('c'),
        long: "cgroup",
        value: Value::None,
        section: S::Namespaces,
        help: "new cgroup namespace",
        doc: man_doc!(""),
    },
    FlagDef {
        id: F::Time,
        short: Some('t'),
        long: "time",
        value: Value::None,
        section: S::Namespaces,
        help: "new time namespace",
        doc: man_doc!(
            "Only CLOCK_MONOTONIC and CLOCK_BOOTTIME differ inside; the wall clock is shared."
        ),
    },
    FlagDef {
        id: F::Monotonic,
        short: None,
        long: "monotonic",
        value: Value::Number("SECS"),
        section: S::Namespaces,
        help: "offset CLOCK_MONOTONIC by SECS seconds (implies --time)",
        doc: man_doc!("SECS is a whole number and may be negative."),
    },
    FlagDef {
        id: F::Boottime,
        short: None,
        long: "boottime",
        value: Value::Number("SECS"),
        section: S::Namespaces,
        help: "offset CLOCK_BOOTTIME by SECS seconds (implies --time)",
        doc: man_doc!(
            "/proc/uptime inside shows the offset. SECS is a whole number and may be negative."
        ),
    },
    FlagDef {
        id: F::All,
        short: Some('a'),
        long: "all",
        value: Value::None,
        section: S::Namespaces,
        help: "new user, mount, pid, net, uts, ipc and cgroup namespaces",
        doc: man_doc!(""),
    },
    FlagDef {
        id: F::LandlockOnly,
        short: None,
        long: "landlock-only",
        value: Value::None,
        section: S::Namespaces,
        help: "no namespaces: Landlock rules alone, for hosts that forbid user namespaces",
        doc: man_doc!(
            "For hosts where creating a user namespace is refused (a sysctl, AppArmor's \
         apparmor_restrict_unprivileged_userns, a container's seccomp profile). COMMAND runs \
         in no namespace; --ro and --rw PATH become Landlock filesystem rules (read and \
         execute everywhere, writes only under each --rw PATH and to device nodes), --hide \
         PATH denies reading, executing and writing under PATH (its names may still be \
         listed: Landlock checks opening, not lookup), --net denies TCP bind and connect, \
         and the signal and abstract-socket scopes stay on (without them, Landlock ABI \
         before 6, jail refuses unless --share-ipc-scope is given). The seccomp filter, \
         no_new_privs, the new session keyring, rlimits, env, --timeout and the exit status \
         are as in a normal jail, and what COMMAND leaves running is killed when it exits \
         (jail is the subreaper of its tree and walks /proc). What stays shared: UDP and \
         every non-TCP socket, pathname unix sockets (Landlock ABI 9 controls them under \
         --ro), the PID space (COMMAND sees every process; it cannot signal or ptrace those \
         outside), the hostname, System V IPC, POSIX message queues and shared memory. \
         Under --ro, /tmp and /dev/shm are read-only unless named with --rw, as there is no \
         private tmpfs, and chmod, chown, utimes and extended attributes stay allowed \
         everywhere (Landlock has no right for them). Before Landlock ABI 9 the caller's \
         session bus, tmux and ssh-agent sockets stay reachable, and they run commands \
         outside the jail. Options that need namespaces (--pid, --root, --bind, --tmpfs, \
         --overlay, --empty-root, -r, --cap-*, --map-*, --hostname, ...) are refused with \
         one line that names the option; --seccomp, --info-fd, --json-status-fd and --args \
         work as usual. Needs \
         Landlock ABI 1, 3 for --ro (truncate), 4 for --net and the port rules; a kernel \
         without them is an error, never a weaker jail."
        ),
    },
    FlagDef {
        id: F::Ro,
        short: None,
        long: "ro",
        value: Value::None,
        section: S::Filesystem,
        help: "make every mount read-only, except the writable paths below (implies --ipc)",
        doc: man_doc!(
            "Resolved last, with one recursive mount_setattr(2), so submounts (a home on \
         another filesystem) are read-only too. --rw paths, --tmpfs mounts, --bind \
         destinations and the private /dev/shm (see --ipc) stay writable, and so does /proc (the kernel's interface, which a \
         jail inside needs). Flags the host locked (nosuid, nodev, noexec, read-only) \
         are kept. A read-only mount does not stop connect(2), so the caller's service \
         sockets are cut off too: the runtime directory ($XDG_RUNTIME_DIR, /run/user/UID) \
         becomes a private, empty, writable tmpfs; /tmp/.X11-unix, /tmp/.ICE-unix and the \
         tmux and screen directories look empty; $SSH_AUTH_SOCK, $TMUX, the \
         $DBUS_SESSION_BUS_ADDRESS path, an absolute $WAYLAND_DISPLAY and every listening \
         socket whose file the caller owns are covered with /dev/null. A --rw path or a \
         --bind source lets the sockets at and below it through: --rw \"$SSH_AUTH_SOCK\". \
         System V IPC objects and POSIX message queues are writable state outside \
         the filesystem: --ro gives COMMAND an IPC namespace of its own, so it cannot see, \
         change or remove the caller's; POSIX shared memory and named semaphores go to a \
         private /dev/shm."
        ),
    },
    FlagDef {
        id: F::Rw,
        short: None,
        long: "rw",
        value: Value::Path("PATH"),
        section: S::Filesystem,
        help: "keep PATH writable under --ro; writes reach the host (repeatable)",
        doc: man_doc!(
            "PATH may be relative to the working directory: jail --ro --rw . --tmpfs /tmp --net \
         -- make protects the machine from a build script. It changes nothing that shows: a \
         --hide, --tmpfs or --bind at or beneath PATH stays, wherever it is on the command \
         line. The caller's sockets at or below PATH stay reachable (see --ro)."
        ),
    },
    FlagDef {
        id: F::Bind,
        short: None,
        long: "bind",
        value: Value::Path("SRC[:DST]"),
        section: S::Filesystem,
        help: "bind SRC at DST (default: the same path), writable (repeatable)",
        doc: man_doc!(
            "SRC is resolved in the caller's view, before any other option applies, and may be \
         relative; DST must be absolute and is created if missing (inside --root when given), \
         never through a symlink; an existing DST that is a symlink is followed in the jail's \
         view, so the mount lands on its target. Write \\: for a colon that is part of a \
         path, and \\\\ for a backslash."
        ),
    },
    FlagDef {
        id: F::RoBind,
        short: None,
        long: "ro-bind",
        value: Value::Path("SRC[:DST]"),
        section: S::Filesystem,
        help: "bind SRC at DST read-only (repeatable)",
        doc: man_doc!(""),
    },
    FlagDef {
        id: F::Tmpfs,
        short: None,
        long: "tmpfs",
        value: Value::Path("PATH"),
        section: S::Filesystem,
        help: "an empty, writable tmpfs at PATH, gone when the jail ends (repeatable)",
        doc: man_doc!(
            "PATH must be absolute; it is created if missing, never through a symlink. It belongs \
         to the uid and gid COMMAND runs as (mode 0755)."
        ),
    },
    FlagDef {
        id: F::Hide,
        short: None,
        long: "hide",
        value: Value::Path("PATH"),
        section: S::Filesystem,
        help: "make PATH look empty: a directory empty, a file empty (repeatable)",
        doc: man_doc!("A directory is covered by an empty read-only tmpfs, a file by /dev/null."),
    },
    FlagDef {
        id: F::Overlay,
        short: None,
        long: "overlay",
        value: Value::Path("PATH[:DIR]"),
        section: S::Filesystem,
        help: "a writable layer over directory PATH: the host's PATH never changes; \
               the writes are gone at exit, or kept in DIR/upper (repeatable)",
        doc: man_doc!(
            "PATH, as the view shows it at this point of the command line, is the lower \
         layer of an overlayfs: COMMAND reads it and writes freely, and the writes go to \
         a private tmpfs, gone when the jail ends. With :DIR they go to DIR/upper instead \
         (DIR/work is overlayfs's scratch space; jail creates both, and DIR if missing), \
         and a later run with the same DIR goes on from there. DIR is taken in the \
         caller's view and may be relative; it must be outside PATH and not in use by \
         another jail. A file changed or created shows in DIR/upper with its full \
         content, a deleted one as a whiteout (a character device 0/0: find DIR/upper \
         -type c), a directory deleted and made again as an opaque one (xattr \
         user.overlay.opaque). Mounts below PATH do not show through the layer. \
         Under --ro the layer is writable; a --rw at or beneath PATH writes to the \
         layer too. Needs Linux 5.11 (rootless overlayfs) and, for DIR, a filesystem \
         with user xattrs (ext4, xfs, btrfs, tmpfs; not another overlay)."
        ),
    },
    FlagDef {
        id: F::Root,
        short: None,
        long: "root",
        value: Value::Dir("DIR"),
        section: S::Filesystem,
        help: "make DIR the root directory (pivot_root); the old root is detached",
        doc: man_doc!(
            "Bind, tmpfs and hide destinations are then paths inside DIR, resolved as if DIR were \
         / (an absolute symlink or .. in DIR stays in DIR). With --pid a fresh /proc \
         is mounted at DIR/proc; without it the host's /proc is bound there if DIR/proc \
         exists. A root made of a static busybox is enough: jail --root rootfs --dev -- \
         /bin/busybox sh."
        ),
    },
    FlagDef {
        id: F::Dev,
        short: None,
        long: "dev",
        value: Value::None,
        section: S::Filesystem,
        help: "a minimal /dev: null, zero, full, random, urandom, tty, devpts, shm",
        doc: man_doc!(
            "The devices are bound from the host; /dev/pts is a private devpts instance (so ptmx \
         works) and /dev/shm a fresh tmpfs. No disk is visible. The caller's terminal, when \
         COMMAND gets it as fd 0, 1 or 2, is bound at /dev/console, so that tty(1) and \
         ttyname(3) name it."
        ),
    },
    FlagDef {
        id: F::EmptyRoot,
        short: None,
        long: "empty-root",
        value: Value::None,
        section: S::Filesystem,
        help: "make an empty tmpfs the root directory, to compose from parts",
        doc: man_doc!(
            "As --root on a fresh, writable tmpfs (mode 0755, gone when the jail ends): every \
         destination is made inside it, none on the host; --bind and --ro-bind sources are \
         still the caller's. It gets /proc as --root does: a fresh one with --pid, else the \
         host's (so bubblewrap's --proc /proc needs no option). --rw and --hide do not apply. \
         A flatpak-style root: jail --empty-root --ro-bind /usr --symlink usr/bin:/bin \
         --symlink usr/lib:/lib --symlink usr/lib64:/lib64 --dev --pid -- bash."
        ),
    },
    FlagDef {
        id: F::Dir,
        short: None,
        long: "dir",
        value: Value::Path("DST"),
        section: S::Filesystem,
        help: "make directory DST (mode 0755, or --perms) in a --tmpfs or --empty-root",
        doc: man_doc!(
            "--dir, --symlink, --file and --ro-file make their entry only in a tmpfs jail made: \
         the --empty-root, or a --tmpfs (or --dev) given earlier whose path holds DST, with \
         no other mount between; anywhere else they are refused, so nothing is ever made on \
         the host. Missing parents are made (mode 0755 less the umask, and as with bubblewrap \
         without the group's or others' access when the mode gives them none); no symlink on \
         the way is followed. A directory that exists is kept as it is."
        ),
    },
    FlagDef {
        id: F::Symlink,
        short: None,
        long: "symlink",
        value: Value::Path("TARGET:DST"),
        section: S::Filesystem,
        help: "make a symlink DST pointing to TARGET, in a --tmpfs or --empty-root",
        doc: man_doc!(
            "TARGET is kept as typed (it may be relative: --symlink usr/bin:/bin). The same \
         symlink already there is no error; another entry is. Write \\: for a colon."
        ),
    },
    FlagDef {
        id: F::File,
        short: None,
        long: "file",
        value: Value::Path("FD:DST"),
        section: S::Filesystem,
        help: "make a writable file DST holding what fd FD holds (mode 0666, or --perms)",
        doc: man_doc!(
            "FD is read to its end before the jail starts, at most 16 MiB (the content is held \
         in memory: the jail's setup cannot allocate), and DST is made in a --tmpfs or \
         --empty-root as --dir says: jail --tmpfs /etc/app --file 3:/etc/app/conf 3<conf. \
         bubblewrap's --file and --bind-data."
        ),
    },
    FlagDef {
        id: F::RoFile,
        short: None,
        long: "ro-file",
        value: Value::Path("FD:DST"),
        section: S::Filesystem,
        help: "as --file, but read-only (mode 0600, or --perms)",
        doc: man_doc!(
            "The file is bound onto itself read-only, so COMMAND cannot change it, root inside \
         included. bubblewrap's --ro-bind-data."
        ),
    },
    FlagDef {
        id: F::Perms,
        short: None,
        long: "perms",
        value: Value::Number("OCTAL"),
        section: S::Filesystem,
        help: "the mode of the next --dir, --file, --ro-file or --tmpfs (as bubblewrap's)",
        doc: man_doc!(
            "Up to 07777, set exactly (the umask does not apply). The next filesystem option \
         must be that one (or --size), and --perms is given once for it."
        ),
    },
    FlagDef {
        id: F::Size,
        short: None,
        long: "size",
        value: Value::Number("BYTES"),
        section: S::Filesystem,
        help: "the size of the next --tmpfs (K, M, G suffixes)",
        doc: man_doc!(
            "The next filesystem option must be --tmpfs (or --perms), and --size is given once \
         for it. Without it a tmpfs may grow to half the memory (the kernel's default)."
        ),
    },
    FlagDef {
        id: F::MapRoot,
        short: Some('r'),
        long: "map-root",
        value: Value::None,
        section: S::Identity,
        help: "map the caller to uid 0 and gid 0 inside and keep the namespace's capabilities",
        doc: man_doc!(
            "The capabilities only reach objects the user namespace owns; the host is unaffected."
        ),
    },
    FlagDef {
        id: F::Uid,
        short: None,
        long: "uid",
        value: Value::Number("N"),
        section: S::Identity,
        help: "the caller's uid appears as N inside (default: its own); with --map-*: run as N",
        doc: man_doc!(
            "With --map-auto, --map-users or --map-groups the caller is 0 inside instead, and \
         --uid N runs COMMAND as N, which must be mapped; COMMAND then has no capabilities. \
         Without --gid, its gid is N too when the group map has N (else 0)."
        ),
    },
    FlagDef {
        id: F::Gid,
        short: None,
        long: "gid",
        value: Value::Number("N"),
        section: S::Identity,
        help: "the caller's gid appears as N inside (default: its own); with --map-*: run as N",
        doc: man_doc!(
            "With --map-auto, --map-users or --map-groups the caller is 0 inside instead, and \
         --gid N runs COMMAND with gid N (and no other group), which must be mapped."
        ),
    },
    FlagDef {
        id: F::MapAuto,
        short: None,
        long: "map-auto",
        value: Value::None,
        section: S::Identity,
        help: "map the caller to 0 and its first /etc/subuid and /etc/subgid ranges to 1 and up",
        doc: man_doc!(
            "For package managers, chown in a build, and root filesystems with several owners \
         (debootstrap): the caller is 0 inside, as with -r, and the first range the caller \
         owns in /etc/subuid (and /etc/subgid) is mapped from id 1 up, so chown to any mapped \
         id works. The maps are written by the setuid helpers newuidmap and newgidmap \
         (package uidmap), which jail runs, both at once, while the jail waits; they add \
         about 2 ms to startup. COMMAND runs as 0 with the namespace's capabilities, and with only its own \
         gid as supplementary group; --uid N and --gid N run it as mapped ids instead. \
         /etc/subuid lines are NAME:START:COUNT or UID:START:COUNT; as root, give a user a \
         range no other user has, at SUB_UID_MIN (100000) or above, with usermod \
         --add-subuids FIRST-LAST --add-subgids FIRST-LAST USER (the hint jail prints names \
         a free one)."
        ),
    },
    FlagDef {
        id: F::MapUsers,
        short: None,
        long: "map-users",
        value: Value::Number("IN:OUT:N"),
        section: S::Identity,
        help: "map uids IN to IN+N-1 inside to OUT to OUT+N-1, from /etc/subuid (repeatable)",
        doc: man_doc!(
            "Like --map-auto for uids, with explicit ranges: each must be the caller's in \
         /etc/subuid, is checked before the jail starts, and must not include 0 inside (the \
         caller's). Without --map-groups (or --map-auto for the groups) the gid map is the \
         caller's gid at 0 alone."
        ),
    },
    FlagDef {
        id: F::MapGroups,
        short: None,
        long: "map-groups",
        value: Value::Number("IN:OUT:N"),
        section: S::Identity,
        help: "map gids IN to IN+N-1 inside to OUT to OUT+N-1, from /etc/subgid (repeatable)",
        doc: man_doc!(
            "As --map-users, for gids and /etc/subgid. With --map-auto, explicit ranges replace \
         the automatic one of their kind."
        ),
    },
    FlagDef {
        id: F::CapDrop,
        short: None,
        long: "cap-drop",
        value: Value::Choice("CAP", CAPS),
        section: S::Identity,
        help: "with root inside (-r, --map-auto): COMMAND runs without capability CAP, or ALL",
        doc: man_doc!(
            "Root inside keeps the namespace's full capability set; --cap-drop and --cap-add \
         (repeatable) shape it in command-line order, so --cap-drop ALL --cap-add CAP_CHOWN \
         keeps only CAP_CHOWN. Names as in capabilities(7), with or without CAP_, in any case; \
         an unknown one is refused (125). A dropped capability leaves COMMAND's effective, \
         permitted, inheritable and ambient sets and its bounding set, so no program COMMAND \
         runs gets it back. jail's own init is not affected. Capabilities are the jail's user \
         namespace's, never the host's; a user namespace COMMAND creates itself gives it a \
         full set over that namespace's objects only (--disable-userns stops that). Without \
         root inside COMMAND has none, and --cap-drop changes nothing."
        ),
    },
    FlagDef {
        id: F::CapAdd,
        short: None,
        long: "cap-add",
        value: Value::Choice("CAP", CAPS),
        section: S::Identity,
        help: "with root inside (-r, --map-auto): keep capability CAP (after --cap-drop ALL)",
        doc: man_doc!(
            "See --cap-drop. Refused without root inside (125): a COMMAND that is not 0 inside \
         runs without capabilities (no ambient capabilities, unlike bwrap); use -r, or \
         --map-auto without --uid."
        ),
    },
    FlagDef {
        id: F::DisableUserns,
        short: None,
        long: "disable-userns",
        value: Value::None,
        section: S::Identity,
        help: "COMMAND cannot create user namespaces (unshare -U, clone, a jail inside)",
        doc: man_doc!(
            "Most of the kernel an unprivileged process can reach (mounting filesystems, \
         netfilter, the namespaces' capabilities) is reached through a user namespace of its \
         own. jail sets the jail's user.max_user_namespaces to what it uses itself, so \
         unshare(2), clone(2) and clone3(2) with CLONE_NEWUSER fail with ENOSPC; with root \
         inside COMMAND runs in a nested user namespace, which cannot raise the limit of the \
         one above it (as with bwrap). A jail inside fails with a hint that names this option."
        ),
    },
    FlagDef {
        id: F::Env,
        short: None,
        long: "env",
        value: Value::Text("NAME=VALUE"),
        section: S::Process,
        help: "set an environment variable",
        doc: man_doc!(
            "--env, --unsetenv and --clearenv apply in command-line order. COMMAND is looked up \
         in the resulting PATH, or /usr/local/bin:/usr/bin:/bin if PATH is unset."
        ),
    },
    FlagDef {
        id: F::Unsetenv,
        short: None,
        long: "unsetenv",
        value: Value::EnvVar("NAME"),
        section: S::Process,
        help: "remove an environment variable",
        doc: man_doc!(""),
    },
    FlagDef {
        id: F::Clearenv,
        short: None,
        long: "clearenv",
        value: Value::None,
        section: S::Process,
        help: "start from an empty environment",
        doc: man_doc!("Variables set with --env after it are kept."),
    },
    FlagDef {
        id: F::Chdir,
        short: None,
        long: "chdir",
        value: Value::Dir("DIR"),
        section: S::Process,
        help: "working directory inside (default: the caller's)",
        doc: man_doc!(
            "Without it, COMMAND starts in the caller's working directory if the jail can see it, \
         else in /. With it, an inherited PWD is set to DIR (when DIR is absolute), as after \
         cd, unless --env sets PWD."
        ),
    },
    FlagDef {
        id: F::Rlimit,
        short: None,
        long: "rlimit",
        value: Value::Assign("NAME=SOFT[:HARD]", RLIMIT_NAMES),
        section: S::Process,
        help: "set a resource limit, NAME as in prlimit(1)",
        doc: man_doc!(
            "NAME is one of as, core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, \
         nproc, rss, rtprio, rttime, sigpending, stack. Values are whole numbers or unlimited; \
         byte limits (as, core, data, fsize, memlock, msgqueue, rss, stack) take a K, M or G \
         suffix (powers of 1024). A single value sets both limits; SOFT: keeps the hard limit, \
         :HARD keeps the soft limit. A hard limit above the current one is refused."
        ),
    },
    FlagDef {
        id: F::CgroupV2,
        short: None,
        long: "cgroup-v2",
        value: Value::None,
        section: S::Process,
        help: "run the jail in a new child cgroup of the caller's cgroup v2",
        doc: man_doc!(
            "The caller's cgroup (0:: in /proc/self/cgroup, under /sys/fs/cgroup) must be \
         delegated to it, as systemd does for each user (systemd-run --user --scope). jail \
         creates jail-PID there, moves the jail into it before COMMAND starts, and once \
         COMMAND is done kills whatever is left in it (cgroup.kill) and removes it. Without \
         such a subtree (cgroup v1 hosts) the option fails. Implied by --memory, --pids and \
         --cpu-weight, which need the memory, pids and cpu controllers delegated; to enable \
         them for jail-PID, jail moves itself to jail-PID-parent when it shares the caller's \
         cgroup. With -c the cgroup namespace's root is the caller's cgroup: COMMAND sees its \
         own as /jail-PID."
        ),
    },
    FlagDef {
        id: F::Memory,
        short: None,
        long: "memory",
        value: Value::Number("SIZE"),
        section: S::Process,
        help: "limit the jail's memory (memory.max, no swap), with K, M or G",
        doc: man_doc!(""),
    },
    FlagDef {
        id: F::Pids,
        short: None,
        long: "pids",
        value: Value::Number("N"),
        section: S::Process,
        help: "limit the jail to N processes and threads at a time (pids.max)",
        doc: man_doc!(""),
    },
    FlagDef {
        id: F::CpuWeight,
        short: None,
        long: "cpu-weight",
        value: Value::Number("N"),
        section: S::Process,
        help: "the jail's share of CPU time, 1 to 10000 (cpu.weight; 100 is the default)",
        doc: man_doc!(""),
    },
    FlagDef {
        id: F::Stdin,
        short: None,
        long: "stdin",
        value: Value::Path("FILE"),
        section: S::Process,
        help: "COMMAND's standard input reads FILE",
        doc: man_doc!(
            "The files of --stdin, --stdout and --stderr are opened by jail before the jail \
         starts, with the caller's rights. None may be a directory, nor may the caller's own \
         fds 0, 1 and 2 they do not replace: through /proc/self/fd a directory fd opens the \
         files under it, around --ro, --root and --hide. With a mount namespace (--mount, \
         --pid, --all or a filesystem option), a regular FILE is opened again inside through a \
         read-only copy of its mount: COMMAND cannot reopen /proc/self/fd/0 for writing, even \
         where the caller may write FILE. A file the caller redirects itself (< FILE) or keeps \
         with --keep-fd is the caller's own open file: COMMAND can reopen it for writing if the \
         caller may write it."
        ),
    },
    FlagDef {
        id: F::Stdout,
        short: None,
        long: "stdout",
        value: Value::Path("FILE"),
        section: S::Process,
        help: "COMMAND's standard output goes to FILE (created or truncated)",
        doc: man_doc!(""),
    },
    FlagDef {
        id: F::Stderr,
        short: None,
        long: "stderr",
        value: Value::Path("FILE"),
        section: S::Process,
        help: "COMMAND's standard error goes to FILE (created or truncated)",
        doc: man_doc!(""),
    },
    FlagDef {
        id: F::KeepFd,
        short: None,
        long: "keep-fd",
        value: Value::Number("N"),
        section: S::Process,
        help: "pass inherited file descriptor N to COMMAND (repeatable); N? if it may be closed",
        doc: man_doc!(
            "COMMAND gets fds 0, 1, 2 and those named here; every other inherited fd is closed. \
         N may not be a directory, and a file is the caller's own open file (see --stdin); \
         --bind gives the jail a directory. A closed N is an error, a closed N? is passed over. \
         Without this flag, jail keeps make's jobserver: the pipe fds named by \
         --jobserver-auth=R,W (or --jobserver-fds=R,W) in the MAKEFLAGS jail is started with, \
         when they are open pipes (make passes them to `+` recipes only), and the fifo of \
         --jobserver-auth=fifo:PATH (make 4.4), bound at PATH when a --tmpfs would cover it."
        ),
    },
    FlagDef {
        id: F::NewSession,
        short: None,
        long: "new-session",
        value: Value::None,
        section: S::Process,
        help: "start COMMAND in a new session, detached from the terminal",
        doc: man_doc!(
            "COMMAND has no controlling terminal: it cannot open /dev/tty nor push input into \
         the terminal (TIOCSTI), but it still reads and writes the terminal through the fds it \
         inherits (--stdin /dev/null keeps it from reading what is typed). jail passes Ctrl-C, \
         Ctrl-\\ and Ctrl-Z on to COMMAND's process group, which its children share, so the \
         whole job ends or stops, and fg continues it."
        ),
    },
    FlagDef {
        id: F::DieWithParent,
        short: None,
        long: "die-with-parent",
        value: Value::None,
        section: S::Process,
        help: "end the jail when the process that started jail dies",
        doc: man_doc!(
            "jail asks for SIGKILL when its parent exits (PR_SET_PDEATHSIG) and checks that \
         the parent was still there once asked; the jail's processes die with jail. As with \
         bwrap, the parent is the thread that started jail."
        ),
    },
    FlagDef {
        id: F::Cpus,
        short: None,
        long: "cpus",
        value: Value::Text("LIST"),
        section: S::Process,
        help: "run COMMAND and all it starts on these CPUs only (0-3,6 as in taskset -c)",
        doc: man_doc!(
            "LIST is CPU numbers and ranges separated by commas; a range may take a stride          (0-7:2 is 0, 2, 4, 6). Every CPU must be one jail itself may run on. jail sets the          affinity before COMMAND starts; COMMAND may change it within the CPUs the caller has."
        ),
    },
    FlagDef {
        id: F::Timeout,
        short: None,
        long: "timeout",
        value: Value::Number("DURATION"),
        section: S::Process,
        help: "after DURATION, SIGTERM COMMAND and all it started; jail exits 124",
        doc: man_doc!(
            "DURATION is a number of seconds, maybe with a fraction, and an optional suffix s, m, \
         h or d (30, 1.5s, 2m), as in timeout(1); 0 means no limit. The signal reaches every \
         process of the jail (with --pid, the whole PID namespace). Whatever COMMAND does then, \
         jail exits 124 once every jailed process is gone."
        ),
    },
    FlagDef {
        id: F::KillAfter,
        short: None,
        long: "kill-after",
        value: Value::Number("DURATION"),
        section: S::Process,
        help: "SIGKILL what is left this long after the timeout's SIGTERM (default 5s)",
        doc: man_doc!("0 sends SIGKILL right after SIGTERM. Needs --timeout."),
    },
    FlagDef {
        id: F::InfoFd,
        short: None,
        long: "info-fd",
        value: Value::Number("N"),
        section: S::Process,
        help: "once COMMAND runs, write one JSON line about the jail to fd N, then close it",
        doc: man_doc!(
            "The line is {\"child-pid\": P, \"command-pid\": C, \"namespaces\": {\"user\": I, \
         \"net\": I, ...}}: P is jail's init (COMMAND itself with --as-pid-1), C is COMMAND \
         (missing if it already ended), and each namespace jail created is listed with its \
         inode number, as ls -iL /proc/C/ns/* shows. As an ordinary user, attach to C, not P \
         (the init is not dumpable): nsenter -t C -U -n --preserve-credentials. N must be \
         open and above 2; COMMAND does not inherit it."
        ),
    },
    FlagDef {
        id: F::JsonStatusFd,
        short: None,
        long: "json-status-fd",
        value: Value::Number("N"),
        section: S::Process,
        help: "write a JSON line to fd N when COMMAND starts, and one with its exit status",
        doc: man_doc!(
            "As bwrap's: the first line is the one --info-fd writes ({\"child-pid\": P, \
         \"command-pid\": C, \"namespaces\": {...}}), once COMMAND runs; the last, once \
         every jailed process is gone, is {\"exit-code\": N} when COMMAND exited with N, \
         {\"exit-code\": 128+S, \"signal\": S} when signal S killed it, and {\"exit-code\": \
         124, \"timed-out\": true} when --timeout expired; then fd N is closed. A jail that \
         does not start (125, 126, 127) writes neither. N must be open and above 2; COMMAND \
         does not inherit it. It may be the --info-fd: the first line is then written once."
        ),
    },
    FlagDef {
        id: F::Args,
        short: None,
        long: "args",
        value: Value::Number("FD"),
        section: S::Process,
        help: "read more arguments from FD, each ended by a NUL byte, as if typed here",
        doc: man_doc!(
            "As bwrap's --args, for a spec too long for a command line: jail reads FD to its \
         end first, then parses its arguments in place of --args FD, so they may hold options, \
         --, COMMAND and its arguments, byte for byte (spaces, newlines, empty ones); what \
         follows --args FD on the command line comes after them. printf '%s\\0' --ro --net \
         > spec; jail --args 3 -- make 3< spec. At most 16 MiB and 100000 arguments in all; \
         --args itself is refused among them (no nesting, as in bwrap)."
        ),
    },
    FlagDef {
        id: F::ShareIpcScope,
        short: None,
        long: "share-ipc-scope",
        value: Value::None,
        section: S::Process,
        help: "let COMMAND signal processes and reach abstract unix sockets outside the jail",
        doc: man_doc!(
            "By default, where the kernel has Landlock ABI 6 or later, COMMAND cannot signal \
         processes outside the jail (without --pid it could otherwise kill the caller's other \
         processes) nor connect to abstract unix sockets made outside it (without --net it \
         could otherwise reach the host's D-Bus or X11). This flag turns both scopes off, \
         for programs that need the host's IPC. On older kernels both stay open and --verbose \
         says so; --pid and --net close them by other means."
        ),
    },
    FlagDef {
        id: F::Seccomp,
        short: None,
        long: "seccomp",
        value: Value::Number("FD"),
        section: S::Process,
        help: "also filter COMMAND's system calls with the BPF program read from FD (repeatable)",
        doc: man_doc!(
            "FD holds a compiled classic BPF program, an array of struct sock_filter (8 bytes \
         each, at most 4096), as bwrap's --seccomp and --add-seccomp-fd take it (libseccomp's \
         seccomp_export_bpf writes one). jail reads it before the jail starts and installs it \
         in COMMAND's process right before execve, after its own filter, which it cannot lift: \
         the kernel runs every filter and the most restrictive answer wins (of two errors, the \
         later filter's). Several programs are installed in command-line order, so all but the \
         last must allow prctl(2). A program the kernel refuses stops jail (125)."
        ),
    },
    FlagDef {
        id: F::Strict,
        short: None,
        long: "strict",
        value: Value::None,
        section: S::Process,
        help: "refuse to run (125) if a protection the options imply cannot be applied here",
        doc: man_doc!(
            "Without it, jail runs with what this kernel offers: for example without the \
         Landlock scopes below ABI 6 (--verbose lists what was skipped). With it, jail names \
         the first such protection in one line and does not run COMMAND."
        ),
    },
    FlagDef {
        id: F::Verbose,
        short: Some('v'),
        long: "verbose",
        value: Value::None,
        section: S::Info,
        help: "print on stderr the namespaces, each mount and id map, each setup step \
               and its duration, the protections skipped on this kernel, and the timeout firing",
        doc: man_doc!(""),
    },
    FlagDef {
        id: F::Explain,
        short: None,
        long: "explain",
        value: Value::None,
        section: S::Info,
        help: "say what the other options isolate on this kernel, and exit without running COMMAND",
        doc: man_doc!(
            "One line per concern: filesystem, network, processes and signals, IPC, unix \
         sockets, keyrings, terminal input, ids and capabilities, resource limits, and what \
         stays shared with the caller and why (an option not given, a kernel feature missing), \
         then the protections this kernel cannot give and its Landlock ABI and user namespace \
         sysctls. The lines come from the same facts the jail is built from."
        ),
    },
    FlagDef {
        id: F::Completions,
        short: None,
        long: "completions",
        value: Value::Choice("SHELL", SHELLS),
        section: S::Info,
        help: "print a completion script for bash, zsh or fish and exit",
        doc: man_doc!(
            "bash: save it as ~/.local/share/bash-completion/completions/jail; zsh: as _jail in a \
         directory of $fpath; fish: as ~/.config/fish/completions/jail.fish."
        ),
    },
    FlagDef {
        id: F::Check,
        short: None,
        long: "check",
        value: Value::None,
        section: S::Info,
        help: "say whether a rootless jail works here, and if not, what to change",
        doc: man_doc!(
            "Tries each namespace type for real, and reports user namespaces (and which of \
         user.max_user_namespaces, kernel.unprivileged_userns_clone and \
         kernel.apparmor_restrict_unprivileged_userns blocks them), a fresh /proc (masked \
         inside containers), seccomp, the Landlock ABI, how --ro cuts off the caller's unix \
         sockets and dev.tty.legacy_tiocsti. Exits 0 \
         when a rootless jail works, 125 when not."
        ),
    },
    FlagDef {
        id: F::Help,
        short: Some('h'),
        long: "help",
        value: Value::None,
        section: S::Info,
        help: "print this help and exit",
        doc: man_doc!(""),
    },
    FlagDef {
        id: F::Version,
        short: Some('V'),
        long: "version",
        value: Value::None,
        section: S::Info,
        help: "print the version and exit",
        doc: man_doc!(""),
    },
];

/// The resource names of --rlimit, as prlimit(1) spells them.
pub const RLIMIT_NAMES: &[&str] = &[
    "as",
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

/// The shells `--completions` knows.
pub const SHELLS: &[&str] = &["bash", "zsh", "fish"];

/// The values of --cap-drop and --cap-add: ALL, then the capabilities of
/// capabilities(7), capability number N at index N + 1.
pub const CAPS: &[&str] = &[
    "ALL",
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// Look a flag up by its long name.
pub fn by_long(name: &str) -> Option<&'static FlagDef> {
    FLAGS.iter().find(|f| f.long == name)
}

/// Look a flag up by its short name.
pub fn by_short(c: char) -> Option<&'static FlagDef> {
    FLAGS.iter().find(|f| f.short == Some(c))
}

/// How a flag is written in messages: `--net`.
pub fn display(def: &FlagDef) -> String {
    format!("--{}", def.long)
}

/// The usage line, shared by `--help` and the man page.
pub const USAGE: &str = "jail [OPTION]... [--] [COMMAND [ARG]...]";

/// One sentence on what jail does.
pub const ABOUT: &str = "Run COMMAND in new Linux namespaces as the calling user: no daemon, \
no setuid bit, no config file, no output on success. Without COMMAND, run $SHELL (else /bin/sh). \
Options end at the first word that is not an option, so everything after COMMAND is passed on \
untouched. When COMMAND exits, whatever it left running in the jail is killed, and jail returns \
once all of it is gone.";

/// Exit statuses, shared by `--help` and the man page.
pub const EXIT_STATUS: &[(&str, &str)] = &[
    ("N", "COMMAND exited with N"),
    ("124", "--timeout expired"),
    (
        "signal",
        "COMMAND was killed by a signal: jail kills itself with the same signal (no core dump)",
    ),
    (
        "125",
        "jail itself failed: a bad option or value, a namespace, mount or limit refused",
    ),
    ("126", "COMMAND was found but could not be executed"),
    ("127", "COMMAND was not found"),
];
