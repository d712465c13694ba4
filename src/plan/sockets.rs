//! Under `--ro`, the caller's service sockets are covered: a read-only mount
//! does not stop connect(2), and through the session bus (`systemd-run
//! --user`), tmux, screen, ssh-agent or X11 COMMAND could run anything
//! outside the jail.
//!
//! Parent side only (it allocates). It finds what to cover and returns it to
//! `mounts::build`, which puts the covers before the user's own options, so
//! that those apply over them:
//! - the caller's runtime directory (`$XDG_RUNTIME_DIR`, `/run/user/UID`)
//!   becomes a private, empty, writable tmpfs (mode 0700), so programs that
//!   make their own sockets there keep working;
//! - `/tmp/.X11-unix`, `/tmp/.ICE-unix`, tmux's `tmux-UID` and screen's
//!   directories look empty;
//! - the sockets `$SSH_AUTH_SOCK`, `$TMUX`, `$DBUS_SESSION_BUS_ADDRESS`
//!   (`unix:path=`) and an absolute `$WAYLAND_DISPLAY` name, and every
//!   listening pathname socket whose file the caller owns (asked of the
//!   kernel through sock_diag, else read from /proc/net/unix), are covered
//!   with /dev/null: connect(2) then fails with ECONNREFUSED.
//!
//! What the user names is let through: a socket or directory at or below a
//! `--rw PATH` or a `--bind` source. A covered directory with a user's path
//! inside it is covered entry by entry instead (its sockets and FIFOs with
//! /dev/null, its subdirectories made empty), so that path stays reachable.
//! Paths that do not exist are skipped; with `--root`, only what lies in
//! the new root is covered.
//!
//! Landlock ABI 9 has an access right for this
//! (`LANDLOCK_ACCESS_FS_RESOLVE_UNIX`), but a Landlock domain that handles
//! any filesystem access forbids every mount in it (a jail, bwrap or
//! `unshare -m` inside the jail would fail), so jail does not use it.

#![forbid(unsafe_code)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use rustix::io::Errno;

use crate::error::Error;
use crate::plan::mounts::{Op, OpKind};
use crate::sys;

/// How a path is covered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    /// The caller's runtime directory: a private, empty, writable tmpfs.
    Runtime,
    /// A directory of sockets: an empty, read-only tmpfs.
    Dir,
    /// A socket (or a FIFO): /dev/null over it.
    File,
}

/// Where the list of listening sockets came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listed {
    SockDiag,
    ProcNetUnix,
    /// Neither could be read: only the well-known places are covered.
    Nothing,
}

/// For `-v`: what was covered and what finding it cost.
#[derive(Clone, Copy)]
pub struct Covered {
    pub covers: usize,
    pub listed: Listed,
    pub ns: u64,
}

/// The first Landlock ABI with `LANDLOCK_ACCESS_FS_RESOLVE_UNIX`.
pub const RESOLVE_UNIX_ABI: i32 = 9;

/// The `-v` line: which protection is in force for pathname sockets.
pub fn note(r: &Covered, abi: i32) -> String {
    let listed = match r.listed {
        Listed::SockDiag => "listed through sock_diag",
        Listed::ProcNetUnix => "listed from /proc/net/unix",
        Listed::Nothing => "no list of listening sockets",
    };
    let us = r.ns / 1000;
    format!(
        "jail: pathname unix sockets: covered by mounts ({} covers, {listed}, {}.{:03} ms); {}\n",
        r.covers,
        us / 1000,
        us % 1000,
        landlock_why(abi)
    )
}

/// Why Landlock does not do it (for `-v` and `--check`).
pub fn landlock_why(abi: i32) -> String {
    if abi >= RESOLVE_UNIX_ABI {
        format!("Landlock ABI {abi} could restrict them, but would forbid mounts inside the jail")
    } else {
        "Landlock on this kernel cannot restrict them".to_string()
    }
}

/// What the user's options name, as real paths.
#[derive(Default)]
struct Named {
    /// `--rw` paths and `--bind` sources: shared with COMMAND, sockets and
    /// all.
    shared: Vec<PathBuf>,
    /// Destinations of binds, tmpfs, hides, `--dev`: the user's view
    /// replaces what is there.
    replaced: Vec<PathBuf>,
    /// Every destination: a covered directory above one is covered entry
    /// by entry.
    inside: Vec<PathBuf>,
}

