//! Subordinate id ranges: --map-auto, --map-users and --map-groups, written
//! by newuidmap/newgidmap from the ranges in /etc/subuid and /etc/subgid.
//!
//! When the suite runs as root, the jail user (nobody) is given the range
//! 100000:65536 in both files unless it already has one; the line is
//! appended under a lock and never removed, and no other line is touched.

use crate::common::*;
use crate::{need, skip};

use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Once;
use std::time::Duration;

const SUBUID: &str = "/etc/subuid";
const SUBGID: &str = "/etc/subgid";

/// The jail user's name, as /etc/subuid may spell it.
fn user_name(uid: u32) -> Option<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 2 && f[2] == uid.to_string()).then(|| f[0].to_string())
    })
}

/// The `(start, count)` ranges `file` gives `uid`, in file order.
fn ranges(file: &str, uid: u32) -> Vec<(u32, u32)> {
    let name = user_name(uid);
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.trim().split(':').collect();
            if f.len() != 3 || (f[0] != uid.to_string() && Some(f[0]) != name.as_deref()) {
                return None;
            }
            Some((f[1].parse().ok()?, f[2].parse().ok()?))
        })
        .filter(|(_, c)| *c > 0)
        .collect()
}

/// As root: give uid 65534 a range in `file` unless it has one. Appends
/// under an exclusive lock, so parallel suites add it once.
fn add_range(file: &str) {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(file)
        .unwrap_or_else(|e| panic!("open {file}: {e}"));
    // SAFETY: flock on our own open fd.
    assert_eq!(unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) }, 0);
    if ranges(file, NOBODY).is_empty() {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let sep = if text.is_empty() || text.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        writeln!(f, "{sep}nobody:100000:65536").unwrap();
    }
    // Closing the file releases the lock.
}

/// Skip unless the helpers are installed and the jail user has ranges
/// (as root, make sure it has). Returns its first uid and gid ranges.
macro_rules! need_subids {
    () => {{
        if let Err(why) = ready() {
            skip!("{why}");
        }
        let (uid, _) = user_ids();
        (ranges(SUBUID, uid)[0], ranges(SUBGID, uid)[0])
    }};
}

/// For other modules: whether the jail user can use --map-auto here (as
/// root, giving it ranges first); Err says why not.
pub fn ready() -> Result<(), String> {
    for helper in ["newuidmap", "newgidmap"] {
        if !have(helper) {
            return Err(format!("{helper} is not installed"));
        }
    }
    static SETUP: Once = Once::new();
    if is_root() {
        SETUP.call_once(|| {
            add_range(SUBUID);
            add_range(SUBGID);
        });
    }
    let (uid, _) = user_ids();
    if ranges(SUBUID, uid).is_empty() || ranges(SUBGID, uid).is_empty() {
        return Err(format!("uid {uid} has no range in {SUBUID} and {SUBGID}"));
    }
    Ok(())
}

/// The lines of `text`, split into whitespace-separated fields.
fn fields(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect()
}

fn line(a: u32, b: u32, c: u32) -> Vec<String> {
    vec![a.to_string(), b.to_string(), c.to_string()]
}

#[test]
fn map_auto_maps_caller_to_0_and_first_range_from_1() {
    let ((us, uc), (gs, gc)) = need_subids!();
    let (uid, gid) = user_ids();
    let out = ok(&jail_run(&[
        "--map-auto",
        "--",
        "sh",
        "-c",
        "cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; id -u; id -g",
    ]));
    let parts: Vec<&str> = out.split("--\n").collect();
    assert_eq!(parts.len(), 3, "{out}");
    assert_eq!(
        fields(parts[0]),
        vec![line(0, uid, 1), line(1, us, uc)],
        "uid_map"
    );
    assert_eq!(
        fields(parts[1]),
        vec![line(0, gid, 1), line(1, gs, gc)],
        "gid_map"
    );
    assert_eq!(parts[2], "0\n0\n", "the caller is 0 inside, as with -r");
}

#[test]
fn map_auto_lets_root_inside_chown_to_a_mapped_id() {
    need_subids!();
    let out = ok(&jail_run(&[
        "--map-auto",
        "--tmpfs",
        "/tmp",
        "--",
        "sh",
        "-c",
        "touch /tmp/f && chown 1000:1000 /tmp/f && ls -ln /tmp/f",
    ]));
    let f: Vec<&str> = out.split_whitespace().collect();
    assert_eq!(f.get(2..4), Some(&["1000", "1000"][..]), "ls -ln: {out}");
}

