//! The parent after COMMAND started: forward signals, follow job control,
//! wait, and end the way COMMAND ended.

use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;

use crate::child::init::InitReport;
use crate::child::timer::{Action, Timer};
use crate::parent::spawn::Running;
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
    let tty_stop = matches!(sig, libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU);
    // SAFETY: plain system calls on valid, local arguments.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        let default = libc::sigaction(sig, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_DFL;
        if !(tty_stop && default) {
            libc::kill(libc::getpid(), libc::SIGSTOP);
            return;
        }
        // `sig` is blocked (we wait for it with sigwaitinfo): let this one
        // through, stop on it, and block it again once continued.
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::kill(libc::getpid(), sig);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
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
        // SAFETY: siginfo_t is plain data; all-zero is valid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let Some(sig) = timer.wait(&run.wait_set, &mut info) else {
            match timer.fire() {
                // PID 1 gets SIGTERM only if it handles it; the rest of
                // its namespace does get it.
                Some(Action::Terminate) => {
                    let proc = crate::child::timer::open_proc();
                    crate::child::timer::signal_tree(proc, run.pid, libc::SIGTERM, false);
                    crate::sys::close(proc);
                }
                // SIGKILL to a namespace's PID 1 ends every process in it.
                // SAFETY: kill takes no pointers.
                Some(Action::Kill) => unsafe {
                    libc::kill(run.pid, libc::SIGKILL);
                },
                None => {}
            }
            continue;
        };
        // A signal from the terminal also reached COMMAND, unless COMMAND
        // runs in a session of its own (--new-session). Then the init, in
        // our process group, got it too and passes it on (one path only:
        // two sends of the same signal could merge into the one it drops);
        // without an init, jail passes it on like any other.
        let from_kernel = info.si_code == libc::SI_KERNEL;
        let from_tty = from_kernel && (has_init || !spec.new_session);
        match sig {
            libc::SIGCHLD => {
                let mut status = 0;
                // SAFETY: status is writable.
                let r = unsafe {
                    libc::waitpid(
                        run.pid,
                        &mut status,
                        libc::WNOHANG | libc::__WALL | libc::WUNTRACED,
                    )
                };
                if r != run.pid {
                    continue;
                }
                if libc::WIFSTOPPED(status) {
                    if has_init {
                        // Somebody stopped the init (SIGSTOP cannot be
                        // blocked): it must keep reaping, or we would
                        // wait forever.
                        // SAFETY: kill takes no pointers.
                        unsafe { libc::kill(run.pid, libc::SIGCONT) };
                    } else {
                        // --as-pid-1: COMMAND is our child and was stopped.
                        stop_self(libc::WSTOPSIG(status));
                    }
                    continue;
                }
                if !spec.pid_ns() {
                    kill_orphans();
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
                    // SAFETY: kill takes no pointers.
                    unsafe { libc::kill(run.pid, sig) };
                }
                // Else COMMAND got it from the terminal too; we stop when
                // (and only if) it stops.
            }
            _ => {
                // A signal from the terminal already reached COMMAND's
                // process group; only signals sent to jail are passed on.
                if !from_tty {
                    // SAFETY: kill takes no pointers.
                    unsafe { libc::kill(run.pid, sig) };
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
/// where no process of the jail does; those are left alone.
fn kill_orphans() {
    let proc = crate::child::timer::open_proc();
    let own_ns = std::fs::metadata("/proc/self/ns/user")
        .map(|m| m.ino())
        .ok();
    // Children we may not kill are not waited for (nor listed again).
    let mut spared: Vec<libc::pid_t> = Vec::new();
    loop {
        let mut jailed = Vec::new();
        // SAFETY: getpid cannot fail.
        let me = unsafe { libc::getpid() };
        crate::child::timer::for_each_child(proc, me, |pid| {
            if !spared.contains(&pid) {
                jailed.push(pid);
            }
        });
        let mut killed = Vec::new();
        for pid in jailed {
            let ns = std::fs::metadata(format!("/proc/{pid}/ns/user")).map(|m| m.ino());
            // SAFETY: kill takes no pointers.
            if ns.ok() == own_ns || unsafe { libc::kill(pid, libc::SIGKILL) } != 0 {
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
    sys::close(proc);
}

/// Our process group, if it is the foreground group of the terminal on
/// stdin (jail runs as a foreground job).
pub fn terminal_foreground() -> Option<libc::pid_t> {
    // SAFETY: tcgetpgrp and getpgrp only query.
    unsafe {
        let fg = libc::tcgetpgrp(0);
        (fg > 0 && fg == libc::getpgrp()).then_some(fg)
    }
}

/// A job-control shell inside the jail (`jail -- sh -i`) moves the
/// terminal's foreground to its own jobs; when it could not give it back
/// (it cannot see our process group from a PID namespace), do it for it.
pub fn restore_foreground(group: Option<libc::pid_t>) {
    let Some(group) = group else { return };
    // SAFETY: tcgetpgrp/tcsetpgrp on fd 0 with a valid group; SIGTTOU is
    // blocked, so a background tcsetpgrp is allowed.
    unsafe {
        if libc::tcgetpgrp(0) != group {
            libc::tcsetpgrp(0, group);
        }
    }
}

/// End this process the way COMMAND ended: the same exit status, or death
/// by the same signal (without a core dump); 128+N if that fails.
pub fn exit_like(o: Outcome, old_mask: &libc::sigset_t) -> ! {
    match o {
        Outcome::Exited(code) => std::process::exit(code as i32),
        Outcome::TimedOut => std::process::exit(crate::error::EXIT_TIMEOUT as i32),
        Outcome::Signaled(sig) => {
            let none = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            // SAFETY: plain system calls on valid arguments.
            unsafe {
                libc::setrlimit(libc::RLIMIT_CORE, &none);
                libc::signal(sig, libc::SIG_DFL);
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, sig);
                libc::kill(libc::getpid(), sig);
                libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
                libc::sigprocmask(libc::SIG_SETMASK, old_mask, std::ptr::null_mut());
                libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            }
            std::process::exit(128 + sig)
        }
    }
}
