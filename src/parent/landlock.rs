//! The one Landlock ruleset of `--landlock-only` and of the TCP port rules,
//! built by the parent before clone (the child only enters it): the
//! filesystem rules, the network rules and the two scopes. Every right is
//! asked for at the running ABI, as a hard requirement: a kernel that lacks
//! one is an error line, never a weaker jail.

#![forbid(unsafe_code)]

use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use landlock::{
    ABI, AccessFs, AccessNet, BitFlags, CompatLevel, Compatible, NetPort, PathBeneath, Ruleset,
    RulesetAttr, RulesetCreated, RulesetCreatedAttr, Scope,
};

use crate::error::Error;
use crate::plan::isolation::SCOPES_ABI;
use crate::plan::landlock::{NET_ABI, Plan, TRUNCATE_ABI};
use crate::plan::spec::Spec;

/// Directories of /dev that hold no device nodes, or shared state that
/// `--ro` keeps read-only: no write rule for them.
const DEV_SKIP: &[&str] = &["shm", "mqueue", "hugepages"];

fn err(what: impl std::fmt::Display) -> Error {
    Error::usage(format!("create the Landlock ruleset: {what}"))
}

/// The kernel lacks what the options need: one line naming the option.
fn check_abi(spec: &Spec, abi: i32) -> Result<(), Error> {
    let plan = &spec.landlock;
    let have = |need: i32, what: &str| -> Result<(), Error> {
        if abi >= need {
            return Ok(());
        }
        let kernel = if abi == 0 {
            "this kernel has no Landlock (not built in, or not in the lsm= boot parameter)"
                .to_string()
        } else {
            format!("this kernel has Landlock ABI {abi}")
        };
        Err(Error::usage(format!(
            "{what} needs Landlock ABI {need}; {kernel}"
        )))
    };
    if plan.only {
        have(1, "--landlock-only")?;
        if plan.ro {
            have(TRUNCATE_ABI, "--landlock-only --ro (truncate control)")?;
        }
        if plan.deny_tcp {
            have(
                NET_ABI,
                "--landlock-only --net (TCP bind and connect control)",
            )?;
        }
        if !spec.share_ipc_scope && abi < SCOPES_ABI {
            return have(
                SCOPES_ABI,
                "--landlock-only (the signal and abstract-socket scopes)",
            )
            .map_err(|e| {
                e.with_hint(Some(
                    "without them COMMAND can signal your processes and reach the host's \
                     abstract unix sockets; --share-ipc-scope runs it so"
                        .into(),
                ))
            });
        }
    }
    if !plan.connect_tcp.is_empty() {
        have(NET_ABI, "--connect-tcp")?;
    }
    if !plan.bind_tcp.is_empty() {
        have(NET_ABI, "--bind-tcp")?;
    }
    Ok(())
}

/// The ruleset COMMAND enters (None: nothing to handle), close-on-exec.
pub fn ruleset(spec: &Spec, abi: i32) -> Result<Option<OwnedFd>, Error> {
    check_abi(spec, abi)?;
    let plan = &spec.landlock;
    let level = ABI::from(abi);
    let scoped = !spec.share_ipc_scope && abi >= SCOPES_ABI;

    // Writes: every right that changes the filesystem at this ABI, but
    // device ioctls (a read-only mount does not stop them either, and
    // terminals need them).
    let mut write = AccessFs::from_write(level);
    write.remove(AccessFs::IoctlDev);
    let read = AccessFs::from_read(level);
    let hide = !plan.hide.is_empty();
    let mut fs = BitFlags::<AccessFs>::empty();
    if plan.only && (plan.ro || hide) {
        fs |= write;
    }
    if plan.only && hide {
        fs |= read;
    }
    let mut net = BitFlags::<AccessNet>::empty();
    if plan.handles_connect() {
        net |= AccessNet::ConnectTcp;
    }
    if plan.handles_bind() {
        net |= AccessNet::BindTcp;
    }
    if fs.is_empty() && net.is_empty() && !scoped {
        return Ok(None);
    }

    let mut rs = Ruleset::default().set_compatibility(CompatLevel::HardRequirement);
    if !fs.is_empty() {
        rs = rs.handle_access(fs).map_err(err)?;
    }
    if !net.is_empty() {
        rs = rs.handle_access(net).map_err(err)?;
    }
    if scoped {
        rs = rs
            .scope(Scope::Signal | Scope::AbstractUnixSocket)
            .map_err(err)?;
    }
    let mut rs = rs.create().map_err(err)?;

    if !fs.is_empty() {
        let rules = fs_rules(plan, fs, write, read)?;
        for (path, fd, access) in rules {
            rs = add_path(rs, fd, access, &path)?;
        }
    }
    if plan.handles_connect() {
        for &port in &plan.connect_tcp {
            rs = rs
                .add_rule(NetPort::new(port, AccessNet::ConnectTcp))
                .map_err(err)?;
        }
    }
    if plan.handles_bind() {
        for &port in &plan.bind_tcp {
            rs = rs
                .add_rule(NetPort::new(port, AccessNet::BindTcp))
                .map_err(err)?;
        }
    }
    Ok(rs.into())
}

