//! One error type for everything the parent reports, and the wire format a
//! failing child uses to tell the parent which step failed.

#![forbid(unsafe_code)]

use std::fmt;

/// jail's own exit statuses (as env(1) and timeout(1) use them).
pub const EXIT_TIMEOUT: u8 = 124;
pub const EXIT_FAILURE: u8 = 125;
pub const EXIT_CANNOT_RUN: u8 = 126;
pub const EXIT_NOT_FOUND: u8 = 127;

/// A failure jail reports: one line, maybe a hint, and an exit status.
#[derive(Debug)]
pub struct Error {
    pub msg: String,
    pub hint: Option<String>,
    pub code: u8,
}

impl Error {
    /// Bad command-line input.
    pub fn usage(msg: impl Into<String>) -> Error {
        Error {
            msg: msg.into(),
            hint: None,
            code: EXIT_FAILURE,
        }
    }

    /// A system call failed while doing `what`.
    pub fn sys(what: impl fmt::Display, errno: i32) -> Error {
        Error {
            msg: format!("{what}: {}", errno_text(errno)),
            hint: None,
            code: EXIT_FAILURE,
        }
    }

    /// The last OS error, while doing `what`.
    pub fn last(what: impl fmt::Display) -> Error {
        Error::sys(what, last_errno())
    }

    pub fn with_hint(mut self, hint: Option<String>) -> Error {
        self.hint = hint;
        self
    }

    pub fn with_code(mut self, code: u8) -> Error {
        self.code = code;
        self
    }

    /// The lines to print on stderr. Control characters from what the user
    /// typed are shown escaped, so a value can neither add lines nor send
    /// escape sequences to the terminal.
    pub fn report(&self) -> String {
        let mut s = format!("jail: {}\n", printable(&self.msg));
        if let Some(h) = &self.hint {
            s.push_str(&format!("jail: hint: {}\n", printable(h)));
        }
        s
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

/// `s` with control characters written as escapes (`\n`, `\x1b`).
fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

pub fn last_errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// "No such file or directory", without Rust's " (os error 2)".
pub fn errno_text(errno: i32) -> String {
    let s = std::io::Error::from_raw_os_error(errno).to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// The child's setup steps, in the order it runs them. A failure crosses
/// the failure pipe as `(step, index, errno)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Step {
    WaitForMaps = 1,
    UnshareTime,
    TimeOffsets,
    MountPrivate,
    StdinReadOnly,
    FsSource,
    FsCreate,
    FsMount,
    FsAttr,
    MountProc,
    PivotRoot,
    Loopback,
    PingRange,
    Hostname,
    SessionKeyring,
    Dumpable,
    Fork,
    DisableUserns,
    Lock,
    LockMaps,
    NewSession,
    Rlimit,
    Stdio,
    KeepFd,
    SetGroups,
    SetGid,
    SetUid,
    CloseFds,
    Chdir,
    NoNewPrivs,
    DropCaps,
    Landlock,
    Seccomp,
    Exec,
}

impl Step {
    const ALL: [Step; 34] = [
        Step::WaitForMaps,
        Step::UnshareTime,
        Step::TimeOffsets,
        Step::MountPrivate,
        Step::StdinReadOnly,
        Step::FsSource,
        Step::FsCreate,
        Step::FsMount,
        Step::FsAttr,
        Step::MountProc,
        Step::PivotRoot,
        Step::Loopback,
        Step::PingRange,
        Step::Hostname,
        Step::SessionKeyring,
        Step::Dumpable,
        Step::Fork,
        Step::DisableUserns,
        Step::Lock,
        Step::LockMaps,
        Step::NewSession,
        Step::Rlimit,
        Step::Stdio,
        Step::KeepFd,
        Step::SetGroups,
        Step::SetGid,
        Step::SetUid,
        Step::CloseFds,
        Step::Chdir,
        Step::NoNewPrivs,
        Step::DropCaps,
        Step::Landlock,
        Step::Seccomp,
        Step::Exec,
    ];

    pub fn from_u32(v: u32) -> Option<Step> {
        Step::ALL.iter().copied().find(|s| *s as u32 == v)
    }

    /// Short name for `--verbose`.
    pub fn name(self) -> &'static str {
        match self {
            Step::WaitForMaps => "wait for id maps",
            Step::UnshareTime => "create time namespace",
            Step::TimeOffsets => "set time namespace offsets",
            Step::MountPrivate => "make / private",
            Step::StdinReadOnly => "reopen --stdin read-only",
            Step::FsSource => "clone bind sources",
            Step::FsCreate => "create mount points",
            Step::FsMount => "build the filesystem view",
            Step::FsAttr => "apply read-only flags",
            Step::MountProc => "mount /proc",
            Step::PivotRoot => "pivot into the new root",
            Step::Loopback => "bring lo up",
            Step::PingRange => "let COMMAND ping (net.ipv4.ping_group_range)",
            Step::Hostname => "set hostname",
            Step::SessionKeyring => "join a new session keyring",
            Step::Dumpable => "make the jail non-dumpable",
            Step::Fork => "fork COMMAND",
            Step::DisableUserns => "disable user namespaces (--disable-userns)",
            Step::Lock => "lock the view (nested user namespace)",
            Step::LockMaps => "write the nested namespace's id maps",
            Step::NewSession => "start a new session",
            Step::Rlimit => "set resource limit",
            Step::Stdio => "redirect stdio",
            Step::KeepFd => "keep fd",
            Step::SetGroups => "set supplementary groups",
            Step::SetGid => "set gid",
            Step::SetUid => "set uid",
            Step::CloseFds => "close inherited fds",
            Step::Chdir => "change directory",
            Step::NoNewPrivs => "set no_new_privs",
            Step::DropCaps => "drop capabilities",
            Step::Landlock => "enter the Landlock scopes",
            Step::Seccomp => "install the seccomp filter",
            Step::Exec => "exec",
        }
    }
}

/// What a failing child writes, in one write(2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Failure {
    pub step: u32,
    pub index: u32,
    pub errno: i32,
}

