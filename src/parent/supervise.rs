//! The parent after COMMAND started: forward signals, follow job control,
//! wait, and end the way COMMAND ended.

#![forbid(unsafe_code)]

use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;

use nix::sys::signal::{SigSet, SigmaskHow, sigprocmask};
use rustix::process::{Pid, Resource, Rlimit, WaitOptions, getpid};

use crate::child::init::InitReport;
use crate::child::timer::{Action, Timer};
use crate::parent::spawn::{Running, kill, wall};
use crate::plan::spec::Spec;
use crate::sys;

/// How COMMAND ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Exited(u8),
    Signaled(i32),
    /// `--timeout` expired (whatever COMMAND did then).
    TimedOut,
}

impl Outcome {
    pub fn from_wait_status(status: i32) -> Outcome {
        if libc::WIFSIGNALED(status) {
            Outcome::Signaled(libc::WTERMSIG(status))
        } else {
            Outcome::Exited(libc::WEXITSTATUS(status) as u8)
        }
    }
}

/// Stop like COMMAND stopped, so the caller's shell reports the same
/// ("Stopped" for Ctrl-Z, not "Stopped (signal)"): with `sig` itself when
/// it is a terminal stop signal whose action is the default, else SIGSTOP.
fn stop_self(sig: i32) {
    let me = getpid().as_raw_pid();
    let tty_stop = matches!(sig, libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU);
    if !(tty_stop && sys::default_action(sig, false) == Ok(true)) {
        let _ = kill(me, libc::SIGSTOP);
        return;
    }
    // `sig` is blocked (we wait for it with sigwaitinfo): let this one
    // through, stop on it, and block it again once continued.
    let _ = kill(me, sig);
    let _ = sys::block_signal(sig, false);
    let _ = sys::block_signal(sig, true);
}

/// The next signal of `set` and its si_code, or None when a deadline of
/// `timer` passed (or the wait was interrupted).
fn next_signal(timer: &Timer, set: &SigSet) -> Option<(i32, i32)> {
    let caught = timer.wait(set.as_ref())?;
    Some((caught.signo, caught.code))
}

/// What the init has reported so far.
#[derive(Default)]
struct Reports {
    done: Option<(i32, bool)>,
}

impl Reports {
    /// Read the init's reports. A stop is acted on at once; the final
    /// status is kept.
    fn read(&mut self, run: &Running) {
        loop {
            let mut buf = [0u8; InitReport::SIZE];
            match sys::read_full(run.status_rd.as_raw_fd(), &mut buf) {
                Ok(InitReport::SIZE) => match InitReport::from_bytes(&buf) {
                    Some(InitReport::Stopped(sig)) => stop_self(sig),
                    Some(InitReport::Done { status, timed_out }) => {
                        self.done = Some((status, timed_out))
                    }
                    None => {}
                },
                _ => return,
            }
        }
    }
}

/// Wait for COMMAND, forwarding signals and following job control, and
/// keep the time for `--timeout` when there is no init to do it.
pub fn wait(run: Running, spec: &Spec) -> Outcome {
    let has_init = spec.init;
    // The init keeps the time when there is one; with --as-pid-1 COMMAND
    // is our child and we do.
    let mut timer = Timer::start(
        if has_init { 0 } else { spec.timeout_ns },
        spec.kill_after_ns,
    );
    // COMMAND's status, once the init reported it (it may come with a
    // SIGIO before the init's own SIGCHLD).
    let mut reports = Reports::default();
    loop {
        let Some((sig, code)) = next_signal(&timer, &run.wait_set) else {
            match timer.fire() {
                // PID 1 gets SIGTERM only if it handles it; the rest of
                // its namespace does get it.
                Some(Action::Terminate) => {
                    let proc = crate::child::timer::open_proc();
                    let proc = proc.as_ref().map(std::os::fd::AsFd::as_fd);
                    crate::child::timer::signal_tree(proc, run.pid, libc::SIGTERM, false);
                    let _ = sys::write_all(2, &spec.timeout_notes[0]);
                }
                // SIGKILL to a namespace's PID 1 ends every process in it.
                Some(Action::Kill) => {
                    let _ = kill(run.pid, libc::SIGKILL);
                    let _ = sys::write_all(2, &spec.timeout_notes[1]);
                }
                None => {}
            }
            continue;
        };
        // A signal from the terminal also reached COMMAND, unless COMMAND
        // runs in a session of its own (--new-session). Then the init, in
        // our process group, got it too and passes it on (one path only:
        // two sends of the same signal could merge into the one it drops);
        // without an init, jail passes it on like any other.
        let from_kernel = code == libc::SI_KERNEL;
        let from_tty = from_kernel && (has_init || !spec.new_session);
        match sig {
            libc::SIGCHLD => {
                let Some(child) = crate::parent::spawn::to_pid(run.pid) else {
                    continue;
                };
                let opts = WaitOptions::NOHANG | WaitOptions::UNTRACED | wall();
                let status = match rustix::process::waitpid(Some(child), opts) {
                    Ok(Some((p, status))) if p == child => status,
                    _ => continue,
                };
                if let Some(stop) = status.stopping_signal() {
                    if has_init {
                        // Somebody stopped the init (SIGSTOP cannot be
                        // blocked): it must keep reaping, or we would
                        // wait forever.
                        let _ = kill(run.pid, libc::SIGCONT);
                    } else {
                        // --as-pid-1: COMMAND is our child and was stopped.
                        stop_self(stop);
                    }
                    continue;
                }
                let status = status.as_raw();
                if !spec.pid_ns() {
                    kill_orphans(spec.landlock.only, &run.prior_children);
                }
                if timer.expired {
                    return Outcome::TimedOut;
                }
                if has_init {
                    reports.read(&run);
                }
                return match reports.done {
                    Some((_, true)) => Outcome::TimedOut,
                    Some((status, false)) => Outcome::from_wait_status(status),
                    None => Outcome::from_wait_status(status),
                };
            }
            // The init has something to say (COMMAND stopped).
            libc::SIGIO if from_kernel && has_init => reports.read(&run),
            libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU => {
                if from_kernel && !has_init {
                    // The terminal stops jail's group, and COMMAND, PID 1,
                    // cannot be stopped by it: stop with it.
                    stop_self(sig);
                } else if !from_tty {
                    // Sent to jail, or COMMAND has a session of its own:
                    // pass it on; if COMMAND stops, the init reports it and
                    // we stop too.
                    let _ = kill(run.pid, sig);
                }
                // Else COMMAND got it from the terminal too; we stop when
                // (and only if) it stops.
            }
            // --as-pid-1 --new-session: the terminal's signal goes to
            // COMMAND's whole process group, as the init would send it.
            libc::SIGINT | libc::SIGQUIT | libc::SIGHUP | libc::SIGWINCH
                if from_kernel && !has_init && spec.new_session =>
            {
                if let Some(group) = crate::parent::spawn::to_pid(run.pid) {
                    let _ = rustix::process::kill_process_group(group, sys::signal(sig));
                }
            }
            _ => {
                // A signal from the terminal already reached COMMAND's
                // process group; only signals sent to jail are passed on.
                if !from_tty {
                    let _ = kill(run.pid, sig);
                }
            }
        }
    }
}

