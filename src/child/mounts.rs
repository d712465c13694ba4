//! The filesystem view, the child's side: applies the plan's operations
//! (`plan::mounts`) after `/` was made private. It clones every bind source
//! first (so sources resolve in the caller's view), applies the operations
//! in command-line order, makes everything read-only with one recursive
//! mount_setattr(2) (`--ro` is resolved last), re-opens the writable
//! carve-outs, and finally pivots into `--root`. Async-signal-safe: no
//! allocation.

#![forbid(unsafe_code)]

use std::ffi::CStr;

use rustix::fd::{AsFd, AsRawFd, BorrowedFd};
use rustix::fs::{AtFlags, CWD, Gid, Mode, OFlags, StatVfsMountFlags, Uid};
use rustix::io::Errno;
use rustix::mount::{
    FsMountFlags, FsOpenFlags, MountAttrFlags, MountFlags, MountPropagationFlags, MoveMountFlags,
    OpenTreeFlags, UnmountFlags,
};

use crate::plan::mounts::{Fs, Layer, Op, OpKind, UPPER, WORK};
use crate::plan::sockets::What;
use crate::sys;
use crate::sys::Fd;
use crate::sys::path::{Make, lookup, open_dir, open_dst, open_parent};

const NOSUID: MountAttrFlags = MountAttrFlags::MOUNT_ATTR_NOSUID;
const NODEV: MountAttrFlags = MountAttrFlags::MOUNT_ATTR_NODEV;
const NOEXEC: MountAttrFlags = MountAttrFlags::MOUNT_ATTR_NOEXEC;
const RDONLY: MountAttrFlags = MountAttrFlags::MOUNT_ATTR_RDONLY;

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
/// The symlinks of `--dev`: (target, name in /dev); core as systemd and
/// bwrap make it.
const DEV_LINKS: [(&CStr, &CStr); 6] = [
    (c"pts/ptmx", c"ptmx"),
    (c"/proc/self/fd", c"fd"),
    (c"/proc/self/fd/0", c"stdin"),
    (c"/proc/self/fd/1", c"stdout"),
    (c"/proc/self/fd/2", c"stderr"),
    (c"/proc/kcore", c"core"),
];

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

fn failed(op: usize, part: Part, errno: Errno) -> Failed {
    Failed {
        op: op as u32,
        part,
        errno: errno.raw_os_error(),
    }
}

/// A detached copy of the mount tree at `path` from `dir` (with
/// `AT_EMPTY_PATH` and an empty path: at `dir` itself).
fn open_tree(dir: BorrowedFd<'_>, path: &CStr, flags: OpenTreeFlags) -> Result<Fd, Errno> {
    let flags = flags
        | OpenTreeFlags::OPEN_TREE_CLONE
        | OpenTreeFlags::OPEN_TREE_CLOEXEC
        | OpenTreeFlags::AT_RECURSIVE;
    rustix::mount::open_tree(dir, path, flags).map(Fd::from)
}

/// Attach the detached mount `tree` onto `dst` (both descriptors; the
/// mount goes on top of whatever is mounted there). `tree` then names the
/// attached mount.
fn attach(tree: BorrowedFd<'_>, dst: BorrowedFd<'_>) -> Result<(), Errno> {
    let flags = MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH | MoveMountFlags::MOVE_MOUNT_T_EMPTY_PATH;
    rustix::mount::move_mount(tree, c"", dst, c"", flags)
}

/// Attach mount `mnt` at `path` from `base`, the destination reached or
/// made as `open_dst` does. Which part failed: making it, or the mount.
fn attach_at(
    base: BorrowedFd<'_>,
    path: &CStr,
    make: Make,
    mnt: BorrowedFd<'_>,
) -> Result<(), (Part, Errno)> {
    let part = if make == Make::Nothing {
        Part::Mount
    } else {
        Part::Create
    };
    let dst = open_dst(base, path, make).map_err(|e| (part, e))?;
    attach(mnt, dst.as_fd()).map_err(|e| (Part::Mount, e))
}

