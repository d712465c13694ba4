//! The source's own rules, checked so they cannot creep back: unsafe code
//! only in the few kernel-facing modules (at most 40 blocks, each with its
//! `SAFETY:` line), every other module forbids it, and imports run one way
//! between the rooms (parent → child → plan → cli; `sys` and `error` serve
//! all).

use std::path::{Path, PathBuf};

/// The modules that may hold unsafe code.
const UNSAFE_MODULES: &[&str] = &[
    "src/main.rs",
    "src/sys/mod.rs",
    "src/child/clone.rs",
    "src/child/seccomp.rs",
    "src/child/landlock.rs",
];
const MAX_UNSAFE_BLOCKS: usize = 40;

fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut dirs = vec![root.join("src")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p: PathBuf = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Lines that open an unsafe block (`unsafe {`), outside comments.
fn unsafe_blocks(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let code = l.split("//").next().unwrap_or("");
            code.contains("unsafe {")
        })
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn unsafe_code_stays_in_the_kernel_facing_modules() {
    let mut total = 0;
    let mut report = String::new();
    for (path, text) in sources() {
        let blocks = unsafe_blocks(&text);
        total += blocks.len();
        if UNSAFE_MODULES.contains(&path.as_str()) {
            let lines: Vec<&str> = text.lines().collect();
            for &i in &blocks {
                // The SAFETY line is within the few lines above the block
                // (or on the line itself).
                let from = i.saturating_sub(6);
                assert!(
                    lines[from..=i].iter().any(|l| l.contains("SAFETY:")),
                    "{path}:{}: unsafe block without a SAFETY: line",
                    i + 1
                );
            }
            report.push_str(&format!("{path}: {}\n", blocks.len()));
        } else {
            assert!(
                blocks.is_empty(),
                "{path}: unsafe code outside {UNSAFE_MODULES:?} (lines {:?})",
                blocks.iter().map(|i| i + 1).collect::<Vec<_>>()
            );
            // The crate root cannot forbid what the kernel-facing modules
            // allow; child/mod.rs denies it, and those modules allow it.
            let denied = match path.as_str() {
                "src/lib.rs" => true,
                "src/child/mod.rs" => text.contains("#![deny(unsafe_code)]"),
                _ => text.contains("#![forbid(unsafe_code)]"),
            };
            assert!(denied, "{path}: add #![forbid(unsafe_code)]");
        }
    }
    assert!(
        total <= MAX_UNSAFE_BLOCKS,
        "{total} unsafe blocks, at most {MAX_UNSAFE_BLOCKS}:\n{report}"
    );
}

/// The room a source file belongs to, and the rooms it may import.
fn room(path: &str) -> Option<(&'static str, &'static [&'static str])> {
    let rooms: [(&str, &str, &[&str]); 4] = [
        ("src/parent/", "parent", &["parent", "child", "plan", "cli"]),
        ("src/child/", "child", &["child", "plan", "cli"]),
        ("src/plan/", "plan", &["plan", "cli"]),
        ("src/cli/", "cli", &["cli"]),
    ];
    rooms
        .iter()
        .find(|(prefix, _, _)| path.starts_with(prefix))
        .map(|(_, name, may)| (*name, *may))
}

#[test]
fn imports_run_one_way_between_rooms() {
    for (path, text) in sources() {
        let Some((name, may)) = room(&path) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for other in ["parent", "child", "plan", "cli"] {
                if code.contains(&format!("crate::{other}::")) && !may.contains(&other) {
                    panic!("{path}:{}: the {name} room imports {other}: {line}", i + 1);
                }
            }
        }
    }
}
