//! The filesystem view: --ro, --rw, --bind, --ro-bind, --tmpfs, --hide,
//! --root, --dev, the working directory, and the errors of each. After
//! every jail the host's mount table must be exactly what it was.

use crate::common::*;
use crate::{need, skip};

use std::collections::{BTreeSet, HashMap};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

// --- helpers -------------------------------------------------------------------

/// A name no other test (or test run) uses.
fn unique(tag: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "jail-fs-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The host's mount table, as this (host) process sees it.
fn mounts() -> String {
    std::fs::read_to_string("/proc/self/mountinfo").unwrap()
}

#[track_caller]
fn same_mounts(before: &str, what: &str) {
    let after = mounts();
    assert!(
        after == before,
        "the host's mount table changed after {what}\nbefore:\n{before}\nafter:\n{after}"
    );
}

/// Give PATH to the user jails run as.
fn own(p: &Path) {
    let (u, g) = user_ids();
    std::os::unix::fs::chown(p, Some(u), Some(g)).unwrap();
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn words(o: &str) -> BTreeSet<String> {
    o.split_whitespace().map(str::to_owned).collect()
}

/// A directory outside /tmp (under /var/tmp), owned by the jail user and
/// removed on drop: a project a `--tmpfs /tmp` does not cover.
struct HostDir(PathBuf);

impl HostDir {
    fn new(tag: &str) -> HostDir {
        let p = Path::new("/var/tmp").join(unique(tag));
        user_dir(&p);
        HostDir(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for HostDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A file outside the tests' directories (e.g. in /dev/shm), removed on drop.
struct HostFile(PathBuf);

impl Drop for HostFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Shell that tries to create each file named in its arguments and prints
/// `PATH: ok` or `PATH: <the shell's error>`.
const PROBE: &str = r#"for f in "$@"; do
  if e=$( (echo x > "$f") 2>&1 ); then echo "$f: ok"; else echo "$f: $e"; fi
done"#;

/// Run PROBE in `c` (a `jail ARGS` command without COMMAND) over PATHS.
fn probe(mut c: Command, paths: &[&Path]) -> HashMap<String, String> {
    c.args(["--", "sh", "-c", PROBE, "sh"]);
    c.args(paths);
    let o = ok(&run(c));
    let mut m = HashMap::new();
    for l in o.lines() {
        if let Some((p, r)) = l.split_once(": ") {
            m.insert(p.to_owned(), r.to_owned());
        }
    }
    for p in paths {
        assert!(m.contains_key(s(p)), "no probe line for {p:?} in {o:?}");
    }
    m
}

#[track_caller]
fn writable(m: &HashMap<String, String>, p: &Path, what: &str) {
    assert_eq!(m[s(p)], "ok", "{what}: writing {p:?} inside the jail");
}

#[track_caller]
fn read_only(m: &HashMap<String, String>, p: &Path, what: &str) {
    assert!(
        m[s(p)].contains("Read-only file system"),
        "{what}: writing {p:?} inside the jail should fail with EROFS, got {:?}",
        m[s(p)]
    );
}

/// A busybox rootfs under DIR/root (owned by the jail user): root/bin/busybox.
/// None if there is no static busybox to copy.
fn busybox_root(dir: &TempDir) -> Option<PathBuf> {
    let found = ["/bin/busybox", "/usr/bin/busybox", "/sbin/busybox"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())?;
    let bytes = std::fs::read(&found).ok()?;
    if has_interpreter(&bytes) {
        return None;
    }
    let root = user_dir(&dir.join("root"));
    let bin = user_dir(&root.join("bin"));
    let dst = bin.join("busybox");
    write_mode(&dst, &bytes, 0o755);
    own(&dst);
    Some(root)
}

/// Whether an ELF64 executable has a PT_INTERP header (is dynamically linked).
fn has_interpreter(elf: &[u8]) -> bool {
    if elf.len() < 64 || &elf[..4] != b"\x7fELF" || elf[4] != 2 {
        return true;
    }
    let u16at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]) as usize;
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let (size, num) = (u16at(0x36), u16at(0x38));
    (0..num).any(|i| {
        let o = phoff + i * size;
        o + 4 <= elf.len() && u32::from_le_bytes(elf[o..o + 4].try_into().unwrap()) == 3
    })
}

macro_rules! need_busybox_root {
    ($dir:expr) => {{
        need!("busybox");
        match busybox_root($dir) {
            Some(r) => r,
            None => skip!("no statically linked busybox to build a rootfs from"),
        }
    }};
}

// --- --ro and its writable carve-outs -------------------------------------------

/// `jail ARGS` as the test user, over a submount writable for it: as root,
/// a tmpfs (mode 1777) at `sub` in a mount namespace of its own, so the
/// host's mount table, which other tests compare, stays as it is. Without
/// root, None.
fn jail_over_a_submount(sub: &Path, args: &[&str]) -> Option<Command> {
    if !is_root() {
        return None;
    }
    let mut c = Command::new("unshare");
    c.args(["--mount", "--propagation", "private", "sh", "-c"]);
    c.arg("mount -t tmpfs -o mode=1777,size=1m tmpfs \"$0\" && exec \"$@\"");
    c.arg(sub);
    c.arg("setpriv");
    c.args([format!("--reuid={NOBODY}"), format!("--regid={NOBODY}")]);
    c.arg("--clear-groups");
    c.arg(bin());
    c.args(args);
    known_env(&mut c);
    Some(c)
}

#[test]
fn ro_makes_every_mount_read_only() {
    let dir = TempDir::new();
    // A submount, writable on the host (the caller's /dev/shm, the usual
    // one, is private and writable under --ro).
    let sub = dir.join("sub");
    std::fs::create_dir(&sub).unwrap();
    let over_sub = jail_over_a_submount(&sub, &[]).is_some();
    if !over_sub {
        eprintln!("SKIP part of ro_makes_every_mount_read_only: a submount needs root");
    }
    let jail_as = |args: &[&str]| jail_over_a_submount(&sub, args).unwrap_or_else(|| jail(args));
    let before = mounts();
    let vartmp = HostFile(Path::new("/var/tmp").join(unique("ro")));
    let home = HostDir::new("home");
    let mut paths: Vec<PathBuf> = vec![
        dir.join("f"),    // the root filesystem, writable on the host
        vartmp.0.clone(), // 1777 on the host
        home.join("f"),   // owned by the jail user
    ];
    if over_sub {
        // A submount (tmpfs), writable: gone with its mount namespace.
        paths.push(sub.join("f"));
    }
    let files = paths.len();
    paths.push("/proc/self/comm".into()); // proc, writable by its owner
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let proc = refs[files];

    // Without --ro every one of them is writable: the probe can tell.
    let m = probe(jail_as(&["--mount"]), &refs);
    for p in &refs {
        writable(&m, p, "--mount (no --ro)");
    }
    for p in &refs[..files] {
        if !p.starts_with(&sub) {
            std::fs::remove_file(p).unwrap();
        }
    }

    // Every filesystem is read-only, but /proc (the kernel's interface)
    // stays as it was.
    let mut all = refs[..files].to_vec();
    all.push(Path::new("/etc/jail-fs-ro-test"));
    let mut probed = all.clone();
    probed.push(proc);
    let m = probe(jail_as(&["--ro"]), &probed);
    for p in &all {
        read_only(&m, p, "--ro");
    }
    writable(&m, proc, "--ro: /proc");
    for p in &all {
        assert!(!p.exists(), "--ro: {p:?} was created on the host");
    }
    same_mounts(&before, "jail --ro");
}

/// Python's multiprocessing: a Pool and a Lock under each start method
/// (named semaphores in /dev/shm), and a shared_memory block.
const MULTIPROCESSING_PY: &str = r#"
import multiprocessing as mp
from multiprocessing import shared_memory
def square(x):
    return x * x
if __name__ == "__main__":
    for method in ("fork", "spawn"):
        ctx = mp.get_context(method)
        with ctx.Pool(2) as pool:
            got = pool.map(square, range(5))
        lock = ctx.Lock()
        with lock:
            pass
        print(method, got)
    shm = shared_memory.SharedMemory(create=True, size=4096)
    shm.buf[0] = 7
    print("shm", bytes(shm.buf[:1]) == b"\x07")
    shm.close()
    shm.unlink()
"#;

/// A C program's named semaphore (glibc: a file in /dev/shm).
const SEM_OPEN_C: &str = r#"
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
    char name[64];
    snprintf(name, sizeof name, "/jail-test-%d", (int)getpid());
    sem_t *s = sem_open(name, O_CREAT | O_EXCL, 0600, 1);
    if (s == SEM_FAILED) { perror("sem_open"); return 1; }
    if (sem_wait(s) || sem_post(s)) { perror("sem_wait"); return 1; }
    sem_close(s);
    sem_unlink(name);
    puts("SEM-OK");
    return 0;
}
"#;

#[test]
fn hermetic_recipe_runs_posix_ipc() {
    need!("python3");
    need!("gcc");
    let project = TempDir::new();
    let scratch = TempDir::new();
    std::fs::write(project.join("mp.py"), MULTIPROCESSING_PY).unwrap();
    std::fs::write(project.join("sem.c"), SEM_OPEN_C).unwrap();
    let sem = project.join("sem");
    let mut cc = Command::new("gcc");
    cc.args(["-O0", "-pthread", "-o", s(&sem), s(&project.join("sem.c"))]);
    ok(&run(cc));
    std::fs::set_permissions(&sem, std::fs::Permissions::from_mode(0o755)).unwrap();
    let recipe = [
        "--ro",
        "--rw",
        s(project.path()),
        "--tmpfs",
        s(scratch.path()),
        "--net",
        "--pid",
        "--",
    ];
    let script = "python3 mp.py && ./sem && ls -ld /dev/shm && ls -A /dev/shm | wc -l";
    let mut a = recipe.to_vec();
    a.extend(["sh", "-c", script]);
    let mut c = jail(&a);
    c.current_dir(project.path());
    let o = ok(&run(c));
    let lines: Vec<&str> = o.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "fork [0, 1, 4, 9, 16]",
            "spawn [0, 1, 4, 9, 16]",
            "shm True",
            "SEM-OK"
        ],
        "{o}"
    );
    // A private /dev/shm: sticky and writable for all, left empty.
    assert!(lines[4].starts_with("drwxrwxrwt "), "{o}");
    assert_eq!(lines[5], "0", "{o}");
}

