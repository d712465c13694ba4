//! Signals: sent to jail's pid, sent by the terminal (Ctrl-C), job control
//! (Ctrl-Z and `fg`), and SIGKILL taking the whole jail down.

use crate::common::*;

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// Signals sent with kill(2) to jail's pid.

/// Read `out` line by line on a thread; every line goes to the channel.
fn line_reader(out: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Wait (up to `limit`) for a line equal to `want`; returns the lines seen.
fn wait_line(rx: &mpsc::Receiver<String>, want: &str, limit: Duration) -> Result<(), Vec<String>> {
    let end = Instant::now() + limit;
    let mut seen = Vec::new();
    loop {
        let left = end.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) if l == want => return Ok(()),
            Ok(l) => seen.push(l),
            Err(_) => return Err(seen),
        }
    }
}

/// `jail [--pid] -- sh -c SCRIPT` where SCRIPT traps `name` by appending a
/// line to a file; signal jail's pid once and check the trap ran once.
///
/// The shell waits with the `wait` builtin, which a trapped signal cuts
/// short, so the trap runs at once: a second copy of the signal arriving
/// later runs it again instead of being folded into the first.
fn signal_reaches_command_once(sig: libc::c_int, name: &str, pid_ns: bool) {
    let dir = TempDir::new();
    let file = dir.join("trapped");
    let script = format!(
        "trap 'echo X >> {f}' {name}; echo ready; \
         i=0; while [ $i -lt 40 ]; do sleep 0.05 & wait $!; i=$((i+1)); done",
        f = file.display()
    );
    let mut args: Vec<&str> = Vec::new();
    if pid_ns {
        args.push("--pid");
    }
    args.extend(["--", "sh", "-c", &script]);
    let mut cmd = jail(&args);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn jail");
    let rx = line_reader(child.stdout.take().unwrap());
    if let Err(seen) = wait_line(&rx, "ready", Duration::from_secs(10)) {
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        panic!(
            "COMMAND never printed ready (jail {args:?}); stdout: {seen:?}; status {:?}; stderr: {}",
            out.status,
            stderr(&out)
        );
    }
    // SAFETY: kill has no memory-safety preconditions; the pid is our child,
    // not yet reaped.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, sig) };
    assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
    let out = wait_output(child, Duration::from_secs(30));
    let got = std::fs::read_to_string(&file).unwrap_or_default();
    assert_eq!(
        got.lines().count(),
        1,
        "SIG{name} sent to jail {args:?} reached COMMAND {} times (want exactly 1); \
         trap file: {got:?}; status {:?}; stderr: {}",
        got.lines().count(),
        out.status,
        stderr(&out)
    );
    // COMMAND handled the signal and ran to its end: it exits 0, so must jail.
    assert!(
        out.status.success(),
        "jail {args:?} after SIG{name}: {:?}; stderr: {}",
        out.status,
        stderr(&out)
    );
}

#[test]
fn sigterm_reaches_command_once() {
    signal_reaches_command_once(libc::SIGTERM, "TERM", false);
}

#[test]
fn sigterm_reaches_command_once_with_pid() {
    signal_reaches_command_once(libc::SIGTERM, "TERM", true);
}

#[test]
fn sigint_reaches_command_once() {
    signal_reaches_command_once(libc::SIGINT, "INT", false);
}

#[test]
fn sigint_reaches_command_once_with_pid() {
    signal_reaches_command_once(libc::SIGINT, "INT", true);
}

#[test]
fn sighup_reaches_command_once() {
    signal_reaches_command_once(libc::SIGHUP, "HUP", false);
}

#[test]
fn sighup_reaches_command_once_with_pid() {
    signal_reaches_command_once(libc::SIGHUP, "HUP", true);
}

#[test]
fn sigusr1_reaches_command_once() {
    signal_reaches_command_once(libc::SIGUSR1, "USR1", false);
}

#[test]
fn sigusr1_reaches_command_once_with_pid() {
    signal_reaches_command_once(libc::SIGUSR1, "USR1", true);
}

// ---------------------------------------------------------------------------
// SIGKILL to jail's pid.

struct Proc {
    pid: i32,
    cmdline: String,
    state: char,
}

