//! The parent: pipes, signal mask, the clone stack, clone(2), the id maps,
//! the "go" byte, and the child's verdict on the failure pipe.

#![forbid(unsafe_code)]

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::io::Errno;
use rustix::process::{Pid, WaitId, WaitIdOptions, WaitOptions};

use crate::child::Ctx;
use crate::child::clone::Stack;
use crate::error::{EXIT_CANNOT_RUN, EXIT_NOT_FOUND, Error, Failure, Step, errno_text};
use crate::parent::info::Info;
use crate::plan::spec::Spec;
use crate::sys;

/// A running jail, after COMMAND was exec'd.
pub struct Running {
    pub pid: libc::pid_t,
    /// Held open for the jail's life (see child::main).
    pub _sync_wr: OwnedFd,
    pub status_rd: OwnedFd,
    pub wait_set: SigSet,
    pub old_mask: SigSet,
    /// `--landlock-only`: our children from before the jail (jail exec'd
    /// by a shell with background jobs), which `supervise` leaves alone.
    pub prior_children: Vec<libc::pid_t>,
}

/// A close-on-exec pipe: (read end, write end).
pub(crate) fn pipe() -> Result<(OwnedFd, OwnedFd), Error> {
    rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
        .map_err(|e| Error::sys("create pipe", e.raw_os_error()))
}

/// `pid` for rustix; None for 0 or less, which name no single process.
pub(crate) fn to_pid(pid: libc::pid_t) -> Option<Pid> {
    if pid > 0 { Pid::from_raw(pid) } else { None }
}

/// kill(2) to the one process `pid` (never a group: 0 and -1 fail).
pub(crate) fn kill(pid: libc::pid_t, sig: i32) -> Result<(), Errno> {
    let p = to_pid(pid).ok_or(Errno::SRCH)?;
    rustix::process::kill_process(p, sys::signal(sig))
}

/// Signals the parent and the init wait for with sigwaitinfo: everything
/// except the ones that cannot be caught and synchronous faults.
pub fn wait_set() -> SigSet {
    let mut set = SigSet::all();
    for s in [
        Signal::SIGKILL,
        Signal::SIGSTOP,
        Signal::SIGSEGV,
        Signal::SIGBUS,
        Signal::SIGILL,
        Signal::SIGFPE,
        Signal::SIGTRAP,
        Signal::SIGSYS,
    ] {
        set.remove(s);
    }
    set
}