#[test]
fn dev_shm_named_by_the_user_is_theirs() {
    let dir = TempDir::new();
    let mine = HostFile(Path::new("/dev/shm").join(unique("mine")));
    user_file(&mine.0, "caller's");
    let src = user_dir(&dir.join("src"));
    user_file(&src.join("x"), "bound");
    let bind = format!("{}:/dev/shm", s(&src));
    let cat = format!("cat {} /dev/shm/x 2>&1; true", s(&mine.0));
    // Given to the jail: the caller's /dev/shm (or what the user binds
    // there), not a private one.
    for (args, want) in [
        (&["--ro", "--rw", "/dev/shm"][..], "caller's"),
        (&["--ipc", "--bind", &bind], "bound"),
        (&["--ro", "--bind", &bind], "bound"),
    ] {
        let mut a = args.to_vec();
        a.extend(["--", "sh", "-c", &cat]);
        let o = ok(&jail_run(&a));
        assert!(o.contains(want), "jail {args:?}: {o}");
    }
    // A private one otherwise, and under --dev a fresh one.
    for args in [&["--ro"][..], &["--ipc"], &["--dev"], &["--ro", "--dev"]] {
        let mut a = args.to_vec();
        a.extend(["--", "sh", "-c", &cat]);
        let o = ok(&jail_run(&a));
        assert!(!o.contains("caller's"), "jail {args:?}: {o}");
    }
}

#[test]
fn ro_keeps_rw_tmpfs_and_bind_destinations_writable() {
    let dir = TempDir::new();
    let before = mounts();
    let rw = user_dir(&dir.join("rw"));
    let other = user_dir(&dir.join("other"));
    let t = user_dir(&dir.join("t"));
    user_file(&t.join("old"), "old");
    let src = user_dir(&dir.join("src"));
    let dst = dir.join("dst");
    let rosrc = user_dir(&dir.join("rosrc"));
    let rodst = dir.join("rodst");
    let bind = format!("{}:{}", s(&src), s(&dst));
    let robind = format!("{}:{}", s(&rosrc), s(&rodst));
    let c = jail([
        "--ro",
        "--rw",
        s(&rw),
        "--tmpfs",
        s(&t),
        "--bind",
        &bind,
        "--ro-bind",
        &robind,
    ]);
    let (a, b, d, e, r) = (
        rw.join("a"),
        t.join("b"),
        dst.join("d"),
        other.join("e"),
        rodst.join("r"),
    );
    let m = probe(c, &[&a, &b, &d, &e, &r]);
    writable(&m, &a, "--ro --rw DIR");
    writable(&m, &b, "--ro --tmpfs DIR");
    writable(&m, &d, "--ro --bind SRC:DST");
    read_only(&m, &e, "--ro (a dir no option names)");
    read_only(&m, &r, "--ro --ro-bind SRC:DST");

    assert!(a.is_file(), "--rw: the write did not reach the host");
    assert!(
        src.join("d").is_file(),
        "--bind: the write did not reach SRC"
    );
    assert!(!dst.join("d").exists(), "--bind: the write landed in DST");
    assert_eq!(
        names(&t),
        words("old"),
        "--tmpfs: the host dir must keep only its own file"
    );
    assert!(!e.exists() && !rosrc.join("r").exists());
    same_mounts(&before, "jail --ro --rw --tmpfs --bind --ro-bind");
}

#[test]
fn ro_with_rw_of_a_file() {
    let dir = TempDir::new();
    let f = user_file(&dir.join("f"), "old\n");
    let out = jail_run(&[
        "--ro",
        "--rw",
        s(&f),
        "--",
        "sh",
        "-c",
        r#"echo new > "$1" && cat "$1""#,
        "sh",
        s(&f),
    ]);
    assert_eq!(ok(&out), "new\n", "--ro --rw FILE");
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "new\n");
}

#[test]
fn rw_under_a_later_tmpfs_is_refused_with_a_hint() {
    let dir = TempDir::new();
    let before = mounts();
    let mut c = jail(["--ro", "--rw", ".", "--tmpfs", "/tmp", "--", "touch", "ran"]);
    c.current_dir(dir.path());
    let out = run(c);
    let err = fails(&out, 125, "--rw .");
    assert!(
        err.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("jail: hint: ")),
        "--rw X --tmpfs /tmp with X under /tmp: want a hint line, got {err:?}"
    );
    assert!(!dir.join("ran").exists(), "COMMAND ran");
    same_mounts(&before, "a refused --rw under --tmpfs");
}

