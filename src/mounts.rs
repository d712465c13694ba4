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
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::sockets::What;
use crate::sys;

const OPEN_TREE_CLONE: u32 = 1;
const OPEN_TREE_CLOEXEC: u32 = libc::O_CLOEXEC as u32;
const AT_EMPTY_PATH: u32 = 0x1000;
const AT_RECURSIVE: u32 = 0x8000;
const MOVE_MOUNT_F_EMPTY_PATH: u32 = 0x4;
const MOVE_MOUNT_T_EMPTY_PATH: u32 = 0x40;
const FSOPEN_CLOEXEC: u32 = 1;
const FSCONFIG_SET_FLAG: u32 = 0;
const FSCONFIG_SET_STRING: u32 = 1;
const FSCONFIG_CMD_CREATE: u32 = 6;
const FSMOUNT_CLOEXEC: u32 = 1;
const MOUNT_ATTR_RDONLY: u64 = 0x1;
const MOUNT_ATTR_NOSUID: u64 = 0x2;
const MOUNT_ATTR_NODEV: u64 = 0x4;
const MOUNT_ATTR_NOEXEC: u64 = 0x8;

/// Devices `--dev` binds from the host: their names in the new /dev, and
/// where they are taken from.
const DEVICES: [&CStr; 6] = [c"null", c"zero", c"full", c"random", c"urandom", c"tty"];
const HOST_DEVICES: [&CStr; 6] = [
    c"/dev/null",
    c"/dev/zero",
    c"/dev/full",
    c"/dev/random",
    c"/dev/urandom",
    c"/dev/tty",
];
/// The symlinks of `--dev`: (target, name in /dev).
const DEV_LINKS: [(&CStr, &CStr); 5] = [
    (c"pts/ptmx", c"ptmx"),
    (c"/proc/self/fd", c"fd"),
    (c"/proc/self/fd/0", c"stdin"),
    (c"/proc/self/fd/1", c"stdout"),
    (c"/proc/self/fd/2", c"stderr"),
];

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
    /// Under `--ro`, a service socket of the caller or its directory
    /// (sockets.rs); skipped if it vanished since.
    Cover(What),
}

/// A descriptor the child holds from one setup step to a later one
/// (-1: none). Every one is close-on-exec.
pub struct Held(Cell<i32>);

impl Default for Held {
    fn default() -> Held {
        Held(Cell::new(-1))
    }
}

impl Held {
    fn get(&self) -> i32 {
        self.0.get()
    }

    fn set(&self, fd: i32) {
        self.close();
        self.0.set(fd);
    }

    fn close(&self) {
        let fd = self.0.replace(-1);
        if fd >= 0 {
            sys::close(fd);
        }
    }
}

/// One operation, ready for the child.
pub struct Op {
    pub kind: Kind,
    /// Where the source is read (host view); for Dev, unused.
    pub src: CString,
    /// The destination as a path of the jail's view (`/etc/x` under
    /// `--root DIR` names DIR/etc/x as if DIR were `/`).
    pub dst: CString,
    /// As the user wrote it, for messages: `--bind a:/b`.
    pub shown: String,
    /// For Dev: the detached trees of the host devices and the mounts
    /// made inside the new /dev.
    pub dev: Option<Box<DevMounts>>,
    /// The source's detached mount tree (made by the child's first pass),
    /// then the op's own mount, for the `--ro` pass.
    pub tree: Held,
}

impl Op {
    /// The mounts of a `--dev` op (built with it by the parent).
    fn dev_mounts(&self) -> Result<&DevMounts, i32> {
        self.dev.as_deref().ok_or(libc::EINVAL)
    }

    /// The destination as a path (for the parent's checks).
    fn dst_path(&self) -> &Path {
        Path::new(OsStr::from_bytes(self.dst.to_bytes()))
    }
}

#[derive(Default)]
pub struct DevMounts {
    /// The host devices' trees (DEVICES), cloned by the first pass.
    pub trees: [Held; 6],
    pub pts: Held,
    pub shm: Held,
}

/// Everything about the filesystem view.
#[derive(Default)]
pub struct Fs {
    pub ops: Vec<Op>,
    pub ro: bool,
    /// `--root DIR`, absolute.
    pub root: Option<CString>,
    /// The caller's working directory, re-entered after the view changed.
    pub cwd: Option<CString>,
    /// Mount options of a `--tmpfs` (None: `mode=0755`, owned by the
    /// mounter). Set when COMMAND runs as another id than the mounter.
    pub tmpfs_opts: Option<CString>,
    /// The child's handle on the jail's `/`: the bind of DIR with
    /// `--root`, else the caller's `/`. Every destination is resolved
    /// from it.
    pub base: Held,
    /// The fresh /proc of a PID namespace, once mounted.
    pub proc: Held,
    /// Under `--ro`: what covering the caller's sockets found, for `-v`.
    pub sockets: Option<crate::sockets::Report>,
}

impl Fs {
    /// Whether any option changes the view.
    pub fn changes_view(&self) -> bool {
        !self.ops.is_empty() || self.ro || self.root.is_some()
    }