#[test]
fn without_a_map_chown_to_another_id_fails() {
    // The contrast to the test above: -r alone maps one id.
    let o = jail_run(&[
        "-r",
        "--tmpfs",
        "/tmp",
        "--",
        "sh",
        "-c",
        "touch /tmp/f && chown 1000:1000 /tmp/f",
    ]);
    assert!(!o.status.success(), "chown to an unmapped id worked");
}

#[test]
fn map_auto_uid_runs_command_as_that_id_with_the_range_mapped() {
    let ((us, uc), _) = need_subids!();
    let (uid, _) = user_ids();
    let out = ok(&jail_run(&[
        "--map-auto",
        "--uid",
        "1000",
        "--",
        "sh",
        "-c",
        "id -u; id -g; grep CapEff /proc/self/status; cat /proc/self/uid_map",
    ]));
    let lines: Vec<&str> = out.lines().collect();
    // --uid alone picks the group too (it is mapped).
    assert_eq!(lines[..2], ["1000", "1000"], "{out}");
    assert!(
        lines[2].ends_with("0000000000000000"),
        "a non-root COMMAND keeps no capabilities: {out}"
    );
    assert_eq!(
        fields(&lines[3..].join("\n")),
        vec![line(0, uid, 1), line(1, us, uc)]
    );

    let out = ok(&jail_run(&[
        "--map-auto",
        "--uid",
        "1000",
        "--gid",
        "1000",
        "--tmpfs",
        "/tmp",
        "--",
        "sh",
        "-c",
        "id -u; id -g; id -G; touch /tmp/f; ls -ln /tmp/f",
    ]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[..3], ["1000", "1000", "1000"], "{out}");
    let f: Vec<&str> = lines[3].split_whitespace().collect();
    assert_eq!(f[2..4], ["1000", "1000"], "a file COMMAND makes: {out}");

    // --gid still wins.
    let out = ok(&jail_run(&[
        "--map-auto",
        "--uid",
        "1000",
        "--gid",
        "0",
        "--",
        "sh",
        "-c",
        "id -u; id -g",
    ]));
    assert_eq!(out, "1000\n0\n");
}

/// Inside a jail (a user namespace, no_new_privs) the setuid helpers gain
/// nothing: the hint names that cause, not the helpers' setuid bit or
/// /etc/subuid.
#[test]
fn map_auto_inside_a_jail_hints_at_the_nesting() {
    need_subids!();
    let inner = bin().to_str().unwrap();
    let out = jail_run(&["--net", "--pid", "--", inner, "--map-auto", "--", "id"]);
    let err = fails(&out, 125, "jail: write uid map with newuidmap");
    assert!(
        err.contains("jail: hint: jail runs under no_new_privs (inside another jail?)"),
        "{err:?}"
    );
    assert!(
        !err.contains("setuid root") && !err.contains("usermod"),
        "{err:?}"
    );
}

#[test]
fn uid_outside_the_map_is_refused() {
    let ((_, uc), _) = need_subids!();
    let past = (uc as u64 + 1).to_string();
    let o = jail_run(&["--map-auto", "--uid", &past, "--", "true"]);
    fails(&o, 125, &format!("--uid {past}: not mapped inside"));
}

#[test]
fn map_users_and_map_groups_take_explicit_ranges() {
    let ((us, uc), (gs, gc)) = need_subids!();
    if uc < 20 || gc < 10 {
        skip!("the ranges are too small for this test");
    }
    let (uid, gid) = user_ids();
    let u1 = format!("1:{us}:10");
    let u2 = format!("500:{}:5", us + 10);
    let g1 = format!("100:{gs}:10");
    let out = ok(&jail_run(&[
        "--map-users",
        &u1,
        "--map-users",
        &u2,
        "--map-groups",
        &g1,
        "--",
        "sh",
        "-c",
        "cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; id -u",
    ]));
    let parts: Vec<&str> = out.split("--\n").collect();
    assert_eq!(
        fields(parts[0]),
        vec![line(0, uid, 1), line(1, us, 10), line(500, us + 10, 5)]
    );
    assert_eq!(fields(parts[1]), vec![line(0, gid, 1), line(100, gs, 10)]);
    assert_eq!(parts[2], "0\n");

    // Only uids: the gid map is the caller's gid alone, written directly.
    let out = ok(&jail_run(&[
        "--map-users",
        &u1,
        "--",
        "cat",
        "/proc/self/gid_map",
    ]));
    assert_eq!(fields(&out), vec![line(0, gid, 1)]);
}

#[test]
fn a_range_the_user_does_not_own_is_refused_before_anything_starts() {
    let ((us, uc), _) = need_subids!();
    let dir = TempDir::new();
    let marker = dir.join("ran");
    let outside = us as u64 + uc as u64 + 1000;
    let typed = format!("1:{outside}:10");
    let o = jail_run(&[
        "--map-users",
        &typed,
        "--",
        "touch",
        marker.to_str().unwrap(),
    ]);
    let err = fails(&o, 125, &format!("--map-users {typed}: "));
    assert!(err.contains(SUBUID), "{err}");
    assert!(err.contains("hint: ") && err.contains("usermod"), "{err}");
    assert!(!marker.exists(), "COMMAND ran");

    let o = jail_run(&["--map-users", &format!("0:{us}:10"), "--", "true"]);
    fails(&o, 125, "0 inside is the caller's own");
    let o = jail_run(&["--map-groups", "1:2", "--", "true"]);
    fails(&o, 125, "--map-groups: invalid value '1:2'");
}

#[test]
fn a_missing_helper_is_125_with_a_hint() {
    need_subids!();
    let mut c = jail(["--map-auto", "--", "/bin/true"]);
    c.env("PATH", "/nonexistent");
    let err = fails(&run(c), 125, "newuidmap: not found");
    assert!(err.contains("hint: ") && err.contains("uidmap"), "{err}");
}

#[test]
fn a_user_without_a_range_gets_a_hint() {
    need!("newuidmap");
    need!("newgidmap");
    if !is_root() {
        skip!("needs root to run jail as a user without a range");
    }
    // uid 1 (daemon on Debian) and gid 1, unless someone gave it a range.
    if !ranges(SUBUID, 1).is_empty() {
        skip!("uid 1 has a range in {SUBUID}");
    }
    let mut c = Command::new(bin());
    c.args(["--map-auto", "--", "/bin/true"])
        .current_dir("/")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .uid(1)
        .gid(1);
    let err = fails(&run(c), 125, "has no subordinate uids in /etc/subuid");
    assert!(
        err.contains("hint: ") && err.contains("--add-subuids"),
        "{err}"
    );
}

/// The second line of a failure: the hint, without its prefix.
fn hint_of(err: &str) -> &str {
    err.lines()
        .nth(1)
        .and_then(|l| l.strip_prefix("jail: hint: "))
        .unwrap_or_else(|| panic!("no hint: {err}"))
}

/// `--map-users 1:0:1` asks for uid 0 outside: the hint must not propose
/// `usermod --add-subuids 0-0` (giving the caller root's uid), nor any
/// id below SUB_UID_MIN; a free range above it still gets its usermod line.
#[test]
fn hints_never_propose_mapping_uid_0() {
    need!("newuidmap");
    need!("newgidmap");
    for (flag, opt) in [
        ("--map-users", "--add-subuids"),
        ("--map-groups", "--add-subgids"),
    ] {
        for range in ["1:0:1", "1:0:100", "1:1000:10"] {
            let err = fails(
                &jail_run(&[flag, range, "--", "true"]),
                125,
                &format!("{flag} {range}: "),
            );
            let hint = hint_of(&err);
            assert!(!hint.contains(&format!("{opt} 0")), "{err}");
            assert!(!hint.contains(&format!("{opt} 1000")), "{err}");
            assert!(hint.contains("below 100000"), "{err}");
            assert!(hint.contains(&format!("{opt} FIRST-LAST")), "{err}");
        }
    }
    // Control: ids past every range in the file are fit to be added.
    let free = std::fs::read_to_string(SUBUID)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            Some(f.get(1)?.parse::<u64>().ok()? + f.get(2)?.parse::<u64>().ok()?)
        })
        .fold(200000, u64::max)
        + 1000;
    let range = format!("1:{free}:10");
    let err = fails(
        &jail_run(&["--map-users", &range, "--", "true"]),
        125,
        &format!("--map-users {range}: "),
    );
    assert!(
        hint_of(&err).contains(&format!("usermod --add-subuids {free}-{}", free + 9)),
        "{err}"
    );
}

