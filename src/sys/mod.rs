//! Small async-signal-safe helpers used on both sides of clone(2): no
//! allocation, no locks, only raw system calls.
//!
//! On x86_64 the clone child shares the parent's memory (CLONE_VM, no page
//! tables copied), and so would share its errno: everything the child, the
//! init and COMMAND's process run before execve uses `sc!`, which returns
//! the error instead of storing it anywhere. Other architectures copy the
//! memory as fork does, and `sc!` goes through libc.

/// Whether the clone child shares the parent's memory (see above).
pub const SHARED_MEMORY: bool = cfg!(target_arch = "x86_64");

/// A raw system call: `Ok(return value)` or `Err(errno)`, errno untouched.
/// Arguments are converted with `as usize` (pointers, ints, fds).
macro_rules! sc {
    ($nr:expr $(, $a:expr)* $(,)?) => {{
        const {
            let args: &[&str] = &[$(stringify!($a)),*];
            assert!(args.len() <= 6, "a system call takes 6 arguments at most");
        };
        $crate::sys::syscall($nr as libc::c_long, &[$(($a) as usize),*])
    }};
}

/// See `sc!`.
///
/// # Safety
/// The arguments must be valid for system call `nr`.
#[inline(always)]
pub unsafe fn syscall(nr: libc::c_long, args: &[usize]) -> Result<usize, i32> {
    let mut a = [0usize; 6];
    for (d, s) in a.iter_mut().zip(args) {
        *d = *s;
    }
    // SAFETY: forwarded from the caller.
    let r = unsafe { syscall6(nr, a) };
    if (-4095..0).contains(&r) {
        Err(-r as i32)
    } else {
        Ok(r as usize)
    }
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn syscall6(nr: libc::c_long, a: [usize; 6]) -> isize {
    let r: isize;
    // SAFETY: the x86_64 system call convention; the kernel clobbers only
    // rax, rcx and r11. The caller vouches for the arguments.
    unsafe {
        core::arch::asm!(
            "syscall",
            inlateout("rax") nr as isize => r,
            in("rdi") a[0], in("rsi") a[1], in("rdx") a[2],
            in("r10") a[3], in("r8") a[4], in("r9") a[5],
            lateout("rcx") _, lateout("r11") _,
            options(nostack, preserves_flags),
        );
    }
    r
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
unsafe fn syscall6(nr: libc::c_long, a: [usize; 6]) -> isize {
    // SAFETY: forwarded from the caller. Here the child has its own copy
    // of memory (SHARED_MEMORY is false), so errno is its own.
    let r = unsafe { libc::syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]) };
    if r == -1 {
        -(errno() as isize)
    } else {
        r as isize
    }
}

/// errno of the last failed libc call (never in code that uses `sc!`).
pub fn errno() -> i32 {
    // SAFETY: __errno_location returns this thread's errno slot.
    unsafe { *libc::__errno_location() }
}

/// Monotonic clock in nanoseconds (vDSO, async-signal-safe).
pub fn now_ns() -> u64 {
    let ts = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// write(2) all of `buf`, retrying on EINTR and short writes.
pub fn write_all(fd: i32, mut buf: &[u8]) -> Result<(), i32> {
    while !buf.is_empty() {
        match rustix::io::write(borrow(fd), buf) {
            Ok(n) => buf = &buf[n..],
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.raw_os_error()),
        }
    }
    Ok(())
}

/// read(2) into `buf` until it is full or EOF; returns the bytes read.
pub fn read_full(fd: i32, buf: &mut [u8]) -> Result<usize, i32> {
    let mut got = 0;
    while got < buf.len() {
        let tail = &mut buf[got..];
        match rustix::io::read(borrow(fd), tail) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.raw_os_error()),
        }
    }
    Ok(got)
}

/// A fixed-size text buffer for messages built without allocating.
pub struct Line {
    buf: [u8; 256],
    len: usize,
}

