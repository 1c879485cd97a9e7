//! Generates `include/rsipc.h` with cbindgen and sets the shared library's
//! SONAME (`librsipc.so.MAJOR`).
//!
//! The header is committed; CI rebuilds it and fails when `git diff` shows it
//! changed (see `.ci/run`).

use std::env;
use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let major = env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets the version");
    let minor = env::var("CARGO_PKG_VERSION_MINOR").expect("cargo sets the version");
    let patch = env::var("CARGO_PKG_VERSION_PATCH").expect("cargo sets the version");

    // Only the cdylib gets a SONAME; the staticlib and rlib ignore this.
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,librsipc.so.{major}");

    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=build.rs");

    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml must parse");
    // The version macros come from Cargo.toml so the two can never disagree
    // (tests/c/test_version.c checks them against rsipc_version()).
    let version_macros = format!(
        "\n#define RSIPC_VERSION_MAJOR {major}\n#define RSIPC_VERSION_MINOR {minor}\n#define RSIPC_VERSION_PATCH {patch}\n#define RSIPC_VERSION_STRING \"{major}.{minor}.{patch}\"\n"
    );
    config.after_includes = Some(match config.after_includes.take() {
        Some(extra) => format!("{version_macros}{extra}"),
        None => version_macros,
    });

    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate include/rsipc.h")
        // write_to_file leaves the file (and its mtime) alone when unchanged.
        .write_to_file(crate_dir.join("include/rsipc.h"));
}
