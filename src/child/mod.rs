//! Everything after clone(2) and before execve(2). Async-signal-safe only:
//! no allocation, no locks, no formatting; every input was prepared by the
//! parent in `Spec` and `Ctx`. Leaves only through execve or `sys::exit`.
//!
//! An fd opened here is held as a `sys::Fd` (closed by the system call),
//! not as an `OwnedFd`, whose drop calls libc's close.

// Not forbid: that would reach `clone`, `seccomp` and `landlock` below,
// the kernel-facing modules that allow it.
#![deny(unsafe_code)]

pub mod clone;
pub mod init;
pub mod landlock;
pub mod mounts;
pub mod net;
pub mod seccomp;
pub mod timer;

use rustix::fd::{AsFd, AsRawFd, BorrowedFd};
use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;
use rustix::process::{Pid, Signal};
use rustix::thread::UnshareFlags;

use crate::error::{EXIT_FAILURE, Failure, Step};
use crate::plan::spec::Spec;
use crate::sys;

/// What the child gets from the parent, besides the spec. Built before
/// clone, so the child only reads it. Its fds are plain numbers, not
/// `OwnedFd`: this memory is the parent's too (`sys::SHARED_MEMORY`), and
/// the child closes its own copies of them (`sys::close`) while the parent
/// keeps its own; `sys::borrow` lends one to rustix.
pub struct Ctx<'a> {
    pub spec: &'a Spec,
    /// Child reads the "go" byte here; EOF means the parent died.
    pub sync_rd: i32,
    pub sync_wr: i32,
    /// Close-on-exec; a failing step writes one `Failure` here.
    pub fail_rd: i32,
    pub fail_wr: i32,
    /// The init writes COMMAND's wait status here.
    pub status_rd: i32,
    pub status_wr: i32,
    /// With `--info-fd` and `spec.lock`: the child writes the inodes of the
    /// nested namespaces here (-1: not wanted).
    pub info_wr: i32,
    /// The Landlock ruleset COMMAND enters (-1: none).
    pub landlock_fd: i32,
    /// fds COMMAND keeps open across the fd cleanup (sorted): `--keep-fd`
    /// plus the failure pipe, which close-on-exec then closes.
    pub keep: Vec<i32>,
    /// The caller's signal mask, restored right before execve.
    pub old_mask: libc::sigset_t,
    /// The signals the parent and the init wait for.
    pub wait_set: libc::sigset_t,
    /// The parent's pid in the caller's PID namespace.
    pub parent: libc::pid_t,
    /// The signal the keeper gets when the parent dies (no PID namespace).
    pub parent_death_signal: i32,
    /// Top of the stack the init lends COMMAND's process until it execs.
    pub command_stack: usize,
}

/// Report a failed step and exit. Never returns.
pub fn fail(ctx: &Ctx, step: Step, index: u32, errno: i32) -> ! {
    let f = Failure {
        step: step as u32,
        index,
        errno,
    };
    let _ = sys::write_all(ctx.fail_wr, &f.to_bytes());
    sys::exit(EXIT_FAILURE as i32)
}

fn check<T>(ctx: &Ctx, step: Step, index: u32, r: Result<T, Errno>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => fail(ctx, step, index, e.raw_os_error()),
    }
}

fn log(ctx: &Ctx, step: Step, since: u64) {
    if ctx.spec.verbose {
        sys::log_step(2, step.name(), since);
    }
}