/// Start the jail: returns once COMMAND runs, or the error that stopped it.
pub fn start(spec: &'static Spec) -> Result<Running, Error> {
    let t0 = sys::now_ns();
    let wait_set = wait_set();
    let mut old_mask = SigSet::empty();
    // Block before clone: the child inherits the mask and waits with it,
    // and no signal is lost between clone and the supervision loop.
    let _ = sigprocmask(SigmaskHow::SIG_BLOCK, Some(&wait_set), Some(&mut old_mask));

    if !spec.pid_ns() {
        // Whatever COMMAND starts is orphaned to the keeper, the subreaper
        // of its tree; if the keeper itself is killed, its orphans come to
        // us, the next subreaper up, and not to the system's init: the
        // supervisor kills them before jail returns (with a PID namespace
        // the kernel does that).
        rustix::process::set_child_subreaper(Some(rustix::process::getpid()))
            .map_err(|e| Error::sys("become a child subreaper", e.raw_os_error()))?;
    }
    let prior_children = if spec.landlock.only {
        own_children()
    } else {
        Vec::new()
    };
    let (sync_rd, sync_wr) = pipe()?;
    let (fail_rd, fail_wr) = pipe()?;
    let (status_rd, status_wr) = pipe()?;
    // --info-fd (or --json-status-fd, whose first line is the same) with a
    // nested user namespace: the child reports the inodes of the namespaces
    // it made after clone (it is not readable by then).
    let info_pipe = match (&spec.lock, spec.info_fd.or(spec.json_status_fd)) {
        (Some(_), Some(_)) => Some(pipe()?),
        _ => None,
    };
    // The Landlock ruleset COMMAND enters (None: no scopes on this kernel,
    // or --share-ipc-scope). Kept open for the jail's life.
    let landlock_abi = crate::parent::explain::landlock_abi();
    let landlock = if spec.landlock.needs_ruleset() {
        crate::parent::landlock::ruleset(spec, landlock_abi)?
    } else if spec.share_ipc_scope {
        None
    } else {
        crate::child::landlock::scope_ruleset(landlock_abi)
            .map_err(|e| Error::sys("create the Landlock ruleset", e))?
    };
    let landlock_fd = landlock.as_ref().map_or(-1, |f| f.as_raw_fd());
    let stack = Stack::new().map_err(|e| Error::sys("allocate the clone stack", e))?;
    let mut keep = spec.keep_fds.clone();
    keep.push(fail_wr.as_raw_fd());
    if landlock_fd >= 0 {
        keep.push(landlock_fd);
    }
    keep.sort_unstable();
    let ctx = Ctx {
        spec,
        sync_rd: sync_rd.as_raw_fd(),
        sync_wr: sync_wr.as_raw_fd(),
        fail_rd: fail_rd.as_raw_fd(),
        fail_wr: fail_wr.as_raw_fd(),
        status_rd: status_rd.as_raw_fd(),
        status_wr: status_wr.as_raw_fd(),
        landlock_fd,
        info_wr: info_pipe.as_ref().map_or(-1, |(_, wr)| wr.as_raw_fd()),
        keep,
        // The child shares this memory: plain sigset_t copies, no owners.
        old_mask: *old_mask.as_ref(),
        wait_set: *wait_set.as_ref(),
        parent: rustix::process::getpid().as_raw_pid(),
        parent_death_signal: libc::SIGRTMAX(),
        command_stack: stack.command_top(),
    };
    // With CLONE_VM the child runs in our memory, as posix_spawn's child
    // does: no page tables to copy, no copy-on-write faults, nothing to
    // tear down when the init exits. It only reads ctx and spec, on its
    // own stack, and never touches errno (see sys.rs); we keep all three
    // alive and unchanged for as long as we live (never freed: we exit
    // when the jail is done).
    let shared = if sys::SHARED_MEMORY {
        libc::CLONE_VM
    } else {
        0
    };
    let flags = spec.clone_flags | libc::SIGCHLD | shared;
    // Never freed: the child reads it for as long as the jail runs.
    let ctx: &'static Ctx = Box::leak(Box::new(ctx));
    if spec.verbose {
        crate::parent::verbose::plan(spec);
    }
    let t = sys::now_ns();
    let pid = match crate::child::clone::start_jail(flags, &stack, ctx) {
        Ok(pid) => pid,
        // --landlock-only: no namespace to blame.
        Err(e) if spec.landlock.only => {
            return Err(Error::sys("clone", e));
        }
        Err(e) => return Err(clone_error(spec.clone_flags, e, &stack)),
    };
    std::mem::forget(stack);
    log(spec, "clone", t);
    drop(sync_rd);
    drop(fail_wr);
    drop(status_wr);
    let info_rd = info_pipe.map(|(rd, _)| rd);

    let t = sys::now_ns();
    // --landlock-only: no user namespace, no maps.
    let maps = if !spec.landlock.only {
        crate::parent::idmap::write_maps(pid, spec)
    } else {
        Ok(())
    };
    if let Err(e) = maps {
        kill_and_reap(pid);
        // The child may have failed first, in a step that runs while we
        // write the maps: its report is the real cause.
        let mut buf = [0u8; Failure::SIZE];
        if sys::read_full(fail_rd.as_raw_fd(), &mut buf) == Ok(Failure::SIZE) {
            return Err(describe(spec, Failure::from_bytes(&buf)));
        }
        return Err(e);
    }
    if !spec.landlock.only {
        log(spec, "write id maps", t);
    }
    if let Some(cg) = &spec.cgroup {
        let t = sys::now_ns();
        if let Err(e) = crate::parent::cgroup::place(cg, pid) {
            kill_and_reap(pid);
            crate::parent::cgroup::remove(cg, pid);
            return Err(e);
        }
        log(spec, "move into cgroup", t);
    }
    if spec.verbose && !spec.landlock.only {
        crate::parent::verbose::maps(spec);
    }
    // --cpus: while the child waits, so that COMMAND and all it starts
    // inherit it.
    if let Some(set) = &spec.cpus {
        let t = sys::now_ns();
        if let Err(e) = rustix::thread::sched_setaffinity(to_pid(pid), set) {
            kill_and_reap(pid);
            return Err(Error::sys(
                "--cpus: set the jail's CPU affinity",
                e.raw_os_error(),
            ));
        }
        log(spec, "set CPU affinity", t);
    }
    // --info-fd: the namespace links, while the child can still be read.
    let mut info = None;
    if spec.info_fd.is_some() || spec.json_status_fd.is_some() {
        match Info::after_clone(pid, spec.clone_flags) {
            Ok(i) => info = Some(i),
            Err(e) => {
                kill_and_reap(pid);
                return Err(e);
            }
        }
    }
    // From here on, COMMAND must not be able to read our memory. Where
    // the child shares it, the child marks it so once it is done with
    // /proc/self (the flag belongs to the memory).
    if !sys::SHARED_MEMORY {
        let _ =
            rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
    }
    let t = sys::now_ns();
    if sys::write_all(sync_wr.as_raw_fd(), b"g").is_err() {
        // The child is gone; its status tells the rest.
        let _ = reap(pid);
        return Err(Error::usage("start the jail: the child exited early"));
    }
    // sync_wr stays open as long as we live: the child checks for its
    // hangup to know we are still there once PDEATHSIG is armed.

    let mut buf = [0u8; Failure::SIZE];
    let n = read_report(fail_rd.as_fd(), pid, &mut buf);
    if n == Failure::SIZE {
        let _ = reap(pid);
        return Err(describe(spec, Failure::from_bytes(&buf)));
    }
    if n != 0 {
        kill_and_reap(pid);
        return Err(Error::usage(
            "start the jail: garbled report from the child",
        ));
    }
    // The init reports a stopped COMMAND on the status pipe: have the
    // kernel tell us with SIGIO, which sigwaitinfo picks up.
    let _ = sys::fcntl_setown(status_rd.as_fd(), rustix::process::getpid());
    let _ = rustix::fs::fcntl_setfl(
        &status_rd,
        rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::ASYNC,
    );
    log(spec, "set up and exec", t);
    if let Some(info) = info.as_mut() {
        let mut nested = Vec::new();
        if let (Some(rd), Some(lock)) = (&info_rd, &spec.lock) {
            let mut buf = [0u8; 64];
            let n = sys::read_full(rd.as_raw_fd(), &mut buf).unwrap_or(0);
            for ((name, _), b) in lock.info.iter().zip(buf[..n].chunks_exact(8)) {
                let ino = u64::from_ne_bytes(b.try_into().expect("8 bytes"));
                if ino != 0 {
                    nested.push((*name, ino));
                }
            }
        }
        info.after_exec(spec.init, spec.time.is_some(), &nested);
        // The same fd for both: one line, kept open for the status's last.
        let status = spec.json_status_fd;
        let r = match spec.info_fd {
            Some(fd) if Some(fd) != status => info.write(fd),
            _ => Ok(()),
        }
        .and_then(|()| match status {
            Some(fd) => info.send(fd, "--json-status-fd"),
            None => Ok(()),
        });
        if let Err(e) = r {
            kill_and_reap(pid);
            return Err(e);
        }
    }
    if spec.verbose {
        let scoped = landlock_fd >= 0
            && !spec.share_ipc_scope
            && landlock_abi >= crate::child::landlock::SCOPES_ABI;
        landlock_note(spec, landlock_abi, scoped);
    }
    // The ruleset stays open as long as we live (COMMAND may still be
    // starting in the init when we return).
    std::mem::forget(landlock);
    log(spec, "total before exec", t0);
    Ok(Running {
        pid,
        _sync_wr: sync_wr,
        status_rd,
        wait_set,
        old_mask,
        prior_children,
    })
}

