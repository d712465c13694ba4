//! Second stage: validate what was typed and precompute everything the child
//! needs (C strings, pointer arrays, open files), so that the child never
//! allocates.

#![forbid(unsafe_code)]

use std::ffi::{CString, OsStr, OsString};
use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use crate::cli::defs::{self, FlagId};
use crate::error::Error;
use crate::plan::rlimit::{self, Rlimit};
use crate::sys;

/// PATH used to find COMMAND when the jail's environment has none.
pub const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// COMMAND, ready for execve(2).
pub struct Exec {
    /// What the user typed as COMMAND (for messages).
    pub name: OsString,
    /// Whether COMMAND was looked up in PATH (no '/' in it).
    pub searched: bool,
    /// Paths to try in order, as execvp(3) would.
    pub candidates: Vec<CString>,
    pub argv: Vec<CString>,
    pub envp: Vec<CString>,
    pub argv_ptrs: Vec<*const libc::c_char>,
    pub envp_ptrs: Vec<*const libc::c_char>,
    /// Per candidate, `/bin/sh CANDIDATE ARG...`: a file the kernel cannot
    /// run (a script without `#!`) is run by the shell, as execvp(3) does.
    pub sh_argv_ptrs: Vec<Vec<*const libc::c_char>>,
}

/// The shell that runs a script without `#!` (inside the jail's view).
pub const SHELL: &std::ffi::CStr = c"/bin/sh";

/// The namespaces clone(2) creates besides the user namespace: flag, name
/// under /proc/PID/ns, and name in messages.
pub const NAMESPACES: [(libc::c_int, &str, &str); 6] = [
    (libc::CLONE_NEWNS, "mnt", "mount namespace"),
    (libc::CLONE_NEWPID, "pid", "PID namespace"),
    (libc::CLONE_NEWNET, "net", "network namespace"),
    (libc::CLONE_NEWUTS, "uts", "UTS namespace"),
    (libc::CLONE_NEWIPC, "ipc", "IPC namespace"),
    (libc::CLONE_NEWCGROUP, "cgroup", "cgroup namespace"),
];