/// The jail's first process (see `clone::start_jail`). `ctx` is in the
/// parent's memory (shared, or copied where `sys::SHARED_MEMORY` is false).
pub fn main(ctx: &Ctx) -> ! {
    let spec = ctx.spec;
    let t = sys::now_ns();
    #[cfg(debug_assertions)]
    if spec.test_pause_ms > 0 {
        let ts = rustix::time::Timespec {
            tv_sec: (spec.test_pause_ms / 1000) as _,
            tv_nsec: (spec.test_pause_ms % 1000) as i64 * 1_000_000,
        };
        let _ = rustix::thread::nanosleep(&ts);
    }
    let pdeath = if spec.pid_ns() {
        Signal::KILL
    } else {
        sys::signal(ctx.parent_death_signal)
    };
    let _ = rustix::process::set_parent_process_death_signal(Some(pdeath));
    sys::close(ctx.sync_wr);
    sys::close(ctx.fail_rd);
    sys::close(ctx.status_rd);
    // --info-fd is the parent's: neither the init nor COMMAND keeps it.
    if let Some(fd) = spec.info_fd {
        sys::close(fd);
    }
    // Nor --json-status-fd, whose reader waits for the parent's last line
    // (closed once if it is the --info-fd too).
    if let Some(fd) = spec.json_status_fd.filter(|fd| spec.info_fd != Some(*fd)) {
        sys::close(fd);
    }
    // What needs only the namespace's capabilities, not the id maps, runs
    // while the parent writes them.
    early_setup(ctx);

    // Wait until the parent has written the id maps. EOF: the parent died
    // (maybe before PDEATHSIG was set), so there is nobody to report to.
    let mut go = [0u8; 1];
    match sys::read_full(ctx.sync_rd, &mut go) {
        Ok(1) => {}
        _ => sys::exit(EXIT_FAILURE as i32),
    }
    // The parent holds the pipe's write end for its whole life. If it
    // died before PDEATHSIG was armed (the signal would never come), the
    // pipe is hung up: stop here, COMMAND must not run unsupervised.
    use rustix::event::{PollFd, PollFlags};
    let mut pfd = [PollFd::from_borrowed_fd(
        sys::borrow(ctx.sync_rd),
        PollFlags::IN,
    )];
    let zero = rustix::time::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    let polled = rustix::event::poll(&mut pfd, Some(&zero));
    if polled != Ok(0) && pfd[0].revents().contains(PollFlags::HUP) {
        sys::exit(EXIT_FAILURE as i32);
    }
    sys::close(ctx.sync_rd);
    log(ctx, Step::WaitForMaps, t);
    if spec.lock.is_none() {
        // Not earlier: the kernel reads the range through the id maps.
        ping_range(ctx);
    }

    let self_dir = setup_namespaces(ctx);
    if let Some(lock) = &spec.lock {
        let t = sys::now_ns();
        lock_view(ctx, lock, self_dir);
        log(ctx, Step::Lock, t);
        net_and_name(ctx);
        ping_range(ctx);
    }
    if spec.disable_userns {
        // As bwrap does: make sure the limit holds where COMMAND runs.
        if sys::unshare(UnshareFlags::NEWUSER).is_ok() {
            fail(ctx, Step::DisableUserns, 1, 0);
        }
    }

    // Not earlier: writing the time namespace's offsets needs a dumpable
    // /proc/self.
    non_dumpable(ctx);
    if spec.init {
        crate::child::init::run(ctx)
    } else {
        exec_command(ctx)
    }
}

/// COMMAND must not read our memory, nor the parent's, which we share where
/// `sys::SHARED_MEMORY` holds (the flag belongs to the memory), nor the
/// environment, through /proc or ptrace.
fn non_dumpable(ctx: &Ctx) {
    use rustix::process::DumpableBehavior;
    let r = rustix::process::set_dumpable_behavior(DumpableBehavior::NotDumpable);
    check(ctx, Step::Dumpable, 0, r);
}

/// Steps that shape the namespaces, run once by the first process inside.
/// Steps that need only the capabilities the child holds in its new user
/// namespace from the start: they overlap with the parent writing the id
/// maps. (Anything that creates files or checks ids waits for the maps.)
fn early_setup(ctx: &Ctx) {
    let spec = ctx.spec;
    session_keyring(ctx);
    if spec.mount_ns() {
        let t = sys::now_ns();
        if let Err(e) = mounts::make_root_private() {
            fail(ctx, Step::MountPrivate, 0, e.raw_os_error());
        }
        log(ctx, Step::MountPrivate, t);
    }
    if let Some(path) = &spec.stdin_read_only {
        stdin_read_only(ctx, path);
    }
    if spec.pid_ns() && !spec.fs.changes_view() {
        mount_proc(ctx);
    }
    if spec.lock.is_none() {
        net_and_name(ctx);
    }
    if spec.disable_userns {
        limit_user_namespaces(ctx);
    }
}