// --- the project one-liner ---------------------------------------------------------

/// `jail --ro --rw . --tmpfs TMP --net -- sh -c SCRIPT` from PROJECT.
fn one_liner(project: &Path, tmp: &str, home: &Path, script: &str) -> Output {
    let mut c = jail([
        "--ro", "--rw", ".", "--tmpfs", tmp, "--net", "--", "sh", "-c", script,
    ]);
    c.current_dir(project);
    c.env("HOME", home);
    run(c)
}

const ONE_LINER_SCRIPT: &str = r#"
T=$1
pwd
echo built > ./out && echo "dot: ok"
echo scratch > "$T/scratch" && cat "$T/scratch"
echo "tmp: $(ls -A "$T" | tr '\n' ' ')"
for f in "$HOME/f" /etc/jail-fs-oneliner; do
  if e=$( (echo x > "$f") 2>&1 ); then echo "$f: ok"; else echo "$f: $e"; fi
done
echo "ifaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')"
"#;

#[track_caller]
fn check_one_liner(project: &Path, tmp: &str, home: &Path) {
    let before = mounts();
    let script = ONE_LINER_SCRIPT.replacen("T=$1", &format!("T={tmp}"), 1);
    let scratch = Path::new(tmp).join("scratch");
    let _ = std::fs::remove_file(&scratch);
    let o = ok(&one_liner(project, tmp, home, &script));
    let lines: Vec<&str> = o.lines().collect();
    let what = format!("jail --ro --rw . --tmpfs {tmp} --net from {project:?}");
    assert_eq!(lines[0], s(project), "{what}: pwd");
    assert_eq!(lines[1], "dot: ok", "{what}: writing in .: {o}");
    assert_eq!(lines[2], "scratch", "{what}: writing in {tmp}: {o}");
    assert_eq!(
        lines[3].trim_end(),
        "tmp: scratch",
        "{what}: {tmp} starts empty"
    );
    for (l, p) in lines[4..6].iter().zip([
        home.join("f").display().to_string(),
        "/etc/jail-fs-oneliner".into(),
    ]) {
        assert!(
            l.starts_with(&format!("{p}: ")) && l.contains("Read-only file system"),
            "{what}: writing {p} should fail with EROFS: {l:?}"
        );
    }
    assert_eq!(lines[6].trim_end(), "ifaces: lo", "{what}: interfaces");
    assert_eq!(
        std::fs::read_to_string(project.join("out")).unwrap(),
        "built\n",
        "{what}: the write in . must reach the host"
    );
    assert!(
        !scratch.exists(),
        "{what}: the file written in {tmp} is on the host"
    );
    assert!(!home.join("f").exists());
    same_mounts(&before, &what);
}

#[test]
fn one_liner_project_outside_tmp() {
    let project = HostDir::new("project");
    let home = HostDir::new("home");
    check_one_liner(project.path(), "/tmp", home.path());
}

#[test]
fn one_liner_project_in_tmp_with_tmpfs_var_tmp() {
    let project = TempDir::new();
    own(project.path());
    // $HOME must not be under the tmpfs: a home in /tmp, read-only by --ro.
    let home = TempDir::new();
    check_one_liner(project.path(), "/var/tmp", home.path());
}

const MAKEFILE: &str = "\
out: in
\tcat in > $(TMPDIR)/stage
\tcat $(TMPDIR)/stage > out
\ttail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' > ifaces

escape:
\ttouch $(HOME)/escaped
";

#[track_caller]
fn hermetic_make(project: &Path, tmp: &str, home: &Path) {
    let before = mounts();
    user_file(&project.join("Makefile"), MAKEFILE);
    user_file(&project.join("in"), "source\n");
    let stage = Path::new(tmp).join("stage");
    let _ = std::fs::remove_file(&stage);
    let make = |target: &str| {
        let mut c = jail([
            "--ro", "--rw", ".", "--tmpfs", tmp, "--net", "--", "make", "-s", target,
        ]);
        c.current_dir(project);
        c.env("HOME", home).env("TMPDIR", tmp);
        run(c)
    };
    let what = format!("jail --ro --rw . --tmpfs {tmp} --net -- make in {project:?}");
    ok(&make("out"));
    assert_eq!(
        std::fs::read_to_string(project.join("out")).unwrap(),
        "source\n",
        "{what}: out"
    );
    assert_eq!(
        std::fs::read_to_string(project.join("ifaces")).unwrap(),
        "lo\n",
        "{what}: interfaces"
    );
    assert!(!stage.exists(), "{what}: {stage:?} reached the host");

    let out = make("escape");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{what} escape: make must fail writing $HOME; stderr: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("Read-only file system"),
        "{what} escape: {}",
        stderr(&out)
    );
    assert!(!home.join("escaped").exists());
    same_mounts(&before, &what);
}

#[test]
fn hermetic_make_project_outside_tmp() {
    need!("make");
    let project = HostDir::new("make");
    let home = HostDir::new("home");
    hermetic_make(project.path(), "/tmp", home.path());
}

#[test]
fn hermetic_make_project_in_tmp_with_tmpfs_var_tmp() {
    need!("make");
    let project = TempDir::new();
    own(project.path());
    // $HOME must not be under the tmpfs: a home in /tmp, read-only by --ro.
    let home = TempDir::new();
    hermetic_make(project.path(), "/var/tmp", home.path());
}

// --- --bind, --ro-bind, --tmpfs, --hide ------------------------------------------------

#[test]
fn bind_shows_source_and_writes_reach_it() {
    let dir = TempDir::new();
    let before = mounts();
    let src = user_dir(&dir.join("src"));
    user_file(&src.join("old"), "from src\n");
    let dst = dir.join("deep/dst");
    let out = jail_run(&[
        "--bind",
        &format!("{}:{}", s(&src), s(&dst)),
        "--",
        "sh",
        "-c",
        r#"cat "$1/old" && echo written > "$1/new""#,
        "sh",
        s(&dst),
    ]);
    assert_eq!(ok(&out), "from src\n", "--bind SRC:DST: DST shows SRC");
    assert_eq!(
        std::fs::read_to_string(src.join("new")).unwrap(),
        "written\n",
        "--bind: a write in DST must reach SRC"
    );
    assert!(dst.is_dir(), "--bind: the missing DST is created");
    assert!(
        names(&dst).is_empty(),
        "--bind: the write landed in DST itself"
    );
    same_mounts(&before, "jail --bind");
}

#[test]
fn bind_default_destination_is_the_same_path_seen_from_the_caller() {
    // The source is read in the caller's view, before the tmpfs covers it,
    // and bound at its own path inside the tmpfs.
    let dir = TempDir::new();
    let Ok(under_tmp) = dir.path().strip_prefix("/tmp") else {
        skip!("TempDir is not under /tmp");
    };
    let first = under_tmp
        .iter()
        .next()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let before = mounts();
    let src = user_dir(&dir.join("src"));
    user_file(&src.join("f"), "kept\n");
    let out = jail_run(&[
        "--tmpfs",
        "/tmp",
        "--bind",
        s(&src),
        "--",
        "sh",
        "-c",
        r#"cat "$1/f"; ls -A /tmp; echo w > "$1/w""#,
        "sh",
        s(&src),
    ]);
    assert_eq!(
        ok(&out),
        format!("kept\n{first}\n"),
        "--tmpfs /tmp --bind SRC (under /tmp)"
    );
    assert!(
        src.join("w").is_file(),
        "--bind SRC: the write must reach SRC"
    );
    same_mounts(&before, "jail --tmpfs /tmp --bind SRC");
}

