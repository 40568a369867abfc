//! glibc's allocator, told once at start to give large blocks back.
//!
//! glibc serves a request over its mmap threshold (128 KiB at first) with its own mapping and
//! unmaps it when freed — but the first such free raises the threshold to that block's size,
//! and the trim threshold to twice that. A sign-in's argon2 hash takes a 19 MiB block: from the
//! second sign-in on, it came from an arena and stayed there when freed (each failed sign-in on
//! a new blocking thread kept another 19 MiB: 6 → 70 MiB of anonymous memory after three).
//! Setting the threshold fixes both at their defaults, so such a block is always unmapped. The
//! arenas are capped at two (the default is eight per core, one per thread that allocates under
//! contention: SQLite's worker threads and tokio's blocking threads each kept their own).

/// Applies the settings; called first in `main`, before any other thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune() {
    // SAFETY: `mallopt` only sets allocator parameters; called before other threads exist, and
    // with parameters and values glibc documents (mallopt(3)). A refusal (0) leaves the defaults.
    #[allow(unsafe_code)]
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Other platforms keep their allocator's defaults.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune() {}