/// A new detached mount of a `fstype` filesystem, with options as mount(8)
/// writes them (`mode=0755,size=4k,ro`; a later one wins) and the
/// MOUNT_ATTR_* `attrs`.
fn new_mount(fstype: &CStr, opts: &[&CStr], attrs: MountAttrFlags) -> Result<Fd, Errno> {
    let fsfd = Fd::from(rustix::mount::fsopen(fstype, FsOpenFlags::FSOPEN_CLOEXEC)?);
    for o in opts {
        configure(fsfd.as_fd(), o)?;
    }
    rustix::mount::fsconfig_create(&fsfd)?;
    rustix::mount::fsmount(&fsfd, FsMountFlags::FSMOUNT_CLOEXEC, attrs).map(Fd::from)
}

/// Pass `opts` (`key=value` or `flag`, comma-separated) to fsconfig(2),
/// each cut into a stack buffer.
fn configure(fsfd: BorrowedFd<'_>, opts: &CStr) -> Result<(), Errno> {
    let mut buf = [0u8; 256];
    for item in opts.to_bytes().split(|b| *b == b',') {
        if item.is_empty() {
            continue;
        }
        if item.len() >= buf.len() {
            return Err(Errno::INVAL);
        }
        buf[..item.len()].copy_from_slice(item);
        buf[item.len()] = 0;
        let eq = item.iter().position(|b| *b == b'=');
        if let Some(eq) = eq {
            buf[eq] = 0;
        }
        // Both NUL-terminated parts of buf: the key, and after its `=` the
        // value.
        let cstr = |from: usize| CStr::from_bytes_until_nul(&buf[from..]).map_err(|_| Errno::INVAL);
        let key = cstr(0)?;
        match eq {
            Some(eq) => rustix::mount::fsconfig_set_string(fsfd, key, cstr(eq + 1)?)?,
            None => rustix::mount::fsconfig_set_flag(fsfd, key)?,
        }
    }
    Ok(())
}

/// Set or clear read-only on mount `mnt` (a descriptor of it) and, if
/// `recursive`, every mount below it. Other flags (nosuid, nodev, noexec,
/// and the locked ones) are left alone.
fn set_readonly(mnt: BorrowedFd<'_>, ro: bool, recursive: bool) -> Result<(), Errno> {
    let none = MountAttrFlags::empty();
    if ro {
        sys::mount_setattr(mnt, recursive, RDONLY, none)
    } else {
        sys::mount_setattr(mnt, recursive, none, RDONLY)
    }
}

/// Writable again: the whole subtree if the kernel allows it, else the
/// mount itself (a submount that is read-only on the host stays so).
fn make_writable(mnt: BorrowedFd<'_>) -> Result<(), Errno> {
    match set_readonly(mnt, false, true) {
        Err(Errno::PERM) => set_readonly(mnt, false, false),
        r => r,
    }
}

/// Open the file at `path` read-only through a read-only clone of its
/// mount: a detached copy of that one mount (never its submounts), made
/// read-only, opened through /proc/self/fd and closed again, so that
/// nothing but the returned fd holds it. Reopened through
/// /proc/self/fd/N, the file stays read-only (EROFS), which a file opened
/// on the caller's own mount is not. The clone must come from our own
/// mount namespace: open_tree(2) refuses the caller's mounts (EINVAL).
pub fn open_read_only(path: &CStr) -> Result<Fd, Errno> {
    let flags = OpenTreeFlags::OPEN_TREE_CLONE | OpenTreeFlags::OPEN_TREE_CLOEXEC;
    let tree = Fd::from(rustix::mount::open_tree(CWD, path, flags)?);
    set_readonly(tree.as_fd(), true, false)?;
    let mut proc_fd = sys::Line::new();
    proc_fd.str("/proc/self/fd/");
    proc_fd.num(tree.as_raw_fd() as u64).push(b"\0");
    let name = CStr::from_bytes_with_nul(proc_fd.as_bytes()).map_err(|_| Errno::INVAL)?;
    let flags = OFlags::RDONLY | OFlags::NOCTTY | OFlags::CLOEXEC;
    rustix::fs::open(name, flags, Mode::empty()).map(Fd::from)
}

