//! Generates `include/rsipc.h` with cbindgen and sets the shared library's
//! SONAME (`librsipc.so.MAJOR`).
//!
//! The header is committed; CI rebuilds it and fails when `git diff` shows it
//! changed (see `.ci/run`).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

/// The C-variadic functions. Stable Rust cannot define one, so each Rust
/// definition takes the full fixed argument list and is `cbindgen:ignore`d;
/// the header declares the libc prototype, with the doc comment of the Rust
/// definition (one text for rustdoc, the header and the man pages). On Linux
/// x86-64 and aarch64 a variadic call passes these integer and pointer
/// arguments exactly where the fixed-argument definition reads them.
const VARIADIC: &[(&str, &str, &str)] = &[
    ("src/sysv_sem/ffi.rs", "rsipc_semctl", "int rsipc_semctl(int semid, int semnum, int cmd, ...) RSIPC_THROW;"),
    ("src/posix_sem/ffi.rs", "rsipc_sem_open", "sem_t *rsipc_sem_open(const char *name, int oflag, ...) RSIPC_THROW;"),
    ("src/posix_mq/ffi.rs", "rsipc_mq_open", "mqd_t rsipc_mq_open(const char *name, int oflag, ...) RSIPC_THROW;"),
];

/// Files whose `pub const RSIPC_*: i32/u32 = N;` items are C constants:
/// cbindgen leaves constants out (most `pub const`s of the crate are
/// Rust-side names), so these are written into the header here, as
/// `#define`s with the doc comments of their Rust definitions (an enum
/// would do, but cbindgen ends every enumerator list with a comma, which
/// C89 refuses).
const DEFINES: &[&str] = &["src/objects/ffi.rs", "src/chan/ffi/bcast.rs"];

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
    let mut after = format!(
        "\n#define RSIPC_VERSION_MAJOR {major}\n#define RSIPC_VERSION_MINOR {minor}\n#define RSIPC_VERSION_PATCH {patch}\n#define RSIPC_VERSION_STRING \"{major}.{minor}.{patch}\"\n"
    );
    // In C++ every declaration of a function must agree on its exception
    // specification, and rsipc_compat.h (read first) makes glibc's headers
    // declare the rsipc_ names themselves, with glibc's __THROW: the
    // functions glibc declares __THROW carry RSIPC_THROW
    // (`cbindgen:postfix=RSIPC_THROW` on their Rust definitions).
    after.push_str(concat!(
        "\n/**\n",
        " * In C++, the exception specification glibc gives the function of the\n",
        " * same name without the prefix (its __THROW: noexcept for the calls that\n",
        " * are not cancellation points); empty in C. rsipc_compat.h can make\n",
        " * glibc's headers declare the rsipc_ names themselves, and C++ requires\n",
        " * every declaration of a function to agree on it.\n",
        " */\n",
        "#if defined(__cplusplus) && defined(__THROW)\n",
        "#define RSIPC_THROW __THROW\n",
        "#else\n",
        "#define RSIPC_THROW\n",
        "#endif\n",
    ));
    for file in DEFINES {
        after.push_str(&defines(&crate_dir.join(file)));
    }
    // Written here rather than by cbindgen's `cpp_compat`, whose `//`
    // comments are extra tokens after `#endif` in C89.
    after.push_str("\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n");
    for (file, name, prototype) in VARIADIC {
        let doc = doc_comment(&crate_dir.join(file), name);
        after.push_str(&format!("\n{}\n{prototype}\n", doxy(&doc)));
    }
    // cbindgen ends the text with a newline of its own.
    after.pop();
    config.after_includes = Some(after);
    // The include guard is written here too: cbindgen closes its own before
    // the trailer, which would leave the `extern "C"` block unbalanced.
    let banner = config.header.take().expect("cbindgen.toml has a header comment");
    config.header = Some(format!("{banner}\n\n#ifndef RSIPC_H\n#define RSIPC_H"));
    config.trailer = Some("#ifdef __cplusplus\n}  /* extern \"C\" */\n#endif\n\n#endif  /* RSIPC_H */".to_owned());

    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate include/rsipc.h")
        // write_to_file leaves the file (and its mtime) alone when unchanged.
        .write_to_file(crate_dir.join("include/rsipc.h"));
}

/// The `///` doc comment of `pub unsafe extern "C" fn NAME` in `file`, one
/// string per line (without the `///` and one following space), less the
/// `cbindgen:ignore` annotation and the empty line after it.
fn doc_comment(file: &Path, name: &str) -> Vec<String> {
    let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let lines: Vec<&str> = text.lines().collect();
    let needle = format!("extern \"C\" fn {name}(");
    let at = lines
        .iter()
        .position(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("{}: no definition of {name}", file.display()));
    let mut doc = Vec::new();
    for line in lines[..at].iter().rev() {
        let line = line.trim_start();
        if line.starts_with("#[") {
            continue;
        }
        match line.strip_prefix("///") {
            Some(rest) => doc.push(rest.strip_prefix(' ').unwrap_or(rest).to_owned()),
            None => break,
        }
    }
    doc.reverse();
    if doc.first().is_some_and(|l| l.trim() == "cbindgen:ignore") {
        doc.remove(0);
        if doc.first().is_some_and(|l| l.is_empty()) {
            doc.remove(0);
        }
    }
    assert!(!doc.is_empty(), "{}: {name} has no doc comment", file.display());
    doc
}

/// The `#define`s of the `pub const RSIPC_NAME: i32 = N;` (or `u32`) items
/// of `file`, each with its doc comment; a `// C: heading` comment line
/// becomes a plain C comment heading the constants after it.
fn defines(file: &Path) -> String {
    let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut out = String::new();
    let mut doc: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("///") {
            doc.push(rest.strip_prefix(' ').unwrap_or(rest).to_owned());
            continue;
        }
        if let Some(heading) = line.strip_prefix("// C: ") {
            if heading.contains("*/") {
                panic!("{}: a comment would end the C comment: {heading}", file.display());
            }
            doc.clear();
            out.push_str(&format!("\n/* {heading} */\n"));
            continue;
        }
        let constant = line
            .strip_prefix("pub const RSIPC_")
            .and_then(|rest| rest.strip_suffix(';'))
            .and_then(|rest| rest.split_once(": "))
            .and_then(|(name, rest)| {
                Some((name, rest.strip_prefix("i32 = ").or_else(|| rest.strip_prefix("u32 = "))?))
            });
        if let Some((name, value)) = constant {
            assert!(value.bytes().all(|b| b.is_ascii_digit()), "{}: RSIPC_{name} is not a literal", file.display());
            assert!(!doc.is_empty(), "{}: RSIPC_{name} has no doc comment", file.display());
            out.push_str(&format!("{}\n#define RSIPC_{name} {value}\n", doxy(&doc)));
        }
        doc.clear();
    }
    out
}

/// `lines` as a `/** ... */` comment, as cbindgen writes doc comments.
fn doxy(lines: &[String]) -> String {
    let mut out = String::from("/**\n");
    for line in lines {
        assert!(!line.contains("*/"), "a doc comment line would end the C comment: {line}");
        if line.is_empty() {
            out.push_str(" *\n");
        } else {
            out.push_str(&format!(" * {line}\n"));
        }
    }
    out.push_str(" */");
    out
}
