//! `--cap-drop`, `--cap-add` and `--disable-userns`: what root inside keeps,
//! and a COMMAND that cannot create user namespaces. The attack on
//! `--disable-userns` (root inside raising the limit) is in security.rs.

use crate::common::*;
use crate::{need, skip};

const CAP_CHOWN: u64 = 1 << 0;
const CAP_FOWNER: u64 = 1 << 3;
const CAP_KILL: u64 = 1 << 5;
const CAP_NET_BIND_SERVICE: u64 = 1 << 10;
const CAP_NET_ADMIN: u64 = 1 << 12;
const CAP_SYS_ADMIN: u64 = 1 << 21;

fn jail_sh(opts: &[&str], script: &str) -> std::process::Output {
    let mut args: Vec<&str> = opts.to_vec();
    args.extend(["--", "sh", "-c", script]);
    jail_run(&args)
}

/// COMMAND's capability sets from /proc/self/status: CapInh, CapPrm,
/// CapEff, CapBnd, CapAmb, by name.
fn caps(opts: &[&str]) -> std::collections::HashMap<String, u64> {
    let out = ok(&jail_sh(opts, "grep ^Cap /proc/self/status"));
    out.lines()
        .filter_map(|l| {
            let (name, hex) = l.split_once(':')?;
            Some((name.to_string(), u64::from_str_radix(hex.trim(), 16).ok()?))
        })
        .collect()
}

fn last_cap() -> u32 {
    std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn cap_drop_all_leaves_root_inside_without_capabilities() {
    // bwrap tests/test-run.sh:197
    let full = (1u64 << (last_cap() + 1)) - 1;
    // Control: -r alone keeps the namespace's full set.
    let c = caps(&["-r"]);
    assert_eq!(c["CapEff"], full, "{c:?}");
    assert_eq!(c["CapBnd"], full, "{c:?}");
    ok(&jail_sh(&["-r", "--uts"], "hostname x"));

    for opts in [
        &["-r", "--cap-drop", "ALL"][..],
        &["-r", "--cap-drop", "all", "--pid", "--ro"],
        &["-r", "--cap-drop", "ALL", "--as-pid-1"],
    ] {
        let c = caps(opts);
        for set in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
            assert_eq!(c[set], 0, "{opts:?}: {set} in {c:?}");
        }
    }
    let out = jail_sh(&["-r", "--uts", "--cap-drop", "ALL"], "hostname x");
    assert!(!out.status.success(), "hostname set without CAP_SYS_ADMIN");
    // The bounding set is empty: running a program as root gives nothing
    // back (sh -c runs grep in a new execve).
    let out = ok(&jail_sh(
        &["-r", "--cap-drop", "ALL"],
        "sh -c 'grep ^CapEff /proc/self/status'",
    ));
    assert!(out.trim().ends_with("0000000000000000"), "{out}");
}

#[test]
fn cap_drop_all_then_cap_add_keeps_only_that_one() {
    for name in ["CAP_SYS_ADMIN", "sys_admin", "Cap_Sys_Admin"] {
        let opts = ["-r", "--pid", "--cap-drop", "ALL", "--cap-add", name];
        let c = caps(&opts);
        for set in ["CapPrm", "CapEff", "CapBnd"] {
            assert_eq!(c[set], CAP_SYS_ADMIN, "{opts:?}: {set} in {c:?}");
        }
        assert_eq!(c["CapAmb"], 0, "{c:?}");
        assert_eq!(c["CapInh"], 0, "{c:?}");
    }
    // It works: CAP_SYS_ADMIN sets the hostname, CAP_NET_ADMIN is gone.
    let out = ok(&jail_sh(
        &[
            "-r",
            "--uts",
            "--net",
            "--cap-drop",
            "ALL",
            "--cap-add",
            "SYS_ADMIN",
        ],
        "hostname box && hostname; ip link set lo down && echo DOWN; exit 0",
    ));
    assert_eq!(out.trim(), "box", "{out}");
    // In order: a later --cap-drop wins over an earlier --cap-add.
    let c = caps(&[
        "-r",
        "--cap-drop",
        "ALL",
        "--cap-add",
        "CHOWN",
        "--cap-add",
        "KILL",
        "--cap-drop",
        "KILL",
    ]);
    assert_eq!(c["CapEff"], CAP_CHOWN, "{c:?}");
}