/// Make `/` and every mount below it private, so nothing done in this
/// mount namespace propagates to the caller's (the first step of any view).
pub fn make_root_private() -> Result<(), Errno> {
    let flags = MountPropagationFlags::REC | MountPropagationFlags::PRIVATE;
    rustix::mount::mount_change(c"/", flags)
}

/// A fresh /proc for the calling process's PID namespace at `dir`.
pub fn mount_proc(dir: &CStr) -> Result<(), Errno> {
    let flags = MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC;
    rustix::mount::mount(c"proc", dir, c"proc", flags, c"")
}

/// A fresh /proc for the calling process's PID namespace at /proc of the
/// jail's view (made inside `--root` if missing), once `bind_root` ran;
/// before, at the caller's /proc.
pub fn mount_view_proc(fs: &Fs) -> Result<(), Errno> {
    let Ok(base) = fs.base.fd() else {
        return mount_proc(c"/proc");
    };
    let make = if fs.new_root() {
        Make::Dir
    } else {
        Make::Nothing
    };
    let mnt = new_mount(c"proc", &[], NOSUID | NODEV | NOEXEC)?;
    let r = attach_at(base, c"/proc", make, mnt.as_fd()).map_err(|(_, e)| e);
    fs.proc.set(mnt);
    r
}

/// Our /proc/self directory in the jail's view: inside it once
/// `bind_root` ran (before pivot_root), else in the caller's.
pub fn open_proc_self(fs: &Fs) -> Result<Fd, Errno> {
    match fs.base.fd() {
        Err(_) => open_dir(c"/proc/self"),
        Ok(base) => lookup(base, c"/proc/self", false),
    }
}

fn is_dir(path: &CStr) -> bool {
    open_dir(path).is_ok()
}

/// Set `fs.base`, the jail's `/` every later step resolves from: with
/// `--root`, DIR made a mount of its own to build the view on (its handle
/// from here on, not DIR's path, which a process outside could change);
/// else the caller's `/`.
pub fn bind_root(fs: &Fs) -> Result<(), Failed> {
    let whole = |part| move |e| failed(WHOLE as usize, part, e);
    if fs.empty_root {
        // A fresh tmpfs, stacked on `/`: absolute paths still resolve in
        // the caller's view (from the process's root, under it) until
        // `pivot` makes it the root.
        // Owned by COMMAND's ids, as a --tmpfs (see `Fs::tmpfs_opts`).
        let opts = fs.tmpfs_opts.as_deref().unwrap_or(c"mode=0755");
        let mnt = new_mount(c"tmpfs", &[opts], NOSUID | NODEV).map_err(whole(Part::Mount))?;
        let slash = open_dir(c"/").map_err(whole(Part::Source))?;
        let r = attach(mnt.as_fd(), slash.as_fd()).map_err(whole(Part::Mount));
        fs.base.set(mnt);
        return r;
    }
    let Some(root) = &fs.root else {
        fs.base.set(open_dir(c"/").map_err(whole(Part::Source))?);
        return Ok(());
    };
    let dir = open_dir(root).map_err(whole(Part::Source))?;
    let tree =
        open_tree(dir.as_fd(), c"", OpenTreeFlags::AT_EMPTY_PATH).map_err(whole(Part::Source))?;
    let r = attach(tree.as_fd(), dir.as_fd()).map_err(whole(Part::Mount));
    fs.base.set(tree);
    r
}

