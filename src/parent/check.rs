//! `--check`: try, for real, what a rootless jail needs, and print one line
//! per item with what to change when something is missing. Each namespace
//! is tried in a throwaway child, as jail would make it: a user namespace
//! with id maps written by the parent, then the namespace's own setup.

#![forbid(unsafe_code)]

use std::os::fd::{AsRawFd, OwnedFd};

use rustix::io::Errno;

use crate::child::clone::Stack;
use crate::error::{EXIT_FAILURE, Error, errno_text};
use crate::parent::spawn::reap;
use crate::sys;

/// What a probe child does after the "go" byte.
#[derive(Clone, Copy)]
enum Task {
    /// Nothing: clone(2) creating the namespaces was the test.
    Nothing,
    /// Make / private, as jail does first in a mount namespace.
    PrivateRoot,
    /// Make / private and mount a fresh /proc (as PID 1 of a new PID
    /// namespace).
    FreshProc,
    /// unshare(CLONE_NEWTIME): clone(2) cannot create it.
    TimeNs,
    /// Install a seccomp filter (allow everything) under no_new_privs.
    Seccomp,
}

struct Probe {
    task: Task,
    go_rd: i32,
    go_wr: i32,
    res_wr: i32,
}

/// A rustix result as the probe reports it (the child's steps use i32).
fn step(r: Result<(), Errno>) -> Result<(), i32> {
    r.map_err(|e| e.raw_os_error())
}

fn run_task(task: Task) -> Result<(), i32> {
    match task {
        Task::Nothing => Ok(()),
        Task::PrivateRoot => {
            crate::child::mounts::make_root_private().map_err(|e| e.raw_os_error())
        }
        Task::FreshProc => {
            crate::child::mounts::make_root_private().map_err(|e| e.raw_os_error())?;
            crate::child::mounts::mount_proc(c"/proc").map_err(|e| e.raw_os_error())
        }
        Task::TimeNs => step(sys::unshare(rustix::thread::UnshareFlags::NEWTIME)),
        Task::Seccomp => {
            // The filter every COMMAND gets (it needs no_new_privs).
            step(rustix::thread::set_no_new_privs(true))?;
            crate::child::seccomp::install()
        }
    }
}

/// The probe child (a copy of our memory): its exit status is 0, the
/// result goes through the pipe.
fn probe_main(p: &Probe) -> i32 {
    sys::close(p.go_wr);
    let mut go = [0u8; 1];
    let res = match sys::read_full(p.go_rd, &mut go) {
        Ok(1) => run_task(p.task),
        _ => Err(libc::EPIPE),
    };
    let code = res.err().unwrap_or(0);
    let _ = sys::write_all(p.res_wr, &code.to_ne_bytes());
    0
}

fn pipe() -> Result<(OwnedFd, OwnedFd), (i32, &'static str)> {
    rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
        .map_err(|e| (e.raw_os_error(), "create a pipe"))
}

/// Clone a child with `flags`; with a user namespace write its id maps;
/// let it run `task`. Err is the failing errno and what failed.
fn probe(flags: libc::c_int, task: Task) -> Result<(), (i32, &'static str)> {
    let stack = Stack::new().map_err(|e| (e, "allocate a stack"))?;
    let (go_rd, go_wr) = pipe()?;
    let (res_rd, res_wr) = pipe()?;
    let p = Probe {
        task,
        go_rd: go_rd.as_raw_fd(),
        go_wr: go_wr.as_raw_fd(),
        res_wr: res_wr.as_raw_fd(),
    };
    let pid = match crate::child::clone::probe(flags, &stack, probe_main, &p) {
        Ok(pid) => pid,
        Err(e) => return Err((e, "create")),
    };
    drop(res_wr);
    drop(go_rd);
    let mut result = Ok(());
    if flags & libc::CLONE_NEWUSER != 0 {
        let uid = rustix::process::geteuid().as_raw();
        let gid = rustix::process::getegid().as_raw();
        let (uid_map, gid_map) = (format!("{uid} {uid} 1\n"), format!("{gid} {gid} 1\n"));
        result = crate::parent::idmap::write_single(pid, uid_map.as_bytes(), gid_map.as_bytes())
            .map_err(|(_, errno)| (errno.raw_os_error(), "write id maps"));
    }
    if result.is_ok() {
        let _ = sys::write_all(go_wr.as_raw_fd(), b"g");
    }
    drop(go_wr);
    let mut buf = [0u8; 4];
    let n = sys::read_full(res_rd.as_raw_fd(), &mut buf).unwrap_or(0);
    reap(pid);
    result?;
    match (n, i32::from_ne_bytes(buf)) {
        (4, 0) => Ok(()),
        (4, e) => Err((e, "set up")),
        _ => Err((libc::EIO, "the probe ended early")),
    }
}