/// Our children, through /proc.
pub(crate) fn own_children() -> Vec<libc::pid_t> {
    let proc = crate::child::timer::open_proc();
    let mut pids = Vec::new();
    let me = rustix::process::getpid().as_raw_pid();
    let dir = proc.as_ref().map(AsFd::as_fd);
    crate::child::timer::for_each_child(dir, me, |pid| pids.push(pid));
    pids
}

/// Read the child's failure report, or EOF once COMMAND runs (its process
/// and the init then hold no write end). SIGSTOP cannot be blocked: an init
/// stopped before it closed its end would keep us here for good, so a
/// stopped child is continued.
fn read_report(fd: BorrowedFd<'_>, pid: libc::pid_t, buf: &mut [u8]) -> usize {
    let tick = Timespec {
        tv_sec: 0,
        tv_nsec: 100_000_000,
    };
    // Only stops (no EXITED), so waitid never reaps the child.
    let stops = WaitIdOptions::STOPPED | WaitIdOptions::NOHANG | wall_id();
    loop {
        let mut pfd = [PollFd::new(&fd, PollFlags::IN)];
        if poll(&mut pfd, Some(&tick)) != Ok(0) {
            return sys::read_full(fd.as_raw_fd(), buf).unwrap_or(0);
        }
        let Some(p) = to_pid(pid) else { continue };
        if let Ok(Some(status)) = rustix::process::waitid(WaitId::Pid(p), stops) {
            if status.stopped() {
                let _ = kill(pid, libc::SIGCONT);
            }
        }
    }
}