/// First pass: clone every source's mount tree while the view is still the
/// caller's.
pub fn prepare(fs: &Fs) -> Result<(), Failed> {
    let none = OpenTreeFlags::empty();
    for (i, op) in fs.ops.iter().enumerate() {
        let f = |e| failed(i, Part::Source, e);
        match op.kind {
            OpKind::Bind { .. } | OpKind::HostProc => {
                op.tree.set(open_tree(CWD, &op.src, none).map_err(f)?);
            }
            OpKind::HideFile | OpKind::Cover(What::File) => {
                op.tree.set(open_tree(CWD, c"/dev/null", none).map_err(f)?);
            }
            OpKind::Overlay { kept: true } => {
                let layer = op.layer.as_deref().ok_or(Errno::INVAL).map_err(f)?;
                open_layer(&op.src, layer).map_err(|(part, e)| failed(i, part, e))?;
            }
            OpKind::Dev => {
                let d = op.dev_mounts().map_err(f)?;
                for (tree, host) in d.trees.iter().zip(HOST_DEVICES) {
                    tree.set(open_tree(CWD, host, none).map_err(f)?);
                }
                // A terminal closed or gone since the parent looked is
                // no reason to fail: there is no /dev/console then.
                if let Some(tty) = &d.console
                    && let Ok(tree) = open_tree(CWD, tty, none)
                {
                    d.console_tree.set(tree);
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
    let base = fs
        .base
        .fd()
        .map_err(|e| failed(WHOLE as usize, Part::Source, e))?;
    for (i, op) in fs.ops.iter().enumerate() {
        let f = |(part, e)| failed(i, part, e);
        // The source's tree, cloned by `prepare`.
        let tree = || op.tree.fd().map_err(|e| f((Part::Source, e)));
        match op.kind {
            OpKind::Bind { dir, ro } => {
                let make = if dir { Make::Dir } else { Make::File };
                attach_at(base, &op.dst, make, tree()?).map_err(f)?;
                if ro {
                    set_readonly(tree()?, true, true).map_err(|e| f((Part::Attr, e)))?;
                }
            }
            OpKind::Rw => {
                let dst =
                    open_dst(base, &op.dst, Make::Nothing).map_err(|e| f((Part::Mount, e)))?;
                if op.dst.to_bytes() == b"/" {
                    // The whole view: the --ro pass makes `base` writable.
                    op.tree.set(dst);
                    continue;
                }
                // PATH as the view shows it now, bound onto itself.
                let mnt = open_tree(dst.as_fd(), c"", OpenTreeFlags::AT_EMPTY_PATH)
                    .map_err(|e| f((Part::Mount, e)))?;
                let r = attach(mnt.as_fd(), dst.as_fd());
                op.tree.set(mnt);
                r.map_err(|e| f((Part::Mount, e)))?;
            }
            OpKind::HostProc => {
                // An empty root has no /proc to mount on yet.
                let make = if fs.empty_root {
                    Make::Dir
                } else {
                    Make::Nothing
                };
                attach_at(base, &op.dst, make, tree()?).map_err(f)?
            }
            OpKind::HideFile => {
                attach_at(base, &op.dst, Make::Nothing, tree()?).map_err(f)?;
                set_readonly(tree()?, true, false).map_err(|e| f((Part::Attr, e)))?;
            }
            OpKind::Tmpfs => {
                let opts = fs.tmpfs_opts.as_deref().unwrap_or(c"mode=0755");
                // --perms and --size of this one, after the common ones.
                let own = op.opts.as_deref().unwrap_or(c"");
                let mnt = new_mount(c"tmpfs", &[opts, own], NOSUID | NODEV)
                    .map_err(|e| f((Part::Mount, e)))?;
                let r = attach_at(base, &op.dst, Make::Dir, mnt.as_fd());
                op.tree.set(mnt);
                r.map_err(f)?;
            }
            OpKind::HideDir => {
                let mnt = new_mount(
                    c"tmpfs",
                    &[c"mode=0755,size=4k,ro"],
                    NOSUID | NODEV | NOEXEC | RDONLY,
                )
                .map_err(|e| f((Part::Mount, e)))?;
                let r = attach_at(base, &op.dst, Make::Nothing, mnt.as_fd());
                op.tree.set(mnt);
                r.map_err(f)?;
            }
            OpKind::Overlay { .. } => {
                // PATH as the view shows it now is the lower layer, and
                // the overlay goes on top of it.
                let lower =
                    open_dst(base, &op.dst, Make::Nothing).map_err(|e| f((Part::Mount, e)))?;
                let mnt = overlay(fs, op, lower.as_fd()).map_err(|e| f((Part::Mount, e)))?;
                let r = attach(mnt.as_fd(), lower.as_fd());
                op.tree.set(mnt);
                r.map_err(|e| f((Part::Mount, e)))?;
            }
            OpKind::Dev => apply_dev(base, op).map_err(f)?,
            OpKind::Shm => {
                // Owned by COMMAND's ids (see `Fs::tmpfs_opts`), sticky and
                // writable for all, as the caller's.
                let opts = fs.tmpfs_opts.as_deref().unwrap_or(c"");
                let mnt = new_mount(c"tmpfs", &[opts, c"mode=1777"], NOSUID | NODEV)
                    .map_err(|e| f((Part::Mount, e)))?;
                let r = attach_at(base, &op.dst, Make::Nothing, mnt.as_fd());
                op.tree.set(mnt);
                r.map_err(f)?;
            }
            OpKind::Dir { .. } | OpKind::Symlink | OpKind::File { .. } => {
                make_entry(base, op).map_err(f)?
            }
            OpKind::Cover(what) => match apply_cover(fs, base, op, what) {
                Ok(()) => {}
                // Gone since the parent looked: nothing to cover.
                Err((_, Errno::NOENT)) => op.tree.close(),
                Err(e) => return Err(f(e)),
            },
        }
    }
    Ok(())
}

/// `--dir`, `--symlink`, `--file`, `--ro-file`: the entry, made by name in
/// its directory (reached with no symlink, see `open_parent`), never
/// through a symlink; the mode set exactly, whatever the umask.
fn make_entry(base: BorrowedFd<'_>, op: &Op) -> Result<(), (Part, Errno)> {
    let create = |e| (Part::Create, e);
    let mode = match op.kind {
        OpKind::Dir { mode } | OpKind::File { mode, .. } => mode,
        _ => 0o755,
    };
    let (dir, at) = open_parent(base, &op.dst, mode).map_err(create)?;
    let dir = dir.as_fd();
    let name = CStr::from_bytes_with_nul(&op.dst.as_bytes_with_nul()[at..])
        .map_err(|_| create(Errno::INVAL))?;
    let nofollow = OFlags::NOFOLLOW | OFlags::CLOEXEC;
    match op.kind {
        OpKind::Dir { mode } => {
            match rustix::fs::mkdirat(dir, name, Mode::from_raw_mode(0o700)) {
                Ok(()) => {
                    let fd = rustix::fs::openat(
                        dir,
                        name,
                        OFlags::RDONLY | OFlags::DIRECTORY | nofollow,
                        Mode::empty(),
                    )
                    .map_err(create)?;
                    rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode)).map_err(create)?;
                }
                // One that exists stays as it is (as with bubblewrap).
                Err(Errno::EXIST) => {
                    let flags = OFlags::PATH | OFlags::DIRECTORY | nofollow;
                    rustix::fs::openat(dir, name, flags, Mode::empty()).map_err(create)?;
                }
                Err(e) => return Err(create(e)),
            }
        }
        OpKind::Symlink => match rustix::fs::symlinkat(op.src.as_c_str(), dir, name) {
            Ok(()) => {}
            // The same symlink again is no error (as with bubblewrap).
            Err(Errno::EXIST) => {
                let mut buf = [0u8; 4096];
                let n = rustix::fs::readlinkat_raw(dir, name, &mut buf)
                    .map_err(|_| create(Errno::EXIST))?;
                if buf[..n.min(buf.len())] != *op.src.as_bytes() {
                    return Err(create(Errno::EXIST));
                }
            }
            Err(e) => return Err(create(e)),
        },
        OpKind::File { ro, mode } => {
            let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOCTTY | nofollow;
            let fd = Fd::from(
                rustix::fs::openat(dir, name, flags, Mode::from_raw_mode(0o600)).map_err(create)?,
            );
            sys::write_all(fd.as_raw_fd(), &op.content)
                .map_err(|e| create(Errno::from_raw_os_error(e)))?;
            rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode)).map_err(create)?;
            drop(fd);
            if ro {
                // Bound onto itself, read-only: COMMAND cannot change it,
                // even as root inside.
                let mount = |e| (Part::Mount, e);
                let flags = OpenTreeFlags::OPEN_TREE_CLONE
                    | OpenTreeFlags::OPEN_TREE_CLOEXEC
                    | OpenTreeFlags::AT_SYMLINK_NOFOLLOW;
                let tree = Fd::from(rustix::mount::open_tree(dir, name, flags).map_err(mount)?);
                let at = rustix::fs::openat(dir, name, OFlags::PATH | nofollow, Mode::empty())
                    .map_err(mount)?;
                let r = attach(tree.as_fd(), at.as_fd());
                op.tree.set(tree);
                r.map_err(mount)?;
                set_readonly(op.tree.fd().map_err(mount)?, true, false)
                    .map_err(|e| (Part::Attr, e))?;
            }
        }
        _ => return Err(create(Errno::INVAL)),
    }
    Ok(())
}

