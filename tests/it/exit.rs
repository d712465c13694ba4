//! Exit status: COMMAND's status passes through, signals are re-raised, and
//! exec failures give 126/127 with one `jail: exec ...` line.

use crate::common::*;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::Output;

#[track_caller]
fn silent_success(out: &Output, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}: {:?} stderr {}",
        out.status,
        stderr(out)
    );
    assert_eq!(stdout(out), "", "{what}: stdout not empty");
    assert_eq!(stderr(out), "", "{what}: stderr not empty");
}

#[test]
fn exit_status_passes_through() {
    for code in [0, 1, 3, 42, 255] {
        let out = jail_run(&["--", "sh", "-c", &format!("exit {code}")]);
        assert_eq!(
            out.status.code(),
            Some(code),
            "COMMAND exited {code}, jail {:?}; stderr {}",
            out.status,
            stderr(&out)
        );
        assert_eq!(stderr(&out), "", "exit {code}: jail printed something");
    }
}

#[test]
fn exit_status_passes_through_with_pid_ns() {
    for code in [0, 1, 3, 255] {
        let out = jail_run(&["--pid", "--", "sh", "-c", &format!("exit {code}")]);
        assert_eq!(
            out.status.code(),
            Some(code),
            "--pid: COMMAND exited {code}, jail {:?}; stderr {}",
            out.status,
            stderr(&out)
        );
        assert_eq!(
            stderr(&out),
            "",
            "--pid exit {code}: jail printed something"
        );
    }
}

#[test]
fn true_is_silent() {
    silent_success(&jail_run(&["--", "true"]), "jail -- true");
}

#[test]
fn true_with_namespaces_is_silent() {
    silent_success(
        &jail_run(&["--net", "--pid", "--uts", "--ipc", "--", "true"]),
        "jail --net --pid --uts --ipc -- true",
    );
}

#[test]
fn true_with_all_is_silent() {
    silent_success(&jail_run(&["--all", "--", "true"]), "jail --all -- true");
}

#[track_caller]
fn dies_by(args: &[&str], sig: i32) {
    let out = jail_run(args);
    assert_eq!(
        out.status.signal(),
        Some(sig),
        "jail {args:?}: want death by signal {sig}, got {:?}; stderr {}",
        out.status,
        stderr(&out)
    );
}

#[test]
fn killed_by_sigterm() {
    dies_by(&["--", "sh", "-c", "kill -TERM $$"], libc::SIGTERM);
}

#[test]
fn killed_by_sigterm_with_pid_ns() {
    dies_by(&["--pid", "--", "sh", "-c", "kill -TERM $$"], libc::SIGTERM);
}

#[test]
fn killed_by_sigkill() {
    dies_by(&["--", "sh", "-c", "kill -KILL $$"], libc::SIGKILL);
}

#[test]
fn killed_by_sigkill_with_pid_ns() {
    dies_by(&["--pid", "--", "sh", "-c", "kill -KILL $$"], libc::SIGKILL);
}

#[test]
fn killed_by_sigsegv_without_core() {
    // Allow core dumps (as far as the hard limit goes) and run in a scratch
    // directory: jail itself must still not dump core when it re-raises.
    let dir = TempDir::new();
    let mut c = jail(["--", "sh", "-c", "kill -SEGV $$"]);
    c.current_dir(dir.path());
    // SAFETY: getrlimit/setrlimit are async-signal-safe.
    unsafe {
        c.pre_exec(|| {
            let mut r = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::getrlimit(libc::RLIMIT_CORE, &mut r);
            r.rlim_cur = r.rlim_max;
            libc::setrlimit(libc::RLIMIT_CORE, &r);
            Ok(())
        });
    }
    let out = run(c);
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGSEGV),
        "want death by SIGSEGV, got {:?}; stderr {}",
        out.status,
        stderr(&out)
    );
    assert!(
        !out.status.core_dumped(),
        "jail dumped core re-raising SIGSEGV (core dumps must be off)"
    );
}

#[test]
fn command_not_found() {
    let out = jail_run(&["--", "jail-no-such-command-xyz"]);
    fails(
        &out,
        127,
        "jail: exec jail-no-such-command-xyz: command not found",
    );
    assert_eq!(stdout(&out), "");
}