impl Failure {
    pub const SIZE: usize = 12;

    pub fn to_bytes(self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        b[0..4].copy_from_slice(&self.step.to_ne_bytes());
        b[4..8].copy_from_slice(&self.index.to_ne_bytes());
        b[8..12].copy_from_slice(&self.errno.to_ne_bytes());
        b
    }

    pub fn from_bytes(b: &[u8; Self::SIZE]) -> Failure {
        let word = |i: usize| [b[i], b[i + 1], b[i + 2], b[i + 3]];
        Failure {
            step: u32::from_ne_bytes(word(0)),
            index: u32::from_ne_bytes(word(4)),
            errno: i32::from_ne_bytes(word(8)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_round_trips() {
        let f = Failure {
            step: Step::Chdir as u32,
            index: 7,
            errno: libc::ENOENT,
        };
        assert_eq!(Failure::from_bytes(&f.to_bytes()), f);
    }

    #[test]
    fn steps_round_trip() {
        for s in Step::ALL {
            assert_eq!(Step::from_u32(s as u32), Some(s));
        }
        assert_eq!(Step::from_u32(0), None);
        assert_eq!(Step::from_u32(999), None);
    }

    #[test]
    fn errno_text_has_no_suffix() {
        assert_eq!(errno_text(libc::ENOENT), "No such file or directory");
    }

    #[test]
    fn report_escapes_control_characters() {
        let e = Error::usage("--uid: invalid value '1\njail: hint: x\x1b[31m'");
        assert_eq!(
            e.report(),
            "jail: --uid: invalid value '1\\njail: hint: x\\x1b[31m'\n"
        );
    }

    #[test]
    fn report_is_one_line_plus_hint() {
        let e = Error::usage("--uid: missing value");
        assert_eq!(e.report(), "jail: --uid: missing value\n");
        let e = e.with_hint(Some("try this".into()));
        assert_eq!(
            e.report(),
            "jail: --uid: missing value\njail: hint: try this\n"
        );
    }
}