/// `--disable-userns`: set user.max_user_namespaces of the jail's user
/// namespace (the file shows the opener's) to the user namespaces jail
/// itself still creates in it: the nested one of `spec.lock` (1), or none
/// (0). The kernel counts every user namespace made below it against that
/// limit, whoever makes it, so unshare(2), clone(2) and clone3(2) with
/// CLONE_NEWUSER fail with ENOSPC. Only a process with CAP_SYS_RESOURCE
/// in this namespace may raise it: jail's init drops it, a COMMAND that is
/// not root never has it, and root inside runs in the nested namespace
/// (`lock`), whose own limit is its own business.
fn limit_user_namespaces(ctx: &Ctx) {
    let t = sys::now_ns();
    let limit: &[u8] = if ctx.spec.lock.is_some() { b"1" } else { b"0" };
    write_file(
        ctx,
        Step::DisableUserns,
        c"/proc/sys/user/max_user_namespaces",
        limit,
    );
    log(ctx, Step::DisableUserns, t);
}

/// `--stdin FILE` on a read-only mount. The parent opened FILE on the
/// caller's mount, which is not read-only: through /proc/self/fd/0 COMMAND
/// could reopen it for writing, around `--ro` and outside `--root` (the
/// magic link leads to the parent's mount, whatever the view). So open
/// FILE again here, in our copy of the caller's mount namespace before the
/// view changes, through a read-only clone of its mount, and put that fd
/// in place of the parent's. Runs before the id maps, so the lookup has
/// only the caller's own permissions; it must find the file the parent
/// opened (ESTALE if it was replaced meanwhile). Without open_tree(2) or
/// mount_setattr(2) (ENOSYS, before Linux 5.12) there is no `--ro`
/// either, which needs mount_setattr: the parent's fd stays.
fn stdin_read_only(ctx: &Ctx, path: &std::ffi::CStr) {
    let t = sys::now_ns();
    let fd = ctx.spec.stdio_fds()[0];
    let ro = match mounts::open_read_only(path) {
        Ok(ro) => ro,
        Err(rustix::io::Errno::NOSYS) => return,
        Err(e) => fail(ctx, Step::StdinReadOnly, 0, e.raw_os_error()),
    };
    if !same_file(sys::borrow(fd), ro.as_fd()) {
        fail(ctx, Step::StdinReadOnly, 0, libc::ESTALE);
    }
    // Our copy of `fd` becomes the read-only one; the parent's copy stays
    // open in the parent's own fd table.
    let r = sys::dup_onto(ro.as_fd(), fd, rustix::io::DupFlags::CLOEXEC);
    check(ctx, Step::StdinReadOnly, 0, r);
    drop(ro);
    log(ctx, Step::StdinReadOnly, t);
}

/// Whether two fds are open on the same file (device and inode).
fn same_file(a: BorrowedFd, b: BorrowedFd) -> bool {
    match (rustix::fs::fstat(a), rustix::fs::fstat(b)) {
        (Ok(sa), Ok(sb)) => sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino,
        _ => false,
    }
}

/// Bring lo up and set the hostname, in the namespaces COMMAND gets.
fn net_and_name(ctx: &Ctx) {
    let spec = ctx.spec;
    if spec.net() {
        let t = sys::now_ns();
        check(ctx, Step::Loopback, 0, crate::child::net::loopback_up());
        log(ctx, Step::Loopback, t);
    }
    if let Some(name) = &spec.hostname {
        let t = sys::now_ns();
        let r = rustix::system::sethostname(name.as_bytes());
        check(ctx, Step::Hostname, 0, r);
        log(ctx, Step::Hostname, t);
    }
}