impl Default for Line {
    fn default() -> Line {
        Line::new()
    }
}

impl Line {
    pub const fn new() -> Line {
        Line {
            buf: [0; 256],
            len: 0,
        }
    }

    pub fn push(&mut self, s: &[u8]) -> &mut Line {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s[..n]);
        self.len += n;
        self
    }

    pub fn str(&mut self, s: &str) -> &mut Line {
        self.push(s.as_bytes())
    }

    pub fn num(&mut self, mut v: u64) -> &mut Line {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.push(&tmp[i..])
    }

    /// Nanoseconds as milliseconds with three decimals.
    pub fn ms(&mut self, ns: u64) -> &mut Line {
        let us = ns / 1000;
        self.num(us / 1000).str(".");
        let frac = us % 1000;
        if frac < 100 {
            self.str("0");
        }
        if frac < 10 {
            self.str("0");
        }
        self.num(frac).str(" ms")
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// `--verbose`: one line `jail: STEP: N.NNN ms` on `fd`, timed from `since`.
pub fn log_step(fd: i32, step: &str, since: u64) {
    let mut l = Line::new();
    l.str("jail: ")
        .str(step)
        .str(": ")
        .ms(now_ns().saturating_sub(since))
        .str("\n");
    let _ = write_all(fd, l.as_bytes());
}

/// Close every fd >= 3 except those in `keep` (sorted ascending, all >= 3).
pub fn close_fds_except(keep: &[i32]) -> Result<(), i32> {
    let mut from: u32 = 3;
    for &k in keep {
        let k = k as u32;
        if k > from {
            close_range(from, k - 1)?;
        }
        from = k + 1;
    }
    close_range(from, u32::MAX)
}

fn close_range(first: u32, last: u32) -> Result<(), i32> {
    // SAFETY: close_range only closes descriptors; no memory is passed.
    match unsafe { sc!(libc::SYS_close_range, first, last, 0) } {
        Ok(_) => return Ok(()),
        Err(libc::ENOSYS) => {}
        Err(e) => return Err(e),
    }
    // Kernels before 5.9: close one by one up to the fd limit.
    let lim = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    let cur = lim.current.unwrap_or(1 << 20);
    let top = (cur.min(1 << 20) as u32).min(last.saturating_add(1));
    for fd in first..top {
        close(fd as i32);
    }
    Ok(())
}

/// An O_PATH descriptor on directory `path`: a handle to it, nothing
/// opened for reading. Err(ENOTDIR) for anything but a directory.
pub fn open_dir_path(path: &std::ffi::CStr) -> Result<i32, i32> {
    use rustix::fs::{Mode, OFlags};
    rustix::fs::open(
        path,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map(rustix::fd::IntoRawFd::into_raw_fd)
    .map_err(|e| e.raw_os_error())
}

/// openat2(2) RESOLVE_* flags.
pub const RESOLVE_NO_XDEV: u64 = 0x01;
pub const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
pub const RESOLVE_NO_SYMLINKS: u64 = 0x04;
pub const RESOLVE_IN_ROOT: u64 = 0x10;

/// openat2(2): open `path` from `dir` with `flags` (O_CLOEXEC added) and
/// the RESOLVE_* bits in `resolve`.
pub fn openat2(dir: i32, path: &std::ffi::CStr, flags: i32, resolve: u64) -> Result<i32, i32> {
    use rustix::fs::{Mode, OFlags, ResolveFlags};
    rustix::fs::openat2(
        borrow(dir),
        path,
        OFlags::from_bits_retain((flags | libc::O_CLOEXEC) as u32),
        Mode::empty(),
        ResolveFlags::from_bits_retain(resolve),
    )
    .map(rustix::fd::IntoRawFd::into_raw_fd)
    .map_err(|e| e.raw_os_error())
}

/// close(2), errno untouched; EBADF is the caller's concern only.
pub fn close(fd: i32) {
    // SAFETY: the caller owns `fd` and uses it no more (I/O safety: no
    // Rust object owns it).
    unsafe { rustix::io::close(fd) };
}

/// A raw fd as rustix takes it. For the descriptors `child::Ctx` carries
/// as plain ints (its memory is shared with the parent, so it holds no
/// owning types): the caller keeps `fd` open while it uses the result.
pub fn borrow(fd: i32) -> rustix::fd::BorrowedFd<'static> {
    // -1 ("none") would make borrow_raw panic: any other negative number
    // makes the call fail with EBADF instead.
    let fd = if fd == -1 { i32::MIN } else { fd };
    // SAFETY: see above; a closed or negative fd makes the call fail with
    // EBADF, nothing worse.
    unsafe { rustix::fd::BorrowedFd::borrow_raw(fd) }
}

/// A signal by number (forwarded signals, SIGRTMAX), for rustix.
pub fn signal(sig: i32) -> rustix::process::Signal {
    // SAFETY: only the numbers of real signals are passed (from the kernel
    // or our own constants); the kernel checks them anyway.
    unsafe { rustix::process::Signal::from_raw_unchecked(sig) }
}

// === section: child (calls of child/mod.rs, init.rs, timer.rs, net.rs that no crate wraps) ===

// exit_group, execve, the signal mask and sigtimedwait: rustix 1.1 has
// them only outside its public API, so they are raw calls here (`sc!`, no
// errno).

/// exit_group(2): leave at once, as `_exit` does but without libc. No
/// destructor runs (an `OwnedFd` still held is closed by the kernel).
pub fn exit(code: i32) -> ! {
    loop {
        // SAFETY: exit_group takes no pointers and does not return.
        let _ = unsafe { sc!(libc::SYS_exit_group, code) };
    }
}

/// unshare(2) of namespaces only (`CLONE_NEW*`); anything else is EINVAL.
pub fn unshare(flags: rustix::thread::UnshareFlags) -> Result<(), rustix::io::Errno> {
    use rustix::thread::UnshareFlags as U;
    let namespaces = U::NEWNS
        | U::NEWCGROUP
        | U::NEWUTS
        | U::NEWIPC
        | U::NEWUSER
        | U::NEWPID
        | U::NEWNET
        | U::NEWTIME;
    if !namespaces.contains(flags) {
        return Err(rustix::io::Errno::INVAL);
    }
    // SAFETY: rustix's concern is CLONE_FILES (a thread left with fds of
    // another table), excluded above; namespaces touch no memory.
    unsafe { rustix::thread::unshare_unsafe(flags) }
}

/// The size of the kernel's signal set: the first 64 bits of a
/// `libc::sigset_t`, in the same order.
const KERNEL_SIGSET: usize = 8;

/// Set the signal mask to `set`: right before execve, the caller's mask,
/// saved by the parent (`child::Ctx::old_mask`).
pub fn set_signal_mask(set: &libc::sigset_t) -> Result<(), rustix::io::Errno> {
    const { assert!(KERNEL_SIGSET <= size_of::<libc::sigset_t>()) };
    // SAFETY: `set` is valid for the 8 bytes the kernel reads; no old set
    // is written. The mask only decides which signals wait.
    let r = unsafe {
        sc!(
            libc::SYS_rt_sigprocmask,
            libc::SIG_SETMASK,
            set as *const libc::sigset_t,
            0usize,
            KERNEL_SIGSET
        )
    };
    r.map(drop).map_err(rustix::io::Errno::from_raw_os_error)
}

/// A signal `sigtimedwait` took: its number and `si_code` (SI_KERNEL for
/// one the terminal or the kernel sent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caught {
    pub signo: i32,
    pub code: i32,
}

