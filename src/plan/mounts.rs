//! The filesystem view: `--ro`, `--rw`, `--bind`, `--ro-bind`, `--tmpfs`,
//! `--hide`, `--overlay`, `--root`, `--dev`.
//!
//! The plan's side: `build` checks every path (looking at destinations the
//! way the child will, see `sys::path`) and prebuilds every C string; the
//! child applies the operations (`child::mounts`).

#![forbid(unsafe_code)]

use std::cell::Cell;
use std::ffi::{CStr, CString, OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{AtFlags, FileType, Mode, OFlags, StatxFlags};
use rustix::io::Errno;

use crate::error::Error;
use crate::plan::sockets::What;
use crate::sys;
use crate::sys::Fd;
use crate::sys::path::{lookup, probe_dst};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
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
    /// With an IPC namespace (`--ipc`, implied by `--ro`): a private,
    /// writable tmpfs at /dev/shm, so that POSIX shared memory and named
    /// semaphores are the jail's own and vanish with it.
    Shm,
    /// `--overlay PATH[:DIR]`: overlayfs over PATH (`dst`) with PATH as
    /// it shows then as the lower layer; the writes go to a tmpfs of the
    /// jail's, or with `kept` to DIR/upper (`src`, the caller's view).
    Overlay { kept: bool },
    /// `--dir`: a directory with mode `mode` (kept as it is if it exists).
    Dir { mode: u32 },
    /// `--symlink`: a symlink to `src` (nothing if the same one exists).
    Symlink,
    /// `--file`, `--ro-file`: a file with mode `mode` holding
    /// `Op::content`; read-only (a bind of itself) if `ro`.
    File { ro: bool, mode: u32 },
}

impl OpKind {
    /// `--dir`, `--symlink`, `--file`, `--ro-file`: an entry made in a
    /// jail's own tmpfs, not a mount (`--ro-file` binds it onto itself).
    pub fn makes_entry(self) -> bool {
        matches!(
            self,
            OpKind::Dir { .. } | OpKind::Symlink | OpKind::File { .. }
        )
    }
}

/// Where POSIX shared memory and named semaphores live (glibc's shm_open
/// and sem_open).
const SHM: &str = "/dev/shm";

/// A descriptor the child holds from one setup step to a later one
/// (-1: none). Every one is close-on-exec.
///
/// A raw number, not an owning type: the cell is in the parent's memory
/// (the `Spec`, which the child shares or copies), but the descriptor is
/// in the child's own fd table. The parent never closes it (no `Drop`):
/// in the parent's table that number may be another file.
pub struct Held(Cell<i32>);

impl Default for Held {
    fn default() -> Held {
        Held(Cell::new(-1))
    }
}

impl Held {
    pub fn get(&self) -> i32 {
        self.0.get()
    }

    /// The descriptor, lent out while `self` holds it; EBADF if none.
    pub fn fd(&self) -> Result<BorrowedFd<'_>, Errno> {
        match self.get() {
            -1 => Err(Errno::BADF),
            fd => Ok(sys::borrow(fd)),
        }
    }

    /// Hold `fd` from now on (closing what was held before).
    pub fn set(&self, fd: Fd) {
        self.close();
        self.0.set(fd.into_raw());
    }

    pub fn close(&self) {
        let fd = self.0.replace(-1);
        if fd >= 0 {
            sys::close(fd);
        }
    }
}

/// One operation, ready for the child.
pub struct Op {
    pub kind: OpKind,
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
    /// For a `--tmpfs` with `--perms` or `--size`: its own mount options
    /// (`mode=01777,size=1048576`), applied after `Fs::tmpfs_opts`.
    pub opts: Option<CString>,
    /// For `--file` and `--ro-file`: the content, read by the parent.
    pub content: Vec<u8>,
    /// For a kept overlay: DIR's `upper` and `work`, opened by the first
    /// pass.
    pub layer: Option<Box<Layer>>,
}

impl Op {
    /// The mounts of a `--dev` op (built with it by the parent).
    pub fn dev_mounts(&self) -> Result<&DevMounts, Errno> {
        self.dev.as_deref().ok_or(Errno::INVAL)
    }

    /// The destination as a path (for the parent's checks).
    pub fn dst_path(&self) -> &Path {
        Path::new(OsStr::from_bytes(self.dst.to_bytes()))
    }
}