/// Let COMMAND's gid open ICMP echo sockets in the new network namespace,
/// whose net.ipv4.ping_group_range allows nobody at first: ping then works
/// without CAP_NET_RAW, as on most hosts. Needs the namespace's
/// capabilities and the id maps (the kernel maps the range through them).
/// No such file (no IPv4, or no /proc in the view) or a read-only /proc
/// (inside a container): skipped, with a note under `-v`.
fn ping_range(ctx: &Ctx) {
    let Some(range) = &ctx.spec.ping_range else {
        return;
    };
    let t = sys::now_ns();
    let path = c"/proc/sys/net/ipv4/ping_group_range";
    let fd = match rustix::fs::open(path, OFlags::WRONLY | OFlags::CLOEXEC, Mode::empty()) {
        Ok(fd) => sys::Fd::from(fd),
        Err(e) if e == Errno::NOENT || e == Errno::ROFS => {
            if ctx.spec.verbose {
                let note: &[u8] = if e == Errno::NOENT {
                    b"jail: no net.ipv4.ping_group_range here (no IPv4, or no /proc in the view): \
                      COMMAND cannot ping\n"
                } else {
                    b"jail: /proc/sys is read-only here: net.ipv4.ping_group_range left as it is, \
                      COMMAND cannot ping\n"
                };
                let _ = sys::write_all(2, note);
            }
            return;
        }
        Err(e) => fail(ctx, Step::PingRange, 0, e.raw_os_error()),
    };
    if let Err(e) = sys::write_all(fd.as_raw_fd(), range.as_bytes()) {
        fail(ctx, Step::PingRange, 0, e);
    }
    drop(fd);
    log(ctx, Step::PingRange, t);
}

/// Lock the view jail built (see `spec::Lock`): enter a nested user
/// namespace with a new mount namespace, whose copied mounts the kernel
/// locks, and give it the same ids. `self_dir` is our /proc/PID directory.
fn lock_view(ctx: &Ctx, lock: &crate::plan::spec::Lock, self_dir: i32) {
    // Subordinate ranges: a helper that stays outside writes our maps. It
    // reads `arg`, which stays in place on our stack until it is reaped.
    let mut arg = MapHelper {
        lock,
        self_dir,
        go: -1,
        go_wr: -1,
    };
    // The helper and the write end of its "go" pipe.
    let mut helper: Option<(Pid, sys::Fd)> = None;
    if lock.helper {
        let pipe = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC);
        let (go, go_wr) = check(ctx, Step::Lock, 0, pipe);
        let (go, go_wr) = (sys::Fd::from(go), sys::Fd::from(go_wr));
        (arg.go, arg.go_wr) = (go.as_raw_fd(), go_wr.as_raw_fd());
        let pid = match clone::start_map_helper(ctx, &arg) {
            Ok(pid) => Pid::from_raw(pid),
            Err(e) => fail(ctx, Step::Lock, 0, e),
        };
        drop(go);
        // clone(2) gives the caller a positive pid.
        let Some(pid) = pid else {
            fail(ctx, Step::Lock, 0, libc::ESRCH)
        };
        helper = Some((pid, go_wr));
    }
    let flags = UnshareFlags::from_bits_retain(lock.flags as u32);
    // The helper, if any, sees EOF if we fail, and exits.
    check(ctx, Step::Lock, 0, sys::unshare(flags));
    if let Some((pid, go_wr)) = helper {
        let _ = sys::write_all(go_wr.as_raw_fd(), b"g");
        drop(go_wr);
        let all = rustix::process::WaitOptions::from_bits_retain(libc::__WALL as u32);
        let waited = check(
            ctx,
            Step::LockMaps,
            0,
            rustix::process::waitpid(Some(pid), all),
        );
        // Exited 0, or with the errno; killed: EINTR.
        match waited.and_then(|(_, status)| status.exit_status()) {
            Some(0) => {}
            Some(e) => fail(ctx, Step::LockMaps, 0, e),
            None => fail(ctx, Step::LockMaps, 0, libc::EINTR),
        }
    } else if let Err(e) = write_maps_at(self_dir, lock) {
        fail(ctx, Step::LockMaps, 0, e.raw_os_error());
    }
    if ctx.info_wr >= 0 {
        report_namespaces(ctx, lock, self_dir);
    }
    sys::close(self_dir);
}

