//! What a jail isolates, as facts: the single source of `--explain`,
//! `--strict` and the skipped-protection lines of `-v`. The plan decides
//! them from the validated spec and a few facts about this kernel, which
//! the parent probes (plan cannot reach the child's Landlock code).

#![forbid(unsafe_code)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::plan::mounts::OpKind;
use crate::plan::sockets::What;
use crate::plan::spec::Spec;

/// The first Landlock ABI with the signal and abstract-socket scopes.
pub const SCOPES_ABI: i32 = 6;

/// What this kernel offers, as the parent found it.
pub struct Kernel {
    /// The Landlock ABI (0: none).
    pub landlock_abi: i32,
    /// Whether the kernel has seccomp filters.
    pub seccomp: bool,
    /// Whether keyctl(2) works here (no seccomp filter refuses it).
    pub keyctl: bool,
    /// The sysctls that decide user namespaces, as `name = value, ...`.
    pub knobs: String,
}

/// One concern: what COMMAND gets, and what protection the options imply
/// but this kernel cannot give.
pub struct Fact {
    pub concern: &'static str,
    pub isolated: bool,
    /// In plain words.
    pub line: String,
    /// The protection that is skipped here, and why.
    pub skipped: Option<String>,
}

fn fact(concern: &'static str, isolated: bool, line: String) -> Fact {
    Fact {
        concern,
        isolated,
        line,
        skipped: None,
    }
}

fn list(paths: &[String]) -> String {
    paths.join(" ")
}

/// Whether the Landlock scopes are applied.
pub fn scoped(spec: &Spec, k: &Kernel) -> bool {
    !spec.share_ipc_scope && k.landlock_abi >= SCOPES_ABI
}

fn scopes_skipped(spec: &Spec, k: &Kernel) -> Option<String> {
    (!spec.share_ipc_scope && k.landlock_abi < SCOPES_ABI).then(|| {
        format!(
            "Landlock signal and abstract-socket scopes (need Landlock ABI {SCOPES_ABI}, \
             this kernel has {})",
            k.landlock_abi
        )
    })
}

fn filesystem(spec: &Spec) -> Fact {
    let (mut writable, mut private, mut hidden, mut readonly) = (vec![], vec![], vec![], vec![]);
    let mut layered = vec![];
    for op in &spec.fs.ops {
        let dst = OsStr::from_bytes(op.dst.to_bytes())
            .to_string_lossy()
            .into_owned();
        match op.kind {
            OpKind::Rw => writable.push(dst),
            OpKind::Bind { ro: false, .. } => writable.push(dst),
            OpKind::Bind { ro: true, .. } => readonly.push(dst),
            OpKind::Tmpfs | OpKind::Shm | OpKind::Cover(What::Runtime) => private.push(dst),
            OpKind::Dev => private.push(format!("{dst} (minimal)")),
            OpKind::HideDir | OpKind::HideFile => hidden.push(dst),
            OpKind::Cover(_) | OpKind::HostProc => {}
            OpKind::Dir { .. } | OpKind::Symlink | OpKind::File { ro: false, .. } => {}
            OpKind::File { ro: true, .. } => readonly.push(dst),
            OpKind::Overlay { kept: false } => layered.push(format!("{dst} (thrown away)")),
            OpKind::Overlay { kept: true } => layered.push(format!(
                "{dst} (kept in {}/upper)",
                OsStr::from_bytes(op.src.to_bytes()).to_string_lossy()
            )),
        }
    }
    if !spec.mount_ns()
        || (!spec.fs.new_root()
            && !spec.fs.ro
            && [&writable, &private, &hidden, &readonly, &layered]
                .iter()
                .all(|v| v.is_empty()))
    {
        return fact(
            "filesystem",
            false,
            "the caller's files, writable as for the caller (no --ro, --root or mount option)"
                .into(),
        );
    }
    let mut parts = vec![];
    if spec.fs.empty_root {
        parts.push("root is an empty tmpfs (--empty-root)".to_string());
    }
    if let Some(root) = &spec.fs.root {
        parts.push(format!(
            "root is {}",
            OsStr::from_bytes(root.to_bytes()).to_string_lossy()
        ));
    }
    parts.push(
        if spec.fs.ro {
            "read-only"
        } else {
            "writable as for the caller"
        }
        .to_string(),
    );
    if !writable.is_empty() {
        parts.push(format!("writable: {}", list(&writable)));
    }
    if !readonly.is_empty() && !spec.fs.ro {
        parts.push(format!("read-only: {}", list(&readonly)));
    }
    if !private.is_empty() {
        parts.push(format!("private and empty: {}", list(&private)));
    }
    if !hidden.is_empty() {
        parts.push(format!("hidden: {}", list(&hidden)));
    }
    if !layered.is_empty() {
        parts.push(format!(
            "writes off the host in an overlay: {}",
            list(&layered)
        ));
    }
    // Only --ro or --root keep COMMAND from writing the caller's files.
    let isolated = spec.fs.ro || spec.fs.new_root();
    fact("filesystem", isolated, parts.join("; "))
}

