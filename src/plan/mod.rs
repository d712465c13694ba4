//! The plan: what was typed, validated, with every C string and buffer the
//! child needs prebuilt. Parent-only: may allocate. Imports only `cli`,
//! `sys` and `error`.

#![forbid(unsafe_code)]

pub mod caps;
pub mod cgroup;
pub mod cpus;
pub mod duration;
pub mod isolation;
pub mod landlock;
pub mod mounts;
pub mod rlimit;
pub mod sockets;
pub mod spec;
pub mod subid;