/// With root inside (`-r`, or a subordinate map with COMMAND as 0), COMMAND
/// holds CAP_SYS_ADMIN over the mount namespace jail built, and could
/// remount, unmount or move what jail mounted. So once the view is built
/// the child enters a nested user namespace with a new mount namespace:
/// the kernel locks every mount copied into a mount namespace owned by a
/// less privileged user namespace (flags, and nothing can be unmounted or
/// moved to reveal what is beneath). The namespaces COMMAND configures as
/// root (network, UTS, IPC, cgroup) are created there too, so that its
/// capabilities still reach them.
pub struct Lock {
    /// CLONE_NEWUSER, CLONE_NEWNS and the namespaces moved from clone(2).
    pub flags: libc::c_int,
    /// The nested namespace's maps: the same ids, inside to inside.
    pub uid_map: CString,
    pub gid_map: CString,
    /// Several lines (subordinate ranges): only a process that stays in the
    /// outer namespace, with CAP_SETUID there, may write them; a short-lived
    /// helper does. Otherwise the child writes its own one-line maps.
    pub helper: bool,
    /// `--info-fd`: the namespaces made here (user, mnt and the moved ones,
    /// as `ns/NAME` under /proc/self), whose inodes the child reports.
    pub info: Vec<(&'static str, CString)>,
}

/// The namespaces that move into the nested user namespace of `Lock`.
pub const LOCK_MOVES: libc::c_int =
    libc::CLONE_NEWNET | libc::CLONE_NEWUTS | libc::CLONE_NEWIPC | libc::CLONE_NEWCGROUP;

/// Everything the jail will do, validated.
pub struct Spec {
    /// CLONE_NEW* flags for clone(2) (user namespace always).
    pub clone_flags: libc::c_int,
    pub pid_ns: bool,
    /// Run jail's init (or, without a PID namespace, a keeper) between the
    /// parent and COMMAND. False only with --as-pid-1.
    pub init: bool,
    pub mount_ns: bool,
    pub net: bool,
    /// A new time namespace, and the offsets to write (may be empty).
    pub time: Option<CString>,
    /// Keep the namespace's capabilities (`-r`, or a subordinate map with
    /// COMMAND running as 0).
    pub map_root: bool,
    /// The inside ids of the caller's own map line.
    pub uid_inside: u32,
    pub gid_inside: u32,
    pub outer_uid: u32,
    pub outer_gid: u32,
    /// `--map-auto`, `--map-users`, `--map-groups`: maps written through
    /// newuidmap/newgidmap, and the ids COMMAND switches to.
    pub subids: Option<crate::plan::subid::SubIds>,
    pub hostname: Option<CString>,
    pub rlimits: Vec<Rlimit>,
    /// Files for fds 0, 1, 2, opened by the parent.
    pub stdio: [Option<File>; 3],
    /// Raw fds of `stdio` (-1 when not redirected), for the child.
    pub stdio_fds: [i32; 3],
    /// `--stdin FILE` of a regular file, with a mount namespace: the child
    /// opens FILE again through a read-only clone of its mount (see
    /// `child::stdin_read_only`).
    pub stdin_read_only: Option<CString>,
    /// Inherited fds passed to COMMAND, sorted, all >= 3.
    pub keep_fds: Vec<i32>,
    pub new_session: bool,
    pub chdir: Option<CString>,
    pub verbose: bool,
    /// `--timeout` in nanoseconds (0: none), and `--kill-after`.
    pub timeout_ns: u64,
    pub kill_after_ns: u64,
    /// `--info-fd`: where the parent writes the JSON line (not COMMAND's).
    pub info_fd: Option<i32>,
    /// `--share-ipc-scope`: no Landlock scopes for COMMAND.
    pub share_ipc_scope: bool,
    /// Test hook (debug builds only): the child sleeps this many ms before
    /// it arms PDEATHSIG, to test the race with a dying parent.
    pub test_pause_ms: u32,
    pub fs: crate::plan::mounts::Fs,
    /// The nested user and mount namespace that locks the view (root
    /// inside only).
    pub lock: Option<Lock>,
    pub exec: Exec,
}

impl Spec {
    /// "N OUTER 1\n" for /proc/PID/uid_map.
    pub fn uid_map(&self) -> String {
        format!("{} {} 1\n", self.uid_inside, self.outer_uid)
    }

    pub fn gid_map(&self) -> String {
        format!("{} {} 1\n", self.gid_inside, self.outer_gid)
    }
}

fn flag_name(id: FlagId) -> String {
    defs::FLAGS
        .iter()
        .find(|f| f.id == id)
        .map(defs::display)
        .unwrap_or_default()
}

fn invalid(id: FlagId, v: &OsStr, why: &str) -> Error {
    Error::usage(format!(
        "{}: invalid value '{}': {why}",
        flag_name(id),
        v.to_string_lossy()
    ))
}

fn utf8(id: FlagId, v: &OsStr) -> Result<&str, Error> {
    v.to_str().ok_or_else(|| invalid(id, v, "not valid UTF-8"))
}

fn parse_id(id: FlagId, v: &OsStr) -> Result<u32, Error> {
    utf8(id, v)?
        .parse::<u32>()
        .ok()
        .filter(|n| *n != u32::MAX)
        .ok_or_else(|| invalid(id, v, "expected a number from 0 to 4294967294"))
}

fn parse_secs(id: FlagId, v: &OsStr) -> Result<i64, Error> {
    utf8(id, v)?
        .parse::<i64>()
        .ok()
        .filter(|n| n.unsigned_abs() < 1 << 40)
        .ok_or_else(|| invalid(id, v, "expected a whole number of seconds"))
}

fn parse_duration(id: FlagId, v: &OsStr) -> Result<u64, Error> {
    crate::plan::duration::parse_duration(utf8(id, v)?).map_err(|why| invalid(id, v, why))
}

/// A file descriptor number that is open in this process.
fn parse_open_fd(id: FlagId, v: &OsStr) -> Result<i32, Error> {
    let fd = utf8(id, v)?
        .parse::<i32>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| invalid(id, v, "expected a file descriptor number"))?;
    rustix::io::fcntl_getfd(sys::borrow(fd))
        .map_err(|e| Error::sys(format!("{} {fd}", flag_name(id)), e.raw_os_error()))?;
    Ok(fd)
}

