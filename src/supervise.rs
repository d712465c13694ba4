//! The parent after COMMAND started: forward signals, follow job control,
//! wait, and end the way COMMAND ended.

use std::os::fd::AsRawFd;

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

fn is_stop_signal(sig: i32) -> bool {
    matches!(sig, libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU)
}

pub fn wait(run: Running, has_init: bool) -> Outcome {
    loop {
        // SAFETY: siginfo_t is plain data; all-zero is valid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: wait_set is valid, info writable.
        let sig = unsafe { libc::sigwaitinfo(&run.wait_set, &mut info) };
        if sig < 0 {
            continue;
        }
        let from_tty = info.si_code == libc::SI_KERNEL;
        if sig == libc::SIGCHLD {
            let mut status = 0;
            // SAFETY: status is writable.
            let r = unsafe { libc::waitpid(run.pid, &mut status, libc::WNOHANG | libc::__WALL) };
            if r == run.pid {
                return outcome(&run, status, has_init);
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
        let mut buf = [0u8; 4];
        // The init writes COMMAND's status before it exits.
        if sys::read_full(run.status_rd.as_raw_fd(), &mut buf) == Ok(4) {
            return Outcome::from_wait_status(i32::from_ne_bytes(buf));
        }
    }
    Outcome::from_wait_status(child_status)
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
