//! jail's init: PID 1 of a new PID namespace, or without one a keeper that
//! is COMMAND's parent and the subreaper of everything it starts. It forks
//! COMMAND, forwards signals to it, reaps every orphan, and hands COMMAND's
//! exact wait status to the parent through a pipe. Async-signal-safe only.

use crate::child::timer::{Action, Timer};
use crate::child::{Ctx, exec_command, fail};
use crate::error::Step;
use crate::sys;

/// What the init tells the parent on the status pipe, one write each:
/// COMMAND stopped (job control), or COMMAND is done, with its wait status
/// and whether `--timeout` expired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitReport {
    Stopped(i32),
    Done { status: i32, timed_out: bool },
}

impl InitReport {
    pub const SIZE: usize = 8;
    const DONE: u32 = 0;
    const DONE_TIMED_OUT: u32 = 1;
    const STOPPED: u32 = 2;

    pub fn to_bytes(self) -> [u8; Self::SIZE] {
        let (kind, value) = match self {
            InitReport::Done {
                status,
                timed_out: false,
            } => (Self::DONE, status),
            InitReport::Done {
                status,
                timed_out: true,
            } => (Self::DONE_TIMED_OUT, status),
            InitReport::Stopped(sig) => (Self::STOPPED, sig),
        };
        let mut b = [0u8; Self::SIZE];
        b[..4].copy_from_slice(&kind.to_ne_bytes());
        b[4..].copy_from_slice(&value.to_ne_bytes());
        b
    }

    pub fn from_bytes(b: &[u8; Self::SIZE]) -> Option<InitReport> {
        let kind = u32::from_ne_bytes([b[0], b[1], b[2], b[3]]);
        let value = i32::from_ne_bytes([b[4], b[5], b[6], b[7]]);
        match kind {
            Self::DONE | Self::DONE_TIMED_OUT => Some(InitReport::Done {
                status: value,
                timed_out: kind == Self::DONE_TIMED_OUT,
            }),
            Self::STOPPED => Some(InitReport::Stopped(value)),
            _ => None,
        }
    }
}

pub fn run(ctx: &Ctx) -> ! {
    let spec = ctx.spec;
    if !spec.pid_ns() {
        // Orphans of COMMAND's tree come to us, so we can reap them and
        // take them down with the jail.
        // SAFETY: prctl with integer arguments only.
        let _ = unsafe { sc!(libc::SYS_prctl, libc::PR_SET_CHILD_SUBREAPER, 1) };
    }
    // Without a PID namespace the tree is found through /proc: opened now,
    // before COMMAND could mount anything over it.
    let proc = if spec.pid_ns() {
        -1
    } else {
        crate::child::timer::open_proc()
    };
    let t = sys::now_ns();
    // vfork-like: COMMAND's process shares our memory (on its own stack)
    // until it execs, so no page tables are copied; we sleep meanwhile.
    let pid = crate::child::clone::start_command(ctx);
    let pid = match pid {
        Ok(pid) => pid,
        Err(e) => fail(ctx, Step::Fork, 0, e),
    };
    drop_privileges(ctx, pid);
    if spec.verbose {
        sys::log_step(2, Step::Fork.name(), t);
    }
    // The parent sees EOF on the failure pipe once COMMAND has exec'd.
    sys::close(ctx.fail_wr);
    supervise(ctx, pid, proc)
}

/// CAP_KILL (capability 5 in linux/capability.h), the one capability the
/// init may still use, as a bit of the first capset data word.
const CAP_KILL: u32 = 1 << 5;

