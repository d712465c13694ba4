//! Shared harness: run the built `jail` binary as a user would.
//!
//! jail is rootless, so when the suite runs as root (CI does) every jail is
//! started as the unprivileged uid/gid 65534 from a copy of the binary in a
//! world-readable directory. `as_root()` gives the rare test that wants the
//! caller to be root a command running as the real caller.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const NOBODY: u32 = 65534;

pub fn is_root() -> bool {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() == 0 }
}

/// The uid and gid jails run as in this suite.
pub fn user_ids() -> (u32, u32) {
    if is_root() {
        (NOBODY, NOBODY)
    } else {
        // SAFETY: getuid/getgid cannot fail.
        unsafe { (libc::getuid(), libc::getgid()) }
    }
}

/// A directory every uid can enter and write, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "jail-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&p).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o1777)).unwrap();
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Create directory `p` with exactly `mode` (no umask).
pub fn mkdir_mode(p: &Path, mode: u32) {
    std::fs::create_dir(p).unwrap();
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Write `content` to `p`, with exactly `mode` (no umask).
pub fn write_mode(p: &Path, content: impl AsRef<[u8]>, mode: u32) {
    std::fs::write(p, content).unwrap();
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The binary under test: the one cargo built for this run, or the one
/// `JAIL_TEST_BIN` names (`.ci/run` also tests the release build this way).
pub fn built() -> PathBuf {
    match std::env::var_os("JAIL_TEST_BIN") {
        Some(p) => std::fs::canonicalize(&p)
            .unwrap_or_else(|e| panic!("JAIL_TEST_BIN={}: {e}", Path::new(&p).display())),
        None => PathBuf::from(env!("CARGO_BIN_EXE_jail")),
    }
}

/// Whether the binary under test is this run's debug build, which has
/// the test-only hooks.
pub fn debug_binary() -> bool {
    cfg!(debug_assertions) && std::env::var_os("JAIL_TEST_BIN").is_none()
}

/// The binary under test, as the jail user can run it.
pub fn bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let built = built();
        if !is_root() {
            return built;
        }
        // A world-readable copy that uid 65534 can execute (target/ may sit
        // under a directory it cannot enter). Kept for the whole run.
        let dir = std::env::temp_dir().join(format!("jail-bin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let dst = dir.join("jail");
        std::fs::copy(&built, &dst).unwrap();
        std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o755)).unwrap();
        dst
    })
}

/// Run in /tmp with a small, known environment (the one every jail of the
/// suite gets).
pub fn known_env(c: &mut Command) {
    c.current_dir("/tmp");
    c.env_clear();
    c.env("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
    c.env("HOME", "/tmp");
    c.env("LC_ALL", "C");
}

/// A command that runs `jail ARGS...` as the unprivileged test user, in a
/// directory that user can see, with a small, known environment.
pub fn jail<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut c = Command::new(bin());
    c.args(args);
    known_env(&mut c);
    if is_root() {
        c.uid(NOBODY).gid(NOBODY);
    }
    c
}

/// Like `jail` but as the real caller (root in CI).
pub fn as_caller<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut c = Command::new(built());
    c.args(args);
    c.current_dir("/tmp");
    c
}

/// Run to completion with stdin closed, giving up (and failing) after 30 s.
pub fn run(mut c: Command) -> Output {
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = c.spawn().expect("spawn jail");
    wait_output(child, Duration::from_secs(30))
}

/// Shorthand: run `jail ARGS...` as the test user.
pub fn jail_run(args: &[&str]) -> Output {
    run(jail(args))
}

/// Collect the child's output (in a thread, so a full pipe cannot block
/// it), killing it and failing after `limit`.
pub fn wait_output(child: std::process::Child, limit: Duration) -> Output {
    let pid = child.id() as libc::pid_t;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            // SAFETY: kill takes no pointers; the child is not reaped yet.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            let out = rx.recv().unwrap().unwrap();
            panic!(
                "timed out after {limit:?}; stdout: {:?} stderr: {:?}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Assert success and return stdout.
#[track_caller]
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "jail failed: {:?}\nstdout: {}\nstderr: {}",
        o.status,
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

/// Assert jail itself failed with `code`, printing one `jail: ` line (plus
/// at most one `jail: hint: ` line) that contains `needle`; returns stderr.
#[track_caller]
pub fn fails(o: &Output, code: i32, needle: &str) -> String {
    let err = stderr(o);
    assert_eq!(
        o.status.code(),
        Some(code),
        "want exit {code}; stdout: {} stderr: {err}",
        stdout(o)
    );
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        !lines.is_empty() && lines.len() <= 2,
        "want one error line (and maybe a hint), got: {err:?}"
    );
    assert!(lines[0].starts_with("jail: "), "bad error line: {err:?}");
    assert!(!lines[0].starts_with("jail: hint:"), "hint first: {err:?}");
    if lines.len() == 2 {
        assert!(lines[1].starts_with("jail: hint: "), "second line: {err:?}");
    }
    assert!(err.contains(needle), "{needle:?} not in {err:?}");
    err
}

/// Whether a program is installed.
pub fn have(prog: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(prog).is_file()))
        .unwrap_or(false)
}