impl Named {
    /// `root`: destinations are paths under it (see `Op::dst`).
    fn from_ops(ops: &[Op], root: Option<&Path>) -> Named {
        let mut n = Named::default();
        for op in ops {
            let dst = path_of(&op.dst);
            let dst = real(&match root {
                Some(r) => r.join(dst.strip_prefix("/").unwrap_or(dst)),
                None => dst.to_path_buf(),
            });
            match op.kind {
                OpKind::Rw => n.shared.push(dst.clone()),
                OpKind::Bind { .. } => {
                    n.shared.push(real(path_of(&op.src)));
                    n.replaced.push(dst.clone());
                }
                OpKind::Tmpfs | OpKind::HideDir | OpKind::HideFile | OpKind::Dev => {
                    n.replaced.push(dst.clone())
                }
                _ => continue,
            }
            n.inside.push(dst);
        }
        n
    }

    /// Whether `p` is at or below a path the user named.
    fn names(&self, p: &Path) -> bool {
        self.shared
            .iter()
            .chain(&self.replaced)
            .any(|n| p.starts_with(n))
    }

    /// Whether a destination lies strictly below directory `p`.
    fn inside(&self, p: &Path) -> bool {
        self.inside.iter().any(|d| d != p && d.starts_with(p))
    }
}

fn path_of(c: &std::ffi::CStr) -> &Path {
    Path::new(OsStr::from_bytes(c.to_bytes()))
}

/// `p` with symlinks resolved, as far as it exists (a destination may not).
fn real(p: &Path) -> PathBuf {
    if let Ok(r) = std::fs::canonicalize(p) {
        return r;
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) => real(parent).join(name),
        _ => p.to_path_buf(),
    }
}

/// The covers, in order (no cover lies below another).
pub fn covers(ops: &[Op], root: Option<&Path>) -> Result<(Vec<(PathBuf, What)>, Covered), Error> {
    let t = sys::now_ns();
    let uid = rustix::process::geteuid().as_raw();
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let named = Named::from_ops(ops, root);
    let root = root.map(real);
    let (listed, how) = listening();
    let mut plan = Plan {
        named: &named,
        root: root.as_deref(),
        out: Vec::new(),
    };
    for (p, what) in well_known(uid, &env) {
        plan.add(&p, what, None)?;
    }
    for p in listed {
        // Only the caller's own: a socket file it owns. Most are in its
        // runtime dir, covered already: that costs no system call.
        if !plan.covered(&p) {
            plan.add(&p, What::File, Some(uid))?;
        }
    }
    // With --root, as paths of the new view (see `Op::dst`).
    let mut out = plan.out;
    if let Some(r) = &root {
        for (p, _) in &mut out {
            *p = Path::new("/").join(p.strip_prefix(r).unwrap_or(p));
        }
    }
    let report = Covered {
        covers: out.len(),
        listed: how,
        ns: sys::now_ns().saturating_sub(t),
    };
    Ok((out, report))
}

/// The well-known places of the caller's services, from its environment.
fn well_known(uid: u32, env: &dyn Fn(&str) -> Option<std::ffi::OsString>) -> Vec<(PathBuf, What)> {
    let mut v = Vec::new();
    let abs = |p: PathBuf| p.is_absolute().then_some(p);
    if let Some(p) = env("XDG_RUNTIME_DIR").map(PathBuf::from).and_then(abs) {
        v.push((p, What::Runtime));
    }
    v.push((PathBuf::from(format!("/run/user/{uid}")), What::Runtime));
    v.push(("/tmp/.X11-unix".into(), What::Dir));
    v.push(("/tmp/.ICE-unix".into(), What::Dir));
    if let Some(d) = env("TMUX_TMPDIR").map(PathBuf::from).and_then(abs) {
        v.push((d.join(format!("tmux-{uid}")), What::Dir));
    }
    v.push((PathBuf::from(format!("/tmp/tmux-{uid}")), What::Dir));
    if let Some(p) = env("SCREENDIR").map(PathBuf::from).and_then(abs) {
        v.push((p, What::Dir));
    }
    v.push(("/run/screen".into(), What::Dir));
    v.push(("/var/run/screen".into(), What::Dir));
    if let Some(t) = env("TMUX").and_then(|t| tmux_socket(t.as_bytes())) {
        v.push((t, What::File));
    }
    if let Some(p) = env("SSH_AUTH_SOCK").map(PathBuf::from).and_then(abs) {
        v.push((p, What::File));
    }
    if let Some(a) = env("DBUS_SESSION_BUS_ADDRESS") {
        v.extend(
            dbus_paths(a.as_bytes())
                .into_iter()
                .map(|p| (p, What::File)),
        );
    }
    if let Some(p) = env("WAYLAND_DISPLAY").map(PathBuf::from).and_then(abs) {
        v.push((p, What::File));
    }
    v
}

