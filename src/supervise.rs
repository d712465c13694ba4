//! The parent after COMMAND started: forward signals, follow job control,
//! wait, and end the way COMMAND ended.

use std::os::fd::AsRawFd;

use crate::init::Report;
use crate::spawn::Running;
use crate::spec::Spec;
use crate::sys;
use crate::timeout::{Action, Timer};

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

fn is_stop_signal(sig: i32) -> bool {
    matches!(sig, libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU)
}

pub fn wait(run: Running, spec: &Spec) -> Outcome {
    // The init keeps the time when there is one; with --as-pid-1 COMMAND
    // is our child and we do.
    let mut timer = Timer::start(
        if spec.init { 0 } else { spec.timeout_ns },
        spec.kill_after_ns,
    );
    loop {
        // SAFETY: siginfo_t is plain data; all-zero is valid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let Some(sig) = timer.wait(&run.wait_set, &mut info) else {
            match timer.fire() {
                // PID 1 gets SIGTERM only if it handles it; the rest of
                // its namespace does get it.
                Some(Action::Terminate) => {
                    crate::timeout::signal_tree(run.pid, libc::SIGTERM, false)
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
        let from_tty = info.si_code == libc::SI_KERNEL;
        if sig == libc::SIGCHLD {
            let mut status = 0;
            // SAFETY: status is writable.
            let r = unsafe { libc::waitpid(run.pid, &mut status, libc::WNOHANG | libc::__WALL) };
            if r == run.pid {
                if timer.expired {
                    return Outcome::TimedOut;
                }
                return outcome(&run, status, spec.init);
            }
            continue;
        }
        if is_stop_signal(sig) {
            // Job control: the terminal stopped COMMAND's process group
            // already; a stop sent to jail alone is passed on. Then stop
            // ourselves so the shell sees the job as stopped; `fg` sends
            // SIGCONT to the whole group.
            if !from_tty {
                // SAFETY: kill takes no pointers.
                unsafe { libc::kill(run.pid, sig) };
            }
            // SAFETY: as above.
            unsafe { libc::kill(libc::getpid(), libc::SIGSTOP) };
            continue;
        }
        if !from_tty {
            // SAFETY: kill takes no pointers.
            unsafe { libc::kill(run.pid, sig) };
        }
    }
}

fn outcome(run: &Running, child_status: i32, has_init: bool) -> Outcome {
    if has_init {
        let mut buf = [0u8; Report::SIZE];
        // The init writes COMMAND's status before it exits.
        if sys::read_full(run.status_rd.as_raw_fd(), &mut buf) == Ok(Report::SIZE) {
            let report = Report::from_bytes(&buf);
            if report.timed_out {
                return Outcome::TimedOut;
            }
            return Outcome::from_wait_status(report.status);
        }
    }
    Outcome::from_wait_status(child_status)
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