#[test]
fn cap_drop_one_keeps_the_others() {
    // bwrap tests/test-run.sh:201
    let c = caps(&[
        "-r",
        "--pid",
        "--cap-drop",
        "CAP_KILL",
        "--cap-drop",
        "CAP_FOWNER",
    ]);
    for set in ["CapPrm", "CapEff", "CapBnd"] {
        assert_eq!(c[set] & (CAP_KILL | CAP_FOWNER), 0, "{set}: {c:?}");
        assert_ne!(c[set] & CAP_NET_BIND_SERVICE, 0, "{set}: {c:?}");
        assert_ne!(c[set] & CAP_SYS_ADMIN, 0, "{set}: {c:?}");
    }
    // Control: the same with CAP_NET_ADMIN kept configures lo.
    let script = "ip link set lo down && echo DOWN; hostname box && hostname";
    let out = ok(&jail_sh(&["-r", "--net", "--uts"], script));
    assert_eq!(out.lines().collect::<Vec<_>>(), ["DOWN", "box"], "{out}");
    for opts in [
        &["-r", "--net", "--uts", "--cap-drop", "NET_ADMIN"][..],
        &["-r", "--net", "--uts", "--ro", "--cap-drop", "net_admin"],
    ] {
        let out = jail_sh(
            opts,
            "ip link set lo up && echo UP; ip link set lo down && echo DOWN; \
             hostname box && hostname",
        );
        assert_eq!(ok(&out).trim(), "box", "{opts:?}: {out:?}");
        assert!(
            stderr(&out).contains("Operation not permitted"),
            "{opts:?}: {out:?}"
        );
        let c = caps(opts);
        assert_eq!(c["CapEff"] & CAP_NET_ADMIN, 0, "{c:?}");
        assert_eq!(c["CapBnd"] & CAP_NET_ADMIN, 0, "{c:?}");
    }
}

#[test]
fn cap_names_are_checked() {
    for bad in [
        "bogus",
        "CAP_",
        "CAP_ALL",
        "sys-admin",
        "",
        "21",
        "CAP_SYS_ADMINX",
    ] {
        for flag in ["--cap-drop", "--cap-add"] {
            let out = jail_run(&["-r", flag, bad, "--", "true"]);
            let err = fails(&out, 125, &format!("{flag}: invalid value '{bad}'"));
            assert!(err.contains("unknown capability"), "{err}");
        }
    }
    for good in ["CAP_CHOWN", "chown", "Chown", "cap_chown", "ALL", "all"] {
        ok(&jail_run(&["-r", "--cap-drop", good, "--", "true"]));
        ok(&jail_run(&["-r", "--cap-add", good, "--", "true"]));
    }
}

#[test]
fn cap_add_needs_root_inside() {
    // No ambient capabilities for a COMMAND that is not root (unlike
    // bwrap): -r is how to get capabilities.
    for opts in [
        &["--cap-add", "CHOWN"][..],
        &["--uid", "0", "--cap-add", "ALL"],
    ] {
        let mut args = opts.to_vec();
        args.extend(["--", "true"]);
        let out = jail_run(&args);
        let err = fails(&out, 125, "--cap-add: needs root inside");
        assert!(err.contains("-r"), "{err}");
    }
    // --cap-drop changes nothing there: COMMAND has no capabilities.
    let c = caps(&["--cap-drop", "ALL"]);
    assert_eq!(c["CapEff"], 0, "{c:?}");
    assert_eq!(c["CapPrm"], 0, "{c:?}");
}

#[test]
fn init_is_unaffected_by_cap_drop() {
    // COMMAND's set is not the init's: --timeout still ends the jail.
    // (That the init keeps nothing: security.rs,
    // init_and_keeper_keep_no_capabilities.)
    let out = jail_run(&[
        "-r",
        "--pid",
        "--cap-drop",
        "ALL",
        "--timeout",
        "0.3",
        "--",
        "sleep",
        "10",
    ]);
    assert_eq!(out.status.code(), Some(124), "{out:?}");
}