/// Keep only the capabilities the init still uses, now that COMMAND's
/// process took its own copy of our credentials at the clone (it has
/// exec'd or failed by now: the clone waited for that), so that nothing
/// here changes what COMMAND holds (`-r` keeps its full set). COMMAND may
/// run a moment before this is done; it has no way into the init then
/// (non-dumpable, signals blocked), and the init reads nothing of its.
///
/// From here on the init only waits, reaps, reads /proc (world-readable
/// `task/*/children` files), writes its status pipe and sends signals.
/// Signals need no capability while COMMAND's tree runs as the init's own
/// uid. With a subordinate map it may not: `--uid N` runs COMMAND as
/// another host uid, and a root COMMAND can switch to any mapped uid, so
/// then CAP_KILL stays (the user namespace's, worth nothing outside it);
/// otherwise nothing does. The bounding set matters only at execve, which
/// the init never calls, but it goes too, and no_new_privs makes sure no
/// exec could bring anything back.
fn drop_privileges(ctx: &Ctx, command: libc::pid_t) {
    let failed = |step, e| -> ! {
        // SAFETY: kill takes no pointers; COMMAND must not run on.
        let _ = unsafe { sc!(libc::SYS_kill, command, libc::SIGKILL) };
        fail(ctx, step, 0, e)
    };
    // SAFETY: prctl with integer arguments only.
    if let Err(e) = unsafe { sc!(libc::SYS_prctl, libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } {
        failed(Step::NoNewPrivs, e);
    }
    // Until the first capability number the kernel does not know.
    for cap in 0..64 {
        // SAFETY: prctl with integer arguments only.
        match unsafe { sc!(libc::SYS_prctl, libc::PR_CAPBSET_DROP, cap) } {
            Ok(_) => {}
            Err(libc::EINVAL) => break,
            Err(e) => failed(Step::DropCaps, e),
        }
    }
    let keep = if ctx.spec.subids.is_some() {
        CAP_KILL
    } else {
        0
    };
    // struct __user_cap_header_struct { u32 version; int pid; } with
    // _LINUX_CAPABILITY_VERSION_3, then two data words { effective,
    // permitted, inheritable }. An empty inheritable set clears the
    // ambient set too.
    let hdr: [u32; 2] = [0x2008_0522, 0];
    let data: [u32; 6] = [keep, keep, 0, 0, 0, 0];
    // SAFETY: hdr and data match capset's v3 layout.
    if let Err(e) = unsafe { sc!(libc::SYS_capset, hdr.as_ptr(), data.as_ptr()) } {
        failed(Step::DropCaps, e);
    }
}

/// COMMAND's process until it execs (see `clone::start_command`).
pub fn command_main(ctx: &Ctx) -> ! {
    // SAFETY: prctl with integer arguments.
    let _ = unsafe { sc!(libc::SYS_prctl, libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    sys::close(ctx.status_wr);
    exec_command(ctx)
}

fn supervise(ctx: &Ctx, command: libc::pid_t, proc: i32) -> ! {
    let mut timer = Timer::start(ctx.spec.timeout_ns, ctx.spec.kill_after_ns);
    loop {
        // SAFETY: siginfo_t is plain data; all-zero is valid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let Some(sig) = timer.wait(&ctx.wait_set, &mut info) else {
            match timer.fire() {
                Some(Action::Terminate) => signal_all(ctx, proc, libc::SIGTERM),
                Some(Action::Kill) => {
                    signal_all(ctx, proc, libc::SIGKILL);
                    finish(ctx, proc, libc::SIGKILL, true);
                }
                None => {}
            }
            continue;
        };
        if sig == libc::SIGCHLD {
            if let Some(status) = reap(ctx, command) {
                finish(ctx, proc, status, timer.expired);
            }
            continue;
        }
        if sig == ctx.parent_death_signal && !ctx.spec.pid_ns() {
            // SAFETY: getppid cannot fail.
            if unsafe { libc::getppid() } != ctx.parent {
                // The parent is gone (SIGKILL): take the whole tree down.
                kill_descendants(proc);
                // SAFETY: _exit does not return.
                unsafe { libc::_exit(crate::error::EXIT_FAILURE as i32) };
            }
        }
        // A signal from the terminal already reached COMMAND's process
        // group; only signals sent to the jail are passed on. With
        // --new-session COMMAND is not in that group, but we are: we pass
        // the terminal's signals on (jail itself does not).
        if info.si_code != libc::SI_KERNEL || ctx.spec.new_session {
            // SAFETY: kill takes no pointers.
            let _ = unsafe { sc!(libc::SYS_kill, command, sig) };
        }
    }
}

/// Reap every child that has exited; COMMAND's wait status once it has.
/// When COMMAND stops (Ctrl-Z, or a stop it sent its own process group),
/// tell the parent, which then stops too, so the caller's shell sees the
/// job stopped; `fg` continues the whole group.
fn reap(ctx: &Ctx, command: libc::pid_t) -> Option<i32> {
    let mut result = None;
    loop {
        let mut status = 0;
        // SAFETY: status is writable.
        let pid = unsafe {
            sc!(
                libc::SYS_wait4,
                -1i32,
                &mut status as *mut i32,
                libc::WNOHANG | libc::WUNTRACED | libc::__WALL,
                0
            )
        };
        let pid = match pid {
            Ok(pid) if pid > 0 => pid as libc::pid_t,
            _ => return result,
        };
        if pid == command {
            if libc::WIFSTOPPED(status) {
                let report = InitReport::Stopped(libc::WSTOPSIG(status));
                let _ = sys::write_all(ctx.status_wr, &report.to_bytes());
            } else {
                result = Some(status);
            }
        }
    }
}

/// Send `sig` to every process of the jail but us: with a PID namespace
/// that is everything kill(-1) reaches from PID 1; without, our subtree
/// (orphans of COMMAND's tree are our children, as we are their subreaper).
fn signal_all(ctx: &Ctx, proc: i32, sig: i32) {
    if ctx.spec.pid_ns() {
        // SAFETY: kill takes no pointers.
        let _ = unsafe { sc!(libc::SYS_kill, -1i32, sig) };
    } else {
        // SAFETY: getpid cannot fail.
        crate::child::timer::signal_tree(proc, unsafe { libc::getpid() }, sig, true);
    }
}

/// COMMAND is done (or the timeout's SIGKILL is due): make sure nothing it
/// started lives on, then hand its status to the parent.
fn finish(ctx: &Ctx, proc: i32, status: i32, timed_out: bool) -> ! {
    if !ctx.spec.pid_ns() {
        // With a PID namespace the kernel kills the rest when we exit, and
        // the parent sees us exit only once they are gone.
        kill_descendants(proc);
    }
    let report = InitReport::Done { status, timed_out };
    let _ = sys::write_all(ctx.status_wr, &report.to_bytes());
    // SAFETY: _exit does not return.
    unsafe { libc::_exit(0) }
}

/// SIGKILL every descendant. Orphans reparent to us (we are their
/// subreaper), so kill our children, reap, and repeat until none are left.
fn kill_descendants(proc: i32) {
    // SAFETY: getpid cannot fail.
    let me = unsafe { libc::getpid() };
    loop {
        // SAFETY: kill takes no pointers.
        let listed = crate::child::timer::for_each_child(proc, me, |pid| {
            let _ = unsafe { sc!(libc::SYS_kill, pid, libc::SIGKILL) };
        });
        if !listed {
            return;
        }
        let mut status = 0;
        // SAFETY: status is writable.
        let r = unsafe {
            sc!(
                libc::SYS_wait4,
                -1i32,
                &mut status as *mut i32,
                libc::__WALL,
                0
            )
        };
        if r == Err(libc::ECHILD) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_round_trips() {
        for r in [
            InitReport::Done {
                status: 0x0900,
                timed_out: false,
            },
            InitReport::Done {
                status: libc::SIGKILL,
                timed_out: true,
            },
            InitReport::Stopped(libc::SIGTSTP),
        ] {
            assert_eq!(InitReport::from_bytes(&r.to_bytes()), Some(r));
        }
        assert_eq!(InitReport::from_bytes(&[9; InitReport::SIZE]), None);
    }
}