/// __WALL: children of any kind, whatever signal they end with (rustix
/// has no name for it).
pub(crate) fn wall() -> WaitOptions {
    WaitOptions::from_bits_retain(libc::__WALL as u32)
}

fn wall_id() -> WaitIdOptions {
    WaitIdOptions::from_bits_retain(libc::__WALL as u32)
}

fn log(spec: &Spec, step: &str, since: u64) {
    if spec.verbose {
        sys::log_step(2, step, since);
    }
}

/// Wait for child `pid` to end: its raw wait status (0 if it cannot be
/// waited for).
pub fn reap(pid: libc::pid_t) -> i32 {
    let Some(p) = to_pid(pid) else { return 0 };
    loop {
        match rustix::process::waitpid(Some(p), wall()) {
            Ok(Some((_, status))) => return status.as_raw(),
            Err(Errno::INTR) => {}
            Ok(None) | Err(_) => return 0,
        }
    }
}

fn kill_and_reap(pid: libc::pid_t) {
    let _ = kill(pid, libc::SIGKILL);
    reap(pid);
}

/// clone(2) failed: find which namespace the kernel refused, by trying
/// them one by one, and explain it.
fn clone_error(flags: libc::c_int, errno: i32, stack: &Stack) -> Error {
    let try_flags = |f: libc::c_int| -> bool {
        match crate::child::clone::probe(f, stack, |_: &()| 0, &()) {
            Ok(pid) => {
                reap(pid);
                true
            }
            Err(_) => false,
        }
    };
    if !try_flags(libc::CLONE_NEWUSER) {
        return Error::sys("create user namespace", errno)
            .with_hint(Some(crate::parent::idmap::userns_hint(errno)));
    }
    for (f, _, name) in crate::plan::spec::NAMESPACES {
        if flags & f != 0 && !try_flags(libc::CLONE_NEWUSER | f) {
            return Error::sys(format!("create {name}"), errno);
        }
    }
    Error::sys("create namespaces", errno)
}