/// The keeper is gone. It killed COMMAND's tree on its way out, unless it
/// was killed first (SIGKILL from COMMAND with --share-ipc-scope, or from
/// anyone else of the caller's); then what COMMAND started was orphaned to
/// us (we are a subreaper). Kill it all: SIGKILL our children, reap them,
/// and repeat, as their own orphans come to us, until none is left.
///
/// Only the jail's: a child we had before (jail exec'd by a shell with
/// background jobs) and what it orphans to us run in our user namespace,
/// where no process of the jail does; those are left alone. With
/// `--landlock-only` (`no_ns`) the jail has no user namespace either:
/// every child but the ones we had before (`prior`) is the jail's. This is
/// also how COMMAND's daemons (setsid and a double fork) end there.
fn kill_orphans(no_ns: bool, prior: &[libc::pid_t]) {
    let proc = crate::child::timer::open_proc();
    let own_ns = std::fs::metadata("/proc/self/ns/user")
        .map(|m| m.ino())
        .ok();
    // Children we may not kill are not waited for (nor listed again).
    let mut spared: Vec<libc::pid_t> = prior.to_vec();
    loop {
        let mut jailed = Vec::new();
        let me = getpid().as_raw_pid();
        let dir = proc.as_ref().map(std::os::fd::AsFd::as_fd);
        crate::child::timer::for_each_child(dir, me, |pid| {
            if !spared.contains(&pid) {
                jailed.push(pid);
            }
        });
        let mut killed = Vec::new();
        for pid in jailed {
            let ns = std::fs::metadata(format!("/proc/{pid}/ns/user")).map(|m| m.ino());
            let ours = !no_ns && ns.ok() == own_ns;
            if ours || kill(pid, libc::SIGKILL).is_err() {
                spared.push(pid);
            } else {
                killed.push(pid);
            }
        }
        if killed.is_empty() {
            break;
        }
        for pid in killed {
            crate::parent::spawn::reap(pid);
        }
    }
}

/// Our process group, if it is the foreground group of the terminal on
/// stdin (jail runs as a foreground job).
pub fn terminal_foreground() -> Option<Pid> {
    let fg = rustix::termios::tcgetpgrp(rustix::stdio::stdin()).ok()?;
    (fg == rustix::process::getpgrp()).then_some(fg)
}

/// A job-control shell inside the jail (`jail -- sh -i`) moves the
/// terminal's foreground to its own jobs; when it could not give it back
/// (it cannot see our process group from a PID namespace), do it for it.
pub fn restore_foreground(group: Option<Pid>) {
    let Some(group) = group else { return };
    let stdin = rustix::stdio::stdin();
    // SIGTTOU is blocked, so a background tcsetpgrp is allowed.
    if rustix::termios::tcgetpgrp(stdin) != Ok(group) {
        let _ = rustix::termios::tcsetpgrp(stdin, group);
    }
}

/// End this process the way COMMAND ended: the same exit status, or death
/// by the same signal (without a core dump); 128+N if that fails.
pub fn exit_like(o: Outcome, old_mask: &SigSet) -> ! {
    match o {
        Outcome::Exited(code) => std::process::exit(code as i32),
        Outcome::TimedOut => std::process::exit(crate::error::EXIT_TIMEOUT as i32),
        Outcome::Signaled(sig) => {
            let none = Rlimit {
                current: Some(0),
                maximum: Some(0),
            };
            let _ = rustix::process::setrlimit(Resource::Core, none);
            let _ = sys::default_action(sig, true);
            let _ = kill(getpid().as_raw_pid(), sig);
            let _ = sys::block_signal(sig, false);
            let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(old_mask), None);
            let _ = sys::block_signal(sig, false);
            std::process::exit(128 + sig)
        }
    }
}
