//! Command-line parsing: bad input is refused with exit 125 and one line
//! naming the flag (and nothing is run), parsing stops at COMMAND, argv
//! reaches COMMAND byte for byte, no COMMAND runs $SHELL, --help/--version.

use crate::common::*;

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::process::{Output, Stdio};
use std::time::Duration;

/// The flag table itself, so that every flag is covered as the table grows.
// The table's man page sentences, as build.rs has them.
macro_rules! man_doc {
    ($doc:expr) => {
        $doc
    };
}
#[allow(dead_code)]
#[path = "../../src/cli/defs.rs"]
mod defs;

/// Run `jail ARGS -- touch MARK` (with `cmd`) or just `jail ARGS` with
/// $SHELL a script that touches MARK (without `cmd`). Returns the output and
/// whether anything ran (MARK exists).
fn attempt(args: &[&str], cmd: bool) -> (Output, bool) {
    let dir = TempDir::new();
    let mark = dir.join("ran");
    let shell = dir.join("shell");
    write_mode(
        &shell,
        format!("#!/bin/sh\ntouch '{}'\n", mark.display()),
        0o755,
    );
    let mut full: Vec<OsString> = args.iter().map(OsString::from).collect();
    if cmd {
        full.push("--".into());
        full.push("touch".into());
        full.push(mark.clone().into());
    }
    let mut c = jail(&full);
    c.env("SHELL", &shell);
    let out = run(c);
    let ran = mark.exists();
    (out, ran)
}

/// `jail ARGS -- touch MARK` must fail with 125, one line containing every
/// needle, no stdout, and MARK must not exist. Returns stderr.
#[track_caller]
fn rejects(args: &[&str], needles: &[&str]) -> String {
    let (out, ran) = attempt(args, true);
    let err = fails(&out, 125, needles[0]);
    for n in &needles[1..] {
        assert!(err.contains(n), "jail {args:?}: {n:?} not in {err:?}");
    }
    assert!(
        out.stdout.is_empty(),
        "jail {args:?} wrote to stdout: {:?}",
        stdout(&out)
    );
    assert!(!ran, "jail {args:?} ran COMMAND despite bad input");
    err
}

/// Run with `input` on stdin.
fn run_stdin(mut c: std::process::Command, input: &[u8]) -> Output {
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn jail");
    {
        let mut w = child.stdin.take().unwrap();
        w.write_all(input).unwrap();
    }
    wait_output(child, Duration::from_secs(30))
}

#[test]
fn unknown_long_flag() {
    rejects(&["--bogus"], &["jail: --bogus: unknown option"]);
}

/// A typo gets the nearest flag as a hint; nothing near, no hint.
#[test]
fn unknown_long_flag_suggests_the_closest() {
    for (typo, want) in [
        ("--nte", "--net"),
        ("--ro-bnd", "--ro-bind"),
        ("--hid", "--hide"),
    ] {
        let err = rejects(&[typo], &[&format!("jail: {typo}: unknown option")]);
        assert!(
            err.ends_with(&format!("\njail: hint: did you mean {want}?\n")),
            "{typo}: {err:?}"
        );
    }
    let err = rejects(&["--bogus"], &["jail: --bogus: unknown option"]);
    assert!(!err.contains("hint"), "--bogus: {err:?}");
}

#[test]
fn unknown_short_flag() {
    assert!(defs::by_short('Z').is_none(), "-Z became a real flag");
    rejects(&["-Z"], &["jail: -Z: unknown option"]);
}

#[test]
fn unknown_flag_after_good_ones() {
    rejects(
        &["--net", "--bogus-two"],
        &["jail: --bogus-two: unknown option"],
    );
}

