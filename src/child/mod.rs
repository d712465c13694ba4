//! Everything after clone(2) and before execve(2). Async-signal-safe only:
//! no allocation, no locks, no formatting; every input was prepared by the
//! parent in `Spec` and `Ctx`. Leaves only through execve or `_exit`.

pub mod clone;
pub mod init;
pub mod landlock;
pub mod mounts;
pub mod net;
pub mod seccomp;
pub mod timer;

use crate::error::{EXIT_FAILURE, Failure, Step};
use crate::plan::spec::Spec;
use crate::sys;

/// What the child gets from the parent, besides the spec. Built before
/// clone, so the child only reads it.
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
    // SAFETY: _exit is async-signal-safe and does not return.
    unsafe { libc::_exit(EXIT_FAILURE as i32) }
}

fn check(ctx: &Ctx, step: Step, index: u32, r: Result<usize, i32>) -> usize {
    match r {
        Ok(v) => v,
        Err(e) => fail(ctx, step, index, e),
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
        let ts = libc::timespec {
            tv_sec: (spec.test_pause_ms / 1000) as libc::time_t,
            tv_nsec: (spec.test_pause_ms % 1000) as libc::c_long * 1_000_000,
        };
        // SAFETY: ts is a valid timespec.
        let _ = unsafe { sc!(libc::SYS_nanosleep, &ts as *const libc::timespec, 0) };
    }
    let pdeath = if spec.pid_ns() {
        libc::SIGKILL
    } else {
        ctx.parent_death_signal
    };
    // SAFETY: prctl takes no pointers here.
    let _ = unsafe { sc!(libc::SYS_prctl, libc::PR_SET_PDEATHSIG, pdeath) };
    sys::close(ctx.sync_wr);
    sys::close(ctx.fail_rd);
    sys::close(ctx.status_rd);
    // --info-fd is the parent's: neither the init nor COMMAND keeps it.
    if let Some(fd) = spec.info_fd {
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
        // SAFETY: _exit does not return.
        _ => unsafe { libc::_exit(EXIT_FAILURE as i32) },
    }
    // The parent holds the pipe's write end for its whole life. If it
    // died before PDEATHSIG was armed (the signal would never come), the
    // pipe is hung up: stop here, COMMAND must not run unsupervised.
    let mut pfd = libc::pollfd {
        fd: ctx.sync_rd,
        events: libc::POLLIN,
        revents: 0,
    };
    let zero = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: pfd is one valid pollfd; the timeout is 0; no signal mask.
    let polled = unsafe {
        sc!(
            libc::SYS_ppoll,
            &mut pfd as *mut libc::pollfd,
            1,
            &zero as *const libc::timespec,
            0,
            0
        )
    };
    if polled != Ok(0) && pfd.revents & libc::POLLHUP != 0 {
        // SAFETY: _exit does not return.
        unsafe { libc::_exit(EXIT_FAILURE as i32) };
    }
    sys::close(ctx.sync_rd);
    log(ctx, Step::WaitForMaps, t);

    let self_dir = setup_namespaces(ctx);
    if let Some(lock) = &spec.lock {
        let t = sys::now_ns();
        lock_view(ctx, lock, self_dir);
        log(ctx, Step::Lock, t);
        net_and_name(ctx);
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
    // SAFETY: prctl with integer arguments only.
    check(ctx, Step::Dumpable, 0, unsafe {
        sc!(libc::SYS_prctl, libc::PR_SET_DUMPABLE, 0)
    });
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
        Ok(ro) => ro.into_raw(),
        Err(rustix::io::Errno::NOSYS) => return,
        Err(e) => fail(ctx, Step::StdinReadOnly, 0, e.raw_os_error()),
    };
    if !same_file(fd, ro) {
        fail(ctx, Step::StdinReadOnly, 0, libc::ESTALE);
    }
    // SAFETY: dup3 on two fds of ours; the parent's copy of `fd` stays
    // open in the parent's own fd table.
    check(ctx, Step::StdinReadOnly, 0, unsafe {
        sc!(libc::SYS_dup3, ro, fd, libc::O_CLOEXEC)
    });
    sys::close(ro);
    log(ctx, Step::StdinReadOnly, t);
}

/// Whether two fds are open on the same file (device and inode).
fn same_file(a: i32, b: i32) -> bool {
    // SAFETY: stat is plain data; fstat only fills it.
    let mut sa: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    let mut sb: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: sa and sb are valid for writing.
    let ok = unsafe {
        sc!(libc::SYS_fstat, a, &mut sa as *mut libc::stat).is_ok()
            && sc!(libc::SYS_fstat, b, &mut sb as *mut libc::stat).is_ok()
    };
    ok && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
}

