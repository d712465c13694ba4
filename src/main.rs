//! The `jail` binary: a C `main`, so no runtime setup runs before ours
//! (in particular SIGPIPE keeps the disposition the caller gave it).

#![no_main]

use std::ffi::{CStr, OsString};
use std::os::unix::ffi::OsStringExt;

#[unsafe(no_mangle)]
extern "C" fn main(argc: libc::c_int, argv: *const *const libc::c_char) -> libc::c_int {
    let args: Vec<OsString> = (1..argc.max(1) as usize)
        // SAFETY: the C runtime passes argc valid NUL-terminated strings.
        .map(|i| unsafe { CStr::from_ptr(*argv.add(i)) }.to_bytes().to_vec())
        .map(OsString::from_vec)
        .collect();
    let code = jail::main_with_args(args);
    // Flush stdout (help text) before leaving.
    use std::io::Write;
    let _ = std::io::stdout().flush();
    code
}