/// The user namespace knobs that exist here, as `name = value`.
pub(crate) fn userns_knobs() -> String {
    [
        (
            "user.max_user_namespaces",
            "/proc/sys/user/max_user_namespaces",
        ),
        (
            "kernel.unprivileged_userns_clone",
            "/proc/sys/kernel/unprivileged_userns_clone",
        ),
        (
            "kernel.apparmor_restrict_unprivileged_userns",
            "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
        ),
    ]
    .iter()
    .filter_map(|(name, path)| {
        Some(format!(
            "{name} = {}",
            crate::parent::idmap::read_sysctl(path)?
        ))
    })
    .collect::<Vec<_>>()
    .join(", ")
}

/// One line of the report.
struct CheckReport {
    out: String,
}

impl CheckReport {
    fn line(&mut self, status: &str, what: &str, detail: &str) {
        let mut l = format!("{status:<5} {what:<22}");
        if !detail.is_empty() {
            l.push(' ');
            l.push_str(detail);
        }
        self.out.push_str(l.trim_end());
        self.out.push('\n');
    }
}

/// Whether `--landlock-only` works here, and what it can do at this ABI.
fn landlock_only_line(r: &mut CheckReport, abi: i32, seccomp: bool) -> bool {
    use crate::plan::isolation::SCOPES_ABI;
    use crate::plan::landlock::{NET_ABI, TRUNCATE_ABI};
    if abi < 1 || !seccomp {
        let why = if abi < 1 {
            "needs Landlock"
        } else {
            "needs the seccomp filter"
        };
        r.line("no", "--landlock-only", why);
        return false;
    }
    let mut has = vec!["--rw, --hide"];
    let mut lacks = vec![];
    for (need, what) in [
        (TRUNCATE_ABI, "--ro"),
        (NET_ABI, "--net, --connect-tcp, --bind-tcp"),
        (SCOPES_ABI, "the signal and abstract-socket scopes"),
    ] {
        if abi >= need {
            has.push(what);
        } else {
            lacks.push(format!("{what} (ABI {need})"));
        }
    }
    let mut detail = format!(
        "no namespaces needed; Landlock ABI {abi}: {}",
        has.join(", ")
    );
    if !lacks.is_empty() {
        detail += &format!("; lacks {}", lacks.join(", "));
    }
    let status = if abi >= SCOPES_ABI { "ok" } else { "warn" };
    r.line(status, "--landlock-only", &detail);
    true
}

fn failure(e: (i32, &str)) -> String {
    format!("{}: {}", e.1, errno_text(e.0))
}

