//! Black-box tests of the built `jail` binary, one crate with modules.

mod common;

mod artifacts;
mod bwrap;
mod bwrap_fds;
mod caps;
mod cli;
mod compose;
mod exit;
mod explain;
mod filesystem;
mod identity;
mod integration;
mod landlock_only;
mod namespaces;
mod overlay;
mod process;
mod scripting;
mod security;
mod signals;
mod source;
mod subids;
