//! Landlock rules beyond the scopes: `--landlock-only` (a jail without any
//! namespace, where the filesystem options become Landlock rules) and the
//! TCP port rules of `--connect-tcp` and `--bind-tcp` (in both modes). The
//! plan checks and resolves what was typed; the parent builds the one
//! ruleset from it (`parent::landlock`), which the child enters.

#![forbid(unsafe_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::cli::defs::FlagId;
use crate::error::Error;

/// The options `--landlock-only` runs with: every other is refused with
/// one line that names it. An allow-list, so that an option added later
/// is refused until someone decides it works without namespaces.
pub const LANDLOCK_ONLY_ALLOWS: &[FlagId] = &[
    FlagId::LandlockOnly,
    FlagId::Net,
    FlagId::ConnectTcp,
    FlagId::BindTcp,
    FlagId::Ro,
    FlagId::Rw,
    FlagId::Hide,
    FlagId::Env,
    FlagId::Unsetenv,
    FlagId::Clearenv,
    FlagId::Chdir,
    FlagId::Rlimit,
    FlagId::Stdin,
    FlagId::Stdout,
    FlagId::Stderr,
    FlagId::KeepFd,
    FlagId::NewSession,
    FlagId::DieWithParent,
    FlagId::Cpus,
    FlagId::Timeout,
    FlagId::KillAfter,
    FlagId::InfoFd,
    FlagId::JsonStatusFd,
    FlagId::Seccomp,
    FlagId::ShareIpcScope,
    FlagId::Strict,
    FlagId::Verbose,
    FlagId::Explain,
    FlagId::Help,
    FlagId::Version,
    FlagId::Completions,
    FlagId::Check,
];

/// The first ABI with TCP port rules (and so `--net` without namespaces).
pub const NET_ABI: i32 = 4;
/// The first ABI that controls truncate(2): `--ro` without namespaces.
pub const TRUNCATE_ABI: i32 = 3;
/// The first ABI that controls connect(2) to pathname unix sockets.
pub const RESOLVE_UNIX_ABI: i32 = 9;

/// What the Landlock ruleset holds besides the scopes.
#[derive(Default, Debug)]
pub struct Plan {
    /// `--landlock-only`: no namespaces, the rules below instead.
    pub only: bool,
    /// `--landlock-only --net`: TCP bind and connect denied (but for the
    /// ports below).
    pub deny_tcp: bool,
    pub connect_tcp: Vec<u16>,
    pub bind_tcp: Vec<u16>,
    /// `--landlock-only --ro`: writes only under `rw` (and device nodes).
    pub ro: bool,
    /// `--rw` and `--hide` paths, resolved (absolute, no symlinks).
    pub rw: Vec<PathBuf>,
    pub hide: Vec<PathBuf>,
}

impl Plan {
    /// Whether jail builds a ruleset of its own (else the scopes alone).
    pub fn needs_ruleset(&self) -> bool {
        self.only || !self.connect_tcp.is_empty() || !self.bind_tcp.is_empty()
    }

    /// Whether TCP connect is handled (denied but for `connect_tcp`).
    pub fn handles_connect(&self) -> bool {
        self.deny_tcp || !self.connect_tcp.is_empty()
    }

    pub fn handles_bind(&self) -> bool {
        self.deny_tcp || !self.bind_tcp.is_empty()
    }
}

/// `--landlock-only` with an option that needs namespaces (or that was
/// not made to work without them): one line naming it.
pub fn refuse(flags: &[(FlagId, Option<std::ffi::OsString>)]) -> Result<bool, Error> {
    if !flags.iter().any(|(id, _)| *id == FlagId::LandlockOnly) {
        return Ok(false);
    }
    if let Some((id, _)) = flags
        .iter()
        .find(|(id, _)| !LANDLOCK_ONLY_ALLOWS.contains(id))
    {
        let name = crate::cli::defs::FLAGS
            .iter()
            .find(|f| f.id == *id)
            .map(crate::cli::defs::display)
            .unwrap_or_default();
        return Err(Error::usage(format!(
            "{name}: not available with --landlock-only, which has no namespaces"
        ))
        .with_hint(Some(
            "--landlock-only takes --ro, --rw, --hide, --net, --connect-tcp, --bind-tcp and \
             the process options (--env, --rlimit, --timeout, ...)"
                .into(),
        )));
    }
    Ok(true)
}

/// A TCP port: 0 to 65535.
pub fn parse_port(flag: &str, v: &OsStr) -> Result<u16, Error> {
    v.to_str()
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| {
            Error::usage(format!(
                "{flag}: invalid value '{}': expected a port number from 0 to 65535",
                v.to_string_lossy()
            ))
        })
}

/// A `--rw` or `--hide` path, resolved: Landlock rules hold inodes, so
/// the path must exist; symlinks are followed once, here.
fn resolve(flag: &str, p: &OsStr) -> Result<PathBuf, Error> {
    std::fs::canonicalize(p).map_err(|e| {
        Error::sys(
            format!("{flag} {}", Path::new(p).display()),
            e.raw_os_error().unwrap_or(libc::EINVAL),
        )
    })
}