/// The facts, one per concern, in the order `--explain` prints them.
pub fn facts(spec: &Spec, k: &Kernel) -> Vec<Fact> {
    let flags = spec.clone_flags;
    let mut out = vec![filesystem(spec)];
    let mut network = if spec.net() {
        fact(
            "network",
            true,
            "no access: only a loopback device of its own".into(),
        )
    } else {
        fact("network", false, "the caller's network (no --net)".into())
    };
    // --connect-tcp, --bind-tcp (Landlock ABI 4).
    for (ports, what) in [
        (&spec.landlock.connect_tcp, "connect"),
        (&spec.landlock.bind_tcp, "bind"),
    ] {
        if !ports.is_empty() {
            let list: Vec<String> = ports.iter().map(u16::to_string).collect();
            network.line += &format!("; TCP {what} only to port {}", list.join(" "));
        }
    }
    out.push(network);
    let mut procs = if spec.pid_ns() {
        fact(
            "processes",
            true,
            "sees and signals only its own processes (own PID namespace)".into(),
        )
    } else if scoped(spec, k) {
        fact(
            "processes",
            false,
            "sees the caller's processes (no --pid), cannot signal those outside the jail".into(),
        )
    } else {
        fact(
            "processes",
            false,
            format!(
                "sees and can signal the caller's processes (no --pid; {})",
                if spec.share_ipc_scope {
                    "--share-ipc-scope".to_string()
                } else {
                    format!("Landlock ABI {} has no signal scope", k.landlock_abi)
                }
            ),
        )
    };
    procs.skipped = scopes_skipped(spec, k);
    out.push(procs);
    out.push(if flags & libc::CLONE_NEWIPC != 0 {
        fact(
            "IPC",
            true,
            "its own System V IPC and POSIX message queues".into(),
        )
    } else {
        fact(
            "IPC",
            false,
            "the caller's System V IPC and POSIX message queues (no --ipc or --ro)".into(),
        )
    });
    let abstract_ = if spec.net() {
        "abstract sockets: its own (--net)".to_string()
    } else if scoped(spec, k) {
        "abstract sockets: cannot reach the host's".to_string()
    } else {
        "abstract sockets: can reach the host's (no --net)".to_string()
    };
    let pathname = match &spec.fs.sockets {
        Some(_) => "host services' sockets covered by mounts".to_string(),
        None if spec.fs.new_root() => "only the sockets under the new root".to_string(),
        None => "can reach host services' sockets in the files it sees (no --ro)".to_string(),
    };
    let sockets_isolated =
        (spec.net() || scoped(spec, k)) && (spec.fs.sockets.is_some() || spec.fs.new_root());
    let mut sockets = fact(
        "unix sockets",
        sockets_isolated,
        format!("{abstract_}; {pathname}"),
    );
    if let Some(c) = &spec.fs.sockets
        && c.listed == crate::plan::sockets::Listed::Nothing
    {
        sockets.skipped = Some(
            "covering every listening socket of the caller's (neither sock_diag nor \
             /proc/net/unix could be read: only the well-known places are covered)"
                .into(),
        );
    }
    out.push(sockets);
    let mut keys = if k.keyctl {
        fact(
            "keyrings",
            true,
            "a new empty session keyring; keyctl(2) refused".into(),
        )
    } else {
        fact(
            "keyrings",
            true,
            "no keyctl(2) here: no keyring reachable".into(),
        )
    };
    if !k.keyctl {
        keys.skipped = Some("a new session keyring (keyctl(2) refused here)".into());
    }
    out.push(keys);
    out.push(if k.seccomp {
        fact(
            "terminal input",
            true,
            "cannot push input into the caller's terminal (TIOCSTI blocked)".into(),
        )
    } else {
        Fact {
            skipped: Some("the seccomp filter (no seccomp on this kernel)".into()),
            ..fact(
                "terminal input",
                false,
                "no seccomp on this kernel: jail cannot run".into(),
            )
        }
    });
    if let Some(n) = std::num::NonZeroUsize::new(spec.seccomp.len()) {
        out.push(fact(
            "system calls",
            true,
            format!(
                "also filtered by {n} --seccomp program{}, on top of jail's filter",
                if n.get() == 1 { "" } else { "s" }
            ),
        ));
    }
    let who = if let Some(s) = &spec.subids {
        format!("uid {} with the caller's subordinate ids", s.run_uid)
    } else {
        format!("uid {} gid {}", spec.uid_inside, spec.gid_inside)
    };
    let mut powers = match (spec.map_root, spec.caps) {
        (false, _) => "no capabilities".to_string(),
        (true, Some(0)) => "no capabilities (--cap-drop ALL)".to_string(),
        (true, None) => "root's powers only over the jail's own namespaces".to_string(),
        (true, Some(keep)) => {
            use crate::plan::caps::{ALL, names};
            let dropped = ALL & !keep;
            let which = if dropped.count_ones() < keep.count_ones() {
                format!("all but {}", names(dropped))
            } else {
                names(keep)
            };
            format!("root's powers only over the jail's own namespaces, capabilities: {which}")
        }
    };
    if spec.disable_userns {
        powers += "; no user namespaces of its own (--disable-userns)";
    }
    out.push(fact(
        "ids",
        true,
        format!("{who} inside; outside, only the caller's rights; {powers}"),
    ));
    // Resource limits: --rlimit, the cgroup of --cgroup-v2, --cpus.
    let mut limits: Vec<String> = spec
        .rlimits
        .iter()
        .map(|r| {
            format!(
                "{}={}",
                crate::plan::rlimit::name_of(r.resource),
                if r.soft == u64::MAX {
                    "unlimited".to_string()
                } else {
                    r.soft.to_string()
                }
            )
        })
        .collect();
    if let Some(cg) = &spec.cgroup {
        limits.push("a cgroup of its own".into());
        let named = [
            ("memory", cg.memory),
            ("pids", cg.pids),
            ("cpu.weight", cg.cpu_weight),
        ];
        for (name, v) in named {
            if let Some(v) = v {
                limits.push(format!("{name} {v}"));
            }
        }
    }
    if spec.cpus.is_some() {
        limits.push("pinned to --cpus (COMMAND may widen it within the caller's)".into());
    }
    out.push(if limits.is_empty() {
        fact(
            "limits",
            false,
            "the caller's resource limits (no --rlimit, --cgroup-v2 or --cpus)".into(),
        )
    } else {
        fact("limits", true, limits.join(", "))
    });
    out.push(if flags & libc::CLONE_NEWUTS != 0 {
        fact("hostname", true, "its own".into())
    } else {
        fact(
            "hostname",
            false,
            "the caller's (no --uts or --hostname)".into(),
        )
    });
    if spec.landlock.only {
        landlock_only(spec, k, &mut out);
    }
    out
}

