//! Writing a file so that readers see the old contents or the new, never half of either: write
//! a temporary file beside the target, sync it, rename it over the target, sync the folder.
//! Every file Strata replaces (the manifest, saved models, exports, reports) goes through
//! [`write_atomic`].

use std::fs::File;
use std::io::Write;
use std::path::Path;

/// Who may read the finished file. Temporary files are created private (0600); a manifest or a
/// model stays so, an export or a report is an ordinary file others may open (0644).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Private,
    Public,
}

/// Writes `path` through `write`, atomically: a failure in `write`, or a crash at any point,
/// leaves whatever was at `path` before and no temporary file once the process ends normally.
pub fn write_atomic<T>(
    path: &Path,
    visibility: Visibility,
    write: impl FnOnce(&mut File) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    // Writers buffer as they need (a `BufWriter` over the file); the file itself is handed
    // over so that formats which seek (XLSX) can write to it.
    let value = write(tmp.as_file_mut())?;
    tmp.as_file().sync_all()?;
    if visibility == Visibility::Public {
        set_public(tmp.as_file())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)?;
    Ok(value)
}

/// Writes `bytes` to `path` atomically.
pub fn write_bytes_atomic(
    path: &Path,
    visibility: Visibility,
    bytes: &[u8],
) -> std::io::Result<()> {
    write_atomic(path, visibility, |w| w.write_all(bytes))
}

/// Syncs a folder so that a rename inside it survives a power cut.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir).and_then(|d| d.sync_all())
}

fn set_public(file: &File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        write_bytes_atomic(&path, Visibility::Public, b"old").unwrap();
        let e = write_atomic(&path, Visibility::Public, |w| {
            w.write_all(b"half")?;
            Err::<(), _>(std::io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "disk full");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.json")]);
    }

    #[cfg(unix)]
    #[test]
    fn public_files_are_readable_by_all_and_private_ones_are_not() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (p, q) = (dir.path().join("p"), dir.path().join("q"));
        write_bytes_atomic(&p, Visibility::Public, b"x").unwrap();
        write_bytes_atomic(&q, Visibility::Private, b"x").unwrap();
        let mode = |f: &Path| std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&p), 0o644);
        assert_eq!(mode(&q), 0o600);
    }
}