#[derive(Default)]
pub struct DevMounts {
    /// The host devices' trees (DEVICES), cloned by the first pass.
    pub trees: [Held; 6],
    pub pts: Held,
    pub shm: Held,
    /// The caller's terminal that COMMAND gets as fd 0, 1 or 2 (its path
    /// on the host), shown as /dev/console, so that `tty` names it.
    pub console: Option<CString>,
    /// Its tree, cloned by the first pass (when it still could be).
    pub console_tree: Held,
}

/// The directories of a kept `--overlay PATH:DIR`: DIR/upper gets the
/// writes, DIR/work is overlayfs's scratch space (same filesystem).
#[derive(Default)]
pub struct Layer {
    pub upper: Held,
    pub work: Held,
}

/// The names of a kept layer's directories inside DIR.
pub const UPPER: &CStr = c"upper";
pub const WORK: &CStr = c"work";

/// Everything about the filesystem view.
#[derive(Default)]
pub struct Fs {
    pub ops: Vec<Op>,
    pub ro: bool,
    /// `--root DIR`, absolute.
    pub root: Option<CString>,
    /// `--empty-root`: a fresh tmpfs becomes `/` (as `root` would).
    pub empty_root: bool,
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
    pub sockets: Option<crate::plan::sockets::Covered>,
}

impl Fs {
    /// Give a `--dev` the terminal among the caller's fds 0, 1 and 2 that
    /// COMMAND inherits (`inherited[fd]`): the first that is one.
    pub fn find_console(&mut self, inherited: [bool; 3]) {
        let Some(dev) = self.ops.iter_mut().find_map(|op| op.dev.as_deref_mut()) else {
            return;
        };
        dev.console = (0..3)
            .filter(|&fd| inherited[fd as usize])
            .find_map(|fd| rustix::termios::ttyname(sys::borrow(fd), Vec::new()).ok());
    }

    /// Whether any option changes the view.
    pub fn changes_view(&self) -> bool {
        !self.ops.is_empty() || self.ro || self.new_root()
    }