/// A range that is another user's in /etc/subuid (the jail user's, as
/// uid 1 asks for it) gets no usermod line that would hand it over.
#[test]
fn hints_never_propose_another_users_range() {
    let ((us, _), (gs, _)) = need_subids!();
    if !is_root() {
        skip!("needs root to run jail as a second user");
    }
    if !ranges(SUBUID, 1).is_empty() || !ranges(SUBGID, 1).is_empty() {
        skip!("uid 1 has a range in {SUBUID} or {SUBGID}");
    }
    for (flag, opt, start) in [
        ("--map-users", "--add-subuids", us),
        ("--map-groups", "--add-subgids", gs),
    ] {
        let range = format!("1:{}:10", start + 5);
        let mut c = Command::new(bin());
        c.args([flag, &range, "--", "/bin/true"])
            .current_dir("/")
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .uid(1)
            .gid(1);
        let err = fails(&run(c), 125, &format!("{flag} {range}: "));
        let hint = hint_of(&err);
        assert!(!hint.contains(&format!("{opt} {}", start + 5)), "{err}");
        assert!(hint.contains("range in /etc/sub"), "{err}");
        assert!(hint.contains(&format!("{opt} FIRST-LAST")), "{err}");
    }
}

/// Whether a process other than ours has `tag` in its command line.
fn running_with(tag: &str) -> bool {
    let me = std::process::id().to_string();
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        name.parse::<u32>().is_ok()
            && name != me
            && std::fs::read(e.path().join("cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains(tag))
                .unwrap_or(false)
    })
}