#[test]
fn missing_value_for_every_value_flag() {
    let mut n = 0;
    for f in defs::FLAGS.iter().filter(|f| f.value.name().is_some()) {
        n += 1;
        let flag = format!("--{}", f.long);
        // The flag is last, so no COMMAND: $SHELL would touch the mark.
        let (out, ran) = attempt(&[&flag], false);
        fails(&out, 125, &format!("jail: {flag}: missing value"));
        assert!(!ran, "jail {flag} (missing value) ran the shell");
        assert!(out.stdout.is_empty(), "jail {flag}: stdout not empty");
    }
    assert!(n >= 10, "only {n} value-taking flags in the table?");
}

#[test]
fn non_numeric_values() {
    for flag in ["--uid", "--gid", "--keep-fd", "--monotonic", "--boottime"] {
        for v in ["abc", "1.5", "12x"] {
            rejects(&[flag, v], &[&format!("jail: {flag}: invalid value '{v}'")]);
        }
    }
}

#[test]
fn long_flag_with_equals_value() {
    let out = jail_run(&["--uid=7", "--", "id", "-u"]);
    assert_eq!(ok(&out), "7\n", "--uid=7 not taken as --uid 7");
}

#[test]
fn bad_rlimit_name() {
    rejects(&["--rlimit", "foo=1"], &["--rlimit", "'foo'"]);
}

#[test]
fn bad_rlimit_value() {
    for v in ["nofile=abc", "nofile=", "nofile", "nofile=1:x", "nofile=-1"] {
        rejects(&["--rlimit", v], &["--rlimit"]);
    }
}

#[test]
fn rlimit_soft_above_hard() {
    rejects(&["--rlimit", "nofile=200:100"], &["--rlimit", "soft limit"]);
}

#[test]
fn rlimit_suffix_on_non_byte_limit() {
    for v in ["nofile=1K", "cpu=1M", "nproc=1G"] {
        rejects(&["--rlimit", v], &["--rlimit"]);
    }
}

#[test]
fn keep_fd_closed() {
    // The harness's children inherit no fd 99.
    rejects(
        &["--keep-fd", "99"],
        &["jail: --keep-fd 99: Bad file descriptor"],
    );
}

#[test]
fn stdin_nonexistent() {
    let dir = TempDir::new();
    let p = dir.join("missing");
    let p = p.to_str().unwrap();
    rejects(
        &["--stdin", p],
        &[&format!("jail: --stdin {p}: No such file or directory")],
    );
}

#[test]
fn stdin_unreadable() {
    let dir = TempDir::new();
    let p = dir.join("secret");
    write_mode(&p, "secret\n", 0o000);
    let p = p.to_str().unwrap();
    rejects(
        &["--stdin", p],
        &[&format!("jail: --stdin {p}"), "Permission denied"],
    );
}

#[test]
fn switch_given_a_value() {
    rejects(&["--net=x"], &["jail: --net"]);
    rejects(&["--pid=1"], &["jail: --pid"]);
}

#[test]
fn map_root_with_uid_or_gid() {
    rejects(&["-r", "--uid", "5"], &["--uid", "--map-root"]);
    rejects(&["--uid", "5", "--map-root"], &["--uid", "--map-root"]);
    rejects(&["--map-root", "--gid", "5"], &["--gid", "--map-root"]);
}

#[test]
fn parsing_stops_at_command() {
    let out = jail_run(&["echo", "--net"]);
    assert_eq!(
        ok(&out),
        "--net\n",
        "`jail echo --net` must pass --net to echo"
    );
    let out = jail_run(&["echo", "--help", "-v", "--bogus"]);
    assert_eq!(
        ok(&out),
        "--help -v --bogus\n",
        "flags after COMMAND belong to COMMAND"
    );
    let out = jail_run(&["--uts", "--", "echo", "a", "--", "--net"]);
    assert_eq!(ok(&out), "a -- --net\n", "a later -- belongs to COMMAND");
}

#[test]
fn double_dash_then_dash_command() {
    let out = jail_run(&["--", "--weird"]);
    fails(&out, 127, "jail: exec --weird: command not found");
}

