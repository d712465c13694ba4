//! `--explain`, `--strict` and `-v`'s skipped protections: the claims
//! `--explain` makes are checked against what a jailed probe observes, and
//! the README's "What a jail isolates" against `--explain` itself.

use std::collections::HashMap;

use crate::common::*;
use crate::skip;

/// `jail ARGS`, in debug builds maybe with a faked Landlock ABI.
fn jail_abi(args: &[&str], abi: Option<&str>) -> std::process::Output {
    let mut c = jail(args);
    if let Some(abi) = abi {
        c.env("JAIL_TEST_LANDLOCK_ABI", abi);
    }
    run(c)
}

/// `--explain`'s lines for `args`, by concern.
fn explain(args: &[&str]) -> HashMap<String, String> {
    explain_abi(args, None)
}

fn explain_abi(args: &[&str], abi: Option<&str>) -> HashMap<String, String> {
    let mut a = args.to_vec();
    a.push("--explain");
    a.extend(["--", "false"]);
    let out = ok(&jail_abi(&a, abi));
    out.lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            Some((k.to_string(), v.trim().to_string()))
        })
        .collect()
}

/// What the jail sees: interfaces, process count, whether it can write
/// /var/tmp, how many SysV message queues, whether it reaches the
/// abstract socket `@NAME`.
const PROBE: &str = r#"
if python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).connect("\0" + sys.argv[1])' NAME 2>/dev/null
then echo abstract=yes; else echo abstract=no; fi
echo "net=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ,)"
echo "procs=$(ls /proc | grep -c '^[0-9]')"
f=/var/tmp/jail-explain-$$-$(date +%N)
if touch "$f" 2>/dev/null; then echo write=yes; rm -f "$f"; else echo write=no; fi
echo "ipc=$(tail -n +2 /proc/sysvipc/msg | wc -l)"
"#;

