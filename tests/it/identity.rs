//! Identity inside the jail: uid/gid maps, --uid/--gid, -r, capabilities and
//! no_new_privs.

use crate::common::*;

/// `id -u` and `id -g` inside `jail ARGS`.
fn ids(args: &[&str]) -> (u32, u32) {
    let mut a = args.to_vec();
    a.extend(["--", "sh", "-c", "id -u; id -g"]);
    let o = ok(&jail_run(&a));
    let v: Vec<u32> = o
        .lines()
        .map(|l| {
            l.trim()
                .parse()
                .unwrap_or_else(|_| panic!("bad id output {o:?}"))
        })
        .collect();
    assert_eq!(v.len(), 2, "jail {args:?}: id printed {o:?}");
    (v[0], v[1])
}

/// The lines of /proc/self/<file> inside, split into fields.
fn map_inside(args: &[&str], file: &str) -> Vec<Vec<String>> {
    let mut a = args.to_vec();
    let p = format!("/proc/self/{file}");
    a.extend(["--", "cat", &p]);
    ok(&jail_run(&a))
        .lines()
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect()
}

#[track_caller]
fn assert_map(args: &[&str], file: &str, inside: u32, outside: u32) {
    let m = map_inside(args, file);
    let want = vec![vec![
        inside.to_string(),
        outside.to_string(),
        "1".to_string(),
    ]];
    assert_eq!(
        m, want,
        "jail {args:?}: /proc/self/{file} should be the single line `{inside} {outside} 1`"
    );
}

/// The `Name:\tvalue` lines of /proc/self/status inside `jail ARGS`.
fn status(args: &[&str]) -> std::collections::HashMap<String, String> {
    let mut a = args.to_vec();
    a.extend(["--", "cat", "/proc/self/status"]);
    ok(&jail_run(&a))
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
        .collect()
}

fn cap(s: &std::collections::HashMap<String, String>, k: &str) -> u64 {
    let v = s.get(k).unwrap_or_else(|| panic!("no {k} in status"));
    u64::from_str_radix(v, 16).unwrap_or_else(|_| panic!("bad {k}: {v:?}"))
}

#[test]
fn default_ids_are_the_callers() {
    let (uid, gid) = user_ids();
    assert_eq!(
        ids(&[]),
        (uid, gid),
        "default ids inside differ from caller's"
    );
}

#[test]
fn default_uid_map_is_identity() {
    let (uid, _) = user_ids();
    assert_map(&[], "uid_map", uid, uid);
}

#[test]
fn default_gid_map_is_identity() {
    let (_, gid) = user_ids();
    assert_map(&[], "gid_map", gid, gid);
}

#[test]
fn setgroups_denied() {
    let o = ok(&jail_run(&["--", "cat", "/proc/self/setgroups"]));
    assert_eq!(o.trim(), "deny", "/proc/self/setgroups inside");
}

#[test]
fn uid_and_gid_flags() {
    let (uid, gid) = user_ids();
    let args = ["--uid", "1000", "--gid", "2000"];
    assert_eq!(ids(&args), (1000, 2000), "--uid 1000 --gid 2000");
    assert_map(&args, "uid_map", 1000, uid);
    assert_map(&args, "gid_map", 2000, gid);
}

#[test]
fn uid_alone_keeps_default_gid() {
    let (uid, gid) = user_ids();
    assert_eq!(ids(&["--uid", "4242"]), (4242, gid), "--uid 4242");
    assert_map(&["--uid", "4242"], "uid_map", 4242, uid);
}

#[test]
fn map_root_gives_root_and_full_caps() {
    let (uid, gid) = user_ids();
    for flag in ["-r", "--map-root"] {
        assert_eq!(ids(&[flag]), (0, 0), "{flag}: id -u/-g");
        assert_map(&[flag], "uid_map", 0, uid);
        assert_map(&[flag], "gid_map", 0, gid);
        let s = status(&[flag]);
        let eff = cap(&s, "CapEff");
        assert_ne!(eff, 0, "{flag}: CapEff is empty");
        assert_eq!(eff, cap(&s, "CapBnd"), "{flag}: CapEff != CapBnd");
        assert_eq!(cap(&s, "CapPrm"), eff, "{flag}: CapPrm != CapEff");
        assert_eq!(
            s.get("NoNewPrivs").map(String::as_str),
            Some("1"),
            "{flag}: NoNewPrivs"
        );
    }
}

#[test]
fn default_has_no_caps_and_no_new_privs() {
    let s = status(&[]);
    assert_eq!(cap(&s, "CapEff"), 0, "CapEff must be 0 by default");
    assert_eq!(cap(&s, "CapPrm"), 0, "CapPrm must be 0 by default");
    assert_eq!(cap(&s, "CapAmb"), 0, "CapAmb must be 0 by default");
    assert_eq!(
        s.get("NoNewPrivs").map(String::as_str),
        Some("1"),
        "NoNewPrivs must be 1"
    );
}

#[test]
fn uid_0_without_map_root_has_no_caps() {
    let (uid, _) = user_ids();
    assert_eq!(ids(&["--uid", "0"]).0, 0, "--uid 0: id -u");
    assert_map(&["--uid", "0"], "uid_map", 0, uid);
    let s = status(&["--uid", "0"]);
    assert_eq!(cap(&s, "CapEff"), 0, "--uid 0 without -r: CapEff");
    assert_eq!(cap(&s, "CapPrm"), 0, "--uid 0 without -r: CapPrm");
    assert_eq!(
        s.get("NoNewPrivs").map(String::as_str),
        Some("1"),
        "--uid 0: NoNewPrivs"
    );
}

#[test]
fn no_caps_with_namespaces() {
    let s = status(&["--all"]);
    assert_eq!(cap(&s, "CapEff"), 0, "--all: CapEff must be 0");
    assert_eq!(cap(&s, "CapPrm"), 0, "--all: CapPrm must be 0");
}
