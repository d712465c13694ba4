//! jail with other tools: itself nested, bwrap inside, make's SHELL, and a
//! kernel that refuses user namespaces.

use crate::common::*;
use crate::{need, skip};

use std::os::unix::process::CommandExt;
use std::process::Command;

fn inner() -> String {
    bin().to_str().expect("utf-8 binary path").to_string()
}

#[test]
fn nested_jail_runs() {
    let inner = inner();
    let out = jail_run(&["--net", "--", &inner, "--pid", "--", "true"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "jail --net -- jail --pid -- true: {:?}; stderr: {}",
        out.status,
        stderr(&out)
    );
}

#[test]
fn nested_jail_command_is_pid_2() {
    let inner = inner();
    let out = jail_run(&["--net", "--", &inner, "--pid", "--", "sh", "-c", "echo $$"]);
    assert_eq!(ok(&out).trim(), "2", "stderr: {}", stderr(&out));
}

#[test]
fn nested_jail_gets_its_own_namespaces() {
    // The inner jail's network namespace is the outer one's, its user
    // namespace is new again; both differ from the host's.
    let inner = inner();
    let out = jail_run(&[
        "--net",
        "--",
        "sh",
        "-c",
        &format!(
            "readlink /proc/self/ns/net /proc/self/ns/user; \
             {inner} -- readlink /proc/self/ns/net /proc/self/ns/user"
        ),
    ]);
    let text = ok(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "got {text:?}");
    let host_net = std::fs::read_link("/proc/self/ns/net").unwrap();
    let host_user = std::fs::read_link("/proc/self/ns/user").unwrap();
    let (host_net, host_user) = (host_net.to_string_lossy(), host_user.to_string_lossy());
    assert!(lines[0].starts_with("net:["), "got {text:?}");
    assert_ne!(lines[0], host_net, "outer net ns is the host's: {text:?}");
    assert_eq!(lines[2], lines[0], "inner jail without --net: {text:?}");
    assert_ne!(lines[1], host_user, "outer user ns is the host's: {text:?}");
    assert_ne!(
        lines[3], lines[1],
        "inner user ns is the outer one's: {text:?}"
    );
    assert_ne!(lines[3], host_user, "inner user ns is the host's: {text:?}");
}

#[test]
fn bwrap_runs_inside_jail() {
    need!("bwrap");
    let out = jail_run(&["--", "bwrap", "--bind", "/", "/", "--", "true"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "jail -- bwrap --bind / / -- true: {:?}; stdout: {} stderr: {}",
        out.status,
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn bwrap_with_unshare_net_runs_inside_jail() {
    need!("bwrap");
    let out = jail_run(&[
        "--",
        "bwrap",
        "--unshare-net",
        "--bind",
        "/",
        "/",
        "--",
        "true",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "jail -- bwrap --unshare-net --bind / / -- true: {:?}; stdout: {} stderr: {}",
        out.status,
        stdout(&out),
        stderr(&out)
    );
}

/// `cmd` as the test user with a small, known environment.
fn as_test_user(mut cmd: Command) -> Command {
    cmd.current_dir("/tmp")
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
        .env("HOME", "/tmp")
        .env("LC_ALL", "C");
    if is_root() {
        cmd.uid(NOBODY).gid(NOBODY);
    }
    cmd
}

#[test]
fn make_runs_recipes_through_jail() {
    need!("make");
    let dir = TempDir::new();
    let makefile = format!(
        "SHELL := {bin}\n\
         .SHELLFLAGS := --net -- /bin/sh -c\n\
         all: inside fail\n\
         inside:\n\
         \t@readlink /proc/self/ns/net\n\
         \t@tail -n +3 /proc/net/dev | cut -d: -f1\n\
         fail: inside\n\
         \t@false\n",
        bin = bin().display()
    );
    std::fs::write(dir.join("Makefile"), makefile).unwrap();
    let mut cmd = as_test_user(Command::new("make"));
    cmd.current_dir(dir.path());
    let out = run(cmd);
    let (text, err) = (stdout(&out), stderr(&out));
    let host = std::fs::read_link("/proc/self/ns/net").unwrap();
    let host = host.to_string_lossy();
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert!(
        lines.first().is_some_and(|l| l.starts_with("net:[")),
        "the first recipe's output is missing: stdout {text:?} stderr {err:?}"
    );
    assert_ne!(
        lines[0], host,
        "recipe ran in the host's network namespace: {text:?}"
    );
    assert_eq!(
        &lines[1..],
        ["lo"],
        "interfaces inside --net (want only lo): {text:?}; stderr {err:?}"
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "make with a failing recipe: {:?}; stdout {text:?} stderr {err:?}",
        out.status
    );
    assert!(
        err.contains("fail") && err.contains("Error 1"),
        "make should report the failing recipe's exit 1: {err:?}"
    );
}

#[test]
fn user_namespaces_refused_is_explained() {
    need!("unshare");
    let dir = TempDir::new();
    let entered = dir.join("entered");
    // Inside a user namespace of its own, the test user is root there and
    // may lower that namespace's user.max_user_namespaces to 0.
    let script = format!(
        ": > {entered}; echo 0 > /proc/sys/user/max_user_namespaces || exit 99; \
         exec {bin} -- true",
        entered = entered.display(),
        bin = bin().display()
    );
    let mut cmd = as_test_user(Command::new("unshare"));
    cmd.args(["-U", "-r", "sh", "-c", &script]);
    let out = run(cmd);
    if !entered.exists() {
        skip!(
            "unshare -U -r failed: {:?} {}",
            out.status,
            stderr(&out).trim()
        );
    }
    if out.status.code() == Some(99) {
        skip!(
            "cannot set user.max_user_namespaces inside a user namespace: {}",
            stderr(&out).trim()
        );
    }
    let err = fails(&out, 125, "user namespace");
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines[0].contains("user namespace"),
        "first line should name the user namespace: {err:?}"
    );
    assert_eq!(lines.len(), 2, "want a hint line: {err:?}");
    assert!(
        lines[1].starts_with("jail: hint: ") && lines[1].contains("max_user_namespaces"),
        "the hint should name max_user_namespaces: {err:?}"
    );
    assert_eq!(stdout(&out), "", "nothing on stdout");
}
