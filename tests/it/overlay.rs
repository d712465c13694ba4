//! `--overlay PATH` (a throwaway layer) and `--overlay PATH:DIR` (a layer
//! kept in DIR/upper): the host's PATH never changes, the kept layer reads
//! as README says, both combine with --ro and --rw, and the kernel's
//! refusals are one line with a hint. The attack on the kept layer's
//! directories is in security.rs.

use crate::common::*;
use crate::skip;

use std::collections::BTreeMap;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A project for COMMAND to change: `a`, `b`, `d/c`, `e/f`, all the test
/// user's.
fn project(tmp: &TempDir) -> PathBuf {
    let p = user_dir(&tmp.join("project"));
    user_file(&p.join("a"), "a\n");
    user_file(&p.join("b"), "b\n");
    user_dir(&p.join("d"));
    user_file(&p.join("d/c"), "c\n");
    user_dir(&p.join("e"));
    user_file(&p.join("e/f"), "f\n");
    p
}

/// Every entry under `dir`: its kind and, for a file, its content.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let name = p.strip_prefix(dir).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let what = if meta.is_dir() {
                todo.push(p);
                "dir".to_string()
            } else if meta.is_file() {
                format!("file {:?}", std::fs::read_to_string(&p).unwrap())
            } else {
                format!("{:?}", meta.file_type())
            };
            m.insert(name, what);
        }
    }
    m
}

fn mounts() -> String {
    std::fs::read_to_string("/proc/self/mountinfo").unwrap()
}

/// `jail ARGS -- sh -c SCRIPT`.
fn jail_sh(args: &[&str], script: &str) -> std::process::Output {
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["--", "sh", "-c", script]);
    jail_run(&a)
}

/// Skip on a kernel without rootless overlayfs (Linux 5.11); on any other
/// the tests must run.
fn need_overlay() -> bool {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let mut v = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let (major, minor) = (v.next().unwrap_or(0), v.next().unwrap_or(0));
    (major, minor) >= (5, 11)
}

macro_rules! need_overlay {
    () => {
        if !need_overlay() {
            skip!("overlayfs in a user namespace needs Linux 5.11");
        }
    };
}

/// What COMMAND does to the project in the tests: changes `a`, deletes
/// `b`, makes `n`, deletes `d` and makes it again (opaque), deletes `e`.
const CHANGE: &str = "cd \"$1\" && echo more >> a && rm b && echo new > n && rm -r d && mkdir d \
     && echo y > d/y && rm -r e && cat a && ls";

#[test]
fn throwaway_layer_leaves_the_host_unchanged() {
    need_overlay!();
    let tmp = TempDir::new();
    let p = project(&tmp);
    let before = tree(&p);
    let host_mounts = mounts();
    let mut c = jail(["--overlay", s(&p), "--", "sh", "-c", CHANGE, "sh", s(&p)]);
    c.current_dir("/");
    let out = ok(&run(c));
    assert_eq!(out, "a\nmore\na\nd\nn\n", "COMMAND's view of its writes");
    assert_eq!(tree(&p), before, "the host's project changed");
    assert_eq!(mounts(), host_mounts, "the host's mount table changed");
    // A second run starts from the host's project again.
    let out = ok(&jail_run(&["--overlay", s(&p), "--", "ls", s(&p)]));
    assert_eq!(out, "a\nb\nd\ne\n");
}

#[test]
fn throwaway_layer_keeps_the_directory_mode() {
    need_overlay!();
    let tmp = TempDir::new();
    let p = user_dir(&tmp.join("shared"));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let out = ok(&jail_run(&[
        "--overlay",
        s(&p),
        "--",
        "stat",
        "-c",
        "%a",
        s(&p),
    ]));
    assert_eq!(out, "1777\n");
}

/// README's recipe ("Overlays"): what a run changed, from its kept layer.
const RECIPE: &str = r#"(cd "$L/upper" && find . ! -type d) | sort | while read -r f; do
  if [ -c "$L/upper/$f" ]; then echo "deleted $f"
  elif [ -e "$P/$f" ]; then echo "changed $f"
  else echo "new $f"; fi