fn cstring(id: FlagId, v: &OsStr) -> Result<CString, Error> {
    CString::new(v.as_bytes()).map_err(|_| invalid(id, v, "contains a NUL byte"))
}

/// Environment edits, applied in order.
enum EnvOp {
    Set(OsString, OsString),
    Unset(OsString),
    Clear,
}

/// Build the spec from the parsed command line and the caller's environment.
pub fn build(low: crate::cli::parse::LowArgs) -> Result<Spec, Error> {
    let mut flags = libc::CLONE_NEWUSER;
    let mut as_pid_1 = false;
    let mut time_ns = false;
    let mut monotonic: Option<i64> = None;
    let mut boottime: Option<i64> = None;
    let mut map_root = false;
    let mut uid: Option<u32> = None;
    let mut gid: Option<u32> = None;
    let mut map_auto = false;
    let mut map_users = Vec::new();
    let mut map_groups = Vec::new();
    let mut hostname = None;
    let mut rlimits: Vec<Rlimit> = Vec::new();
    let mut stdio_paths: [Option<OsString>; 3] = [None, None, None];
    let mut keep_fds = Vec::new();
    let mut new_session = false;
    let mut chdir = None;
    let mut verbose = false;
    let mut timeout_ns: Option<u64> = None;
    let mut kill_after_ns: Option<u64> = None;
    let mut info_fd: Option<i32> = None;
    let mut share_ipc_scope = false;
    let mut env_ops = Vec::new();
    let mut fs_typed = Vec::new();

    for (id, value) in &low.flags {
        let v = value.as_deref().unwrap_or_default();
        let shown = match value {
            Some(v) => format!("{} {}", flag_name(*id), v.to_string_lossy()),
            None => flag_name(*id),
        };
        use crate::plan::mounts::Typed;
        match id {
            FlagId::Ro => {
                fs_typed.push((shown, Typed::Ro));
                // SysV IPC objects and POSIX message queues are writable
                // state outside the filesystem: --ro keeps COMMAND off
                // the caller's, with an IPC namespace of its own.
                flags |= libc::CLONE_NEWIPC;
            }
            FlagId::Rw => fs_typed.push((shown, Typed::Rw(v.into()))),
            FlagId::Bind => fs_typed.push((shown, Typed::Bind(v.into(), false))),
            FlagId::RoBind => fs_typed.push((shown, Typed::Bind(v.into(), true))),
            FlagId::Tmpfs => fs_typed.push((shown, Typed::Tmpfs(v.into()))),
            FlagId::Hide => fs_typed.push((shown, Typed::Hide(v.into()))),
            FlagId::Root => fs_typed.push((shown, Typed::Root(v.into()))),
            FlagId::Dev => fs_typed.push((shown, Typed::Dev)),
            FlagId::Net => flags |= libc::CLONE_NEWNET,
            FlagId::Pid => flags |= libc::CLONE_NEWPID,
            FlagId::AsPid1 => {
                as_pid_1 = true;
                flags |= libc::CLONE_NEWPID;
            }
            FlagId::Mount => flags |= libc::CLONE_NEWNS,
            FlagId::Uts => flags |= libc::CLONE_NEWUTS,
            FlagId::Hostname => {
                if v.len() > 64 {
                    return Err(invalid(*id, v, "longer than 64 bytes"));
                }
                hostname = Some(cstring(*id, v)?);
                flags |= libc::CLONE_NEWUTS;
            }
            FlagId::Ipc => flags |= libc::CLONE_NEWIPC,
            FlagId::Cgroup => flags |= libc::CLONE_NEWCGROUP,
            FlagId::Time => time_ns = true,
            FlagId::Monotonic => {
                monotonic = Some(parse_secs(*id, v)?);
                time_ns = true;
            }
            FlagId::Boottime => {
                boottime = Some(parse_secs(*id, v)?);
                time_ns = true;
            }
            FlagId::All => {
                flags |= libc::CLONE_NEWNS
                    | libc::CLONE_NEWPID
                    | libc::CLONE_NEWNET
                    | libc::CLONE_NEWUTS
                    | libc::CLONE_NEWIPC
                    | libc::CLONE_NEWCGROUP
            }
            FlagId::MapRoot => map_root = true,
            FlagId::Uid => uid = Some(parse_id(*id, v)?),
            FlagId::Gid => gid = Some(parse_id(*id, v)?),
            FlagId::MapAuto => map_auto = true,
            FlagId::MapUsers => map_users.push((
                v.to_string_lossy().into_owned(),
                crate::plan::subid::parse_range(&flag_name(*id), v)?,
            )),
            FlagId::MapGroups => map_groups.push((
                v.to_string_lossy().into_owned(),
                crate::plan::subid::parse_range(&flag_name(*id), v)?,
            )),
            FlagId::Env => {
                let bytes = v.as_bytes();
                match bytes.iter().position(|b| *b == b'=') {
                    Some(i) if i > 0 => env_ops.push(EnvOp::Set(
                        OsStr::from_bytes(&bytes[..i]).into(),
                        OsStr::from_bytes(&bytes[i + 1..]).into(),
                    )),
                    _ => return Err(invalid(*id, v, "expected NAME=VALUE")),
                }
            }
            FlagId::Unsetenv => {
                if v.is_empty() || v.as_bytes().contains(&b'=') {
                    return Err(invalid(*id, v, "expected a variable name"));
                }
                env_ops.push(EnvOp::Unset(v.into()));
            }
            FlagId::Clearenv => env_ops.push(EnvOp::Clear),
            FlagId::Chdir => chdir = Some(cstring(*id, v)?),
            FlagId::Rlimit => {
                let arg = utf8(*id, v)?;
                let l = rlimit::parse(arg, rlimit::current)?;
                rlimits.retain(|o| o.resource != l.resource);
                rlimits.push(l);
            }
            FlagId::Stdin => stdio_paths[0] = Some(v.into()),
            FlagId::Stdout => stdio_paths[1] = Some(v.into()),
            FlagId::Stderr => stdio_paths[2] = Some(v.into()),
            FlagId::KeepFd => {
                let fd = parse_open_fd(*id, v)?;
                if is_dir_fd(fd) {
                    return Err(Error::usage(format!(
                        "--keep-fd {fd}: is a directory, {AROUND}; give the jail a directory \
                         with --bind"
                    )));
                }
                if fd > 2 && !keep_fds.contains(&fd) {
                    keep_fds.push(fd);
                }
            }
            FlagId::NewSession => new_session = true,
            FlagId::Timeout => timeout_ns = Some(parse_duration(*id, v)?),
            FlagId::KillAfter => kill_after_ns = Some(parse_duration(*id, v)?),
            FlagId::InfoFd => {
                if utf8(*id, v)?
                    .parse::<i32>()
                    .is_ok_and(|n| (0..3).contains(&n))
                {
                    return Err(invalid(
                        *id,
                        v,
                        "0, 1 and 2 are COMMAND's; use a fd above 2",
                    ));
                }
                info_fd = Some(parse_open_fd(*id, v)?);
            }
            FlagId::ShareIpcScope => share_ipc_scope = true,
            FlagId::Verbose => verbose = true,
            FlagId::Help | FlagId::Version | FlagId::Completions | FlagId::Check => {}
        }
    }
    if map_root && (uid.is_some() || gid.is_some()) {
        let other = if uid.is_some() { "--uid" } else { "--gid" };
        return Err(Error::usage(format!(
            "--map-root: conflicts with {other} (--map-root is uid and gid 0)"
        )));
    }
    if kill_after_ns.is_some() && timeout_ns.is_none() {
        return Err(Error::usage("--kill-after: needs --timeout"));
    }
    if let Some(fd) = info_fd.filter(|fd| keep_fds.contains(fd)) {
        return Err(Error::usage(format!(
            "--info-fd: conflicts with --keep-fd {fd} (the info fd is not passed to COMMAND)"
        )));
    }
    if flags & libc::CLONE_NEWPID != 0 || !fs_typed.is_empty() {
        // A PID namespace needs its own /proc, and every filesystem option
        // its own mounts: both need a mount namespace.
        flags |= libc::CLONE_NEWNS;
    }
    let mut fs = crate::plan::mounts::build(&fs_typed, flags & libc::CLONE_NEWPID != 0)?;
    keep_fds.sort_unstable();

    let outer_uid = rustix::process::geteuid().as_raw();
    let outer_gid = rustix::process::getegid().as_raw();
    // Subordinate maps (only then are /etc/subuid and /etc/subgid read):
    // the caller is 0 inside, as with -r, and --uid/--gid pick the mapped
    // ids COMMAND runs as.
    let subids = if map_auto || !map_users.is_empty() || !map_groups.is_empty() {
        Some(crate::plan::subid::build(
            map_auto,
            &map_users,
            &map_groups,
            uid,
            gid,
            (outer_uid, outer_gid),
        )?)
    } else {
        None
    };
    if let Some(s) = &subids {
        map_root = s.run_uid == 0;
        // A --tmpfs belongs to COMMAND, not to the 0 that mounts it.
        if s.run_uid != 0 || s.run_gid != 0 {
            fs.tmpfs_opts = Some(
                CString::new(format!("mode=0755,uid={},gid={}", s.run_uid, s.run_gid))
                    .expect("no NUL in numbers"),
            );
        }
    }
    let uid_inside = if map_root || subids.is_some() {
        0
    } else {
        uid.unwrap_or(outer_uid)
    };
    let gid_inside = if map_root || subids.is_some() {
        0
    } else {
        gid.unwrap_or(outer_gid)
    };

    let time = if time_ns {
        let mut s = String::new();
        if let Some(m) = monotonic {
            s.push_str(&format!("monotonic {m} 0\n"));
        }
        if let Some(b) = boottime {
            s.push_str(&format!("boottime {b} 0\n"));
        }
        Some(CString::new(s).expect("no NUL in offsets"))
    } else {
        None
    };

    // Only what jail mounts needs it: the mounts copied from the caller's
    // namespace are locked already (from a more privileged user namespace).
    let jail_mounts = flags & libc::CLONE_NEWPID != 0 || fs.changes_view();
    let lock = (map_root && jail_mounts).then(|| {
        let identity = |ranges: Option<&crate::plan::subid::HelperMap>, single: u32| -> String {
            match ranges {
                Some(m) => m
                    .lines
                    .iter()
                    .map(|r| format!("{} {} {}\n", r.inner, r.inner, r.count))
                    .collect(),
                None => format!("{single} {single} 1\n"),
            }
        };
        let sub = subids.as_ref();
        let c = |s: String| CString::new(s).expect("no NUL in numbers");
        Lock {
            flags: libc::CLONE_NEWUSER | libc::CLONE_NEWNS | (flags & LOCK_MOVES),
            uid_map: c(identity(sub.and_then(|s| s.uid_map.as_ref()), uid_inside)),
            gid_map: c(identity(sub.and_then(|s| s.gid_map.as_ref()), gid_inside)),
            helper: sub.is_some(),
            info: std::iter::once("user")
                .chain(
                    NAMESPACES
                        .iter()
                        .filter(|(f, _, _)| *f & (libc::CLONE_NEWNS | flags) != 0)
                        .filter(|(f, _, _)| *f & (libc::CLONE_NEWNS | LOCK_MOVES) != 0)
                        .map(|(_, name, _)| *name),
                )
                .map(|name| (name, c(format!("ns/{name}"))))
                .collect(),
        }
    });
    if lock.is_some() {
        flags &= !LOCK_MOVES;
    }

    let exec = build_exec(low.command, env_ops)?;
    #[cfg(debug_assertions)]
    let test_pause_ms = std::env::var("JAIL_TEST_PAUSE_CHILD_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    #[cfg(not(debug_assertions))]
    let test_pause_ms = 0;

    // The caller's own 0, 1 and 2 go to COMMAND unless redirected.
    for (fd, name) in ["stdin", "stdout", "stderr"].iter().enumerate() {
        if stdio_paths[fd].is_none() && is_dir_fd(fd as i32) {
            return Err(Error::usage(format!(
                "{name} (fd {fd}) is a directory, {AROUND}; redirect it, or give the jail a \
                 directory with --bind"
            )));
        }
    }
    // Last, so that nothing is created when another option is wrong.
    let stdio = open_stdio(&stdio_paths)?;
    let stdio_fds = [0, 1, 2].map(|i| stdio[i].as_ref().map_or(-1, |f| f.as_raw_fd()));
    // (A path with a NUL byte was never opened: CString::new cannot fail.)
    let regular = |f: &File| f.metadata().is_ok_and(|m| m.is_file());
    let stdin_read_only = match (&stdio[0], &stdio_paths[0]) {
        (Some(f), Some(p)) if flags & libc::CLONE_NEWNS != 0 && regular(f) => {
            CString::new(p.as_bytes()).ok()
        }
        _ => None,
    };

    Ok(Spec {
        clone_flags: flags,
        pid_ns: flags & libc::CLONE_NEWPID != 0,
        init: !as_pid_1,
        mount_ns: flags & libc::CLONE_NEWNS != 0,
        net: (flags | lock.as_ref().map_or(0, |l| l.flags)) & libc::CLONE_NEWNET != 0,
        time,
        map_root,
        uid_inside,
        gid_inside,
        outer_uid,
        outer_gid,
        subids,
        hostname,
        rlimits,
        stdio,
        stdio_fds,
        stdin_read_only,
        keep_fds,
        new_session,
        chdir,
        verbose,
        timeout_ns: timeout_ns.unwrap_or(0),
        kill_after_ns: kill_after_ns.unwrap_or(crate::plan::duration::DEFAULT_KILL_AFTER_NS),
        info_fd,
        share_ipc_scope,
        test_pause_ms,
        fs,
        lock,
        exec,
    })
}

/// Why a directory fd must not reach COMMAND: through `/proc/self/fd/N/`
/// it opens the host's files under it, whatever the view hides or makes
/// read-only.
const AROUND: &str = "which would let COMMAND reach the host's files around the jail's view";

/// Whether `fd` is open on a directory (O_PATH fds included).
fn is_dir_fd(fd: i32) -> bool {
    use rustix::fs::FileType;
    rustix::fs::fstat(sys::borrow(fd))
        .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Directory)
}