/// sigtimedwait(2): take one pending signal of `set` (blocked), waiting
/// at most `timeout` (None: no limit). EAGAIN once the time is up.
pub fn sigtimedwait(
    set: &libc::sigset_t,
    timeout: Option<&rustix::time::Timespec>,
) -> Result<Caught, rustix::io::Errno> {
    // struct siginfo (128 bytes) begins with si_signo, si_errno, si_code
    // for every signal; the rest is not read.
    let mut info = [0i32; 32];
    let ts = timeout.map(|t| libc::timespec {
        tv_sec: t.tv_sec as _,
        tv_nsec: t.tv_nsec as _,
    });
    let ts_ptr = ts
        .as_ref()
        .map_or(std::ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: `set` is valid for the 8 bytes the kernel reads, `info` is a
    // writable 128-byte siginfo, `ts_ptr` null or a valid timespec. The
    // signals taken are the blocked ones of the wait set.
    let r = unsafe {
        sc!(
            libc::SYS_rt_sigtimedwait,
            set as *const libc::sigset_t,
            info.as_mut_ptr(),
            ts_ptr,
            KERNEL_SIGSET
        )
    };
    r.map_err(rustix::io::Errno::from_raw_os_error)?;
    Ok(Caught {
        signo: info[0],
        code: info[2],
    })
}

/// execve(2) of `path`; returns only on failure. `argv` and `envp` must
/// end with a null pointer (else EINVAL) and point to C strings: the
/// arrays `plan::spec::Exec` builds, with the strings it keeps.
pub fn execve(
    path: &std::ffi::CStr,
    argv: &[*const libc::c_char],
    envp: &[*const libc::c_char],
) -> rustix::io::Errno {
    if argv.last() != Some(&std::ptr::null()) || envp.last() != Some(&std::ptr::null()) {
        return rustix::io::Errno::INVAL;
    }
    // SAFETY: both arrays are null-terminated (checked) and their other
    // entries point to the NUL-terminated strings of `Exec` (see above).
    let r = unsafe {
        sc!(
            libc::SYS_execve,
            path.as_ptr(),
            argv.as_ptr(),
            envp.as_ptr()
        )
    };
    rustix::io::Errno::from_raw_os_error(r.err().unwrap_or(libc::EINVAL))
}

/// dup3(2) of `old` onto the descriptor number `new` (the stdio fds the
/// parent opened, which `Spec` carries as numbers).
pub fn dup_onto(
    old: rustix::fd::BorrowedFd,
    new: i32,
    flags: rustix::io::DupFlags,
) -> Result<(), rustix::io::Errno> {
    if new < 0 {
        return Err(rustix::io::Errno::BADF);
    }
    // SAFETY: `new` is not -1 (checked); the OwnedFd only names the number
    // dup3 replaces and is never dropped, so nothing closes it here.
    let mut target = std::mem::ManuallyDrop::new(unsafe {
        <rustix::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(new)
    });
    rustix::io::dup3(old, &mut target, flags)
}

/// The keyctl(2) operations the child uses, none with a pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyctl {
    /// KEYCTL_JOIN_SESSION_KEYRING with a null name: a new, anonymous
    /// session keyring.
    JoinNewSession,
    /// KEYCTL_GET_KEYRING_ID of KEY_SPEC_THREAD_KEYRING, create = 0: reads
    /// only (ENOKEY without a thread keyring).
    ThreadKeyringId,
}