/// `--info-fd`: the inodes of the namespaces `lock_view` made, in
/// `lock.info`'s order, one u64 each (0 if unreadable), for the parent.
fn report_namespaces(ctx: &Ctx, lock: &crate::plan::spec::Lock, self_dir: i32) {
    let mut inodes = [0u64; 8];
    for (slot, (_, path)) in inodes.iter_mut().zip(&lock.info) {
        let r = rustix::fs::statat(sys::borrow(self_dir), path.as_c_str(), AtFlags::empty());
        if let Ok(st) = r {
            *slot = st.st_ino;
        }
    }
    let n = lock.info.len().min(inodes.len());
    let mut bytes = [0u8; 64];
    for (i, ino) in inodes[..n].iter().enumerate() {
        bytes[i * 8..i * 8 + 8].copy_from_slice(&ino.to_ne_bytes());
    }
    let _ = sys::write_all(ctx.info_wr, &bytes[..n * 8]);
    sys::close(ctx.info_wr);
}

/// What the map helper reads (on the child's stack, shared). The fds are
/// numbers: the helper, in this same memory, closes its own copies.
pub struct MapHelper<'a> {
    lock: &'a crate::plan::spec::Lock,
    self_dir: i32,
    go: i32,
    go_wr: i32,
}

/// The helper of `lock_view`: waits until the child has entered the nested
/// user namespace, then writes its maps from outside, with CAP_SETUID
/// there. Exits 0, or with the errno.
pub fn map_helper(h: &MapHelper) -> ! {
    sys::close(h.go_wr);
    let mut go = [0u8; 1];
    let code = match sys::read_full(h.go, &mut go) {
        Ok(1) => match write_maps_at(h.self_dir, h.lock) {
            Ok(()) => 0,
            Err(e) => e.raw_os_error(),
        },
        _ => libc::ECHILD,
    };
    sys::exit(code)
}

/// Write uid_map and gid_map under `dir` (a /proc/PID directory).
fn write_maps_at(dir: i32, lock: &crate::plan::spec::Lock) -> Result<(), Errno> {
    for (name, data) in [(c"uid_map", &lock.uid_map), (c"gid_map", &lock.gid_map)] {
        let flags = OFlags::WRONLY | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(sys::borrow(dir), name, flags, Mode::empty())?;
        let fd = sys::Fd::from(fd);
        sys::write_all(fd.as_raw_fd(), data.to_bytes()).map_err(Errno::from_raw_os_error)?;
    }
    Ok(())
}

/// The jail's processes get a new, empty, anonymous session keyring: the
/// caller's, inherited across clone, would let COMMAND read and change
/// every key in it (it would possess them), and the kernel's own key
/// lookups on COMMAND's behalf search it. COMMAND's user and user-session
/// keyrings (`@u`, `@us`) are the new user namespace's already; the
/// caller's, reachable by id, are behind the seccomp filter, which refuses
/// COMMAND keyctl(2) as a whole (and a jail inside the jail its join).
fn session_keyring(ctx: &Ctx) {
    let t = sys::now_ns();
    match sys::keyctl(sys::Keyctl::JoinNewSession) {
        Ok(_) => log(ctx, Step::SessionKeyring, t),
        Err(e) if keyctl_refused(e) => {
            if ctx.spec.verbose {
                let note = b"jail: no keyctl(2) here: COMMAND cannot reach any keyring either\n";
                let _ = sys::write_all(2, note);
            }
        }
        Err(e) => fail(ctx, Step::SessionKeyring, 0, e.raw_os_error()),
    }
}

/// Whether keyctl(2) fails as a whole with `errno`: a kernel without
/// keyrings (ENOSYS), or a seccomp filter, which COMMAND inherits. A query
/// that only reads (this process has no thread keyring: ENOKEY) tells that
/// apart from a refusal of the join alone.
fn keyctl_refused(errno: Errno) -> bool {
    let probe = || sys::keyctl(sys::Keyctl::ThreadKeyringId);
    errno == Errno::NOSYS || (matches!(errno, Errno::PERM | Errno::ACCESS) && probe() == Err(errno))
}

