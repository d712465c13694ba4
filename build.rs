//! Renders the man page from the flag table into $OUT_DIR/jail.1.
//! (A test checks that the committed man/jail.1 is the same page.)

/// The flag table's man page sentences: real text here, empty in the crate.
macro_rules! man_doc {
    ($doc:expr) => {
        $doc
    };
}

#[path = "src/cli/defs.rs"]
#[allow(dead_code)]
mod defs;
#[path = "src/cli/man.rs"]
mod man;

fn main() {
    println!("cargo:rerun-if-changed=src/cli/defs.rs");
    println!("cargo:rerun-if-changed=src/cli/man.rs");
    let out = std::env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo");
    let path = std::path::Path::new(&out).join("jail.1");
    std::fs::write(&path, man::render()).expect("write jail.1");
}