/// Skip a test with a printed reason. CI sets JAIL_TEST_REQUIRE_ALL=1 so a
/// skip there is a failure, never silent.
#[macro_export]
macro_rules! skip {
    ($($arg:tt)*) => {{
        let why = format!($($arg)*);
        if std::env::var_os("JAIL_TEST_REQUIRE_ALL").is_some() {
            panic!("required test skipped: {why}");
        }
        eprintln!("SKIP {}: {why}", module_path!());
        return;
    }};
}

/// Return from the test unless the binary under test has the debug-only
/// test hook HOOK (an environment variable). Against `JAIL_TEST_BIN` (the
/// release binary) that is no skip: the run against cargo's debug build
/// covers the test.
#[macro_export]
macro_rules! need_debug_hook {
    ($hook:expr) => {
        if !$crate::common::debug_binary() {
            if std::env::var_os("JAIL_TEST_BIN").is_some() {
                eprintln!("not run: {} exists in debug builds only", $hook);
                return;
            }
            $crate::skip!("{} exists in debug builds only", $hook);
        }
    };
}

/// Skip unless PROG is installed.
#[macro_export]
macro_rules! need {
    ($prog:expr) => {
        if !$crate::common::have($prog) {
            $crate::skip!("{} is not installed", $prog);
        }
    };
}

/// Wait until `f` holds, up to `limit`.
pub fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    f()
}

/// A new pseudo-terminal (master, slave), both close-on-exec, `rows` x
/// `cols`. When the suite runs as root the slave is given to the test user,
/// so a jail running as that user can open it as its terminal.
pub fn open_pty(rows: u16, cols: u16) -> (std::os::fd::OwnedFd, std::os::fd::OwnedFd) {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    let (mut m, mut s) = (-1, -1);
    let ws = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: valid out-pointers; null name and termios are allowed.
    let rc = unsafe { libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), &ws) };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: openpty returned two fresh fds that nothing else owns.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s)) };
    for fd in [&master, &slave] {
        // SAFETY: plain fcntl on an fd we own.
        unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    if is_root() {
        // SAFETY: fchown on an fd we own.
        let rc = unsafe { libc::fchown(slave.as_raw_fd(), NOBODY, NOBODY) };
        assert_eq!(rc, 0, "fchown: {}", std::io::Error::last_os_error());
    }
    (master, slave)
}

/// A directory owned by the user jails run as.
pub fn user_dir(p: &Path) -> PathBuf {
    std::fs::create_dir_all(p).unwrap();
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (u, g) = user_ids();
    std::os::unix::fs::chown(p, Some(u), Some(g)).unwrap();
    p.to_path_buf()
}

/// A file owned by the user jails run as.
pub fn user_file(p: &Path, content: &str) -> PathBuf {
    std::fs::write(p, content).unwrap();
    let (u, g) = user_ids();
    std::os::unix::fs::chown(p, Some(u), Some(g)).unwrap();
    p.to_path_buf()
}

/// The names in `dir`, sorted.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The flatpak-style base: an empty root with the host's /usr.
pub const EMPTY_ROOT_USR: [&str; 9] = [
    "--empty-root",
    "--ro-bind",
    "/usr",
    "--symlink",
    "usr/bin:/bin",
    "--symlink",
    "usr/lib:/lib",
    "--symlink",
    "usr/lib64:/lib64",
];

/// The first number after `"KEY": ` in a JSON line.
pub fn json_number(json: &str, key: &str) -> Option<u64> {
    let at = json.find(&format!("\"{key}\": "))? + key.len() + 4;
    let digits: String = json[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}