/// A fresh /proc for the new PID namespace (inside the new root, if any).
fn mount_proc(ctx: &Ctx) {
    let spec = ctx.spec;
    let t = sys::now_ns();
    if let Err(e) = mounts::mount_view_proc(&spec.fs) {
        fail(ctx, Step::MountProc, 0, e.raw_os_error());
    }
    log(ctx, Step::MountProc, t);
}

/// With `spec.lock`: our /proc/PID directory, opened once the view is built
/// but before pivot_root (a --root may have no /proc); the id map files
/// opened through it once we are in the nested user namespace are that
/// namespace's. -1 without a lock.
fn open_self_dir(ctx: &Ctx) -> i32 {
    if ctx.spec.lock.is_none() {
        return -1;
    }
    let r = mounts::open_proc_self(&ctx.spec.fs)
        .map(sys::Fd::into_raw)
        .or_else(|_| sys::open_dir_path(c"/proc/self"));
    check(ctx, Step::Lock, 0, r.map_err(Errno::from_raw_os_error))
}

/// Steps that need the id maps: the time namespace's offsets and the
/// filesystem view (mount points are created as the caller's ids).
/// Returns `open_self_dir`'s handle.
fn setup_namespaces(ctx: &Ctx) -> i32 {
    let spec = ctx.spec;
    if let Some(offsets) = &spec.time {
        let t = sys::now_ns();
        check(
            ctx,
            Step::UnshareTime,
            0,
            sys::unshare(UnshareFlags::NEWTIME),
        );
        log(ctx, Step::UnshareTime, t);
        let bytes = offsets.as_bytes();
        if !bytes.is_empty() {
            let t = sys::now_ns();
            write_file(ctx, Step::TimeOffsets, c"/proc/self/timens_offsets", bytes);
            log(ctx, Step::TimeOffsets, t);
        }
    }
    let fs = &spec.fs;
    if !fs.changes_view() {
        return open_self_dir(ctx);
    }
    let t = sys::now_ns();
    fs_check(ctx, mounts::bind_root(fs).and_then(|_| mounts::prepare(fs)));
    // The fresh /proc goes first, so that --hide, --tmpfs and --bind can
    // cover parts of it (--hide /proc/kallsyms).
    if spec.pid_ns() {
        mount_proc(ctx);
    }
    fs_check(ctx, mounts::apply(fs));
    log(ctx, Step::FsMount, t);
    if fs.ro {
        let t = sys::now_ns();
        fs_check(ctx, mounts::apply_readonly(fs));
        log(ctx, Step::FsAttr, t);
    }
    let self_dir = open_self_dir(ctx);
    if fs.new_root() {
        let t = sys::now_ns();
        if let Err(e) = mounts::pivot(fs) {
            fail(ctx, Step::PivotRoot, 0, e.raw_os_error());
        }
        log(ctx, Step::PivotRoot, t);
    }
    mounts::release(fs);
    self_dir
}

fn fs_check(ctx: &Ctx, r: Result<(), mounts::Failed>) {
    if let Err(f) = r {
        let step = match f.part {
            mounts::Part::Source => Step::FsSource,
            mounts::Part::Create => Step::FsCreate,
            mounts::Part::Mount => Step::FsMount,
            mounts::Part::Attr => Step::FsAttr,
        };
        fail(ctx, step, f.op, f.errno);
    }
}

fn write_file(ctx: &Ctx, step: Step, path: &std::ffi::CStr, data: &[u8]) {
    let fd = rustix::fs::open(path, OFlags::WRONLY | OFlags::CLOEXEC, Mode::empty());
    let fd = sys::Fd::from(check(ctx, step, 0, fd));
    let r = sys::write_all(fd.as_raw_fd(), data);
    drop(fd);
    if let Err(e) = r {
        fail(ctx, step, 0, e);
    }
}

