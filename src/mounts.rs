//! The filesystem view: `--ro`, `--rw`, `--bind`, `--ro-bind`, `--tmpfs`,
//! `--hide`, `--root`, `--dev`.
//!
//! `build_*` runs in the parent: it checks every path and prebuilds every C
//! string. `apply` runs in the child, after `/` was made private: it clones
//! every bind source first (so sources resolve in the caller's view, with
//! one open_tree(2) each, never a walk of the mount table), then applies the
//! operations in command-line order, mounts /proc, makes everything
//! read-only with one recursive mount_setattr(2) (`--ro` is resolved last),
//! re-opens the writable carve-outs, and finally pivots into `--root`.

use std::cell::Cell;
use std::ffi::{CStr, CString, OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::sys;

const OPEN_TREE_CLONE: u32 = 1;
const OPEN_TREE_CLOEXEC: u32 = libc::O_CLOEXEC as u32;
const AT_RECURSIVE: u32 = 0x8000;
const MOVE_MOUNT_F_EMPTY_PATH: u32 = 0x4;
const MOUNT_ATTR_RDONLY: u64 = 0x1;

/// Devices `--dev` binds from the host.
const DEVICES: [&str; 6] = ["null", "zero", "full", "random", "urandom", "tty"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Bind a source (a directory or a file) at `dst`; read-only if `ro`.
    Bind { ro: bool, dir: bool },
    /// An empty, writable tmpfs.
    Tmpfs,
    /// An empty read-only tmpfs over a directory.
    HideDir,
    /// /dev/null over a file.
    HideFile,
    /// Keep `dst` writable under `--ro` (a bind of the path onto itself).
    Rw,
    /// A minimal /dev.
    Dev,
    /// The host's /proc, inside `--root` without a PID namespace.
    HostProc,
}

/// One operation, ready for the child.
pub struct Op {
    pub kind: Kind,
    /// Where the source is read (host view); for Dev, unused.
    pub src: CString,
    /// Full path of the destination, inside `--root` when there is one.
    pub dst: CString,
    /// As the user wrote it, for messages: `--bind a:/b`.
    pub shown: String,
    /// For Dev: dst/null, dst/zero, ... and the detached trees of the
    /// host devices; the rest of the /dev layout.
    pub dev: Option<Box<DevPaths>>,
    /// Detached mount tree of the source, made by the child's first pass.
    pub tree: Cell<i32>,
}

impl Op {
    /// The /dev layout of a `--dev` op (built with it by the parent).
    fn dev_paths(&self) -> Result<&DevPaths, i32> {
        self.dev.as_deref().ok_or(libc::EINVAL)
    }

    /// The destination as a path (for the parent's checks).
    fn dst_path(&self) -> &Path {
        Path::new(OsStr::from_bytes(self.dst.to_bytes()))
    }
}

pub struct DevPaths {
    pub nodes: [CString; 6],
    pub host: [CString; 6],
    pub trees: [Cell<i32>; 6],
    pub pts: CString,
    pub shm: CString,
    pub links: [(CString, CString); 5],
}

/// Everything about the filesystem view.
#[derive(Default)]
pub struct Fs {
    pub ops: Vec<Op>,
    pub ro: bool,
    /// `--root DIR`, absolute.
    pub root: Option<CString>,
    /// Where /proc goes for a PID namespace (inside the root).
    pub proc_dir: Option<CString>,
    /// `proc_dir`/self.
    pub proc_self: Option<CString>,
    /// The caller's working directory, re-entered after the view changed.
    pub cwd: Option<CString>,
    /// The mount the `--ro` pass starts from: the root dir or `/`.
    pub top: CString,
    /// Mount options of a `--tmpfs` (None: `mode=0755`, owned by the
    /// mounter). Set when COMMAND runs as another id than the mounter.
    pub tmpfs_opts: Option<CString>,
}

impl Fs {
    /// Whether any option changes the view.
    pub fn changes_view(&self) -> bool {
        !self.ops.is_empty() || self.ro || self.root.is_some()
    }
}

/// What was typed, in order, before validation.
#[derive(Debug, Clone)]
pub enum Typed {
    Ro,
    Rw(OsString),
    Bind(OsString, bool),
    Tmpfs(OsString),
    Hide(OsString),
    Root(OsString),
    Dev,
}

/// The path without `.` components and doubled slashes: `/a/./b/` is
/// `/a/b` (a trailing `.` would name the directory under a mount).
fn normal(p: &Path) -> PathBuf {
    p.components().collect()
}

fn cstr(p: &Path) -> CString {
    CString::new(normal(p).as_os_str().as_bytes()).unwrap_or_default()
}

/// Split `SRC[:DST]`; `\:` is a literal colon and `\\` a backslash.
pub fn split_bind(arg: &OsStr) -> Result<(OsString, Option<OsString>), String> {
    let mut parts: Vec<Vec<u8>> = vec![Vec::new()];
    let mut bytes = arg.as_bytes().iter();
    while let Some(&b) = bytes.next() {
        match b {
            b'\\' => match bytes.next() {
                Some(&n) => parts.last_mut().unwrap().push(n),
                None => parts.last_mut().unwrap().push(b'\\'),
            },
            b':' => parts.push(Vec::new()),
            _ => parts.last_mut().unwrap().push(b),
        }
    }
    let os = |v: Vec<u8>| OsString::from(OsStr::from_bytes(&v));
    match parts.len() {
        1 => Ok((os(parts.remove(0)), None)),
        2 => {
            let dst = parts.pop().unwrap();
            Ok((os(parts.remove(0)), Some(os(dst))))
        }
        _ => Err("more than one ':' (write \\: for a colon in a path)".into()),
    }
}

/// Check the typed options and prebuild the child's work.
pub fn build(typed: &[(String, Typed)], pid_ns: bool) -> Result<Fs, Error> {
    if typed.is_empty() {
        // The common case: the caller's view, untouched (no getcwd).
        return Ok(Fs {
            proc_dir: Some(c"/proc".into()),
            top: c"/".into(),
            ..Fs::default()
        });
    }
    let cwd = std::env::current_dir().ok();
    let bad = |shown: &str, why: String| Error::usage(format!("{shown}: {why}"));
    // A path the user gave for something that exists in the caller's view.
    let resolve = |shown: &str, p: &OsStr| -> Result<PathBuf, Error> {
        if p.is_empty() {
            return Err(bad(shown, "empty path".into()));
        }
        let p = Path::new(p);
        if p.is_absolute() {
            Ok(p.to_path_buf())
        } else {
            match &cwd {
                Some(c) => Ok(c.join(p)),
                None => Err(bad(
                    shown,
                    "relative path, and the working directory is gone".into(),
                )),
            }
        }
    };
    let exists = |shown: &str, p: &Path| -> Result<std::fs::Metadata, Error> {
        std::fs::metadata(p).map_err(|e| {
            Error::sys(
                format!("{shown}: {}", p.display()),
                e.raw_os_error().unwrap_or(libc::EIO),
            )
        })
    };

    let mut fs = Fs::default();
    let mut root: Option<PathBuf> = None;
    for (shown, t) in typed {
        match t {
            Typed::Root(d) => {
                if root.is_some() {
                    return Err(bad(shown, "given twice".into()));
                }
                let d = resolve(shown, d)?;
                if !exists(shown, &d)?.is_dir() {
                    return Err(bad(shown, "not a directory".into()));
                }
                root = Some(d);
            }
            Typed::Ro => fs.ro = true,
            _ => {}
        }
    }
    // Inside --root, a destination is a path of the new view.
    let inside = |p: &Path| -> PathBuf {
        match &root {
            Some(r) => r.join(p.strip_prefix("/").unwrap_or(p)),
            None => p.to_path_buf(),
        }
    };
    // A destination must be absolute (it names a place in the jail's view).
    let absolute = |shown: &str, p: &OsStr| -> Result<PathBuf, Error> {
        let p = Path::new(p);
        if !p.is_absolute() {
            return Err(bad(
                shown,
                format!("destination '{}' is not an absolute path", p.display()),
            ));
        }
        Ok(p.to_path_buf())
    };
    // A path in the jail's view that must already exist.
    let existing = |shown: &str, p: &OsStr| -> Result<(PathBuf, bool), Error> {
        let p = if root.is_some() {
            inside(&absolute(shown, p)?)
        } else {
            resolve(shown, p)?
        };
        let m = exists(shown, &p)?;
        Ok((p, m.is_dir()))
    };
    let op = |kind, src: &Path, dst: &Path, shown: &str| Op {
        kind,
        src: cstr(src),
        dst: cstr(dst),
        shown: shown.to_string(),
        dev: None,
        tree: Cell::new(-1),
    };
    for (shown, t) in typed {
        match t {
            Typed::Ro | Typed::Root(_) => {}
            Typed::Rw(p) => {
                let (p, _) = existing(shown, p)?;
                fs.ops.push(op(Kind::Rw, &p, &p, shown));
            }
            Typed::Bind(arg, ro) => {
                let (src, dst) = split_bind(arg).map_err(|why| bad(shown, why))?;
                let src = resolve(shown, &src)?;
                let meta = exists(shown, &src)?;
                let dst = match dst {
                    Some(d) => absolute(shown, &d)?,
                    None => src.clone(),
                };
                let kind = Kind::Bind {
                    ro: *ro,
                    dir: meta.is_dir(),
                };
                fs.ops.push(op(kind, &src, &inside(&dst), shown));
            }
            Typed::Tmpfs(p) => {
                let p = absolute(shown, p)?;
                if is_root_dir(&p) {
                    return Err(bad(shown, "not over / (for a new root, use --root)".into()));
                }
                fs.ops.push(op(Kind::Tmpfs, &p, &inside(&p), shown));
            }
            Typed::Hide(p) => {
                let (p, dir) = existing(shown, p)?;
                if is_root_dir(&p) || root.as_deref().is_some_and(|r| same_file(r, &p)) {
                    return Err(bad(shown, "cannot hide the root directory".into()));
                }
                let kind = if dir { Kind::HideDir } else { Kind::HideFile };
                fs.ops.push(op(kind, &p, &p, shown));
            }
            Typed::Dev => {
                let dst = inside(Path::new("/dev"));
                let mut o = op(Kind::Dev, Path::new("/dev"), &dst, shown);
                let j = |name: &str| cstr(&dst.join(name));
                o.dev = Some(Box::new(DevPaths {
                    nodes: DEVICES.map(j),
                    host: DEVICES.map(|d| cstr(&Path::new("/dev").join(d))),
                    trees: Default::default(),
                    pts: j("pts"),
                    shm: j("shm"),
                    links: [
                        (c"pts/ptmx".into(), j("ptmx")),
                        (c"/proc/self/fd".into(), j("fd")),
                        (c"/proc/self/fd/0".into(), j("stdin")),
                        (c"/proc/self/fd/1".into(), j("stdout")),
                        (c"/proc/self/fd/2".into(), j("stderr")),
                    ],
                }));
                fs.ops.push(o);
            }
        }
    }
    order_rw(&mut fs.ops);
    check_destinations(&fs.ops)?;
    if let Some(r) = &root {
        let proc_dir = r.join("proc");
        if !pid_ns && proc_dir.is_dir() {
            fs.ops
                .push(op(Kind::HostProc, Path::new("/proc"), &proc_dir, "--root"));
        }
        fs.proc_self = Some(cstr(&proc_dir.join("self")));
        fs.proc_dir = Some(cstr(&proc_dir));
        fs.top = cstr(r);
        fs.root = Some(cstr(r));
    } else {
        fs.proc_dir = Some(c"/proc".into());
        fs.top = c"/".into();
    }
    if fs.changes_view() {
        fs.cwd = cwd.as_deref().map(cstr);
    }
    Ok(fs)
}

/// Whether `p` names `/` (`/`, `/tmp/..`, a symlink to it).
fn is_root_dir(p: &Path) -> bool {
    p.parent().is_none() || same_file(p, Path::new("/"))
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// `--rw PATH` changes nothing that shows, it only keeps PATH writable: it
/// must not cover what earlier options mounted beneath PATH (a `--hide`
/// under the project dir stays hidden). Each one moves back to just after
/// the last earlier option that mounts PATH itself or a parent of it.
fn order_rw(ops: &mut [Op]) {
    for i in 0..ops.len() {
        if ops[i].kind != Kind::Rw {
            continue;
        }
        let mut j = i;
        while j > 0 && !ops[i].dst_path().starts_with(ops[j - 1].dst_path()) {
            j -= 1;
        }
        ops[j..=i].rotate_right(1);
    }
}

/// Refuse, before anything starts, a destination the child would fail to
/// create: its nearest existing directory is not writable for the caller
/// (or not a directory), and no earlier option mounts something there that
/// the jail could write to. Without this, destinations made for earlier
/// options would stay behind on the host after the failure.
fn check_destinations(ops: &[Op]) -> Result<(), Error> {
    for (i, op) in ops.iter().enumerate() {
        if !matches!(op.kind, Kind::Bind { .. } | Kind::Tmpfs | Kind::Dev) {
            continue;
        }
        let dst = op.dst_path();
        if dst.exists() {
            continue;
        }
        // An earlier tmpfs or bind covers it: the jail's view decides.
        let covered = ops[..i].iter().any(|o| {
            matches!(o.kind, Kind::Tmpfs | Kind::Bind { .. } | Kind::Dev)
                && dst.starts_with(o.dst_path())
        });
        if covered {
            continue;
        }
        let Some(base) = dst.ancestors().skip(1).find(|a| a.exists()) else {
            continue;
        };
        let errno = if !base.is_dir() {
            libc::ENOTDIR
        } else {
            let c = cstr(base);
            // SAFETY: c is NUL-terminated; access only checks.
            if unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) } == 0 {
                continue;
            }
            sys::errno()
        };
        return Err(Error::sys(
            format!("{}: cannot create {}", op.shown, dst.display()),
            errno,
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------
// The child's side: async-signal-safe, no allocation.

/// Which part of the work failed, for the failure record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Part {
    /// Cloning a source's mount tree (it vanished, or cannot be bound).
    Source = 0,
    /// Creating the destination.
    Create,
    /// The mount itself.
    Mount,
    /// Making it read-only or writable.
    Attr,
}

/// A failure: the op index (or u32::MAX for the view as a whole), the part,
/// and errno.
pub struct Failed {
    pub op: u32,
    pub part: Part,
    pub errno: i32,
}

pub const WHOLE: u32 = u32::MAX;

fn fail(op: usize, part: Part, errno: i32) -> Failed {
    Failed {
        op: op as u32,
        part,
        errno,
    }
}

fn open_tree(path: &CStr) -> Result<i32, i32> {
    // SAFETY: path is NUL-terminated; open_tree returns a new fd.
    let fd = unsafe {
        sc!(
            libc::SYS_open_tree,
            libc::AT_FDCWD,
            path.as_ptr(),
            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE
        )
    };
    fd.map(|fd| fd as i32)
}

fn move_mount(tree: i32, dst: &CStr) -> Result<(), i32> {
    // SAFETY: the empty path and dst are NUL-terminated.
    let r = unsafe {
        sc!(
            libc::SYS_move_mount,
            tree,
            c"".as_ptr(),
            libc::AT_FDCWD,
            dst.as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH
        )
    };
    // The tree fd is ours and no longer needed.
    sys::close(tree);
    r.map(drop)
}

/// struct mount_attr for mount_setattr(2).
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

/// Set or clear read-only on the mount at `path` and, if `recursive`,
/// every mount below it. Other flags (nosuid, nodev, noexec, and the
/// locked ones) are left alone.
fn set_readonly(path: &CStr, ro: bool, recursive: bool) -> Result<(), i32> {
    let attr = MountAttr {
        attr_set: if ro { MOUNT_ATTR_RDONLY } else { 0 },
        attr_clr: if ro { 0 } else { MOUNT_ATTR_RDONLY },
        propagation: 0,
        userns_fd: 0,
    };
    let flags = if recursive { AT_RECURSIVE } else { 0 };
    // SAFETY: path is NUL-terminated and attr is a valid mount_attr of the
    // size we pass.
    let r = unsafe {
        sc!(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            path.as_ptr(),
            flags,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>()
        )
    };
    r.map(drop)
}

/// Writable again: the whole subtree if the kernel allows it, else the
/// mount itself (a submount that is read-only on the host stays so).
fn make_writable(path: &CStr) -> Result<(), i32> {
    match set_readonly(path, false, true) {
        Err(libc::EPERM) => set_readonly(path, false, false),
        r => r,
    }
}

fn mount(
    src: &CStr,
    dst: &CStr,
    fstype: &CStr,
    flags: libc::c_ulong,
    data: &CStr,
) -> Result<(), i32> {
    // SAFETY: all pointers are NUL-terminated strings.
    let r = unsafe {
        sc!(
            libc::SYS_mount,
            src.as_ptr(),
            dst.as_ptr(),
            fstype.as_ptr(),
            flags,
            data.as_ptr()
        )
    };
    r.map(drop)
}

/// Open the file at `path` read-only through a read-only clone of its
/// mount: a detached copy of that one mount (never its submounts), made
/// read-only, opened through /proc/self/fd and closed again, so that
/// nothing but the returned fd holds it. Reopened through
/// /proc/self/fd/N, the file stays read-only (EROFS), which a file opened
/// on the caller's own mount is not. The clone must come from our own
/// mount namespace: open_tree(2) refuses the caller's mounts (EINVAL).
pub fn open_read_only(path: &CStr) -> Result<i32, i32> {
    // SAFETY: path is NUL-terminated; open_tree returns a new fd.
    let tree = unsafe {
        sc!(
            libc::SYS_open_tree,
            libc::AT_FDCWD,
            path.as_ptr(),
            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC
        )
    }? as i32;
    let attr = MountAttr {
        attr_set: MOUNT_ATTR_RDONLY,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: the empty path is NUL-terminated and attr is a valid
    // mount_attr of the size we pass.
    let r = unsafe {
        sc!(
            libc::SYS_mount_setattr,
            tree,
            c"".as_ptr(),
            libc::AT_EMPTY_PATH,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>()
        )
    };
    let mut proc_fd = sys::Line::new();
    proc_fd.str("/proc/self/fd/").num(tree as u64).push(b"\0");
    let fd = r.and_then(|_| {
        let name = CStr::from_bytes_with_nul(proc_fd.as_bytes()).map_err(|_| libc::EINVAL)?;
        // SAFETY: name is NUL-terminated.
        unsafe {
            sc!(
                libc::SYS_openat,
                libc::AT_FDCWD,
                name.as_ptr(),
                libc::O_RDONLY | libc::O_NOCTTY | libc::O_CLOEXEC
            )
        }
    });
    sys::close(tree);
    fd.map(|fd| fd as i32)
}

/// Make `/` and every mount below it private, so nothing done in this
/// mount namespace propagates to the caller's (the first step of any view).
pub fn make_root_private() -> Result<(), i32> {
    // SAFETY: NUL-terminated literals and null pointers.
    let r = unsafe {
        sc!(
            libc::SYS_mount,
            c"none".as_ptr(),
            c"/".as_ptr(),
            0,
            libc::MS_REC | libc::MS_PRIVATE,
            0
        )
    };
    r.map(drop)
}

/// A fresh /proc for the calling process's PID namespace at `dir`.
pub fn mount_proc(dir: &CStr) -> Result<(), i32> {
    mount(
        c"proc",
        dir,
        c"proc",
        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
        c"",
    )
}

/// `mkdir -p`, without allocating: components are cut in a stack buffer.
pub fn mkdir_p(path: &CStr) -> Result<(), i32> {
    let bytes = path.to_bytes();
    let mut buf = [0u8; 4096];
    if bytes.len() >= buf.len() {
        return Err(libc::ENAMETOOLONG);
    }
    buf[..bytes.len()].copy_from_slice(bytes);
    let mut i = 1;
    while i <= bytes.len() {
        if i == bytes.len() || buf[i] == b'/' {
            let saved = buf[i];
            buf[i] = 0;
            // SAFETY: buf holds a NUL-terminated prefix of path.
            match unsafe { sc!(libc::SYS_mkdirat, libc::AT_FDCWD, buf.as_ptr(), 0o755) } {
                Ok(_) | Err(libc::EEXIST) => {}
                Err(e) => return Err(e),
            }
            buf[i] = saved;
        }
        i += 1;
    }
    Ok(())
}

/// An empty file to bind a file onto (its directory made first).
fn touch(path: &CStr) -> Result<(), i32> {
    let bytes = path.to_bytes();
    if let Some(slash) = bytes.iter().rposition(|b| *b == b'/')
        && slash > 0
    {
        let mut buf = [0u8; 4096];
        if slash >= buf.len() {
            return Err(libc::ENAMETOOLONG);
        }
        buf[..slash].copy_from_slice(&bytes[..slash]);
        // SAFETY: buf holds the NUL-terminated parent directory.
        mkdir_p(unsafe { CStr::from_ptr(buf.as_ptr().cast()) })?;
    }
    // SAFETY: path is NUL-terminated.
    let fd = unsafe {
        sc!(
            libc::SYS_openat,
            libc::AT_FDCWD,
            path.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_CLOEXEC | libc::O_NOCTTY,
            0o644
        )
    };
    match fd {
        Ok(fd) => sys::close(fd as i32),
        // Already there (maybe a read-only file, or a device): fine.
        // SAFETY: path is NUL-terminated; faccessat only checks existence.
        Err(e) => unsafe {
            sc!(
                libc::SYS_faccessat,
                libc::AT_FDCWD,
                path.as_ptr(),
                libc::F_OK
            )
        }
        .map_err(|_| e)
        .map(drop)?,
    }
    Ok(())
}

fn is_dir(path: &CStr) -> bool {
    sys::open_dir_path(path).map(sys::close).is_ok()
}

/// First pass: clone every source's mount tree while the view is still the
/// caller's.
pub fn prepare(fs: &Fs) -> Result<(), Failed> {
    for (i, op) in fs.ops.iter().enumerate() {
        match op.kind {
            Kind::Bind { .. } | Kind::Rw | Kind::HostProc => {
                op.tree
                    .set(open_tree(&op.src).map_err(|e| fail(i, Part::Source, e))?);
            }
            Kind::HideFile => {
                op.tree
                    .set(open_tree(c"/dev/null").map_err(|e| fail(i, Part::Source, e))?);
            }
            Kind::Dev => {
                let d = op.dev_paths().map_err(|e| fail(i, Part::Source, e))?;
                for (k, host) in d.host.iter().enumerate() {
                    d.trees[k].set(open_tree(host).map_err(|e| fail(i, Part::Source, e))?);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// With `--root`: make DIR a mount of its own, to build the view on.
pub fn bind_root(fs: &Fs) -> Result<(), Failed> {
    if let Some(root) = &fs.root {
        let tree = open_tree(root).map_err(|e| fail(WHOLE as usize, Part::Source, e))?;
        move_mount(tree, root).map_err(|e| fail(WHOLE as usize, Part::Mount, e))?;
    }
    Ok(())
}

/// Second pass: the operations, in command-line order.
pub fn apply(fs: &Fs) -> Result<(), Failed> {
    for (i, op) in fs.ops.iter().enumerate() {
        let f = |part| move |e| fail(i, part, e);
        match op.kind {
            Kind::Bind { dir, ro } => {
                if dir {
                    mkdir_p(&op.dst).map_err(f(Part::Create))?;
                } else {
                    touch(&op.dst).map_err(f(Part::Create))?;
                }
                move_mount(op.tree.get(), &op.dst).map_err(f(Part::Mount))?;
                if ro {
                    set_readonly(&op.dst, true, true).map_err(f(Part::Attr))?;
                }
            }
            Kind::Rw | Kind::HostProc => {
                move_mount(op.tree.get(), &op.dst).map_err(f(Part::Mount))?;
            }
            Kind::Tmpfs => {
                mkdir_p(&op.dst).map_err(f(Part::Create))?;
                mount(
                    c"tmpfs",
                    &op.dst,
                    c"tmpfs",
                    libc::MS_NOSUID | libc::MS_NODEV,
                    fs.tmpfs_opts.as_deref().unwrap_or(c"mode=0755"),
                )
                .map_err(f(Part::Mount))?;
            }
            Kind::HideDir => {
                mount(
                    c"tmpfs",
                    &op.dst,
                    c"tmpfs",
                    libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC | libc::MS_RDONLY,
                    c"mode=0755,size=4k",
                )
                .map_err(f(Part::Mount))?;
            }
            Kind::HideFile => {
                move_mount(op.tree.get(), &op.dst).map_err(f(Part::Mount))?;
                set_readonly(&op.dst, true, false).map_err(f(Part::Attr))?;
            }
            Kind::Dev => apply_dev(op).map_err(|(part, e)| fail(i, part, e))?,
        }
    }
    Ok(())
}

fn apply_dev(op: &Op) -> Result<(), (Part, i32)> {
    let e = |part| move |e| (part, e);
    let d = op.dev_paths().map_err(e(Part::Mount))?;
    mkdir_p(&op.dst).map_err(e(Part::Create))?;
    mount(
        c"tmpfs",
        &op.dst,
        c"tmpfs",
        libc::MS_NOSUID | libc::MS_NOEXEC,
        c"mode=0755,size=64k",
    )
    .map_err(e(Part::Mount))?;
    for (k, node) in d.nodes.iter().enumerate() {
        touch(node).map_err(e(Part::Create))?;
        move_mount(d.trees[k].get(), node).map_err(e(Part::Mount))?;
    }
    mkdir_p(&d.pts).map_err(e(Part::Create))?;
    mount(
        c"devpts",
        &d.pts,
        c"devpts",
        libc::MS_NOSUID | libc::MS_NOEXEC,
        c"newinstance,ptmxmode=0666,mode=0620",
    )
    .map_err(e(Part::Mount))?;
    mkdir_p(&d.shm).map_err(e(Part::Create))?;
    mount(
        c"tmpfs",
        &d.shm,
        c"tmpfs",
        libc::MS_NOSUID | libc::MS_NODEV,
        c"mode=1777",
    )
    .map_err(e(Part::Mount))?;
    for (target, link) in &d.links {
        // SAFETY: both are NUL-terminated.
        unsafe {
            sc!(
                libc::SYS_symlinkat,
                target.as_ptr(),
                libc::AT_FDCWD,
                link.as_ptr()
            )
        }
        .map_err(|e| (Part::Create, e))?;
    }
    Ok(())
}

/// `--ro`, resolved last: everything read-only in one call, then the
/// carve-outs writable again, in command-line order.
pub fn apply_readonly(fs: &Fs) -> Result<(), Failed> {
    if !fs.ro {
        return Ok(());
    }
    set_readonly(&fs.top, true, true).map_err(|e| fail(WHOLE as usize, Part::Attr, e))?;
    // /proc is the kernel's interface, not files: /proc/self and the id
    // maps a nested jail writes stay writable (when /proc is a mount).
    if let Some(proc_dir) = &fs.proc_dir {
        let _ = make_writable(proc_dir);
    }
    for (i, op) in fs.ops.iter().enumerate() {
        let r = match op.kind {
            Kind::Bind { ro: false, .. } | Kind::Rw | Kind::Tmpfs => make_writable(&op.dst),
            Kind::Bind { ro: true, .. } => set_readonly(&op.dst, true, true),
            // Read-only again if a `--rw` of a parent made them writable.
            Kind::HideDir | Kind::HideFile => set_readonly(&op.dst, true, false),
            Kind::Dev => op
                .dev_paths()
                .and_then(|d| make_writable(&d.shm).and_then(|_| make_writable(&d.pts))),
            _ => Ok(()),
        };
        r.map_err(|e| fail(i, Part::Attr, e))?;
    }
    Ok(())
}

/// `--root`: DIR becomes `/`; the old root is detached and unreachable.
pub fn pivot(fs: &Fs) -> Result<(), i32> {
    let Some(root) = &fs.root else {
        return Ok(());
    };
    // SAFETY: root is NUL-terminated; pivot_root(".", ".") stacks the old
    // root under the new one, and the lazy unmount detaches it.
    unsafe {
        sc!(libc::SYS_chdir, root.as_ptr())?;
        sc!(libc::SYS_pivot_root, c".".as_ptr(), c".".as_ptr())?;
        sc!(libc::SYS_umount2, c".".as_ptr(), libc::MNT_DETACH)?;
        sc!(libc::SYS_chdir, c"/".as_ptr())?;
    }
    Ok(())
}

/// Default working directory once the view changed: the caller's, if the
/// jail can see it, else `/`.
pub fn enter_cwd(fs: &Fs) {
    if let Some(cwd) = &fs.cwd {
        // SAFETY: both paths are NUL-terminated.
        unsafe {
            if !is_dir(cwd) || sc!(libc::SYS_chdir, cwd.as_ptr()).is_err() {
                let _ = sc!(libc::SYS_chdir, c"/".as_ptr());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Result<(String, Option<String>), String> {
        split_bind(OsStr::new(s)).map(|(a, b)| {
            (
                a.to_string_lossy().into_owned(),
                b.map(|b| b.to_string_lossy().into_owned()),
            )
        })
    }

    #[test]
    fn bind_argument_splits_on_one_colon() {
        assert_eq!(split("/a").unwrap(), ("/a".into(), None));
        assert_eq!(split("/a:/b").unwrap(), ("/a".into(), Some("/b".into())));
        assert_eq!(
            split("/a\\:b:/c").unwrap(),
            ("/a:b".into(), Some("/c".into()))
        );
        assert_eq!(split("/a\\\\b").unwrap(), ("/a\\b".into(), None));
        assert!(split("/a:/b:/c").unwrap_err().contains("\\:"));
    }
}