/// Open the files for fds 0, 1 and 2. None may be a directory (see
/// `AROUND`). A file this creates is removed again if a later one fails.
fn open_stdio(paths: &[Option<OsString>; 3]) -> Result<[Option<File>; 3], Error> {
    let mut files: [Option<File>; 3] = [None, None, None];
    let mut created = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let Some(p) = p else { continue };
        match open_stdio_file(i, p, &mut created) {
            Ok(f) => files[i] = Some(f),
            Err(e) => {
                for c in created {
                    let _ = std::fs::remove_file(c);
                }
                return Err(e);
            }
        }
    }
    Ok(files)
}

/// The file for fd `i`, read-only for 0; `created` gets its path if it
/// did not exist. --stdout and --stderr files are truncated by COMMAND's
/// process right before execve, so that a jail that fails to start leaves
/// the file as it was.
fn open_stdio_file<'a>(
    i: usize,
    p: &'a OsString,
    created: &mut Vec<&'a OsString>,
) -> Result<File, Error> {
    use std::io::ErrorKind;
    let shown = format!(
        "{} {}",
        ["--stdin", "--stdout", "--stderr"][i],
        p.to_string_lossy()
    );
    let is_dir = || Error::usage(format!("{shown}: is a directory, {AROUND}"));
    let fail = |e: std::io::Error| match e.raw_os_error().unwrap_or(libc::EIO) {
        libc::EISDIR => is_dir(),
        n => Error::sys(&shown, n),
    };
    let write = || std::fs::OpenOptions::new().write(true).open(p);
    let f = match i {
        0 => File::open(p),
        _ => match write() {
            Err(e) if e.kind() == ErrorKind::NotFound => {
                let new = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(p);
                match new {
                    Ok(f) => {
                        created.push(p);
                        Ok(f)
                    }
                    // Made meanwhile, by --stdout for --stderr, or a
                    // dangling symlink, whose target `>` would create.
                    Err(e) if e.kind() == ErrorKind::AlreadyExists => std::fs::OpenOptions::new()
                        .write(true)
                        .create(true)
                        .truncate(false)
                        .open(p),
                    Err(e) => Err(e),
                }
            }
            r => r,
        },
    }
    .map_err(fail)?;
    if is_dir_fd(f.as_raw_fd()) {
        return Err(is_dir());
    }
    Ok(f)
}