#[test]
fn bind_relative_source_resolved_against_cwd() {
    let dir = TempDir::new();
    let src = user_dir(&dir.join("rel"));
    user_file(&src.join("f"), "relative\n");
    let dst = dir.join("dst");
    let mut c = jail([
        "--ro-bind",
        &format!("rel:{}", s(&dst)),
        "--",
        "cat",
        s(&dst.join("f")),
    ]);
    c.current_dir(dir.path());
    assert_eq!(
        ok(&run(c)),
        "relative\n",
        "--ro-bind rel:DST from the caller's cwd"
    );
}

#[test]
fn bind_of_a_file() {
    let dir = TempDir::new();
    let src = user_file(&dir.join("src"), "file content\n");
    let dst = dir.join("sub/dst");
    let out = jail_run(&[
        "--bind",
        &format!("{}:{}", s(&src), s(&dst)),
        "--",
        "sh",
        "-c",
        r#"cat "$1" && echo appended >> "$1""#,
        "sh",
        s(&dst),
    ]);
    assert_eq!(ok(&out), "file content\n", "--bind FILE:DST");
    assert_eq!(
        std::fs::read_to_string(&src).unwrap(),
        "file content\nappended\n",
        "--bind FILE: the write must reach the source file"
    );
}

#[test]
fn ro_bind_is_read_only() {
    let dir = TempDir::new();
    let before = mounts();
    let src = user_dir(&dir.join("src"));
    user_file(&src.join("f"), "ro\n");
    let dst = dir.join("dst");
    let arg = format!("{}:{}", s(&src), s(&dst));
    let out = jail_run(&["--ro-bind", &arg, "--", "cat", s(&dst.join("f"))]);
    assert_eq!(ok(&out), "ro\n", "--ro-bind SRC:DST shows SRC");

    let (a, b, c) = (dst.join("new"), dst.join("f"), src.join("new"));
    let m = probe(jail(["--ro-bind", &arg]), &[&a, &b]);
    read_only(&m, &a, "--ro-bind SRC:DST (new file)");
    read_only(&m, &b, "--ro-bind SRC:DST (existing file)");
    // Without a DST, SRC itself is read-only in the jail.
    let m = probe(jail(["--ro-bind", s(&src)]), &[&c]);
    read_only(&m, &c, "--ro-bind SRC");
    assert_eq!(names(&src), words("f"), "--ro-bind: SRC changed");
    assert_eq!(std::fs::read_to_string(src.join("f")).unwrap(), "ro\n");
    same_mounts(&before, "jail --ro-bind");
}

#[test]
fn tmpfs_is_empty_writable_and_gone_after() {
    let dir = TempDir::new();
    let before = mounts();
    let t = user_dir(&dir.join("t"));
    user_file(&t.join("host-file"), "host\n");
    let fresh = dir.join("new/deep");
    let script = r#"
        echo "[$(ls -A "$1")]"; stat -f -c %T "$1"
        echo x > "$1/a" && mkdir "$1/d" && echo "[$(ls -A "$1" | tr '\n' ' ')]"
        echo y > "$2/b" && cat "$2/b"
    "#;
    let out = jail_run(&[
        "--tmpfs",
        s(&t),
        "--tmpfs",
        s(&fresh),
        "--",
        "sh",
        "-c",
        script,
        "sh",
        s(&t),
        s(&fresh),
    ]);
    assert_eq!(
        ok(&out),
        "[]\ntmpfs\n[a d ]\ny\n",
        "--tmpfs: empty, a tmpfs, writable"
    );
    assert_eq!(names(&t), words("host-file"), "--tmpfs: files stayed after");
    assert!(fresh.is_dir(), "--tmpfs: a missing PATH is created");
    assert!(names(&fresh).is_empty(), "--tmpfs: files stayed after");
    same_mounts(&before, "jail --tmpfs");
}

#[test]
fn hide_directory_looks_empty() {
    let dir = TempDir::new();
    let before = mounts();
    let d = user_dir(&dir.join("secret"));
    user_file(&d.join("key"), "private\n");
    user_dir(&d.join("sub"));
    let out = jail_run(&[
        "--hide",
        s(&d),
        "--",
        "sh",
        "-c",
        r#"echo "[$(ls -A "$1")]"; cat "$1/key" 2>/dev/null || echo unreadable"#,
        "sh",
        s(&d),
    ]);
    assert_eq!(ok(&out), "[]\nunreadable\n", "--hide DIR");
    let w = d.join("w");
    let m = probe(jail(["--hide", s(&d)]), &[&w]);
    read_only(&m, &w, "--hide DIR");
    assert_eq!(names(&d), words("key sub"), "--hide: the host dir changed");
    same_mounts(&before, "jail --hide DIR");
}

/// `--rw PARENT` only keeps PARENT writable: what earlier options did
/// beneath it (hide, tmpfs, read-only bind) still shows, in either order.
#[test]
fn rw_of_a_parent_keeps_earlier_options_beneath_it() {
    let dir = TempDir::new();
    let before = mounts();
    let proj = user_dir(&dir.join("proj"));
    let secret = user_dir(&proj.join("secret"));
    user_file(&secret.join("key"), "private\n");
    let tmp = user_dir(&proj.join("tmp"));
    user_file(&tmp.join("old"), "old\n");
    let lib = user_dir(&proj.join("lib"));
    user_file(&lib.join("a"), "a\n");
    let src = user_dir(&dir.join("src"));
    user_file(&src.join("b"), "b\n");
    let bind = format!("{}:{}", s(&src), s(&lib));
    let opts = ["--hide", s(&secret), "--tmpfs", s(&tmp), "--ro-bind", &bind];
    let list = r#"echo "[$(ls -A "$1")] [$(ls -A "$2")] [$(ls -A "$3")]""#;
    for rw_first in [false, true] {
        for ro in [false, true] {
            let mut args: Vec<&str> = Vec::new();
            if rw_first {
                args.extend(["--rw", s(&proj)]);
            }
            args.extend(opts);
            if !rw_first {
                args.extend(["--rw", s(&proj)]);
            }
            if ro {
                args.push("--ro");
            }
            let what = format!("jail {args:?}");
            let mut c = jail(&args);
            c.args(["--", "sh", "-c", list, "sh", s(&secret), s(&tmp), s(&lib)]);
            assert_eq!(ok(&run(c)), "[] [] [b]\n", "{what}: the view under --rw");
            let m = probe(
                jail(&args),
                &[
                    &secret.join("w"),
                    &lib.join("w"),
                    &tmp.join("w"),
                    &proj.join("w"),
                ],
            );
            read_only(&m, &secret.join("w"), &what);
            read_only(&m, &lib.join("w"), &what);
            writable(&m, &tmp.join("w"), &what);
            writable(&m, &proj.join("w"), &what);
            let _ = std::fs::remove_file(proj.join("w"));
        }
    }
    assert_eq!(
        names(&secret),
        words("key"),
        "the hidden dir changed on the host"
    );
    assert_eq!(names(&tmp), words("old"), "the tmpfs reached the host");
    same_mounts(
        &before,
        "jail --hide/--tmpfs/--ro-bind with --rw of the parent",
    );
}

