//! The command line: the flag table, parsing, `--help`, the man page and
//! shell completions.

#![forbid(unsafe_code)]

pub mod complete;
/// The flag table's man page sentences are for build.rs only (which renders
/// man/jail.1 and defines this macro as the text): the binary keeps them out.
macro_rules! man_doc {
    ($doc:expr) => {
        ""
    };
}
pub mod defs;
pub mod fd_data;
pub mod help;
pub mod man;
pub mod parse;