    /// Whether the jail pivots into a new root: `--root` or `--empty-root`.
    pub fn new_root(&self) -> bool {
        self.root.is_some() || self.empty_root
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
    Overlay(OsString),
    Root(OsString),
    Dev,
    EmptyRoot,
    /// `--symlink TARGET:DST`.
    Symlink(OsString),
    /// `--dir DST`.
    Dir(OsString),
    /// `--file FD:DST` (false), `--ro-file FD:DST` (true).
    File(OsString, bool),
    /// `--perms OCTAL`, for the next `--dir`, `--file`, `--ro-file`, `--tmpfs`.
    Perms(u32),
    /// `--size BYTES`, for the next `--tmpfs`.
    Size(u64),
}

/// The most a `--file` or `--ro-file` reads from its descriptor: the
/// content is held in memory before the jail starts (the child cannot
/// allocate), so a stream that never ends must not exhaust it.
pub const MAX_FILE: usize = 16 << 20;

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

/// Check the typed options and prebuild the child's work. `ipc_ns`: the
/// jail has an IPC namespace of its own, and so a private /dev/shm.
pub fn build(typed: &[(String, Typed)], pid_ns: bool, ipc_ns: bool) -> Result<Fs, Error> {
    if typed.is_empty() && !ipc_ns {
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
                if fs.empty_root {
                    return Err(bad(shown, "conflicts with --empty-root".into()));
                }
                let d = resolve(shown, d)?;
                if !exists(shown, &d)?.is_dir() {
                    return Err(bad(shown, "not a directory".into()));
                }
                root = Some((d, shown));
            }
            Typed::Ro => fs.ro = true,
            Typed::EmptyRoot => {
                if let Some((_, r)) = &root {
                    return Err(bad(shown, format!("conflicts with {r}")));
                }
                fs.empty_root = true;
            }
            _ => {}
        }
    }
    let empty = fs.empty_root;
    // The jail's `/` as the parent sees it, to look at destinations the
    // way the child will: symlinks followed inside the root.
    let base = match &root {
        Some((r, shown)) => open_base(r).map_err(|e| Error::sys(*shown, e.raw_os_error()))?,
        None => open_base(Path::new("/")).map_err(|e| Error::sys("open /", e.raw_os_error()))?,
    };
    let base = base.as_fd();
    let top = identify(base).map_err(|e| Error::sys("look at /", e.raw_os_error()))?;
    let root = root.map(|(r, _)| r);
    // Inside --root, /proc is the kernel's when there is one (a fresh one
    // with --pid, else the host's over DIR/proc), not what DIR/proc holds.
    let host_root = match &root {
        Some(_) if pid_ns || find(base, Path::new("/proc")).is_ok_and(|f| f.dir) => {
            Some(open_base(Path::new("/")).map_err(|e| Error::sys("open /", e.raw_os_error()))?)
        }
        _ => None,
    };
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
        if empty && has_dotdot(p) {
            return Err(bad(
                shown,
                format!(
                    "destination '{}' has a '..' (not in --empty-root)",
                    p.display()
                ),
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
        // What is under the kernel's /proc is looked up on the host.
        let at = match &host_root {
            Some(h) if is_under(&p, Path::new("/proc")) => h.as_fd(),
            _ => base,
        };
        let found = find(at, &p)
            .map_err(|e| Error::sys(format!("{shown}: {}", host(&p)), e.raw_os_error()))?;
        Ok((p, found))
    };
    // The jail's root directory itself (`/`, `/tmp/..`, a symlink to it).
    let is_top =
        |p: &Path| p.parent().is_none() || (!empty && find(base, p).is_ok_and(|f| f.same(&top)));
    let op = |kind, src: &Path, dst: &Path, shown: &str| Op {
        kind,
        src: cstr(src),
        dst: cstr(dst),
        shown: shown.to_string(),
        dev: None,
        tree: Held::default(),
        opts: None,
        content: Vec::new(),
        layer: None,
    };
    // A pending --perms and --size, for the option right after.
    let mut perms: Option<(u32, &str)> = None;
    let mut size: Option<(u64, &str)> = None;
    for (shown, t) in typed {
        let takes_perms = matches!(t, Typed::Dir(_) | Typed::File(..) | Typed::Tmpfs(_));
        let modifier = matches!(t, Typed::Perms(_) | Typed::Size(_));
        if let Some((_, p)) = perms.filter(|_| !takes_perms && !modifier) {
            return Err(bad(
                p,
                "must come right before --dir, --file, --ro-file or --tmpfs".into(),
            ));
        }
        if let Some((_, p)) = size.filter(|_| !matches!(t, Typed::Tmpfs(_)) && !modifier) {
            return Err(bad(p, "must come right before --tmpfs".into()));
        }
        if empty && matches!(t, Typed::Rw(_) | Typed::Hide(_)) {
            return Err(bad(
                shown,
                "not with --empty-root (it starts empty: bind what COMMAND needs)".into(),
            ));
        }
        match t {
            Typed::EmptyRoot => {}
            Typed::Perms(m) => {
                if perms.is_some() {
                    return Err(bad(shown, "given twice for the same option".into()));
                }
                perms = Some((*m, shown));
            }
            Typed::Size(n) => {
                if size.is_some() {
                    return Err(bad(shown, "given twice for the same option".into()));
                }
                size = Some((*n, shown));
            }
            Typed::Symlink(arg) => {
                let (target, dst) = split_bind(arg).map_err(|why| bad(shown, why))?;
                let Some(dst) = dst else {
                    return Err(bad(shown, "expected TARGET:DST".into()));
                };
                if target.is_empty() {
                    return Err(bad(shown, "empty target".into()));
                }
                let dst = absolute(shown, &dst)?;
                if is_top(&dst) {
                    return Err(bad(shown, "not over /".into()));
                }
                let mut o = op(OpKind::Symlink, Path::new("/"), &dst, shown);
                // As typed: a symlink's target is not normalized.
                o.src = CString::new(target.into_vec()).unwrap_or_default();
                fs.ops.push(o);
            }
            Typed::Dir(p) => {
                let p = absolute(shown, p)?;
                let mode = perms.take().map_or(0o755, |(m, _)| m);
                if !is_top(&p) {
                    fs.ops.push(op(OpKind::Dir { mode }, &p, &p, shown));
                }
            }
            Typed::File(arg, ro) => {
                let (fd, dst) = split_bind(arg).map_err(|why| bad(shown, why))?;
                let Some(dst) = dst else {
                    return Err(bad(shown, "expected FD:DST".into()));
                };
                let fd = fd
                    .to_str()
                    .and_then(|f| f.parse::<i32>().ok())
                    .filter(|f| *f >= 0)
                    .ok_or_else(|| bad(shown, "expected a file descriptor number".into()))?;
                let dst = absolute(shown, &dst)?;
                if is_top(&dst) {
                    return Err(bad(shown, "not over /".into()));
                }
                // bubblewrap's modes: --file 0666, --ro-bind-data 0600.
                let default = if *ro { 0o600 } else { 0o666 };
                let mode = perms.take().map_or(default, |(m, _)| m);
                let mut o = op(OpKind::File { ro: *ro, mode }, &dst, &dst, shown);
                o.content = read_fd(fd).map_err(|e| match e {
                    Errno::FBIG => bad(
                        shown,
                        format!(
                            "fd {fd} holds more than {} MiB (bind a file instead)",
                            MAX_FILE >> 20
                        ),
                    ),
                    e => Error::sys(format!("{shown}: read fd {fd}"), e.raw_os_error()).with_hint(
                        (e == Errno::BADF)
                            .then(|| format!("fd {fd} must be open for reading, as in {fd}<FILE")),
                    ),
                })?;
                fs.ops.push(o);
            }
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
                fs.ops.push(op(OpKind::Rw, &p, &p, shown));
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
                let kind = OpKind::Bind {
                    ro: *ro,
                    dir: meta.is_dir(),
                };
                fs.ops.push(op(kind, &src, &dst, shown));
            }
            Typed::Tmpfs(p) => {
                let p = absolute(shown, p)?;
                if is_top(&p) {
                    return Err(bad(
                        shown,
                        "not over / (for a new root, use --root or --empty-root)".into(),
                    ));
                }
                let mut o = op(OpKind::Tmpfs, &p, &p, shown);
                let mut opts = Vec::new();
                if let Some((m, _)) = perms.take() {
                    opts.push(format!("mode=0{m:o}"));
                }
                if let Some((n, _)) = size.take() {
                    opts.push(format!("size={n}"));
                }
                if !opts.is_empty() {
                    o.opts = CString::new(opts.join(",")).ok();
                }
                fs.ops.push(o);
            }
            Typed::Hide(p) => {
                let (p, found) = existing(shown, p)?;
                if p.parent().is_none() || (found.dev, found.ino) == (top.dev, top.ino) {
                    return Err(bad(shown, "cannot hide the root directory".into()));
                }
                let kind = if found.dir {
                    OpKind::HideDir
                } else {
                    OpKind::HideFile
                };
                fs.ops.push(op(kind, &p, &p, shown));
            }
            Typed::Overlay(arg) => {
                let (path, dir) = split_bind(arg).map_err(|why| bad(shown, why))?;
                // PATH as an earlier option makes it (a --bind destination)
                // is the child's to check; else it must be a directory now.
                let p = if root.is_some() || empty {
                    absolute(shown, &path)?
                } else {
                    normal(&resolve(shown, &path)?)
                };
                let made = fs.ops.iter().any(|o| {
                    matches!(
                        o.kind,
                        OpKind::Bind { dir: true, .. }
                            | OpKind::Tmpfs
                            | OpKind::Dev
                            | OpKind::Overlay { .. }
                    ) && p.starts_with(o.dst_path())
                });
                // In --empty-root only what an earlier option made exists.
                let looked = match empty {
                    true => Err(bad(
                        shown,
                        "in --empty-root, PATH must be made by an earlier --bind, --tmpfs or --dev"
                            .into(),
                    )),
                    false => existing(shown, &path),
                };
                let (p, found) = match looked {
                    Ok((p, found)) => (p, Some(found)),
                    Err(_) if made => (p, None),
                    Err(e) => return Err(e),
                };
                if found.as_ref().is_some_and(|f| !f.dir) {
                    return Err(bad(shown, format!("{}: not a directory", host(&p))));
                }
                // overlayfs takes PATH's directory alone: what an earlier
                // --hide covers below it would show again.
                if let Some(h) = fs.ops.iter().find(|o| {
                    matches!(o.kind, OpKind::HideDir | OpKind::HideFile)
                        && is_under(o.dst_path(), &p)
                }) {
                    return Err(bad(
                        shown,
                        format!("would show what the earlier {} hides", h.shown),
                    )
                    .with_hint(Some(format!("give {} after {shown}", h.shown))));
                }
                if p.parent().is_none() || found.is_some_and(|f| f.same(&top)) {
                    return Err(bad(
                        shown,
                        "not over / (overlay a directory, such as /usr or .)".into(),
                    ));
                }
                let Some(dir) = dir else {
                    fs.ops
                        .push(op(OpKind::Overlay { kept: false }, &p, &p, shown));
                    continue;
                };
                let dir = normal(&resolve(shown, &dir)?);
                check_layer(shown, &dir, &host(&p))?;
                let mut o = op(OpKind::Overlay { kept: true }, &dir, &p, shown);
                o.layer = Some(Box::default());
                fs.ops.push(o);
            }
            Typed::Dev => {
                let dev = Path::new("/dev");
                let mut o = op(OpKind::Dev, dev, dev, shown);
                o.dev = Some(Box::default());
                fs.ops.push(o);
            }
        }
    }
    if let Some((_, p)) = perms {
        return Err(bad(
            p,
            "must come right before --dir, --file, --ro-file or --tmpfs".into(),
        ));
    }
    if let Some((_, p)) = size {
        return Err(bad(p, "must come right before --tmpfs".into()));
    }
    if fs.ro && !empty {
        // The caller's service sockets, covered first: the user's own
        // options apply over the covers.
        let (covers, report) = crate::plan::sockets::covers(&fs.ops, root.as_deref())?;
        let covers = covers
            .iter()
            .map(|(p, what)| op(OpKind::Cover(*what), p, p, "--ro"));
        fs.ops.splice(0..0, covers);
        fs.sockets = Some(report);
    }
    let shm = Path::new(SHM);
    if ipc_ns && !empty && private_shm(&fs.ops) && find(base, shm).is_ok_and(|f| f.dir) {
        // First, so that the user's own options apply over it.
        let shown = if fs.ro { "--ro" } else { "--ipc" };
        fs.ops.insert(0, op(OpKind::Shm, shm, shm, shown));
    }
    order_rw(&mut fs.ops);
    if let Some(r) = &root {
        // The host's /proc goes first, as a fresh one does, so that later
        // options can cover parts of it.
        let proc = Path::new("/proc");
        if !pid_ns && find(base, proc).is_ok_and(|f| f.dir) {
            fs.ops.insert(0, op(OpKind::HostProc, proc, proc, "--root"));
        }
        fs.root = Some(cstr(r));
    }
    if empty && !pid_ns {
        // The host's /proc, as inside a --root that has one.
        let proc = Path::new("/proc");
        fs.ops
            .insert(0, op(OpKind::HostProc, proc, proc, "--empty-root"));
    }
    check_destinations(&fs.ops, base, root.as_deref(), pid_ns, empty)?;
    check_entries(&fs.ops, empty, pid_ns)?;
    if fs.ro {
        check_covered(&fs.ops, root.as_deref())?;
    }
    if fs.changes_view() {
        fs.cwd = cwd.as_deref().map(cstr);
    }
    Ok(fs)
}