/// Run every check, print the report on stdout; 0 if a rootless jail
/// works here, 125 if not (with the reason on stderr).
pub fn run() -> i32 {
    let mut r = CheckReport { out: String::new() };
    let uname = rustix::system::uname();
    r.out.push_str(&format!(
        "jail {} on Linux {} {}, uid {}\n",
        env!("CARGO_PKG_VERSION"),
        uname.release().to_string_lossy(),
        uname.machine().to_string_lossy(),
        rustix::process::geteuid().as_raw()
    ));

    let user = probe(libc::CLONE_NEWUSER, Task::Nothing);
    let knobs = userns_knobs();
    match user {
        Ok(()) => r.line("ok", "user namespace", &knobs),
        Err(e) => {
            r.line("no", "user namespace", &failure(e));
            r.line(
                "",
                "",
                &format!("hint: {}", crate::parent::idmap::userns_hint(e.0)),
            );
            if !knobs.is_empty() {
                r.line("", "", &knobs);
            }
        }
    }
    let namespaces: [(&str, libc::c_int, Task, &str); 7] = [
        (
            "mount namespace",
            libc::CLONE_NEWNS,
            Task::PrivateRoot,
            "--mount and every filesystem option",
        ),
        (
            "PID namespace, /proc",
            libc::CLONE_NEWPID | libc::CLONE_NEWNS,
            Task::FreshProc,
            "--pid",
        ),
        (
            "network namespace",
            libc::CLONE_NEWNET,
            Task::Nothing,
            "--net",
        ),
        (
            "UTS namespace",
            libc::CLONE_NEWUTS,
            Task::Nothing,
            "--uts, --hostname",
        ),
        ("IPC namespace", libc::CLONE_NEWIPC, Task::Nothing, "--ipc"),
        (
            "cgroup namespace",
            libc::CLONE_NEWCGROUP,
            Task::Nothing,
            "--cgroup",
        ),
        (
            "time namespace",
            0,
            Task::TimeNs,
            "--time, --monotonic, --boottime",
        ),
    ];
    for (what, flags, task, options) in namespaces {
        if user.is_err() {
            r.line("no", what, "needs a user namespace");
            continue;
        }
        match probe(libc::CLONE_NEWUSER | flags, task) {
            Ok(()) => r.line("ok", what, ""),
            Err(e) => {
                let mut detail = format!("{}; {options} will fail", failure(e));
                if matches!(task, Task::FreshProc) && e.1 == "set up" && e.0 == libc::EPERM {
                    detail.push_str(
                        " (/proc is masked, inside a container? Docker: \
                         --security-opt systempaths=unconfined)",
                    );
                }
                r.line("no", what, &detail);
            }
        }
    }

    let seccomp = probe(0, Task::Seccomp);
    match seccomp {
        Ok(()) => r.line("ok", "seccomp filter", ""),
        Err(e) => r.line("no", "seccomp filter", &failure(e)),
    }
    let abi = match crate::child::landlock::abi_or_errno() {
        Err(e) => {
            let why = match e {
                Errno::NOSYS => "not built into this kernel".to_string(),
                Errno::OPNOTSUPP => "disabled: add landlock to the lsm= boot parameter".to_string(),
                e => errno_text(e.raw_os_error()),
            };
            r.line(
                "no",
                "Landlock",
                &format!("{why}; signals and abstract unix sockets are not scoped"),
            );
            0
        }
        Ok(abi) if abi >= 6 => {
            r.line(
                "ok",
                &format!("Landlock ABI {abi}"),
                "signals and abstract unix sockets can be scoped",
            );
            abi
        }
        Ok(abi) => {
            r.line(
                "warn",
                &format!("Landlock ABI {abi}"),
                "below 6: without --pid and --net, a jail can signal your processes and reach \
                 abstract unix sockets",
            );
            abi
        }
    };
    let landlock_only = landlock_only_line(&mut r, abi, seccomp.is_ok());
    let why = crate::plan::sockets::landlock_why(abi);
    match crate::plan::sockets::listing() {
        crate::plan::sockets::Listed::Nothing => r.line(
            "warn",
            "unix sockets",
            &format!(
                "--ro covers the caller's runtime dir, X11, tmux, screen and the sockets its \
                 environment names, but cannot list the others (no sock_diag, no \
                 /proc/net/unix); {why}"
            ),
        ),
        how => r.line(
            "ok",
            "unix sockets",
            &format!(
                "--ro covers the caller's with mounts ({}); {why}",
                if how == crate::plan::sockets::Listed::SockDiag {
                    "listed through sock_diag"
                } else {
                    "listed from /proc/net/unix"
                }
            ),
        ),
    }
    match crate::parent::idmap::read_sysctl("/proc/sys/dev/tty/legacy_tiocsti").as_deref() {
        Some("0") => r.line(
            "ok",
            "legacy_tiocsti = 0",
            "TIOCSTI cannot push input to a terminal",
        ),
        Some(v) => r.line(
            "warn",
            &format!("legacy_tiocsti = {v}"),
            "jail's seccomp filter blocks TIOCSTI; other programs can push input into a terminal (sysctl -w dev.tty.legacy_tiocsti=0)",
        ),
        None => r.line(
            "warn",
            "legacy_tiocsti",
            "not here (kernel before 6.2): jail's seccomp filter blocks TIOCSTI, other programs can use it",
        ),
    }
    if std::path::Path::new("/.dockerenv").exists() {
        r.line(
            "info",
            "container",
            "/.dockerenv exists: running inside Docker",
        );
    }

    match user {
        Ok(()) => {
            r.out.push_str("A rootless jail works here.\n");
            crate::print_out(&r.out)
        }
        Err(e) => {
            if landlock_only {
                r.out.push_str(
                    "jail --landlock-only works here (no namespaces: Landlock rules only).\n",
                );
            }
            r.out.push_str("A rootless jail does not work here.\n");
            crate::print_out(&r.out);
            let what = if e.1 == "create" {
                "create user namespace"
            } else {
                e.1
            };
            let err = Error::sys(what, e.0).with_hint(Some(crate::parent::idmap::userns_hint(e.0)));
            crate::print_err(&err.report());
            EXIT_FAILURE as i32
        }
    }
}
