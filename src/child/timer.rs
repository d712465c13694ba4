//! `--timeout` and `--kill-after`: the timer and process-tree signalling
//! used by whoever supervises COMMAND (the init, or the parent with
//! `--as-pid-1`). Async-signal-safe: no allocation. (The duration syntax is
//! `plan::duration`.)

#![forbid(unsafe_code)]

use rustix::fd::{AsFd, BorrowedFd};
use rustix::fs::{Mode, OFlags, RawDir, ResolveFlags};
use rustix::io::Errno;

use crate::sys;

use crate::plan::duration::NS_PER_SEC;

/// What the supervisor must do when the timer fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The timeout expired: SIGTERM the whole tree.
    Terminate,
    /// The grace period is over too: SIGKILL the whole tree.
    Kill,
}

/// The timeout, then the grace period, on the monotonic clock.
#[derive(Clone, Copy, Debug)]
pub struct Timer {
    /// When the next action is due (ns on CLOCK_MONOTONIC); 0: never.
    due: u64,
    kill_after: u64,
    /// Whether the timeout has expired (COMMAND's end then means 124).
    pub expired: bool,
}

impl Timer {
    /// A timer started now; `timeout` 0 never fires.
    pub fn start(timeout: u64, kill_after: u64) -> Timer {
        Timer {
            due: if timeout == 0 {
                0
            } else {
                sys::now_ns().saturating_add(timeout)
            },
            kill_after,
            expired: false,
        }
    }

    /// Wait for a signal in `set` (blocked), but not past the next
    /// deadline. Returns the signal, or None when a deadline passed (call
    /// `fire`) or the wait was interrupted.
    pub fn wait(&self, set: &libc::sigset_t) -> Option<sys::Caught> {
        let left = self.due.saturating_sub(sys::now_ns());
        let ts = rustix::time::Timespec {
            tv_sec: (left / NS_PER_SEC) as _,
            tv_nsec: (left % NS_PER_SEC) as _,
        };
        let timeout = if self.due == 0 { None } else { Some(&ts) };
        sys::sigtimedwait(set, timeout).ok()
    }

    /// The action due now, if any, and arm the next one.
    pub fn fire(&mut self) -> Option<Action> {
        if self.due == 0 || sys::now_ns() < self.due {
            return None;
        }
        if self.expired {
            self.due = 0;
            Some(Action::Kill)
        } else {
            self.expired = true;
            // At least 1 ns, so that 0 means "never".
            self.due = sys::now_ns().saturating_add(self.kill_after).max(1);
            Some(Action::Terminate)
        }
    }
}

/// The most processes `signal_tree` reaches in one sweep; more are left to
/// the SIGKILL that follows.
const MAX_TREE: usize = 2048;

/// Send `sig` to `root`'s descendants, and to `root` itself unless
/// `skip_root`. The tree is listed first and signalled after, so that a
/// process dying from the signal does not hide its children from the walk.
/// Best effort: a process forked during the walk may be missed.
pub fn signal_tree(proc: Option<BorrowedFd>, root: libc::pid_t, sig: i32, skip_root: bool) {
    let mut pids = [0 as libc::pid_t; MAX_TREE];
    pids[0] = root;
    let mut n = 1;
    let mut i = 0;
    while i < n {
        let pid = pids[i];
        i += 1;
        for_each_child(proc, pid, |child| {
            if n < MAX_TREE && !pids[..n].contains(&child) {
                pids[n] = child;
                n += 1;
            }
        });
    }
    let first = usize::from(skip_root);
    for &pid in &pids[first..n] {
        if let Some(pid) = rustix::process::Pid::from_raw(pid) {
            let _ = rustix::process::kill_process(pid, sys::signal(sig));
        }
    }
}

/// `/proc` as a descriptor (O_PATH), or None: opened before COMMAND runs,
/// so that nothing COMMAND mounts over /proc later can redirect the walks.
pub fn open_proc() -> Option<sys::Fd> {
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    rustix::fs::open(c"/proc", flags, Mode::empty())
        .ok()
        .map(sys::Fd::from)
}

/// Open `path` (NUL-terminated) below `dir` for reading without crossing a
/// mount point or following a link: a tmpfs or bind mount that COMMAND put
/// over part of /proc makes the open fail instead of feeding it pids.
fn open_below(dir: BorrowedFd, path: &[u8], flags: OFlags) -> Option<sys::Fd> {
    let path = std::ffi::CStr::from_bytes_until_nul(path).ok()?;
    let flags = flags | OFlags::RDONLY | OFlags::CLOEXEC;
    let resolve = ResolveFlags::NO_XDEV | ResolveFlags::NO_MAGICLINKS | ResolveFlags::NO_SYMLINKS;
    let fd = match rustix::fs::openat2(dir, path, flags, Mode::empty(), resolve) {
        // Before Linux 5.6 (or under a filter that hides openat2).
        Err(Errno::NOSYS) => rustix::fs::openat(dir, path, flags, Mode::empty()),
        r => r,
    };
    fd.ok().map(sys::Fd::from)
}

/// Call `f` with each child of every thread of `pid`, from
/// PROC/PID/task/TID/children (`proc` from `open_proc`). False when /proc
/// cannot tell.
pub fn for_each_child(
    proc: Option<BorrowedFd>,
    pid: libc::pid_t,
    mut f: impl FnMut(libc::pid_t),
) -> bool {
    let Some(proc) = proc else {
        return false;
    };
    let mut path = sys::Line::new();
    path.num(pid as u64).str("/task\0");
    let Some(dir) = open_below(proc, path.as_bytes(), OFlags::DIRECTORY) else {
        return false;
    };
    let mut buf = [std::mem::MaybeUninit::uninit(); 1024];
    let mut entries = RawDir::new(dir.as_fd(), &mut buf);
    while let Some(Ok(entry)) = entries.next() {
        let name = entry.file_name().to_bytes();
        if !name.is_empty() && name.iter().all(u8::is_ascii_digit) {
            let mut p = sys::Line::new();
            p.push(name).str("/children\0");
            read_pids(dir.as_fd(), &p, &mut f);
        }
    }
    true
}

/// Read a space-separated list of pids from `path` (relative to `dir`).
fn read_pids(dir: BorrowedFd, path: &sys::Line, f: &mut impl FnMut(libc::pid_t)) {
    let Some(fd) = open_below(dir, path.as_bytes(), OFlags::empty()) else {
        return;
    };
    let mut buf = [0u8; 512];
    let mut pid: libc::pid_t = 0;
    let mut in_num = false;
    loop {
        let n = match rustix::io::read(&fd, &mut buf) {
            Ok(n) if n > 0 => n.min(buf.len()),
            _ => break,
        };
        for &b in &buf[..n] {
            if b.is_ascii_digit() {
                pid = pid
                    .saturating_mul(10)
                    .saturating_add((b - b'0') as libc::pid_t);
                in_num = true;
            } else if in_num {
                f(pid);
                pid = 0;
                in_num = false;
            }
        }
    }
    if in_num {
        f(pid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timer_without_timeout_never_fires() {
        let mut t = Timer::start(0, 0);
        assert_eq!(t.fire(), None);
        assert!(!t.expired);
    }

    #[test]
    fn timer_terminates_then_kills() {
        let mut t = Timer::start(1, 0);
        std::thread::sleep(std::time::Duration::from_millis(1));
        assert_eq!(t.fire(), Some(Action::Terminate));
        assert!(t.expired);
        std::thread::sleep(std::time::Duration::from_millis(1));
        assert_eq!(t.fire(), Some(Action::Kill));
        assert_eq!(t.fire(), None);
    }
}