/// With --pid the fresh /proc comes first, so options can cover parts of it.
#[test]
fn options_under_proc_apply_to_the_fresh_proc() {
    let out = jail_run(&[
        "--pid",
        "--hide",
        "/proc/kallsyms",
        "--tmpfs",
        "/proc/sys",
        "--",
        "sh",
        "-c",
        "echo \"[$(cat /proc/kallsyms)] [$(ls -A /proc/sys)] $$ $(cat /proc/1/comm)\"",
    ]);
    assert_eq!(
        ok(&out),
        "[] [] 2 jail\n",
        "--pid --hide/--tmpfs under /proc"
    );
}

/// /proc is the kernel's interface: --ro leaves it writable, so that a
/// jail inside a --ro jail can write its id maps.
#[test]
fn ro_leaves_proc_writable_for_a_nested_jail() {
    let inner = bin().to_str().unwrap();
    for pid in [false, true] {
        let mut args = vec!["--ro"];
        if pid {
            args.push("--pid");
        }
        let what = format!("jail {args:?}");
        let mut c = jail(&args);
        c.args([
            "--",
            "sh",
            "-c",
            "echo 500 > /proc/self/oom_score_adj && cat /proc/self/oom_score_adj",
        ]);
        assert_eq!(ok(&run(c)), "500\n", "{what}: /proc/self is not writable");
        let mut c = jail(&args);
        c.args(["--", inner, "--net", "--", "cat", "/proc/self/uid_map"]);
        let o = ok(&run(c));
        assert!(
            o.split_whitespace().count() == 3,
            "{what}: nested jail's uid_map: {o:?}"
        );
    }
}

#[test]
fn hide_file_reads_empty() {
    let dir = TempDir::new();
    let before = mounts();
    let f = user_file(&dir.join("token"), "secret token\n");
    let out = jail_run(&[
        "--hide",
        s(&f),
        "--",
        "sh",
        "-c",
        r#"echo "[$(cat "$1")]"; (echo x > "$1") 2>/dev/null; echo "[$(cat "$1")]""#,
        "sh",
        s(&f),
    ]);
    // /dev/null is over it: reads are empty, writes go nowhere.
    assert_eq!(
        ok(&out),
        "[]\n[]\n",
        "--hide FILE reads empty, also after a write"
    );
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        "secret token\n",
        "--hide FILE: the host file changed"
    );
    same_mounts(&before, "jail --hide FILE");
}

#[test]
fn operations_apply_in_command_line_order() {
    let dir = TempDir::new();
    let src = user_dir(&dir.join("src"));
    user_file(&src.join("f"), "bound\n");
    let t = user_dir(&dir.join("t"));
    let inner = t.join("inner");
    let bind = format!("{}:{}", s(&src), s(&inner));
    // tmpfs, then a bind inside it: the bind shows.
    let out = jail_run(&[
        "--tmpfs",
        s(&t),
        "--bind",
        &bind,
        "--",
        "cat",
        s(&inner.join("f")),
    ]);
    assert_eq!(ok(&out), "bound\n", "--tmpfs T --bind SRC:T/inner");
    // A bind, then a tmpfs over its parent: the tmpfs covers it.
    let out = jail_run(&["--bind", &bind, "--tmpfs", s(&t), "--", "ls", "-A", s(&t)]);
    assert_eq!(ok(&out), "", "--bind SRC:T/inner --tmpfs T");
}

/// A project under /tmp with `--ro --rw . --tmpfs /tmp`: the hint names
/// what works, and what it names does work.
#[test]
fn rw_under_a_later_tmpfs_hints_at_a_bind_that_works() {
    let dir = TempDir::new();
    let proj = user_dir(&dir.join("proj"));
    assert!(
        proj.starts_with("/tmp"),
        "TempDir is not under /tmp: {proj:?}"
    );
    let mut c = jail(["--ro", "--rw", ".", "--tmpfs", "/tmp", "--", "true"]);
    c.current_dir(&proj);
    let err = fails(&run(c), 125, "the later --tmpfs /tmp covers");
    let hint = err.lines().nth(1).unwrap_or_default();
    let want = format!("jail: hint: give --bind {} after --tmpfs /tmp", s(&proj));
    assert!(hint.starts_with(&want), "{err:?}");
    let mut c = jail([
        "--ro",
        "--tmpfs",
        "/tmp",
        "--bind",
        s(&proj),
        "--",
        "touch",
        "w",
    ]);
    c.current_dir(&proj);
    ok(&run(c));
    assert!(
        proj.join("w").is_file(),
        "the write did not reach the project"
    );
}

#[test]
fn many_binds() {
    let dir = TempDir::new();
    let before = mounts();
    let mut args: Vec<String> = Vec::new();
    for i in 0..100 {
        let src = user_dir(&dir.join(&format!("src{i}")));
        user_file(&src.join("f"), &format!("{i}\n"));
        args.push("--bind".into());
        args.push(format!("{}:{}", s(&src), s(&dir.join(&format!("dst/{i}")))));
    }
    args.extend(["--", "sh", "-c"].map(String::from));
    args.push(r#"cat "$1"/dst/*/f | sort -n | tr '\n' ' '"#.into());
    args.extend(["sh".into(), s(dir.path()).to_owned()]);
    let o = ok(&run(jail(&args)));
    let want: Vec<String> = (0..100).map(|i| i.to_string()).collect();
    assert_eq!(o.trim_end(), want.join(" "), "100 --bind options");
    same_mounts(&before, "jail with 100 --bind");
}

// --- --root -------------------------------------------------------------------------

#[test]
fn root_busybox_rootfs_works() {
    let dir = TempDir::new();
    let root = need_busybox_root!(&dir);
    let before = mounts();
    let out = jail_run(&[
        "--root",
        s(&root),
        "--dev",
        "--",
        "/bin/busybox",
        "sh",
        "-c",
        "echo hello from busybox; /bin/busybox ls -1a /",
    ]);
    let o = ok(&out);
    let mut lines = o.lines();
    assert_eq!(lines.next(), Some("hello from busybox"));
    let inside: BTreeSet<String> = lines.map(str::to_owned).collect();
    let mut want = names(&root);
    want.extend([".".to_owned(), "..".to_owned()]);
    assert_eq!(inside, want, "--root DIR: ls -a / must list DIR");
    assert!(root.join("dev").is_dir());
    same_mounts(&before, "jail --root DIR --dev");
}

#[test]
fn root_old_root_is_unreachable() {
    let dir = TempDir::new();
    let root = need_busybox_root!(&dir);
    user_dir(&root.join("proc"));
    let ino = std::fs::metadata(&root).unwrap().ino();
    let before = mounts();
    let script = r#"
        B=/bin/busybox
        cd /; cd ..; echo "cd..: $($B ls -1a | $B tr '\n' ' ')"
        echo "slash..: $($B ls -1a /.. | $B tr '\n' ' ')"
        echo "ino: $($B stat -c %i /) $($B stat -c %i /..) $($B stat -c %i /../..)"
        echo "selfroot: $($B ls -1a /proc/self/root/ | $B tr '\n' ' ')"
        echo "exists: $($B ls -d /etc /usr /tmp 2>/dev/null | $B tr '\n' ' ')"
    "#;
    for pid in [false, true] {
        let mut args = vec!["--root", s(&root)];
        if pid {
            args.push("--pid");
        }
        args.extend(["--", "/bin/busybox", "sh", "-c", script]);
        let o = ok(&jail_run(&args));
        let what = format!("jail {}", args[..args.len() - 1].join(" "));
        let mut want = names(&root);
        want.extend([".".to_owned(), "..".to_owned()]);
        let field = |k: &str| -> String {
            o.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}: ")))
                .unwrap_or_else(|| panic!("{what}: no {k} in {o}"))
                .to_owned()
        };
        assert_eq!(words(&field("cd..")), want, "{what}: cd / ; cd .. ; ls");
        assert_eq!(words(&field("slash..")), want, "{what}: ls /..");
        assert_eq!(words(&field("selfroot")), want, "{what}: /proc/self/root/");
        assert_eq!(
            field("ino"),
            format!("{ino} {ino} {ino}"),
            "{what}: /, /.. and /../.. must be DIR (inode {ino})"
        );
        assert_eq!(field("exists"), "", "{what}: host dirs visible");
    }
    // With --pid, /proc is fresh and /proc/self/root is plainly /.
    let out = jail_run(&[
        "--root",
        s(&root),
        "--pid",
        "--",
        "/bin/busybox",
        "readlink",
        "/proc/self/root",
    ]);
    assert_eq!(ok(&out), "/\n", "--root --pid: readlink /proc/self/root");
    same_mounts(&before, "jail --root");
}

