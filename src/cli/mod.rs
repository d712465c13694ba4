//! The command line: the flag table, parsing, `--help` and the man page.

pub mod defs;
pub mod help;
pub mod man;
pub mod parse;
