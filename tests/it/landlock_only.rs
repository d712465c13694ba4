//! `--landlock-only` (issue 15): a jail where user namespaces are
//! forbidden. Each test simulates such a host without changing the
//! machine: inside `jail -r`, `user.max_user_namespaces` is set to 0 for
//! what runs there, and a shell without any capability (as an ordinary
//! user) runs the jail under test (`$J`). The rules are checked from
//! outside the inner jail, each with a positive control where the attack
//! works without the rule.
//!
//! | test | attack | source |
//! |---|---|---|
//! | `ro_stops_writes_outside_rw` | without namespaces, COMMAND writes, creates, truncates or removes files outside `--rw` | issue 15, item 1 |
//! | `hide_denies_reading_and_the_ways_around_it` | COMMAND reads a `--hide` file directly, through `/proc/self/root`, a symlink, `/proc/PID/fd` of the caller's process that holds it open, or after renaming or linking it into a readable directory | issue 15, item 1 |
//! | `net_denies_tcp_and_port_rules_open_one_port` | COMMAND connects to or binds a TCP port on 127.0.0.1 (a dev database) under `--net`, or to a port other than the `--connect-tcp`/`--bind-tcp` one | issue 15, items 1 and 4 |
//! | `signals_to_outside_processes_fail` | without a PID namespace COMMAND kills the caller's other processes | issue 15, item 1 |
//! | `leftover_processes_are_gone_when_jail_returns` | COMMAND's daemon (setsid and a double fork) outlives jail without a PID namespace, also when the keeper is SIGKILLed from outside (no user namespace tells the jail's orphans from the caller's) | issue 15, item 1 |

use crate::common::*;
use crate::{need, need_debug_hook, skip};

/// Run `script` with `sh` where user namespaces are forbidden: inside
/// `jail -r` with `user.max_user_namespaces` at 0, without capabilities.
/// `$J` is the jail under test.
fn forbidden(script: &str) -> std::process::Output {
    let pre = "echo 0 > /proc/sys/user/max_user_namespaces || exit 90; \
               exec setpriv --bounding-set -all --inh-caps -all sh -c \"$1\"";
    let mut c = jail(["-r", "--", "sh", "-c", pre, "sh", script]);
    c.env("J", bin());
    let o = run(c);
    assert_ne!(
        o.status.code(),
        Some(90),
        "cannot set user.max_user_namespaces: {}",
        stderr(&o)
    );
    o
}

macro_rules! need_landlock {
    ($abi:expr) => {
        need!("setpriv");
        let abi = landlock_abi();
        if abi < $abi {
            skip!("needs Landlock ABI {}, this kernel has {abi}", $abi);
        }
    };
}

/// The running kernel's Landlock ABI, as `--check` reports it.
fn landlock_abi() -> i32 {
    let o = run(jail(["--check"]));
    let out = stdout(&o);
    out.lines()
        .find_map(|l| l.split("Landlock ABI ").nth(1))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn userns_refused_hint_names_the_mode_that_works() {
    need_landlock!(6);
    let o = forbidden("$J -- true; echo rc=$?; $J --landlock-only -- true && echo ll=ok");
    let out = ok(&o);
    assert!(out.contains("rc=125"), "{out}");
    assert!(out.contains("ll=ok"), "{out}\n{}", stderr(&o));
    let err = stderr(&o);
    let mut lines = err.lines();
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("jail: create user namespace:")),
        "{err}"
    );
    let hint = lines.next().unwrap_or_default();
    assert!(
        hint.starts_with("jail: hint: ") && hint.contains("--landlock-only"),
        "{err}"
    );
    assert!(hint.contains("shares the PID space"), "{err}");
    assert_eq!(lines.next(), None, "{err}");
    // --check says which mode works.
    let o = forbidden("$J --check; true");
    let out = stdout(&o);
    assert!(out.contains("A rootless jail does not work here."), "{out}");
    assert!(out.contains("jail --landlock-only works here"), "{out}");
}