/// `$TMUX` is `SOCKET,PID,SESSION`.
fn tmux_socket(v: &[u8]) -> Option<PathBuf> {
    let s = v.split(|b| *b == b',').next()?;
    let p = PathBuf::from(OsStr::from_bytes(s));
    p.is_absolute().then_some(p)
}

/// The `unix:path=` sockets of a D-Bus address list
/// (`unix:path=/run/user/1000/bus,guid=...;...`), with `%XX` decoded.
fn dbus_paths(v: &[u8]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for addr in v.split(|b| *b == b';') {
        let Some(keys) = addr.strip_prefix(b"unix:") else {
            continue;
        };
        for kv in keys.split(|b| *b == b',') {
            if let Some(val) = kv.strip_prefix(b"path=") {
                let p = PathBuf::from(OsStr::from_bytes(&unescape(val)));
                if p.is_absolute() {
                    out.push(p);
                }
            }
        }
    }
    out
}

fn unescape(v: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if v[i] == b'%'
            && let (Some(h), Some(l)) = (
                v.get(i + 1).copied().and_then(hex),
                v.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(v[i]);
        i += 1;
    }
    out
}

struct Plan<'a> {
    named: &'a Named,
    root: Option<&'a Path>,
    out: Vec<(PathBuf, What)>,
}

impl Plan<'_> {
    /// Cover `p` if it exists as `what` expects (owned by `owner`, if
    /// given), the user did not name it, and nothing covers it yet.
    fn add(&mut self, p: &Path, what: What, owner: Option<u32>) -> Result<(), Error> {
        // Most well-known places do not exist: one stat rules them out.
        let Ok(m) = std::fs::metadata(p) else {
            return Ok(());
        };
        let fits = match what {
            What::Runtime | What::Dir => m.is_dir(),
            What::File => m.file_type().is_socket(),
        };
        if !fits || owner.is_some_and(|u| m.uid() != u) {
            return Ok(());
        }
        let p = real(p);
        if self.root.is_some_and(|r| !p.starts_with(r) || p == r)
            || self.named.names(&p)
            || self.covered(&p)
        {
            return Ok(());
        }
        if what != What::File && self.named.inside(&p) {
            return self.expand(&p);
        }
        // A directory may contain covers found before it.
        self.out.retain(|(q, _)| !q.starts_with(&p));
        self.out.push((p, what));
        Ok(())
    }

    fn covered(&self, p: &Path) -> bool {
        self.out.iter().any(|(q, _)| p.starts_with(q))
    }

    /// Cover the entries of `dir` one by one: a user's path lies inside.
    fn expand(&mut self, dir: &Path) -> Result<(), Error> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            Error::sys(
                format!(
                    "--ro: list {} to cover the sockets beside a path given inside it",
                    dir.display()
                ),
                e.raw_os_error().unwrap_or(libc::EIO),
            )
        })?;
        for e in entries.flatten() {
            let p = e.path();
            let Ok(t) = e.file_type() else { continue };
            if self.named.names(&p) || self.covered(&p) {
                continue;
            }
            if t.is_dir() {
                if self.named.inside(&p) {
                    self.expand(&p)?;
                } else {
                    self.out.push((p, What::Dir));
                }
            } else if t.is_socket() || t.is_fifo() {
                self.out.push((p, What::File));
            }
        }
        Ok(())
    }
}