fn apply_env(ops: Vec<EnvOp>) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    for op in ops {
        match op {
            EnvOp::Set(k, v) => {
                env.retain(|(n, _)| *n != k);
                env.push((k, v));
            }
            EnvOp::Unset(k) => env.retain(|(n, _)| *n != k),
            EnvOp::Clear => env.clear(),
        }
    }
    env
}

fn build_exec(command: Vec<OsString>, env_ops: Vec<EnvOp>) -> Result<Exec, Error> {
    let command = if command.is_empty() {
        vec![
            std::env::var_os("SHELL")
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "/bin/sh".into()),
        ]
    } else {
        command
    };
    let env = apply_env(env_ops);
    let name = command[0].clone();
    let to_c =
        |s: Vec<u8>| CString::new(s).map_err(|_| Error::usage("argument contains a NUL byte"));
    let argv = command
        .into_iter()
        .map(|a| to_c(a.into_vec()))
        .collect::<Result<Vec<_>, _>>()?;
    let envp = env
        .iter()
        .map(|(k, v)| {
            let mut kv = k.as_bytes().to_vec();
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            to_c(kv)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let searched = !name.as_bytes().contains(&b'/');
    let candidates = if searched {
        let path = env
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.as_bytes().to_vec())
            .unwrap_or_else(|| DEFAULT_PATH.as_bytes().to_vec());
        search_path(&path, name.as_bytes())
            .into_iter()
            .map(to_c)
            .collect::<Result<Vec<_>, _>>()?
    } else {
        vec![argv[0].clone()]
    };
    let argv_ptrs = null_terminated(&argv);
    let envp_ptrs = null_terminated(&envp);
    let sh_argv_ptrs = candidates
        .iter()
        .map(|c| {
            let mut v = vec![SHELL.as_ptr(), c.as_ptr()];
            v.extend_from_slice(&argv_ptrs[1..]);
            v
        })
        .collect();
    Ok(Exec {
        name,
        searched,
        candidates,
        argv,
        envp,
        argv_ptrs,
        envp_ptrs,
        sh_argv_ptrs,
    })
}

