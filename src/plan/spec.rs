//! Second stage: validate what was typed and precompute everything the child
//! needs (C strings, pointer arrays, open files), so that the child never
//! allocates.

#![forbid(unsafe_code)]

use std::ffi::{CStr, CString, OsStr, OsString};
use std::fs::File;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use crate::cli::defs::{self, FlagId};
use crate::error::Error;
use crate::plan::rlimit::{self, Rlimit};
use crate::plan::subid::{self, Range, SubIds};
use crate::plan::{cpus, duration, mounts};
use crate::sys;

/// PATH used to find COMMAND when the jail's environment has none.
pub const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// COMMAND, ready for execve(2).
pub struct Exec {
    /// What the user typed as COMMAND (for messages).
    pub name: OsString,
    /// Whether COMMAND was looked up in PATH (no '/' in it).
    pub searched: bool,
    /// Whether COMMAND was not given and is the caller's $SHELL.
    pub from_shell: bool,
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
/// capabilities still reach them. With `--disable-userns` root inside
/// always runs there: it cannot raise the limit of the namespace above.
pub struct Lock {
    /// CLONE_NEWUSER, CLONE_NEWNS (if the jail has a mount namespace) and
    /// the namespaces moved from clone(2).
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
    /// CLONE_NEW* flags for clone(2) (user namespace always). See also
    /// `pid_ns`, `mount_ns` and `net`.
    pub clone_flags: libc::c_int,
    /// Run jail's init (or, without a PID namespace, a keeper) between the
    /// parent and COMMAND. False only with --as-pid-1.
    pub init: bool,
    /// A new time namespace, and the offsets to write (may be empty).
    pub time: Option<CString>,
    /// Keep the namespace's capabilities (`-r`, or a subordinate map with
    /// COMMAND running as 0).
    pub map_root: bool,
    /// `--cap-drop`/`--cap-add` with root inside: the capabilities COMMAND
    /// keeps (bit N: capability N), in every set and the bounding set.
    /// None: the namespace's full set (or none without root inside).
    pub caps: Option<u64>,
    /// `--disable-userns`: the child sets the jail's
    /// user.max_user_namespaces to the nested namespace of `lock` (1) or
    /// none (0), so that COMMAND cannot create user namespaces.
    pub disable_userns: bool,
    /// The inside ids of the caller's own map line.
    pub uid_inside: u32,
    pub gid_inside: u32,
    pub outer_uid: u32,
    pub outer_gid: u32,
    /// `--map-auto`, `--map-users`, `--map-groups`: maps written through
    /// newuidmap/newgidmap, and the ids COMMAND switches to.
    pub subids: Option<SubIds>,
    pub hostname: Option<CString>,
    /// With a network namespace: `G G`, COMMAND's gid, for the namespace's
    /// net.ipv4.ping_group_range, so that COMMAND may open ICMP echo
    /// sockets (ping) without CAP_NET_RAW.
    pub ping_range: Option<CString>,
    pub rlimits: Vec<Rlimit>,
    /// `--cgroup-v2` and its limits: the caller's cgroup, checked.
    pub cgroup: Option<crate::plan::cgroup::Plan>,
    /// Files for fds 0, 1, 2, opened by the parent (see `stdio_fds`).
    pub stdio: [Option<OwnedFd>; 3],
    /// `--stdin FILE` of a regular file, with a mount namespace: the child
    /// opens FILE again through a read-only clone of its mount (see
    /// `child::stdin_read_only`).
    pub stdin_read_only: Option<CString>,
    /// Inherited fds passed to COMMAND, sorted, all >= 3.
    pub keep_fds: Vec<i32>,
    pub new_session: bool,
    /// `--die-with-parent`: the parent arms PDEATHSIG on itself.
    pub die_with_parent: bool,
    /// `--cpus`: the parent sets the child's affinity before "go".
    pub cpus: Option<rustix::thread::CpuSet>,
    pub chdir: Option<CString>,
    pub verbose: bool,
    /// `--timeout` in nanoseconds (0: none), and `--kill-after`.
    pub timeout_ns: u64,
    pub kill_after_ns: u64,
    /// `--verbose` with `--timeout`: the lines written when the timeout
    /// expires (SIGTERM) and when the grace period is over (SIGKILL),
    /// prebuilt for the init, which may not format.
    pub timeout_notes: [Vec<u8>; 2],
    /// `--info-fd`: where the parent writes the JSON line (not COMMAND's).
    pub info_fd: Option<i32>,
    /// `--json-status-fd`: where the parent writes the start and exit lines.
    pub json_status_fd: Option<i32>,
    /// `--seccomp`: the programs COMMAND's process installs after jail's
    /// filter, in order, each with the fd it came from (for messages).
    pub seccomp: Vec<(i32, Vec<libc::sock_filter>)>,
    /// `--share-ipc-scope`: no Landlock scopes for COMMAND.
    pub share_ipc_scope: bool,
    /// `--explain`: print what the jail isolates and exit.
    pub explain: bool,
    /// `--strict`: refuse to run with a protection skipped.
    pub strict: bool,
    /// Test hook (debug builds only): the child sleeps this many ms before
    /// it arms PDEATHSIG, to test the race with a dying parent.
    pub test_pause_ms: u32,
    pub fs: mounts::Fs,
    /// `--landlock-only` and the TCP port rules.
    pub landlock: crate::plan::landlock::Plan,
    /// The nested user and mount namespace that locks the view (root
    /// inside only).
    pub lock: Option<Lock>,
    pub exec: Exec,
}

impl Spec {
    /// A new PID namespace (--pid, --as-pid-1, --all).
    pub fn pid_ns(&self) -> bool {
        self.clone_flags & libc::CLONE_NEWPID != 0
    }

