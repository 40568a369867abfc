//! Files only their owner may read: the data directory (0700), the SQLite database with its
//! `-wal`/`-shm` files and the master key file (0600). Personal data is encrypted, but the
//! database next to a readable key file would not be.
//!
//! Other systems than Unix have no such modes: there these functions create and write files
//! plainly and report nothing as shared.

use std::io;
use std::path::Path;

/// Permission bits that let someone other than the owner in.
pub const SHARED_BITS: u32 = 0o077;

/// Creates a directory and its missing parents, each new one 0700. Existing ones are left as
/// they are (an operator may have chosen their modes).
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Opens a new file, 0600, failing if it exists.
fn open_new(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Writes a new file (0600) and syncs it; never overwrites one that exists.
pub fn create_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    let mut f = open_new(path)?;
    f.write_all(contents)?;
    f.sync_all()
}

/// Creates an empty file (0600) unless it exists, so that a program that would create it with
/// wider permissions (SQLite: 0644) finds it already made.
pub fn touch(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    match open_new(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Replaces a file's contents atomically: a reader (or a crash) sees either the old file or
/// the new one, never a mix or nothing. The new contents go to `<name>.new` (0600, synced),
/// which is renamed over the file; then the directory is synced so the rename is durable.
pub fn replace(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".new");
    let temp = std::path::PathBuf::from(temp);
    // A leftover of an earlier crash: ours, and never the file in use.
    match std::fs::remove_file(&temp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    create_new(&temp, contents)?;
    std::fs::rename(&temp, path)?;
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// The file's permission bits when someone other than its owner may use it, else `None`.
pub fn shared_mode(path: &Path) -> io::Result<Option<u32>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
        Ok((mode & SHARED_BITS != 0).then_some(mode))
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(path).map(|_| None)
    }
}

/// Makes an existing file 0600 when others could use it; a missing file is fine. Returns
/// whether the mode was changed.
pub fn restrict(path: &Path) -> io::Result<bool> {
    match shared_mode(path) {
        Ok(Some(_)) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
            }
            Ok(true)
        }
        Ok(None) => Ok(false),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_directories_and_files_are_the_owners_only() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("a/b/secret");
        create_new(&file, b"x").unwrap();
        assert_eq!(mode(&root.path().join("a")), 0o700);
        assert_eq!(mode(&root.path().join("a/b")), 0o700);
        assert_eq!(mode(&file), 0o600);
        assert_eq!(create_new(&file, b"y").unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&file).unwrap(), b"x");
        touch(&file).unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"x", "touch never truncates");
    }

    #[test]
    fn replace_swaps_the_contents_and_leaves_no_temporary_file() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("key");
        std::fs::write(&file, b"old").unwrap();
        // A temporary file left by a crash is not in the way.
        std::fs::write(root.path().join("key.new"), b"half").unwrap();
        replace(&file, b"new").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"new");
        assert_eq!(mode(&file), 0o600);
        assert!(!root.path().join("key.new").exists());
    }

    #[test]
    fn shared_files_are_found_and_restricted() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("db");
        std::fs::write(&file, b"").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(shared_mode(&file).unwrap(), Some(0o644));
        assert!(restrict(&file).unwrap());
        assert_eq!(mode(&file), 0o600);
        assert_eq!(shared_mode(&file).unwrap(), None);
        assert!(!restrict(&file).unwrap());
        assert!(!restrict(&root.path().join("missing")).unwrap());
    }
}
