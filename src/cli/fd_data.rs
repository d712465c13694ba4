//! Data a flag reads from an inherited file descriptor (`--args FD`,
//! `--seccomp FD`): the whole of it, once, before the jail starts.

#![forbid(unsafe_code)]

use std::ffi::OsStr;

use crate::error::Error;
use crate::sys;

/// The fd number `v` as typed after `flag`.
pub fn parse_fd(flag: &str, v: &OsStr) -> Result<i32, Error> {
    v.to_str()
        .and_then(|s| s.parse::<i32>().ok())
        .filter(|n| *n >= 0)
        .ok_or_else(|| {
            Error::usage(format!(
                "{flag}: invalid value '{}': expected a file descriptor number",
                v.to_string_lossy()
            ))
        })
}

/// What `fd` holds, up to its end, but at most `limit` bytes: the caller
/// tells the user when there is more (`limit` - 1 as its own bound). The
/// fd is left open: jail closes it for COMMAND with every other inherited
/// fd.
pub fn read_all(flag: &str, fd: i32, limit: usize) -> Result<Vec<u8>, Error> {
    read_upto(fd, limit).map_err(|e| Error::sys(format!("{flag} {fd}: read"), e.raw_os_error()))
}

/// `read_all`, with the bare errno for callers that word it themselves.
pub fn read_upto(fd: i32, limit: usize) -> Result<Vec<u8>, rustix::io::Errno> {
    let mut data = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    while data.len() < limit {
        let want = buf.len().min(limit - data.len());
        match rustix::io::read(sys::borrow(fd), &mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(data)
}

/// NUL-separated words, as bwrap's `--args` takes them: each ends with a
/// NUL byte, and a last one without is taken as it is.
pub fn split_nul(data: &[u8]) -> Vec<&[u8]> {
    if data.is_empty() {
        return Vec::new();
    }
    let data = data.strip_suffix(b"\0").unwrap_or(data);
    data.split(|b| *b == 0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_end_with_nul() {
        let w = split_nul;
        assert!(w(b"").is_empty());
        assert_eq!(w(b"\0"), [b""]);
        assert_eq!(w(b"a\0b c\0"), [&b"a"[..], b"b c"]);
        assert_eq!(w(b"a\0\0"), [&b"a"[..], b""]);
        assert_eq!(w(b"a\0last"), [&b"a"[..], b"last"]);
    }

    #[test]
    fn fd_numbers() {
        assert_eq!(parse_fd("--args", OsStr::new("3")).unwrap(), 3);
        for bad in ["", "-1", "0a", "x", "99999999999"] {
            let e = parse_fd("--args", OsStr::new(bad)).unwrap_err().to_string();
            assert!(e.starts_with("--args: invalid value"), "{bad}: {e}");
        }
    }

    #[test]
    fn closed_fd_is_one_error() {
        let e = read_all("--args", 999_999, 1 << 20)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "--args 999999: read: Bad file descriptor");
    }
}