/// A PATH directory the user cannot search hides nothing: still "not
/// found" (127), as in a shell; a file that is there but not executable
/// in a later directory is "Permission denied" (126).
#[test]
fn unsearchable_path_directory_is_not_permission_denied() {
    let dir = TempDir::new();
    let closed = dir.join("closed");
    mkdir_mode(&closed, 0o700);
    let open = dir.join("open");
    mkdir_mode(&open, 0o755);
    let plain = open.join("jail-plain-file");
    write_mode(&plain, "#!/bin/sh\n", 0o644);
    let path = format!("{}:{}:/usr/bin:/bin", closed.display(), open.display());
    if !is_root() {
        // The caller owns `closed`; take away its own search permission.
        std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let mut c = jail(["--", "jail-no-such-command-xyz"]);
    c.env("PATH", &path);
    fails(
        &run(c),
        127,
        "jail: exec jail-no-such-command-xyz: command not found",
    );
    let mut c = jail(["--", "jail-plain-file"]);
    c.env("PATH", &path);
    fails(
        &run(c),
        126,
        "jail: exec jail-plain-file: Permission denied",
    );
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o700)).unwrap();
}

/// A script without `#!` runs with /bin/sh, as execvp(3) (and so env,
/// unshare and a shell) would run it.
#[test]
fn script_without_shebang_runs_with_sh() {
    let dir = TempDir::new();
    let script = dir.join("plain-script");
    write_mode(&script, "echo \"ran as $0 with $1\"\nexit 7\n", 0o755);
    let p = script.to_str().unwrap();
    let out = jail_run(&["--", p, "arg1"]);
    assert_eq!(out.status.code(), Some(7), "{out:?}");
    assert_eq!(stdout(&out), format!("ran as {p} with arg1\n"));
}

#[test]
fn command_path_not_found() {
    let dir = TempDir::new();
    let p = dir.join("missing");
    let p = p.to_str().unwrap();
    let out = jail_run(&["--", p]);
    fails(
        &out,
        127,
        &format!("jail: exec {p}: No such file or directory"),
    );
}

#[test]
fn relative_path_not_found() {
    let dir = TempDir::new();
    let mut c = jail(["--", "./x"]);
    c.current_dir(dir.path());
    let out = run(c);
    fails(&out, 127, "jail: exec ./x: No such file or directory");
}

#[test]
fn not_executable_file() {
    let dir = TempDir::new();
    let p = dir.join("script");
    write_mode(&p, "#!/bin/sh\necho should-not-run\n", 0o644);
    let p = p.to_str().unwrap();
    let out = jail_run(&["--", p]);
    fails(&out, 126, &format!("jail: exec {p}"));
    assert_eq!(stdout(&out), "", "the non-executable file ran");
}

#[test]
fn not_executable_file_found_in_path() {
    let dir = TempDir::new();
    let p = dir.join("jail-test-noexec");
    write_mode(&p, "#!/bin/sh\necho should-not-run\n", 0o644);
    let path = format!("PATH={}", dir.path().display());
    let out = jail_run(&["--env", &path, "--", "jail-test-noexec"]);
    fails(&out, 126, "jail: exec jail-test-noexec");
    assert_eq!(stdout(&out), "", "the non-executable file ran");
}

#[test]
fn directory_is_not_executable() {
    let dir = TempDir::new();
    let p = dir.path().to_str().unwrap();
    let out = jail_run(&["--", p]);
    fails(&out, 126, &format!("jail: exec {p}"));
}

#[test]
fn exit_status_passes_through_as_pid_1() {
    let out = jail_run(&["--as-pid-1", "--", "sh", "-c", "exit 3"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "--as-pid-1: COMMAND exited 3, jail {:?}; stderr {}",
        out.status,
        stderr(&out)
    );
}

#[test]
fn exec_failures_with_pid_ns() {
    let dir = TempDir::new();
    let p = dir.join("script");
    write_mode(&p, "#!/bin/sh\necho should-not-run\n", 0o644);
    let p = p.to_str().unwrap();
    for flag in ["--pid", "--as-pid-1"] {
        let out = jail_run(&[flag, "--", "jail-no-such-command-xyz"]);
        fails(
            &out,
            127,
            "jail: exec jail-no-such-command-xyz: command not found",
        );
        let out = jail_run(&[flag, "--", p]);
        fails(&out, 126, &format!("jail: exec {p}"));
        assert_eq!(stdout(&out), "", "{flag}: the non-executable file ran");
    }
}
