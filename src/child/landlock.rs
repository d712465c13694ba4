//! Landlock scopes (ABI 6+): COMMAND cannot signal processes outside the
//! jail, nor connect to abstract unix sockets created outside it. Without
//! them a jail without `--pid` could kill the caller's other processes, and
//! one without `--net` could talk to the host's abstract sockets (D-Bus,
//! X11, ...).

#![allow(unsafe_code)] // kernel-facing: see `child`'s deny(unsafe_code)

use std::os::fd::{FromRawFd, OwnedFd};

const CREATE_RULESET_VERSION: u32 = 1;
const SCOPE_ABSTRACT_UNIX_SOCKET: u64 = 1;
const SCOPE_SIGNAL: u64 = 2;
/// The first ABI with both scopes.
pub const SCOPES_ABI: i32 = crate::plan::isolation::SCOPES_ABI;

#[repr(C)]
struct RulesetAttr {
    handled_access_fs: u64,
    handled_access_net: u64,
    scoped: u64,
}

/// The kernel's Landlock ABI version, or 0 when Landlock is absent or off.
pub fn abi() -> i32 {
    abi_or_errno().unwrap_or(0)
}

/// The Landlock ABI version, or why there is none (ENOSYS: not built in,
/// EOPNOTSUPP: not enabled at boot): `--check` tells the two apart.
pub fn abi_or_errno() -> Result<i32, rustix::io::Errno> {
    // SAFETY: the version query takes no memory.
    let v = unsafe {
        sc!(
            libc::SYS_landlock_create_ruleset,
            0usize,
            0usize,
            CREATE_RULESET_VERSION
        )
    };
    v.map(|v| v as i32)
        .map_err(rustix::io::Errno::from_raw_os_error)
}

/// A ruleset that scopes signals and abstract unix sockets, or `None` when
/// the kernel lacks the scopes (`abi` < 6). Close-on-exec.
pub fn scope_ruleset(abi: i32) -> Result<Option<OwnedFd>, i32> {
    if abi < SCOPES_ABI {
        return Ok(None);
    }
    let attr = RulesetAttr {
        handled_access_fs: 0,
        handled_access_net: 0,
        scoped: SCOPE_SIGNAL | SCOPE_ABSTRACT_UNIX_SOCKET,
    };
    // SAFETY: attr is a valid ruleset_attr of the size we pass; the result
    // is a new fd that only we own.
    unsafe {
        let fd = sc!(
            libc::SYS_landlock_create_ruleset,
            &attr as *const RulesetAttr,
            std::mem::size_of::<RulesetAttr>(),
            0u32
        )?;
        Ok(Some(OwnedFd::from_raw_fd(fd as i32)))
    }
}

/// Enter the ruleset's domain. Needs no_new_privs. Async-signal-safe.
pub fn restrict_self(ruleset: i32) -> Result<(), i32> {
    // SAFETY: landlock_restrict_self takes an fd and flags.
    unsafe { sc!(libc::SYS_landlock_restrict_self, ruleset, 0) }.map(drop)
}