/// `--landlock-only`: no namespace, so the facts that namespaces decide
/// are the Landlock rules' instead.
fn landlock_only(spec: &Spec, k: &Kernel, out: &mut [Fact]) {
    use crate::plan::landlock::RESOLVE_UNIX_ABI;
    let p = &spec.landlock;
    let paths = |v: &[std::path::PathBuf]| -> String {
        v.iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let scoped = scoped(spec, k);
    for f in out.iter_mut() {
        let new = match f.concern {
            "filesystem" => {
                let mut parts = vec![if p.ro {
                    "read-only (Landlock); writable: device nodes the caller may write, /proc"
                        .to_string()
                } else {
                    "the caller's files, writable as for the caller (no --ro)".to_string()
                }];
                if p.ro && !p.rw.is_empty() {
                    parts[0] += &format!(", {}", paths(&p.rw));
                }
                if !p.hide.is_empty() {
                    parts.push(format!(
                        "unreadable (names still listed): {}",
                        paths(&p.hide)
                    ));
                }
                Some((p.ro, parts.join("; ")))
            }
            "network" => {
                let mut line = if p.deny_tcp {
                    "no TCP bind or connect (Landlock); UDP, ICMP and other sockets reach the \
                     caller's network"
                        .to_string()
                } else {
                    "the caller's network (no --net)".to_string()
                };
                for (ports, what) in [(&p.connect_tcp, "connect"), (&p.bind_tcp, "bind")] {
                    if !ports.is_empty() {
                        let list: Vec<String> = ports.iter().map(u16::to_string).collect();
                        line += &format!("; TCP {what} only to port {}", list.join(" "));
                    }
                }
                Some((false, line))
            }
            "processes" => Some((
                false,
                if scoped {
                    "sees the caller's processes (no PID namespace), cannot signal or ptrace \
                     those outside the jail"
                } else {
                    "sees and can signal the caller's processes (--share-ipc-scope)"
                }
                .to_string(),
            )),
            "IPC" => Some((
                false,
                "the caller's System V IPC, POSIX message queues and /dev/shm (no namespaces)"
                    .to_string(),
            )),
            "unix sockets" => Some((
                false,
                format!(
                    "abstract sockets: {}; {}",
                    if scoped {
                        "cannot reach the host's"
                    } else {
                        "can reach the host's"
                    },
                    if p.ro && k.landlock_abi >= RESOLVE_UNIX_ABI {
                        "pathname sockets only under --rw"
                    } else {
                        "can reach host services' sockets in the files it sees"
                    }
                ),
            )),
            "ids" => Some((
                true,
                "the caller's uid and gid (no user namespace); no capabilities".to_string(),
            )),
            "hostname" => Some((false, "the caller's (no namespaces)".to_string())),
            _ => None,
        };
        if let Some((isolated, line)) = new {
            f.isolated = isolated;
            f.line = line;
        }
    }
}

/// `--explain`: one line per concern, then what stays shared.
pub fn explain(spec: &Spec, k: &Kernel) -> String {
    let facts = facts(spec, k);
    let mut out = String::new();
    for f in &facts {
        out += &format!("{:<15} {}\n", format!("{}:", f.concern), f.line);
    }
    let shared: Vec<_> = facts
        .iter()
        .filter(|f| !f.isolated)
        .map(|f| f.concern)
        .collect();
    out += &format!(
        "{:<15} {}\n",
        "shared:",
        if shared.is_empty() {
            "nothing of the above".to_string()
        } else {
            shared.join(", ")
        }
    );
    for f in facts.iter().filter_map(|f| f.skipped.as_ref()) {
        out += &format!("{:<15} {f}\n", "skipped:");
    }
    let sep = if k.knobs.is_empty() { "" } else { "; " };
    out += &format!(
        "{:<15} Landlock ABI {} (scopes need {SCOPES_ABI}), seccomp {}{sep}{}\n",
        "kernel:",
        k.landlock_abi,
        if k.seccomp { "yes" } else { "no" },
        k.knobs
    );
    out
}

/// The protections skipped here, for `--strict` and `-v`.
pub fn skipped(spec: &Spec, k: &Kernel) -> Vec<String> {
    facts(spec, k)
        .into_iter()
        .filter_map(|f| f.skipped)
        .collect()
}
