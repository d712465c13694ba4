//! Fuzz the command line: the input bytes, split at NUL bytes, are argv
//! (without argv[0]). `jail::cli::parse::parse` and then `jail::plan::spec::build`
//! must return Ok or Err, never panic, and every error is a jail failure
//! (exit 125) with a message.
//!
//! spec::build opens the files of --stdin/--stdout/--stderr (creating and
//! truncating the last two): their values are replaced by a few flat names
//! inside a scratch directory that the target works in, so fuzzing never
//! touches another file. Everything else build does only looks (stat,
//! fcntl(F_GETFD), getrlimit) or makes close-on-exec fds it closes again.

#![no_main]

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;
use std::sync::OnceLock;

use jail::cli::defs::FlagId;
use jail::cli::parse::{Parsed, parse};
use libfuzzer_sys::fuzz_target;

/// A private scratch directory, made once and made the working directory.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("jail-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("scratch dir");
        std::env::set_current_dir(&d).expect("enter scratch dir");
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = scratch();
    let argv: Vec<OsString> = if data.is_empty() {
        Vec::new()
    } else {
        data.split(|b| *b == 0)
            .map(|w| OsString::from_vec(w.to_vec()))
            .collect()
    };
    // --args FD and --seccomp FD would read whatever fd the number names
    // (the fuzzer's own, a terminal): not those.
    let argv: Vec<OsString> = argv
        .into_iter()
        .filter(|w| {
            let w = w.as_encoded_bytes();
            !w.starts_with(b"--args") && !w.starts_with(b"--seccomp")
        })
        .collect();
    match parse(argv) {
        Ok(Parsed::Run(mut low)) => {
            for (id, v) in low.flags.iter_mut() {
                if matches!(id, FlagId::Stdin | FlagId::Stdout | FlagId::Stderr)
                    && let Some(v) = v
                    && !v.is_empty()
                {
                    *v = dir.join(format!("f{}", v.len() % 4)).into();
                }
            }
            if let Err(e) = jail::plan::spec::build(low) {
                assert_eq!(e.code, 125, "{e}");
                assert!(!e.msg.is_empty());
            }
        }
        Ok(_) => {}
        Err(e) => {
            assert_eq!(e.code, 125, "{e}");
            assert!(!e.msg.is_empty());
        }
    }
});
