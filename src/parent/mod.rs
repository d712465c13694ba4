//! The parent: clone, the id maps and their helpers, "go", then supervision
//! and the exit status; also `--check`. Runs in the caller's namespaces and
//! may allocate.

#![forbid(unsafe_code)]

pub mod cgroup;
pub mod check;
pub mod explain;
pub mod idmap;
pub mod info;
pub mod landlock;
pub mod spawn;
pub mod supervise;
pub mod uidmap;
pub mod verbose;