/// Turn a child's failure record into the line the user sees.
fn describe(spec: &Spec, f: Failure) -> Error {
    let Some(step) = Step::from_u32(f.step) else {
        return Error::sys("set up the jail", f.errno);
    };
    let e = f.errno;
    match step {
        Step::Exec => {
            let name = spec.exec.name.to_string_lossy();
            if e == libc::ENOENT || e == libc::ENOTDIR {
                let msg = if spec.exec.searched {
                    format!("exec {name}: command not found")
                } else {
                    format!("exec {name}: {}", errno_text(e))
                };
                // No COMMAND: the caller's $SHELL, a path of the host's
                // view that a --root may lack.
                let hint = spec.exec.from_shell.then(|| {
                    format!(
                        "without COMMAND jail runs $SHELL ({name}), which is not in the jail's \
                         view; give one, e.g. -- /bin/sh"
                    )
                });
                Error::usage(msg).with_code(EXIT_NOT_FOUND).with_hint(hint)
            } else {
                Error::sys(format!("exec {name}"), e).with_code(EXIT_CANNOT_RUN)
            }
        }
        Step::Chdir => {
            let dir = spec.chdir.as_ref().map(|c| c.to_string_lossy());
            Error::sys(format!("--chdir {}", dir.unwrap_or_default()), e)
        }
        Step::Rlimit => {
            let res = spec
                .rlimits
                .get(f.index as usize)
                .map(|l| crate::plan::rlimit::name_of(l.resource))
                .unwrap_or("?");
            Error::sys(format!("--rlimit {res}"), e)
        }
        Step::KeepFd => Error::sys(format!("--keep-fd {}", f.index), e),
        Step::SetGroups | Step::SetGid | Step::SetUid => {
            let sub = spec.subids.as_ref();
            let (what, id) = match step {
                Step::SetGroups => ("setgroups", sub.map_or(0, |s| s.run_gid)),
                Step::SetGid => ("setresgid", sub.map_or(0, |s| s.run_gid)),
                _ => ("setresuid", sub.map_or(0, |s| s.run_uid)),
            };
            let flag = if step == Step::SetUid {
                "--uid"
            } else {
                "--gid"
            };
            Error::sys(format!("{flag} {id}: {what}"), e)
        }
        Step::Stdio => {
            let name = ["--stdin", "--stdout", "--stderr"]
                .get(f.index as usize)
                .copied()
                .unwrap_or("stdio");
            Error::sys(format!("{name}: redirect"), e)
        }
        Step::StdinReadOnly => {
            let path = spec.stdin_read_only.as_ref().map(|p| p.to_string_lossy());
            let hint = (e == libc::ESTALE).then(|| {
                "the path names another file than the one jail opened (replaced meanwhile, \
                 or under /proc/self)"
                    .to_string()
            });
            Error::sys(
                format!("--stdin {}: reopen read-only", path.unwrap_or_default()),
                e,
            )
            .with_hint(hint)
        }
        Step::MountProc => {
            let hint = (e == libc::EPERM || e == libc::EACCES).then(|| {
                "/proc is masked or read-only here (inside a container?): a PID namespace \
                 needs a fresh /proc; run without --pid, or give the container an unmasked /proc"
                    .to_string()
            });
            Error::sys("mount /proc for the new PID namespace", e).with_hint(hint)
        }
        Step::FsSource | Step::FsCreate | Step::FsMount | Step::FsAttr => {
            describe_fs(spec, step, f.index, e)
        }
        Step::PivotRoot if spec.fs.empty_root => Error::sys("--empty-root: pivot_root", e),
        Step::PivotRoot => {
            let root = spec.fs.root.as_ref().map(|r| r.to_string_lossy());
            Error::sys(
                format!("--root {}: pivot_root", root.unwrap_or_default()),
                e,
            )
        }
        Step::UnshareTime => Error::sys("create time namespace", e),
        Step::TimeOffsets => Error::sys("set time namespace offsets (--monotonic/--boottime)", e),
        Step::Hostname => Error::sys("--hostname: set hostname", e),
        Step::SessionKeyring => Error::sys("keyctl: give the jail a new session keyring", e)
            .with_hint(Some(
                "without one COMMAND could read and change the caller's keys, so jail stops".into(),
            )),
        Step::DisableUserns if f.index == 1 => Error::usage(
            "--disable-userns: a user namespace could still be created in the jail, so jail stops",
        ),
        Step::DisableUserns => {
            let hint = matches!(e, libc::EROFS | libc::ENOENT | libc::EACCES).then(|| {
                "/proc/sys is read-only or missing here (inside a container?): \
                 --disable-userns needs to write the jail's user.max_user_namespaces"
                    .to_string()
            });
            Error::sys("--disable-userns: set user.max_user_namespaces", e).with_hint(hint)
        }
        Step::SeccompFd => {
            let fd = spec.seccomp.get(f.index as usize).map_or(-1, |p| p.0);
            let hint = (e == libc::EINVAL).then(|| {
                "the kernel refused the program: an unknown instruction, a jump past its end, a \
                 load outside struct seccomp_data, or no return at the end"
                    .to_string()
            });
            Error::sys(format!("--seccomp {fd}: install the program"), e).with_hint(hint)
        }
        Step::Loopback => Error::sys("bring up lo in the network namespace", e),
        Step::PingRange => Error::sys(
            "set net.ipv4.ping_group_range in the network namespace (for ping)",
            e,
        ),
        other => Error::sys(other.name(), e),
    }
}

fn describe_fs(spec: &Spec, step: Step, index: u32, e: i32) -> Error {
    let Some(op) = spec.fs.ops.get(index as usize) else {
        // The view as a whole: the --root bind or the --ro pass.
        return match step {
            Step::FsAttr => {
                let hint = (e == libc::ENOSYS)
                    .then(|| "--ro needs mount_setattr(2), Linux 5.12 or later".to_string());
                Error::sys("--ro: make the view read-only", e).with_hint(hint)
            }
            _ if spec.fs.empty_root => Error::sys("--empty-root: mount a tmpfs", e),
            _ => {
                let root = spec.fs.root.as_ref().map(|r| r.to_string_lossy());
                Error::sys(format!("--root {}", root.unwrap_or_default()), e)
            }
        };
    };
    let dst = spec.fs.host_path(&op.dst);
    if let crate::plan::mounts::OpKind::Overlay { kept } = op.kind {
        return overlay_error(op, kept, &dst, step, e);
    }
    match step {
        Step::FsSource => Error::sys(&op.shown, e),
        Step::FsCreate if e == libc::ELOOP => Error::usage(format!(
            "{}: cannot create {dst}: the destination goes through a symlink",
            op.shown
        )),
        Step::FsCreate => Error::sys(format!("{}: cannot create {dst}", op.shown), e),
        Step::FsMount => Error::sys(format!("{}: mount on {dst}", op.shown), e),
        _ => Error::sys(format!("{}: set read-only flag on {dst}", op.shown), e),
    }
}

