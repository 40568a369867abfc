//! How the release binary is linked, for its memory (issue #16's idle RSS):
//! - `link/hot-functions.txt` puts the functions that start the server, keep it idle and answer
//!   the bot's common updates next to each other. The kernel maps an executable's code 64 KiB
//!   around each page touched, and those functions, spread over the 28 MB of code, had most of
//!   it mapped (16 of 23 MiB idle); laid out together they take ~4 MiB.
//! - `-z pack-relative-relocs` stores the relocations the loader applies at start compactly
//!   (kilobytes instead of 1.9 MB read at every start). lld packs them only against a glibc
//!   that reads them (2.36+), so a build on an older one runs there as before.
//!
//! Only for release builds on x86_64 Linux, where rustc links with lld (Rust 1.90+): lld reads
//! both options; nothing changes in what the code does.

fn main() {
    println!("cargo::rerun-if-changed=link/hot-functions.txt");
    println!("cargo::rerun-if-changed=build.rs");
    let release = std::env::var("PROFILE").as_deref() == Ok("release");
    let lld_target = std::env::var("TARGET").as_deref() == Ok("x86_64-unknown-linux-gnu");
    if !(release && lld_target) {
        return;
    }
    let order = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("link/hot-functions.txt");
    // `link/hot-functions.sh` rewrites the file from a build without it.
    if order.exists() {
        println!("cargo::rustc-link-arg-bins=-Wl,--symbol-ordering-file={}", order.display());
        // It names functions of one toolchain and lock file; one not found is skipped.
        println!("cargo::rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
    println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
}
