//! The parent after COMMAND started: forward signals, follow job control,
//! wait, and end the way COMMAND ended.

use std::os::fd::AsRawFd;

use crate::init::{REPORT_EXITED, REPORT_SIZE, REPORT_STOPPED, decode_report};
use crate::spawn::Running;
use crate::sys;

/// How COMMAND ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Exited(u8),
    Signaled(i32),
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

fn stop_self() {
    // SAFETY: kill takes no pointers.
    unsafe { libc::kill(libc::getpid(), libc::SIGSTOP) };
}

/// Read the init's reports. Stops are acted on at once; COMMAND's final
/// status, if reported, is returned.
fn read_reports(run: &Running) -> Option<i32> {
    let mut exited = None;
    loop {
        let mut buf = [0u8; REPORT_SIZE];
        match sys::read_full(run.status_rd.as_raw_fd(), &mut buf) {
            Ok(REPORT_SIZE) => match decode_report(&buf) {
                (REPORT_STOPPED, _) => stop_self(),
                (REPORT_EXITED, status) => exited = Some(status),
                _ => {}
            },
            _ => return exited,
        }
    }
}

/// Wait for COMMAND, forwarding signals, and following job control.
/// `own_session`: COMMAND runs in a session of its own (--new-session), so
/// the terminal's stop signals are for jail alone.
pub fn wait(run: Running, has_init: bool, own_session: bool) -> Outcome {
    // COMMAND's status, once the init reported it (it may come with the
    // SIGIO before the init's own SIGCHLD).
    let mut reported = None;
    loop {
        // SAFETY: siginfo_t is plain data; all-zero is valid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: wait_set is valid, info writable.
        let sig = unsafe { libc::sigwaitinfo(&run.wait_set, &mut info) };
        if sig < 0 {
            continue;
        }
        let from_tty = info.si_code == libc::SI_KERNEL;
        match sig {
            libc::SIGCHLD => {
                let mut status = 0;
                let stops = if has_init { 0 } else { libc::WUNTRACED };
                // SAFETY: status is writable.
                let r = unsafe {
                    libc::waitpid(run.pid, &mut status, libc::WNOHANG | libc::__WALL | stops)
                };
                if r != run.pid {
                    continue;
                }
                if libc::WIFSTOPPED(status) {
                    // --as-pid-1: COMMAND is our child and was stopped.
                    stop_self();
                    continue;
                }
                if has_init {
                    reported = read_reports(&run).or(reported);
                }
                return Outcome::from_wait_status(reported.unwrap_or(status));
            }
            // The init has something to say (COMMAND stopped).
            libc::SIGIO if from_tty && has_init => {
                reported = read_reports(&run).or(reported);
            }
            libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU => {
                if !from_tty {
                    // Sent to jail: pass it on; if COMMAND stops, the init
                    // reports it and we stop too.
                    // SAFETY: kill takes no pointers.
                    unsafe { libc::kill(run.pid, sig) };
                } else if own_session || !has_init {
                    // The terminal stops jail's group, and COMMAND is not
                    // in it (or cannot be stopped, as PID 1): stop with it.
                    stop_self();
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

/// End this process the way COMMAND ended: the same exit status, or death
/// by the same signal (without a core dump); 128+N if that fails.
pub fn exit_like(o: Outcome, old_mask: &libc::sigset_t) -> ! {
    match o {
        Outcome::Exited(code) => std::process::exit(code as i32),
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
