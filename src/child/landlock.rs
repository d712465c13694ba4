//! Landlock scopes (ABI 6+): COMMAND cannot signal processes outside the
//! jail, nor connect to abstract unix sockets created outside it. Without
//! them a jail without `--pid` could kill the caller's other processes, and
//! one without `--net` could talk to the host's abstract sockets (D-Bus,
//! X11, ...).

#![allow(unsafe_code)] // kernel-facing: see `child`'s deny(unsafe_code)

use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

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
    create_ruleset(0, 0, SCOPES).map(Some)
}

/// Both scopes: signals and abstract unix sockets.
pub const SCOPES: u64 = SCOPE_SIGNAL | SCOPE_ABSTRACT_UNIX_SOCKET;

/// Filesystem rights (`LANDLOCK_ACCESS_FS_*`), each from the ABI named.
pub mod fs {
    pub const EXECUTE: u64 = 1 << 0;
    pub const WRITE_FILE: u64 = 1 << 1;
    pub const READ_FILE: u64 = 1 << 2;
    pub const READ_DIR: u64 = 1 << 3;
    pub const REMOVE_DIR: u64 = 1 << 4;
    pub const REMOVE_FILE: u64 = 1 << 5;
    pub const MAKE_CHAR: u64 = 1 << 6;
    pub const MAKE_DIR: u64 = 1 << 7;
    pub const MAKE_REG: u64 = 1 << 8;
    pub const MAKE_SOCK: u64 = 1 << 9;
    pub const MAKE_FIFO: u64 = 1 << 10;
    pub const MAKE_BLOCK: u64 = 1 << 11;
    pub const MAKE_SYM: u64 = 1 << 12;
    /// ABI 2.
    pub const REFER: u64 = 1 << 13;
    /// ABI 3.
    pub const TRUNCATE: u64 = 1 << 14;
    /// ABI 5.
    pub const IOCTL_DEV: u64 = 1 << 15;
    /// ABI 9.
    pub const RESOLVE_UNIX: u64 = 1 << 16;
    /// The rights a rule on a file (not a directory) may hold.
    pub const FILE: u64 = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV | RESOLVE_UNIX;
}

/// Network rights (`LANDLOCK_ACCESS_NET_*`, ABI 4).
pub const BIND_TCP: u64 = 1;
pub const CONNECT_TCP: u64 = 2;

const RULE_PATH_BENEATH: u32 = 1;
const RULE_NET_PORT: u32 = 2;

#[repr(C, packed)]
struct PathBeneathAttr {
    allowed_access: u64,
    parent_fd: i32,
}

#[repr(C)]
struct NetPortAttr {
    allowed_access: u64,
    port: u64,
}

/// Allow `access` beneath `parent` (an O_PATH fd of a directory or file).
pub fn add_path_rule(ruleset: BorrowedFd, parent: BorrowedFd, access: u64) -> Result<(), i32> {
    let attr = PathBeneathAttr {
        allowed_access: access,
        parent_fd: parent.as_raw_fd(),
    };
    // SAFETY: attr is a valid landlock_path_beneath_attr that outlives the
    // call, which only reads it; both fds are borrowed open fds.
    unsafe {
        sc!(
            libc::SYS_landlock_add_rule,
            ruleset.as_raw_fd(),
            RULE_PATH_BENEATH,
            &attr as *const PathBeneathAttr,
            0u32
        )
    }
    .map(drop)
}

/// Allow `access` (BIND_TCP, CONNECT_TCP) on TCP `port`.
pub fn add_port_rule(ruleset: BorrowedFd, port: u16, access: u64) -> Result<(), i32> {
    let attr = NetPortAttr {
        allowed_access: access,
        port: port.into(),
    };
    // SAFETY: attr is a valid landlock_net_port_attr that outlives the
    // call, which only reads it; the ruleset fd is borrowed and open.
    unsafe {
        sc!(
            libc::SYS_landlock_add_rule,
            ruleset.as_raw_fd(),
            RULE_NET_PORT,
            &attr as *const NetPortAttr,
            0u32
        )
    }
    .map(drop)
}

/// A new ruleset handling `fs` and `net` rights and `scoped` scopes (any
/// may be 0 where the kernel lacks them). Close-on-exec.
pub fn create_ruleset(fs: u64, net: u64, scoped: u64) -> Result<OwnedFd, i32> {
    let attr = RulesetAttr {
        handled_access_fs: fs,
        handled_access_net: net,
        scoped,
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
        Ok(OwnedFd::from_raw_fd(fd as i32))
    }
}

/// Enter the ruleset's domain. Needs no_new_privs. Async-signal-safe.
pub fn restrict_self(ruleset: i32) -> Result<(), i32> {
    // SAFETY: landlock_restrict_self takes an fd and flags.
    unsafe { sc!(libc::SYS_landlock_restrict_self, ruleset, 0) }.map(drop)
}
