//! `--timeout` and `--kill-after`: the timer and process-tree signalling
//! used by whoever supervises COMMAND (the init, or the parent with
//! `--as-pid-1`). Async-signal-safe: no allocation. (The duration syntax is
//! `plan::duration`.)

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

    /// Wait for a signal in `set`, but not past the next deadline. Returns
    /// the signal, or None when a deadline passed (call `fire`) or the wait
    /// was interrupted.
    pub fn wait(&self, set: &libc::sigset_t, info: &mut libc::siginfo_t) -> Option<i32> {
        let left = self.due.saturating_sub(sys::now_ns());
        let ts = libc::timespec {
            tv_sec: (left / NS_PER_SEC) as _,
            tv_nsec: (left % NS_PER_SEC) as _,
        };
        let timeout = if self.due == 0 {
            std::ptr::null()
        } else {
            &ts as *const libc::timespec
        };
        // SAFETY: set is a valid sigset (the kernel reads 8 bytes), info is
        // writable, timeout is null or a valid timespec.
        let sig = unsafe {
            sc!(
                libc::SYS_rt_sigtimedwait,
                set as *const libc::sigset_t,
                info as *mut libc::siginfo_t,
                timeout,
                8
            )
        };
        sig.ok().map(|s| s as i32)
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
pub fn signal_tree(proc: i32, root: libc::pid_t, sig: i32, skip_root: bool) {
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
        // SAFETY: kill takes no pointers.
        let _ = unsafe { sc!(libc::SYS_kill, pid, sig) };
    }
}

/// `/proc` as a descriptor (O_PATH), or -1: opened before COMMAND runs, so
/// that nothing COMMAND mounts over /proc later can redirect the walks.
pub fn open_proc() -> i32 {
    sys::open_dir_path(c"/proc").unwrap_or(-1)
}

/// Open `path` (NUL-terminated) below `dir` for reading without crossing a
/// mount point or following a link: a tmpfs or bind mount that COMMAND put
/// over part of /proc makes the open fail instead of feeding it pids.
fn open_below(dir: i32, path: &[u8], flags: i32) -> Option<i32> {
    let path = std::ffi::CStr::from_bytes_until_nul(path).ok()?;
    let flags = flags | libc::O_RDONLY;
    let resolve = sys::RESOLVE_NO_XDEV | sys::RESOLVE_NO_MAGICLINKS | sys::RESOLVE_NO_SYMLINKS;
    match sys::openat2(dir, path, flags, resolve) {
        // Before Linux 5.6 (or under a filter that hides openat2).
        // SAFETY: path is NUL-terminated.
        Err(libc::ENOSYS) => unsafe {
            sc!(
                libc::SYS_openat,
                dir,
                path.as_ptr(),
                flags | libc::O_CLOEXEC
            )
        }
        .map(|fd| fd as i32)
        .ok(),
        r => r.ok(),
    }
}

/// Call `f` with each child of every thread of `pid`, from
/// PROC/PID/task/TID/children (`proc` from `open_proc`). False when /proc
/// cannot tell.
pub fn for_each_child(proc: i32, pid: libc::pid_t, mut f: impl FnMut(libc::pid_t)) -> bool {
    if proc < 0 {
        return false;
    }
    let mut path = sys::Line::new();
    path.num(pid as u64).str("/task\0");
    let Some(dir) = open_below(proc, path.as_bytes(), libc::O_DIRECTORY) else {
        return false;
    };
    let mut buf = [0u8; 1024];
    loop {
        // SAFETY: buf is writable for its length.
        let n = match unsafe { sc!(libc::SYS_getdents64, dir, buf.as_mut_ptr(), buf.len()) } {
            Ok(n) if n > 0 => n.min(buf.len()),
            _ => break,
        };
        let mut off = 0;
        // struct linux_dirent64 { u64 d_ino; i64 d_off; u16 d_reclen;
        // u8 d_type; char d_name[]; }
        while let Some(rec) = buf[..n].get(off..).filter(|r| r.len() > 19) {
            let reclen = u16::from_ne_bytes([rec[16], rec[17]]) as usize;
            let Some(name) = rec.get(19..reclen) else {
                break;
            };
            let name = &name[..name.iter().position(|b| *b == 0).unwrap_or(name.len())];
            if !name.is_empty() && name.iter().all(u8::is_ascii_digit) {
                let mut p = sys::Line::new();
                p.push(name).str("/children\0");
                read_pids(dir, &p, &mut f);
            }
            off += reclen;
        }
    }
    sys::close(dir);
    true
}

/// Read a space-separated list of pids from `path` (relative to `dir`).
fn read_pids(dir: i32, path: &sys::Line, f: &mut impl FnMut(libc::pid_t)) {
    let Some(fd) = open_below(dir, path.as_bytes(), 0) else {
        return;
    };
    let mut buf = [0u8; 512];
    let mut pid: libc::pid_t = 0;
    let mut in_num = false;
    loop {
        // SAFETY: buf is writable for its length.
        let n = match unsafe { sc!(libc::SYS_read, fd, buf.as_mut_ptr(), buf.len()) } {
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
    sys::close(fd);
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
