//! The kernel facts behind `--explain`, `--strict` and `-v`'s skipped
//! protections (see `plan::isolation`), probed by the parent.

#![forbid(unsafe_code)]

use rustix::io::Errno;

use crate::error::Error;
use crate::plan::isolation::{self, Kernel};
use crate::plan::spec::Spec;
use crate::sys;

/// The Landlock ABI the jail uses. Debug builds take
/// `JAIL_TEST_LANDLOCK_ABI` instead (lower only), so that tests can stand
/// in for an older kernel.
pub fn landlock_abi() -> i32 {
    let abi = crate::child::landlock::abi();
    #[cfg(debug_assertions)]
    if let Some(fake) = std::env::var("JAIL_TEST_LANDLOCK_ABI")
        .ok()
        .and_then(|v| v.parse::<i32>().ok())
    {
        return fake.min(abi);
    }
    abi
}

/// What this kernel offers the jail.
pub fn kernel() -> Kernel {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let keyctl = match sys::keyctl(sys::Keyctl::ThreadKeyringId) {
        Ok(_) => true,
        Err(e) => !matches!(e, Errno::NOSYS | Errno::PERM | Errno::ACCESS),
    };
    Kernel {
        landlock_abi: landlock_abi(),
        // Listed by kernels built with seccomp filters.
        seccomp: status.contains("\nSeccomp_filters:") || status.contains("\nSeccomp:"),
        keyctl,
        knobs: crate::parent::check::userns_knobs(),
    }
}

/// Before clone: `--explain` prints and ends (Some(0)); `--strict` refuses
/// a skipped protection; `-v` lists them.
pub fn before_start(spec: &Spec) -> Result<Option<i32>, Error> {
    if !(spec.explain || spec.strict || spec.verbose) {
        return Ok(None);
    }
    let k = kernel();
    if spec.explain {
        return Ok(Some(crate::print_out(&isolation::explain(spec, &k))));
    }
    let skipped = isolation::skipped(spec, &k);
    if spec.strict
        && let Some(first) = skipped.first()
    {
        return Err(Error::usage(format!(
            "--strict: cannot apply here: {first}"
        )));
    }
    if spec.verbose {
        let lines: String = skipped
            .iter()
            .map(|s| format!("jail: skipped: {s}\n"))
            .collect();
        crate::print_err(&lines);
    }
    Ok(None)
}
