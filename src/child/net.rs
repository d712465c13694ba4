//! Loopback inside a new network namespace: one ioctl, no netlink.

#![forbid(unsafe_code)]

use rustix::fd::AsFd;
use rustix::io::Errno;
use rustix::net::{AddressFamily, SocketFlags, SocketType};

/// Bring `lo` up. Async-signal-safe.
pub fn loopback_up() -> Result<(), Errno> {
    let s = rustix::net::socket_with(
        AddressFamily::INET,
        SocketType::DGRAM,
        SocketFlags::CLOEXEC,
        None,
    )?;
    let s = crate::sys::Fd::from(s);
    let flags = (libc::IFF_UP | libc::IFF_LOOPBACK | libc::IFF_RUNNING) as libc::c_short;
    crate::sys::set_interface_flags(s.as_fd(), b"lo", flags)
}
