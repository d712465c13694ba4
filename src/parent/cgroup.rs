//! cgroup v2 placement (`--cgroup-v2`, `--memory`, `--pids`,
//! `--cpu-weight`): the parent makes a child cgroup of its own, moves the
//! clone child into it before "go", and once COMMAND is done kills what is
//! left (cgroup.kill) and removes it.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use crate::error::Error;

use crate::plan::cgroup::HINT;
pub use crate::plan::cgroup::Plan;

/// The jail's own cgroup.
pub fn path(plan: &Plan, pid: libc::pid_t) -> PathBuf {
    plan.parent.join(format!("jail-{pid}"))
}

fn write(dir: &Path, file: &str, value: &str) -> Result<(), Error> {
    std::fs::write(dir.join(file), value).map_err(|e| {
        Error::sys(
            format!("write {value} to {}", dir.join(file).display()),
            e.raw_os_error().unwrap_or(libc::EIO),
        )
    })
}

/// Create the cgroup, move `pid` into it and set its limits. On failure
/// with `pid` moved, the caller kills it and calls `remove`.
pub fn place(plan: &Plan, pid: libc::pid_t) -> Result<(), Error> {
    let dir = path(plan, pid);
    std::fs::create_dir(&dir).map_err(|e| {
        Error::sys(
            format!("create cgroup {}", dir.display()),
            e.raw_os_error().unwrap_or(libc::EIO),
        )
    })?;
    let r = (|| {
        // The child first: the caller's cgroup may enable controllers only
        // once no process is left in it but jail.
        write(&dir, "cgroup.procs", &pid.to_string())?;
        let mut enable = String::new();
        for (want, name) in [
            (plan.memory.is_some(), "+memory"),
            (plan.pids.is_some(), "+pids"),
            (plan.cpu_weight.is_some(), "+cpu"),
        ] {
            if want {
                enable.push_str(name);
                enable.push(' ');
            }
        }
        if !enable.is_empty() {
            let on = std::fs::read_to_string(plan.parent.join("cgroup.subtree_control"))
                .unwrap_or_default();
            let missing = enable
                .split_whitespace()
                .any(|c| !on.split_whitespace().any(|o| o == &c[1..]));
            if missing {
                enable_controllers(plan, pid, enable.trim_end())?;
            }
        }
        if let Some(m) = plan.memory {
            write(&dir, "memory.max", &m.to_string())?;
            // No swap either, so that the limit holds.
            let _ = std::fs::write(dir.join("memory.swap.max"), "0");
        }
        if let Some(p) = plan.pids {
            write(&dir, "pids.max", &p.to_string())?;
        }
        if let Some(w) = plan.cpu_weight {
            write(&dir, "cpu.weight", &w.to_string())?;
        }
        Ok(())
    })();
    if r.is_err() && std::fs::remove_dir(&dir).is_ok() {
        undo_enable(plan, pid);
    }
    // Otherwise the child is in it: the caller kills it, then `remove`.
    r
}

/// What `enable_controllers` changed, to undo it in `remove`: the
/// controllers it enabled, and whether jail moved itself to a leaf.
static ENABLED: std::sync::Mutex<Option<(String, bool)>> = std::sync::Mutex::new(None);

/// The leaf jail itself moves to when it shares the caller's cgroup.
fn own_leaf(plan: &Plan, pid: libc::pid_t) -> PathBuf {
    plan.parent.join(format!("jail-{pid}-parent"))
}

/// Enable `list` (`+memory +pids`) for the caller's cgroup's children. A
/// cgroup with processes of its own cannot (EBUSY, the kernel's "no
/// internal processes" rule), and jail itself is one of them when the
/// caller's cgroup is a scope made for it: jail then moves itself to a
/// leaf of its own first.
fn enable_controllers(plan: &Plan, pid: libc::pid_t, list: &str) -> Result<(), Error> {
    let control = plan.parent.join("cgroup.subtree_control");
    let mut moved = false;
    if let Err(e) = std::fs::write(&control, list) {
        if e.raw_os_error() != Some(libc::EBUSY) {
            return Err(Error::sys(
                format!("enable {list} in {}", control.display()),
                e.raw_os_error().unwrap_or(libc::EIO),
            )
            .with_hint(Some(HINT.into())));
        }
        let leaf = own_leaf(plan, pid);
        let _ = std::fs::create_dir(&leaf);
        write(&leaf, "cgroup.procs", &std::process::id().to_string())?;
        moved = true;
        if let Err(e) = std::fs::write(&control, list) {
            let _ = std::fs::write(
                plan.parent.join("cgroup.procs"),
                std::process::id().to_string(),
            );
            let _ = std::fs::remove_dir(&leaf);
            return Err(Error::sys(
                format!(
                    "enable {list} in {} (other processes share the caller's cgroup)",
                    control.display()
                ),
                e.raw_os_error().unwrap_or(libc::EIO),
            )
            .with_hint(Some(HINT.into())));
        }
    }
    *ENABLED.lock().unwrap_or_else(|e| e.into_inner()) = Some((list.to_string(), moved));
    Ok(())
}

/// Undo `enable_controllers`: disable what it enabled and move jail back
/// to the caller's cgroup, unless another cgroup there (another jail's)
/// may still use the controllers. Then jail stays in its leaf, empty once
/// it exits, and the last jail to finish removes such leaves.
fn undo_enable(plan: &Plan, pid: libc::pid_t) {
    let Some((list, moved)) = ENABLED.lock().unwrap_or_else(|e| e.into_inner()).take() else {
        return;
    };
    let own = own_leaf(plan, pid);
    let others = || -> Vec<PathBuf> {
        std::fs::read_dir(&plan.parent)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .filter(|p| *p != own)
            .collect()
    };
    // An empty cgroup can be removed; one with a process in it cannot.
    for p in others() {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with("jail-") && name.ends_with("-parent") {
            let _ = std::fs::remove_dir(&p);
        }
    }
    if !others().is_empty() {
        return;
    }
    let off = list.replace('+', "-");
    let _ = std::fs::write(plan.parent.join("cgroup.subtree_control"), off);
    if moved {
        let _ = std::fs::write(
            plan.parent.join("cgroup.procs"),
            std::process::id().to_string(),
        );
        let _ = std::fs::remove_dir(own);
    }
}

/// COMMAND is done and the jail reaped: end whatever is left in the
/// cgroup and remove it.
pub fn remove(plan: &Plan, pid: libc::pid_t) {
    let dir = path(plan, pid);
    let procs = dir.join("cgroup.procs");
    for _ in 0..200 {
        if std::fs::remove_dir(&dir).is_ok() {
            undo_enable(plan, pid);
            return;
        }
        // cgroup.kill (Linux 5.14) ends it all in one step; before that,
        // SIGKILL each process listed.
        if std::fs::write(dir.join("cgroup.kill"), "1").is_err() {
            for p in std::fs::read_to_string(&procs).unwrap_or_default().lines() {
                if let Ok(p) = p.trim().parse::<libc::pid_t>() {
                    let _ = crate::parent::spawn::kill(p, libc::SIGKILL);
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    eprintln!("jail: cannot remove cgroup {}", dir.display());
}