/// With a subordinate map the caller is 0 inside: drop the caller's
/// supplementary groups (unmapped, they would show as nogroup) for
/// COMMAND's gid where newgidmap allowed setgroups, then become the
/// `--uid`/`--gid` ids. Leaving uid 0 clears the capabilities.
fn switch_ids(ctx: &Ctx, sub: &crate::plan::subid::SubIds) {
    use rustix::thread::{Gid, Uid};
    let gid = Gid::from_raw_unchecked(sub.run_gid as libc::gid_t);
    // The per-thread system calls: libc's wrappers of these broadcast the
    // change to every thread with signals and locks; after clone there is
    // one thread.
    if sub.set_groups {
        check(
            ctx,
            Step::SetGroups,
            0,
            rustix::thread::set_thread_groups(&[gid]),
        );
    }
    if sub.run_gid != 0 {
        let r = rustix::thread::set_thread_res_gid(gid, gid, gid);
        check(ctx, Step::SetGid, 0, r);
    }
    if sub.run_uid != 0 {
        let uid = Uid::from_raw_unchecked(sub.run_uid as libc::uid_t);
        let r = rustix::thread::set_thread_res_uid(uid, uid, uid);
        check(ctx, Step::SetUid, 0, r);
    }
}

/// The per-process steps, then execve(COMMAND). Runs in COMMAND's process:
/// the clone child itself with --as-pid-1, else the init's forked child.
pub fn exec_command(ctx: &Ctx) -> ! {
    let spec = ctx.spec;
    if spec.new_session {
        check(ctx, Step::NewSession, 0, rustix::process::setsid());
    }
    for (i, l) in spec.rlimits.iter().enumerate() {
        check(ctx, Step::Rlimit, i as u32, apply_rlimit(l));
    }
    for (target, &fd) in spec.stdio_fds().iter().enumerate() {
        if fd >= 0 {
            // On fds the parent opened (above 2, never the target itself).
            let fd = sys::borrow(fd);
            let r = match target {
                0 => rustix::stdio::dup2_stdin(fd),
                1 => rustix::stdio::dup2_stdout(fd),
                _ => rustix::stdio::dup2_stderr(fd),
            };
            check(ctx, Step::Stdio, target as u32, r);
        }
    }
    for &fd in &spec.keep_fds {
        // An fd the parent checked open.
        let r = rustix::io::fcntl_setfd(sys::borrow(fd), rustix::io::FdFlags::empty());
        check(ctx, Step::KeepFd, fd as u32, r);
    }
    if let Some(sub) = &spec.subids {
        switch_ids(ctx, sub);
        // Changing ids resets the memory's dumpable flag (to
        // fs.suid_dumpable), and this memory is still the parent's.
        non_dumpable(ctx);
    }
    // Close every inherited fd first, so that neither --chdir nor COMMAND
    // can reach outside the jail's view through one (runc CVE-2024-21626).
    // Kept: --keep-fd, the failure pipe and the Landlock ruleset, which are
    // close-on-exec.
    if let Err(e) = sys::close_fds_except(&ctx.keep) {
        fail(ctx, Step::CloseFds, 0, e);
    }
    if let Some(dir) = &spec.chdir {
        check(ctx, Step::Chdir, 0, rustix::process::chdir(dir.as_c_str()));
    } else {
        mounts::enter_cwd(&spec.fs);
    }
    if !spec.map_root {
        // No capabilities: with no_new_privs, execve cannot grant any back.
        use rustix::thread::{CapabilitySet, CapabilitySets};
        let none = CapabilitySets {
            effective: CapabilitySet::empty(),
            permitted: CapabilitySet::empty(),
            inheritable: CapabilitySet::empty(),
        };
        check(
            ctx,
            Step::DropCaps,
            0,
            rustix::thread::set_capabilities(None, none),
        );
    } else if let Some(keep) = spec.caps {
        keep_capabilities(ctx, keep);
    }
    check(
        ctx,
        Step::NoNewPrivs,
        0,
        rustix::thread::set_no_new_privs(true),
    );
    if ctx.landlock_fd >= 0
        && let Err(e) = landlock::restrict_self(ctx.landlock_fd)
    {
        fail(ctx, Step::Landlock, 0, e);
    }
    if let Err(e) = crate::child::seccomp::install() {
        fail(ctx, Step::Seccomp, 0, e);
    }
    // TCP port rules: no MPTCP, TCP Fast Open or io_uring around them.
    if (spec.landlock.handles_connect() || spec.landlock.handles_bind())
        && let Err(e) = crate::child::seccomp::install_tcp()
    {
        fail(ctx, Step::Seccomp, 0, e);
    }
    let _ = sys::set_signal_mask(&ctx.old_mask);

    // --stdout/--stderr files start empty, as with `>`; a pipe or a
    // device cannot be truncated and needs not be.
    for target in 1..3 {
        if spec.stdio_fds()[target] >= 0 {
            let _ = rustix::fs::ftruncate(sys::borrow(target as i32), 0);
        }
    }
    // --seccomp: last, so that the programs constrain COMMAND alone, and
    // after jail's filter, which they cannot lift.
    for (i, (_, program)) in spec.seccomp.iter().enumerate() {
        if let Err(e) = crate::child::seccomp::install_program(program) {
            fail(ctx, Step::SeccompFd, i as u32, e);
        }
    }
    let exec = &spec.exec;
    let mut errno = libc::ENOENT;
    let mut denied = false;
    for (cand, sh_argv) in exec.candidates.iter().zip(&exec.sh_argv_ptrs) {
        let r = sys::execve(cand, &exec.argv_ptrs, &exec.envp_ptrs);
        match r.raw_os_error() {
            libc::ENOEXEC => {
                let _ = sys::execve(crate::plan::spec::SHELL, sh_argv, &exec.envp_ptrs);
                errno = libc::ENOEXEC;
                break;
            }
            libc::ENOENT | libc::ENOTDIR | libc::ENAMETOOLONG | libc::ELOOP => {}
            // A file that is there but may not be run. A PATH directory we
            // cannot search hides nothing (as for a shell): not found.
            libc::EACCES => {
                let there = rustix::fs::access(cand.as_c_str(), rustix::fs::Access::EXISTS);
                denied |= there.is_ok();
            }
            e => {
                errno = e;
                break;
            }
        }
    }
    if denied && errno == libc::ENOENT {
        errno = libc::EACCES;
    }
    fail(ctx, Step::Exec, 0, errno)
}

