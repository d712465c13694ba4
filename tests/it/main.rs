//! Black-box tests of the built `jail` binary, one crate with modules.

mod common;

mod artifacts;
mod cli;
mod exit;
mod explain;
mod filesystem;
mod identity;
mod integration;
mod landlock_only;
mod namespaces;
mod process;
mod scripting;
mod security;
mod signals;
mod source;
mod subids;
