//! Paths of the jail's view, resolved from a handle on its `/` the way the
//! child resolves them: symlinks followed inside the root, and nothing ever
//! created through a symlink. Async-signal-safe (the child uses it), and the
//! parent's checks use the same walk.

#![forbid(unsafe_code)]

use std::ffi::CStr;

use rustix::fd::{AsFd, BorrowedFd};
use rustix::fs::{Access, AtFlags, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

use crate::sys::Fd;

/// What a missing destination becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Make {
    /// Nothing: it must exist.
    Nothing,
    Dir,
    File,
    /// Directories, made with this mode (less the umask): the parents of
    /// a `--dir` or `--file` (see `open_parent`).
    Parents(u32),
}

/// An O_PATH descriptor on directory `path`: a handle to it, nothing
/// opened for reading. Err(ENOTDIR) for anything but a directory.
pub fn open_dir(path: &CStr) -> Result<Fd, Errno> {
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    rustix::fs::open(path, flags, Mode::empty()).map(Fd::from)
}

/// Resolve `path` from `base` as the jail sees it: `base` is its `/`, so an
/// absolute symlink or `..` stays beneath it, and magic links
/// (/proc/PID/fd/N) are refused. With `no_symlinks`, every symlink is
/// (ELOOP). Returns an O_PATH descriptor.
pub fn lookup(base: BorrowedFd<'_>, path: &CStr, no_symlinks: bool) -> Result<Fd, Errno> {
    let mut resolve = ResolveFlags::IN_ROOT | ResolveFlags::NO_MAGICLINKS;
    if no_symlinks {
        resolve |= ResolveFlags::NO_SYMLINKS;
    }
    let flags = OFlags::PATH | OFlags::CLOEXEC;
    let mut tries = 0;
    loop {
        match rustix::fs::openat2(base, path, flags, Mode::empty(), resolve) {
            // A rename or a mount raced a `..`: the kernel asks to retry.
            Err(Errno::AGAIN) if tries < 16 => tries += 1,
            r => return r.map(Fd::from),
        }
    }
}

/// The destination `path` (of the jail's view, from `base`) as an O_PATH
/// descriptor. One that exists is followed like any path of the view,
/// symlinks included (as bwrap does: a mount onto a symlink lands on its
/// target, inside the root). A missing one becomes `make`, created one
/// component at a time, each checked to be no symlink: nothing is ever
/// created through a symlink (ELOOP) or outside `base`.
pub fn open_dst(base: BorrowedFd<'_>, path: &CStr, make: Make) -> Result<Fd, Errno> {
    match lookup(base, path, false) {
        Err(Errno::NOENT | Errno::LOOP) if make != Make::Nothing => {
            match walk(base, path, make, false) {
                Ok(Some(fd)) => Ok(fd),
                // Only a dry walk stops short.
                Ok(None) => Err(Errno::NOENT),
                Err((e, _)) => Err(e),
            }
        }
        r => r,
    }
}

/// The directory that holds `path`'s last component, reached from `base`
/// with no symlink anywhere (missing directories made, 0755 less the
/// umask; as bubblewrap, without the group's or others' read and search
/// bits if `mode` gives them none), and where that name starts in `path`.
/// For `--dir`, `--symlink` and `--file`: the entry is then made in that
/// directory by name.
pub fn open_parent(base: BorrowedFd<'_>, path: &CStr, mode: u32) -> Result<(Fd, usize), Errno> {
    let bytes = path.to_bytes();
    let mut end = bytes.len();
    while end > 1 && bytes[end - 1] == b'/' {
        end -= 1;
    }
    let name = bytes[..end]
        .iter()
        .rposition(|b| *b == b'/')
        .map_or(0, |i| i + 1);
    if name >= end {
        return Err(Errno::INVAL);
    }
    let mut buf = [0u8; 4096];
    if name + 1 >= buf.len() {
        return Err(Errno::NAMETOOLONG);
    }
    buf[..name].copy_from_slice(&bytes[..name]);
    if name == 0 {
        buf[0] = b'/';
    }
    let parent = CStr::from_bytes_until_nul(&buf).map_err(|_| Errno::INVAL)?;
    let mut parents = 0o755;
    if mode & 0o070 == 0 {
        parents &= !0o050;
    }
    if mode & 0o007 == 0 {
        parents &= !0o005;
    }
    match walk(base, parent, Make::Parents(parents), false) {
        Ok(Some(fd)) => Ok((fd, name)),
        Ok(None) => Err(Errno::NOENT),
        Err((e, _)) => Err(e),
    }
}

