//! jail: run a command in new Linux namespaces as an ordinary user.
//!
//! The data flows top to bottom: `cli` (what was typed) → `plan` (validated,
//! every C string prebuilt; may allocate) → `parent` (clone, id maps, go) →
//! `child` (setup, exec, the init; no allocation, no errno) → `parent` again
//! (signals, exit status). Imports run one way: parent → child → plan → cli,
//! with `sys` and `error` shared.

#![deny(unsafe_op_in_unsafe_fn)]

// First: its `sc!` macro is used by the modules below.
#[macro_use]
pub mod sys;
pub mod child;
pub mod cli;
pub mod error;
pub mod parent;
pub mod plan;

use std::ffi::OsString;

use cli::parse::Parsed;

/// Make sure fds 0, 1 and 2 are open, so that no pipe of ours lands there.
fn ensure_stdio() {
    use std::os::fd::IntoRawFd;
    for fd in 0..3 {
        if rustix::io::fcntl_getfd(sys::borrow(fd)).is_err() {
            // The lowest free fd: `fd`. Kept open for good (and across
            // exec: no O_CLOEXEC).
            let null = rustix::fs::open(
                c"/dev/null",
                rustix::fs::OFlags::RDWR,
                rustix::fs::Mode::empty(),
            );
            if let Ok(null) = null {
                let _ = null.into_raw_fd();
            }
        }
    }
}

/// The whole program: parse, run, and end like COMMAND.
pub fn main_with_args(args: Vec<OsString>) -> i32 {
    // Before anything else: --die-with-parent compares it once armed.
    let parent = rustix::process::getppid();
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
        Ok(Parsed::Check) => return parent::check::run(),
        Err(e) => return fail(e),
    };
    // The jail's processes read the spec for as long as they run: it is
    // never freed.
    let spec: &'static plan::spec::Spec = match plan::spec::build(low) {
        Ok(s) => Box::leak(Box::new(s)),
        Err(e) => return fail(e),
    };
    match parent::explain::before_start(spec) {
        Ok(Some(code)) => return code,
        Ok(None) => {}
        Err(e) => return fail(e),
    }
    if spec.die_with_parent {
        use rustix::process::{Signal, getppid, set_parent_process_death_signal};
        // SIGKILL: jail ends at once, and the init (or COMMAND, with
        // --as-pid-1) follows through its own PDEATHSIG.
        if let Err(e) = set_parent_process_death_signal(Some(Signal::KILL)) {
            return fail(error::Error::sys("--die-with-parent", e.raw_os_error()));
        }
        if getppid() != parent {
            // The parent died before the signal was armed.
            return fail(error::Error::usage(
                "--die-with-parent: the process that started jail has exited",
            ));
        }
    }
    let foreground = parent::supervise::terminal_foreground();
    match parent::spawn::start(spec) {
        Ok(run) => {
            let old_mask = run.old_mask;
            let pid = run.pid;
            let outcome = parent::supervise::wait(run, spec);
            if let Some(cg) = &spec.cgroup {
                parent::cgroup::remove(cg, pid);
            }
            if let Some(fd) = spec.json_status_fd {
                parent::info::write_exit(fd, outcome);
            }
            parent::supervise::restore_foreground(foreground);
            parent::supervise::exit_like(outcome, &old_mask)
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