#[test]
fn cap_drop_with_map_auto() {
    if let Err(why) = crate::subids::ready() {
        skip!("{why}");
    }
    let c = caps(&[
        "--map-auto",
        "--pid",
        "--cap-drop",
        "ALL",
        "--cap-add",
        "CHOWN",
    ]);
    for set in ["CapPrm", "CapEff", "CapBnd"] {
        assert_eq!(c[set], CAP_CHOWN, "{set}: {c:?}");
    }
    // Root inside chowns to a mapped id with CAP_CHOWN alone.
    let out = ok(&jail_sh(
        &[
            "--map-auto",
            "--tmpfs",
            "/tmp",
            "--cap-drop",
            "ALL",
            "--cap-add",
            "CHOWN",
        ],
        "touch /tmp/f && chown 1000:1000 /tmp/f && stat -c %u /tmp/f",
    ));
    assert_eq!(out.trim(), "1000");
    let out = jail_sh(
        &["--map-auto", "--tmpfs", "/tmp", "--cap-drop", "CHOWN"],
        "touch /tmp/f && chown 1000:1000 /tmp/f",
    );
    assert!(!out.status.success(), "chown without CAP_CHOWN: {out:?}");
    // --uid N: COMMAND is not root, so --cap-add is refused.
    let out = jail_run(&[
        "--map-auto",
        "--uid",
        "1000",
        "--cap-add",
        "CHOWN",
        "--",
        "true",
    ]);
    fails(&out, 125, "--cap-add: needs root inside");
}

/// Tries each system call that creates a user namespace and prints one
/// line per call: `NAME ok` or `NAME errno`. unshare(2) last: it moves
/// this process.
const USERNS_CALLS: &str = r#"
import ctypes, os, platform
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NEWUSER, SIGCHLD = 0x10000000, 17
def result(name, r):
    if r == 0:
        os._exit(0)
    if r < 0:
        print(name, ctypes.get_errno())
    else:
        os.waitpid(r, 0)
        print(name, "ok")
clone_nr = {"x86_64": 56, "aarch64": 220}[platform.machine()]
result("clone", libc.syscall(clone_nr, NEWUSER | SIGCHLD, 0, 0, 0, 0))
args = (ctypes.c_uint64 * 8)(NEWUSER, 0, 0, 0, SIGCHLD, 0, 0, 0)
result("clone3", libc.syscall(435, ctypes.byref(args), 64))
r = libc.unshare(NEWUSER)
print("unshare", "ok" if r == 0 else ctypes.get_errno())
"#;

#[test]
fn disable_userns_refuses_unshare_clone_and_clone3() {
    need!("python3");
    need!("unshare");
    let enospc = libc::ENOSPC.to_string();
    let inner = bin().to_str().unwrap();
    let opt_sets: [&[&str]; 5] = [
        &[],
        &["-r"],
        &["-r", "--ro", "--pid", "--net"],
        &["--pid", "--tmpfs", "/mnt"],
        &["--uid", "1234", "--as-pid-1"],
    ];
    let script = format!(
        "python3 -c '{USERNS_CALLS}'; unshare -U true && echo unshare-U ok; \
         {inner} -- true && echo jail ok; exit 0"
    );
    for opts in opt_sets {
        // Control: without the option every call works.
        let out = ok(&jail_sh(opts, &script));
        let want = "clone ok\nclone3 ok\nunshare ok\nunshare-U ok\njail ok\n";
        assert_eq!(out, want, "{opts:?} without --disable-userns");

        let mut with = opts.to_vec();
        with.push("--disable-userns");
        let out = jail_sh(&with, &script);
        let text = ok(&out);
        let want = format!("clone {enospc}\nclone3 {enospc}\nunshare {enospc}\n");
        assert_eq!(text, want, "{with:?}: {out:?}");
        let err = stderr(&out);
        assert!(
            err.contains("unshare failed: No space left on device"),
            "{with:?}: {err}"
        );
        // The jail inside says why, naming the option.
        assert!(
            err.contains("jail: create user namespace: No space left on device"),
            "{with:?}: {err}"
        );
        assert!(
            err.lines()
                .any(|l| l.starts_with("jail: hint: ") && l.contains("jail --disable-userns")),
            "{with:?}: {err}"
        );
    }
}

#[test]
fn disable_userns_runs_and_a_nested_jail_fails_with_a_hint() {
    // bwrap tests/test-run.sh:155-156 (and 163-164 with root inside)
    let inner = bin().to_str().unwrap();
    for opts in [&["--disable-userns"][..], &["-r", "--disable-userns"]] {
        ok(&jail_sh(opts, "true"));
        let mut args = opts.to_vec();
        args.extend(["--", inner, "--", "true"]);
        let out = jail_run(&args);
        let err = fails(
            &out,
            125,
            "jail: create user namespace: No space left on device",
        );
        assert!(err.contains("--disable-userns"), "{err}");
    }
    // Without the option a nested jail works, as root inside too.
    for opts in [&[][..], &["-r"], &["-r", "--ro"]] {
        let mut args = opts.to_vec();
        args.extend(["--", inner, "--", "echo", "in"]);
        assert_eq!(ok(&jail_run(&args)), "in\n", "{opts:?}");
    }
}

