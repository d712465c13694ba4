//! The filesystem view, the child's side: applies the plan's operations
//! (`plan::mounts`) after `/` was made private. It clones every bind source
//! first (so sources resolve in the caller's view), applies the operations
//! in command-line order, makes everything read-only with one recursive
//! mount_setattr(2) (`--ro` is resolved last), re-opens the writable
//! carve-outs, and finally pivots into `--root`. Async-signal-safe: no
//! allocation.

// Until its calls move to rustix (then: forbid), see `child`'s deny.
#![allow(unsafe_code)]

use std::ffi::CStr;

use crate::plan::mounts::{Fs, Op, OpKind};
use crate::plan::sockets::What;
use crate::sys;
use crate::sys::path::{Make, lookup, open_dst};

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

fn failed(op: usize, part: Part, errno: i32) -> Failed {
    Failed {
        op: op as u32,
        part,
        errno,
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
    let whole = |part| move |e| failed(WHOLE as usize, part, e);
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
        Err(e) => Err(failed(WHOLE as usize, Part::Source, e)),
    };
    sys::close(dir);
    r
}

/// First pass: clone every source's mount tree while the view is still the
/// caller's.
pub fn prepare(fs: &Fs) -> Result<(), Failed> {
    for (i, op) in fs.ops.iter().enumerate() {
        let f = |e| failed(i, Part::Source, e);
        match op.kind {
            OpKind::Bind { .. } | OpKind::HostProc => {
                op.tree
                    .set(open_tree(libc::AT_FDCWD, &op.src, 0).map_err(f)?);
            }
            OpKind::HideFile | OpKind::Cover(What::File) => {
                op.tree
                    .set(open_tree(libc::AT_FDCWD, c"/dev/null", 0).map_err(f)?);
            }
            OpKind::Dev => {
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
        let f = |(part, e)| failed(i, part, e);
        match op.kind {
            OpKind::Bind { dir, ro } => {
                let make = if dir { Make::Dir } else { Make::File };
                attach_at(base, &op.dst, make, op.tree.get()).map_err(f)?;
                if ro {
                    set_readonly(op.tree.get(), true, true).map_err(|e| f((Part::Attr, e)))?;
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
                let r = open_tree(dst, c"", AT_EMPTY_PATH).and_then(|tree| {
                    op.tree.set(tree);
                    attach(tree, dst)
                });
                sys::close(dst);
                r.map_err(|e| f((Part::Mount, e)))?;
            }
            OpKind::HostProc => {
                attach_at(base, &op.dst, Make::Nothing, op.tree.get()).map_err(f)?
            }
            OpKind::HideFile => {
                attach_at(base, &op.dst, Make::Nothing, op.tree.get()).map_err(f)?;
                set_readonly(op.tree.get(), true, false).map_err(|e| f((Part::Attr, e)))?;
            }
            OpKind::Tmpfs => {
                let opts = fs.tmpfs_opts.as_deref().unwrap_or(c"mode=0755");
                let mnt = new_mount(c"tmpfs", &[opts], MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)
                    .map_err(|e| f((Part::Mount, e)))?;
                op.tree.set(mnt);
                attach_at(base, &op.dst, Make::Dir, mnt).map_err(f)?;
            }
            OpKind::HideDir => {
                let mnt = new_mount(
                    c"tmpfs",
                    &[c"mode=0755,size=4k,ro"],
                    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_RDONLY,
                )
                .map_err(|e| f((Part::Mount, e)))?;
                op.tree.set(mnt);
                attach_at(base, &op.dst, Make::Nothing, mnt).map_err(f)?;
            }
            OpKind::Dev => apply_dev(base, op).map_err(f)?,
            OpKind::Cover(what) => match apply_cover(fs, base, op, what) {
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
    set_readonly(base, true, true).map_err(|e| failed(WHOLE as usize, Part::Attr, e))?;
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
            OpKind::Bind { ro: false, .. } | OpKind::Rw | OpKind::Tmpfs => make_writable(mnt),
            OpKind::Bind { ro: true, .. } => set_readonly(mnt, true, true),
            // Read-only again if a `--rw` of a parent made them writable.
            OpKind::HideDir | OpKind::HideFile => set_readonly(mnt, true, false),
            OpKind::Dev => op
                .dev_mounts()
                .and_then(|d| make_writable(d.shm.get()).and_then(|_| make_writable(d.pts.get()))),
            // A cover skipped because its path vanished is not there.
            OpKind::Cover(_) if mnt < 0 => Ok(()),
            OpKind::Cover(What::Runtime) => make_writable(mnt),
            OpKind::Cover(_) => set_readonly(mnt, true, false),
            OpKind::HostProc => Ok(()),
        };
        r.map_err(|e| failed(i, Part::Attr, e))?;
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