/// keyctl(2), for the operations of `Keyctl`.
pub fn keyctl(op: Keyctl) -> Result<usize, rustix::io::Errno> {
    // linux/keyctl.h: KEYCTL_GET_KEYRING_ID 0, KEYCTL_JOIN_SESSION_KEYRING
    // 1, KEY_SPEC_THREAD_KEYRING -1.
    let (cmd, arg) = match op {
        Keyctl::JoinNewSession => (1usize, 0usize),
        Keyctl::ThreadKeyringId => (0, -1isize as usize),
    };
    // SAFETY: integer arguments only: a null name, a special key id.
    unsafe { sc!(libc::SYS_keyctl, cmd, arg, 0) }.map_err(rustix::io::Errno::from_raw_os_error)
}

/// struct ifreq with the flags member of its union (linux/if.h).
#[repr(C)]
struct IfreqFlags {
    name: [u8; libc::IFNAMSIZ],
    flags: libc::c_short,
    _rest: [u8; size_of::<libc::ifreq>() - libc::IFNAMSIZ - size_of::<libc::c_short>()],
}

/// SIOCSIFFLAGS: set the flags of interface `name` (at most 15 bytes, else
/// EINVAL) through socket `sock`.
pub fn set_interface_flags(
    sock: rustix::fd::BorrowedFd,
    name: &[u8],
    flags: libc::c_short,
) -> Result<(), rustix::io::Errno> {
    let mut req = IfreqFlags {
        name: [0; libc::IFNAMSIZ],
        flags,
        _rest: [0; size_of::<libc::ifreq>() - libc::IFNAMSIZ - size_of::<libc::c_short>()],
    };
    if name.len() >= req.name.len() {
        return Err(rustix::io::Errno::INVAL);
    }
    req.name[..name.len()].copy_from_slice(name);
    const SIOCSIFFLAGS: rustix::ioctl::Opcode = libc::SIOCSIFFLAGS as _;
    // SAFETY: SIOCSIFFLAGS reads a struct ifreq, which IfreqFlags is in
    // size and layout (name, then the union's c_short flags), all bytes
    // initialised.
    unsafe {
        rustix::ioctl::ioctl(
            sock,
            rustix::ioctl::Setter::<SIOCSIFFLAGS, IfreqFlags>::new(req),
        )
    }
}