#[test]
fn a_failing_helper_is_125_with_its_reason_and_leaves_nothing_running() {
    need_subids!();
    if !is_root() {
        skip!("needs root to make newuidmap refuse");
    }
    // newuidmap refuses a caller whose gid is not its passwd entry's.
    let dir = TempDir::new();
    let marker = dir.join("ran");
    let tag = format!("subids-helper-fails-{}", std::process::id());
    let mut c = Command::new(bin());
    c.args([
        "--map-auto",
        "--",
        "sh",
        "-c",
        &format!("touch {}; sleep 30", marker.display()),
        &tag,
    ])
    .current_dir("/")
    .env_clear()
    .env("PATH", "/usr/bin:/bin")
    .uid(NOBODY)
    .gid(100);
    let err = fails(&run(c), 125, "write uid map with newuidmap: ");
    assert!(err.contains("hint: ") && err.contains("usermod"), "{err}");
    assert!(!marker.exists(), "COMMAND ran");
    assert!(
        !wait_until(std::time::Duration::from_millis(200), || running_with(&tag)),
        "a jail process is left running"
    );
}

/// jail as the test user with one more supplementary group (100, which no
/// map covers); as a non-root caller, with the caller's own groups.
fn jail_with_extra_group(args: &[&str]) -> Command {
    let mut c = if is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--groups=100"])
            .arg(bin());
        c
    } else {
        Command::new(bin())
    };
    c.args(args)
        .current_dir("/tmp")
        .env_clear()
        .env("PATH", "/usr/bin:/bin");
    c
}

#[test]
fn supplementary_groups_are_mapped_ones_not_nogroup() {
    need_subids!();
    need!("setpriv");
    let c = jail_with_extra_group(&[
        "--map-auto",
        "--",
        "sh",
        "-c",
        "cat /proc/self/setgroups; id -G",
    ]);
    assert_eq!(ok(&run(c)), "allow\n0\n", "setgroups and id -G inside");
    let c = jail_with_extra_group(&["--map-auto", "--gid", "7", "--", "id", "-G"]);
    assert_eq!(ok(&run(c)), "7\n", "id -G with --gid 7");

    if is_root() {
        // The contrast: with -r the unmapped group shows as nogroup.
        let out = ok(&run(jail_with_extra_group(&["-r", "--", "id", "-G"])));
        assert!(
            out.split_whitespace().any(|g| g == "65534"),
            "-r should show the unmapped group as 65534: {out}"
        );
    }
}

/// A busybox root filesystem in DIR/root, owned by the jail user; None if
/// there is no static busybox.
fn busybox_root(dir: &TempDir) -> Option<std::path::PathBuf> {
    let src = ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.is_file())?;
    let out = Command::new("file").arg("-L").arg(src).output().ok()?;
    if !String::from_utf8_lossy(&out.stdout).contains("statically linked") {
        return None;
    }
    let root = dir.join("root");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::copy(src, root.join("bin/busybox")).unwrap();
    let (u, g) = user_ids();
    for p in [root.clone(), root.join("bin"), root.join("bin/busybox")] {
        std::os::unix::fs::chown(&p, Some(u), Some(g)).unwrap();
    }
    Some(root)
}

