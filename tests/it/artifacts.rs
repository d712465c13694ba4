//! What ships beside the binary: the man page, `--help`, the static build.

use crate::common::*;
use crate::{need, skip};

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

// tests/it/cli.rs includes the same file.
// The table's man page sentences, as build.rs has them.
macro_rules! man_doc {
    ($doc:expr) => {
        $doc
    };
}
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../../src/cli/defs.rs"]
mod defs;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const OUT_DIR: &str = env!("OUT_DIR");
/// The page build.rs rendered from the flag table.
const RENDERED_MAN: &str = include_str!(concat!(env!("OUT_DIR"), "/jail.1"));

fn committed_man_path() -> PathBuf {
    Path::new(MANIFEST_DIR).join("man/jail.1")
}

fn committed_man() -> String {
    let p = committed_man_path();
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

#[test]
fn committed_man_page_is_current() {
    let path = committed_man_path();
    if std::env::var("JAIL_UPDATE_MAN").as_deref() == Ok("1") {
        std::fs::write(&path, RENDERED_MAN)
            .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != RENDERED_MAN {
        let first = committed
            .lines()
            .zip(RENDERED_MAN.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(RENDERED_MAN.lines().count()));
        panic!(
            "man/jail.1 differs from the page build.rs renders (first difference at line {}: \
             committed {:?}, rendered {:?}).\nRefresh it with:\n  cp {OUT_DIR}/jail.1 {}\n\
             or run the tests with JAIL_UPDATE_MAN=1.",
            first + 1,
            committed.lines().nth(first),
            RENDERED_MAN.lines().nth(first),
            path.display()
        );
    }
}

#[test]
fn man_page_has_no_groff_warnings() {
    need!("groff");
    let mut cmd = Command::new("groff");
    cmd.args(["-man", "-ww", "-Tutf8", "man/jail.1"])
        .current_dir(MANIFEST_DIR)
        .env("LC_ALL", "C");
    let out = run(cmd);
    assert!(
        out.status.success(),
        "groff -man -ww -Tutf8 man/jail.1: {:?}; stderr: {}",
        out.status,
        stderr(&out)
    );
    assert_eq!(stderr(&out), "", "groff -man -ww -Tutf8 man/jail.1 warns");
    assert!(!out.stdout.is_empty(), "groff rendered nothing");
}

/// Every `--name` in `text`, in order, without repeats.
fn long_flags(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut found: Vec<String> = Vec::new();
    let mut i = 0;
    while i + 2 < b.len() {
        let starts = b[i] == b'-' && b[i + 1] == b'-' && (i == 0 || !is_flag_char(b[i - 1]));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        while j < b.len() && is_flag_char(b[j]) {
            j += 1;
        }
        let name = text[i + 2..j].trim_end_matches('-');
        if name
            .bytes()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && !found.iter().any(|f| f == name)
        {
            found.push(name.to_string());
        }
        i = j.max(i + 2);
    }
    found
}

fn is_flag_char(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'
}

/// Whether `text` mentions `--name` as a whole word.
fn mentions(text: &str, name: &str) -> bool {
    long_flags(text).iter().any(|f| f == name)
}

/// The man page with roff's `\-` turned into `-`.
fn man_text() -> String {
    committed_man().replace("\\-", "-")
}

fn help_text() -> String {
    ok(&jail_run(&["--help"]))
}

#[test]
fn every_help_flag_is_in_the_man_page() {
    let help = help_text();
    let man = man_text();
    let flags = long_flags(&help);
    assert!(!flags.is_empty(), "no --flags in jail --help: {help:?}");
    let missing: Vec<String> = flags
        .iter()
        .filter(|f| !mentions(&man, f))
        .map(|f| format!("--{f}"))
        .collect();
    assert!(
        missing.is_empty(),
        "flags in jail --help but not in man/jail.1: {missing:?}"
    );
}

#[test]
fn every_table_flag_is_in_help_and_man_page() {
    let help = help_text();
    let man = man_text();
    let mut missing = Vec::new();
    for f in defs::FLAGS {
        if !mentions(&help, f.long) {
            missing.push(format!("--{} not in jail --help", f.long));
        }
        if !mentions(&man, f.long) {
            missing.push(format!("--{} not in man/jail.1", f.long));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn flag_scanner_finds_whole_flags() {
    // The helper above, on the shapes the help and roff take.
    let man = "\\fB\\-\\-as\\-pid\\-1\\fR, \\-\\-net; [\\-\\-] x--y".replace("\\-", "-");
    assert_eq!(long_flags(&man), ["as-pid-1", "net"]);
    assert!(mentions("  -p, --pid  new", "pid"));
    assert!(!mentions("  --pidfile", "pid"));
}

const MUSL: &str = "x86_64-unknown-linux-musl";

#[test]
fn static_musl_binary_is_small_and_runs() {
    need!("file");
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    let listed = match &installed {
        Ok(o) => String::from_utf8_lossy(&o.stdout)
            .lines()
            .any(|l| l.trim() == MUSL),
        Err(_) => false,
    };
    if !listed {
        skip!("rustup does not list {MUSL} as installed");
    }
    let target_dir = Path::new(MANIFEST_DIR).join("target/musl-check");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .args(["build", "--release", "--target", MUSL])
        .current_dir(MANIFEST_DIR)
        .env("CARGO_TARGET_DIR", &target_dir);
    build
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = build.spawn().expect("spawn cargo");
    let out = wait_output(child, Duration::from_secs(1200));
    assert!(
        out.status.success(),
        "cargo build --release --target {MUSL}: {:?}\n{}",
        out.status,
        stderr(&out)
    );
    let built = target_dir.join(MUSL).join("release/jail");

    let file = Command::new("file").arg(&built).output().expect("run file");
    let what = String::from_utf8_lossy(&file.stdout).into_owned();
    assert!(
        what.contains("statically linked") || what.contains("static-pie linked"),
        "not a static binary: {what}"
    );
    let size = std::fs::metadata(&built).unwrap().len();
    assert!(
        size <= 1024 * 1024,
        "{} is {size} bytes, over 1 MiB",
        built.display()
    );

    // Run it as the test user, from a directory that user can read.
    let dir = TempDir::new();
    let copy = dir.join("jail");
    std::fs::copy(&built, &copy).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = Command::new(&copy);
    cmd.args(["--", "true"])
        .current_dir("/tmp")
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin");
    if is_root() {
        cmd.uid(NOBODY).gid(NOBODY);
    }
    let out = run(cmd);
    assert_eq!(
        out.status.code(),
        Some(0),
        "static jail -- true: {:?}; stderr: {}",
        out.status,
        stderr(&out)
    );
}
