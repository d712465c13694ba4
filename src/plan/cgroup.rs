//! cgroup v2 placement (`--cgroup-v2`, `--memory`, `--pids`,
//! `--cpu-weight`): what the options ask for, and the caller's cgroup,
//! checked before anything starts. The parent places the jail
//! (`parent::cgroup`).

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use crate::error::Error;

/// What the options ask for, validated by the plan.
#[derive(Default, Clone)]
pub struct Plan {
    /// The caller's own cgroup directory (`MOUNT/PATH` of `0::/PATH`).
    pub parent: PathBuf,
    /// memory.max in bytes, pids.max, cpu.weight.
    pub memory: Option<u64>,
    pub pids: Option<u64>,
    pub cpu_weight: Option<u64>,
}

pub(crate) const HINT: &str = "without a delegated cgroup v2 subtree, start jail in one: systemd-run --user \
                    --scope -p MemoryMax=1G -p TasksMax=100 jail ...";

fn no_delegation(why: String) -> Error {
    Error::usage(format!("--cgroup-v2: {why}")).with_hint(Some(HINT.into()))
}

/// The caller's cgroup v2 directory, if the host has one it may write.
/// Checked before anything starts, so that the options fail in one line.
pub fn find(plan: &mut Plan) -> Result<(), Error> {
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let Some(rel) = own.lines().find_map(|l| l.strip_prefix("0::")) else {
        return Err(no_delegation("this host has no cgroup v2 hierarchy".into()));
    };
    let mount = Path::new("/sys/fs/cgroup");
    let v2 = rustix::fs::statfs(mount).is_ok_and(|s| s.f_type == libc::CGROUP2_SUPER_MAGIC);
    if !v2 {
        return Err(no_delegation(
            "/sys/fs/cgroup is not cgroup v2 (this host uses cgroup v1)".into(),
        ));
    }
    let dir = mount.join(rel.trim_start_matches('/'));
    use rustix::fs::{Access, access};
    if access(&dir, Access::WRITE_OK | Access::EXEC_OK).is_err()
        || access(dir.join("cgroup.procs"), Access::WRITE_OK).is_err()
    {
        return Err(no_delegation(format!(
            "the caller's cgroup {} is not delegated to it",
            dir.display()
        )));
    }
    let have = std::fs::read_to_string(dir.join("cgroup.controllers")).unwrap_or_default();
    for (want, name) in [
        (plan.memory.is_some(), "memory"),
        (plan.pids.is_some(), "pids"),
        (plan.cpu_weight.is_some(), "cpu"),
    ] {
        if want && !have.split_whitespace().any(|c| c == name) {
            return Err(no_delegation(format!(
                "the {name} controller is not delegated to {}",
                dir.display()
            )));
        }
    }
    plan.parent = dir;
    Ok(())
}