#[test]
fn ro_stops_writes_outside_rw() {
    need_landlock!(6);
    let d = TempDir::new();
    for sub in ["rw", "ro"] {
        mkdir_mode(&d.join(sub), 0o777);
    }
    write_mode(&d.join("ro/keep"), "kept\n", 0o666);
    let p = d.path().display();
    // Positive control: without --ro the same writes land.
    let script = format!(
        "$J --landlock-only $RO --rw {p}/rw -- sh -c '
            echo a > {p}/rw/new && echo rw=ok
            echo b > {p}/ro/new 2>/dev/null || echo create=denied
            echo c >> {p}/ro/keep 2>/dev/null || echo append=denied
            truncate -s 0 {p}/ro/keep 2>/dev/null || echo truncate=denied
            mkdir {p}/ro/dir 2>/dev/null || echo mkdir=denied
            echo d > /dev/null && echo devnull=ok
            head -c 1 /dev/zero > /dev/full; true'"
    );
    let o = forbidden(&script.replace("$RO ", ""));
    let out = ok(&o);
    assert!(!out.contains("denied"), "{out}");
    assert!(d.join("ro/new").exists() && d.join("ro/dir").exists());
    std::fs::remove_file(d.join("ro/new")).unwrap();
    std::fs::remove_dir(d.join("ro/dir")).unwrap();
    write_mode(&d.join("ro/keep"), "kept\n", 0o666);

    let o = forbidden(&script.replace("$RO ", "--ro "));
    let out = ok(&o);
    for l in [
        "rw=ok",
        "create=denied",
        "append=denied",
        "truncate=denied",
        "mkdir=denied",
        "devnull=ok",
    ] {
        assert!(out.contains(l), "{l}: {out}\n{}", stderr(&o));
    }
    // --ro with --hide: the rules that keep the hidden path's neighbours
    // readable must not make them writable.
    mkdir_mode(&d.join("hidden"), 0o777);
    let o = forbidden(&script.replace("$RO ", &format!("--ro --hide {p}/hidden ")));
    let out = ok(&o);
    for l in ["rw=ok", "create=denied", "append=denied", "mkdir=denied"] {
        assert!(out.contains(l), "--hide: {l}: {out}\n{}", stderr(&o));
    }
    // Checked from outside.
    assert!(d.join("rw/new").exists());
    assert!(!d.join("ro/new").exists() && !d.join("ro/dir").exists());
    assert_eq!(
        std::fs::read_to_string(d.join("ro/keep")).unwrap(),
        "kept\n"
    );
}

#[test]
fn hide_denies_reading_and_the_ways_around_it() {
    need_landlock!(6);
    let d = TempDir::new();
    let home = d.join("home");
    mkdir_mode(&home, 0o777);
    mkdir_mode(&home.join(".ssh"), 0o777);
    mkdir_mode(&home.join("proj"), 0o777);
    write_mode(&home.join(".ssh/id"), "SECRET\n", 0o666);
    write_mode(&home.join("readme"), "public\n", 0o644);
    std::os::unix::fs::symlink(home.join(".ssh/id"), home.join("proj/link")).unwrap();
    let h = home.display();
    // The caller's own process holds the file open; COMMAND tries its
    // /proc/PID/fd link.
    let script = format!(
        "sleep 30 < {h}/.ssh/id & holder=$!
        $J --landlock-only $HIDE -- sh -c '
            cat {h}/readme
            cat {h}/.ssh/id
            cat /proc/self/root{h}/.ssh/id
            cat {h}/proj/link
            cat /proc/'$holder'/fd/0
            ls {h}/.ssh
            mv {h}/.ssh/id {h}/proj/moved
            ln {h}/.ssh/id {h}/proj/linked
            mv {h}/.ssh {h}/proj/ssh
            cat {h}/proj/moved {h}/proj/linked {h}/proj/ssh/id
            echo new > {h}/proj/new && cat {h}/proj/new
            true'
        kill $holder"
    );
    // Positive control: without --hide the secret is read.
    let o = forbidden(&script.replace("$HIDE ", ""));
    assert!(stdout(&o).contains("SECRET"), "{}", stdout(&o));
    // Undo the control's moves.
    let _ = std::fs::rename(home.join("proj/ssh"), home.join(".ssh"));
    let _ = std::fs::rename(home.join("proj/moved"), home.join(".ssh/id"));
    let _ = std::fs::remove_file(home.join("proj/linked"));
    let _ = std::fs::remove_file(home.join("proj/new"));
    write_mode(&home.join(".ssh/id"), "SECRET\n", 0o666);

    let o = forbidden(&script.replace("$HIDE ", &format!("--hide {h}/.ssh ")));
    let out = stdout(&o);
    assert!(!out.contains("SECRET"), "{out}\n{}", stderr(&o));
    assert!(out.contains("public") && out.contains("new"), "{out}");
    // Names may still be listed (documented): Landlock checks opening.
    assert!(out.contains("id"), "{out}");
    // Nothing moved or linked out, checked from outside.
    assert!(home.join(".ssh/id").exists());
    for gone in ["proj/moved", "proj/linked", "proj/ssh"] {
        assert!(!home.join(gone).exists(), "{gone}");
    }
}

