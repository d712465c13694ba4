//! jail's init: PID 1 of a new PID namespace, or without one a keeper that
//! is COMMAND's parent and the subreaper of everything it starts. It forks
//! COMMAND, forwards signals to it, reaps every orphan, and hands COMMAND's
//! exact wait status to the parent through a pipe. Async-signal-safe only.

#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicI32, Ordering};

use rustix::fd::{AsFd, AsRawFd, BorrowedFd};
use rustix::process::{Pid, Signal, WaitOptions};
use rustix::thread::CapabilitySet;

use crate::child::timer::{Action, Timer};
use crate::child::{Ctx, exec_command, fail};
use crate::error::Step;
use crate::sys;

/// The two ends of the init's "you may exec" pipe. COMMAND's process
/// starts with a copy of the init's credentials, and the init drops its own
/// only after the clone; COMMAND waits for EOF on the read end (the init
/// closes the write end once it holds nothing) so that it can never see the
/// init with capabilities (`getpcaps 1`).
static GO: [AtomicI32; 2] = [AtomicI32::new(-1), AtomicI32::new(-1)];

/// COMMAND's pid, stored before the init closes its end of the failure
/// pipe: where this memory is the parent's too (`sys::SHARED_MEMORY`), the
/// parent reads it for `--info-fd` even if COMMAND is already gone.
pub static COMMAND_PID: AtomicI32 = AtomicI32::new(0);

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
        let _ = rustix::process::set_child_subreaper(Some(rustix::process::getpid()));
    }
    // Without a PID namespace the tree is found through /proc: opened now,
    // before COMMAND could mount anything over it. Held until we exit.
    let proc = if spec.pid_ns() {
        None
    } else {
        crate::child::timer::open_proc()
    };
    let t = sys::now_ns();
    let pipe = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC);
    let (go, go_wr) = match pipe {
        Ok((r, w)) => (sys::Fd::from(r), sys::Fd::from(w)),
        Err(e) => fail(ctx, Step::Fork, 0, e.raw_os_error()),
    };
    GO[0].store(go.as_raw_fd(), Ordering::SeqCst);
    GO[1].store(go_wr.as_raw_fd(), Ordering::SeqCst);
    // COMMAND's process shares our memory (on its own stack) until it
    // execs, so no page tables are copied.
    let pid = match crate::child::clone::start_command(ctx) {
        Ok(pid) => Pid::from_raw(pid),
        Err(e) => fail(ctx, Step::Fork, 0, e),
    };
    // clone(2) gives the caller a positive pid.
    let Some(pid) = pid else {
        fail(ctx, Step::Fork, 0, libc::ESRCH)
    };
    drop(go);
    COMMAND_PID.store(pid.as_raw_nonzero().get(), Ordering::SeqCst);
    drop_privileges(ctx, pid);
    // COMMAND may exec now.
    drop(go_wr);
    if spec.verbose {
        sys::log_step(2, Step::Fork.name(), t);
    }
    // The parent sees EOF on the failure pipe once COMMAND has exec'd.
    sys::close(ctx.fail_wr);
    supervise(ctx, pid, proc.as_ref().map(sys::Fd::as_fd))
}

/// Keep only the capabilities the init still uses, now that COMMAND's
/// process took its own copy of our credentials at the clone, so that
/// nothing here changes what COMMAND holds (`-r` keeps its full set).
/// COMMAND waits for this before it execs (`GO`).
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
fn drop_privileges(ctx: &Ctx, command: Pid) {
    let failed = |step, e: rustix::io::Errno| -> ! {
        // COMMAND must not run on.
        let _ = rustix::process::kill_process(command, Signal::KILL);
        fail(ctx, step, 0, e.raw_os_error())
    };
    if let Err(e) = rustix::thread::set_no_new_privs(true) {
        failed(Step::NoNewPrivs, e);
    }
    match crate::child::drop_bounding(0) {
        Ok(()) => {}
        // --landlock-only as an ordinary user: no CAP_SETPCAP, and no
        // capability to drop (no_new_privs keeps execve from adding).
        Err(rustix::io::Errno::PERM) if ctx.spec.landlock.only => {}
        Err(e) => failed(Step::DropCaps, e),
    }
    let keep = if ctx.spec.subids.is_some() {
        CapabilitySet::KILL
    } else {
        CapabilitySet::empty()
    };
    // An empty inheritable set clears the ambient set too.
    let sets = rustix::thread::CapabilitySets {
        effective: keep,
        permitted: keep,
        inheritable: CapabilitySet::empty(),
    };
    if let Err(e) = rustix::thread::set_capabilities(None, sets) {
        failed(Step::DropCaps, e);
    }
}