/// Bring lo up and set the hostname, in the namespaces COMMAND gets.
fn net_and_name(ctx: &Ctx) {
    let spec = ctx.spec;
    if spec.net() {
        let t = sys::now_ns();
        if let Err(e) = crate::child::net::loopback_up() {
            fail(ctx, Step::Loopback, 0, e);
        }
        log(ctx, Step::Loopback, t);
    }
    if let Some(name) = &spec.hostname {
        let t = sys::now_ns();
        let b = name.as_bytes();
        // SAFETY: b is valid for b.len() bytes.
        check(ctx, Step::Hostname, 0, unsafe {
            sc!(libc::SYS_sethostname, b.as_ptr(), b.len())
        });
        log(ctx, Step::Hostname, t);
    }
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
    let mut helper = 0;
    if lock.helper {
        let mut fds = [-1i32; 2];
        // SAFETY: fds is valid for two ints.
        let r = unsafe { sc!(libc::SYS_pipe2, fds.as_mut_ptr(), libc::O_CLOEXEC) };
        check(ctx, Step::Lock, 0, r);
        (arg.go, arg.go_wr) = (fds[0], fds[1]);
        let pid = clone::start_map_helper(ctx, &arg);
        helper = match pid {
            Ok(pid) => pid,
            Err(e) => fail(ctx, Step::Lock, 0, e),
        };
        sys::close(arg.go);
    }
    // SAFETY: unshare takes no pointers.
    if let Err(e) = unsafe { sc!(libc::SYS_unshare, lock.flags) } {
        // The helper, if any, sees EOF and exits.
        fail(ctx, Step::Lock, 0, e);
    }
    if helper > 0 {
        let _ = sys::write_all(arg.go_wr, b"g");
        sys::close(arg.go_wr);
        let mut status = 0i32;
        // SAFETY: status is writable.
        let r = unsafe {
            sc!(
                libc::SYS_wait4,
                helper,
                &mut status as *mut i32,
                libc::__WALL,
                0
            )
        };
        check(ctx, Step::LockMaps, 0, r);
        if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
            let e = if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status)
            } else {
                libc::EINTR
            };
            fail(ctx, Step::LockMaps, 0, e);
        }
    } else if let Err(e) = write_maps_at(self_dir, lock) {
        fail(ctx, Step::LockMaps, 0, e);
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
        // SAFETY: stat is plain data; all zeros is a valid value.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: path is NUL-terminated, st is writable.
        let r = unsafe {
            sc!(
                libc::SYS_newfstatat,
                self_dir,
                path.as_ptr(),
                &mut st as *mut libc::stat,
                0
            )
        };
        if r.is_ok() {
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

/// What the map helper reads (on the child's stack, shared).
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
            Err(e) => e,
        },
        _ => libc::ECHILD,
    };
    // SAFETY: _exit does not return.
    unsafe { libc::_exit(code) }
}

/// Write uid_map and gid_map under `dir` (a /proc/PID directory).
fn write_maps_at(dir: i32, lock: &crate::plan::spec::Lock) -> Result<(), i32> {
    for (name, data) in [(c"uid_map", &lock.uid_map), (c"gid_map", &lock.gid_map)] {
        // SAFETY: name is NUL-terminated; dir is an O_PATH directory fd.
        let fd = unsafe {
            sc!(
                libc::SYS_openat,
                dir,
                name.as_ptr(),
                libc::O_WRONLY | libc::O_CLOEXEC
            )
        }? as i32;
        let r = sys::write_all(fd, data.to_bytes());
        sys::close(fd);
        r?;
    }
    Ok(())
}

/// keyctl(2) operations and special key ids (linux/keyctl.h).
const KEYCTL_GET_KEYRING_ID: usize = 0;
const KEYCTL_JOIN_SESSION_KEYRING: usize = 1;
const KEY_SPEC_THREAD_KEYRING: isize = -1;

/// The jail's processes get a new, empty, anonymous session keyring: the
/// caller's, inherited across clone, would let COMMAND read and change
/// every key in it (it would possess them), and the kernel's own key
/// lookups on COMMAND's behalf search it. COMMAND's user and user-session
/// keyrings (`@u`, `@us`) are the new user namespace's already; the
/// caller's, reachable by id, are behind the seccomp filter, which refuses
/// COMMAND keyctl(2) as a whole (and a jail inside the jail its join).
fn session_keyring(ctx: &Ctx) {
    let t = sys::now_ns();
    // SAFETY: a null name asks for a new anonymous keyring; no other pointer.
    let r = unsafe { sc!(libc::SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, 0) };
    match r {
        Ok(_) => log(ctx, Step::SessionKeyring, t),
        Err(e) if keyctl_refused(e) => {
            if ctx.spec.verbose {
                let note = b"jail: no keyctl(2) here: COMMAND cannot reach any keyring either\n";
                let _ = sys::write_all(2, note);
            }
        }
        Err(e) => fail(ctx, Step::SessionKeyring, 0, e),
    }
}

