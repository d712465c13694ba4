//! `--verbose`: what the jail is about to do, written by the parent before
//! clone (the child may not format): the namespaces, each mount of the
//! view, the nested lock; and, once written, the id maps.

#![forbid(unsafe_code)]

use std::ffi::{CStr, OsStr};
use std::os::unix::ffi::OsStrExt;

use crate::plan::mounts::{Op, OpKind};
use crate::plan::sockets::What;
use crate::plan::spec::{NAMESPACES, Spec};
use crate::sys;

fn names(flags: libc::c_int) -> String {
    NAMESPACES
        .iter()
        .filter(|(f, _, _)| flags & f != 0)
        .map(|(_, name, _)| *name)
        .collect::<Vec<_>>()
        .join(" ")
}

fn path(c: &CStr) -> std::borrow::Cow<'_, str> {
    OsStr::from_bytes(c.to_bytes()).to_string_lossy()
}

/// One op of the view, as a line: `jail: mount: tmpfs on /tmp (--tmpfs /tmp)`.
pub fn op_line(op: &Op) -> String {
    let dst = path(&op.dst);
    let what = match op.kind {
        OpKind::Bind { ro, .. } => format!(
            "bind {} on {dst}{}",
            path(&op.src),
            if ro { ", read-only" } else { "" }
        ),
        OpKind::Tmpfs => match &op.opts {
            // --perms and --size.
            Some(o) => format!("tmpfs on {dst}, {}", path(o)),
            None => format!("tmpfs on {dst}"),
        },
        OpKind::HideDir => format!("empty read-only tmpfs on {dst}"),
        OpKind::HideFile => format!("/dev/null on {dst}"),
        OpKind::Rw => format!("bind {dst} on itself, writable"),
        OpKind::Dev => format!("minimal /dev on {dst}"),
        OpKind::HostProc => format!("the host's /proc on {dst}"),
        OpKind::Cover(What::Runtime) => format!("private tmpfs over {dst}"),
        OpKind::Cover(What::Dir) => format!("empty read-only tmpfs over {dst}"),
        OpKind::Cover(What::File) => format!("/dev/null over socket {dst}"),
        OpKind::Shm => format!("private tmpfs on {dst}"),
        OpKind::Dir { mode } => format!("directory {dst}, mode {mode:04o}"),
        OpKind::Symlink => format!("symlink {dst} -> {}", path(&op.src)),
        OpKind::File { ro, mode } => format!(
            "file {dst}, {} bytes, mode {mode:04o}{}",
            op.content.len(),
            if ro { ", read-only" } else { "" }
        ),
        OpKind::Overlay { kept: false } => format!("overlay on {dst}, writes to a private tmpfs"),
        OpKind::Overlay { kept: true } => {
            format!("overlay on {dst}, writes to {}/upper", path(&op.src))
        }
    };
    format!("jail: mount: {what} ({})\n", op.shown)
}

/// The plan, before clone: namespaces, the view in the order it is built,
/// the nested lock.
pub fn plan(spec: &Spec) {
    let mut out = String::new();
    let ns = names(spec.clone_flags);
    let sep = if ns.is_empty() { "" } else { " " };
    if spec.landlock.only {
        out += &landlock_plan(&spec.landlock);
    } else {
        out += &format!("jail: namespaces: user{sep}{ns}\n");
    }
    if let Some(root) = &spec.fs.root {
        let root = path(root);
        out += &format!("jail: mount: bind {root} on / (--root {root})\n");
    }
    if spec.fs.empty_root {
        out += "jail: mount: empty tmpfs on / (--empty-root)\n";
    }
    for op in &spec.fs.ops {
        out += &op_line(op);
    }
    if spec.fs.ro {
        out += "jail: mount: every other mount read-only (--ro)\n";
    }
    if spec.pid_ns() {
        out += "jail: mount: fresh proc on /proc (PID namespace)\n";
    }
    if let Some(lock) = &spec.lock {
        let with = match names(lock.flags) {
            n if n.is_empty() => String::new(),
            n => format!(" with {n}"),
        };
        let view = lock.flags & libc::CLONE_NEWNS != 0;
        let why = match (view, spec.disable_userns) {
            (true, false) => "cannot unmount or remount the view",
            (true, true) => {
                "cannot unmount or remount the view, nor raise user.max_user_namespaces \
                 (--disable-userns)"
            }
            (false, _) => "cannot raise user.max_user_namespaces (--disable-userns)",
        };
        out += &format!(
            "jail: lock: nested user namespace{with}, so that COMMAND, root inside, {why}\n"
        );
    }
    for (ports, what) in [
        (&spec.landlock.connect_tcp, "connect"),
        (&spec.landlock.bind_tcp, "bind"),
    ] {
        if !ports.is_empty() {
            let list: Vec<String> = ports.iter().map(u16::to_string).collect();
            out += &format!(
                "jail: landlock: TCP {what} only to port {} (--{what}-tcp)\n",
                list.join(" ")
            );
        }
    }
    if let Some(set) = &spec.cpus {
        out += &format!(
            "jail: cpus: {} (--cpus)\n",
            crate::plan::cpus::describe(set)
        );
    }
    let _ = sys::write_all(2, out.as_bytes());
}

/// `--landlock-only`: no namespace, and the rules instead of the mounts.
fn landlock_plan(p: &crate::plan::landlock::Plan) -> String {
    let mut out = String::from("jail: namespaces: none (--landlock-only)\n");
    if p.ro {
        let rw: Vec<String> = p.rw.iter().map(|r| r.display().to_string()).collect();
        out += &format!(
            "jail: landlock: read-only but device nodes and /proc{}{}\n",
            if rw.is_empty() { "" } else { "; writable: " },
            rw.join(" ")
        );
    }
    for h in &p.hide {
        out += &format!(
            "jail: landlock: no read, exec or write under {}\n",
            h.display()
        );
    }
    if p.deny_tcp {
        out += "jail: landlock: no TCP bind or connect (--net)\n";
    }
    out
}

/// The one-line maps the parent wrote (subordinate maps are shown by
/// their helper's line).
pub fn maps(spec: &Spec) {
    let sub = spec.subids.as_ref();
    let mut out = String::new();
    if sub.is_none_or(|s| s.uid_map.is_none()) {
        out += &format!("jail: uid_map: {}", spec.uid_map());
    }
    if sub.is_none_or(|s| s.gid_map.is_none()) {
        out += &format!("jail: gid_map: {}", spec.gid_map());
        out += "jail: setgroups: deny\n";
    }
    for m in sub
        .into_iter()
        .flat_map(|s| [&s.uid_map, &s.gid_map])
        .flatten()
    {
        let lines: Vec<String> = m
            .lines
            .iter()
            .map(|r| format!("{} {} {}", r.inner, r.outer, r.count))
            .collect();
        out += &format!("jail: {}: {}\n", m.kind.helper(), lines.join(", "));
    }
    let _ = sys::write_all(2, out.as_bytes());
}