/// The paths of pathname sockets that are listening (or bound datagram
/// sockets), from sock_diag, else from /proc/net/unix.
fn listening() -> (Vec<PathBuf>, Listed) {
    if let Ok(v) = sock_diag() {
        return (v, Listed::SockDiag);
    }
    match std::fs::read("/proc/net/unix") {
        Ok(text) => (proc_net_unix(&text), Listed::ProcNetUnix),
        Err(_) => (Vec::new(), Listed::Nothing),
    }
}

/// Which list of listening sockets this system gives (for `--check`).
pub fn listing() -> Listed {
    listening().1
}

/// The Path column of /proc/net/unix (every state, so a listening socket
/// shows again for each connection it accepted: `Plan::add` skips what it
/// covered already).
fn proc_net_unix(text: &[u8]) -> Vec<PathBuf> {
    text.split(|b| *b == b'\n')
        .skip(1)
        .filter_map(|line| {
            // Num RefCount Protocol Flags Type St Inode Path: the path may
            // hold spaces.
            let mut rest = line;
            for _ in 0..7 {
                let start = rest.iter().position(|b| *b != b' ')?;
                rest = &rest[start..];
                let end = rest.iter().position(|b| *b == b' ')?;
                rest = &rest[end..];
            }
            let path = &rest[1..];
            path.starts_with(b"/")
                .then(|| PathBuf::from(OsStr::from_bytes(path)))
        })
        .collect()
}

const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const UDIAG_SHOW_NAME: u32 = 1;
const UNIX_DIAG_NAME: u16 = 0;
const TCP_CLOSE: u32 = 7;
const TCP_LISTEN: u32 = 10;

/// struct nlmsghdr: len u32, type u16, flags u16, seq u32, pid u32.
const HDR: usize = 16;