/// Whether keyctl(2) fails as a whole with `errno`: a kernel without
/// keyrings (ENOSYS), or a seccomp filter, which COMMAND inherits. A query
/// that only reads (this process has no thread keyring: ENOKEY) tells that
/// apart from a refusal of the join alone.
fn keyctl_refused(errno: i32) -> bool {
    // SAFETY: integer arguments only; create = 0, so nothing is made.
    let probe = || unsafe {
        sc!(
            libc::SYS_keyctl,
            KEYCTL_GET_KEYRING_ID,
            KEY_SPEC_THREAD_KEYRING,
            0
        )
    };
    errno == libc::ENOSYS || (matches!(errno, libc::EPERM | libc::EACCES) && probe() == Err(errno))
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
    check(ctx, Step::Lock, 0, r.map(|fd| fd as usize)) as i32
}

/// Steps that need the id maps: the time namespace's offsets and the
/// filesystem view (mount points are created as the caller's ids).
/// Returns `open_self_dir`'s handle.
fn setup_namespaces(ctx: &Ctx) -> i32 {
    let spec = ctx.spec;
    if let Some(offsets) = &spec.time {
        let t = sys::now_ns();
        // SAFETY: unshare takes no pointers.
        check(ctx, Step::UnshareTime, 0, unsafe {
            sc!(libc::SYS_unshare, libc::CLONE_NEWTIME)
        });
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
    if fs.root.is_some() {
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
    // SAFETY: path is NUL-terminated.
    let fd = unsafe {
        sc!(
            libc::SYS_openat,
            libc::AT_FDCWD,
            path.as_ptr(),
            libc::O_WRONLY | libc::O_CLOEXEC
        )
    };
    let fd = check(ctx, step, 0, fd) as i32;
    let r = sys::write_all(fd, data);
    sys::close(fd);
    if let Err(e) = r {
        fail(ctx, step, 0, e);
    }
}

/// With a subordinate map the caller is 0 inside: drop the caller's
/// supplementary groups (unmapped, they would show as nogroup) for
/// COMMAND's gid where newgidmap allowed setgroups, then become the
/// `--uid`/`--gid` ids. Leaving uid 0 clears the capabilities.
fn switch_ids(ctx: &Ctx, sub: &crate::plan::subid::SubIds) {
    let gid = sub.run_gid as libc::gid_t;
    // Raw syscalls: libc's wrappers of these broadcast the change to every
    // thread with signals and locks; after clone there is one thread.
    if sub.set_groups {
        // SAFETY: one gid, read from a valid local.
        check(ctx, Step::SetGroups, 0, unsafe {
            sc!(libc::SYS_setgroups, 1, &gid as *const libc::gid_t)
        });
    }
    if sub.run_gid != 0 {
        // SAFETY: integer arguments only.
        check(ctx, Step::SetGid, 0, unsafe {
            sc!(libc::SYS_setresgid, gid, gid, gid)
        });
    }
    if sub.run_uid != 0 {
        let uid = sub.run_uid as libc::uid_t;
        // SAFETY: integer arguments only.
        check(ctx, Step::SetUid, 0, unsafe {
            sc!(libc::SYS_setresuid, uid, uid, uid)
        });
    }
}

/// The per-process steps, then execve(COMMAND). Runs in COMMAND's process:
/// the clone child itself with --as-pid-1, else the init's forked child.
pub fn exec_command(ctx: &Ctx) -> ! {
    let spec = ctx.spec;
    if spec.new_session {
        // SAFETY: setsid takes no arguments.
        check(ctx, Step::NewSession, 0, unsafe { sc!(libc::SYS_setsid) });
    }
    for (i, l) in spec.rlimits.iter().enumerate() {
        if let Err(e) = apply_rlimit(l) {
            fail(ctx, Step::Rlimit, i as u32, e);
        }
    }
    for (target, &fd) in spec.stdio_fds().iter().enumerate() {
        if fd >= 0 {
            // SAFETY: dup3 on fds the parent opened (never equal: the
            // parent opened them above 2).
            check(ctx, Step::Stdio, target as u32, unsafe {
                sc!(libc::SYS_dup3, fd, target, 0)
            });
        }
    }
    for &fd in &spec.keep_fds {
        // SAFETY: clearing FD_CLOEXEC on an fd checked open by the parent.
        check(ctx, Step::KeepFd, fd as u32, unsafe {
            sc!(libc::SYS_fcntl, fd, libc::F_SETFD, 0)
        });
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
        // SAFETY: dir is NUL-terminated.
        check(ctx, Step::Chdir, 0, unsafe {
            sc!(libc::SYS_chdir, dir.as_ptr())
        });
    } else {
        mounts::enter_cwd(&spec.fs);
    }
    if !spec.map_root {
        // No capabilities: with no_new_privs, execve cannot grant any back.
        // struct __user_cap_header_struct { u32 version; int pid; } with
        // _LINUX_CAPABILITY_VERSION_3, then two all-zero data words
        // { effective, permitted, inheritable }.
        let hdr: [u32; 2] = [0x2008_0522, 0];
        let data = [0u32; 6];
        // SAFETY: hdr and data match capset's v3 layout.
        check(ctx, Step::DropCaps, 0, unsafe {
            sc!(libc::SYS_capset, hdr.as_ptr(), data.as_ptr())
        });
    }
    // SAFETY: prctl with integer arguments only.
    check(ctx, Step::NoNewPrivs, 0, unsafe {
        sc!(libc::SYS_prctl, libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    });
    if ctx.landlock_fd >= 0
        && let Err(e) = landlock::restrict_self(ctx.landlock_fd)
    {
        fail(ctx, Step::Landlock, 0, e);
    }
    if let Err(e) = crate::child::seccomp::install() {
        fail(ctx, Step::Seccomp, 0, e);
    }
    // SAFETY: old_mask is a valid sigset saved by the parent; the kernel
    // reads its first 8 bytes.
    let _ = unsafe {
        sc!(
            libc::SYS_rt_sigprocmask,
            libc::SIG_SETMASK,
            &ctx.old_mask as *const libc::sigset_t,
            0,
            8
        )
    };

    // --stdout/--stderr files start empty, as with `>`; a pipe or a
    // device cannot be truncated and needs not be.
    for target in 1..3 {
        if spec.stdio_fds()[target] >= 0 {
            // SAFETY: ftruncate on our own descriptor.
            let _ = unsafe { sc!(libc::SYS_ftruncate, target, 0) };
        }
    }
    let exec = &spec.exec;
    let mut errno = libc::ENOENT;
    let mut denied = false;
    for (cand, sh_argv) in exec.candidates.iter().zip(&exec.sh_argv_ptrs) {
        // SAFETY: cand, argv_ptrs and envp_ptrs are NUL-terminated C strings
        // and null-terminated pointer arrays built by the parent.
        let r = unsafe {
            sc!(
                libc::SYS_execve,
                cand.as_ptr(),
                exec.argv_ptrs.as_ptr(),
                exec.envp_ptrs.as_ptr()
            )
        };
        match r.err().unwrap_or(libc::ENOENT) {
            libc::ENOEXEC => {
                // SAFETY: as above; sh_argv is null-terminated.
                let _ = unsafe {
                    sc!(
                        libc::SYS_execve,
                        crate::plan::spec::SHELL.as_ptr(),
                        sh_argv.as_ptr(),
                        exec.envp_ptrs.as_ptr()
                    )
                };
                errno = libc::ENOEXEC;
                break;
            }
            libc::ENOENT | libc::ENOTDIR | libc::ENAMETOOLONG | libc::ELOOP => {}
            // A file that is there but may not be run. A PATH directory we
            // cannot search hides nothing (as for a shell): not found.
            libc::EACCES => {
                // SAFETY: cand is NUL-terminated; F_OK only checks.
                let there = unsafe {
                    sc!(
                        libc::SYS_faccessat,
                        libc::AT_FDCWD,
                        cand.as_ptr(),
                        libc::F_OK
                    )
                };
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

/// Apply one limit. Async-signal-safe; returns the errno on failure.
fn apply_rlimit(l: &crate::plan::rlimit::Rlimit) -> Result<(), i32> {
    let r = libc::rlimit {
        rlim_cur: l.soft,
        rlim_max: l.hard,
    };
    // SAFETY: r is a valid rlimit that prlimit64 only reads; pid 0 is
    // the calling process.
    unsafe {
        sc!(
            libc::SYS_prlimit64,
            0,
            l.resource,
            &r as *const libc::rlimit,
            0
        )
    }
    .map(drop)
}