/// A failure of `--overlay PATH[:DIR]` (`dst`: PATH on the host), with a
/// hint where the errno tells the cause.
fn overlay_error(op: &crate::plan::mounts::Op, kept: bool, dst: &str, step: Step, e: i32) -> Error {
    let dir = op.src.to_string_lossy();
    let shown = &op.shown;
    match step {
        Step::FsCreate if e == libc::ELOOP => Error::usage(format!(
            "{shown}: cannot create {dir}: it goes through a symlink"
        )),
        Step::FsCreate => Error::sys(format!("{shown}: cannot create {dir}/upper"), e),
        Step::FsSource if e == libc::ELOOP => Error::usage(format!(
            "{shown}: {dir}/upper or {dir}/work is a symlink; jail does not follow it"
        ))
        .with_hint(Some(format!(
            "a COMMAND that could write {dir} may have planted it: remove it"
        ))),
        Step::FsSource => Error::sys(format!("{shown}: {dir}/upper or {dir}/work"), e),
        _ => {
            // What overlayfs says about its upper directory's filesystem.
            const OVERLAYFS_SUPER_MAGIC: u64 = 0x794c_7630;
            let on_overlay = kept
                && rustix::fs::statfs(op.src.as_c_str())
                    .is_ok_and(|s| s.f_type as u64 == OVERLAYFS_SUPER_MAGIC);
            let hint = match e {
                libc::EBUSY if kept => Some(format!(
                    "{dir} is in use by another overlay (a jail running with it?): wait for \
                     it to end, or give another DIR"
                )),
                _ if on_overlay => Some(format!(
                    "{dir} is on an overlay filesystem (inside a container, or under another \
                     --overlay), where overlayfs cannot keep a layer: give a DIR on a disk \
                     filesystem or a tmpfs"
                )),
                libc::EINVAL | libc::EOPNOTSUPP if kept => Some(format!(
                    "overlayfs cannot keep a layer on {dir}'s filesystem (it needs user xattrs \
                     and a writable mount): give a DIR on ext4, xfs, btrfs or tmpfs"
                )),
                libc::EINVAL => Some(format!(
                    "overlayfs cannot stack on {dst} (its filesystem, or overlays nested too \
                     deep)"
                )),
                libc::EPERM | libc::ENODEV => Some(
                    "an overlay in a user namespace needs Linux 5.11 or later with overlayfs"
                        .to_string(),
                ),
                _ => None,
            };
            Error::sys(format!("{shown}: overlay on {dst}"), e).with_hint(hint)
        }
    }
}

/// `--verbose`: which Landlock protection is in force, and which is not;
/// under `--ro`, what covers the caller's service sockets.
fn landlock_note(spec: &Spec, abi: i32, scoped: bool) {
    let msg = if scoped {
        format!(
            "jail: landlock ABI {abi}: COMMAND cannot signal processes outside the jail nor \
             reach abstract unix sockets made outside it\n"
        )
    } else if abi >= crate::child::landlock::SCOPES_ABI {
        format!("jail: landlock ABI {abi}: scopes off (--share-ipc-scope)\n")
    } else {
        format!(
            "jail: landlock ABI {abi}: no signal or abstract-socket scopes on this kernel \
             (needs ABI 6): without --pid COMMAND can signal the caller's processes, without \
             --net it can reach the host's abstract unix sockets\n"
        )
    };
    let _ = sys::write_all(2, msg.as_bytes());
    if spec.landlock.only {
        for line in crate::plan::landlock::shared_lines(&spec.landlock, abi) {
            let _ = sys::write_all(2, format!("{line}\n").as_bytes());
        }
    }
    if let Some(r) = &spec.fs.sockets {
        let _ = sys::write_all(2, crate::plan::sockets::note(r, abi).as_bytes());
    }
}