#[test]
fn disable_userns_stops_bwrap_inside() {
    need!("bwrap");
    // bwrap tests/test-run.sh:156
    let script = "bwrap --unshare-user --dev-bind / / true && echo ran; echo done";
    let control = jail_sh(&["-r"], script);
    if !stdout(&control).contains("ran") {
        skip!("bwrap does not run inside a jail here: {control:?}");
    }
    for opts in [&["--disable-userns"][..], &["-r", "--disable-userns"]] {
        let out = jail_sh(opts, script);
        assert_eq!(ok(&out), "done\n", "{opts:?}: {out:?}");
    }
}

#[test]
fn disable_userns_shows_in_explain_and_verbose() {
    let out = ok(&jail_run(&[
        "-r",
        "--cap-drop",
        "ALL",
        "--cap-add",
        "CHOWN",
        "--disable-userns",
        "--explain",
    ]));
    let ids = out
        .lines()
        .find(|l| l.starts_with("ids:"))
        .unwrap_or_default();
    assert!(ids.contains("cap_chown"), "{out}");
    assert!(ids.contains("no user namespaces"), "{out}");
    let out = jail_run(&["-v", "--disable-userns", "--", "true"]);
    assert!(
        stderr(&out).contains("disable user namespaces (--disable-userns)"),
        "{out:?}"
    );
}

#[test]
fn disable_userns_keeps_root_inside_working() {
    // Root inside runs in the nested user namespace, with the jail's
    // network, UTS and IPC namespaces moved there: it still configures
    // them, and mounts in the view.
    let out = ok(&jail_sh(
        &["-r", "--net", "--uts", "--disable-userns"],
        "hostname box && hostname && ip link set lo down && echo DOWN",
    ));
    assert_eq!(out, "box\nDOWN\n");
    let out = ok(&jail_sh(
        &["-r", "--pid", "--tmpfs", "/mnt", "--disable-userns"],
        "mkdir /mnt/d && mount -t tmpfs none /mnt/d && echo MOUNTED",
    ));
    assert_eq!(out, "MOUNTED\n");
    // Without a mount option it adds no mount namespace: COMMAND shares
    // the caller's, as with -r alone.
    let host = std::fs::read_link("/proc/self/ns/mnt").unwrap();
    for opts in [&["-r"][..], &["-r", "--disable-userns"]] {
        let out = ok(&jail_sh(opts, "readlink /proc/self/ns/mnt"));
        assert_eq!(out.trim(), host.to_str().unwrap(), "{opts:?}");
    }
}

#[test]
fn disable_userns_without_the_sysctl_is_one_line_and_125() {
    // An outer jail (or a container) hides /proc/sys/user: the inner jail
    // cannot set the limit and stops before COMMAND runs.
    let inner = bin().to_str().unwrap();
    for opts in [&["--disable-userns"][..], &["-r", "--disable-userns"]] {
        let mut args = vec!["--pid", "--hide", "/proc/sys/user", "--", inner];
        args.extend(opts);
        args.extend(["--", "echo", "RAN"]);
        let out = jail_run(&args);
        let err = fails(
            &out,
            125,
            "jail: --disable-userns: set user.max_user_namespaces: No such file or directory",
        );
        assert!(
            err.contains("hint: /proc/sys is read-only or missing"),
            "{err}"
        );
        assert!(!stdout(&out).contains("RAN"), "{out:?}");
    }
}

#[test]
fn cap_add_all_runs_jails_recursively() {
    // bwrap tests/test-run.sh:142-151 (BWRAP_RECURSE: --uid 0 --cap-add
    // ALL; with jail, -r keeps the full set, --cap-add ALL restores it)
    let inner = bin().to_str().unwrap();
    for opts in [
        &["-r", "--cap-add", "ALL"][..],
        &["-r", "--cap-drop", "ALL", "--cap-add", "ALL"],
    ] {
        let mut args = opts.to_vec();
        args.extend(["--", inner, "--all", "--", "echo", "hello"]);
        assert_eq!(ok(&jail_run(&args)), "hello\n", "{opts:?}");
        let mut args = opts.to_vec();
        args.extend([
            "--",
            inner,
            "--all",
            "--ro",
            "--",
            "sh",
            "-c",
            "test -d /usr && echo usr",
        ]);
        assert_eq!(ok(&jail_run(&args)), "usr\n", "{opts:?}");
    }
}