/// `--cap-drop`/`--cap-add` with root inside: COMMAND keeps only `keep`
/// (bit N: capability N). Dropped from the bounding set first (that needs
/// CAP_SETPCAP, which may be among those dropped), so that no execve gives
/// them back to root; then from the other sets. An empty inheritable set
/// also empties the ambient set.
fn keep_capabilities(ctx: &Ctx, keep: u64) {
    use rustix::thread::{CapabilitySet, CapabilitySets};
    check(ctx, Step::DropCaps, 0, drop_bounding(keep));
    // What this kernel knows of `keep`.
    let have = check(ctx, Step::DropCaps, 0, rustix::thread::capabilities(None));
    let keep = CapabilitySet::from_bits_retain(keep) & have.permitted;
    let sets = CapabilitySets {
        effective: keep,
        permitted: keep,
        inheritable: CapabilitySet::empty(),
    };
    check(
        ctx,
        Step::DropCaps,
        0,
        rustix::thread::set_capabilities(None, sets),
    );
}

/// Remove every capability not in `keep` (bit N: capability N) from the
/// bounding set, up to the first number the kernel does not know.
pub fn drop_bounding(keep: u64) -> Result<(), Errno> {
    for cap in 0..64 {
        if keep & (1 << cap) != 0 {
            continue;
        }
        let set = rustix::thread::CapabilitySet::from_bits_retain(1 << cap);
        match rustix::thread::remove_capability_from_bounding_set(set) {
            Ok(()) => {}
            Err(Errno::INVAL) => break,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Apply one limit (prlimit64 on ourselves). Async-signal-safe.
fn apply_rlimit(l: &crate::plan::rlimit::Rlimit) -> Result<(), Errno> {
    // u64::MAX (RLIM_INFINITY) passes through as it is.
    let limit = rustix::process::Rlimit {
        current: Some(l.soft),
        maximum: Some(l.hard),
    };
    rustix::process::setrlimit(l.resource, limit)
}
