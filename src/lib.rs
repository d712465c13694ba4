//! jail: run a command in new Linux namespaces as an ordinary user.
//!
//! The data flows top to bottom: `cli` (what was typed) → `spec` (validated,
//! every C string prebuilt) → `spawn` (clone, id maps, go) → `child` /
//! `init` (setup, exec) → `supervise` (signals, exit status).

#![deny(unsafe_op_in_unsafe_fn)]

// First: its `sc!` macro is used by the modules below.
#[macro_use]
pub mod sys;
pub mod check;
pub mod child;
pub mod cli;
pub mod error;
pub mod idmap;
pub mod info;
pub mod init;
pub mod landlock;
pub mod mounts;
pub mod net;
pub mod rlimit;
pub mod seccomp;
pub mod sockets;
pub mod spawn;
pub mod spec;
pub mod subid;
pub mod supervise;
pub mod timeout;

use std::ffi::OsString;

use cli::parse::Parsed;

/// Make sure fds 0, 1 and 2 are open, so that no pipe of ours lands there.
fn ensure_stdio() {
    for fd in 0..3 {
        // SAFETY: F_GETFD only queries; open returns the lowest free fd.
        unsafe {
            if libc::fcntl(fd, libc::F_GETFD) < 0 {
                libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
            }
        }
    }
}

/// The whole program: parse, run, and end like COMMAND.
pub fn main_with_args(args: Vec<OsString>) -> i32 {
    ensure_stdio();
    let low = match cli::parse::parse(args) {
        Ok(Parsed::Run(low)) => low,
        Ok(Parsed::Help) => return print_out(&cli::help::render()),
        Ok(Parsed::Version) => {
            return print_out(&format!("jail {}\n", env!("CARGO_PKG_VERSION")));
        }
        Ok(Parsed::Completions(shell)) => {
            return match cli::complete::render(&shell.to_string_lossy()) {
                Some(script) => print_out(&script),
                None => fail(error::Error::usage(format!(
                    "--completions: invalid value '{}': expected bash, zsh or fish",
                    shell.to_string_lossy()
                ))),
            };
        }
        Ok(Parsed::Check) => return check::run(),
        Err(e) => return fail(e),
    };
    let spec = match spec::build(low) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let foreground = supervise::terminal_foreground();
    match spawn::start(&spec) {
        Ok(run) => {
            let old_mask = run.old_mask;
            let outcome = supervise::wait(run, &spec);
            supervise::restore_foreground(foreground);
            supervise::exit_like(outcome, &old_mask)
        }
        Err(e) => fail(e),
    }
}

fn fail(e: error::Error) -> i32 {
    print_err(&e.report());
    e.code as i32
}

/// Write `text` to standard output: 0, or 125 with one line on stderr if
/// it cannot be written (a full disk, a closed pipe).
pub(crate) fn print_out(text: &str) -> i32 {
    match sys::write_all(1, text.as_bytes()) {
        Ok(()) => 0,
        Err(e) => fail(error::Error::sys("write standard output", e)),
    }
}

/// Write `text` to standard error; if that fails there is nobody to tell.
pub(crate) fn print_err(text: &str) {
    let _ = sys::write_all(2, text.as_bytes());
}
