//! Composing a root from parts, as with bubblewrap: --empty-root, --dir,
//! --symlink, --file, --ro-file, --perms and --size. The cases of
//! bubblewrap's tests/test-run.sh that map to these are ported here, each
//! with its line; bwrap makes its entries on the host (`--bind / /`), jail
//! only in a tmpfs it made, so the ports add a `--tmpfs` (or start from
//! `--empty-root`).

use crate::common::*;
use crate::need;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

/// bubblewrap's flatpak-style recipe (`--ro-bind /usr /usr --symlink usr/bin
/// /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc --dev
/// /dev --unshare-pid`), one to one.
fn flatpak() -> Vec<&'static str> {
    let mut v = EMPTY_ROOT_USR.to_vec();
    v.push("--dev");
    v
}

fn with(base: &[&str], more: &[&str]) -> Vec<String> {
    base.iter().chain(more).map(|s| s.to_string()).collect()
}

fn jail_v(args: &[String]) -> Output {
    run(jail(args))
}

/// `jail ARGS`, with `input` as its stdin (fd 0, which --file 0:DST reads).
fn jail_input(args: &[&str], input: &[u8]) -> Output {
    let tmp = TempDir::new();
    let f = tmp.join("input");
    std::fs::write(&f, input).unwrap();
    let mut c = jail(args);
    c.stdin(Stdio::from(std::fs::File::open(&f).unwrap()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    wait_output(c.spawn().unwrap(), Duration::from_secs(30))
}

fn mounts() -> String {
    std::fs::read_to_string("/proc/self/mountinfo").unwrap()
}

#[test]
fn flatpak_style_recipe_runs_a_shell_in_an_empty_root() {
    need!("bash");
    let before = mounts();
    let script = "ls /; readlink /bin /lib; echo $$; ps -e -o pid= | wc -l; \
                  echo x > /dev/null && echo devnull; test -e /etc || echo no-etc; \
                  touch /new && echo root-writable";
    let out = jail_v(&with(&flatpak(), &["--pid", "--", "bash", "-c", script]));
    let o = ok(&out);
    let lines: Vec<&str> = o.lines().collect();
    assert_eq!(
        lines[..6],
        ["bin", "dev", "lib", "lib64", "proc", "usr"],
        "{o}"
    );
    assert_eq!(lines[6..8], ["usr/bin", "usr/lib"], "{o}");
    // bash is PID 2 under jail's init; ps sees only the jail's processes.
    assert_eq!(lines[8], "2", "{o}");
    assert!(lines[9].trim().parse::<u32>().unwrap() <= 4, "{o}");
    assert_eq!(lines[10..], ["devnull", "no-etc", "root-writable"], "{o}");
    assert_eq!(mounts(), before, "the host's mount table changed");
}

#[test]
fn empty_root_gets_proc_as_root_does() {
    need!("bash");
    // Without --pid, the host's /proc (as inside a --root that has one).
    let out = jail_v(&with(
        &flatpak(),
        &[
            "--",
            "bash",
            "-c",
            "test -d /proc/1 && grep -c . /proc/self/status",
        ],
    ));
    assert!(ok(&out).trim().parse::<u32>().unwrap() > 5);
    // With --pid, a fresh one: PID 1 is jail's init.
    let out = jail_v(&with(
        &flatpak(),
        &[
            "--pid",
            "--",
            "bash",
            "-c",
            "cat /proc/1/comm; ls /proc | grep -c '^[0-9]'",
        ],
    ));
    let o = ok(&out);
    assert!(o.starts_with("jail\n"), "{o}");
    // A --tmpfs over /proc leaves none.
    let out = jail_v(&with(
        &flatpak(),
        &[
            "--tmpfs",
            "/proc",
            "--",
            "bash",
            "-c",
            "ls -A /proc | wc -l",
        ],
    ));
    assert_eq!(ok(&out), "0\n");
}

#[test]
fn empty_root_composes_binds_tmpfs_and_entries() {
    let tmp = TempDir::new();
    let src = tmp.join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("a"), "from the host\n").unwrap();
    std::fs::set_permissions(&src, std::fs::Permissions::from_mode(0o755)).unwrap();
    let bind = format!("{}:/data", src.display());
    let out = jail_input(
        &[
            &EMPTY_ROOT_USR[..],
            &[
                "--bind",
                &bind,
                "--perms",
                "0700",
                "--size",
                "64k",
                "--tmpfs",
                "/tmp",
                "--dir",
                "/etc/app",
                "--file",
                "0:/etc/app/conf",
                "--",
                "sh",
                "-c",
                "cat /data/a /etc/app/conf; stat -c %a /tmp /etc/app; echo x > /tmp/y && echo tmp",
            ],
        ]
        .concat(),
        b"key = value\n",
    );
    assert_eq!(
        ok(&out),
        "from the host\nkey = value\n700\n755\ntmp\n",
        "{}",
        stderr(&out)
    );
}

#[test]
fn empty_root_conflicts_and_refusals_are_one_line() {
    fails(
        &jail_run(&["--empty-root", "--root", "/", "--", "true"]),
        125,
        "--root /: conflicts with --empty-root",
    );
    fails(
        &jail_run(&["--root", "/", "--empty-root", "--", "true"]),
        125,
        "--empty-root: conflicts with --root /",
    );
    for opt in ["--rw", "--hide"] {
        fails(
            &jail_run(&["--empty-root", opt, "/usr", "--", "true"]),
            125,
            "not with --empty-root",
        );
    }
    fails(
        &jail_run(&["--empty-root", "--tmpfs", "/a/../", "--", "true"]),
        125,
        "'..'",
    );
    // No shell in an empty root: the exec fails as usual, with 127.
    let out = jail_run(&["--empty-root", "--", "/bin/sh", "-c", "true"]);
    assert_eq!(out.status.code(), Some(127), "{}", stderr(&out));
}

// bwrap tests/test-run.sh:75
#[test]
fn bind_onto_a_made_symlink_lands_on_its_target() {
    let usr = &EMPTY_ROOT_USR;
    for base in [&["--tmpfs", "/tmp"][..], usr] {
        let out = jail_v(&with(
            base,
            &[
                "--dir",
                "/tmp/dir",
                "--symlink",
                "dir:/tmp/link",
                "--bind",
                "/etc:/tmp/link",
                "--",
                "sh",
                "-c",
                "test -f /tmp/dir/passwd && readlink /tmp/link",
            ],
        ));
        assert_eq!(ok(&out), "dir\n", "{base:?}");
    }
}

// bwrap tests/test-run.sh:81, :85, :87
#[test]
fn symlink_works_is_idempotent_and_never_replaces() {
    let out = jail_run(&[
        "--tmpfs",
        "/mnt",
        "--symlink",
        "/dev/null:/mnt/symlink",
        "--",
        "readlink",
        "/mnt/symlink",
    ]);
    assert_eq!(ok(&out), "/dev/null\n");
    let link = ["--symlink", "/dev/null:/mnt/symlink"];
    let out = jail_v(&with(
        &["--tmpfs", "/mnt"],
        &[link[0], link[1], link[0], link[1], "--", "true"],
    ));
    ok(&out);
    let out = jail_run(&[
        "--tmpfs",
        "/mnt",
        "--symlink",
        "/dev/null:/mnt/symlink",
        "--symlink",
        "/dev/full:/mnt/symlink",
        "--",
        "echo",
        "ran",
    ]);
    fails(
        &out,
        125,
        "--symlink /dev/full:/mnt/symlink: cannot create /mnt/symlink",
    );
    assert_eq!(stdout(&out), "");
}

// bwrap tests/test-run.sh:363
#[test]
fn directories_made_have_the_modes_asked_for() {
    let args = [
        "--tmpfs",
        "/mnt",
        "--perms",
        "1741",
        "--dir",
        "/mnt/new-dir-set-perms",
        "--perms",
        "0710",
        "--dir",
        "/mnt/dir-already-existed",
        "--dir",
        "/mnt/dir-already-existed",
        "--perms",
        "0754",
        "--dir",
        "/mnt/dir-already-existed2",
        "--perms",
        "0741",
        "--dir",
        "/mnt/dir-already-existed2",
        "--dir",
        "/mnt/new-dir-default-perms",
        "--dir",
        "/mnt/parent/dir",
        "--",
        "stat",
        "-c",
        "%a %n",
        "/mnt/new-dir-set-perms",
        "/mnt/dir-already-existed",
        "/mnt/dir-already-existed2",
        "/mnt/new-dir-default-perms",
        "/mnt/parent",
    ];
    let out = run(with_umask_022(&args.map(String::from)));
    assert_eq!(
        ok(&out),
        "1741 /mnt/new-dir-set-perms\n710 /mnt/dir-already-existed\n\
         754 /mnt/dir-already-existed2\n755 /mnt/new-dir-default-perms\n755 /mnt/parent\n"
    );
}

// bwrap tests/test-run.sh:441
#[test]
fn tmpfs_has_the_mode_asked_for() {
    let out = jail_run(&[
        "--perms", "01777", "--tmpfs", "/mnt", "--", "stat", "-c", "%a", "/mnt",
    ]);
    assert_eq!(ok(&out), "1777\n");
    let out = jail_run(&["--tmpfs", "/mnt", "--", "stat", "-c", "%a", "/mnt"]);
    assert_eq!(ok(&out), "755\n");
}

// bwrap tests/test-run.sh:460
#[test]
fn tmpfs_has_the_size_asked_for() {
    need!("df");
    let df = ["df", "--output=size", "--block-size=1K", "/mnt"];
    for pre in [
        &["--size", "1048576"][..],
        &["--size", "1048576", "--perms", "01777"][..],
        &["--perms", "01777", "--size", "1048576"][..],
        &["--size", "1M"][..],
        &["--size", "1024k"][..],
    ] {
        let mut args = pre.to_vec();
        args.extend(["--tmpfs", "/mnt", "--"]);
        args.extend(df);
        let out = jail_run(&args);
        let o = ok(&out);
        assert_eq!(
            o.lines().nth(1).map(str::trim),
            Some("1024"),
            "{pre:?}: {o}"
        );
        if pre.contains(&"--perms") {
            let out = jail_v(&with(
                pre,
                &["--tmpfs", "/mnt", "--", "stat", "-c", "%a", "/mnt"],
            ));
            assert_eq!(ok(&out), "1777\n", "{pre:?}");
        }
    }
}

// bwrap tests/test-run.sh:488
#[test]
fn files_have_the_content_and_modes_asked_for() {
    let stat = ["stat", "-c", "%a", "/tmp/file"];
    for (pre, mode) in [
        (&["--file", "0:/tmp/file"][..], "666"),
        (&["--perms", "0640", "--file", "0:/tmp/file"][..], "640"),
        // --bind-data: a --file of mode 0600.
        (&["--perms", "0600", "--file", "0:/tmp/file"][..], "600"),
        (&["--ro-file", "0:/tmp/file"][..], "600"),
        (&["--perms", "0640", "--ro-file", "0:/tmp/file"][..], "640"),
    ] {
        let mut args = vec!["--tmpfs", "/tmp"];
        args.extend(pre);
        args.push("--");
        args.extend(stat);
        let out = jail_input(&args, b"");
        assert_eq!(ok(&out), format!("{mode}\n"), "{pre:?}");
    }
    // The content, byte for byte (a NUL and no final newline included);
    // --file writable, --ro-file not.
    let data = b"line\n\0binary\xff";
    let script = "cmp /tmp/file /tmp/file >/dev/null && od -An -c /tmp/file | tr -s ' ' | \
                  head -c 60; echo; (echo more >> /tmp/file) 2>/dev/null && echo writable \
                  || echo read-only";
    for (flag, want) in [("--file", "writable\n"), ("--ro-file", "read-only\n")] {
        let out = jail_input(
            &[
                "--tmpfs",
                "/tmp",
                flag,
                "0:/tmp/file",
                "--",
                "sh",
                "-c",
                script,
            ],
            data,
        );
        let o = ok(&out);
        assert!(o.contains("l i n e \\n \\0 b i n a r y 377"), "{flag}: {o}");
        assert!(o.ends_with(want), "{flag}: {o}");
    }
}

#[test]
fn a_file_larger_than_the_limit_is_refused() {
    let big = vec![b'x'; (16 << 20) + 1];
    let out = jail_input(
        &["--tmpfs", "/tmp", "--file", "0:/tmp/f", "--", "true"],
        &big,
    );
    fails(&out, 125, "more than 16 MiB");
    let fit = vec![b'x'; 16 << 20];
    let out = jail_input(
        &[
            "--tmpfs", "/tmp", "--file", "0:/tmp/f", "--", "stat", "-c", "%s", "/tmp/f",
        ],
        &fit,
    );
    assert_eq!(ok(&out), format!("{}\n", 16 << 20));
}

// bwrap tests/test-run.sh:514 (bogus sizes) and :539 (given twice)
#[test]
fn bad_values_are_one_line_and_125() {
    let bad_size = "expected a number of bytes above 0";
    for v in [
        "0",
        "123bogus",
        "",
        "-12345678",
        " -12345678",
        "18446744073709551616",
        "unlimited",
    ] {
        fails(
            &jail_run(&["--size", v, "--tmpfs", "/tmp/a", "--", "true"]),
            125,
            bad_size,
        );
    }
    for v in ["999", "", "0x10", "-1", "17777", "+7"] {
        fails(
            &jail_run(&["--perms", v, "--tmpfs", "/tmp/a", "--", "true"]),
            125,
            "expected an octal mode up to 07777",
        );
    }
    let cases: &[(&[&str], &str)] = &[
        (
            &["--perms", "0640", "--perms", "0640", "--tmpfs", "/tmp/a"],
            "given twice",
        ),
        (
            &[
                "--size", "1048576", "--size", "1048576", "--tmpfs", "/tmp/a",
            ],
            "given twice",
        ),
        (
            &["--perms", "0640", "--bind", "/usr:/tmp/a"],
            "must come right before --dir",
        ),
        (&["--perms", "0640"], "must come right before --dir"),
        (&["--size", "1M", "--tmpfs", "/tmp", "--dir", "/tmp/a"], ""),
        (
            &["--size", "1M", "--dir", "/tmp/a"],
            "must come right before --tmpfs",
        ),
        (&["--tmpfs", "/tmp", "--file", "/tmp/a"], "expected FD:DST"),
        (
            &["--tmpfs", "/tmp", "--file", "x:/tmp/a"],
            "expected a file descriptor number",
        ),
        (
            &["--tmpfs", "/tmp", "--file", "9:/tmp/a"],
            "read fd 9: Bad file descriptor",
        ),
        // Open, but for writing only (stdout, a pipe here).
        (
            &["--tmpfs", "/tmp", "--file", "1:/tmp/a"],
            "must be open for reading",
        ),
        (
            &["--tmpfs", "/tmp", "--ro-file", "0:tmp/a"],
            "is not an absolute path",
        ),
        (
            &["--tmpfs", "/tmp", "--symlink", "/tmp/a"],
            "expected TARGET:DST",
        ),
        (&["--tmpfs", "/tmp", "--symlink", ":/tmp/a"], "empty target"),
        (&["--tmpfs", "/tmp", "--dir", "/tmp/../etc/x"], "has a '..'"),
    ];
    for (args, needle) in cases {
        let mut a = args.to_vec();
        a.extend(["--", "echo", "ran"]);
        let out = jail_run(&a);
        if needle.is_empty() {
            // --size consumed by its --tmpfs: nothing pending for --dir.
            ok(&out);
            continue;
        }
        fails(&out, 125, needle);
        assert_eq!(stdout(&out), "", "{args:?}");
    }
}

#[test]
fn entries_outside_a_jail_tmpfs_are_refused() {
    let tmp = TempDir::new();
    let t = tmp.path().display().to_string();
    let root = tmp.join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o777)).unwrap();
    let r = root.display().to_string();
    let cases: Vec<Vec<String>> = vec![
        with(&["--dir"], &[&format!("{t}/d")]),
        with(&["--symlink"], &[&format!("x:{t}/l")]),
        with(&["--file"], &[&format!("0:{t}/f")]),
        with(&["--ro-file"], &[&format!("0:{t}/f")]),
        // Under --root DIR: DIR is the caller's.
        with(&["--root", &r, "--dir"], &["/d"]),
        // A bind inside a tmpfs: what it shows is the caller's.
        with(
            &["--tmpfs", "/mnt", "--bind", &t, "--dir"],
            &[&format!("{t}/d")],
        ),
        with(
            &["--tmpfs", "/mnt", "--bind"],
            &[&format!("{t}:/mnt/b"), "--dir", "/mnt/b/d"],
        ),
        // The fresh /proc of --empty-root --pid.
        with(&["--empty-root", "--pid", "--dir"], &["/proc/d"]),
    ];
    for case in &cases {
        let mut a = case.clone();
        a.extend(["--", "echo", "ran"].map(String::from));
        let out = run({
            let mut c = jail(&a);
            c.stdin(Stdio::null());
            c
        });
        fails(&out, 125, "is not in a --tmpfs or --empty-root");
        assert_eq!(stdout(&out), "", "{case:?}");
        assert_eq!(entries(tmp.path()), ["root"], "{case:?}");
        assert!(entries(&root).is_empty(), "{case:?}");
    }
}

