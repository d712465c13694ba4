//! The setuid helpers newuidmap and newgidmap, which write subordinate id
//! maps: started by the parent after clone(2) while the child waits.

use std::ffi::CString;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

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
    let mut argv: Vec<*mut libc::c_char> = args.iter().map(|a| a.as_ptr().cast_mut()).collect();
    argv.push(std::ptr::null_mut());
    let envp: [*mut libc::c_char; 2] = [c"LC_ALL=C".as_ptr().cast_mut(), std::ptr::null_mut()];
    let (rd, wr) = crate::parent::spawn::pipe()?;
    let mut child: libc::pid_t = 0;
    // SAFETY: the attribute and file-action objects are initialised before
    // use and destroyed after; every string and array is NUL- or
    // null-terminated and outlives the call.
    let r = unsafe {
        let mut fa: libc::posix_spawn_file_actions_t = std::mem::zeroed();
        let mut at: libc::posix_spawnattr_t = std::mem::zeroed();
        libc::posix_spawn_file_actions_init(&mut fa);
        libc::posix_spawnattr_init(&mut at);
        libc::posix_spawn_file_actions_addopen(
            &mut fa,
            0,
            c"/dev/null".as_ptr(),
            libc::O_RDONLY,
            0,
        );
        libc::posix_spawn_file_actions_addopen(
            &mut fa,
            1,
            c"/dev/null".as_ptr(),
            libc::O_WRONLY,
            0,
        );
        // dup2 clears close-on-exec on fd 2 only.
        libc::posix_spawn_file_actions_adddup2(&mut fa, wr.as_raw_fd(), 2);
        let mut none: libc::sigset_t = std::mem::zeroed();
        let mut all: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        libc::sigfillset(&mut all);
        libc::posix_spawnattr_setsigmask(&mut at, &none);
        libc::posix_spawnattr_setsigdefault(&mut at, &all);
        libc::posix_spawnattr_setflags(
            &mut at,
            (libc::POSIX_SPAWN_SETSIGMASK | libc::POSIX_SPAWN_SETSIGDEF) as _,
        );
        let r = libc::posix_spawn(
            &mut child,
            path.as_ptr(),
            &fa,
            &at,
            argv.as_ptr(),
            envp.as_ptr(),
        );
        libc::posix_spawn_file_actions_destroy(&mut fa);
        libc::posix_spawnattr_destroy(&mut at);
        r
    };
    if r != 0 {
        return Err(Error::sys(what(), r));
    }
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
    Err(
        Error::usage(format!("write {} map with {name}: {why}", map.kind.noun())).with_hint(Some(
            format!(
                "{name} must be setuid root (package uidmap) and run with your primary group \
                 as in /etc/passwd, and {} must give {} the ranges (usermod {} FIRST-LAST {})",
                map.kind.file(),
                map.user,
                map.kind.usermod(),
                map.user
            ),
        )),
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
