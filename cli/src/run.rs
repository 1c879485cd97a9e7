//! `rsipc run -- PROG ARGS...`: PROG with librsipc_preload.so in LD_PRELOAD.

use crate::args::RunArgs;
use crate::status;
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The preload library's file name.
const PRELOAD: &str = "librsipc_preload.so";

/// The library directory relative to the installation prefix, as CMake's
/// GNUInstallDirs chose it when it built this program (lib, lib64,
/// lib/x86_64-linux-gnu, ...); `lib` for a plain cargo build.
const LIBDIR: &str = match option_env!("RSIPC_INSTALL_LIBDIR") {
    Some(dir) => dir,
    None => "lib",
};

/// Where librsipc_preload.so may be, in order: `$RSIPC_PRELOAD_LIB` (when
/// set, the only candidate), else the library directory of the prefix this
/// program was installed into (`BIN/../LIBDIR`, which is also where the
/// build tree keeps librsipc: build/bin/rsipc and build/lib/), then `lib`
/// and `lib64` there, then the program's own directory.
fn candidates(exe: Option<&Path>) -> Vec<PathBuf> {
    if let Some(path) = std::env::var_os("RSIPC_PRELOAD_LIB") {
        return vec![PathBuf::from(path)];
    }
    let mut out = Vec::new();
    if let Some(bin) = exe.and_then(Path::parent) {
        if let Some(prefix) = bin.parent() {
            for dir in [LIBDIR, "lib", "lib64"] {
                let p = if Path::new(dir).is_absolute() {
                    Path::new(dir).join(PRELOAD)
                } else {
                    prefix.join(dir).join(PRELOAD)
                };
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
        out.push(bin.join(PRELOAD));
    }
    out
}

pub fn run(a: RunArgs) -> u8 {
    let exe = std::env::current_exe().ok().and_then(|p| p.canonicalize().ok());
    let tried = candidates(exe.as_deref());
    let Some(lib) = tried.iter().find(|p| p.is_file()) else {
        eprintln!(
            "rsipc run: cannot find {PRELOAD}; looked for {}. Install rsipc's preload library next to librsipc, \
             or set RSIPC_PRELOAD_LIB to its path.",
            tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
        return status::FAILED;
    };
    // An absolute path: the dynamic linker would search for a bare name.
    let lib = lib.canonicalize().unwrap_or_else(|_| lib.clone());
    let mut preload = OsString::from(lib.as_os_str());
    if let Some(old) = std::env::var_os("LD_PRELOAD").filter(|v| !v.is_empty()) {
        preload.push(":");
        preload.push(old);
    }
    let (prog, args) = a.command.split_first().expect("clap requires PROG");
    let err = Command::new(prog).args(args).env("LD_PRELOAD", &preload).exec();
    eprintln!("rsipc run: cannot run {}: {err}", Path::new(prog).display());
    if err.kind() == std::io::ErrorKind::NotFound {
        status::NOT_FOUND_PROG
    } else {
        status::CANNOT_EXEC
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_installed_layout_is_searched_first() {
        if std::env::var_os("RSIPC_PRELOAD_LIB").is_some() {
            return;
        }
        let c = candidates(Some(Path::new("/opt/x/bin/rsipc")));
        assert_eq!(c[0], Path::new("/opt/x").join(LIBDIR).join(PRELOAD));
        assert_eq!(c.last().unwrap(), Path::new("/opt/x/bin/librsipc_preload.so"));
    }
}