/// What `printf '%s\0' "$@"` prints for ARGS.
fn nul_joined(args: &[OsString]) -> Vec<u8> {
    let mut v = Vec::new();
    for a in args {
        v.extend_from_slice(a.as_bytes());
        v.push(0);
    }
    v
}

fn odd_args() -> Vec<OsString> {
    vec![
        OsString::from(""),
        OsString::from("a\nb"),
        OsString::from(""),
        OsString::from(" two  spaces "),
        OsString::from("$HOME * ;|&'\""),
        OsString::from("-n"),
        OsString::from("x".repeat(100 * 1024)),
        OsStr::from_bytes(b"\xff\xfe non-utf8 \x80").to_os_string(),
        OsString::from_vec("ünïcödé".as_bytes().to_vec()),
    ]
}

/// Compare without dumping 100 KB into the failure message.
#[track_caller]
fn assert_same_bytes(got: &[u8], want: &[u8], what: &str) {
    if got != want {
        let at = got
            .iter()
            .zip(want)
            .position(|(a, b)| a != b)
            .unwrap_or(got.len().min(want.len()));
        let ctx = |v: &[u8]| {
            String::from_utf8_lossy(&v[at.saturating_sub(20)..(at + 40).min(v.len())]).into_owned()
        };
        panic!(
            "{what}: got {} bytes, want {}; first difference at byte {at}: got {:?}, want {:?}",
            got.len(),
            want.len(),
            ctx(got),
            ctx(want)
        );
    }
}

// The results go to a file: the harness reads stdout only after exit, so
// more than a pipe buffer of output would block.