done"#;

#[test]
fn kept_layer_records_changes_and_whiteouts() {
    need_overlay!();
    let tmp = TempDir::new();
    let p = project(&tmp);
    let before = tree(&p);
    // Missing: jail makes it, and upper/ and work/ in it.
    let layer = tmp.join("project.layer");
    let arg = format!("{}:{}", s(&p), s(&layer));
    let out = ok(&jail_run(&[
        "--overlay",
        &arg,
        "--",
        "sh",
        "-c",
        CHANGE,
        "sh",
        s(&p),
    ]));
    assert_eq!(out, "a\nmore\na\nd\nn\n");
    assert_eq!(tree(&p), before, "the host's project changed");
    let upper = layer.join("upper");
    assert!(layer.join("work").is_dir(), "no work dir in {layer:?}");
    assert_eq!(
        std::fs::read_to_string(upper.join("a")).unwrap(),
        "a\nmore\n"
    );
    assert_eq!(std::fs::read_to_string(upper.join("n")).unwrap(), "new\n");
    for gone in ["b", "e"] {
        let m = std::fs::symlink_metadata(upper.join(gone)).unwrap();
        assert!(
            m.file_type().is_char_device() && m.rdev() == 0,
            "{gone}: not a whiteout (character device 0/0): {m:?}"
        );
    }
    assert_eq!(
        opaque(&upper.join("d")),
        Some(b"y".to_vec()),
        "d is not opaque"
    );
    assert_eq!(std::fs::read_to_string(upper.join("d/y")).unwrap(), "y\n");
    assert!(
        include_str!("../../README.md").contains(RECIPE),
        "README's recipe is not the one tested here"
    );
    let out = Command::new("sh")
        .args(["-c", RECIPE])
        .env("P", &p)
        .env("L", &layer)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "changed ./a\ndeleted ./b\nnew ./d/y\ndeleted ./e\nnew ./n\n",
        "README's recipe; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `user.overlay.opaque` xattr of `p`, if any.
fn opaque(p: &Path) -> Option<Vec<u8>> {
    let path = CString::new(p.as_os_str().as_bytes()).unwrap();
    let mut buf = [0u8; 16];
    // SAFETY: both strings are NUL-terminated; buf is writable for its
    // length.
    let n = unsafe {
        libc::lgetxattr(
            path.as_ptr(),
            c"user.overlay.opaque".as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    (n >= 0).then(|| buf[..n as usize].to_vec())
}

#[test]
fn a_second_run_goes_on_from_the_kept_layer() {
    need_overlay!();
    let tmp = TempDir::new();
    let p = project(&tmp);
    let layer = tmp.join("layer");
    let arg = format!("{}:{}", s(&p), s(&layer));
    ok(&jail_sh(
        &["--overlay", &arg],
        &format!("cd {} && echo 1 > n && rm b && echo more >> a", s(&p)),
    ));
    let out = ok(&jail_sh(
        &["--overlay", &arg],
        &format!("cd {} && ls && cat a n && echo 2 >> n", s(&p)),
    ));
    assert_eq!(out, "a\nd\ne\nn\na\nmore\n1\n");
    assert_eq!(
        std::fs::read_to_string(layer.join("upper/n")).unwrap(),
        "1\n2\n"
    );
    assert_eq!(std::fs::read_to_string(p.join("a")).unwrap(), "a\n");
    // Relative PATH and DIR, from the working directory.
    let mut c = jail(["--overlay", "project:layer", "--", "cat", "project/n"]);
    c.current_dir(tmp.path());
    assert_eq!(ok(&run(c)), "1\n2\n");
}

/// Shell that tries to create each file named in its arguments and prints
/// `ok` or the error for each.
const PROBE: &str = r#"for f in "$@"; do
  if e=$( (echo x > "$f") 2>&1 ); then echo ok; else echo "$e"; fi
done"#;

#[test]
fn overlay_under_ro_is_writable_and_the_rest_stays_read_only() {
    need_overlay!();
    let tmp = TempDir::new();
    let p = project(&tmp);
    let w = user_dir(&tmp.join("w"));
    let other = user_dir(&tmp.join("other"));
    let before = tree(&p);
    let layer = tmp.join("layer");
    let kept = format!("{}:{}", s(&p), s(&layer));
    for ov in [s(&p), kept.as_str()] {
        let files = [p.join("new"), p.join("d/c"), w.join("f"), other.join("f")];
        let mut args = vec!["--ro", "--rw", s(&w), "--overlay", ov];
        args.extend(["--", "sh", "-c", PROBE, "sh"]);
        args.extend(files.iter().map(|f| s(f)));
        let out = ok(&jail_run(&args));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[..3], ["ok", "ok", "ok"], "--overlay {ov}: {out}");
        assert!(lines[3].contains("Read-only file system"), "{ov}: {out}");
        assert_eq!(
            tree(&p),
            before,
            "--ro --overlay {ov}: the host's project changed"
        );
        assert_eq!(std::fs::read_to_string(w.join("f")).unwrap(), "x\n");
        std::fs::remove_file(w.join("f")).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(layer.join("upper/d/c")).unwrap(),
        "x\n"
    );
}

#[test]
fn overlay_wins_over_rw_of_the_same_path_in_both_orders() {
    need_overlay!();
    let tmp = TempDir::new();
    let p = project(&tmp);
    let before = tree(&p);
    for args in [
        ["--ro", "--rw", s(&p), "--overlay", s(&p)],
        ["--ro", "--overlay", s(&p), "--rw", s(&p)],
    ] {
        let out = ok(&jail_sh(
            &args,
            &format!("echo x > {p}/a && rm {p}/b && cat {p}/a", p = s(&p)),
        ));
        assert_eq!(out, "x\n", "{args:?}");
        assert_eq!(tree(&p), before, "{args:?}: the host's project changed");
    }
    // Without --ro as well, and with a --rw below PATH.
    let out = ok(&jail_sh(
        &[
            "--rw",
            s(&p),
            "--overlay",
            s(&p),
            "--rw",
            &format!("{}/d", s(&p)),
        ],
        &format!("echo x > {p}/d/c && echo x > {p}/a", p = s(&p)),
    ));
    assert_eq!(out, "");
    assert_eq!(tree(&p), before, "the host's project changed");
}

#[test]
fn overlay_refusals_are_one_line() {
    need_overlay!();
    let tmp = TempDir::new();
    let p = project(&tmp);
    let a = p.join("a");
    let file = user_file(&tmp.join("file"), "");
    let missing = tmp.join("missing");
    let inside = format!("{}:{}/layer", s(&p), s(&p));
    let around = format!("{}/d:{}", s(&p), s(&p));
    let file_dir = format!("{}:{}", s(&p), s(&file));
    let in_proc = format!("{}:/proc/1/x", s(&p));
    let hidden = format!("{}/d", s(&p));
    let cases: [(&[&str], &str); 8] = [
        // The layer would show what --hide covers below PATH.
        (
            &["--hide", &hidden, "--overlay", s(&p)],
            "would show what the earlier --hide",
        ),
        (&["--overlay", s(&a)], "not a directory"),
        (&["--overlay", s(&missing)], "No such file or directory"),
        (&["--overlay", "/"], "not over /"),
        (&["--overlay", &inside], "overlap"),
        (&["--overlay", &around], "overlap"),
        (&["--overlay", &file_dir], "Not a directory"),
        (&["--overlay", &in_proc], "cannot create /proc/1/x"),
    ];
    for (args, needle) in cases {
        let mut a = args.to_vec();
        a.extend(["--", "echo", "COMMAND ran"]);
        let o = jail_run(&a);
        fails(&o, 125, needle);
        assert!(!stdout(&o).contains("ran"), "{args:?}: COMMAND ran");
    }
    assert!(!p.join("layer").exists(), "a refused layer was made");
}

#[test]
fn kept_layer_on_an_overlay_is_refused_with_a_hint() {
    need_overlay!();
    let tmp = TempDir::new();
    let p = project(&tmp);
    let t = user_dir(&tmp.join("t"));
    // The inner jail's DIR is on the outer jail's throwaway overlay.
    let inner = format!("{}:{}/layer", s(&p), s(&t));
    let o = jail_run(&[
        "--overlay",
        s(&t),
        "--",
        s(bin()),
        "--overlay",
        &inner,
        "--",
        "echo",
        "COMMAND ran",
    ]);
    let err = fails(&o, 125, "overlay on");
    assert!(
        err.contains("hint: ") && err.contains("on an overlay filesystem"),
        "{err}"
    );
    assert!(!stdout(&o).contains("ran"));
}

#[test]
fn kept_layer_in_use_by_another_jail_is_refused() {
    need_overlay!();
    let tmp = TempDir::new();
    let p = project(&tmp);
    let layer = tmp.join("layer");
    let mark = tmp.join("mounted");
    let arg = format!("{}:{}", s(&p), s(&layer));
    let mut first = jail([
        "--overlay",
        &arg,
        "--",
        "sh",
        "-c",
        &format!("touch {} && exec sleep 20", s(&mark)),
    ]);
    use std::process::Stdio;
    first.stdin(Stdio::null()).stdout(Stdio::null());
    let mut first = first.spawn().unwrap();
    assert!(wait_until(Duration::from_secs(20), || mark.exists()));
    let o = jail_run(&["--overlay", &arg, "--", "echo", "COMMAND ran"]);
    // SAFETY: kill takes no pointers; the child is not reaped yet.
    unsafe { libc::kill(first.id() as i32, libc::SIGTERM) };
    first.wait().unwrap();
    let err = fails(&o, 125, "busy");
    assert!(err.contains("hint: ") && err.contains("in use"), "{err}");
    assert!(!stdout(&o).contains("ran"));
    // Once the first is gone, the layer is free again.
    assert!(
        wait_until(Duration::from_secs(5), || {
            jail_run(&["--overlay", &arg, "--", "true"])
                .status
                .success()
        }),
        "the layer stays busy after the first jail ended"
    );
}

#[test]
fn verbose_names_the_layers() {
    need_overlay!();
    let tmp = TempDir::new();
    let p = project(&tmp);
    let layer = tmp.join("layer");
    let (d, e) = (p.join("d"), p.join("e"));
    let kept = format!("{}:{}", s(&e), s(&layer));
    let o = jail_run(&["-v", "--overlay", s(&d), "--overlay", &kept, "--", "true"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    for line in [
        format!(
            "jail: mount: overlay on {}, writes to a private tmpfs (--overlay {})",
            s(&d),
            s(&d)
        ),
        format!(
            "jail: mount: overlay on {}, writes to {}/upper (--overlay {kept})",
            s(&e),
            s(&layer)
        ),
    ] {
        assert!(err.contains(&line), "{line:?} not in {err}");
    }
}

// --- bubblewrap's overlay tests, in jail's terms --------------------------------
//
// bwrap's --overlay-src SRC names the lower layer; in jail the lower layer is
// what PATH shows at that point of the command line, so a --bind SRC:PATH
// before --overlay PATH is the same. bwrap's --overlay RWSRC WORKDIR DEST is
// jail's --overlay DEST:DIR with RWSRC = DIR/upper, WORKDIR = DIR/work.
// bwrap's --ro-overlay and several --overlay-src (several lower layers) have
// no jail form.

/// bwrap's fixture: lower1/{a=1,b=2}, lower2/b=3, and a layer whose upper
/// holds a=4.
fn bwrap_fixture(tmp: &TempDir) -> (PathBuf, PathBuf, PathBuf) {
    let lower1 = user_dir(&tmp.join("lower1"));
    user_file(&lower1.join("a"), "1");
    user_file(&lower1.join("b"), "2");
    let lower2 = user_dir(&tmp.join("lower2"));
    user_file(&lower2.join("b"), "3");
    let layer = user_dir(&tmp.join("layer"));
    user_dir(&layer.join("upper"));
    user_file(&layer.join("upper/a"), "4");
    (lower1, lower2, layer)
}

#[test]
fn bwrap_overlay_with_a_kept_layer() {
    // bwrap tests/test-run.sh:609
    need_overlay!();
    let tmp = TempDir::new();
    let (lower1, _, layer) = bwrap_fixture(&tmp);
    let dst = format!("{}/x/y/z", s(tmp.path()));
    let bind = format!("{}:{dst}", s(&lower1));
    let ov = format!("{dst}:{}", s(&layer));
    let run_cat = |f: &str| {
        ok(&jail_run(&[
            "--bind",
            &bind,
            "--overlay",
            &ov,
            "--",
            "cat",
            &format!("{dst}/{f}"),
        ]))
    };
    assert_eq!(run_cat("a"), "4");
    // bwrap tests/test-run.sh:611
    assert_eq!(run_cat("b"), "2");
    // bwrap tests/test-run.sh:617
    let out = ok(&jail_sh(
        &["--bind", &bind, "--overlay", &ov],
        &format!("printf 5 > {dst}/b; cat {dst}/b"),
    ));
    assert_eq!(out, "5");
    assert_eq!(std::fs::read_to_string(layer.join("upper/b")).unwrap(), "5");
    assert_eq!(std::fs::read_to_string(lower1.join("b")).unwrap(), "2");
}

/// `p` as --bind and --overlay take it: `\` and `:` escaped.
fn escaped(p: &Path) -> String {
    s(p).replace('\\', "\\\\").replace(':', "\\:")
}

#[test]
fn bwrap_overlay_path_escaping() {
    // bwrap tests/test-run.sh:628
    need_overlay!();
    let tmp = TempDir::new();
    let lower = user_dir(&tmp.join("lower \":,\\"));
    user_file(&lower.join("a"), "1");
    let layer = tmp.join("layer \":,\\");
    let dst = tmp.join("x");
    let out = ok(&jail_sh(
        &[
            "--bind",
            &format!("{}:{}", escaped(&lower), s(&dst)),
            "--overlay",
            &format!("{}:{}", s(&dst), escaped(&layer)),
        ],
        &format!("cat {d}/a; printf 2 > {d}/a; cat {d}/a", d = s(&dst)),
    ));
    assert_eq!(out, "12");
    assert_eq!(std::fs::read_to_string(lower.join("a")).unwrap(), "1");
    assert_eq!(std::fs::read_to_string(layer.join("upper/a")).unwrap(), "2");
}

#[test]
fn bwrap_tmp_overlay() {
    need_overlay!();
    let tmp = TempDir::new();
    let (lower1, lower2, _) = bwrap_fixture(&tmp);
    let x = format!("{}/x/y/z", s(tmp.path()));
    let bind1 = format!("{}:{x}", s(&lower1));
    // bwrap tests/test-run.sh:642 and :644
    let out = ok(&jail_sh(
        &["--bind", &bind1, "--overlay", &x],
        &format!("cat {x}/a {x}/b"),
    ));
    assert_eq!(out, "12");
    // bwrap tests/test-run.sh:650
    let out = ok(&jail_sh(
        &["--bind", &bind1, "--overlay", &x],
        &format!("printf 4 > {x}/b; cat {x}/b"),
    ));
    assert_eq!(out, "4");
    // bwrap tests/test-run.sh:652
    let y = format!("{}/y", s(tmp.path()));
    let out = ok(&jail_sh(
        &[
            "--bind",
            &bind1,
            "--overlay",
            &x,
            "--bind",
            &format!("{}:{y}", s(&lower2)),
            "--overlay",
            &y,
        ],
        &format!("cat {x}/b; printf 4 > {x}/b; cat {x}/b; cat {y}/b"),
    ));
    assert_eq!(out, "243");
    assert_eq!(std::fs::read_to_string(lower1.join("b")).unwrap(), "2");
    assert_eq!(std::fs::read_to_string(lower2.join("b")).unwrap(), "3");
}