/// COMMAND's process until it execs (see `clone::start_command`).
pub fn command_main(ctx: &Ctx) -> ! {
    let _ = rustix::process::set_parent_process_death_signal(Some(Signal::KILL));
    sys::close(ctx.status_wr);
    // Wait until the init holds no capabilities: EOF once it closes the
    // write end (our copy goes first). If the init dies instead, so do we.
    sys::close(GO[1].load(Ordering::SeqCst));
    let go = GO[0].load(Ordering::SeqCst);
    let mut byte = [0u8; 1];
    let _ = sys::read_full(go, &mut byte);
    sys::close(go);
    exec_command(ctx)
}

fn supervise(ctx: &Ctx, command: Pid, proc: Option<BorrowedFd>) -> ! {
    let mut timer = Timer::start(ctx.spec.timeout_ns, ctx.spec.kill_after_ns);
    // The terminal's stop signal while COMMAND's group is being stopped
    // for it (--new-session), else 0.
    let mut tty_stop = 0;
    loop {
        let Some(info) = timer.wait(&ctx.wait_set) else {
            match timer.fire() {
                Some(Action::Terminate) => {
                    signal_all(ctx, proc, libc::SIGTERM);
                    note(&ctx.spec.timeout_notes[0]);
                }
                Some(Action::Kill) => {
                    signal_all(ctx, proc, libc::SIGKILL);
                    note(&ctx.spec.timeout_notes[1]);
                    finish(ctx, proc, libc::SIGKILL, true);
                }
                None => {}
            }
            continue;
        };
        let sig = info.signo;
        if sig == libc::SIGCHLD {
            if let Some(status) = reap(ctx, command, &mut tty_stop) {
                finish(ctx, proc, status, timer.expired);
            }
            continue;
        }
        if sig == ctx.parent_death_signal
            && !ctx.spec.pid_ns()
            && Pid::as_raw(rustix::process::getppid()) != ctx.parent
        {
            // The parent is gone (SIGKILL): take the whole tree down.
            kill_descendants(proc);
            sys::exit(crate::error::EXIT_FAILURE as i32);
        }
        // A signal from the terminal already reached COMMAND's process
        // group; only signals sent to the jail are passed on.
        let from_tty = info.code == libc::SI_KERNEL;
        if ctx.spec.new_session {
            forward_to_session(command, sig, from_tty, &mut tty_stop);
        } else if !from_tty {
            let _ = rustix::process::kill_process(command, sys::signal(sig));
        }
    }
}

/// `-v`: a prebuilt line on stderr (none without -v).
fn note(line: &[u8]) {
    if !line.is_empty() {
        let _ = sys::write_all(2, line);
    }
}

/// With --new-session COMMAND leads a session and a process group of its
/// own, which its children share, and the terminal signals neither: we, in
/// jail's process group, get the terminal's signals (jail itself does not
/// pass them on) and send them to COMMAND's whole group, as the terminal
/// would, and so `fg`'s SIGCONT. That group is orphaned (its parent, we,
/// is in another session), so the kernel ignores SIGTSTP, SIGTTIN and
/// SIGTTOU there: those become SIGSTOP, and the stop is reported to the
/// parent as the terminal's signal. Anything else sent to jail goes to
/// COMMAND alone.
fn forward_to_session(command: Pid, sig: i32, from_tty: bool, tty_stop: &mut i32) {
    let group = matches!(
        sig,
        libc::SIGINT | libc::SIGQUIT | libc::SIGHUP | libc::SIGWINCH | libc::SIGCONT
    );
    let stop = matches!(sig, libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU);
    if from_tty && stop {
        *tty_stop = sig;
        let _ = rustix::process::kill_process_group(command, Signal::STOP);
    } else if (from_tty && group) || sig == libc::SIGCONT {
        let _ = rustix::process::kill_process_group(command, sys::signal(sig));
    } else {
        let _ = rustix::process::kill_process(command, sys::signal(sig));
    }
}

