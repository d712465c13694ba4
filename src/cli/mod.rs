//! The command line: the flag table, parsing, `--help`, the man page and
//! shell completions.

#![forbid(unsafe_code)]

pub mod complete;
pub mod defs;
pub mod fd_data;
pub mod help;
pub mod man;
pub mod parse;
