//! The one Landlock ruleset of `--landlock-only` and of the TCP port rules,
//! built by the parent before clone (the child only enters it): the
//! filesystem rules, the network rules and the two scopes. Every right is
//! asked for at the running ABI (`check_abi` first refuses options the
//! kernel cannot honour), so a rule the kernel refuses is an error line,
//! never a weaker jail.

#![forbid(unsafe_code)]

use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use crate::child::landlock::{self as ll, fs as right};
use crate::error::Error;
use crate::plan::isolation::SCOPES_ABI;
use crate::plan::landlock::{NET_ABI, Plan, TRUNCATE_ABI};
use crate::plan::spec::Spec;

/// Directories of /dev that hold no device nodes, or shared state that
/// `--ro` keeps read-only: no write rule for them.
const DEV_SKIP: &[&str] = &["shm", "mqueue", "hugepages"];

/// The rights that change the filesystem at `abi`, but device ioctls (a
/// read-only mount does not stop them either, and terminals need them).
fn write_rights(abi: i32) -> u64 {
    let mut w = right::WRITE_FILE
        | right::REMOVE_DIR
        | right::REMOVE_FILE
        | right::MAKE_CHAR
        | right::MAKE_DIR
        | right::MAKE_REG
        | right::MAKE_SOCK
        | right::MAKE_FIFO
        | right::MAKE_BLOCK
        | right::MAKE_SYM;
    for (need, r) in [
        (2, right::REFER),
        (TRUNCATE_ABI, right::TRUNCATE),
        (crate::plan::landlock::RESOLVE_UNIX_ABI, right::RESOLVE_UNIX),
    ] {
        if abi >= need {
            w |= r;
        }
    }
    w
}

/// Reading: open files and directories, and execute.
const READ: u64 = right::EXECUTE | right::READ_FILE | right::READ_DIR;

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
    let scoped = !spec.share_ipc_scope && abi >= SCOPES_ABI;
    let write = write_rights(abi);
    let hide = !plan.hide.is_empty();
    let mut fs = 0;
    if plan.only && (plan.ro || hide) {
        fs |= write;
    }
    if plan.only && hide {
        fs |= READ;
    }
    // --landlock-only needs a Landlock domain even with no rule to keep
    // (--share-ipc-scope alone): the domain is what refuses COMMAND ptrace
    // and /proc/PID/mem of the caller's other processes, which no user
    // namespace separates here. Creating block devices takes CAP_MKNOD,
    // which COMMAND never has: handling it changes nothing else.
    if plan.only && fs == 0 {
        fs = right::MAKE_BLOCK;
    }
    let mut net = 0;
    if plan.handles_connect() {
        net |= ll::CONNECT_TCP;
    }
    if plan.handles_bind() {
        net |= ll::BIND_TCP;
    }
    if fs == 0 && net == 0 && !scoped {
        return Ok(None);
    }
    let failed = |what: String, e: i32| Error::sys(format!("Landlock: {what}"), e);
    let scopes = if scoped { ll::SCOPES } else { 0 };
    let rs =
        ll::create_ruleset(fs, net, scopes).map_err(|e| failed("create the ruleset".into(), e))?;
    if fs != 0 {
        for (path, fd, access) in fs_rules(plan, fs, write, READ)? {
            // A file takes no directory rights.
            let is_dir =
                rustix::fs::fstat(&fd).is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFDIR);
            let access = if is_dir { access } else { access & right::FILE };
            if access != 0 {
                ll::add_path_rule(rs.as_fd(), fd.as_fd(), access)
                    .map_err(|e| failed(format!("add a rule for {}", path.display()), e))?;
            }
        }
    }
    for (ports, access, flag) in [
        (&plan.connect_tcp, ll::CONNECT_TCP, "--connect-tcp"),
        (&plan.bind_tcp, ll::BIND_TCP, "--bind-tcp"),
    ] {
        if access & net == 0 {
            continue;
        }
        for &port in ports {
            ll::add_port_rule(rs.as_fd(), port, access)
                .map_err(|e| failed(format!("{flag} {port}"), e))?;
        }
    }
    Ok(Some(rs))
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

type Rule = (PathBuf, OwnedFd, u64);

/// The filesystem rules: `fs` is what the ruleset handles.
fn fs_rules(plan: &Plan, fs: u64, write: u64, read: u64) -> Result<Vec<Rule>, Error> {
    let mut rules: Vec<Rule> = Vec::new();
    let mut push = |rules: &mut Vec<Rule>, path: PathBuf, access: u64| {
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
        let file_write = right::WRITE_FILE | right::TRUNCATE;
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
    sibling: u64,
    read: u64,
    rules: &mut Vec<Rule>,
    push: &mut impl FnMut(&mut Vec<Rule>, PathBuf, u64) -> Result<(), Error>,
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
        push(rules, way.clone(), read & right::READ_DIR)?;
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

/// The device nodes directly in /dev that the caller may write, and the
/// directories of them (pts, snd, dri, ...), for the write rule of `--ro`.
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
            let device = t.is_char_device() || t.is_block_device();
            // Only what the caller may write: one rule each costs an open
            // and a system call, and /dev has a hundred nodes or more.
            let writable = || {
                use rustix::fs::{Access, AtFlags, CWD};
                rustix::fs::accessat(CWD, e.path(), Access::WRITE_OK, AtFlags::EACCESS).is_ok()
            };
            (device && writable()) || (t.is_dir() && !skip)
        })
        .map(|e| e.path())
        .collect()
}
