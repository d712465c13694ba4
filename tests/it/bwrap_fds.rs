//! The options that take data or report through inherited fds, as bwrap's:
//! --seccomp FD, --json-status-fd N and --args FD. Each fd is given to jail
//! as a script gives it (`3< file`), and jail runs as the test user.

use std::io::{BufRead, BufReader, Read};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::*;
use crate::{need, skip};

// ---------------------------------------------------------------------------
// Helpers.

/// `jail ARGS` with each `(N, fd)` of `fds` open as its fd N.
pub fn jail_fds(args: &[&str], fds: Vec<(i32, OwnedFd)>) -> Command {
    assert!(fds.len() <= 8);
    let mut c = jail(args);
    // SAFETY: only fcntl and dup2 (async-signal-safe), no allocation; the
    // fds stay open in the closure, which owns them.
    unsafe {
        c.pre_exec(move || {
            // Out of the way first, so that no source is a target too.
            let mut tmp = [0i32; 8];
            for (i, (_, fd)) in fds.iter().enumerate() {
                tmp[i] = libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 100);
                if tmp[i] < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            for (i, (n, _)) in fds.iter().enumerate() {
                if libc::dup2(tmp[i], *n) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    c
}

/// A file holding `data`, open for reading.
pub fn data_fd(data: &[u8]) -> OwnedFd {
    let dir = TempDir::new();
    let p = dir.join("data");
    std::fs::write(&p, data).unwrap();
    std::fs::File::open(&p).unwrap().into()
}

/// A new close-on-exec pipe: (read end, write end).
fn pipe() -> (std::fs::File, OwnedFd) {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: fds is valid for two ints.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    // SAFETY: two new fds that nothing else owns.
    unsafe {
        (
            std::fs::File::from_raw_fd(fds[0]),
            OwnedFd::from_raw_fd(fds[1]),
        )
    }
}

/// Classic BPF, as struct sock_filter lays it out on this machine.
pub fn bpf(code: u16, jt: u8, jf: u8, k: u32) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[0..2].copy_from_slice(&code.to_ne_bytes());
    b[2] = jt;
    b[3] = jf;
    b[4..8].copy_from_slice(&k.to_ne_bytes());
    b
}

const LD_W_ABS: u16 = 0x20;
const JEQ_K: u16 = 0x15;
const RET_K: u16 = 0x06;
const RET_ALLOW: u32 = 0x7fff_0000;
const RET_ERRNO: u32 = 0x0005_0000;
const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;

/// A program that allows everything.
pub fn allow_all() -> Vec<u8> {
    bpf(RET_K, 0, 0, RET_ALLOW).to_vec()
}

/// A program for x86_64 that makes each system call of `nrs` fail with
/// `errno` and allows the rest (and every call of another ABI).
fn deny(nrs: &[u32], errno: i32) -> Vec<u8> {
    let n = nrs.len() as u8;
    let mut p = Vec::new();
    p.extend(bpf(LD_W_ABS, 0, 0, 4)); // arch
    p.extend(bpf(JEQ_K, 0, n + 2, AUDIT_ARCH_X86_64)); // -> nr | allow
    p.extend(bpf(LD_W_ABS, 0, 0, 0)); // nr
    for (i, nr) in nrs.iter().enumerate() {
        // -> the errno return, past the other compares | the next compare
        // (after the last one: allow)
        let left = n - 1 - i as u8;
        p.extend(bpf(JEQ_K, left, u8::from(left == 0), *nr));
    }
    p.extend(bpf(RET_K, 0, 0, RET_ERRNO | errno as u32));
    p.extend(bpf(RET_K, 0, 0, RET_ALLOW));
    p
}

const NR_MKDIR: u32 = 83;
const NR_MKDIRAT: u32 = 258;
const NR_PRCTL: u32 = 157;

/// Python reporting, one per line, how some system calls end:
/// `mkdir ERRNO`, `ioctl ERRNO` (TIOCSTI on fd 0, /dev/null: ENOTTY
/// without a filter), `keyctl ERRNO`, and the status's filter count.
const PROBE_PY: &str = r#"
import os, errno, ctypes
libc = ctypes.CDLL(None, use_errno=True)
def en(r):
    return 'OK' if r >= 0 else errno.errorcode.get(ctypes.get_errno(), '?')
d = '/tmp/jail-seccomp-probe-%d' % os.getpid()
print('mkdir', en(libc.mkdir(d.encode(), 0o700)))
try: os.rmdir(d)
except OSError: pass
c = ctypes.c_char(b'x')
print('ioctl', en(libc.ioctl(0, 0x5412, ctypes.byref(c))))
print('keyctl', en(libc.syscall(250, 0, -3, 0)))
print('prctl', en(libc.prctl(3, 0, 0, 0, 0)))
for l in open('/proc/self/status'):
    if l.startswith('Seccomp_filters:'):
        print('filters', l.split()[1])
"#;

/// Run PROBE_PY in `jail ARGS` with `programs` as --seccomp 3, 4, ...
pub fn probe(args: &[&str], programs: &[Vec<u8>]) -> std::process::Output {
    let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let mut fds = Vec::new();
    for (i, p) in programs.iter().enumerate() {
        let n = 3 + i as i32;
        a.extend(["--seccomp".into(), n.to_string()]);
        fds.push((n, data_fd(p)));
    }
    a.extend(["--", "python3", "-c", PROBE_PY].map(String::from));
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    run(jail_fds(&a, fds))
}

fn x86_64_only() -> bool {
    cfg!(target_arch = "x86_64")
}

// ---------------------------------------------------------------------------
// --seccomp FD

// bwrap tests/test-seccomp.py:333 (test_seccomp_denylist, with a program
// written here instead of libseccomp's)
#[test]
fn seccomp_program_refuses_calls_on_top_of_jails_filter() {
    need!("python3");
    if !x86_64_only() {
        skip!("the test's BPF program is written for x86_64");
    }
    // Control: without the program mkdir works.
    let out = ok(&probe(&[], &[]));
    assert!(out.contains("mkdir OK\n"), "{out}");
    assert!(out.contains("filters 1\n"), "{out}");
    for mode in [&[][..], &["--pid"], &["-r", "--net"]] {
        let program = deny(&[NR_MKDIR, NR_MKDIRAT], libc::ECONNREFUSED);
        let out = ok(&probe(mode, &[program]));
        assert!(out.contains("mkdir ECONNREFUSED\n"), "{mode:?}: {out}");
        // jail's own filter still answers what the program lets through.
        assert!(out.contains("ioctl EPERM\n"), "{mode:?}: {out}");
        assert!(out.contains("keyctl ENOSYS\n"), "{mode:?}: {out}");
        assert!(out.contains("filters 2\n"), "{mode:?}: {out}");
    }
}

// bwrap tests/test-seccomp.py:393 (test_seccomp_stacked, both orders)
#[test]
fn seccomp_programs_stack_in_command_line_order() {
    need!("python3");
    if !x86_64_only() {
        skip!("the test's BPF programs are written for x86_64");
    }
    let refused = deny(&[NR_MKDIR, NR_MKDIRAT], libc::ECONNREFUSED);
    let nosys = deny(&[NR_MKDIR, NR_MKDIRAT], libc::ENOSYS);
    // Two errors for one call: the later program's wins.
    let out = ok(&probe(&[], &[refused.clone(), nosys.clone()]));
    assert!(out.contains("mkdir ENOSYS\n"), "{out}");
    assert!(out.contains("filters 3\n"), "{out}");
    let out = ok(&probe(&[], &[nosys, refused]));
    assert!(out.contains("mkdir ECONNREFUSED\n"), "{out}");
    // The last program may refuse prctl(2); an earlier one stops the next.
    let no_prctl = deny(&[NR_PRCTL], libc::ECONNREFUSED);
    let out = ok(&probe(&[], &[allow_all(), no_prctl.clone()]));
    assert!(out.contains("prctl ECONNREFUSED\n"), "{out}");
    let o = probe(&[], &[no_prctl, allow_all()]);
    assert!(o.stdout.is_empty(), "COMMAND ran: {}", stdout(&o));
    fails(
        &o,
        125,
        "jail: --seccomp 4: install the program: Connection refused",
    );
}

#[test]
fn explain_names_the_seccomp_programs() {
    let o = run(jail_fds(
        &["--explain", "--seccomp", "3", "--seccomp", "4"],
        vec![(3, data_fd(&allow_all())), (4, data_fd(&allow_all()))],
    ));
    let out = ok(&o);
    let line = "also filtered by 2 --seccomp programs, on top of jail's filter";
    assert!(
        out.lines()
            .any(|l| l.starts_with("system calls: ") && l.ends_with(line)),
        "{out}"
    );
    let out = ok(&jail_run(&["--explain"]));
    assert!(!out.contains("system calls:"), "{out}");
}

// bwrap tests/test-seccomp.py:501 (test_seccomp_invalid)
#[test]
fn bad_seccomp_programs_are_one_line() {
    let t = |data: &[u8], needle: &str| {
        let o = run(jail_fds(
            &["--seccomp", "3", "--", "echo", "ran"],
            vec![(3, data_fd(data))],
        ));
        assert!(o.stdout.is_empty(), "COMMAND ran: {}", stdout(&o));
        fails(&o, 125, needle);
    };
    t(
        &allow_all()[..5],
        "jail: --seccomp 3: 5 bytes, not a whole number",
    );
    t(&[allow_all(), vec![1]].concat(), "--seccomp 3: 9 bytes");
    t(b"", "jail: --seccomp 3: no program");
    // 4097 instructions: more than the kernel takes.
    t(
        &allow_all().repeat(4097),
        "jail: --seccomp 3: more than 4096 instructions",
    );
    // Garbage the kernel refuses: an unknown opcode, a program that falls
    // off its end, a load past struct seccomp_data.
    for bad in [
        bpf(0xffff, 0, 0, 0).to_vec(),
        bpf(LD_W_ABS, 0, 0, 0).to_vec(),
        [bpf(LD_W_ABS, 0, 0, 4096), bpf(RET_K, 0, 0, RET_ALLOW)].concat(),
    ] {
        let e = {
            let o = run(jail_fds(
                &["--seccomp", "3", "--", "echo", "ran"],
                vec![(3, data_fd(&bad))],
            ));
            assert!(o.stdout.is_empty(), "COMMAND ran: {}", stdout(&o));
            fails(
                &o,
                125,
                "jail: --seccomp 3: install the program: Invalid argument",
            )
        };
        assert!(
            e.contains("jail: hint: the kernel refused the program"),
            "{e}"
        );
    }
    // The largest program the kernel takes is fine.
    let o = run(jail_fds(
        &["--seccomp", "3", "--", "echo", "ran"],
        vec![(3, data_fd(&allow_all().repeat(4096)))],
    ));
    assert_eq!(ok(&o), "ran\n");
    // An fd that is not open, or not a number.
    fails(
        &jail_run(&["--seccomp", "9", "--", "true"]),
        125,
        "jail: --seccomp 9: read: Bad file descriptor",
    );
    for bad in ["0a", "-1", ""] {
        fails(
            &jail_run(&["--seccomp", bad, "--", "true"]),
            125,
            "--seccomp: invalid value",
        );
    }
}

// ---------------------------------------------------------------------------
// --json-status-fd N

/// `"KEY": N` in a JSON line.
fn number(json: &str, key: &str) -> Option<i64> {
    let at = json.find(&format!("\"{key}\": "))? + key.len() + 4;
    let digits: String = json[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    digits.parse().ok()
}

/// Each line of `text` is one valid JSON object (python3's json.loads).
fn assert_json_lines(text: &str) {
    let o = Command::new("python3")
        .args([
            "-c",
            "import sys, json\nfor l in sys.stdin.read().splitlines(): \
             assert isinstance(json.loads(l), dict), l",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(text.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(o.status.success(), "not JSON: {text:?}: {}", stderr(&o));
}

/// Run `jail ARGS` with a pipe as fd 4 (and fd 5, if `info`): its exit
/// status, stdout, and all each pipe got.
fn with_status(args: &[&str], info: bool) -> (std::process::Output, String, String) {
    let (mut status_rd, status_wr) = pipe();
    let (mut info_rd, info_wr) = pipe();
    let mut fds = vec![(4, status_wr)];
    if info {
        fds.push((5, info_wr));
    } else {
        drop(info_wr);
    }
    let o = run(jail_fds(args, fds));
    let (mut status, mut info) = (String::new(), String::new());
    status_rd.read_to_string(&mut status).unwrap();
    info_rd.read_to_string(&mut info).unwrap();
    (o, status, info)
}

// bwrap tests/test-run.sh:103 ("info and json-status fd")
#[test]
fn json_status_reports_the_pid_then_the_exit_code() {
    need!("python3");
    let (o, status, info) = with_status(
        &[
            "--info-fd",
            "5",
            "--json-status-fd",
            "4",
            "--",
            "sh",
            "-c",
            "echo $$; exit 42",
        ],
        true,
    );
    assert_eq!(o.status.code(), Some(42), "{}", stderr(&o));
    assert_json_lines(&status);
    let lines: Vec<&str> = status.lines().collect();
    assert_eq!(lines.len(), 2, "{status:?}");
    // The first line is --info-fd's; without --pid, COMMAND's $$ is the
    // pid the caller sees.
    assert_eq!(format!("{}\n", lines[0]), info);
    let pid = stdout(&o).trim().parse::<i64>().unwrap();
    assert_eq!(number(lines[0], "command-pid"), Some(pid), "{status}");
    assert!(number(lines[0], "child-pid").unwrap() > 1, "{status}");
    assert_eq!(lines[1], "{\"exit-code\": 42}");
}

// bwrap tests/test-run.sh:112 ("namespace id info in info and json-status fd")
#[test]
fn json_status_lists_the_namespaces() {
    let (o, status, _) = with_status(
        &[
            "--all",
            "--json-status-fd",
            "4",
            "--",
            "sh",
            "-c",
            "stat -L -c '%n %i' /proc/self/ns/*",
        ],
        false,
    );
    let out = ok(&o);
    let first = status.lines().next().unwrap_or_default();
    for ns in ["ipc", "mnt", "net", "pid", "uts", "cgroup", "user"] {
        let want = out
            .lines()
            .find_map(|l| l.strip_prefix(&format!("/proc/self/ns/{ns} ")))
            .unwrap_or_else(|| panic!("no {ns} in {out}"));
        assert_eq!(
            number(first, ns).map(|n| n.to_string()).as_deref(),
            Some(want),
            "{ns}: {status}"
        );
    }
    assert_eq!(status.lines().nth(1), Some("{\"exit-code\": 0}"));
}

#[test]
fn json_status_reports_a_signal_and_a_timeout() {
    need!("python3");
    for mode in [&[][..], &["--pid"], &["--as-pid-1"]] {
        // (PID 1 of a namespace cannot SIGKILL itself.)
        if !mode.contains(&"--as-pid-1") {
            let mut a = mode.to_vec();
            a.extend(["--json-status-fd", "4", "--", "sh", "-c", "kill -9 $$"]);
            let (o, status, _) = with_status(&a, false);
            assert_eq!(o.status.signal(), Some(9), "{mode:?}");
            assert_json_lines(&status);
            assert_eq!(
                status.lines().last(),
                Some("{\"exit-code\": 137, \"signal\": 9}"),
                "{mode:?}: {status}"
            );
        }
        let mut a = mode.to_vec();
        a.extend(["--timeout", "0.2", "--kill-after", "0.2"]);
        a.extend(["--json-status-fd", "4", "--"]);
        a.extend(["sleep", "30"]);
        let (o, status, _) = with_status(&a, false);
        assert_eq!(o.status.code(), Some(124), "{mode:?}");
        assert_json_lines(&status);
        assert_eq!(
            status.lines().last(),
            Some("{\"exit-code\": 124, \"timed-out\": true}"),
            "{mode:?}: {status}"
        );
    }
}

/// The start line comes while COMMAND runs; COMMAND does not hold the fd;
/// the same fd may serve --info-fd too (one start line).
#[test]
fn json_status_start_line_comes_first_and_command_lacks_the_fd() {
    for same in [false, true] {
        let (rd, wr) = pipe();
        let mut a = vec!["--pid", "--json-status-fd", "4"];
        if same {
            a.extend(["--info-fd", "4"]);
        }
        a.extend([
            "--",
            "sh",
            "-c",
            "if [ -e /proc/self/fd/4 ]; then echo fd4 open; fi; echo started; exec sleep 30",
        ]);
        let mut c = jail_fds(&a, vec![(4, wr)]);
        c.stdin(Stdio::null()).stdout(Stdio::piped());
        let mut child = c.spawn().unwrap();
        // Our copy of the write end lives in the command.
        drop(c);
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert_eq!(line, "started\n", "fd 4 reached COMMAND");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(rd);
            let mut first = String::new();
            let _ = r.read_line(&mut first);
            let _ = tx.send(first);
            let mut rest = String::new();
            let _ = r.read_to_string(&mut rest);
            let _ = tx.send(rest);
        });
        let first = rx
            .recv_timeout(Duration::from_secs(15))
            .expect("no start line");
        assert!(first.starts_with("{\"child-pid\": "), "{first}");
        assert!(child.try_wait().unwrap().is_none(), "jail ended early");
        // SAFETY: kill takes no pointers; SIGTERM goes on to COMMAND.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let st = child.wait().unwrap();
        assert_eq!(st.signal(), Some(libc::SIGTERM));
        let rest = rx
            .recv_timeout(Duration::from_secs(15))
            .expect("fd left open");
        assert_eq!(
            rest, "{\"exit-code\": 143, \"signal\": 15}\n",
            "same fd: {same}"
        );
    }
}

// bwrap tests/test-run.sh:131 ("exec failure doesn't include exit-code in
// json-status")
#[test]
fn json_status_is_empty_when_the_jail_does_not_start() {
    let (o, status, _) = with_status(&["--json-status-fd", "4", "--", "/"], false);
    assert_eq!(o.status.code(), Some(126));
    assert_eq!(status, "");
    // bwrap tests/test-run.sh:126 (a failure before exec; a missing --chdir
    // here, where bwrap injects one with strace)
    let (o, status, _) = with_status(
        &[
            "--json-status-fd",
            "4",
            "--chdir",
            "/nonexistent",
            "--",
            "true",
        ],
        false,
    );
    fails(&o, 125, "--chdir");
    assert_eq!(status, "");
    fails(
        &jail_run(&["--json-status-fd", "9", "--", "true"]),
        125,
        "jail: --json-status-fd 9: Bad file descriptor",
    );
    for bad in ["1", "x", "-1"] {
        fails(
            &jail_run(&["--json-status-fd", bad, "--", "true"]),
            125,
            "--json-status-fd: invalid value",
        );
    }
    let (o, _, _) = with_status(
        &["--json-status-fd", "4", "--keep-fd", "4", "--", "true"],
        false,
    );
    fails(&o, 125, "--json-status-fd: conflicts with --keep-fd 4");
}

// ---------------------------------------------------------------------------
// --args FD

/// NUL-terminated words.
fn nul_words(words: &[&str]) -> Vec<u8> {
    words
        .iter()
        .flat_map(|w| [w.as_bytes(), b"\0"].concat())
        .collect()
}

/// Prints each argument as [ARG].
const SHOW_ARGS: &str = "for a; do printf '[%s]' \"$a\"; done";

#[test]
fn args_from_an_fd_survive_byte_for_byte() {
    let words = [
        "--net",
        "--",
        "sh",
        "-c",
        SHOW_ARGS,
        "sh",
        "a b",
        "two\nlines",
        "",
        "--pid",
        "*",
    ];
    let o = run(jail_fds(
        &["--args", "3", "last"],
        vec![(3, data_fd(&nul_words(&words)))],
    ));
    assert_eq!(ok(&o), "[a b][two\nlines][][--pid][*][last]");
    // The options read took effect (--net: only lo), and the ones after
    // --args FD on the command line apply too.
    let o = run(jail_fds(
        &[
            "--args",
            "3",
            "--uts",
            "--",
            "sh",
            "-c",
            "awk -F: 'NR > 2 { print $1 }' /proc/net/dev | tr -d ' '; hostname",
        ],
        vec![(3, data_fd(&nul_words(&["--net", "--hostname", "from-fd"])))],
    ));
    assert_eq!(ok(&o), "lo\nfrom-fd\n");
    // A last word without its NUL counts too.
    let o = run(jail_fds(
        &["--args", "3"],
        vec![(3, data_fd(b"echo\0no-nul"))],
    ));
    assert_eq!(ok(&o), "no-nul\n");
}

// bwrap tests/test-run.sh:262 ("we can parse arguments from a fd"; --tmpfs
// for bwrap's --dir)
#[test]
fn args_from_several_fds() {
    let fd = |d: &str| data_fd(&nul_words(&["--tmpfs", d]));
    let o = run(jail_fds(
        &[
            "--args",
            "3",
            "--args",
            "4",
            "--args",
            "5",
            "/bin/sh",
            "-c",
            "test -d /tmp/hello/world && test -d /tmp/hello/world2 && test -d /tmp/hello/world3",
        ],
        vec![
            (3, fd("/tmp/hello/world")),
            (4, fd("/tmp/hello/world2")),
            (5, fd("/tmp/hello/world3")),
        ],
    ));
    ok(&o);
}

#[test]
fn bad_args_are_one_line() {
    let t = |data: &[u8], needle: &str| {
        let o = run(jail_fds(
            &["--args", "3", "--", "echo", "ran"],
            vec![(3, data_fd(data))],
        ));
        assert!(o.stdout.is_empty(), "COMMAND ran: {}", stdout(&o));
        fails(&o, 125, needle)
    };
    t(&nul_words(&["--bogus"]), "jail: --bogus: unknown option");
    // As if typed there: a value may come from after --args FD.
    t(&nul_words(&["--uid"]), "jail: --uid: invalid value '--'");
    t(
        &nul_words(&["--uid", "x"]),
        "jail: --uid: invalid value 'x'",
    );
    // No nesting (bwrap refuses it too).
    t(
        &nul_words(&["--net", "--args", "0"]),
        "jail: --args: not allowed in the arguments read by --args",
    );
    fails(
        &jail_run(&["--args", "9", "--", "true"]),
        125,
        "jail: --args 9: read: Bad file descriptor",
    );
    for bad in ["x", "-1", "3a"] {
        fails(
            &jail_run(&["--args", bad, "--", "true"]),
            125,
            "jail: --args: invalid value",
        );
    }
    // An endless fd stops at the limit.
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let o = run(jail_fds(
        &["--args", "3", "--", "true"],
        vec![(3, zero.into())],
    ));
    fails(
        &o,
        125,
        "jail: --args 3: more than 16 MiB of arguments in all",
    );
}