/// The directories of a kept layer, in the caller's view: DIR made as a
/// destination is (never through a symlink), `upper` and `work` made in it
/// if missing and then opened with no symlink followed, so that a symlink
/// planted there (by an earlier COMMAND that could write DIR) cannot send
/// the writes elsewhere.
fn open_layer(dir: &CStr, layer: &Layer) -> Result<(), (Part, Errno)> {
    let root = open_dir(c"/").map_err(|e| (Part::Source, e))?;
    let dir = open_dst(root.as_fd(), dir, Make::Dir).map_err(|e| (Part::Create, e))?;
    for (name, held) in [(UPPER, &layer.upper), (WORK, &layer.work)] {
        match rustix::fs::mkdirat(&dir, name, Mode::from_raw_mode(0o755)) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err((Part::Create, e)),
        }
        held.set(lookup(dir.as_fd(), name, true).map_err(|e| (Part::Source, e))?);
    }
    Ok(())
}

/// Pass layer `fd` to overlayfs: by descriptor (`key_fd`, Linux 6.13), else
/// as its /proc/self/fd path (`key`), which overlayfs resolves to the same
/// directory.
fn set_layer(
    fsfd: BorrowedFd<'_>,
    key_fd: &CStr,
    key: &CStr,
    fd: BorrowedFd<'_>,
) -> Result<(), Errno> {
    match rustix::mount::fsconfig_set_fd(fsfd, key_fd, fd) {
        Err(Errno::INVAL) => {}
        r => return r,
    }
    let mut path = sys::Line::new();
    path.str("/proc/self/fd/");
    path.num(fd.as_raw_fd() as u64).push(b"\0");
    let path = CStr::from_bytes_with_nul(path.as_bytes()).map_err(|_| Errno::INVAL)?;
    rustix::mount::fsconfig_set_string(fsfd, key, path)
}