    /// A destination as the caller sees it on the host, for messages.
    pub fn host_path(&self, dst: &CStr) -> String {
        let path = |c: &CStr| PathBuf::from(OsStr::from_bytes(c.to_bytes()));
        on_host(self.root.as_deref().map(path).as_deref(), &path(dst))
    }
}

/// Path `p` of the jail's view as the caller sees it on the host: under
/// `root` if there is one.
fn on_host(root: Option<&Path>, p: &Path) -> String {
    match root {
        Some(r) => r
            .join(p.strip_prefix("/").unwrap_or(p))
            .display()
            .to_string(),
        None => p.display().to_string(),
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
        return Ok(Fs::default());
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
    let mut root: Option<(PathBuf, &str)> = None;
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
                root = Some((d, shown));
            }
            Typed::Ro => fs.ro = true,
            _ => {}
        }
    }
    // The jail's `/` as the parent sees it, to look at destinations the
    // way the child will: symlinks followed inside the root.
    let base = match &root {
        Some((r, shown)) => open_base(r).map_err(|e| Error::sys(*shown, e))?,
        None => open_base(Path::new("/")).map_err(|e| Error::sys("open /", e))?,
    };
    let base = base.as_raw_fd();
    let top = identify(base).map_err(|e| Error::sys("look at /", e))?;
    let root = root.map(|(r, _)| r);
    // Inside --root, a destination is a path of the new view; on the
    // host, for messages, it is under DIR.
    let host = |p: &Path| on_host(root.as_deref(), p);
    // A destination must be absolute (it names a place in the jail's view).
    let absolute = |shown: &str, p: &OsStr| -> Result<PathBuf, Error> {
        let p = Path::new(p);
        if !p.is_absolute() {
            return Err(bad(
                shown,
                format!("destination '{}' is not an absolute path", p.display()),
            ));
        }
        Ok(normal(p))
    };
    // A path in the jail's view that must already exist.
    let existing = |shown: &str, p: &OsStr| -> Result<(PathBuf, Found), Error> {
        let p = if root.is_some() {
            absolute(shown, p)?
        } else {
            normal(&resolve(shown, p)?)
        };
        let found = find(base, &p).map_err(|e| Error::sys(format!("{shown}: {}", host(&p)), e))?;
        Ok((p, found))
    };
    // The jail's root directory itself (`/`, `/tmp/..`, a symlink to it).
    let is_top = |p: &Path| p.parent().is_none() || find(base, p).is_ok_and(|f| f.same(&top));
    let op = |kind, src: &Path, dst: &Path, shown: &str| Op {
        kind,
        src: cstr(src),
        dst: cstr(dst),
        shown: shown.to_string(),
        dev: None,
        tree: Held::default(),
    };
    for (shown, t) in typed {
        match t {
            Typed::Ro | Typed::Root(_) => {}
            Typed::Rw(p) => {
                let (p, found) = existing(shown, p)?;
                // `--rw /` keeps the whole view writable: no bind needed
                // (one over the root would not show).
                let p = if found.same(&top) {
                    PathBuf::from("/")
                } else {
                    p
                };
                fs.ops.push(op(Kind::Rw, &p, &p, shown));
            }
            Typed::Bind(arg, ro) => {
                let (src, dst) = split_bind(arg).map_err(|why| bad(shown, why))?;
                let src = resolve(shown, &src)?;
                let meta = exists(shown, &src)?;
                let dst = match dst {
                    Some(d) => absolute(shown, &d)?,
                    None => normal(&src),
                };
                if is_top(&dst) {
                    return Err(bad(shown, "not over / (for a new root, use --root)".into()));
                }
                let kind = Kind::Bind {
                    ro: *ro,
                    dir: meta.is_dir(),
                };
                fs.ops.push(op(kind, &src, &dst, shown));
            }
            Typed::Tmpfs(p) => {
                let p = absolute(shown, p)?;
                if is_top(&p) {
                    return Err(bad(shown, "not over / (for a new root, use --root)".into()));
                }
                fs.ops.push(op(Kind::Tmpfs, &p, &p, shown));
            }
            Typed::Hide(p) => {
                let (p, found) = existing(shown, p)?;
                if p.parent().is_none() || (found.dev, found.ino) == (top.dev, top.ino) {
                    return Err(bad(shown, "cannot hide the root directory".into()));
                }
                let kind = if found.dir {
                    Kind::HideDir
                } else {
                    Kind::HideFile
                };
                fs.ops.push(op(kind, &p, &p, shown));
            }
            Typed::Dev => {
                let dev = Path::new("/dev");
                let mut o = op(Kind::Dev, dev, dev, shown);
                o.dev = Some(Box::default());
                fs.ops.push(o);
            }
        }
    }
    if fs.ro {
        // The caller's service sockets, covered first: the user's own
        // options apply over the covers.
        let (covers, report) = crate::sockets::covers(&fs.ops, root.as_deref())?;
        let covers = covers
            .iter()
            .map(|(p, what)| op(Kind::Cover(*what), p, p, "--ro"));
        fs.ops.splice(0..0, covers);
        fs.sockets = Some(report);
    }
    order_rw(&mut fs.ops);
    if let Some(r) = &root {
        // The host's /proc goes first, as a fresh one does, so that later
        // options can cover parts of it.
        let proc = Path::new("/proc");
        if !pid_ns && find(base, proc).is_ok_and(|f| f.dir) {
            fs.ops.insert(0, op(Kind::HostProc, proc, proc, "--root"));
        }
        fs.root = Some(cstr(r));
    }
    check_destinations(&fs.ops, base, root.as_deref())?;
    if fs.ro {
        check_covered(&fs.ops, root.as_deref())?;
    }
    if fs.changes_view() {
        fs.cwd = cwd.as_deref().map(cstr);
    }
    Ok(fs)
}