/// Whether the jail gets a private /dev/shm: unless the user's options
/// name it, a parent of it (`--dev`, `--bind X:/dev`, `--rw /dev`), or,
/// with `--rw` or `--hide`, a file on the caller's /dev/shm. `--rw /` only
/// keeps the whole view writable.
fn private_shm(ops: &[Op]) -> bool {
    let shm = Path::new(SHM);
    !ops.iter().any(|o| {
        let d = o.dst_path();
        match o.kind {
            OpKind::Cover(_) | OpKind::HostProc | OpKind::Shm => false,
            OpKind::Dir { .. } | OpKind::Symlink | OpKind::File { .. } => false,
            OpKind::Rw if d == Path::new("/") => false,
            OpKind::Rw | OpKind::HideDir | OpKind::HideFile => {
                shm.starts_with(d) || d.starts_with(shm)
            }
            OpKind::Bind { .. } | OpKind::Tmpfs | OpKind::Dev | OpKind::Overlay { .. } => {
                shm.starts_with(d)
            }
        }
    })
}

/// An O_PATH handle on directory `dir`.
fn open_base(dir: &Path) -> Result<OwnedFd, Errno> {
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    rustix::fs::open(cstr(dir).as_c_str(), flags, Mode::empty())
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
fn find(base: BorrowedFd<'_>, p: &Path) -> Result<Found, Errno> {
    let fd = lookup(base, &cstr(p), false)?;
    identify(fd.as_fd())
}

fn identify(fd: BorrowedFd<'_>) -> Result<Found, Errno> {
    let mask = StatxFlags::TYPE | StatxFlags::INO | StatxFlags::MNT_ID;
    let st = rustix::fs::statx(fd, c"", AtFlags::EMPTY_PATH, mask)?;
    Ok(Found {
        dir: FileType::from_raw_mode(st.stx_mode.into()) == FileType::Directory,
        dev: rustix::fs::makedev(st.stx_dev_major, st.stx_dev_minor),
        ino: st.stx_ino,
        mnt: if StatxFlags::from_bits_retain(st.stx_mask).contains(StatxFlags::MNT_ID) {
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
        if ops[i].kind != OpKind::Rw {
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
///
/// `pid_ns`: a fresh /proc is mounted first, so that inside `--root` what
/// goes under /proc lands on it, not in DIR/proc.
fn check_destinations(
    ops: &[Op],
    base: BorrowedFd<'_>,
    root: Option<&Path>,
    pid_ns: bool,
    empty: bool,
) -> Result<(), Error> {
    let host = |p: &Path| on_host(root, p);
    for (i, op) in ops.iter().enumerate() {
        if !matches!(op.kind, OpKind::Bind { .. } | OpKind::Tmpfs | OpKind::Dev) {
            continue;
        }
        let dst = op.dst_path();
        // An earlier tmpfs or bind covers it: the jail's view decides.
        let covered = ops[..i].iter().any(|o| {
            matches!(
                o.kind,
                OpKind::Tmpfs
                    | OpKind::Bind { .. }
                    | OpKind::Dev
                    | OpKind::HostProc
                    | OpKind::Shm
                    | OpKind::Overlay { .. }
            ) && dst.starts_with(o.dst_path())
        });
        let fresh_proc = pid_ns && root.is_some() && is_under(dst, Path::new("/proc"));
        // In --empty-root, what no mount covers is in the jail's tmpfs.
        if covered || fresh_proc || empty {
            continue;
        }
        match probe_dst(base, &op.dst) {
            Ok(()) => {}
            Err((Errno::LOOP, at)) => {
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
                    e.raw_os_error(),
                ));
            }
        }
    }
    Ok(())
}

/// Refuse, before anything starts, a `--dir`, `--symlink`, `--file` or
/// `--ro-file` that would not land in a tmpfs the jail made: jail never
/// makes one of them on the host. The place is the last earlier mount
/// whose destination is a parent (a `--tmpfs`, `--dev`, the private
/// /dev/shm), or with none the `--empty-root` itself. The child then makes
/// it without following any symlink, so the path cannot leave that place.
fn check_entries(ops: &[Op], empty: bool, pid_ns: bool) -> Result<(), Error> {
    for (i, op) in ops.iter().enumerate() {
        if !op.kind.makes_entry() {
            continue;
        }
        let dst = op.dst_path();
        if has_dotdot(dst) {
            return Err(Error::usage(format!(
                "{}: destination '{}' has a '..'",
                op.shown,
                dst.display()
            )));
        }
        let under = ops[..i]
            .iter()
            .rev()
            .find(|o| !o.kind.makes_entry() && dst.starts_with(o.dst_path()));
        let fresh_proc = pid_ns && empty && dst.starts_with("/proc");
        let ok = match under {
            Some(o) => matches!(o.kind, OpKind::Tmpfs | OpKind::Dev | OpKind::Shm),
            None => empty && !fresh_proc,
        };
        if !ok {
            let place = match under {
                Some(o) => format!(" ({} is there)", o.shown),
                None if fresh_proc => " (/proc is there)".to_string(),
                None => String::new(),
            };
            return Err(Error::usage(format!(
                "{}: {} is not in a --tmpfs or --empty-root{place}: jail makes nothing on the host",
                op.shown,
                dst.display()
            ))
            .with_hint(Some(match dst.parent().filter(|p| p.parent().is_some()) {
                Some(dir) => format!(
                    "give --tmpfs {} before it, or start from --empty-root",
                    dir.display()
                ),
                None => "start from --empty-root".to_string(),
            })));
        }
    }
    Ok(())
}

/// Whether a path has a `..` component.
fn has_dotdot(p: &Path) -> bool {
    p.components().any(|c| c == std::path::Component::ParentDir)
}

/// What fd `fd` holds, up to `MAX_FILE` bytes (EFBIG beyond).
fn read_fd(fd: i32) -> Result<Vec<u8>, Errno> {
    let data = crate::cli::fd_data::read_upto(fd, MAX_FILE + 1)?;
    if data.len() > MAX_FILE {
        return Err(Errno::FBIG);
    }
    Ok(data)
}

/// Check the DIR of `--overlay PATH:DIR` (absolute, in the caller's view)
/// before anything starts: the child could make it (never through a
/// symlink), and it is neither inside PATH (`path`, on the host) nor
/// around it, where the layer would show in itself.
fn check_layer(shown: &str, dir: &Path, path: &str) -> Result<(), Error> {
    let root = open_base(Path::new("/")).map_err(|e| Error::sys("open /", e.raw_os_error()))?;
    match probe_dst(root.as_fd(), &cstr(dir)) {
        Ok(()) => {}
        Err((Errno::LOOP, at)) => {
            let link = Path::new(OsStr::from_bytes(&dir.as_os_str().as_bytes()[..at]));
            return Err(Error::usage(format!(
                "{shown}: cannot create {}: it goes through a symlink ({})",
                dir.display(),
                link.display()
            )));
        }
        Err((e, _)) => {
            return Err(Error::sys(
                format!("{shown}: cannot create {}", dir.display()),
                e.raw_os_error(),
            ));
        }
    }
    // As far as each exists, with symlinks resolved.
    let real = |p: &Path| {
        let mut tail = Vec::new();
        let mut p = p.to_path_buf();
        loop {
            if let Ok(r) = std::fs::canonicalize(&p) {
                return tail.iter().rev().fold(r, |r: PathBuf, c| r.join(c));
            }
            match (p.file_name().map(|c| c.to_os_string()), p.parent()) {
                (Some(c), Some(up)) => {
                    tail.push(c);
                    p = up.to_path_buf();
                }
                _ => return p,
            }
        }
    };
    let (d, p) = (real(dir), real(Path::new(path)));
    if d.starts_with(&p) || p.starts_with(&d) {
        return Err(Error::usage(format!(
            "{shown}: the layer {} and {} overlap",
            dir.display(),
            p.display()
        ))
        .with_hint(Some(format!(
            "keep the layer outside the directory it records, such as {}.layer",
            p.display()
        ))));
    }
    Ok(())
}

/// Under `--ro`, refuse an option whose mount a later option covers (a
/// `--tmpfs`, `--hide`, `--bind` or `--dev` of a parent directory): the
/// read-only pass could not reach it, and it would not show.
fn check_covered(ops: &[Op], root: Option<&Path>) -> Result<(), Error> {
    let host = |p: &Path| on_host(root, p);
    for (i, op) in ops.iter().enumerate() {
        // The user's options apply over the socket covers and the
        // private /dev/shm on purpose.
        if matches!(op.kind, OpKind::Cover(_) | OpKind::Shm) {
            continue;
        }
        let dst = op.dst_path();
        let later = ops[i + 1..].iter().find(|o| {
            matches!(
                o.kind,
                OpKind::Tmpfs
                    | OpKind::HideDir
                    | OpKind::Bind { dir: true, .. }
                    | OpKind::Dev
                    | OpKind::Overlay { .. }
            ) && is_under(dst, o.dst_path())
        });
        if let Some(o) = later {
            let hint = if op.kind == OpKind::Rw && !matches!(o.kind, OpKind::Bind { .. }) {
                // After an empty tmpfs there is nothing left to keep
                // writable: bind the host's directory back in.
                let bind = match root {
                    Some(_) => format!("--bind {}:{}", host(dst), dst.display()),
                    None => format!("--bind {}", dst.display()),
                };
                format!(
                    "give {bind} after {} (a --rw there finds {} gone), or move it out of {}",
                    o.shown,
                    dst.display(),
                    o.dst_path().display()
                )
            } else {
                format!("give {} after {}", op.shown, o.shown)
            };
            return Err(Error::usage(format!(
                "{}: the later {} covers {}",
                op.shown,
                o.shown,
                host(dst)
            ))
            .with_hint(Some(hint)));
        }
    }
    Ok(())
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