/// The dump request: a nlmsghdr, then struct unix_diag_req (family u8,
/// protocol u8, pad u16, states u32, ino u32, show u32, cookie u32[2]).
fn request() -> Vec<u8> {
    let len = (HDR + 24) as u32;
    let mut b = Vec::with_capacity(len as usize);
    b.extend(len.to_ne_bytes());
    b.extend(SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    b.extend(((libc::NLM_F_REQUEST | libc::NLM_F_DUMP) as u16).to_ne_bytes());
    b.extend(1u32.to_ne_bytes()); // seq
    b.extend(0u32.to_ne_bytes()); // pid: the kernel
    b.extend([libc::AF_UNIX as u8, 0]); // family, protocol
    b.extend(0u16.to_ne_bytes()); // pad
    b.extend((1u32 << TCP_LISTEN | 1 << TCP_CLOSE).to_ne_bytes());
    b.extend(0u32.to_ne_bytes()); // ino: any
    b.extend(UDIAG_SHOW_NAME.to_ne_bytes());
    b.extend(u32::MAX.to_ne_bytes()); // cookie: none
    b.extend(u32::MAX.to_ne_bytes());
    b
}

/// The names of listening stream sockets and bound datagram sockets, from
/// the kernel's sock_diag interface: only those sockets, where
/// /proc/net/unix lists every connection too (a desktop has thousands).
fn sock_diag() -> Result<Vec<PathBuf>, Errno> {
    use rustix::net::{AddressFamily, RecvFlags, SendFlags, SocketFlags, SocketType, netlink};
    let fd = rustix::net::socket_with(
        AddressFamily::NETLINK,
        SocketType::DGRAM,
        SocketFlags::CLOEXEC,
        Some(netlink::SOCK_DIAG),
    )?;
    rustix::net::send(&fd, &request(), SendFlags::empty())?;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let n = match rustix::net::recv(&fd, &mut buf[..], RecvFlags::empty()) {
            Ok((n, _)) => n,
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e),
        };
        if n == 0 || parse_dump(&buf[..n], &mut out)? {
            break;
        }
    }
    Ok(out)
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// One datagram of the dump: push the pathname sockets' names; true once
/// the dump is done.
fn parse_dump(b: &[u8], out: &mut Vec<PathBuf>) -> Result<bool, Errno> {
    // unix_diag_msg: family, type, state, pad, inode, cookie[2].
    const MSG: usize = 16;
    let align = |n: usize| (n + 3) & !3;
    let mut at = 0;
    while let (Some(len), Some(kind)) = (u32_at(b, at), u16_at(b, at + 4)) {
        let len = len as usize;
        if len < HDR || at + len > b.len() {
            return Err(Errno::PROTO);
        }
        match kind {
            NLMSG_DONE => return Ok(true),
            NLMSG_ERROR => {
                let e = u32_at(b, at + HDR).map_or(0, |e| -(e as i32));
                return Err(if e > 0 {
                    Errno::from_raw_os_error(e)
                } else {
                    Errno::PROTO
                });
            }
            SOCK_DIAG_BY_FAMILY => {
                let end = at + len;
                let mut a = at + HDR + MSG;
                while let (Some(alen), Some(akind)) = (u16_at(b, a), u16_at(b, a + 2)) {
                    let alen = alen as usize;
                    if alen < 4 || a + alen > end {
                        break;
                    }
                    if akind == UNIX_DIAG_NAME {
                        let name = &b[a + 4..a + alen];
                        let name = name.split(|c| *c == 0).next().unwrap_or_default();
                        if name.starts_with(b"/") {
                            out.push(PathBuf::from(OsStr::from_bytes(name)));
                        }
                    }
                    a += align(alen);
                }
            }
            _ => {}
        }
        at += align(len);
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_net_unix_paths_keep_spaces_and_skip_abstract() {
        let text = b"Num       RefCount Protocol Flags    Type St Inode Path\n\
0000000000000000: 00000002 00000000 00010000 0001 01 21862 /run/user/1000/bus\n\
0000000000000000: 00000002 00000000 00010000 0001 01 21863 @/tmp/.X11-unix/X0\n\
0000000000000000: 00000003 00000000 00000000 0001 03 21864 /run/user/1000/bus\n\
0000000000000000: 00000003 00000000 00000000 0001 03 21865\n\
0000000000000000: 00000002 00000000 00010000 0001 01 21866 /tmp/a dir/s ock\n";
        assert_eq!(
            proc_net_unix(text),
            vec![
                PathBuf::from("/run/user/1000/bus"),
                PathBuf::from("/run/user/1000/bus"),
                PathBuf::from("/tmp/a dir/s ock")
            ]
        );
    }

    #[test]
    fn dbus_addresses_give_their_unix_paths() {
        assert_eq!(
            dbus_paths(b"unix:path=/run/user/1000/bus,guid=abc;unix:abstract=/tmp/x;tcp:host=h"),
            vec![PathBuf::from("/run/user/1000/bus")]
        );
        assert_eq!(
            dbus_paths(b"unix:guid=1,path=/tmp/a%2cb%zz"),
            vec![PathBuf::from("/tmp/a,b%zz")]
        );
        assert!(dbus_paths(b"unix:path=relative").is_empty());
    }

    #[test]
    fn tmux_variable_names_its_socket() {
        assert_eq!(
            tmux_socket(b"/tmp/tmux-1000/default,1234,0"),
            Some(PathBuf::from("/tmp/tmux-1000/default"))
        );
        assert_eq!(tmux_socket(b"default,1,0"), None);
    }

    #[test]
    fn sock_diag_dump_is_parsed() {
        // One message with a name and a second attribute, then DONE.
        let mut b = Vec::new();
        let name = b"/run/s\0";
        let attr_len = 4 + name.len();
        let len = 16 + 16 + ((attr_len + 3) & !3) + 8;
        b.extend((len as u32).to_ne_bytes());
        b.extend(SOCK_DIAG_BY_FAMILY.to_ne_bytes());
        b.extend([0u8; 10]);
        b.extend([0u8; 16]);
        b.extend((attr_len as u16).to_ne_bytes());
        b.extend(UNIX_DIAG_NAME.to_ne_bytes());
        b.extend(name);
        b.resize(b.len() + ((attr_len + 3) & !3) - attr_len, 0);
        b.extend(8u16.to_ne_bytes());
        b.extend(5u16.to_ne_bytes());
        b.extend([0u8; 4]);
        b.extend(16u32.to_ne_bytes());
        b.extend(NLMSG_DONE.to_ne_bytes());
        b.extend([0u8; 10]);
        let mut out = Vec::new();
        assert_eq!(parse_dump(&b, &mut out), Ok(true));
        assert_eq!(out, vec![PathBuf::from("/run/s")]);
    }

    /// A directory with sockets `a` and `b`, a FIFO `f`, a file `r` and
    /// `sub/c`, and the listeners that keep the sockets.
    fn runtime_dir(name: &str) -> (PathBuf, Vec<std::os::unix::net::UnixListener>) {
        let d = std::env::temp_dir().join(format!("jail-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("sub")).unwrap();
        let d = real(&d);
        let l =
            ["a", "b", "sub/c"].map(|s| std::os::unix::net::UnixListener::bind(d.join(s)).unwrap());
        std::fs::write(d.join("r"), "").unwrap();
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            d.join("f"),
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        (d, l.into())
    }

    fn plan(named: &Named, root: Option<&Path>, adds: &[(PathBuf, What)]) -> Vec<(PathBuf, What)> {
        let mut p = Plan {
            named,
            root,
            out: Vec::new(),
        };
        for (path, what) in adds {
            p.add(path, *what, None).unwrap();
        }
        p.out.sort_by(|a, b| a.0.cmp(&b.0));
        p.out
    }

    #[test]
    fn covers_let_through_what_the_user_names() {
        let (d, _l) = runtime_dir("plan");
        let j = |s: &str| d.join(s);
        let none = Named::default();
        let adds = [(d.clone(), What::Runtime), (j("b"), What::File)];
        // The directory whole; the socket in it is covered with it.
        assert_eq!(plan(&none, None, &adds), vec![(d.clone(), What::Runtime)]);
        // Only what lies in --root.
        assert!(plan(&none, Some(Path::new("/nonexistent")), &adds).is_empty());
        // Named: the directory, or a parent of it.
        for shared in [d.clone(), d.parent().unwrap().to_path_buf()] {
            let n = Named {
                shared: vec![shared],
                ..Named::default()
            };
            assert!(plan(&n, None, &adds).is_empty());
        }
        // A socket inside: the rest one by one.
        let n = Named {
            shared: vec![j("a")],
            inside: vec![j("a")],
            ..Named::default()
        };
        let want = vec![
            (j("b"), What::File),
            (j("f"), What::File),
            (j("sub"), What::Dir),
        ];
        assert_eq!(plan(&n, None, &adds), want);
        // Deeper: the directories on the way are opened too.
        let n = Named {
            shared: vec![j("sub/c")],
            inside: vec![j("sub/c")],
            ..Named::default()
        };
        let want = vec![
            (j("a"), What::File),
            (j("b"), What::File),
            (j("f"), What::File),
        ];
        assert_eq!(plan(&n, None, &adds), want);
        // A --tmpfs inside: the directory above is opened, the tmpfs
        // replaces what is below it.
        let n = Named {
            replaced: vec![j("sub")],
            inside: vec![j("sub")],
            ..Named::default()
        };
        let want = vec![
            (j("a"), What::File),
            (j("b"), What::File),
            (j("f"), What::File),
        ];
        assert_eq!(plan(&n, None, &adds), want);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn sock_diag_lists_a_listening_socket() {
        let dir = std::env::temp_dir().join(format!("jail-sockets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("s");
        let _l = std::os::unix::net::UnixListener::bind(&p).unwrap();
        let (v, how) = listening();
        let diag = sock_diag();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_ne!(how, Listed::Nothing);
        assert!(v.contains(&p), "{v:?}");
        // The request itself: only a kernel without unix_diag may refuse it.
        match diag {
            Ok(v) => assert!(v.contains(&p), "{v:?}"),
            Err(e @ (Errno::NOENT | Errno::PROTONOSUPPORT)) => {
                eprintln!("skipped: no sock_diag for unix sockets here: {e}")
            }
            Err(e) => panic!("sock_diag: {e}"),
        }
    }
}