fn observe(args: &[&str], abi: Option<&str>, name: &str) -> HashMap<String, String> {
    let mut a = args.to_vec();
    let probe = PROBE.replace("NAME", name);
    a.extend(["--", "sh", "-c", &probe]);
    ok(&jail_abi(&a, abi))
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn explain_claims_match_what_the_jail_sees() {
    crate::need!("python3");
    // An abstract socket of the caller's (no permissions guard those).
    use std::os::linux::net::SocketAddrExt;
    let name = format!("jail-explain-{}", std::process::id());
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(&name).unwrap();
    let _listener = std::os::unix::net::UnixListener::bind_addr(&addr).unwrap();
    // A message queue of the caller's, for "IPC" to be seen or not.
    // SAFETY: plain syscalls with no pointers.
    let q = unsafe { libc::msgget(libc::IPC_PRIVATE, 0o600 | libc::IPC_CREAT) };
    assert!(q >= 0, "msgget failed");
    let host_ifaces = std::fs::read_to_string("/proc/net/dev")
        .unwrap()
        .lines()
        .count()
        - 2;
    let mut failed = Vec::new();
    let sets: &[(&[&str], Option<&str>)] = &[
        (&[], None),
        (&["--net", "--pid"], None),
        (&["--ro"], None),
        (&["--ro", "--net", "--pid"], None),
        (&["--ipc"], None),
        (&["--all"], None),
        (&["--share-ipc-scope"], None),
    ];
    // Debug builds: a kernel without the Landlock scopes, too.
    let old: &[(&[&str], Option<&str>)] = &[(&[], Some("5")), (&["--net"], Some("5"))];
    let old = if debug_binary() { old } else { &[] };
    for (args, abi) in sets.iter().chain(old) {
        let claims = explain_abi(args, *abi);
        let seen = observe(args, *abi, &name);
        let mut check = |what: &str, claim: &str, good: bool| {
            if !good {
                failed.push(format!(
                    "{args:?} (abi {abi:?}): {what}: claims {claim:?}, sees {seen:?}"
                ));
            }
        };
        let net = &claims["network"];
        if net.starts_with("no access") {
            check("network", net, seen["net"] == "lo,");
        } else if host_ifaces > 1 {
            check("network", net, seen["net"] != "lo,");
        }
        let procs = &claims["processes"];
        let n: usize = seen["procs"].parse().unwrap();
        if procs.contains("own PID namespace") {
            check("processes", procs, n <= 10);
        } else {
            check("processes", procs, n > 10);
        }
        let fs = &claims["filesystem"];
        if fs.starts_with("read-only") {
            check("filesystem", fs, seen["write"] == "no");
        } else {
            check("filesystem", fs, seen["write"] == "yes");
        }
        let sockets = &claims["unix sockets"];
        let reach = sockets.starts_with("abstract sockets: can reach");
        check(
            "unix sockets",
            sockets,
            reach == (seen["abstract"] == "yes"),
        );
        let ipc = &claims["IPC"];
        if ipc.starts_with("its own") {
            check("IPC", ipc, seen["ipc"] == "0");
        } else {
            check("IPC", ipc, seen["ipc"] != "0");
        }
        // What is not isolated is listed as shared, and nothing else.
        let shared: Vec<&str> = claims["shared"].split(", ").collect();
        for c in ["network", "processes", "IPC", "filesystem"] {
            let own = claims[c].starts_with("no access")
                || claims[c].starts_with("its own")
                || claims[c].starts_with("read-only")
                || claims[c].contains("own PID namespace");
            check("shared", &claims["shared"], own != shared.contains(&c));
        }
    }
    // SAFETY: as above.
    unsafe { libc::msgctl(q, libc::IPC_RMID, std::ptr::null_mut()) };
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn explain_runs_nothing_and_exits_0() {
    let tmp = TempDir::new();
    let f = tmp.join("ran");
    let o = jail_run(&["--explain", "--", "touch", f.to_str().unwrap()]);
    let out = ok(&o);
    assert!(!f.exists(), "--explain ran COMMAND");
    assert!(out.contains("\nnetwork:"), "{out}");
}

/// README's "What a jail isolates": each block under `<!-- explain: ARGS -->`
/// is lines of `jail ARGS --explain`, run from the project directory
/// (`$PWD` stands for it).
#[test]
fn readme_isolation_section_matches_explain() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    // Outside /tmp: a recipe's --tmpfs /tmp would cover it.
    let dir = std::path::PathBuf::from(format!("/var/tmp/jail-explain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pwd = dir.to_str().unwrap().to_string();
    let mut blocks = 0;
    let mut rest = readme.as_str();
    while let Some(i) = rest.find("<!-- explain: ") {
        rest = &rest[i + "<!-- explain: ".len()..];
        let (args, after) = rest.split_once(" -->").unwrap();
        let body = after.trim_start().strip_prefix("```\n").unwrap();
        let (body, _) = body.split_once("```").unwrap();
        let mut a: Vec<&str> = args.split_whitespace().collect();
        a.extend(["--explain", "--", "true"]);
        let mut c = jail(&a);
        c.current_dir(&dir);
        let out = run(c);
        if !out.status.success() {
            let _ = std::fs::remove_dir(&dir);
        }
        let out = ok(&out);
        let lines: Vec<&str> = out.lines().collect();
        for want in body.lines() {
            let want = want.replace("$PWD", &pwd);
            assert!(
                lines.contains(&want.as_str()),
                "README line for {args:?} is not what --explain says:\n{want}\n--explain:\n{out}"
            );
        }
        blocks += 1;
    }
    let _ = std::fs::remove_dir(&dir);
    assert!(blocks >= 2, "the README's explain blocks are missing");
}

#[test]
fn strict_runs_when_nothing_is_skipped_here() {
    let abi = std::fs::read_to_string("/sys/kernel/security/lsm").unwrap_or_default();
    let out = explain(&[]);
    if out.contains_key("skipped") {
        skip!("this kernel skips {} (lsm: {abi})", out["skipped"]);
    }
    assert_eq!(ok(&jail_run(&["--strict", "--", "echo", "hi"])), "hi\n");
}

#[test]
fn strict_refuses_a_skipped_landlock_scope() {
    crate::need_debug_hook!("JAIL_TEST_LANDLOCK_ABI");
    let with_abi = |abi: &str, args: &[&str]| {
        let mut c = jail(args);
        c.env("JAIL_TEST_LANDLOCK_ABI", abi);
        run(c)
    };
    let o = with_abi("5", &["--strict", "--", "true"]);
    let err = fails(&o, 125, "jail: --strict: cannot apply here: Landlock");
    assert_eq!(err.lines().count(), 1, "{err}");
    // Normal mode runs, and -v says what was skipped.
    let o = with_abi("5", &["-v", "--", "true"]);
    ok(&o);
    assert!(
        stderr(&o).contains("jail: skipped: Landlock signal and abstract-socket scopes"),
        "{}",
        stderr(&o)
    );
    // --explain tells the same.
    let o = with_abi("5", &["--explain", "--", "true"]);
    assert!(stdout(&o).contains("skipped:"), "{}", stdout(&o));
    // Without the scopes asked for, nothing is skipped.
    ok(&with_abi(
        "5",
        &["--strict", "--share-ipc-scope", "--", "true"],
    ));
}