#[test]
fn argv_byte_exact_via_printf() {
    let dir = TempDir::new();
    let res = dir.join("argv");
    let args = odd_args();
    let mut full: Vec<OsString> = [
        "--",
        "sh",
        "-c",
        "f=$1; shift; printf '%s\\0' \"$@\" > \"$f\"",
        "sh",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    full.push(res.clone().into());
    full.extend(args.iter().cloned());
    let out = run(jail(&full));
    assert!(out.status.success(), "jail failed: {}", stderr(&out));
    let got = std::fs::read(&res).expect("no result file");
    assert_same_bytes(&got, &nul_joined(&args), "argv seen by COMMAND");
}

#[test]
fn argv_byte_exact_via_proc_cmdline() {
    let dir = TempDir::new();
    let res = dir.join("cmdline");
    let args = odd_args();
    // `; exit 0` keeps sh from exec'ing cat, so $$ is the sh jail exec'd.
    let script = "cat /proc/$$/cmdline > \"$1\"; exit 0";
    let mut full: Vec<OsString> = ["sh", "-c", script, "sh"]
        .iter()
        .map(OsString::from)
        .collect();
    full.push(res.clone().into());
    full.extend(args.iter().cloned());
    let want = nul_joined(&full);
    let mut jargs: Vec<OsString> = vec!["--".into()];
    jargs.extend(full);
    let out = run(jail(&jargs));
    assert!(out.status.success(), "jail failed: {}", stderr(&out));
    let got = std::fs::read(&res).expect("no result file");
    assert_same_bytes(&got, &want, "/proc/PID/cmdline of COMMAND");
}

#[test]
fn no_command_runs_shell_from_env() {
    let mut c = jail(Vec::<&str>::new());
    c.env("SHELL", "/bin/sh");
    let out = run_stdin(c, b"echo hi-$((1+1))\n");
    assert_eq!(
        ok(&out),
        "hi-2\n",
        "jail without COMMAND did not run $SHELL"
    );
    assert_eq!(stderr(&out), "", "stderr not empty");
}

#[test]
fn no_command_uses_the_shell_named_by_shell() {
    let dir = TempDir::new();
    let shell = dir.join("myshell");
    write_mode(&shell, "#!/bin/sh\necho custom-shell-ran\n", 0o755);
    let mut c = jail(["--net"]);
    c.env("SHELL", &shell);
    let out = run(c);
    let o = ok(&out);
    assert!(
        o.starts_with("custom-shell-ran\n"),
        "$SHELL ({}) was not run: stdout {o:?}",
        shell.display()
    );
}

#[test]
fn no_command_no_shell_var_runs_bin_sh() {
    let mut c = jail(Vec::<&str>::new());
    c.env_remove("SHELL");
    let out = run_stdin(c, b"echo hi-$((2+3))\n");
    assert_eq!(ok(&out), "hi-5\n", "without $SHELL, /bin/sh should run");
}

#[track_caller]
fn info_ok(flag: &str) -> String {
    let (out, ran) = attempt(&[flag], true);
    assert_eq!(
        out.status.code(),
        Some(0),
        "jail {flag}: {:?} stderr {}",
        out.status,
        stderr(&out)
    );
    assert_eq!(stderr(&out), "", "jail {flag}: stderr not empty");
    assert!(!ran, "jail {flag} -- touch: the command ran");
    let o = stdout(&out);
    assert!(!o.trim().is_empty(), "jail {flag}: nothing on stdout");
    o
}

/// The options a `--help` line starts with: `  -n, --net   text` gives
/// `["-n", "--net"]`.
fn leading_options(line: &str) -> Vec<&str> {
    line.split_whitespace()
        .map(|t| t.trim_end_matches(','))
        .take_while(|t| t.starts_with('-'))
        .map(|t| t.split('=').next().unwrap())
        .collect()
}

#[test]
fn help_lists_every_flag() {
    for flag in ["--help", "-h"] {
        let o = info_ok(flag);
        for f in defs::FLAGS {
            let long = format!("--{}", f.long);
            let short = f.short.map(|s| format!("-{s}"));
            let listed = o.lines().map(leading_options).any(|opts| {
                opts.contains(&long.as_str())
                    && short.as_ref().is_none_or(|s| opts.contains(&s.as_str()))
            });
            assert!(
                listed,
                "{flag}: no line starts with {}{long}:\n{o}",
                short.map(|s| s + ", ").unwrap_or_default()
            );
        }
    }
}

#[test]
fn version_prints_version() {
    for flag in ["--version", "-V"] {
        let o = info_ok(flag);
        assert!(
            o.contains(env!("CARGO_PKG_VERSION")),
            "{flag} output lacks {}: {o:?}",
            env!("CARGO_PKG_VERSION")
        );
    }
}

/// Output that cannot be written (a full disk): one error line and 125,
/// not a crash. An error that cannot be written still ends in 125.
#[test]
fn unwritable_output_is_an_error_not_a_crash() {
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    for args in [&["--help"][..], &["--version"], &["--completions", "bash"]] {
        let mut c = jail(args);
        c.stdin(Stdio::null()).stdout(full()).stderr(Stdio::piped());
        let o = wait_output(c.spawn().unwrap(), Duration::from_secs(30));
        let err = fails(&o, 125, "write standard output");
        assert!(
            err.contains("No space left on device"),
            "jail {args:?}: {err:?}"
        );
    }
    let mut c = jail(["--bogus"]);
    c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(full());
    let o = wait_output(c.spawn().unwrap(), Duration::from_secs(30));
    assert_eq!(
        o.status.code(),
        Some(125),
        "jail --bogus 2>/dev/full: {o:?}"
    );
}

/// `--hide /` and `--tmpfs /` would do nothing (or everything): refused.
#[test]
fn hide_or_tmpfs_over_root_is_refused() {
    rejects(&["--hide", "/"], &["--hide /", "root directory"]);
    rejects(
        &["--hide", "/tmp/.."],
        &["--hide /tmp/..", "root directory"],
    );
    rejects(&["--tmpfs", "/"], &["--tmpfs /", "--root"]);
}