/// An O_PATH handle on directory `dir`.
fn open_base(dir: &Path) -> Result<OwnedFd, i32> {
    let fd = sys::open_dir_path(&cstr(dir))?;
    // SAFETY: a fresh descriptor nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// What a path leads to, for the parent's checks.
struct Found {
    dir: bool,
    dev: u64,
    ino: u64,
    /// The mount it is on (0 if the kernel does not say).
    mnt: u64,
}

impl Found {
    /// The same place: the same file on the same mount.
    fn same(&self, o: &Found) -> bool {
        (self.dev, self.ino, self.mnt) == (o.dev, o.ino, o.mnt)
    }
}

/// What `p`, a path of the jail's view, leads to from `base` (as the child
/// will resolve it: symlinks followed, inside the root).
fn find(base: i32, p: &Path) -> Result<Found, i32> {
    let fd = lookup(base, &cstr(p), false)?;
    let r = identify(fd);
    sys::close(fd);
    r
}

fn identify(fd: i32) -> Result<Found, i32> {
    // SAFETY: statx is plain data; all zeros is a valid value.
    let mut st: libc::statx = unsafe { std::mem::zeroed() };
    // SAFETY: fd is open, the empty path with AT_EMPTY_PATH names it, and
    // st is a writable statx.
    let r = unsafe {
        libc::statx(
            fd,
            c"".as_ptr(),
            libc::AT_EMPTY_PATH,
            libc::STATX_TYPE | libc::STATX_INO | libc::STATX_MNT_ID,
            &mut st,
        )
    };
    if r != 0 {
        return Err(sys::errno());
    }
    Ok(Found {
        dir: u32::from(st.stx_mode) & libc::S_IFMT == libc::S_IFDIR,
        dev: libc::makedev(st.stx_dev_major, st.stx_dev_minor),
        ino: st.stx_ino,
        mnt: if st.stx_mask & libc::STATX_MNT_ID != 0 {
            st.stx_mnt_id
        } else {
            0
        },
    })
}

/// `--rw PATH` changes nothing that shows, it only keeps PATH writable: an
/// option that mounts PATH itself or something beneath it (a `--hide`, a
/// `--tmpfs`, a `--bind`) wins, wherever it is on the command line. So each
/// `--rw` moves back to just after the last earlier option that mounts a
/// parent of PATH (what PATH shows then), before every other, and the
/// `--ro` pass, in this order, leaves those read-only that should be.
fn order_rw(ops: &mut [Op]) {
    for i in 0..ops.len() {
        if ops[i].kind != Kind::Rw {
            continue;
        }
        let mut j = i;
        while j > 0 && !is_under(ops[i].dst_path(), ops[j - 1].dst_path()) {
            j -= 1;
        }
        ops[j..=i].rotate_right(1);
    }
}

/// Whether `p` is strictly beneath `dir`.
fn is_under(p: &Path, dir: &Path) -> bool {
    p != dir && p.starts_with(dir)
}

/// Refuse, before anything starts, a destination the child would fail to
/// create: it would go through a symlink (the child never creates one
/// through a symlink), or its nearest existing directory is not writable
/// for the caller (or not a directory), and no earlier option mounts
/// something there that the jail could write to. Without this, destinations
/// made for earlier options would stay behind on the host after the
/// failure.
fn check_destinations(ops: &[Op], base: i32, root: Option<&Path>) -> Result<(), Error> {
    let host = |p: &Path| on_host(root, p);
    for (i, op) in ops.iter().enumerate() {
        if !matches!(op.kind, Kind::Bind { .. } | Kind::Tmpfs | Kind::Dev) {
            continue;
        }
        let dst = op.dst_path();
        // An earlier tmpfs or bind covers it: the jail's view decides.
        let covered = ops[..i].iter().any(|o| {
            matches!(
                o.kind,
                Kind::Tmpfs | Kind::Bind { .. } | Kind::Dev | Kind::HostProc
            ) && dst.starts_with(o.dst_path())
        });
        if covered {
            continue;
        }
        match probe_dst(base, &op.dst) {
            Ok(()) => {}
            Err((libc::ELOOP, at)) => {
                let link = Path::new(OsStr::from_bytes(&op.dst.to_bytes()[..at]));
                return Err(Error::usage(format!(
                    "{}: cannot create {}: the destination goes through a symlink ({})",
                    op.shown,
                    host(dst),
                    host(link)
                )));
            }
            Err((e, _)) => {
                return Err(Error::sys(
                    format!("{}: cannot create {}", op.shown, host(dst)),
                    e,
                ));
            }
        }
    }
    Ok(())
}

/// Under `--ro`, refuse an option whose mount a later option covers (a
/// `--tmpfs`, `--hide`, `--bind` or `--dev` of a parent directory): the
/// read-only pass could not reach it, and it would not show.
fn check_covered(ops: &[Op], root: Option<&Path>) -> Result<(), Error> {
    let host = |p: &Path| on_host(root, p);
    for (i, op) in ops.iter().enumerate() {
        // The user's options apply over the socket covers on purpose.
        if matches!(op.kind, Kind::Cover(_)) {
            continue;
        }
        let dst = op.dst_path();
        let later = ops[i + 1..].iter().find(|o| {
            matches!(
                o.kind,
                Kind::Tmpfs | Kind::HideDir | Kind::Bind { dir: true, .. } | Kind::Dev
            ) && is_under(dst, o.dst_path())
        });
        if let Some(o) = later {
            return Err(Error::usage(format!(
                "{}: the later {} covers {}",
                op.shown,
                o.shown,
                host(dst)
            ))
            .with_hint(Some(format!("give {} after {}", op.shown, o.shown))));
        }
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

/// What a missing destination becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Make {
    /// Nothing: it must exist.
    Nothing,
    Dir,
    File,
}

/// Resolve `path` from `base` as the jail sees it: `base` is its `/`, so an
/// absolute symlink or `..` stays beneath it, and magic links
/// (/proc/PID/fd/N) are refused. With `no_symlinks`, every symlink is
/// (ELOOP). Returns an O_PATH descriptor.
fn lookup(base: i32, path: &CStr, no_symlinks: bool) -> Result<i32, i32> {
    let mut resolve = sys::RESOLVE_IN_ROOT | sys::RESOLVE_NO_MAGICLINKS;
    if no_symlinks {
        resolve |= sys::RESOLVE_NO_SYMLINKS;
    }
    let mut tries = 0;
    loop {
        match sys::openat2(base, path, libc::O_PATH, resolve) {
            // A rename or a mount raced a `..`: the kernel asks to retry.
            Err(libc::EAGAIN) if tries < 16 => tries += 1,
            r => return r,
        }
    }
}

/// The destination `path` (of the jail's view, from `base`) as an O_PATH
/// descriptor. One that exists is followed like any path of the view,
/// symlinks included (as bwrap does: a mount onto a symlink lands on its
/// target, inside the root). A missing one becomes `make`, created one
/// component at a time, each checked to be no symlink: nothing is ever
/// created through a symlink (ELOOP) or outside `base`.
fn open_dst(base: i32, path: &CStr, make: Make) -> Result<i32, i32> {
    match lookup(base, path, false) {
        Err(libc::ENOENT | libc::ELOOP) if make != Make::Nothing => {
            walk(base, path, make, false).map_err(|(e, _)| e)
        }
        r => r,
    }
}

/// The parent's look at a destination the child may create (see
/// `open_dst`): Ok if it exists or the caller could create it, else errno
/// and the length of the path's prefix that fails (with ELOOP: the
/// symlink).
fn probe_dst(base: i32, path: &CStr) -> Result<(), (i32, usize)> {
    match lookup(base, path, false) {
        Ok(fd) => {
            sys::close(fd);
            Ok(())
        }
        Err(libc::ENOENT | libc::ELOOP) => walk(base, path, Make::Dir, true).map(|fd| {
            if fd >= 0 {
                sys::close(fd);
            }
        }),
        Err(e) => Err((e, path.to_bytes().len())),
    }
}

/// Walk `path` from `base` one component at a time, with no symlink
/// allowed anywhere, creating what is missing: directories, and with
/// `Make::File` a file last. `dry`: create nothing, stop at the first
/// missing component, and check that the caller could create it there
/// (-1 then). Returns the descriptor of the whole path, or errno and the
/// length of the prefix that failed.
fn walk(base: i32, path: &CStr, make: Make, dry: bool) -> Result<i32, (i32, usize)> {
    let bytes = path.to_bytes();
    let n = bytes.len();
    let mut buf = [0u8; 4096];
    if n >= buf.len() {
        return Err((libc::ENAMETOOLONG, n));
    }
    buf[..n].copy_from_slice(bytes);
    // The prefix reached so far (-1: none yet, i.e. `base`).
    let mut at: i32 = -1;
    let mut start = 0;
    let r = loop {
        while start < n && buf[start] == b'/' {
            start += 1;
        }
        if start == n {
            break if at >= 0 || dry {
                Ok(at)
            } else {
                lookup(base, c"/", true).map_err(|e| (e, 0))
            };
        }
        let mut end = start;
        while end < n && buf[end] != b'/' {
            end += 1;
        }
        let file = make == Make::File && buf[end..n].iter().all(|b| *b == b'/');
        let saved = buf[end];
        buf[end] = 0;
        let r = step(base, &buf, start, end, at, file, dry);
        buf[end] = saved;
        match r {
            Ok(fd) => {
                if at >= 0 {
                    sys::close(at);
                }
                at = fd;
                if fd < 0 {
                    break Ok(-1);
                }
            }
            Err(e) => break Err((e, end)),
        }
        start = end;
    };
    if r.is_err() && at >= 0 {
        sys::close(at);
    }
    r
}

/// One component of `walk`: reach the prefix `buf[..end]` (NUL at `end`),
/// whose last component is `buf[start..end]`, from `base` with no symlink;
/// if it is missing, make it in `parent` (the prefix before; -1: `base`),
/// a file if `file`, else a directory. `dry`: make nothing, -1 if it could
/// be made.
fn step(
    base: i32,
    buf: &[u8],
    start: usize,
    end: usize,
    parent: i32,
    file: bool,
    dry: bool,
) -> Result<i32, i32> {
    let prefix = CStr::from_bytes_until_nul(&buf[..=end]).map_err(|_| libc::EINVAL)?;
    match lookup(base, prefix, true) {
        Err(libc::ENOENT) => {}
        r => return r,
    }
    let dir = if parent >= 0 { parent } else { base };
    if dry {
        return can_create_in(dir).map(|_| -1);
    }
    let name = CStr::from_bytes_until_nul(&buf[start..=end]).map_err(|_| libc::EINVAL)?;
    let made = if file {
        create_file(dir, name)
    } else {
        // SAFETY: name is NUL-terminated; dir is an open descriptor.
        unsafe { sc!(libc::SYS_mkdirat, dir, name.as_ptr(), 0o755) }.map(drop)
    };
    match made {
        // EEXIST: made meanwhile; the lookup below checks what it is.
        Ok(()) | Err(libc::EEXIST) => {}
        Err(e) => return Err(e),
    }
    lookup(base, prefix, true)
}

/// An empty file `name` in directory `dir`, never through a symlink.
fn create_file(dir: i32, name: &CStr) -> Result<(), i32> {
    // SAFETY: name is NUL-terminated; dir is an open descriptor.
    let fd = unsafe {
        sc!(
            libc::SYS_openat,
            dir,
            name.as_ptr(),
            libc::O_RDONLY
                | libc::O_CREAT
                | libc::O_EXCL
                | libc::O_NOFOLLOW
                | libc::O_CLOEXEC
                | libc::O_NOCTTY,
            0o644
        )
    }?;
    sys::close(fd as i32);
    Ok(())
}

/// Whether the caller may create an entry in directory `dir`.
fn can_create_in(dir: i32) -> Result<(), i32> {
    // SAFETY: the empty path with AT_EMPTY_PATH names dir itself.
    let r = unsafe {
        sc!(
            libc::SYS_faccessat2,
            dir,
            c"".as_ptr(),
            libc::W_OK | libc::X_OK,
            AT_EMPTY_PATH
        )
    };
    match r {
        // Before Linux 5.8 the child finds out.
        Ok(_) | Err(libc::ENOSYS) => Ok(()),
        Err(e) => Err(e),
    }
}

/// A detached copy of the mount tree at `path` from `dir` (with
/// `AT_EMPTY_PATH` and an empty path: at `dir` itself).
fn open_tree(dir: i32, path: &CStr, flags: u32) -> Result<i32, i32> {
    // SAFETY: path is NUL-terminated; open_tree returns a new fd.
    let fd = unsafe {
        sc!(
            libc::SYS_open_tree,
            dir,
            path.as_ptr(),
            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | flags
        )
    };
    fd.map(|fd| fd as i32)
}

/// Attach the detached mount `tree` onto `dst` (both descriptors; the
/// mount goes on top of whatever is mounted there). `tree` then names the
/// attached mount.
fn attach(tree: i32, dst: i32) -> Result<(), i32> {
    // SAFETY: the empty paths are NUL-terminated; both fds are open.
    let r = unsafe {
        sc!(
            libc::SYS_move_mount,
            tree,
            c"".as_ptr(),
            dst,
            c"".as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH
        )
    };
    r.map(drop)
}

/// Attach mount `mnt` at `path` from `base`, the destination reached or
/// made as `open_dst` does. Which part failed: making it, or the mount.
fn attach_at(base: i32, path: &CStr, make: Make, mnt: i32) -> Result<(), (Part, i32)> {
    let part = if make == Make::Nothing {
        Part::Mount
    } else {
        Part::Create
    };
    let dst = open_dst(base, path, make).map_err(|e| (part, e))?;
    let r = attach(mnt, dst);
    sys::close(dst);
    r.map_err(|e| (Part::Mount, e))
}

/// A new detached mount of a `fstype` filesystem, with options as mount(8)
/// writes them (`mode=0755,size=4k,ro`; a later one wins) and the
/// MOUNT_ATTR_* `attrs`.
fn new_mount(fstype: &CStr, opts: &[&CStr], attrs: u64) -> Result<i32, i32> {
    // SAFETY: fstype is NUL-terminated.
    let fsfd = unsafe { sc!(libc::SYS_fsopen, fstype.as_ptr(), FSOPEN_CLOEXEC) }? as i32;
    let r = opts
        .iter()
        .try_for_each(|o| configure(fsfd, o))
        // SAFETY: the create command takes no pointers.
        .and_then(|_| unsafe { sc!(libc::SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, 0, 0, 0) })
        // SAFETY: fsmount takes no pointers.
        .and_then(|_| unsafe { sc!(libc::SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, attrs) })
        .map(|fd| fd as i32);
    sys::close(fsfd);
    r
}

/// Pass `opts` (`key=value` or `flag`, comma-separated) to fsconfig(2),
/// each cut into a stack buffer.
fn configure(fsfd: i32, opts: &CStr) -> Result<(), i32> {
    let mut buf = [0u8; 256];
    for item in opts.to_bytes().split(|b| *b == b',') {
        if item.is_empty() {
            continue;
        }
        if item.len() >= buf.len() {
            return Err(libc::EINVAL);
        }
        buf[..item.len()].copy_from_slice(item);
        buf[item.len()] = 0;
        let r = match item.iter().position(|b| *b == b'=') {
            Some(eq) => {
                buf[eq] = 0;
                // SAFETY: key and value are NUL-terminated parts of buf.
                unsafe {
                    sc!(
                        libc::SYS_fsconfig,
                        fsfd,
                        FSCONFIG_SET_STRING,
                        buf.as_ptr(),
                        buf[eq + 1..].as_ptr(),
                        0
                    )
                }
            }
            // SAFETY: the key is NUL-terminated; a flag has no value.
            None => unsafe {
                sc!(
                    libc::SYS_fsconfig,
                    fsfd,
                    FSCONFIG_SET_FLAG,
                    buf.as_ptr(),
                    0,
                    0
                )
            },
        };
        r?;
    }
    Ok(())
}

/// struct mount_attr for mount_setattr(2).
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

/// Set or clear read-only on mount `mnt` (a descriptor of it) and, if
/// `recursive`, every mount below it. Other flags (nosuid, nodev, noexec,
/// and the locked ones) are left alone.
fn set_readonly(mnt: i32, ro: bool, recursive: bool) -> Result<(), i32> {
    let attr = MountAttr {
        attr_set: if ro { MOUNT_ATTR_RDONLY } else { 0 },
        attr_clr: if ro { 0 } else { MOUNT_ATTR_RDONLY },
        propagation: 0,
        userns_fd: 0,
    };
    let mut flags = AT_EMPTY_PATH;
    if recursive {
        flags |= AT_RECURSIVE;
    }
    // SAFETY: the empty path names mnt; attr is a valid mount_attr of the
    // size we pass.
    let r = unsafe {
        sc!(
            libc::SYS_mount_setattr,
            mnt,
            c"".as_ptr(),
            flags,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>()
        )
    };
    r.map(drop)
}

/// Writable again: the whole subtree if the kernel allows it, else the
/// mount itself (a submount that is read-only on the host stays so).
fn make_writable(mnt: i32) -> Result<(), i32> {
    match set_readonly(mnt, false, true) {
        Err(libc::EPERM) => set_readonly(mnt, false, false),
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

/// A fresh /proc for the calling process's PID namespace at /proc of the
/// jail's view (made inside `--root` if missing), once `bind_root` ran;
/// before, at the caller's /proc.
pub fn mount_view_proc(fs: &Fs) -> Result<(), i32> {
    let base = fs.base.get();
    if base < 0 {
        return mount_proc(c"/proc");
    }
    let make = if fs.root.is_some() {
        Make::Dir
    } else {
        Make::Nothing
    };
    let mnt = new_mount(
        c"proc",
        &[],
        MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
    )?;
    fs.proc.set(mnt);
    attach_at(base, c"/proc", make, mnt).map_err(|(_, e)| e)
}

/// Our /proc/self directory in the jail's view: inside it once
/// `bind_root` ran (before pivot_root), else in the caller's.
pub fn open_proc_self(fs: &Fs) -> Result<i32, i32> {
    match fs.base.get() {
        -1 => sys::open_dir_path(c"/proc/self"),
        base => lookup(base, c"/proc/self", false),
    }
}

fn is_dir(path: &CStr) -> bool {
    sys::open_dir_path(path).map(sys::close).is_ok()
}

/// Set `fs.base`, the jail's `/` every later step resolves from: with
/// `--root`, DIR made a mount of its own to build the view on (its handle
/// from here on, not DIR's path, which a process outside could change);
/// else the caller's `/`.
pub fn bind_root(fs: &Fs) -> Result<(), Failed> {
    let whole = |part| move |e| fail(WHOLE as usize, part, e);
    let Some(root) = &fs.root else {
        fs.base
            .set(sys::open_dir_path(c"/").map_err(whole(Part::Source))?);
        return Ok(());
    };
    let dir = sys::open_dir_path(root).map_err(whole(Part::Source))?;
    let tree = open_tree(dir, c"", AT_EMPTY_PATH);
    let r = match tree {
        Ok(tree) => {
            fs.base.set(tree);
            attach(tree, dir).map_err(whole(Part::Mount))
        }
        Err(e) => Err(fail(WHOLE as usize, Part::Source, e)),
    };
    sys::close(dir);
    r
}

/// First pass: clone every source's mount tree while the view is still the
/// caller's.
pub fn prepare(fs: &Fs) -> Result<(), Failed> {
    for (i, op) in fs.ops.iter().enumerate() {
        let f = |e| fail(i, Part::Source, e);
        match op.kind {
            Kind::Bind { .. } | Kind::HostProc => {
                op.tree
                    .set(open_tree(libc::AT_FDCWD, &op.src, 0).map_err(f)?);
            }
            Kind::HideFile | Kind::Cover(What::File) => {
                op.tree
                    .set(open_tree(libc::AT_FDCWD, c"/dev/null", 0).map_err(f)?);
            }
            Kind::Dev => {
                let d = op.dev_mounts().map_err(f)?;
                for (tree, host) in d.trees.iter().zip(HOST_DEVICES) {
                    tree.set(open_tree(libc::AT_FDCWD, host, 0).map_err(f)?);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Second pass: the operations, in command-line order (`--rw` moved as
/// `order_rw` says), each destination resolved from `fs.base`.
pub fn apply(fs: &Fs) -> Result<(), Failed> {
    let base = fs.base.get();
    for (i, op) in fs.ops.iter().enumerate() {
        let f = |(part, e)| fail(i, part, e);
        match op.kind {
            Kind::Bind { dir, ro } => {
                let make = if dir { Make::Dir } else { Make::File };
                attach_at(base, &op.dst, make, op.tree.get()).map_err(f)?;
                if ro {
                    set_readonly(op.tree.get(), true, true).map_err(|e| f((Part::Attr, e)))?;
                }
            }
            Kind::Rw => {
                let dst =
                    open_dst(base, &op.dst, Make::Nothing).map_err(|e| f((Part::Mount, e)))?;
                if op.dst.to_bytes() == b"/" {
                    // The whole view: the --ro pass makes `base` writable.
                    op.tree.set(dst);
                    continue;
                }
                // PATH as the view shows it now, bound onto itself.
                let r = open_tree(dst, c"", AT_EMPTY_PATH).and_then(|tree| {
                    op.tree.set(tree);
                    attach(tree, dst)
                });
                sys::close(dst);
                r.map_err(|e| f((Part::Mount, e)))?;
            }
            Kind::HostProc => attach_at(base, &op.dst, Make::Nothing, op.tree.get()).map_err(f)?,
            Kind::HideFile => {
                attach_at(base, &op.dst, Make::Nothing, op.tree.get()).map_err(f)?;
                set_readonly(op.tree.get(), true, false).map_err(|e| f((Part::Attr, e)))?;
            }
            Kind::Tmpfs => {
                let opts = fs.tmpfs_opts.as_deref().unwrap_or(c"mode=0755");
                let mnt = new_mount(c"tmpfs", &[opts], MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)
                    .map_err(|e| f((Part::Mount, e)))?;
                op.tree.set(mnt);
                attach_at(base, &op.dst, Make::Dir, mnt).map_err(f)?;
            }
            Kind::HideDir => {
                let mnt = new_mount(
                    c"tmpfs",
                    &[c"mode=0755,size=4k,ro"],
                    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_RDONLY,
                )
                .map_err(|e| f((Part::Mount, e)))?;
                op.tree.set(mnt);
                attach_at(base, &op.dst, Make::Nothing, mnt).map_err(f)?;
            }
            Kind::Dev => apply_dev(base, op).map_err(f)?,
            Kind::Cover(what) => match apply_cover(fs, base, op, what) {
                Ok(()) => {}
                // Gone since the parent looked: nothing to cover.
                Err((_, libc::ENOENT)) => op.tree.close(),
                Err(e) => return Err(f(e)),
            },
        }
    }
    Ok(())
}

/// A cover of sockets.rs: like `--hide`, or for the runtime directory a
/// private tmpfs with mode 0700.
fn apply_cover(fs: &Fs, base: i32, op: &Op, what: What) -> Result<(), (Part, i32)> {
    let mount = |e| (Part::Mount, e);
    let mnt = match what {
        // /dev/null, cloned by the first pass.
        What::File => op.tree.get(),
        What::Dir => new_mount(
            c"tmpfs",
            &[c"mode=0755,size=4k,ro"],
            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_RDONLY,
        )
        .map_err(mount)?,
        What::Runtime => {
            let opts = fs.tmpfs_opts.as_deref().unwrap_or(c"");
            new_mount(
                c"tmpfs",
                &[opts, c"mode=0700"],
                MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
            )
            .map_err(mount)?
        }
    };
    if what != What::File {
        op.tree.set(mnt);
    }
    attach_at(base, &op.dst, Make::Nothing, mnt)?;
    if what == What::File {
        set_readonly(mnt, true, false).map_err(|e| (Part::Attr, e))?;
    }
    Ok(())
}

/// `--dev`: a tmpfs at /dev; everything inside it is made through its own
/// descriptor, so no path is walked twice.
fn apply_dev(base: i32, op: &Op) -> Result<(), (Part, i32)> {
    let e = |part| move |e| (part, e);
    let d = op.dev_mounts().map_err(e(Part::Mount))?;
    let dev = new_mount(
        c"tmpfs",
        &[c"mode=0755,size=64k"],
        MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
    )
    .map_err(e(Part::Mount))?;
    op.tree.set(dev);
    attach_at(base, &op.dst, Make::Dir, dev)?;
    for (tree, name) in d.trees.iter().zip(DEVICES) {
        attach_at(dev, name, Make::File, tree.get())?;
    }
    let pts = new_mount(
        c"devpts",
        &[c"newinstance,ptmxmode=0666,mode=0620"],
        MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
    )
    .map_err(e(Part::Mount))?;
    d.pts.set(pts);
    attach_at(dev, c"pts", Make::Dir, pts)?;
    let shm = new_mount(
        c"tmpfs",
        &[c"mode=1777"],
        MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
    )
    .map_err(e(Part::Mount))?;
    d.shm.set(shm);
    attach_at(dev, c"shm", Make::Dir, shm)?;
    for (target, link) in DEV_LINKS {
        // SAFETY: both are NUL-terminated; dev is an open descriptor.
        unsafe { sc!(libc::SYS_symlinkat, target.as_ptr(), dev, link.as_ptr()) }
            .map_err(e(Part::Create))?;
    }
    Ok(())
}

/// `--ro`, resolved last: everything read-only in one call, then the
/// carve-outs writable again, in command-line order. Each op's own mount
/// is named by its descriptor, never by a path that could have changed.
pub fn apply_readonly(fs: &Fs) -> Result<(), Failed> {
    if !fs.ro {
        return Ok(());
    }
    let base = fs.base.get();
    set_readonly(base, true, true).map_err(|e| fail(WHOLE as usize, Part::Attr, e))?;
    // /proc is the kernel's interface, not files: /proc/self and the id
    // maps a nested jail writes stay writable (when /proc is a mount).
    if fs.proc.get() >= 0 {
        let _ = make_writable(fs.proc.get());
    } else if let Ok(proc) = open_dst(base, c"/proc", Make::Nothing) {
        let _ = make_writable(proc);
        sys::close(proc);
    }
    for (i, op) in fs.ops.iter().enumerate() {
        let mnt = op.tree.get();
        let r = match op.kind {
            Kind::Bind { ro: false, .. } | Kind::Rw | Kind::Tmpfs => make_writable(mnt),
            Kind::Bind { ro: true, .. } => set_readonly(mnt, true, true),
            // Read-only again if a `--rw` of a parent made them writable.
            Kind::HideDir | Kind::HideFile => set_readonly(mnt, true, false),
            Kind::Dev => op
                .dev_mounts()
                .and_then(|d| make_writable(d.shm.get()).and_then(|_| make_writable(d.pts.get()))),
            // A cover skipped because its path vanished is not there.
            Kind::Cover(_) if mnt < 0 => Ok(()),
            Kind::Cover(What::Runtime) => make_writable(mnt),
            Kind::Cover(_) => set_readonly(mnt, true, false),
            Kind::HostProc => Ok(()),
        };
        r.map_err(|e| fail(i, Part::Attr, e))?;
    }
    Ok(())
}

/// `--root`: DIR (its bind, `fs.base`) becomes `/`; the old root is
/// detached and unreachable.
pub fn pivot(fs: &Fs) -> Result<(), i32> {
    if fs.root.is_none() {
        return Ok(());
    }
    // SAFETY: fchdir takes a descriptor; pivot_root(".", ".") stacks the
    // old root under the new one, and the lazy unmount detaches it.
    unsafe {
        sc!(libc::SYS_fchdir, fs.base.get())?;
        sc!(libc::SYS_pivot_root, c".".as_ptr(), c".".as_ptr())?;
        sc!(libc::SYS_umount2, c".".as_ptr(), libc::MNT_DETACH)?;
        sc!(libc::SYS_chdir, c"/".as_ptr())?;
    }
    Ok(())
}

/// Close the descriptors the view was built with.
pub fn release(fs: &Fs) {
    fs.base.close();
    fs.proc.close();
    for op in &fs.ops {
        op.tree.close();
        if let Some(d) = &op.dev {
            for t in &d.trees {
                t.close();
            }
            d.pts.close();
            d.shm.close();
        }
    }
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