#[test]
fn root_bind_destination_is_inside_root() {
    let dir = TempDir::new();
    let root = need_busybox_root!(&dir);
    let before = mounts();
    let src = user_dir(&dir.join("src"));
    user_file(&src.join("f"), "from src\n");
    let host_mnt = std::fs::read_dir("/mnt")
        .map(|d| d.count())
        .unwrap_or(usize::MAX);
    let out = jail_run(&[
        "--root",
        s(&root),
        "--bind",
        &format!("{}:/mnt", s(&src)),
        "--",
        "/bin/busybox",
        "sh",
        "-c",
        "/bin/busybox cat /mnt/f && echo w > /mnt/w",
    ]);
    assert_eq!(ok(&out), "from src\n", "--root DIR --bind SRC:/mnt");
    assert!(root.join("mnt").is_dir(), "DIR/mnt must be created");
    assert!(src.join("w").is_file(), "the write in /mnt must reach SRC");
    assert_eq!(
        std::fs::read_dir("/mnt")
            .map(|d| d.count())
            .unwrap_or(usize::MAX),
        host_mnt,
        "the host's /mnt changed"
    );
    same_mounts(&before, "jail --root DIR --bind SRC:/mnt");
}

#[test]
fn root_with_pid_has_a_fresh_proc() {
    let dir = TempDir::new();
    let root = need_busybox_root!(&dir);
    let before = mounts();
    assert!(!root.join("proc").exists());
    let out = jail_run(&[
        "--root",
        s(&root),
        "--pid",
        "--",
        "/bin/busybox",
        "ps",
        "-o",
        "pid",
    ]);
    let o = ok(&out);
    let pids: Vec<&str> = o.lines().skip(1).map(str::trim).collect();
    assert_eq!(pids, ["1", "2"], "--root --pid: busybox ps: {o}");
    assert!(root.join("proc").is_dir(), "DIR/proc must be created");
    same_mounts(&before, "jail --root DIR --pid");
}

/// Inside --root, /proc is the kernel's: options under it apply to the
/// fresh /proc of --pid (DIR/proc is empty on the host).
#[test]
fn root_with_pid_hides_under_the_fresh_proc() {
    let dir = TempDir::new();
    let root = need_busybox_root!(&dir);
    let out = jail_run(&[
        "--root",
        s(&root),
        "--pid",
        "--hide",
        "/proc/kallsyms",
        "--",
        "/bin/busybox",
        "sh",
        "-c",
        "echo \"[$(/bin/busybox cat /proc/kallsyms)] $$\"",
    ]);
    assert_eq!(ok(&out), "[] 2\n", "--root --pid --hide /proc/kallsyms");
    // A --tmpfs there too, with a DIR/proc the jail user cannot write to
    // (as root; else it is the user's own).
    std::fs::remove_dir(root.join("proc")).unwrap();
    mkdir_mode(&root.join("proc"), 0o755);
    let out = jail_run(&[
        "--root",
        s(&root),
        "--pid",
        "--tmpfs",
        "/proc/sys",
        "--",
        "/bin/busybox",
        "ls",
        "-A",
        "/proc/sys",
    ]);
    assert_eq!(ok(&out), "", "--root --pid --tmpfs /proc/sys");
    assert_eq!(std::fs::read_dir(root.join("proc")).unwrap().count(), 0);
    // Without --pid and without DIR/proc there is no /proc to hide in.
    std::fs::remove_dir(root.join("proc")).unwrap();
    let out = jail_run(&[
        "--root",
        s(&root),
        "--hide",
        "/proc/kallsyms",
        "--",
        "/bin/busybox",
        "true",
    ]);
    fails(&out, 125, "proc/kallsyms: No such file or directory");
    assert!(!root.join("proc").exists(), "DIR/proc was created");
}