#[test]
fn a_root_with_files_of_several_owners_works_with_map_auto() {
    let ((us, _), (gs, _)) = need_subids!();
    need!("file");
    let dir = TempDir::new();
    let Some(root) = busybox_root(&dir) else {
        skip!("no statically linked busybox to build a rootfs from");
    };
    let r = root.to_str().unwrap();
    // Unpack a tree as root inside, the way debootstrap or an image
    // unpacker would: files owned by several subordinate ids.
    ok(&jail_run(&[
        "--map-auto",
        "--",
        "sh",
        "-c",
        &format!(
            "set -e; cd {r}; mkdir -p home/u etc; echo hi >etc/f; chown 2:3 etc/f; \
             chown 1000:1000 home/u; chmod 700 home/u"
        ),
    ]));
    // On the host they belong to subordinate ids.
    let meta = std::fs::metadata(root.join("home/u")).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (us + 999, gs + 999));
    let meta = std::fs::metadata(root.join("etc/f")).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (us + 1, gs + 2));

    let out = ok(&jail_run(&[
        "--root",
        r,
        "--map-auto",
        "--",
        "/bin/busybox",
        "sh",
        "-c",
        "/bin/busybox ls -lnd /home/u /etc/f; /bin/busybox cat /etc/f",
    ]));
    let owners: Vec<(String, String)> = out
        .lines()
        .take(2)
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[2].to_string(), f[3].to_string())
        })
        .collect();
    assert_eq!(
        owners,
        [("2".into(), "3".into()), ("1000".into(), "1000".into())],
        "{out}"
    );
    assert!(out.ends_with("hi\n"), "{out}");

    // The owner of the 0700 directory can write in it; another id cannot.
    let write = |uid: &str| {
        jail_run(&[
            "--root",
            r,
            "--map-auto",
            "--uid",
            uid,
            "--gid",
            uid,
            "--",
            "/bin/busybox",
            "touch",
            "/home/u/new",
        ])
    };
    ok(&write("1000"));
    assert!(
        !write("2").status.success(),
        "uid 2 wrote in 1000's 0700 dir"
    );

    // Clean up as root inside: the caller cannot remove subordinate files.
    ok(&jail_run(&[
        "--map-auto",
        "--",
        "rm",
        "-rf",
        &format!("{r}/home"),
        &format!("{r}/etc"),
    ]));
}

#[test]
fn verbose_times_each_helper() {
    need_subids!();
    let o = jail_run(&["-v", "--map-auto", "--", "true"]);
    ok(&o);
    let err = stderr(&o);
    for step in ["jail: newuidmap: ", "jail: newgidmap: "] {
        assert!(err.contains(step), "{step:?} not in {err}");
    }
}

/// The new session keyring and the filter refusing keyctl(2) are there with
/// subordinate maps too, both for COMMAND as 0 (the caller's own uid) and
/// as a mapped id.
#[test]
fn map_auto_command_cannot_reach_the_callers_session_keyring() {
    need_subids!();
    if !cfg!(target_arch = "x86_64") {
        skip!("the test's system call numbers are x86_64's");
    }
    need!("python3");
    if crate::security::keyring_attack(None).is_none() {
        skip!("this kernel has no keyrings (CONFIG_KEYS)");
    }
    for args in [
        &["--map-auto"][..],
        &["--map-auto", "--pid", "--uid", "1000", "--gid", "1000"],
    ] {
        crate::security::keyrings_are_unreachable_under(args);
        crate::security::user_keyrings_are_unreachable_under(args);
    }
}

/// Leaving uid 0 inside resets the memory's dumpable flag to
/// fs.suid_dumpable; COMMAND's process still shares the parent's memory
/// then, so jail must make it non-dumpable again: the parent's /proc files
/// stay root's while COMMAND runs, whatever the sysctl says.
#[test]
fn switching_ids_leaves_the_parent_non_dumpable() {
    need_subids!();
    if !is_root() {
        skip!("needs root to set fs.suid_dumpable=1 for the test");
    }
    const KNOB: &str = "/proc/sys/fs/suid_dumpable";
    let old = std::fs::read_to_string(KNOB).unwrap();
    std::fs::write(KNOB, "1").unwrap();
    struct Restore(String);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = std::fs::write(KNOB, self.0.trim());
        }
    }
    let _restore = Restore(old);
    let mut c = jail(["--map-auto", "--uid", "1000", "--", "sleep", "2"]);
    c.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    let environ = format!("/proc/{}/environ", child.id());
    // Once COMMAND runs (its sleep is a child of the keeper), look.
    std::thread::sleep(Duration::from_millis(700));
    let owner = std::fs::metadata(&environ).map(|m| m.uid());
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        owner.ok(),
        Some(0),
        "{environ} must stay root's (non-dumpable)"
    );
}