// === end section: child ===

// === section: mounts (calls of child/mounts.rs, sys/path.rs, plan/mounts.rs that no crate wraps) ===

/// An owned descriptor that a raw close(2) closes when dropped. std's
/// `OwnedFd` closes through libc's close(), which stores errno on failure:
/// after clone that errno is the parent's (CLONE_VM), so descriptors the
/// child owns are this type. It holds an `OwnedFd` that is never dropped
/// as such, and lends it out through `AsFd`; the parent may use it too.
pub struct Fd(std::mem::ManuallyDrop<rustix::fd::OwnedFd>);

impl Fd {
    /// The descriptor number, no longer closed by us: the caller owns it.
    pub fn into_raw(self) -> i32 {
        let fd = rustix::fd::AsRawFd::as_raw_fd(&self);
        std::mem::forget(self);
        fd
    }
}

impl From<rustix::fd::OwnedFd> for Fd {
    fn from(fd: rustix::fd::OwnedFd) -> Fd {
        Fd(std::mem::ManuallyDrop::new(fd))
    }
}

impl rustix::fd::AsFd for Fd {
    fn as_fd(&self) -> rustix::fd::BorrowedFd<'_> {
        self.0.as_fd()
    }
}

impl rustix::fd::AsRawFd for Fd {
    fn as_raw_fd(&self) -> i32 {
        rustix::fd::AsRawFd::as_raw_fd(&*self.0)
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        close(rustix::fd::AsRawFd::as_raw_fd(self));
    }
}

/// struct mount_attr for mount_setattr(2).
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

/// mount_setattr(2) on mount `mnt` itself (an empty path with
/// AT_EMPTY_PATH) and, if `recursive`, every mount below it: set the
/// MOUNT_ATTR_* bits `set`, clear those in `clear`. rustix lacks it.
pub fn mount_setattr(
    mnt: rustix::fd::BorrowedFd<'_>,
    recursive: bool,
    set: rustix::mount::MountAttrFlags,
    clear: rustix::mount::MountAttrFlags,
) -> Result<(), rustix::io::Errno> {
    let attr = MountAttr {
        attr_set: set.bits().into(),
        attr_clr: clear.bits().into(),
        propagation: 0,
        userns_fd: 0,
    };
    let mut flags = libc::AT_EMPTY_PATH as u32;
    if recursive {
        flags |= libc::AT_RECURSIVE as u32;
    }
    // SAFETY: mnt is a borrowed, open descriptor; the empty path is
    // NUL-terminated; attr is a valid mount_attr of the size we pass, and
    // the kernel only reads both.
    let r = unsafe {
        sc!(
            libc::SYS_mount_setattr,
            rustix::fd::AsRawFd::as_raw_fd(&mnt),
            c"".as_ptr(),
            flags,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>()
        )
    };
    r.map(drop).map_err(rustix::io::Errno::from_raw_os_error)
}