/// waitpid's __WALL: children cloned with any exit signal, not just SIGCHLD.
fn all_children() -> WaitOptions {
    WaitOptions::from_bits_retain(libc::__WALL as u32)
}

/// Reap every child that has exited; COMMAND's wait status once it has.
/// When COMMAND stops (Ctrl-Z, or a stop it sent its own process group),
/// tell the parent, which then stops too, so the caller's shell sees the
/// job stopped; `fg` continues the whole group.
/// A SIGSTOP sent for the terminal's `tty_stop` is reported as that.
fn reap(ctx: &Ctx, command: Pid, tty_stop: &mut i32) -> Option<i32> {
    let mut result = None;
    let options = WaitOptions::NOHANG | WaitOptions::UNTRACED | all_children();
    loop {
        // Any child: wait4(-1). (rustix's waitpid(None) is wait4(0), our
        // process group only, which COMMAND leaves with --new-session.)
        let (pid, status) = match rustix::process::wait(options) {
            Ok(Some(reaped)) => reaped,
            _ => return result,
        };
        if pid == command {
            if let Some(mut sig) = status.stopping_signal() {
                if sig == libc::SIGSTOP && *tty_stop != 0 {
                    sig = std::mem::take(tty_stop);
                }
                let report = InitReport::Stopped(sig);
                let _ = sys::write_all(ctx.status_wr, &report.to_bytes());
            } else {
                result = Some(status.as_raw());
            }
        }
    }
}

/// Send `sig` to every process of the jail but us: with a PID namespace
/// that is everything kill(-1) reaches from PID 1; without, our subtree
/// (orphans of COMMAND's tree are our children, as we are their subreaper).
fn signal_all(ctx: &Ctx, proc: Option<BorrowedFd>, sig: i32) {
    if ctx.spec.pid_ns() {
        // kill(-1, sig): rustix's kill_process_group(pid) is kill(-pid).
        let _ = rustix::process::kill_process_group(Pid::INIT, sys::signal(sig));
    } else {
        let me = rustix::process::getpid().as_raw_nonzero().get();
        crate::child::timer::signal_tree(proc, me, sig, true);
    }
}

/// COMMAND is done (or the timeout's SIGKILL is due): make sure nothing it
/// started lives on, then hand its status to the parent.
fn finish(ctx: &Ctx, proc: Option<BorrowedFd>, status: i32, timed_out: bool) -> ! {
    if !ctx.spec.pid_ns() {
        // With a PID namespace the kernel kills the rest when we exit, and
        // the parent sees us exit only once they are gone.
        kill_descendants(proc);
    }
    let report = InitReport::Done { status, timed_out };
    let _ = sys::write_all(ctx.status_wr, &report.to_bytes());
    sys::exit(0)
}

/// SIGKILL every descendant. Orphans reparent to us (we are their
/// subreaper), so kill our children, reap, and repeat until none are left.
fn kill_descendants(proc: Option<BorrowedFd>) {
    let me = rustix::process::getpid().as_raw_nonzero().get();
    loop {
        let listed = crate::child::timer::for_each_child(proc, me, |pid| {
            if let Some(pid) = Pid::from_raw(pid) {
                let _ = rustix::process::kill_process(pid, Signal::KILL);
            }
        });
        if !listed {
            return;
        }
        let r = rustix::process::wait(all_children());
        if r.err() == Some(rustix::io::Errno::CHILD) {
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