/// A detached overlayfs mount over directory `lower` for `op`: its writes
/// go to the kept layer's DIR/upper, or to a tmpfs made here and mounted
/// on PATH beneath the overlay, gone with the jail. In the user namespace the kernel
/// keeps its marks in `user.overlay.*` xattrs (`userxattr`); deleted files
/// are whiteouts, character devices 0/0.
fn overlay(fs: &Fs, op: &Op, lower: BorrowedFd<'_>) -> Result<Fd, Errno> {
    let fsfd = Fd::from(rustix::mount::fsopen(
        c"overlay",
        FsOpenFlags::FSOPEN_CLOEXEC,
    )?);
    let fsfd = fsfd.as_fd();
    set_layer(fsfd, c"lowerdir+", c"lowerdir", lower)?;
    // The throwaway layer's directories, held until the overlay took them.
    let made;
    let (upper, work) = match op.layer.as_deref() {
        Some(l) => {
            // The kernel then refuses DIR while another mount uses it
            // (EBUSY) instead of only warning.
            rustix::mount::fsconfig_set_string(fsfd, c"index", c"on")?;
            (l.upper.fd()?, l.work.fd()?)
        }
        None => {
            let opts = fs.tmpfs_opts.as_deref().unwrap_or(c"mode=0755");
            let tmp = new_mount(c"tmpfs", &[opts], NOSUID | NODEV)?;
            // Mounted (overlayfs takes no layer from a detached mount),
            // on PATH, where the overlay then covers it.
            attach(tmp.as_fd(), lower)?;
            for name in [UPPER, WORK] {
                rustix::fs::mkdirat(&tmp, name, Mode::from_raw_mode(0o755))?;
            }
            // The overlay's top directory shows the upper one's mode and
            // owner: PATH's (the owner where it is mapped and ours to give).
            let st = rustix::fs::fstat(lower)?;
            let (uid, gid) = (Uid::from_raw(st.st_uid), Gid::from_raw(st.st_gid));
            let _ = rustix::fs::chownat(&tmp, UPPER, Some(uid), Some(gid), AtFlags::empty());
            let mode = Mode::from_raw_mode(st.st_mode & 0o7777);
            rustix::fs::chmodat(&tmp, UPPER, mode, AtFlags::empty())?;
            made = (
                lookup(tmp.as_fd(), UPPER, true)?,
                lookup(tmp.as_fd(), WORK, true)?,
            );
            (made.0.as_fd(), made.1.as_fd())
        }
    };
    set_layer(fsfd, c"upperdir", c"upperdir", upper)?;
    set_layer(fsfd, c"workdir", c"workdir", work)?;
    rustix::mount::fsconfig_set_flag(fsfd, c"userxattr")?;
    rustix::mount::fsconfig_create(fsfd)?;
    // As PATH's mount: a noexec one stays so.
    let mut attrs = NOSUID | NODEV;
    if rustix::fs::fstatvfs(lower)?
        .f_flag
        .contains(StatVfsMountFlags::NOEXEC)
    {
        attrs |= NOEXEC;
    }
    rustix::mount::fsmount(fsfd, FsMountFlags::FSMOUNT_CLOEXEC, attrs).map(Fd::from)
}