/// Every process whose command line contains `marker`.
fn procs_with(marker: &str) -> Vec<Proc> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(raw) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&raw).replace('\0', " ");
        if !cmdline.contains(marker) {
            continue;
        }
        let state = std::fs::read_to_string(e.path().join("stat"))
            .ok()
            .and_then(|s| {
                let rest = &s[s.rfind(')')? + 1..];
                rest.trim_start().chars().next()
            })
            .unwrap_or('?');
        if state == '?' {
            continue; // gone between the two reads
        }
        found.push(Proc {
            pid,
            cmdline: cmdline.trim_end().to_string(),
            state,
        });
    }
    found
}

fn live(marker: &str) -> Vec<Proc> {
    procs_with(marker)
        .into_iter()
        .filter(|p| p.state != 'Z' && p.state != 'X')
        .collect()
}

fn describe(ps: &[Proc]) -> String {
    ps.iter()
        .map(|p| format!("{} {} [{}]", p.pid, p.state, p.cmdline))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Kills whatever is left with the marker, so a failed test leaves nothing.
struct Reaper(String);

impl Drop for Reaper {
    fn drop(&mut self) {
        for p in procs_with(&self.0) {
            // SAFETY: kill has no memory-safety preconditions.
            unsafe { libc::kill(p.pid, libc::SIGKILL) };
        }
    }
}

fn sigkill_takes_jail_down(pid_ns: bool) {
    let marker = format!("100{}.{}", if pid_ns { 2 } else { 1 }, std::process::id());
    let _reaper = Reaper(marker.clone());
    let script = format!("sleep {marker} & sleep {marker} & wait");
    let mut args: Vec<&str> = Vec::new();
    if pid_ns {
        args.push("--pid");
    }
    args.extend(["--", "sh", "-c", &script]);
    let mut cmd = jail(&args);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("spawn jail");
    let sleep_cmd = format!("sleep {marker}");
    let started = wait_until(Duration::from_secs(10), || {
        live(&marker)
            .iter()
            .filter(|p| p.cmdline == sleep_cmd)
            .count()
            >= 2
    });
    if !started {
        let _ = child.kill();
        let status = child.wait().unwrap();
        panic!(
            "the two sleeps never started (jail {args:?}, status {status:?}); processes: {}",
            describe(&procs_with(&marker))
        );
    }
    let before = describe(&live(&marker));
    // SAFETY: kill has no memory-safety preconditions; the pid is our child.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGKILL) };
    assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
    let t0 = Instant::now();
    // Reap jail itself at once: whatever is left with the marker is jailed.
    let status = child.wait().unwrap();
    let gone = wait_until(Duration::from_secs(3), || live(&marker).is_empty());
    let elapsed = t0.elapsed();
    let left = describe(&live(&marker));
    assert!(
        gone && elapsed <= Duration::from_millis(1500),
        "after SIGKILL to jail {args:?} (status {status:?}) jailed processes were still alive \
         after {elapsed:?} (want gone within a second); before: {before}; left: {left}"
    );
}

#[test]
fn sigkill_takes_every_jailed_process_down() {
    sigkill_takes_jail_down(false);
}

#[test]
fn sigkill_takes_every_jailed_process_down_with_pid() {
    sigkill_takes_jail_down(true);
}

// ---------------------------------------------------------------------------
// A real pseudo-terminal.

/// A process running as the session leader of a new pty.
struct Term {
    master: File,
    child: Child,
    out: Vec<u8>,
    /// How much of `out` `expect` has consumed.
    pos: usize,
    eof: bool,
}

impl Term {
    /// Spawn `cmd` with the slave of a new pty as its controlling terminal
    /// and stdin, stdout and stderr. When the suite runs as root, the caller
    /// has already made `cmd` run as the test user; the slave is given to
    /// that user so it can open /dev/tty.
    fn spawn(mut cmd: Command) -> Term {
        let (master, slave) = open_pty(24, 200);
        cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave.try_clone().unwrap()));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn on the pty");
        drop(slave);
        Term {
            master: File::from(master),
            child,
            out: Vec::new(),
            pos: 0,
            eof: false,
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).expect("write to the pty");
    }

    fn line(&mut self, line: &str) {
        self.send(format!("{line}\n").as_bytes());
    }

    /// Read what the terminal shows until `deadline` or `stop` says enough.
    fn pump(&mut self, deadline: Instant, mut stop: impl FnMut(&[u8]) -> bool) {
        loop {
            if stop(&self.out) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            if self.eof {
                std::thread::sleep(left.min(Duration::from_millis(10)));
                continue;
            }
            let mut pfd = libc::pollfd {
                fd: self.master.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            let ms = left.as_millis().clamp(1, 100) as libc::c_int;
            // SAFETY: one valid pollfd.
            let n = unsafe { libc::poll(&mut pfd, 1, ms) };
            if n <= 0 {
                continue;
            }
            let mut buf = [0u8; 4096];
            match self.master.read(&mut buf) {
                Ok(0) | Err(_) => self.eof = true, // EIO: every slave fd closed
                Ok(k) => self.out.extend_from_slice(&buf[..k]),
            }
        }
    }

    /// Wait (up to `limit`) for `needle` after what was consumed; consume
    /// through it.
    fn expect(&mut self, needle: &str, limit: Duration) -> bool {
        let pos = self.pos;
        let n = needle.as_bytes();
        self.pump(Instant::now() + limit, |out| find(&out[pos..], n).is_some());
        match find(&self.out[pos..], n) {
            Some(i) => {
                self.pos = pos + i + n.len();
                true
            }
            None => false,
        }
    }

    /// Whether `needle` shows (after what was consumed) within `dur`.
    fn shows_within(&mut self, needle: &str, dur: Duration) -> bool {
        let pos = self.pos;
        let n = needle.as_bytes();
        self.pump(Instant::now() + dur, |out| find(&out[pos..], n).is_some());
        find(&self.out[pos..], n).is_some()
    }

    /// Wait for `prefix`, then return what follows it up to `end`.
    fn capture(&mut self, prefix: &str, end: char, limit: Duration) -> Option<String> {
        if !self.expect(prefix, limit) {
            return None;
        }
        let pos = self.pos;
        let e = end as u8;
        self.pump(Instant::now() + limit, |out| out[pos..].contains(&e));
        let i = self.out[pos..].iter().position(|&b| b == e)?;
        self.pos = pos + i + 1;
        Some(String::from_utf8_lossy(&self.out[pos..pos + i]).into_owned())
    }

    fn transcript(&self) -> String {
        String::from_utf8_lossy(&self.out).into_owned()
    }

    /// Wait for the session leader to exit, reading the terminal meanwhile.
    fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let end = Instant::now() + limit;
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                self.pump(Instant::now() + Duration::from_millis(50), |_| false);
                return Some(st);
            }
            if Instant::now() >= end {
                return None;
            }
            self.pump(Instant::now() + Duration::from_millis(20), |_| false);
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        // Kill everything left in the session (stopped jobs included).
        let sid = self.child.id() as i32;
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for e in entries.flatten() {
                let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
                    continue;
                };
                let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
                    continue;
                };
                let Some(close) = stat.rfind(')') else {
                    continue;
                };
                // After ")": state ppid pgrp session ...
                let session = stat[close + 1..]
                    .split_whitespace()
                    .nth(3)
                    .and_then(|s| s.parse::<i32>().ok());
                if session == Some(sid) && pid != sid {
                    // SAFETY: kill has no memory-safety preconditions.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                }
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

// (a) Ctrl-C: the terminal signals COMMAND's process group; jail must not
// forward the signal a second time. (`sleep & wait` as above: a background
// command of a non-interactive sh ignores SIGINT, and the trap runs as soon
// as the signal arrives.)
fn ctrl_c_once(pid_ns: bool) {
    ctrl_c_once_with(if pid_ns { &["--pid"] } else { &[] });
}

fn ctrl_c_once_with(opts: &[&str]) {
    let script = "trap 'n=$((n+1)); echo INT-$n' INT; n=0; echo ready; \
                  i=0; while [ $i -lt 30 ]; do sleep 0.1 & wait $!; i=$((i+1)); done; echo total-$n";
    let mut args: Vec<&str> = opts.to_vec();
    args.extend(["--", "sh", "-c", script]);
    let mut t = Term::spawn(jail(&args));
    assert!(
        t.expect("ready", Duration::from_secs(10)),
        "jail {args:?}: COMMAND never printed ready; terminal: {:?}",
        t.transcript()
    );
    t.send(b"\x03");
    let done = t.expect("total-", Duration::from_secs(15));
    let status = t.wait_exit(Duration::from_secs(10));
    let shown = t.transcript();
    assert!(
        done,
        "jail {args:?}: COMMAND never finished after Ctrl-C (status {status:?}); terminal: {shown:?}"
    );
    assert!(
        shown.contains("INT-1") && shown.contains("total-1") && !shown.contains("INT-2"),
        "jail {args:?}: Ctrl-C must reach COMMAND exactly once; terminal: {shown:?}"
    );
    let status = status.expect("jail did not exit");
    assert!(
        status.success(),
        "jail {args:?}: {status:?}; terminal: {shown:?}"
    );
}

#[test]
fn ctrl_c_reaches_command_once() {
    ctrl_c_once(false);
}

#[test]
fn ctrl_c_reaches_command_once_with_pid() {
    ctrl_c_once(true);
}

/// With --new-session COMMAND is not in the terminal's process group:
/// only jail gets the terminal's SIGINT, and passes it on.
#[test]
fn ctrl_c_reaches_a_new_session_command_once() {
    ctrl_c_once_with(&["--new-session"]);
    ctrl_c_once_with(&["--new-session", "--pid"]);
}

/// With --new-session COMMAND's children are in its process group, not the
/// terminal's: Ctrl-C and Ctrl-\\ must reach them too, so that a COMMAND
/// waiting for a child ends at once (sh acts on a signal only once its
/// foreground child is done). `trap`: the shell's action on the signal
/// (the child's stays the default), else sh dies of it too.
fn terminal_signal_ends_a_new_session_job(opts: &[&str], key: u8, trap: Option<&str>) {
    let script = match trap {
        Some(sig) => format!("trap 'echo got-$((1+2))' {sig}; "),
        None => String::new(),
    } + "echo ready-$((1+1)); sleep 100; echo end-$((2+3))";
    let mut args: Vec<&str> = opts.to_vec();
    args.extend(["--", "sh", "-c", &script]);
    let mut t = Term::spawn(jail(&args));
    assert!(
        t.expect("ready-2", Duration::from_secs(10)),
        "jail {args:?}: COMMAND never printed ready; terminal: {:?}",
        t.transcript()
    );
    std::thread::sleep(Duration::from_millis(300));
    t.send(&[key]);
    let status = t.wait_exit(Duration::from_secs(3));
    let shown = t.transcript();
    let status = status.unwrap_or_else(|| {
        panic!("jail {args:?}: still running 3 s after key {key:#x}; terminal: {shown:?}")
    });
    if trap.is_some() {
        // sleep died of it, and sh ran its trap and went on.
        assert!(
            status.success() && shown.contains("got-3") && shown.contains("end-5"),
            "jail {args:?}: {status:?}; terminal: {shown:?}"
        );
    } else {
        assert!(
            !status.success() && !shown.contains("end-5"),
            "jail {args:?}: the job went on after Ctrl-C ({status:?}); terminal: {shown:?}"
        );
    }
}

#[test]
fn ctrl_c_ends_a_new_session_job() {
    for opts in [&["--new-session"][..], &["--new-session", "--pid"]] {
        terminal_signal_ends_a_new_session_job(opts, 0x03, None);
        terminal_signal_ends_a_new_session_job(opts, 0x03, Some("INT"));
    }
    // COMMAND as PID 1 ignores SIGINT without a handler; its child must
    // get it all the same.
    let opts = ["--new-session", "--as-pid-1"];
    terminal_signal_ends_a_new_session_job(&opts, 0x03, Some("INT"));
}

#[test]
fn ctrl_backslash_reaches_a_new_session_job() {
    for opts in [&["--new-session"][..], &["--new-session", "--pid"]] {
        terminal_signal_ends_a_new_session_job(opts, 0x1c, Some("QUIT"));
    }
}

/// `--dev` at a terminal: the private /dev shows the caller's terminal (as
/// /dev/console, as bwrap does), so `tty` names it, and /dev/tty opens.
fn terminal_under_dev(opts: &[&str]) {
    let mut args = vec!["--dev"];
    args.extend(opts);
    args.extend([
        "--",
        "sh",
        "-c",
        "echo name-$(tty)-; echo x-$((1+1)) > /dev/tty && echo wrote-$((2+2))",
    ]);
    let mut t = Term::spawn(jail(&args));
    let name = t.capture("name-", '-', Duration::from_secs(10));
    let status = t.wait_exit(Duration::from_secs(10));
    let shown = t.transcript();
    assert_eq!(
        name.as_deref(),
        Some("/dev/console"),
        "jail {args:?}: `tty` does not name the terminal; terminal: {shown:?}"
    );
    assert!(
        shown.contains("x-2") && shown.contains("wrote-4"),
        "jail {args:?}: writing /dev/tty failed; terminal: {shown:?}"
    );
    let status = status.expect("jail did not exit");
    assert!(
        status.success(),
        "jail {args:?}: {status:?}; terminal: {shown:?}"
    );
}

#[test]
fn tty_names_the_terminal_under_dev() {
    terminal_under_dev(&[]);
    terminal_under_dev(&["--pid", "--ro"]);
}

/// What the man page says of --new-session: no controlling terminal, so no
/// /dev/tty; and --dev shows no terminal COMMAND was not given as an fd.
#[test]
fn a_new_session_has_no_terminal_to_open() {
    let script = "exec 2>/dev/null; echo x > /dev/tty || echo no-tty-$((1+1)); \
                  [ -e /dev/console ] || echo no-console-$((2+1))";
    let out = TempDir::new();
    let file = out.join("out");
    let file = file.to_str().unwrap();
    let args = [
        "--new-session",
        "--dev",
        "--stdin",
        "/dev/null",
        "--stdout",
        file,
        "--stderr",
        "/dev/null",
        "--",
        "sh",
        "-c",
        script,
    ];
    let mut t = Term::spawn(jail(args));
    let status = t
        .wait_exit(Duration::from_secs(10))
        .expect("jail did not exit");
    let got = std::fs::read_to_string(file).unwrap_or_default();
    assert!(
        status.success() && got == "no-tty-2\nno-console-3\n",
        "jail {args:?}: {status:?}, COMMAND wrote {got:?}; terminal: {:?}",
        t.transcript()
    );
}

/// An interactive dash (`sh -i`) on a new pty, as the test user, with jail
/// in its PATH and the prompt `$ `.
fn interactive_shell() -> Term {
    let dir = bin().parent().unwrap();
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-i")
        .current_dir("/tmp")
        .env_clear()
        .env(
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", dir.display()),
        )
        .env("PS1", "$ ")
        .env("HOME", "/tmp")
        .env("TERM", "dumb")
        .env("LC_ALL", "C");
    if is_root() {
        cmd.uid(NOBODY).gid(NOBODY);
    }
    let mut t = Term::spawn(cmd);
    assert!(
        t.expect("$ ", Duration::from_secs(10)),
        "no prompt from sh -i; terminal: {:?}",
        t.transcript()
    );
    t
}

/// Leave the shell with `exit` and check it goes.
fn leave(mut t: Term, what: &str) {
    t.line("exit");
    let st = t.wait_exit(Duration::from_secs(10));
    assert!(
        st.is_some(),
        "{what}: the shell did not exit; terminal: {:?}",
        t.transcript()
    );
}

// (b) Ctrl-Z stops COMMAND and jail, `fg` resumes both.
fn ctrl_z_and_fg(pid_ns: bool) {
    ctrl_z_and_fg_with(if pid_ns { "--pid " } else { "" });
}

/// `flag`: jail's options, each followed by a space.
fn ctrl_z_and_fg_with(flag: &str) {
    let what = format!("jail {flag}-- sh -c ... under sh -i");
    let mut t = interactive_shell();
    // Arithmetic in the markers, so the terminal's echo of the typed line
    // never matches them.
    t.line(&format!(
        "jail {flag}-- sh -c 'echo start-$((1+2)); sleep 1; echo done-$((6*7))'"
    ));
    assert!(
        t.expect("start-3", Duration::from_secs(10)),
        "{what}: COMMAND did not start; terminal: {:?}",
        t.transcript()
    );
    std::thread::sleep(Duration::from_millis(300));
    t.send(b"\x1a");
    assert!(
        t.expect("Stopped", Duration::from_secs(5)),
        "{what}: after Ctrl-Z the shell never reported the job stopped; terminal: {:?}",
        t.transcript()
    );
    assert!(
        !t.shows_within("done-42", Duration::from_millis(1500)),
        "{what}: COMMAND kept running after Ctrl-Z; terminal: {:?}",
        t.transcript()
    );
    assert!(
        t.expect("$ ", Duration::from_secs(5)),
        "{what}: no prompt after the stop; terminal: {:?}",
        t.transcript()
    );
    // Plain sh reports a Ctrl-Z'd job as "Stopped"; "Stopped (signal)"
    // would mean jail stopped with SIGSTOP instead of the terminal's SIGTSTP.
    assert!(
        !t.transcript().contains("Stopped (signal)"),
        "{what}: the job stopped by another signal than Ctrl-Z's; terminal: {:?}",
        t.transcript()
    );
    t.line("fg");
    assert!(
        t.expect("done-42", Duration::from_secs(10)),
        "{what}: `fg` did not resume COMMAND; terminal: {:?}",
        t.transcript()
    );
    assert!(
        t.expect("$ ", Duration::from_secs(10)),
        "{what}: no prompt after the job ended; terminal: {:?}",
        t.transcript()
    );
    leave(t, &what);
}

#[test]
fn ctrl_z_stops_and_fg_resumes() {
    ctrl_z_and_fg(false);
}

#[test]
fn ctrl_z_stops_and_fg_resumes_with_pid() {
    ctrl_z_and_fg(true);
}

/// With --new-session the stop must reach COMMAND's whole group, which is
/// orphaned (the kernel drops SIGTSTP there), and `fg` must continue it.
#[test]
fn ctrl_z_stops_and_fg_resumes_a_new_session_job() {
    ctrl_z_and_fg_with("--new-session ");
    ctrl_z_and_fg_with("--new-session --pid ");
}

// Job control inside the jail: an interactive shell in the jail stops and
// resumes its own job.
fn nested_interactive_shell(pid_ns: bool) {
    let flag = if pid_ns { "--pid " } else { "" };
    let what = format!("jail {flag}-- sh -i under sh -i");
    let mut t = interactive_shell();
    t.line(&format!("jail {flag}-- sh -i"));
    // The shell that answers must be the jailed one: another user namespace.
    t.line("echo in-$(readlink /proc/$$/ns/user)");
    let inside = t.capture("in-user:[", ']', Duration::from_secs(10));
    let host = std::fs::read_link("/proc/self/ns/user").unwrap();
    let host = host.to_string_lossy();
    match inside {
        None => panic!(
            "{what}: the jailed shell did not answer; terminal: {:?}",
            t.transcript()
        ),
        Some(ino) => assert_ne!(
            format!("user:[{ino}]"),
            host,
            "{what}: the shell answering is not in a new user namespace; terminal: {:?}",
            t.transcript()
        ),
    }
    // One job (`sleep 2; echo ...` typed as a list would let dash go on to
    // the echo as soon as the sleep stops).
    t.line("sh -c 'echo start-$((1+2)); sleep 2; echo inner-$((2*3))'");
    assert!(
        t.expect("start-3", Duration::from_secs(10)),
        "{what}: the job did not start; terminal: {:?}",
        t.transcript()
    );
    std::thread::sleep(Duration::from_millis(300));
    t.send(b"\x1a");
    assert!(
        t.expect("Stopped", Duration::from_secs(5)),
        "{what}: after Ctrl-Z the jailed shell never reported its job stopped; terminal: {:?}",
        t.transcript()
    );
    assert!(
        !t.shows_within("inner-6", Duration::from_millis(1500)),
        "{what}: the job kept running after Ctrl-Z; terminal: {:?}",
        t.transcript()
    );
    t.line("fg");
    assert!(
        t.expect("inner-6", Duration::from_secs(10)),
        "{what}: `fg` did not resume the job; terminal: {:?}",
        t.transcript()
    );
    // Leave the jailed shell, check the outer one is back, then leave it.
    t.line("exit");
    t.line("echo out-$((3+4))");
    assert!(
        t.expect("out-7", Duration::from_secs(10)),
        "{what}: the outer shell did not come back; terminal: {:?}",
        t.transcript()
    );
    leave(t, &what);
}

#[test]
fn nested_interactive_shell_job_control() {
    nested_interactive_shell(false);
}

#[test]
fn nested_interactive_shell_job_control_with_pid() {
    nested_interactive_shell(true);
}

/// SIGSTOP cannot be blocked: if the keeper is stopped (here by COMMAND,
/// with the Landlock signal scope lifted), jail continues it instead of
/// waiting forever for a status it would never send.
#[test]
fn a_stopped_keeper_is_continued() {
    let out = jail_run(&[
        "--share-ipc-scope",
        "--",
        "sh",
        "-c",
        "kill -STOP $PPID && sleep 0.3 && exit 3",
    ]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
}