    /// A new mount namespace (asked for, or needed by a PID namespace or
    /// a filesystem option).
    pub fn mount_ns(&self) -> bool {
        self.clone_flags & libc::CLONE_NEWNS != 0
    }

    /// A new network namespace, made by clone(2) or, with `lock`, by the
    /// nested user namespace.
    pub fn net(&self) -> bool {
        let lock = self.lock.as_ref().map_or(0, |l| l.flags);
        (self.clone_flags | lock) & libc::CLONE_NEWNET != 0
    }

    /// The raw fds of `stdio`, -1 where not redirected. For the child:
    /// this only reads memory.
    pub fn stdio_fds(&self) -> [i32; 3] {
        self.stdio
            .each_ref()
            .map(|f| f.as_ref().map_or(-1, |f| f.as_raw_fd()))
    }

    /// "N OUTER 1\n" for /proc/PID/uid_map.
    pub fn uid_map(&self) -> String {
        format!("{} {} 1\n", self.uid_inside, self.outer_uid)
    }

    pub fn gid_map(&self) -> String {
        format!("{} {} 1\n", self.gid_inside, self.outer_gid)
    }
}

/// `-v`: what the init (or jail) writes when `--timeout` expires, and when
/// the grace period after it is over.
fn timeout_notes(timeout: &str, kill_after: Option<&str>) -> [Vec<u8>; 2] {
    let grace = match kill_after {
        Some(k) => format!("--kill-after {k}"),
        None => format!(
            "--kill-after {}s by default",
            duration::DEFAULT_KILL_AFTER_NS / 1_000_000_000
        ),
    };
    [
        format!("jail: --timeout {timeout} expired: SIGTERM sent\n").into_bytes(),
        format!("jail: {grace} passed: SIGKILL sent\n").into_bytes(),
    ]
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

/// The most instructions a seccomp program may have (the kernel's
/// BPF_MAXINSNS).
pub const SECCOMP_MAX_INSNS: usize = 4096;

/// `--seccomp FD`: the program FD holds, read to its end, as the kernel
/// takes it (struct sock_filter: u16 code, u8 jt, u8 jf, u32 k, in the
/// machine's byte order). The kernel checks the instructions themselves.
fn seccomp_program(v: &OsStr) -> Result<(i32, Vec<libc::sock_filter>), Error> {
    use crate::cli::fd_data;
    let fd = fd_data::parse_fd("--seccomp", v)?;
    let data = fd_data::read_all("--seccomp", fd, SECCOMP_MAX_INSNS * 8 + 1)?;
    let bad = |why: &str| Error::usage(format!("--seccomp {fd}: {why}"));
    if data.len() > SECCOMP_MAX_INSNS * 8 {
        return Err(bad(&format!(
            "more than {SECCOMP_MAX_INSNS} instructions, the most the kernel takes"
        )));
    }
    if data.is_empty() {
        return Err(bad("no program (the fd is at its end)"));
    }
    if data.len() % 8 != 0 {
        return Err(bad(&format!(
            "{} bytes, not a whole number of 8-byte BPF instructions",
            data.len()
        )));
    }
    let program = data
        .chunks_exact(8)
        .map(|b| libc::sock_filter {
            code: u16::from_ne_bytes([b[0], b[1]]),
            jt: b[2],
            jf: b[3],
            k: u32::from_ne_bytes([b[4], b[5], b[6], b[7]]),
        })
        .collect();
    Ok((fd, program))
}

/// make's jobserver, from MAKEFLAGS.
#[derive(Debug, PartialEq)]
enum Jobserver {
    /// `--jobserver-auth=R,W` (or make 4.1's `--jobserver-fds=R,W`).
    Fds([i32; 2]),
    /// `--jobserver-auth=fifo:PATH` (make 4.4).
    Fifo(OsString),
}

/// The last jobserver option of MAKEFLAGS (the one make obeys), before
/// its ` -- ` variables.
fn jobserver_auth(makeflags: &OsStr) -> Option<Jobserver> {
    let mut found = None;
    for word in makeflags.as_bytes().split(|b| b.is_ascii_whitespace()) {
        if word == b"--" {
            break;
        }
        let value = word
            .strip_prefix(b"--jobserver-auth=")
            .or_else(|| word.strip_prefix(b"--jobserver-fds="));
        let Some(value) = value else { continue };
        found = if let Some(path) = value.strip_prefix(b"fifo:") {
            Some(Jobserver::Fifo(OsString::from_vec(path.to_vec())))
        } else {
            let s = std::str::from_utf8(value).unwrap_or("");
            s.split_once(',')
                .and_then(|(r, w)| Some(Jobserver::Fds([r.parse().ok()?, w.parse().ok()?])))
        };
    }
    found
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

/// What was typed: one field per flag, each value parsed and checked on
/// its own. Nothing across flags yet (`check`), nothing opened or created.
#[derive(Default)]
struct Typed {
    /// CLONE_NEW* flags asked for, or implied by another flag (--hostname:
    /// UTS, --ro: IPC, --as-pid-1: PID). `build` adds the user namespace,
    /// and the mount namespace that a PID namespace and the filesystem
    /// options need.
    namespaces: libc::c_int,
    as_pid_1: bool,
    /// --time, --monotonic or --boottime.
    time: bool,
    monotonic: Option<i64>,
    boottime: Option<i64>,
    map_root: bool,
    uid: Option<u32>,
    gid: Option<u32>,
    map_auto: bool,
    /// --map-users and --map-groups, each with its text as typed.
    map_users: Vec<(String, Range)>,
    map_groups: Vec<(String, Range)>,
    /// --cap-drop and --cap-add, applied in order to the full set; and
    /// whether --cap-add was given (it needs root inside).
    caps: Option<u64>,
    cap_add: bool,
    disable_userns: bool,
    hostname: Option<CString>,
    /// The last limit given for each resource.
    rlimits: Vec<Rlimit>,
    /// --cgroup-v2, --memory, --pids, --cpu-weight.
    cgroup: Option<crate::plan::cgroup::Plan>,
    /// The files of --stdin, --stdout and --stderr.
    stdio: [Option<OsString>; 3],
    /// --keep-fd above 2, once each, in the order given.
    keep_fds: Vec<i32>,
    new_session: bool,
    die_with_parent: bool,
    /// --cpus as typed, and its CPUs.
    cpus: Option<(String, Vec<usize>)>,
    chdir: Option<CString>,
    verbose: bool,
    timeout_ns: Option<u64>,
    kill_after_ns: Option<u64>,
    /// --timeout and --kill-after as typed, for -v.
    timeout_text: String,
    kill_after_text: Option<String>,
    info_fd: Option<i32>,
    json_status_fd: Option<i32>,
    seccomp: Vec<(i32, Vec<libc::sock_filter>)>,
    share_ipc_scope: bool,
    explain: bool,
    strict: bool,
    /// --env, --unsetenv and --clearenv, in order.
    env: Vec<EnvOp>,
    /// The filesystem options in order, each with its text as typed.
    fs: Vec<(String, mounts::Typed)>,
    /// --landlock-only, --connect-tcp and --bind-tcp.
    landlock_only: bool,
    connect_tcp: Vec<u16>,
    bind_tcp: Vec<u16>,
}

impl Typed {
    /// Every flag into its field, in command-line order: the first bad
    /// value is the error.
    fn from_flags(flags: &[(FlagId, Option<OsString>)]) -> Result<Typed, Error> {
        let mut t = Typed::default();
        for (id, value) in flags {
            t.add(*id, value.as_deref())?;
        }
        Ok(t)
    }

    fn add(&mut self, id: FlagId, value: Option<&OsStr>) -> Result<(), Error> {
        use libc::{
            CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS,
        };
        let v = value.unwrap_or_default();
        let shown = || match value {
            Some(v) => format!("{} {}", flag_name(id), v.to_string_lossy()),
            None => flag_name(id),
        };
        let mut fs = |typed| self.fs.push((shown(), typed));
        match id {
            FlagId::Ro => {
                fs(mounts::Typed::Ro);
                // SysV IPC objects and POSIX message queues are writable
                // state outside the filesystem: --ro keeps COMMAND off
                // the caller's, with an IPC namespace of its own.
                self.namespaces |= CLONE_NEWIPC;
            }
            FlagId::Rw => fs(mounts::Typed::Rw(v.into())),
            FlagId::Bind => fs(mounts::Typed::Bind(v.into(), false)),
            FlagId::RoBind => fs(mounts::Typed::Bind(v.into(), true)),
            FlagId::Tmpfs => fs(mounts::Typed::Tmpfs(v.into())),
            FlagId::Hide => fs(mounts::Typed::Hide(v.into())),
            FlagId::Overlay => fs(mounts::Typed::Overlay(v.into())),
            FlagId::Root => fs(mounts::Typed::Root(v.into())),
            FlagId::Dev => fs(mounts::Typed::Dev),
            FlagId::EmptyRoot => fs(mounts::Typed::EmptyRoot),
            FlagId::Dir => fs(mounts::Typed::Dir(v.into())),
            FlagId::Symlink => fs(mounts::Typed::Symlink(v.into())),
            FlagId::File => fs(mounts::Typed::File(v.into(), false)),
            FlagId::RoFile => fs(mounts::Typed::File(v.into(), true)),
            FlagId::Perms => {
                let s = utf8(id, v)?;
                let mode = u32::from_str_radix(s, 8)
                    .ok()
                    .filter(|m| !s.starts_with('+') && *m <= 0o7777)
                    .ok_or_else(|| invalid(id, v, "expected an octal mode up to 07777"))?;
                fs(mounts::Typed::Perms(mode))
            }
            FlagId::Size => {
                let n = rlimit::parse_value(utf8(id, v)?, true)
                    .ok()
                    .filter(|n| *n > 0 && *n != libc::RLIM_INFINITY)
                    .ok_or_else(|| {
                        invalid(
                            id,
                            v,
                            "expected a number of bytes above 0 (K, M, G suffixes)",
                        )
                    })?;
                fs(mounts::Typed::Size(n))
            }
            FlagId::Net => self.namespaces |= CLONE_NEWNET,
            FlagId::Pid => self.namespaces |= CLONE_NEWPID,
            FlagId::AsPid1 => {
                self.as_pid_1 = true;
                self.namespaces |= CLONE_NEWPID;
            }
            FlagId::Mount => self.namespaces |= CLONE_NEWNS,
            FlagId::Uts => self.namespaces |= CLONE_NEWUTS,
            FlagId::Hostname => {
                if v.len() > 64 {
                    return Err(invalid(id, v, "longer than 64 bytes"));
                }
                self.hostname = Some(cstring(id, v)?);
                self.namespaces |= CLONE_NEWUTS;
            }
            FlagId::Ipc => self.namespaces |= CLONE_NEWIPC,
            FlagId::Cgroup => self.namespaces |= CLONE_NEWCGROUP,
            FlagId::Time => self.time = true,
            FlagId::Monotonic => {
                self.monotonic = Some(parse_secs(id, v)?);
                self.time = true;
            }
            FlagId::Boottime => {
                self.boottime = Some(parse_secs(id, v)?);
                self.time = true;
            }
            FlagId::All => {
                self.namespaces |= CLONE_NEWNS
                    | CLONE_NEWPID
                    | CLONE_NEWNET
                    | CLONE_NEWUTS
                    | CLONE_NEWIPC
                    | CLONE_NEWCGROUP
            }
            FlagId::LandlockOnly => self.landlock_only = true,
            FlagId::ConnectTcp | FlagId::BindTcp => {
                let port = crate::plan::landlock::parse_port(&flag_name(id), v)?;
                let ports = if id == FlagId::ConnectTcp {
                    &mut self.connect_tcp
                } else {
                    &mut self.bind_tcp
                };
                if !ports.contains(&port) {
                    ports.push(port);
                }
            }
            FlagId::MapRoot => self.map_root = true,
            FlagId::Uid => self.uid = Some(parse_id(id, v)?),
            FlagId::Gid => self.gid = Some(parse_id(id, v)?),
            FlagId::MapAuto => self.map_auto = true,
            FlagId::MapUsers => self.map_users.push((
                v.to_string_lossy().into_owned(),
                subid::parse_range(&flag_name(id), v)?,
            )),
            FlagId::MapGroups => self.map_groups.push((
                v.to_string_lossy().into_owned(),
                subid::parse_range(&flag_name(id), v)?,
            )),
            FlagId::CapDrop | FlagId::CapAdd => {
                let mask = utf8(id, v).ok().and_then(crate::plan::caps::parse);
                let mask = mask.ok_or_else(|| {
                    invalid(
                        id,
                        v,
                        "unknown capability (names as in capabilities(7), or ALL)",
                    )
                })?;
                let keep = self.caps.get_or_insert(crate::plan::caps::ALL);
                if id == FlagId::CapAdd {
                    *keep |= mask;
                    self.cap_add = true;
                } else {
                    *keep &= !mask;
                }
            }
            FlagId::DisableUserns => self.disable_userns = true,
            FlagId::Env => {
                let bytes = v.as_bytes();
                match bytes.iter().position(|b| *b == b'=') {
                    Some(i) if i > 0 => self.env.push(EnvOp::Set(
                        OsStr::from_bytes(&bytes[..i]).into(),
                        OsStr::from_bytes(&bytes[i + 1..]).into(),
                    )),
                    _ => return Err(invalid(id, v, "expected NAME=VALUE")),
                }
            }
            FlagId::Unsetenv => {
                if v.is_empty() || v.as_bytes().contains(&b'=') {
                    return Err(invalid(id, v, "expected a variable name"));
                }
                self.env.push(EnvOp::Unset(v.into()));
            }
            FlagId::Clearenv => self.env.push(EnvOp::Clear),
            FlagId::Chdir => self.chdir = Some(cstring(id, v)?),
            FlagId::Rlimit => {
                let l = rlimit::parse(utf8(id, v)?, rlimit::current)?;
                self.rlimits.retain(|o| o.resource != l.resource);
                self.rlimits.push(l);
            }
            FlagId::CgroupV2 => {
                self.cgroup.get_or_insert_with(Default::default);
            }
            FlagId::Memory => {
                let n = rlimit::parse_value(utf8(id, v)?, true)
                    .map_err(|e| Error::usage(format!("{}: {e}", flag_name(id))))?;
                self.cgroup.get_or_insert_with(Default::default).memory =
                    Some(n).filter(|n| *n != libc::RLIM_INFINITY);
            }
            FlagId::Pids | FlagId::CpuWeight => {
                let n = utf8(id, v)?
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0 && (id == FlagId::Pids || *n <= 10000))
                    .ok_or_else(|| invalid(id, v, "expected a whole number in range"))?;
                let c = self.cgroup.get_or_insert_with(Default::default);
                if id == FlagId::Pids {
                    c.pids = Some(n);
                } else {
                    c.cpu_weight = Some(n);
                }
            }
            FlagId::Stdin => self.stdio[0] = Some(v.into()),
            FlagId::Stdout => self.stdio[1] = Some(v.into()),
            FlagId::Stderr => self.stdio[2] = Some(v.into()),
            FlagId::KeepFd => {
                // `N?`: N if it is open, nothing if it is closed.
                let fd = match v.as_bytes().strip_suffix(b"?") {
                    Some(n) => {
                        let n = OsStr::from_bytes(n);
                        let closed =
                            n.to_str()
                                .and_then(|n| n.parse::<i32>().ok())
                                .is_some_and(|fd| {
                                    fd >= 0 && rustix::io::fcntl_getfd(sys::borrow(fd)).is_err()
                                });
                        if closed {
                            return Ok(());
                        }
                        parse_open_fd(id, n)?
                    }
                    None => parse_open_fd(id, v)?,
                };
                if is_dir(sys::borrow(fd)) {
                    return Err(Error::usage(format!(
                        "--keep-fd {fd}: is a directory, {AROUND}; give the jail a directory \
                         with --bind"
                    )));
                }
                if fd > 2 && !self.keep_fds.contains(&fd) {
                    self.keep_fds.push(fd);
                }
            }
            FlagId::NewSession => self.new_session = true,
            FlagId::DieWithParent => self.die_with_parent = true,
            FlagId::Cpus => {
                let text = utf8(id, v)?;
                let list = cpus::parse_list(text).map_err(|why| invalid(id, v, &why))?;
                self.cpus = Some((text.to_string(), list));
            }
            FlagId::Timeout => {
                self.timeout_ns = Some(parse_duration(id, v)?);
                self.timeout_text = v.to_string_lossy().into_owned();
            }
            FlagId::KillAfter => {
                self.kill_after_ns = Some(parse_duration(id, v)?);
                self.kill_after_text = Some(v.to_string_lossy().into_owned());
            }
            FlagId::InfoFd | FlagId::JsonStatusFd => {
                if utf8(id, v)?
                    .parse::<i32>()
                    .is_ok_and(|n| (0..3).contains(&n))
                {
                    return Err(invalid(id, v, "0, 1 and 2 are COMMAND's; use a fd above 2"));
                }
                let fd = Some(parse_open_fd(id, v)?);
                if id == FlagId::InfoFd {
                    self.info_fd = fd;
                } else {
                    self.json_status_fd = fd;
                }
            }
            FlagId::Seccomp => self.seccomp.push(seccomp_program(v)?),
            FlagId::ShareIpcScope => self.share_ipc_scope = true,
            FlagId::Verbose => self.verbose = true,
            FlagId::Explain => self.explain = true,
            FlagId::Strict => self.strict = true,
            // --args is spliced in by the parser.
            FlagId::Help | FlagId::Version | FlagId::Completions | FlagId::Check | FlagId::Args => {
            }
        }
        Ok(())
    }

    /// make's jobserver, named in the MAKEFLAGS jail was started with: its
    /// pipe's fds are kept when they are open pipes (make passes them only
    /// to `+` recipes), and its fifo (make 4.4) is bound over a --tmpfs
    /// that would cover it.
    fn jobserver(&mut self, makeflags: Option<&OsStr>) {
        let Some(auth) = makeflags.and_then(jobserver_auth) else {
            return;
        };
        match auth {
            Jobserver::Fds(fds) => {
                for fd in fds {
                    let open_pipe = fd > 2
                        && rustix::fs::fstat(sys::borrow(fd))
                            .is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFIFO);
                    let ours = self.info_fd == Some(fd) || self.json_status_fd == Some(fd);
                    if open_pipe && !ours && !self.keep_fds.contains(&fd) {
                        self.keep_fds.push(fd);
                    }
                }
            }
            Jobserver::Fifo(path) => {
                use std::os::unix::fs::FileTypeExt;
                let p = Path::new(&path);
                let is_fifo = std::fs::metadata(p).is_ok_and(|m| m.file_type().is_fifo());
                let root = self
                    .fs
                    .iter()
                    .any(|(_, t)| matches!(t, mounts::Typed::Root(_)));
                let covered = self.fs.iter().any(|(_, t)| match t {
                    mounts::Typed::Tmpfs(d) => p.starts_with(d) && p != Path::new(d),
                    _ => false,
                });
                if p.is_absolute() && is_fifo && covered && !root {
                    // As --bind takes it: a colon or a backslash escaped.
                    let mut arg = Vec::new();
                    for &b in path.as_bytes() {
                        if b == b':' || b == b'\\' {
                            arg.push(b'\\');
                        }
                        arg.push(b);
                    }
                    self.fs.push((
                        format!("MAKEFLAGS --jobserver-auth=fifo:{}", p.display()),
                        mounts::Typed::Bind(OsString::from_vec(arg), false),
                    ));
                }
            }
        }
    }

    /// What no single flag can check: the conflicts between them.
    fn check(&self) -> Result<(), Error> {
        if self.map_root && (self.uid.is_some() || self.gid.is_some()) {
            let other = if self.uid.is_some() { "--uid" } else { "--gid" };
            return Err(Error::usage(format!(
                "--map-root: conflicts with {other} (--map-root is uid and gid 0)"
            )));
        }
        if self.kill_after_ns.is_some() && self.timeout_ns.is_none() {
            return Err(Error::usage("--kill-after: needs --timeout"));
        }
        if let Some(fd) = self.info_fd.filter(|fd| self.keep_fds.contains(fd)) {
            return Err(Error::usage(format!(
                "--info-fd: conflicts with --keep-fd {fd} (the info fd is not passed to COMMAND)"
            )));
        }
        if let Some(fd) = self.json_status_fd.filter(|fd| self.keep_fds.contains(fd)) {
            return Err(Error::usage(format!(
                "--json-status-fd: conflicts with --keep-fd {fd} (the status fd is not passed \
                 to COMMAND)"
            )));
        }
        Ok(())
    }

    /// Subordinate maps, if asked for (only then are /etc/subuid and
    /// /etc/subgid read): the caller is 0 inside, as with -r, and
    /// --uid/--gid pick the mapped ids COMMAND runs as.
    fn subids(&self, outer: (u32, u32)) -> Result<Option<SubIds>, Error> {
        if !self.map_auto && self.map_users.is_empty() && self.map_groups.is_empty() {
            return Ok(None);
        }
        subid::build(
            self.map_auto,
            &self.map_users,
            &self.map_groups,
            self.uid,
            self.gid,
            outer,
        )
        .map(Some)
    }

    /// What jail writes to /proc/PID/timens_offsets (with --time).
    fn time_offsets(&self) -> Option<CString> {
        if !self.time {
            return None;
        }
        let mut s = String::new();
        if let Some(m) = self.monotonic {
            s.push_str(&format!("monotonic {m} 0\n"));
        }
        if let Some(b) = self.boottime {
            s.push_str(&format!("boottime {b} 0\n"));
        }
        Some(CString::new(s).expect("no NUL in offsets"))
    }
}

/// Build the spec from the parsed command line and the caller's environment:
/// each flag's value into `Typed`, then the checks across flags, then the
/// spec, with the files of --stdin, --stdout and --stderr opened last.
pub fn build(low: crate::cli::parse::LowArgs) -> Result<Spec, Error> {
    let landlock_only = crate::plan::landlock::refuse(&low.flags)?;
    let mut t = Typed::from_flags(&low.flags)?;
    t.check()?;
    let landlock = crate::plan::landlock::build(
        landlock_only,
        t.namespaces & libc::CLONE_NEWNET != 0,
        std::mem::take(&mut t.connect_tcp),
        std::mem::take(&mut t.bind_tcp),
        &t.fs,
    )?;
    if landlock_only {
        // No namespace: --ro, --rw, --hide and --net are Landlock rules.
        t.fs.clear();
        t.namespaces = 0;
    }
    if let Some(c) = t.cgroup.as_mut() {
        crate::plan::cgroup::find(c)?;
    }
    t.jobserver(std::env::var_os("MAKEFLAGS").as_deref());

    let mut flags = if landlock_only {
        0
    } else {
        libc::CLONE_NEWUSER | t.namespaces
    };
    let ipc_ns = flags & libc::CLONE_NEWIPC != 0;
    if flags & libc::CLONE_NEWPID != 0 || !t.fs.is_empty() || ipc_ns {
        // A PID namespace needs its own /proc, every filesystem option its
        // own mounts, and an IPC namespace its own /dev/shm: all need a
        // mount namespace.
        flags |= libc::CLONE_NEWNS;
    }
    let pid_ns = flags & libc::CLONE_NEWPID != 0;
    let mut fs = mounts::build(&t.fs, pid_ns, ipc_ns)?;

    let outer_uid = rustix::process::geteuid().as_raw();
    let outer_gid = rustix::process::getegid().as_raw();
    let subids = t.subids((outer_uid, outer_gid))?;
    let map_root = match &subids {
        Some(s) => s.run_uid == 0,
        None => t.map_root,
    };
    if let Some(s) = &subids {
        // A --tmpfs belongs to COMMAND, not to the 0 that mounts it.
        if s.run_uid != 0 || s.run_gid != 0 {
            fs.tmpfs_opts = Some(
                CString::new(format!("mode=0755,uid={},gid={}", s.run_uid, s.run_gid))
                    .expect("no NUL in numbers"),
            );
        }
    }
    if t.cap_add && !map_root {
        return Err(Error::usage(
            "--cap-add: needs root inside (-r, or --map-auto without --uid): COMMAND runs \
             without capabilities otherwise",
        ));
    }
    let (uid_inside, gid_inside) = if map_root || subids.is_some() {
        (0, 0)
    } else {
        (t.uid.unwrap_or(outer_uid), t.gid.unwrap_or(outer_gid))
    };
    let time = t.time_offsets();
    let ping_range = (flags & libc::CLONE_NEWNET != 0).then(|| {
        let gid = subids.as_ref().map_or(gid_inside, |s| s.run_gid);
        CString::new(format!("{gid} {gid}\n")).expect("no NUL in numbers")
    });

    // Only what jail mounts needs it: the mounts copied from the caller's
    // namespace are locked already (from a more privileged user namespace).
    let jail_mounts = pid_ns || fs.changes_view();
    // Root inside could raise the jail's user.max_user_namespaces again:
    // with --disable-userns it runs in the nested namespace, always.
    let lock = (map_root && (jail_mounts || t.disable_userns))
        .then(|| build_lock(flags, subids.as_ref(), uid_inside, gid_inside));
    if lock.is_some() {
        flags &= !LOCK_MOVES;
    }

    let exec = build_exec(low.command, t.env, t.chdir.as_deref())?;

    // The caller's own 0, 1 and 2 go to COMMAND unless redirected.
    for (fd, name) in ["stdin", "stdout", "stderr"].iter().enumerate() {
        if t.stdio[fd].is_none() && is_dir(sys::borrow(fd as i32)) {
            return Err(Error::usage(format!(
                "{name} (fd {fd}) is a directory, {AROUND}; redirect it, or give the jail a \
                 directory with --bind"
            )));
        }
    }
    fs.find_console([0, 1, 2].map(|fd| t.stdio[fd].is_none()));
    let cpus = match &t.cpus {
        Some((text, list)) => Some(cpus::build(text, list)?),
        None => None,
    };
    // Last, so that nothing is created when another option is wrong.
    let stdio = open_stdio(&t.stdio)?;
    // (A path with a NUL byte was never opened: CString::new cannot fail.)
    let stdin_read_only = match (&stdio[0], &t.stdio[0]) {
        (Some(f), Some(p)) if flags & libc::CLONE_NEWNS != 0 && is_regular(f) => {
            CString::new(p.as_bytes()).ok()
        }
        _ => None,
    };
    let mut keep_fds = t.keep_fds;
    keep_fds.sort_unstable();

    Ok(Spec {
        clone_flags: flags,
        init: !t.as_pid_1,
        time,
        map_root,
        caps: t.caps.filter(|_| map_root),
        disable_userns: t.disable_userns,
        uid_inside,
        gid_inside,
        outer_uid,
        outer_gid,
        subids,
        hostname: t.hostname,
        ping_range,
        rlimits: t.rlimits,
        cgroup: t.cgroup,
        stdio,
        stdin_read_only,
        keep_fds,
        new_session: t.new_session,
        die_with_parent: t.die_with_parent,
        cpus,
        chdir: t.chdir,
        verbose: t.verbose,
        timeout_ns: t.timeout_ns.unwrap_or(0),
        kill_after_ns: t.kill_after_ns.unwrap_or(duration::DEFAULT_KILL_AFTER_NS),
        timeout_notes: if t.verbose && t.timeout_ns.is_some() {
            timeout_notes(&t.timeout_text, t.kill_after_text.as_deref())
        } else {
            Default::default()
        },
        info_fd: t.info_fd,
        json_status_fd: t.json_status_fd,
        seccomp: t.seccomp,
        share_ipc_scope: t.share_ipc_scope,
        explain: t.explain,
        strict: t.strict,
        test_pause_ms: test_pause_ms(),
        fs,
        landlock,
        lock,
        exec,
    })
}

/// The nested user and mount namespace that locks the view, for the
/// namespaces of `flags` (a mount namespace among them, except with
/// `--disable-userns` alone): the same ids, inside to inside.
fn build_lock(flags: libc::c_int, sub: Option<&SubIds>, uid_inside: u32, gid_inside: u32) -> Lock {
    let identity = |ranges: Option<&subid::HelperMap>, single: u32| -> String {
        match ranges {
            Some(m) => m
                .lines
                .iter()
                .map(|r| format!("{} {} {}\n", r.inner, r.inner, r.count))
                .collect(),
            None => format!("{single} {single} 1\n"),
        }
    };
    let c = |s: String| CString::new(s).expect("no NUL in numbers");
    Lock {
        // A mount namespace only where the jail has one: --disable-userns
        // alone needs none (the caller's mounts are not root's to change).
        flags: libc::CLONE_NEWUSER | (flags & (libc::CLONE_NEWNS | LOCK_MOVES)),
        uid_map: c(identity(sub.and_then(|s| s.uid_map.as_ref()), uid_inside)),
        gid_map: c(identity(sub.and_then(|s| s.gid_map.as_ref()), gid_inside)),
        helper: sub.is_some(),
        info: std::iter::once("user")
            .chain(
                NAMESPACES
                    .iter()
                    .filter(|(f, _, _)| *f & flags & (libc::CLONE_NEWNS | LOCK_MOVES) != 0)
                    .map(|(_, name, _)| *name),
            )
            .map(|name| (name, c(format!("ns/{name}"))))
            .collect(),
    }
}

/// Test hook (debug builds only), see `Spec::test_pause_ms`.
fn test_pause_ms() -> u32 {
    #[cfg(debug_assertions)]
    return std::env::var("JAIL_TEST_PAUSE_CHILD_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    #[cfg(not(debug_assertions))]
    0
}

/// Why a directory fd must not reach COMMAND: through `/proc/self/fd/N/`
/// it opens the host's files under it, whatever the view hides or makes
/// read-only.
const AROUND: &str = "which would let COMMAND reach the host's files around the jail's view";

/// Whether `fd` is open on a directory (O_PATH fds included).
fn is_dir(fd: impl AsFd) -> bool {
    file_type(fd) == Some(rustix::fs::FileType::Directory)
}

fn is_regular(fd: impl AsFd) -> bool {
    file_type(fd) == Some(rustix::fs::FileType::RegularFile)
}

fn file_type(fd: impl AsFd) -> Option<rustix::fs::FileType> {
    let st = rustix::fs::fstat(fd).ok()?;
    Some(rustix::fs::FileType::from_raw_mode(st.st_mode))
}

/// Open the files for fds 0, 1 and 2. None may be a directory (see
/// `AROUND`). A file this creates is removed again if a later one fails.
fn open_stdio(paths: &[Option<OsString>; 3]) -> Result<[Option<OwnedFd>; 3], Error> {
    let mut files: [Option<OwnedFd>; 3] = [None, None, None];
    let mut created = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let Some(p) = p else { continue };
        match open_stdio_file(i, p, &mut created) {
            Ok(f) => files[i] = Some(f.into()),
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
    let dir_err = || Error::usage(format!("{shown}: is a directory, {AROUND}"));
    let fail = |e: std::io::Error| match e.raw_os_error().unwrap_or(libc::EIO) {
        libc::EISDIR => dir_err(),
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
    if is_dir(&f) {
        return Err(dir_err());
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

fn build_exec(
    command: Vec<OsString>,
    env_ops: Vec<EnvOp>,
    chdir: Option<&CStr>,
) -> Result<Exec, Error> {
    let from_shell = command.is_empty();
    let command = if from_shell {
        vec![
            std::env::var_os("SHELL")
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "/bin/sh".into()),
        ]
    } else {
        command
    };
    let pwd_given = env_ops
        .iter()
        .any(|op| matches!(op, EnvOp::Set(k, _) if k == "PWD"));
    let mut env = apply_env(env_ops);
    // An inherited PWD names the caller's directory: with --chdir DIR it
    // names DIR, as a shell's `cd` would (unless --env set PWD itself).
    if let Some(dir) = chdir.filter(|d| d.to_bytes().starts_with(b"/"))
        && !pwd_given
        && let Some((_, v)) = env.iter_mut().find(|(k, _)| k == "PWD")
    {
        *v = OsStr::from_bytes(dir.to_bytes()).to_owned();
    }
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
        from_shell,
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
    fn jobserver_auth_forms() {
        let j = |s: &str| jobserver_auth(OsStr::new(s));
        assert_eq!(
            j("s -j4 --jobserver-auth=3,4"),
            Some(Jobserver::Fds([3, 4]))
        );
        assert_eq!(j(" -j --jobserver-fds=5,6"), Some(Jobserver::Fds([5, 6])));
        assert_eq!(
            j("-j4 --jobserver-auth=fifo:/tmp/GMfifo1"),
            Some(Jobserver::Fifo("/tmp/GMfifo1".into()))
        );
        // The last one counts; the variables after `--` are not options.
        assert_eq!(
            j("--jobserver-fds=5,6 --jobserver-auth=7,8 -- X=--jobserver-auth=1,2"),
            Some(Jobserver::Fds([7, 8]))
        );
        assert_eq!(j("-j4"), None);
        assert_eq!(j("--jobserver-auth=x,4"), None);
    }

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

    fn spec(args: &[&str]) -> Spec {
        match crate::cli::parse::parse(args.iter().copied()).unwrap() {
            crate::cli::parse::Parsed::Run(low) => build(low).unwrap(),
            _ => panic!("not a run: {args:?}"),
        }
    }

    #[test]
    fn namespaces_are_read_from_the_clone_flags() {
        let s = spec(&["--net", "true"]);
        assert!(s.net() && !s.pid_ns() && !s.mount_ns());
        let s = spec(&["--pid", "true"]);
        assert!(!s.net() && s.pid_ns() && s.mount_ns());
        // With root inside, the network namespace is made by the nested
        // user namespace, not by clone(2).
        let s = spec(&["-r", "--net", "--pid", "true"]);
        assert!(s.net() && s.pid_ns() && s.mount_ns());
        assert_eq!(s.clone_flags & libc::CLONE_NEWNET, 0);
        assert_ne!(s.lock.as_ref().unwrap().flags & libc::CLONE_NEWNET, 0);
        assert_eq!(s.stdio_fds(), [-1; 3]);
    }

    #[test]
    fn conflicts_are_checked_after_every_value() {
        let err = |args: &[&str]| match crate::cli::parse::parse(args.iter().copied()).unwrap() {
            crate::cli::parse::Parsed::Run(low) => build(low).err().unwrap().to_string(),
            _ => panic!("not a run: {args:?}"),
        };
        // A bad value anywhere wins over a conflict.
        assert!(err(&["--kill-after", "1", "--uid", "x"]).starts_with("--uid: invalid value"));
        assert_eq!(err(&["--kill-after", "1"]), "--kill-after: needs --timeout");
        assert!(err(&["--uid", "1", "-r"]).starts_with("--map-root: conflicts with --uid"));
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