#[test]
fn verbose_and_explain_name_the_empty_root() {
    let out = jail_run(&[
        "-v",
        "--empty-root",
        "--symlink",
        "usr/bin:/bin",
        "--dir",
        "/d",
        "--",
        "/usr/bin/true",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(127), "{err}");
    assert!(
        err.contains("jail: mount: empty tmpfs on / (--empty-root)"),
        "{err}"
    );
    assert!(
        err.contains("jail: mount: symlink /bin -> usr/bin (--symlink usr/bin:/bin)"),
        "{err}"
    );
    assert!(
        err.contains("jail: mount: directory /d, mode 0755 (--dir /d)"),
        "{err}"
    );
    let out = jail_run(&[
        "-v", "--perms", "1777", "--size", "1M", "--tmpfs", "/mnt", "--", "true",
    ]);
    let err = stderr(&out);
    assert!(
        err.contains("jail: mount: tmpfs on /mnt, mode=01777,size=1048576 (--tmpfs /mnt)"),
        "{err}"
    );
    let out = jail_run(&["--explain", "--empty-root", "--", "true"]);
    assert!(ok(&out).contains("root is an empty tmpfs (--empty-root)"));
}

// bwrap tests/test-run.sh:396
#[test]
fn parents_made_for_a_directory_hide_what_its_mode_hides() {
    let cases = [
        (None, "755"),
        (Some("1777"), "755"),
        (Some("0755"), "755"),
        (Some("0644"), "755"),
        (Some("0750"), "750"),
        (Some("0710"), "750"),
        (Some("0720"), "750"),
        (Some("0640"), "750"),
        (Some("0700"), "700"),
        (Some("0600"), "700"),
        (Some("0705"), "705"),
        (Some("0604"), "705"),
        (Some("0000"), "700"),
    ];
    let mut args: Vec<String> = vec!["--tmpfs".into(), "/mnt".into()];
    let mut want = String::new();
    for (i, (perms, parent)) in cases.iter().enumerate() {
        if let Some(p) = perms {
            args.extend(["--perms".into(), p.to_string()]);
        }
        args.extend(["--dir".into(), format!("/mnt/p{i}/dir")]);
        want += &format!("{parent}\n");
    }
    // The caller's umask applies to parents, as to bwrap's.
    args.extend(["--", "sh", "-c"].map(String::from));
    args.push(format!(
        "for i in $(seq 0 {}); do stat -c %a /mnt/p$i; done",
        cases.len() - 1
    ));
    assert_eq!(ok(&run(with_umask_022(&args))), want);
}

/// `jail ARGS` as `jail()` runs it, with umask 022 (the suite's own may
/// differ).
fn with_umask_022(args: &[String]) -> std::process::Command {
    use std::os::unix::process::CommandExt;
    let mut c = std::process::Command::new("sh");
    c.args(["-c", "umask 022; exec \"$@\"", "sh"]);
    c.arg(bin()).args(args);
    known_env(&mut c);
    if is_root() {
        c.uid(NOBODY).gid(NOBODY);
    }
    c
}

#[test]
fn empty_root_belongs_to_the_ids_command_runs_as() {
    if let Err(why) = crate::subids::ready() {
        crate::skip!("--map-auto: {why}");
    }
    let mut args = EMPTY_ROOT_USR.to_vec();
    args.extend([
        "--map-auto",
        "--uid",
        "1000",
        "--",
        "sh",
        "-c",
        "stat -c '%u %g %a' /; touch /x && echo wrote",
    ]);
    assert_eq!(ok(&jail_run(&args)), "1000 1000 755\nwrote\n");
}

#[test]
fn overlay_in_an_empty_root_is_over_what_an_earlier_option_made() {
    let mut args = EMPTY_ROOT_USR.to_vec();
    args.extend([
        "--overlay",
        "/usr",
        "--",
        "sh",
        "-c",
        "echo x > /usr/jail-compose-probe && cat /usr/jail-compose-probe",
    ]);
    assert_eq!(ok(&jail_run(&args)), "x\n");
    assert!(!Path::new("/usr/jail-compose-probe").exists());
    let mut args = EMPTY_ROOT_USR.to_vec();
    args.extend(["--overlay", "/etc", "--", "true"]);
    fails(
        &jail_run(&args),
        125,
        "in --empty-root, PATH must be made by an earlier --bind, --tmpfs or --dev",
    );
}