// === end section: mounts ===

// === section: parent (calls of parent/*.rs and lib.rs that no crate wraps) ===

/// fcntl(F_SETOWN): `pid` gets SIGIO when `fd` becomes readable (with
/// O_ASYNC). Neither rustix nor nix has F_SETOWN.
pub fn fcntl_setown(
    fd: rustix::fd::BorrowedFd<'_>,
    pid: rustix::process::Pid,
) -> Result<(), rustix::io::Errno> {
    use rustix::fd::AsRawFd;
    // SAFETY: F_SETOWN takes an integer; no memory is passed.
    let r = unsafe {
        sc!(
            libc::SYS_fcntl,
            fd.as_raw_fd(),
            libc::F_SETOWN,
            pid.as_raw_pid()
        )
    };
    r.map(drop).map_err(rustix::io::Errno::from_raw_os_error)
}

/// Whether `sig`'s action is the default one; with `reset`, make it the
/// default first (so the answer is then true). Libc's sigaction: the
/// parent's (nix and rustix only offer it as unsafe, for handlers).
pub fn default_action(sig: i32, reset: bool) -> Result<bool, rustix::io::Errno> {
    let mut old = std::mem::MaybeUninit::<libc::sigaction>::zeroed();
    let mut dfl = std::mem::MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: both structs are zero-initialised sigactions (SIG_DFL, empty
    // mask, no flags), valid for reading and writing; SIG_DFL installs no
    // handler.
    let (r, old) = unsafe {
        let new = if reset {
            dfl.as_mut_ptr()
        } else {
            std::ptr::null_mut()
        };
        let r = libc::sigaction(sig, new, old.as_mut_ptr());
        (r, old.assume_init())
    };
    if r != 0 {
        return Err(rustix::io::Errno::from_raw_os_error(
            crate::error::last_errno(),
        ));
    }
    Ok(reset || old.sa_sigaction == libc::SIG_DFL)
}

/// Block (or unblock) the one signal `sig`, any number including the
/// real-time ones (nix's `SigSet` holds only the standard signals).
pub fn block_signal(sig: i32, block: bool) -> Result<(), rustix::io::Errno> {
    let how = if block {
        libc::SIG_BLOCK
    } else {
        libc::SIG_UNBLOCK
    };
    // SAFETY: set is initialised by sigemptyset before use; the old mask
    // is not asked for.
    let r = unsafe {
        let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
        libc::sigemptyset(set.as_mut_ptr());
        if libc::sigaddset(set.as_mut_ptr(), sig) != 0 {
            -1
        } else {
            libc::sigprocmask(how, set.as_ptr(), std::ptr::null_mut())
        }
    };
    if r != 0 {
        return Err(rustix::io::Errno::from_raw_os_error(
            crate::error::last_errno(),
        ));
    }
    Ok(())
}

// === end section: parent ===

// === section: plan (calls of plan/*.rs that no crate wraps) ===

// === end section: plan ===

pub mod path;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_formats_numbers_and_ms() {
        let mut l = Line::new();
        l.num(0)
            .str(" ")
            .num(1234567)
            .str(" ")
            .ms(1_234_567)
            .str(" ")
            .ms(5_000);
        assert_eq!(l.as_bytes(), b"0 1234567 1.234 ms 0.005 ms");
    }

    #[test]
    fn line_truncates_instead_of_overflowing() {
        let mut l = Line::new();
        for _ in 0..100 {
            l.str("abcdefgh");
        }
        assert_eq!(l.as_bytes().len(), 256);
    }
}