#[test]
fn net_denies_tcp_and_port_rules_open_one_port() {
    need_landlock!(6);
    need!("python3");
    let a = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let b = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let (pa, pb) = (
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    );
    let connect = format!(
        "python3 -c 'import socket
for p in ({pa}, {pb}):
    s = socket.socket()
    try:
        s.connect((\"127.0.0.1\", p)); print(p, \"connected\")
    except OSError as e:
        print(p, \"refused\", e.errno)'"
    );
    let bind = "python3 -c 'import socket, sys
for p in sys.argv[1:]:
    s = socket.socket()
    try:
        s.bind((\"127.0.0.1\", int(p))); print(p, \"bound\")
    except OSError as e:
        print(p, \"refused\", e.errno)'";
    let (fa, fb) = (free_port(), free_port());
    let script = format!(
        "echo control; $J --landlock-only -- {connect}
        echo net; $J --landlock-only --net -- {connect}
        echo allowed; $J --landlock-only --net --connect-tcp {pa} -- {connect}
        echo bind-net; $J --landlock-only --net -- {bind} {fa}
        echo bind-allowed; $J --landlock-only --bind-tcp {fa} -- {bind} {fa} {fb}"
    );
    let o = forbidden(&script);
    let out = ok(&o);
    let section = |name: &str| -> String {
        out.split(&format!("{name}\n"))
            .nth(1)
            .unwrap_or_default()
            .lines()
            .take(2)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let c = section("control");
    assert!(c.contains(&format!("{pa} connected")) && c.contains(&format!("{pb} connected")));
    let n = section("net");
    assert!(
        n.contains(&format!("{pa} refused 13")) && n.contains(&format!("{pb} refused 13")),
        "{out}"
    );
    let al = section("allowed");
    assert!(
        al.contains(&format!("{pa} connected")) && al.contains(&format!("{pb} refused 13")),
        "{out}"
    );
    assert!(
        section("bind-net").contains(&format!("{fa} refused 13")),
        "{out}"
    );
    let ba = section("bind-allowed");
    assert!(
        ba.contains(&format!("{fa} bound")) && ba.contains(&format!("{fb} refused 13")),
        "{out}"
    );

    // Item 4: the port rules with namespaces too, on the host's network.
    let o = run(jail([
        "--connect-tcp",
        &pb.to_string(),
        "--",
        "sh",
        "-c",
        &connect,
    ]));
    let out = ok(&o);
    assert!(
        out.contains(&format!("{pa} refused 13")) && out.contains(&format!("{pb} connected")),
        "{out}"
    );
    drop((a, b));
}

/// A TCP port nobody listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn signals_to_outside_processes_fail() {
    need_landlock!(6);
    let script = "sleep 30 & victim=$!
        $J --landlock-only -- kill -TERM $victim; echo rc=$?
        kill -0 $victim && echo alive
        $J --landlock-only --share-ipc-scope -- kill -TERM $victim; echo control=$?
        sleep 0.2; kill -0 $victim 2>/dev/null || echo killed";
    let o = forbidden(script);
    let out = ok(&o);
    assert!(out.contains("alive"), "{out}\n{}", stderr(&o));
    assert!(!out.contains("rc=0"), "{out}");
    // Positive control: without the scope the same kill lands.
    assert!(out.contains("control=0") && out.contains("killed"), "{out}");
}

#[test]
fn leftover_processes_are_gone_when_jail_returns() {
    need_landlock!(6);
    let d = TempDir::new();
    let f = d.join("pid");
    let script = format!(
        "$J --landlock-only -- sh -c '
            setsid sh -c \"sleep 300 & echo \\$! > {f}\" &
            while [ ! -s {f} ]; do sleep 0.05; done'
        echo rc=$?
        pid=$(cat {f})
        if kill -0 $pid 2>/dev/null; then echo alive; kill $pid; else echo gone; fi",
        f = f.display()
    );
    let o = forbidden(&script);
    let out = ok(&o);
    assert!(
        out.contains("rc=0") && out.contains("gone"),
        "{out}\n{}",
        stderr(&o)
    );

    // The keeper killed from outside: its orphans come to jail, which
    // must kill them though they share its user namespace, and spare the
    // caller's own background job.
    std::fs::remove_file(&f).unwrap();
    let (fd, fm) = (f.display(), d.join("mine"));
    let fm = fm.display();
    write_mode(
        &d.join("daemon.sh"),
        format!("setsid sh -c 'sleep 300 & echo $! > {fd}' &\nsleep 30\n"),
        0o644,
    );
    // jail exec'd by a shell with a background job: that child is the
    // caller's.
    write_mode(
        &d.join("outer.sh"),
        format!(
            "sleep 31 & echo $! > {fm}\nexec $J --landlock-only -- sh {}\n",
            d.join("daemon.sh").display()
        ),
        0o644,
    );
    let script = format!(
        "sh {outer} & jail=$!
        while [ ! -s {fd} ] || [ ! -s {fm} ]; do sleep 0.05; done
        mine=$(cat {fm})
        for c in $(cat /proc/$jail/task/*/children); do
            [ $c = $mine ] || kill -9 $c
        done
        wait $jail; echo rc=$?
        pid=$(cat {fd})
        if kill -0 $pid 2>/dev/null; then echo alive; kill $pid; else echo gone; fi
        kill -0 $mine && echo mine=alive; kill $mine",
        outer = d.join("outer.sh").display()
    );
    let o = forbidden(&script);
    let out = ok(&o);
    assert!(out.contains("gone"), "{out}\n{}", stderr(&o));
    assert!(out.contains("mine=alive"), "{out}\n{}", stderr(&o));
}

#[test]
fn seccomp_nnp_timeout_and_exit_status_as_in_a_jail() {
    need_landlock!(6);
    let script = "$J --landlock-only -- grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status
        $J --landlock-only -- sh -c 'exit 7'; echo exit=$?
        $J --landlock-only --timeout 0.3 -- sleep 10; echo timeout=$?
        $J --landlock-only --rlimit nofile=64 -- sh -c 'ulimit -n'";
    let o = forbidden(script);
    let out = ok(&o);
    for l in [
        "NoNewPrivs:\t1",
        "Seccomp:\t2",
        "exit=7",
        "timeout=124",
        "\n64\n",
    ] {
        assert!(out.contains(l), "{l:?}: {out}\n{}", stderr(&o));
    }
}

#[test]
fn namespace_options_are_refused_with_one_line() {
    for args in [
        &["--pid"][..],
        &["--root", "/"],
        &["--bind", "/tmp"],
        &["--tmpfs", "/tmp"],
        &["-r"],
        &["--map-auto"],
        &["--hostname", "x"],
        &["--uts"],
        &["--ipc"],
        &["--dev"],
        &["--all"],
        &["--empty-root"],
        &["--overlay", "/tmp"],
        &["--dir", "/tmp/x"],
        &["--symlink", "a:/tmp/x"],
        &["--cap-drop", "ALL"],
        &["--disable-userns"],
    ] {
        let mut a = vec!["--landlock-only"];
        a.extend_from_slice(args);
        a.extend_from_slice(&["--", "true"]);
        let o = jail_run(&a);
        let err = fails(&o, 125, "not available with --landlock-only");
        let first = err.lines().next().unwrap_or_default();
        assert!(first.starts_with("jail: --"), "{err}");
        assert_eq!(
            err.lines()
                .filter(|l| !l.starts_with("jail: hint:"))
                .count(),
            1,
            "{err}"
        );
    }
    // In either order.
    let o = jail_run(&["--pid", "--landlock-only", "--", "true"]);
    fails(&o, 125, "jail: --pid: not available with --landlock-only");
    // --rw inside or around a hidden path would open it again.
    let d = TempDir::new();
    mkdir_mode(&d.join("h"), 0o777);
    let (p, h) = (d.path().to_str().unwrap(), d.join("h"));
    let o = jail_run(&[
        "--landlock-only",
        "--hide",
        h.to_str().unwrap(),
        "--rw",
        p,
        "true",
    ]);
    fails(&o, 125, "conflicts with --hide");
}

/// The options that need no namespace work here too: --seccomp programs,
/// --json-status-fd and --info-fd, --args.
#[test]
fn fd_options_work_without_namespaces() {
    use crate::bwrap_fds::{allow_all, data_fd, jail_fds};
    need_landlock!(6);
    let (mut status_rd, status_wr) = std::io::pipe().unwrap();
    let words = b"--ro\0--\0sh\0-c\0echo hi > /tmp/jail-ll-x || echo denied; exit 3\0";
    let o = run(jail_fds(
        &[
            "--landlock-only",
            "--seccomp",
            "3",
            "--json-status-fd",
            "4",
            "--args",
            "5",
        ],
        vec![
            (3, data_fd(&allow_all())),
            (4, status_wr.into()),
            (5, data_fd(words)),
        ],
    ));
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(stdout(&o), "denied\n");
    let mut status = String::new();
    std::io::Read::read_to_string(&mut status_rd, &mut status).unwrap();
    assert!(status.starts_with("{\"child-pid\": "), "{status}");
    assert!(status.ends_with("{\"exit-code\": 3}\n"), "{status}");
}

#[test]
fn too_old_landlock_is_an_error_never_a_weaker_jail() {
    need_debug_hook!("JAIL_TEST_LANDLOCK_ABI");
    need_landlock!(6);
    let with_abi = |abi: &str, args: &[&str]| {
        let mut c = jail(args);
        c.env("JAIL_TEST_LANDLOCK_ABI", abi);
        run(c)
    };
    let o = with_abi(
        "3",
        &["--landlock-only", "--net", "--share-ipc-scope", "true"],
    );
    fails(
        &o,
        125,
        "--net (TCP bind and connect control) needs Landlock ABI 4",
    );
    let o = with_abi("3", &["--connect-tcp", "443", "true"]);
    fails(&o, 125, "--connect-tcp needs Landlock ABI 4");
    let o = with_abi(
        "2",
        &["--landlock-only", "--ro", "--share-ipc-scope", "true"],
    );
    fails(&o, 125, "needs Landlock ABI 3");
    let o = with_abi("5", &["--landlock-only", "true"]);
    let err = fails(&o, 125, "scopes) needs Landlock ABI 6");
    assert!(err.contains("--share-ipc-scope"), "{err}");
    let o = with_abi("5", &["--landlock-only", "--share-ipc-scope", "true"]);
    ok(&o);
    let o = with_abi("0", &["--landlock-only", "--share-ipc-scope", "true"]);
    fails(&o, 125, "this kernel has no Landlock");
}

#[test]
fn explain_says_what_stays_shared_without_namespaces() {
    let o = jail_run(&[
        "--landlock-only",
        "--ro",
        "--rw",
        "/tmp",
        "--hide",
        "/root",
        "--net",
        "--connect-tcp",
        "443",
        "--explain",
    ]);
    let out = ok(&o);
    let line = |concern: &str| -> String {
        out.lines()
            .find(|l| l.starts_with(&format!("{concern}:")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line("filesystem").contains("read-only (Landlock)"), "{out}");
    assert!(line("filesystem").contains("/tmp"), "{out}");
    assert!(
        line("filesystem").contains("names still listed): /root"),
        "{out}"
    );
    assert!(line("network").contains("no TCP bind or connect"), "{out}");
    assert!(line("network").contains("UDP"), "{out}");
    assert!(
        line("network").contains("connect only to port 443"),
        "{out}"
    );
    assert!(line("processes").contains("no PID namespace"), "{out}");
    let shared = line("shared");
    for s in ["network", "processes", "IPC", "hostname"] {
        assert!(shared.contains(s), "{s}: {out}");
    }
    assert!(!shared.contains("filesystem"), "{out}");
}