/// The plan from what was typed. `fs` holds the filesystem options in
/// order (only --ro, --rw and --hide reach here with `only`).
pub fn build(
    only: bool,
    net: bool,
    connect_tcp: Vec<u16>,
    bind_tcp: Vec<u16>,
    fs: &[(String, crate::plan::mounts::Typed)],
) -> Result<Plan, Error> {
    let mut plan = Plan {
        only,
        deny_tcp: only && net,
        connect_tcp,
        bind_tcp,
        ..Plan::default()
    };
    if !only {
        return Ok(plan);
    }
    use crate::plan::mounts::Typed;
    for (_, t) in fs {
        match t {
            Typed::Ro => plan.ro = true,
            Typed::Rw(p) => plan.rw.push(resolve("--rw", p)?),
            Typed::Hide(p) => plan.hide.push(resolve("--hide", p)?),
            // Refused before (not in LANDLOCK_ONLY_ALLOWS).
            _ => {}
        }
    }
    // A --rw path at, above or below a hidden one would open it again
    // (rules add up along the path): refused.
    for rw in &plan.rw {
        if let Some(h) = plan
            .hide
            .iter()
            .find(|h| h.starts_with(rw) || rw.starts_with(h))
        {
            return Err(Error::usage(format!(
                "--rw {}: conflicts with --hide {} under --landlock-only (Landlock rules add up \
                 along a path, so one cannot be inside the other)",
                rw.display(),
                h.display()
            )));
        }
    }
    if plan.hide.iter().any(|h| h == Path::new("/")) {
        return Err(Error::usage("--hide /: hides everything, COMMAND too"));
    }
    Ok(plan)
}

/// `-v` and the man page: what a jail without namespaces leaves shared,
/// and what this kernel's Landlock ABI adds or lacks.
pub fn shared_lines(plan: &Plan, abi: i32) -> Vec<String> {
    let mut out = vec![
        "jail: landlock-only: no namespaces; shared with the host: the PID space (COMMAND sees \
         every process, cannot signal or ptrace those outside), the hostname, System V IPC, \
         POSIX message queues and /dev/shm"
            .to_string(),
    ];
    let tcp = if plan.handles_connect() || plan.handles_bind() {
        "TCP as the port rules say"
    } else {
        "TCP"
    };
    let unix = if plan.ro && abi >= RESOLVE_UNIX_ABI {
        "pathname unix sockets only under --rw (Landlock ABI 9)".to_string()
    } else {
        format!(
            "pathname unix sockets (Landlock ABI {abi}{})",
            if abi < RESOLVE_UNIX_ABI {
                ", control needs 9"
            } else {
                "; controlled under --ro"
            }
        )
    };
    out.push(format!(
        "jail: landlock-only: network: {tcp}; UDP, ICMP and every non-TCP socket stay open; {unix}"
    ));
    let mut abis = vec![format!("jail: landlock-only: Landlock ABI {abi}:")];
    abis.push(
        if abi >= TRUNCATE_ABI {
            "truncate controlled"
        } else {
            "no truncate control (--ro refused)"
        }
        .into(),
    );
    abis.push(
        if abi >= NET_ABI {
            "TCP port rules"
        } else {
            "no TCP rules (--net and port rules refused)"
        }
        .into(),
    );
    abis.push(
        if abi >= 5 {
            "device ioctls not restricted (terminals keep working)"
        } else {
            "no device ioctl control"
        }
        .into(),
    );
    abis.push(
        if abi >= crate::plan::isolation::SCOPES_ABI {
            "signal and abstract-socket scopes"
        } else {
            "no signal or abstract-socket scopes"
        }
        .into(),
    );
    out.push(format!("{} {}", abis[0], abis[1..].join(", ")));
    if !plan.hide.is_empty() {
        out.push(
            "jail: landlock-only: --hide denies opening and executing, not lookup: names under \
             a hidden path can still be listed and stat(2)ed; files made later directly in a \
             directory on the way to it are unreadable too"
                .into(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_checked() {
        assert_eq!(parse_port("--connect-tcp", OsStr::new("443")).unwrap(), 443);
        assert_eq!(parse_port("--bind-tcp", OsStr::new("0")).unwrap(), 0);
        for bad in ["", "-1", "65536", "http", " 80"] {
            assert!(
                parse_port("--connect-tcp", OsStr::new(bad)).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn namespace_options_are_refused_by_default() {
        // Every flag not on the list is refused; the list has no
        // namespace option.
        for id in [
            FlagId::Pid,
            FlagId::Root,
            FlagId::Bind,
            FlagId::Tmpfs,
            FlagId::MapRoot,
            FlagId::Hostname,
        ] {
            assert!(!LANDLOCK_ONLY_ALLOWS.contains(&id), "{id:?}");
            let flags = vec![(FlagId::LandlockOnly, None), (id, None)];
            assert!(refuse(&flags).is_err());
        }
        assert!(refuse(&[(FlagId::Pid, None)]).is_ok());
    }
}
