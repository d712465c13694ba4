//! Loopback inside a new network namespace: one ioctl, no netlink.

/// Bring `lo` up. Async-signal-safe; returns the errno on failure.
pub fn loopback_up() -> Result<(), i32> {
    // SAFETY: plain socket(2); the fd is closed below.
    let s = unsafe {
        sc!(
            libc::SYS_socket,
            libc::AF_INET,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
            0
        )
    }? as i32;
    // SAFETY: ifreq is plain data; all-zero is a valid value.
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    for (d, s) in ifr.ifr_name.iter_mut().zip(b"lo\0") {
        *d = *s as libc::c_char;
    }
    ifr.ifr_ifru.ifru_flags =
        (libc::IFF_UP | libc::IFF_LOOPBACK | libc::IFF_RUNNING) as libc::c_short;
    // SAFETY: SIOCSIFFLAGS reads a valid ifreq that outlives the call.
    let r = unsafe {
        sc!(
            libc::SYS_ioctl,
            s,
            libc::SIOCSIFFLAGS,
            &ifr as *const libc::ifreq
        )
    };
    crate::sys::close(s);
    r.map(drop)
}