/// The paths execvp(3) would try for `name`, in order.
pub fn search_path(path: &[u8], name: &[u8]) -> Vec<Vec<u8>> {
    if name.is_empty() {
        return vec![Vec::new()];
    }
    path.split(|b| *b == b':')
        .map(|dir| {
            let dir: &[u8] = if dir.is_empty() { b"." } else { dir };
            let mut p = dir.to_vec();
            if !p.ends_with(b"/") {
                p.push(b'/');
            }
            p.extend_from_slice(name);
            p
        })
        .collect()
}

fn null_terminated(v: &[CString]) -> Vec<*const libc::c_char> {
    v.iter()
        .map(|c| c.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_search_order() {
        let got = search_path(b"/a:/b/::/c", b"ls");
        let want: Vec<&[u8]> = vec![b"/a/ls", b"/b/ls", b"./ls", b"/c/ls"];
        assert_eq!(got, want);
    }

    #[test]
    fn ids_are_validated() {
        assert_eq!(parse_id(FlagId::Uid, OsStr::new("1000")).unwrap(), 1000);
        for bad in ["", "x", "-1", "4294967295", "1e3", " 1"] {
            let e = parse_id(FlagId::Uid, OsStr::new(bad))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("--uid: invalid value"), "{bad}: {e}");
        }
    }

    #[test]
    fn seconds_may_be_negative() {
        assert_eq!(parse_secs(FlagId::Boottime, OsStr::new("-5")).unwrap(), -5);
        assert!(parse_secs(FlagId::Boottime, OsStr::new("1.5")).is_err());
    }

    #[test]
    fn env_ops_apply_in_order() {
        let env = apply_env(vec![
            EnvOp::Clear,
            EnvOp::Set("A".into(), "1".into()),
            EnvOp::Set("B".into(), "2".into()),
            EnvOp::Unset("A".into()),
            EnvOp::Set("B".into(), "3".into()),
        ]);
        assert_eq!(env, vec![("B".into(), "3".into())]);
    }
}
