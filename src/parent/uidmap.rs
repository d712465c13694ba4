//! The setuid helpers newuidmap and newgidmap, which write subordinate id
//! maps: started by the parent after clone(2) while the child waits.

#![forbid(unsafe_code)]

use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use nix::fcntl::OFlag;
use nix::spawn::{PosixSpawnAttr, PosixSpawnFileActions, PosixSpawnFlags, posix_spawn};
use nix::sys::signal::SigSet;
use nix::sys::stat::Mode;

use crate::error::Error;
use crate::plan::subid::{HelperMap, helper_args};

/// A helper that was started: its pid and the read end of its stderr.
pub struct Helper {
    pid: libc::pid_t,
    stderr: OwnedFd,
}

/// Start newuidmap or newgidmap on `pid` (parent only, before the go
/// byte); `finish_helper` waits for it. The two may run at once.
/// posix_spawn, not std::process (which adds 80 KiB to the binary): stdin
/// and stdout are /dev/null, stderr a pipe to us, the signal mask empty
/// and every signal at its default; the environment is just LC_ALL=C, so
/// the helper's messages are in plain English.
pub fn spawn_helper(pid: libc::pid_t, map: &HelperMap) -> Result<Helper, Error> {
    let what = || format!("run {}", map.helper.display());
    let path = CString::new(map.helper.as_os_str().as_bytes())
        .map_err(|_| Error::usage(format!("{}: NUL in path", what())))?;
    let mut args = vec![map.kind.helper().to_string(), pid.to_string()];
    args.extend(helper_args(&map.lines));
    let args: Vec<CString> = args
        .into_iter()
        .map(|a| CString::new(a).expect("no NUL in numbers"))
        .collect();
    let env: [&CStr; 1] = [c"LC_ALL=C"];
    let (rd, wr) = crate::parent::spawn::pipe()?;
    let spawn = || -> nix::Result<nix::unistd::Pid> {
        let mut fa = PosixSpawnFileActions::init()?;
        fa.add_open(0, c"/dev/null", OFlag::O_RDONLY, Mode::empty())?;
        fa.add_open(1, c"/dev/null", OFlag::O_WRONLY, Mode::empty())?;
        // dup2 clears close-on-exec on fd 2 only.
        fa.add_dup2(wr.as_raw_fd(), 2)?;
        let mut at = PosixSpawnAttr::init()?;
        at.set_sigmask(&SigSet::empty())?;
        at.set_sigdefault(&SigSet::all())?;
        at.set_flags(
            PosixSpawnFlags::POSIX_SPAWN_SETSIGMASK | PosixSpawnFlags::POSIX_SPAWN_SETSIGDEF,
        )?;
        posix_spawn(path.as_c_str(), &fa, &at, &args, &env)
    };
    let child = spawn().map_err(|e| Error::sys(what(), e as i32))?.as_raw();
    Ok(Helper {
        pid: child,
        stderr: rd,
    })
}

/// Wait for a helper; its complaint, if it failed, as one line and a hint.
pub fn finish_helper(h: Helper, map: &HelperMap) -> Result<(), Error> {
    let name = map.kind.helper();
    // Read to EOF (keeping the first 4 KiB), so the helper never blocks.
    let mut text = Vec::new();
    let mut buf = [0u8; 1024];
    while let Ok(n @ 1..) = crate::sys::read_full(h.stderr.as_raw_fd(), &mut buf) {
        if text.len() < 4096 {
            text.extend_from_slice(&buf[..n]);
        }
    }
    let status = crate::parent::spawn::reap(h.pid);
    if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        return Ok(());
    }
    let why = summarize(&String::from_utf8_lossy(&text), name).unwrap_or_else(|| {
        if libc::WIFEXITED(status) {
            format!("exited with status {}", libc::WEXITSTATUS(status))
        } else {
            "killed by a signal".into()
        }
    });
    let hint = match crate::plan::subid::confined() {
        Some(why) => format!(
            "jail runs {why} (inside another jail?), where a setuid {name} gains nothing; \
             give --map-auto to the outermost jail instead"
        ),
        None => format!(
            "{name} must be setuid root (package uidmap) and run with your primary group \
             as in /etc/passwd, and {} must give {} the ranges (usermod {} FIRST-LAST {})",
            map.kind.file(),
            map.user,
            map.kind.usermod(),
            map.user
        ),
    };
    Err(
        Error::usage(format!("write {} map with {name}: {why}", map.kind.noun()))
            .with_hint(Some(hint)),
    )
}

/// A helper's output as one line: its lines joined with "; ", without the
/// program's own `name: ` prefix, at most 300 bytes.
pub fn summarize(text: &str, name: &str) -> Option<String> {
    let prefix = format!("{name}: ");
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .map(|l| l.strip_prefix(&prefix).unwrap_or(l))
        .collect();
    if lines.is_empty() {
        return None;
    }
    let mut s = lines.join("; ");
    if s.len() > 300 {
        let mut cut = 297;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_output_is_one_line() {
        assert_eq!(
            summarize(
                "newuidmap: uid range [1-2) -> [5-6) not allowed\n\n",
                "newuidmap"
            )
            .unwrap(),
            "uid range [1-2) -> [5-6) not allowed"
        );
        assert_eq!(summarize("a\nb\n", "x").unwrap(), "a; b");
        assert_eq!(summarize(" \n", "x"), None);
        assert!(summarize(&"é".repeat(400), "x").unwrap().len() <= 300);
    }
}
