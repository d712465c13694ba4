//! Small async-signal-safe helpers used on both sides of clone(2): no
//! allocation, no locks, only raw system calls.

/// errno of the last failed call.
pub fn errno() -> i32 {
    // SAFETY: __errno_location returns this thread's errno slot.
    unsafe { *libc::__errno_location() }
}

/// Monotonic clock in nanoseconds (vDSO, async-signal-safe).
pub fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid, writable timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// write(2) all of `buf`, retrying on EINTR and short writes.
pub fn write_all(fd: i32, mut buf: &[u8]) -> Result<(), i32> {
    while !buf.is_empty() {
        // SAFETY: buf is valid for buf.len() bytes.
        let n = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
        if n < 0 {
            let e = errno();
            if e == libc::EINTR {
                continue;
            }
            return Err(e);
        }
        buf = &buf[n as usize..];
    }
    Ok(())
}

/// read(2) into `buf` until it is full or EOF; returns the bytes read.
pub fn read_full(fd: i32, buf: &mut [u8]) -> Result<usize, i32> {
    let mut got = 0;
    while got < buf.len() {
        // SAFETY: the tail of buf is valid and writable.
        let n = unsafe { libc::read(fd, buf[got..].as_mut_ptr().cast(), buf.len() - got) };
        if n < 0 {
            let e = errno();
            if e == libc::EINTR {
                continue;
            }
            return Err(e);
        }
        if n == 0 {
            break;
        }
        got += n as usize;
    }
    Ok(got)
}

/// A fixed-size text buffer for messages built without allocating.
pub struct Line {
    buf: [u8; 256],
    len: usize,
}

impl Default for Line {
    fn default() -> Line {
        Line::new()
    }
}

impl Line {
    pub const fn new() -> Line {
        Line {
            buf: [0; 256],
            len: 0,
        }
    }

    pub fn push(&mut self, s: &[u8]) -> &mut Line {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s[..n]);
        self.len += n;
        self
    }

    pub fn str(&mut self, s: &str) -> &mut Line {
        self.push(s.as_bytes())
    }

    pub fn num(&mut self, mut v: u64) -> &mut Line {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.push(&tmp[i..])
    }

    /// Nanoseconds as milliseconds with three decimals.
    pub fn ms(&mut self, ns: u64) -> &mut Line {
        let us = ns / 1000;
        self.num(us / 1000).str(".");
        let frac = us % 1000;
        if frac < 100 {
            self.str("0");
        }
        if frac < 10 {
            self.str("0");
        }
        self.num(frac).str(" ms")
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// `--verbose`: one line `jail: STEP: N.NNN ms` on `fd`, timed from `since`.
pub fn log_step(fd: i32, step: &str, since: u64) {
    let mut l = Line::new();
    l.str("jail: ")
        .str(step)
        .str(": ")
        .ms(now_ns().saturating_sub(since))
        .str("\n");
    let _ = write_all(fd, l.as_bytes());
}

/// Close every fd >= 3 except those in `keep` (sorted ascending, all >= 3).
pub fn close_fds_except(keep: &[i32]) -> Result<(), i32> {
    let mut from: u32 = 3;
    for &k in keep {
        let k = k as u32;
        if k > from {
            close_range(from, k - 1)?;
        }
        from = k + 1;
    }
    close_range(from, u32::MAX)
}

fn close_range(first: u32, last: u32) -> Result<(), i32> {
    // SAFETY: close_range only closes descriptors; no memory is passed.
    let r = unsafe { libc::syscall(libc::SYS_close_range, first, last, 0u32) };
    if r == 0 {
        return Ok(());
    }
    let e = errno();
    if e != libc::ENOSYS {
        return Err(e);
    }
    // Kernels before 5.9: close one by one up to the fd limit.
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: lim is a valid, writable rlimit.
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
    let top = (lim.rlim_cur.min(1 << 20) as u32).min(last.saturating_add(1));
    for fd in first..top {
        // SAFETY: closing an fd number; EBADF is harmless.
        unsafe { libc::close(fd as i32) };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_formats_numbers_and_ms() {
        let mut l = Line::new();
        l.num(0)
            .str(" ")
            .num(1234567)
            .str(" ")
            .ms(1_234_567)
            .str(" ")
            .ms(5_000);
        assert_eq!(l.as_bytes(), b"0 1234567 1.234 ms 0.005 ms");
    }

    #[test]
    fn line_truncates_instead_of_overflowing() {
        let mut l = Line::new();
        for _ in 0..100 {
            l.str("abcdefgh");
        }
        assert_eq!(l.as_bytes().len(), 256);
    }
}