/// A file mount point the jail creates is read-only for all, as bwrap's.
#[test]
fn created_file_mount_point_is_mode_0444() {
    let dir = TempDir::new();
    let root = need_busybox_root!(&dir);
    let src = dir.join("f");
    user_file(&src, "x\n");
    let out = jail_run(&[
        "--root",
        s(&root),
        "--ro-bind",
        &format!("{}:/mp", s(&src)),
        "--",
        "/bin/busybox",
        "cat",
        "/mp",
    ]);
    assert_eq!(ok(&out), "x\n");
    let mode = std::fs::metadata(root.join("mp"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o444, "DIR/mp: mode {mode:o}");
}

/// A jail in a root without /proc cannot write its id maps: the hint says
/// to mount /proc, not to look at sysctls.
#[test]
fn nested_jail_without_proc_hints_at_mounting_proc() {
    let dir = TempDir::new();
    let root = user_dir(&dir.join("root"));
    let inner = format!("{}:/jail", s(bin()));
    let mut args = vec!["--root", s(&root), "--ro-bind", &inner];
    // The host's libraries, for the (maybe dynamic) binary under test.
    for d in ["/usr", "/lib", "/lib64", "/bin"] {
        if let Ok(to) = std::fs::read_link(d) {
            std::os::unix::fs::symlink(to, root.join(&d[1..])).unwrap();
        } else if Path::new(d).is_dir() {
            args.extend(["--ro-bind", d]);
        }
    }
    args.extend(["--", "/jail", "--net", "--", "true"]);
    let out = jail_run(&args);
    let err = fails(&out, 125, "No such file or directory");
    assert!(
        err.contains("jail: hint: /proc is not mounted here"),
        "{err:?}"
    );
    assert!(!root.join("proc").exists());
}

/// `jail --root DIR` without COMMAND runs the caller's $SHELL, which DIR
/// may lack: the hint says so and names a way out.
#[test]
fn root_without_command_and_a_missing_shell_hints_at_giving_one() {
    let dir = TempDir::new();
    let root = need_busybox_root!(&dir);
    let mut c = jail(["--root", s(&root)]);
    c.env("SHELL", "/bin/bash");
    let err = fails(
        &run(c),
        127,
        "jail: exec /bin/bash: No such file or directory",
    );
    assert!(
        err.contains("jail: hint: without COMMAND jail runs $SHELL (/bin/bash)")
            && err.contains("-- /bin/sh"),
        "{err:?}"
    );
}

#[test]
fn root_ro_rw_and_hide_are_paths_inside_root() {
    let dir = TempDir::new();
    let root = need_busybox_root!(&dir);
    let data = user_dir(&root.join("data"));
    let secret = user_dir(&root.join("secret"));
    user_file(&secret.join("f"), "x");
    let before = mounts();
    let script = r#"
        B=/bin/busybox
        echo d > /data/d && echo "data: ok"
        e=$( (echo b > /bin/b) 2>&1 ) || echo "bin: $e"
        echo "secret: [$($B ls -A /secret)]"
    "#;
    let out = jail_run(&[
        "--root",
        s(&root),
        "--ro",
        "--rw",
        "/data",
        "--hide",
        "/secret",
        "--",
        "/bin/busybox",
        "sh",
        "-c",
        script,
    ]);
    let o = ok(&out);
    let lines: Vec<&str> = o.lines().collect();
    assert_eq!(lines.len(), 3, "--root --ro --rw --hide: {o}");
    assert_eq!(lines[0], "data: ok", "--root DIR --ro --rw /data");
    assert!(
        lines[1].starts_with("bin: ") && lines[1].contains("Read-only file system"),
        "--root DIR --ro: writing /bin: {o}"
    );
    assert_eq!(lines[2], "secret: []", "--root DIR --hide /secret");
    assert!(data.join("d").is_file(), "--rw /data must reach DIR/data");
    assert!(!root.join("bin/b").exists());

    // Inside --root, --rw and --hide must be absolute.
    let mut c = jail([
        "--root",
        s(&root),
        "--rw",
        "data",
        "--",
        "/bin/busybox",
        "true",
    ]);
    c.current_dir(&root);
    fails(&run(c), 125, "--rw data");
    same_mounts(&before, "jail --root --ro --rw --hide");
}

#[test]
fn root_chdir_applies_after_root() {
    let dir = TempDir::new();
    let root = need_busybox_root!(&dir);
    let out = jail_run(&[
        "--root",
        s(&root),
        "--chdir",
        "/bin",
        "--",
        "/bin/busybox",
        "pwd",
    ]);
    assert_eq!(ok(&out), "/bin\n", "--root DIR --chdir /bin");
    // A directory that exists only inside the new root.
    let only = unique("only");
    user_dir(&root.join(&only));
    assert!(!Path::new("/").join(&only).exists());
    let inside = format!("/{only}");
    let out = jail_run(&[
        "--root",
        s(&root),
        "--chdir",
        &inside,
        "--",
        "/bin/busybox",
        "pwd",
    ]);
    assert_eq!(
        ok(&out),
        format!("{inside}\n"),
        "--root DIR --chdir {inside}"
    );
}

#[test]
fn root_on_a_file_or_missing_dir_is_refused() {
    let dir = TempDir::new();
    let before = mounts();
    let file = user_file(&dir.join("file"), "");
    let mark = dir.join("ran");
    for r in [file.clone(), dir.join("missing")] {
        let out = jail_run(&["--root", s(&r), "--", "touch", s(&mark)]);
        fails(&out, 125, &format!("--root {}", s(&r)));
        assert!(!mark.exists(), "--root {r:?}: COMMAND ran");
    }
    same_mounts(&before, "a refused --root");
}

// --- the working directory ------------------------------------------------------------

#[test]
fn default_cwd_kept_when_visible() {
    let dir = TempDir::new();
    let mut c = jail(["--ro", "--", "pwd"]);
    c.current_dir(dir.path());
    assert_eq!(ok(&run(c)), format!("{}\n", s(dir.path())), "--ro: cwd");
}

#[test]
fn default_cwd_inside_root_when_it_exists_there() {
    let dir = TempDir::new();
    let root = need_busybox_root!(&dir);
    let project = HostDir::new("cwd");
    user_file(&project.join("host-marker"), "");
    let inner = root.join(project.path().strip_prefix("/").unwrap());
    user_dir(&inner);
    user_file(&inner.join("root-marker"), "");
    let mut c = jail([
        "--root",
        s(&root),
        "--",
        "/bin/busybox",
        "sh",
        "-c",
        "/bin/busybox pwd; /bin/busybox ls",
    ]);
    c.current_dir(project.path());
    assert_eq!(
        ok(&run(c)),
        format!("{}\nroot-marker\n", s(project.path())),
        "--root DIR from a cwd that also exists inside DIR"
    );
}

#[test]
fn default_cwd_is_slash_when_not_visible() {
    let dir = TempDir::new();
    let root = need_busybox_root!(&dir);
    let project = HostDir::new("cwd");
    let mut c = jail(["--root", s(&root), "--", "/bin/busybox", "pwd"]);
    c.current_dir(project.path());
    assert_eq!(ok(&run(c)), "/\n", "--root DIR from a cwd not inside DIR");

    // A tmpfs covering the caller's cwd hides it too.
    let cwd = TempDir::new();
    let mut c = jail(["--tmpfs", "/tmp", "--", "pwd"]);
    c.current_dir(cwd.path());
    assert_eq!(ok(&run(c)), "/\n", "--tmpfs /tmp from a cwd under /tmp");
}

// --- --dev --------------------------------------------------------------------------

const DEV_ENTRIES: &str =
    "core fd full null ptmx pts random shm stderr stdin stdout tty urandom zero";

#[test]
fn dev_lists_only_the_minimal_entries() {
    let before = mounts();
    let o = ok(&jail_run(&["--dev", "--", "ls", "-A", "/dev"]));
    let inside = words(&o);
    assert_eq!(inside, words(DEV_ENTRIES), "--dev: ls -A /dev");
    let host = names(Path::new("/dev"));
    let disks: Vec<&String> = host
        .iter()
        .filter(|n| {
            ["sd", "vd", "nvme", "loop", "hd", "xvd"]
                .iter()
                .any(|p| n.starts_with(p))
        })
        .collect();
    for d in &disks {
        assert!(!inside.contains(*d), "--dev: host disk {d} visible");
    }
    // With --root the same /dev is built inside DIR.
    let dir = TempDir::new();
    if let Some(root) = busybox_root(&dir) {
        let o = ok(&jail_run(&[
            "--root",
            s(&root),
            "--dev",
            "--",
            "/bin/busybox",
            "ls",
            "-A",
            "/dev",
        ]));
        assert_eq!(
            words(&o),
            words(DEV_ENTRIES),
            "--root DIR --dev: ls -A /dev"
        );
    }
    same_mounts(&before, "jail --dev");
}

#[test]
fn dev_devices_are_the_hosts_and_work() {
    let script = r#"
        for d in null zero full random urandom tty; do
          echo "$d $(stat -L -c '%F %t:%T' /dev/$d)"
        done
        echo discard > /dev/null && echo "null: ok"
        echo "zero: $(head -c 4 /dev/zero | od -An -tx1 | tr -d ' ')"
        head -c 1 /dev/zero 2>&1 >/dev/full | grep -q 'No space left on device' && echo "full: ENOSPC"
        echo "random: $(head -c 16 /dev/random | wc -c)"
        echo "urandom: $(head -c 16 /dev/urandom | wc -c)"
    "#;
    let o = ok(&jail_run(&["--dev", "--", "sh", "-c", script]));
    for d in ["null", "zero", "full", "random", "urandom", "tty"] {
        let rdev = std::fs::metadata(Path::new("/dev").join(d)).unwrap().rdev();
        let (maj, min) = (libc::major(rdev), libc::minor(rdev));
        let want = format!("{d} character special file {maj:x}:{min:x}");
        assert!(
            o.lines().any(|l| l == want),
            "--dev: /dev/{d} should be {maj}:{min} like the host's: {o}"
        );
    }
    for l in [
        "null: ok",
        "zero: 00000000",
        "full: ENOSPC",
        "random: 16",
        "urandom: 16",
    ] {
        assert!(o.lines().any(|x| x == l), "--dev: want {l:?} in {o}");
    }
}

#[test]
fn dev_pty_works() {
    need!("python3");
    let py = r#"
import os, pty
m, s = pty.openpty()
print(os.ttyname(s))
os.write(s, b"ping\n")
print(os.read(m, 100).decode().strip())
"#;
    let o = ok(&jail_run(&["--dev", "--", "python3", "-c", py]));
    let lines: Vec<&str> = o.lines().collect();
    assert_eq!(lines.len(), 2, "--dev: pty.openpty(): {o}");
    assert!(
        lines[0].starts_with("/dev/pts/"),
        "--dev: the pty's name: {o}"
    );
    assert_eq!(lines[1], "ping", "--dev: data through the pty");
    // Also under --ro: /dev/pts stays usable.
    let o = ok(&jail_run(&["--ro", "--dev", "--", "python3", "-c", py]));
    assert!(
        o.starts_with("/dev/pts/") && o.ends_with("ping\n"),
        "--ro --dev: {o}"
    );
}

#[test]
fn dev_shm_is_fresh_and_writable_even_under_ro() {
    let before = mounts();
    let host = HostFile(Path::new("/dev/shm").join(unique("shm")));
    std::fs::write(&host.0, "host").unwrap();
    for args in [&["--dev"][..], &["--ro", "--dev"][..]] {
        let mut a = args.to_vec();
        a.extend([
            "--",
            "sh",
            "-c",
            r#"echo "[$(ls -A /dev/shm)]"; echo x > /dev/shm/f && cat /dev/shm/f; stat -c %a /dev/shm"#,
        ]);
        let o = ok(&jail_run(&a));
        assert_eq!(o, "[]\nx\n1777\n", "jail {args:?}: /dev/shm");
    }
    assert_eq!(std::fs::read_to_string(&host.0).unwrap(), "host");
    assert!(!Path::new("/dev/shm/f").exists());
    same_mounts(&before, "jail --dev");
}

// --- errors ---------------------------------------------------------------------------

/// Run `jail ARGS -- touch MARK` from `cwd`: must fail with 125 and one line
/// containing every NEEDLE; COMMAND must not have run and the host's mount
/// table must be unchanged.
#[track_caller]
fn refused(cwd: &Path, args: &[&str], needles: &[&str]) -> String {
    let before = mounts();
    let mark = Path::new(cwd).join(unique("ran"));
    let mut c = jail(args);
    c.args(["--", "touch", s(&mark)]);
    c.current_dir(cwd);
    let out = run(c);
    let err = fails(&out, 125, needles[0]);
    for n in &needles[1..] {
        assert!(err.contains(n), "jail {args:?}: {n:?} not in {err:?}");
    }
    assert!(!mark.exists(), "jail {args:?}: COMMAND ran");
    same_mounts(&before, &format!("a refused jail {args:?}"));
    err
}

#[test]
fn missing_source_is_refused() {
    let dir = TempDir::new();
    let missing = dir.join("nonexistent");
    let m = s(&missing);
    let early = dir.join("early");
    for opt in ["--bind", "--ro-bind", "--rw", "--hide"] {
        // An earlier destination is not created either.
        refused(
            dir.path(),
            &["--tmpfs", s(&early), opt, m],
            &[&format!("{opt} {m}"), "No such file or directory"],
        );
        assert!(
            !early.exists(),
            "{opt} {m}: an earlier --tmpfs dir was created"
        );
    }
    let dst = dir.join("dst");
    refused(
        dir.path(),
        &["--bind", &format!("{m}:{}", s(&dst))],
        &["--bind", m, "No such file or directory"],
    );
    assert!(!dst.exists(), "--bind MISSING:DST created DST");
}

#[test]
fn destination_that_cannot_be_created_is_refused() {
    let dir = TempDir::new();
    let src = user_dir(&dir.join("src"));
    let under_root = format!("/usr/{}", unique("nope"));
    for dst in ["/proc/sys/jail-fs-nope", under_root.as_str()] {
        let arg = format!("{}:{dst}", s(&src));
        refused(
            dir.path(),
            &["--bind", &arg],
            &[&format!("--bind {arg}"), &format!("cannot create {dst}")],
        );
        assert!(!Path::new(dst).exists(), "--bind SRC:{dst} created it");
    }
    let file = user_file(&dir.join("file"), "");
    let arg = format!("{}:{under_root}/f", s(&file));
    refused(
        dir.path(),
        &["--bind", &arg],
        &[&format!("--bind {arg}"), "cannot create"],
    );
    refused(
        dir.path(),
        &["--tmpfs", &under_root],
        &[&format!("--tmpfs {under_root}"), "cannot create"],
    );
    assert!(!Path::new(&under_root).exists());
    // An earlier option's destination is not left behind on the host.
    let earlier = dir.join("earlier/new");
    let arg = format!("{}:{under_root}", s(&src));
    refused(
        dir.path(),
        &["--tmpfs", s(&earlier), "--bind", &arg],
        &[&format!("--bind {arg}"), "cannot create"],
    );
    assert!(
        !dir.join("earlier").exists(),
        "the --tmpfs destination of an earlier option stayed on the host"
    );
}

#[test]
fn two_colons_are_refused() {
    let dir = TempDir::new();
    let src = user_dir(&dir.join("src"));
    let (a, b) = (dir.join("a"), dir.join("b"));
    for opt in ["--bind", "--ro-bind"] {
        let arg = format!("{}:{}:{}", s(&src), s(&a), s(&b));
        refused(dir.path(), &[opt, &arg], &[&format!("{opt} {arg}")]);
    }
    assert!(!a.exists() && !b.exists(), "a destination was created");
}

#[test]
fn escaped_colon_in_bind_paths() {
    let dir = TempDir::new();
    let before = mounts();
    let src = user_dir(&dir.join("a:b"));
    user_file(&src.join("f"), "colon\n");
    let dst = dir.join("x:y");
    let esc = |p: &Path| s(p).replace(':', "\\:");
    // Escaped colon in the source, default destination.
    let out = jail_run(&["--ro-bind", &esc(&src), "--", "cat", s(&src.join("f"))]);
    assert_eq!(ok(&out), "colon\n", "--ro-bind with \\: in SRC");
    // Escaped colons on both sides.
    let arg = format!("{}:{}", esc(&src), esc(&dst));
    let out = jail_run(&["--bind", &arg, "--", "cat", s(&dst.join("f"))]);
    assert_eq!(ok(&out), "colon\n", "--bind {arg}");
    assert!(dst.is_dir(), "--bind {arg}: DST with a colon not created");
    same_mounts(&before, "jail --bind with \\:");
}

#[test]
fn relative_destination_is_refused() {
    let dir = TempDir::new();
    let src = user_dir(&dir.join("src"));
    let err = refused(
        dir.path(),
        &["--tmpfs", "tmp"],
        &["--tmpfs tmp", "destination 'tmp' is not an absolute path"],
    );
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(!dir.join("tmp").exists(), "--tmpfs tmp created ./tmp");
    for opt in ["--bind", "--ro-bind"] {
        let arg = format!("{}:rel", s(&src));
        refused(
            dir.path(),
            &[opt, &arg],
            &[&format!("{opt} {arg}"), "'rel' is not an absolute path"],
        );
    }
    assert!(!dir.join("rel").exists(), "a relative DST was created");
}
