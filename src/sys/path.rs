//! Paths of the jail's view, resolved from a handle on its `/` the way the
//! child resolves them: symlinks followed inside the root, and nothing ever
//! created through a symlink. Async-signal-safe (the child uses it), and the
//! parent's checks use the same walk.

use std::ffi::CStr;

use crate::sys;

const AT_EMPTY_PATH: u32 = 0x1000;

/// What a missing destination becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Make {
    /// Nothing: it must exist.
    Nothing,
    Dir,
    File,
}

/// Resolve `path` from `base` as the jail sees it: `base` is its `/`, so an
/// absolute symlink or `..` stays beneath it, and magic links
/// (/proc/PID/fd/N) are refused. With `no_symlinks`, every symlink is
/// (ELOOP). Returns an O_PATH descriptor.
pub fn lookup(base: i32, path: &CStr, no_symlinks: bool) -> Result<i32, i32> {
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
pub fn open_dst(base: i32, path: &CStr, make: Make) -> Result<i32, i32> {
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
pub fn probe_dst(base: i32, path: &CStr) -> Result<(), (i32, usize)> {
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