/// A cover of sockets.rs: like `--hide`, or for the runtime directory a
/// private tmpfs with mode 0700.
fn apply_cover(fs: &Fs, base: BorrowedFd<'_>, op: &Op, what: What) -> Result<(), (Part, Errno)> {
    let mount = |e| (Part::Mount, e);
    let made = match what {
        // /dev/null, cloned by the first pass.
        What::File => None,
        What::Dir => Some(
            new_mount(
                c"tmpfs",
                &[c"mode=0755,size=4k,ro"],
                NOSUID | NODEV | NOEXEC | RDONLY,
            )
            .map_err(mount)?,
        ),
        What::Runtime => {
            let opts = fs.tmpfs_opts.as_deref().unwrap_or(c"");
            Some(new_mount(c"tmpfs", &[opts, c"mode=0700"], NOSUID | NODEV).map_err(mount)?)
        }
    };
    if let Some(mnt) = made {
        op.tree.set(mnt);
    }
    let mnt = op.tree.fd().map_err(mount)?;
    attach_at(base, &op.dst, Make::Nothing, mnt)?;
    if what == What::File {
        set_readonly(mnt, true, false).map_err(|e| (Part::Attr, e))?;
    }
    Ok(())
}

/// `--dev`: a tmpfs at /dev; everything inside it is made through its own
/// descriptor, so no path is walked twice.
fn apply_dev(base: BorrowedFd<'_>, op: &Op) -> Result<(), (Part, Errno)> {
    let e = |part| move |e| (part, e);
    let d = op.dev_mounts().map_err(e(Part::Mount))?;
    let dev =
        new_mount(c"tmpfs", &[c"mode=0755,size=64k"], NOSUID | NOEXEC).map_err(e(Part::Mount))?;
    op.tree.set(dev);
    let dev = op.tree.fd().map_err(e(Part::Mount))?;
    attach_at(base, &op.dst, Make::Dir, dev)?;
    for (tree, name) in d.trees.iter().zip(DEVICES) {
        let tree = tree.fd().map_err(e(Part::Source))?;
        attach_at(dev, name, Make::File, tree)?;
    }
    let pts = new_mount(
        c"devpts",
        &[c"newinstance,ptmxmode=0666,mode=0620"],
        NOSUID | NOEXEC,
    )
    .map_err(e(Part::Mount))?;
    let r = attach_at(dev, c"pts", Make::Dir, pts.as_fd());
    d.pts.set(pts);
    r?;
    let shm = new_mount(c"tmpfs", &[c"mode=1777"], NOSUID | NODEV).map_err(e(Part::Mount))?;
    let r = attach_at(dev, c"shm", Make::Dir, shm.as_fd());
    d.shm.set(shm);
    r?;
    if let Ok(tty) = d.console_tree.fd() {
        attach_at(dev, c"console", Make::File, tty)?;
    }
    for (target, link) in DEV_LINKS {
        rustix::fs::symlinkat(target, dev, link).map_err(e(Part::Create))?;
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
    let whole = |e| failed(WHOLE as usize, Part::Attr, e);
    let base = fs.base.fd().map_err(whole)?;
    set_readonly(base, true, true).map_err(whole)?;
    // /proc is the kernel's interface, not files: /proc/self and the id
    // maps a nested jail writes stay writable (when /proc is a mount).
    if let Ok(proc) = fs.proc.fd() {
        let _ = make_writable(proc);
    } else if let Ok(proc) = open_dst(base, c"/proc", Make::Nothing) {
        let _ = make_writable(proc.as_fd());
    }
    for (i, op) in fs.ops.iter().enumerate() {
        let mnt = op.tree.fd();
        let r = match op.kind {
            OpKind::Bind { ro: false, .. }
            | OpKind::Rw
            | OpKind::Tmpfs
            | OpKind::Shm
            | OpKind::Overlay { .. } => mnt.and_then(make_writable),
            OpKind::Bind { ro: true, .. } => mnt.and_then(|m| set_readonly(m, true, true)),
            // Read-only again if a `--rw` of a parent made them writable.
            OpKind::HideDir | OpKind::HideFile => mnt.and_then(|m| set_readonly(m, true, false)),
            OpKind::Dev => op
                .dev_mounts()
                .and_then(|d| make_writable(d.shm.fd()?).and_then(|_| make_writable(d.pts.fd()?))),
            // A cover skipped because its path vanished is not there.
            OpKind::Cover(_) if mnt.is_err() => Ok(()),
            OpKind::Cover(What::Runtime) => mnt.and_then(make_writable),
            OpKind::Cover(_) => mnt.and_then(|m| set_readonly(m, true, false)),
            OpKind::HostProc => Ok(()),
            OpKind::File { ro: true, .. } => mnt.and_then(|m| set_readonly(m, true, false)),
            OpKind::Dir { .. } | OpKind::Symlink | OpKind::File { .. } => Ok(()),
        };
        r.map_err(|e| failed(i, Part::Attr, e))?;
    }
    Ok(())
}

/// `--root`: DIR (its bind, `fs.base`) becomes `/`; the old root is
/// detached and unreachable.
pub fn pivot(fs: &Fs) -> Result<(), Errno> {
    if !fs.new_root() {
        return Ok(());
    }
    // pivot_root(".", ".") stacks the old root under the new one, and the
    // lazy unmount detaches it.
    rustix::process::fchdir(fs.base.fd()?)?;
    rustix::process::pivot_root(c".", c".")?;
    rustix::mount::unmount(c".", UnmountFlags::DETACH)?;
    rustix::process::chdir(c"/")
}

/// Close the descriptors the view was built with.
pub fn release(fs: &Fs) {
    fs.base.close();
    fs.proc.close();
    for op in &fs.ops {
        op.tree.close();
        if let Some(l) = &op.layer {
            l.upper.close();
            l.work.close();
        }
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
        if !is_dir(cwd) || rustix::process::chdir(cwd.as_c_str()).is_err() {
            let _ = rustix::process::chdir(c"/");
        }
    }
}