/// The parent's look at a destination the child may create (see
/// `open_dst`): Ok if it exists or the caller could create it, else errno
/// and the length of the path's prefix that fails (with ELOOP: the
/// symlink).
pub fn probe_dst(base: BorrowedFd<'_>, path: &CStr) -> Result<(), (Errno, usize)> {
    match lookup(base, path, false) {
        Ok(_) => Ok(()),
        Err(Errno::NOENT | Errno::LOOP) => walk(base, path, Make::Dir, true).map(drop),
        Err(e) => Err((e, path.to_bytes().len())),
    }
}

/// Walk `path` from `base` one component at a time, with no symlink
/// allowed anywhere, creating what is missing: directories, and with
/// `Make::File` a file last. `dry`: create nothing, stop at the first
/// missing component, and check that the caller could create it there
/// (None then). Returns the descriptor of the whole path, or errno and the
/// length of the prefix that failed.
fn walk(
    base: BorrowedFd<'_>,
    path: &CStr,
    make: Make,
    dry: bool,
) -> Result<Option<Fd>, (Errno, usize)> {
    let bytes = path.to_bytes();
    let n = bytes.len();
    let mut buf = [0u8; 4096];
    if n >= buf.len() {
        return Err((Errno::NAMETOOLONG, n));
    }
    buf[..n].copy_from_slice(bytes);
    // The prefix reached so far (None: none yet, i.e. `base`).
    let mut at: Option<Fd> = None;
    let mut start = 0;
    loop {
        while start < n && buf[start] == b'/' {
            start += 1;
        }
        if start == n {
            return match at {
                Some(fd) => Ok(Some(fd)),
                None if dry => Ok(None),
                None => lookup(base, c"/", true).map(Some).map_err(|e| (e, 0)),
            };
        }
        let mut end = start;
        while end < n && buf[end] != b'/' {
            end += 1;
        }
        let file = make == Make::File && buf[end..n].iter().all(|b| *b == b'/');
        let saved = buf[end];
        buf[end] = 0;
        let parent = at.as_ref().map_or(base, |fd| fd.as_fd());
        let mode = match make {
            Make::Parents(m) => m,
            _ => 0o755,
        };
        let r = step(base, &buf, start, end, parent, file, mode, dry);
        buf[end] = saved;
        match r {
            Ok(Some(fd)) => at = Some(fd),
            Ok(None) => return Ok(None),
            Err(e) => return Err((e, end)),
        }
        start = end;
    }
}

/// One component of `walk`: reach the prefix `buf[..end]` (NUL at `end`),
/// whose last component is `buf[start..end]`, from `base` with no symlink;
/// if it is missing, make it in `dir` (the prefix before, or `base`), a
/// file if `file`, else a directory of mode `mode`. `dry`: make nothing,
/// None if it could be made.
#[allow(clippy::too_many_arguments)]
fn step(
    base: BorrowedFd<'_>,
    buf: &[u8],
    start: usize,
    end: usize,
    dir: BorrowedFd<'_>,
    file: bool,
    mode: u32,
    dry: bool,
) -> Result<Option<Fd>, Errno> {
    let prefix = CStr::from_bytes_until_nul(&buf[..=end]).map_err(|_| Errno::INVAL)?;
    match lookup(base, prefix, true) {
        Err(Errno::NOENT) => {}
        r => return r.map(Some),
    }
    if dry {
        return can_create_in(dir).map(|_| None);
    }
    let name = CStr::from_bytes_until_nul(&buf[start..=end]).map_err(|_| Errno::INVAL)?;
    let made = if file {
        create_file(dir, name)
    } else {
        rustix::fs::mkdirat(dir, name, Mode::from_raw_mode(mode))
    };
    match made {
        // EEXIST: made meanwhile; the lookup below checks what it is.
        Ok(()) | Err(Errno::EXIST) => {}
        Err(e) => return Err(e),
    }
    lookup(base, prefix, true).map(Some)
}

/// An empty file `name` in directory `dir`, never through a symlink.
fn create_file(dir: BorrowedFd<'_>, name: &CStr) -> Result<(), Errno> {
    let flags = OFlags::RDONLY
        | OFlags::CREATE
        | OFlags::EXCL
        | OFlags::NOFOLLOW
        | OFlags::CLOEXEC
        | OFlags::NOCTTY;
    rustix::fs::openat(dir, name, flags, Mode::from_raw_mode(0o444)).map(|fd| drop(Fd::from(fd)))
}

/// Whether the caller may create an entry in directory `dir` (an O_PATH
/// descriptor: `.` from it names the directory itself).
fn can_create_in(dir: BorrowedFd<'_>) -> Result<(), Errno> {
    rustix::fs::accessat(
        dir,
        c".",
        Access::WRITE_OK | Access::EXEC_OK,
        AtFlags::empty(),
    )
}