fn add_path(
    rs: RulesetCreated,
    fd: OwnedFd,
    access: BitFlags<AccessFs>,
    path: &Path,
) -> Result<RulesetCreated, Error> {
    // Rights a file cannot have (directory ones) are left out for files.
    let is_dir = rustix::fs::fstat(&fd).is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFDIR);
    let access = if is_dir {
        access
    } else {
        access & AccessFs::from_file(ABI::V9)
    };
    if access.is_empty() {
        return Ok(rs);
    }
    rs.add_rule(PathBeneath::new(fd, access))
        .map_err(|e| err(format!("{}: {e}", path.display())))
}

/// Open `path` for a rule, without following a symlink at its end.
fn open_path(path: &Path) -> Result<OwnedFd, rustix::io::Errno> {
    use rustix::fs::{Mode, OFlags};
    rustix::fs::open(
        path,
        OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// Whether `p` is at, below or above one of `hidden`.
fn touches(p: &Path, hidden: &[PathBuf]) -> bool {
    hidden.iter().any(|h| p.starts_with(h) || h.starts_with(p))
}

type Rule = (PathBuf, OwnedFd, BitFlags<AccessFs>);

/// The filesystem rules: `fs` is what the ruleset handles.
fn fs_rules(
    plan: &Plan,
    fs: BitFlags<AccessFs>,
    write: BitFlags<AccessFs>,
    read: BitFlags<AccessFs>,
) -> Result<Vec<Rule>, Error> {
    let mut rules: Vec<Rule> = Vec::new();
    let mut push = |rules: &mut Vec<Rule>, path: PathBuf, access: BitFlags<AccessFs>| {
        match open_path(&path) {
            Ok(fd) => {
                rules.push((path, fd, access & fs));
                Ok(())
            }
            // Gone meanwhile: nothing to allow there.
            Err(rustix::io::Errno::NOENT) => Ok(()),
            Err(e) => Err(Error::sys(
                format!("--landlock-only: open {}", path.display()),
                e.raw_os_error(),
            )),
        }
    };
    // Only the outermost of nested hidden paths counts.
    let hidden: Vec<PathBuf> = plan
        .hide
        .iter()
        .filter(|h| !plan.hide.iter().any(|o| o != *h && h.starts_with(o)))
        .cloned()
        .collect();
    // What each place gets: everything but the hidden paths is readable;
    // writable too without --ro.
    let everywhere = if plan.ro { read } else { read | write };
    // Without --hide nothing read is handled, and only --ro handles
    // writes: no rule on / at all.
    if !hidden.is_empty() {
        hide_rules(&hidden, everywhere, read, &mut rules, &mut push)?;
    }
    if plan.ro {
        let file_write = AccessFs::WriteFile | AccessFs::Truncate;
        for rw in &plan.rw {
            push(&mut rules, rw.clone(), read | write)?;
        }
        // A read-only mount does not stop writes to device nodes, nor to
        // the kernel's files under /proc (the caller's processes are out
        // of reach: Landlock refuses ptrace access to them).
        for p in dev_nodes() {
            if !touches(&p, &hidden) {
                push(&mut rules, p, file_write)?;
            }
        }
        if !touches(Path::new("/proc"), &hidden) {
            push(&mut rules, "/proc".into(), file_write)?;
        }
    }
    Ok(rules)
}

/// Landlock allows, it cannot deny: to hide PATH, every directory on the
/// way to it gets only the right to list it, and every other entry of
/// those directories (a sibling of the way) gets `sibling` beneath it.
/// Rules hold inodes: a hidden file renamed or linked elsewhere keeps no
/// rule (and REFER, handled, refuses the moves that would add one).
fn hide_rules(
    hidden: &[PathBuf],
    sibling: BitFlags<AccessFs>,
    read: BitFlags<AccessFs>,
    rules: &mut Vec<Rule>,
    push: &mut impl FnMut(&mut Vec<Rule>, PathBuf, BitFlags<AccessFs>) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut ways: Vec<PathBuf> = Vec::new();
    for h in hidden {
        for a in h.ancestors().skip(1) {
            if !ways.iter().any(|w| w == a) {
                ways.push(a.to_path_buf());
            }
        }
    }
    for way in &ways {
        push(rules, way.clone(), read & AccessFs::ReadDir)?;
        let entries = std::fs::read_dir(way).map_err(|e| {
            Error::sys(
                format!("--hide: list {}", way.display()),
                e.raw_os_error().unwrap_or(libc::EIO),
            )
        })?;
        for entry in entries.flatten() {
            let p = entry.path();
            if hidden.contains(&p) || ways.contains(&p) {
                continue;
            }
            // A symlink needs no rule: Landlock checks where it leads.
            if entry.file_type().is_ok_and(|t| t.is_symlink()) {
                continue;
            }
            push(rules, p, sibling)?;
        }
    }
    Ok(())
}

/// The device nodes directly in /dev and the directories of them (pts,
/// snd, dri, ...), for the write rule of `--ro`.
fn dev_nodes() -> Vec<PathBuf> {
    use std::os::unix::fs::FileTypeExt;
    let Ok(entries) = std::fs::read_dir("/dev") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| {
            let Ok(t) = e.file_type() else { return false };
            let skip = DEV_SKIP.iter().any(|s| e.file_name() == *s);
            t.is_char_device() || t.is_block_device() || (t.is_dir() && !skip)
        })
        .map(|e| e.path())
        .collect()
}
