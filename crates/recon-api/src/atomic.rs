//! Files written whole or not at all: the bytes go to a temporary file beside the target (a
//! hidden name with the process id, so two runs never share one), which is renamed over the
//! target once complete. Readers see the old file or the new one, never a part; a failed or
//! interrupted write leaves no temporary file behind.
//!
//! Sign-off packs are documents of record: the file is synced before the rename and its folder
//! after it ([`PartialFile::commit_synced`]), since on POSIX systems a rename is durable only once
//! the folder's entry is on disk. Results that a run can recompute (`recon gen`, `recon match`)
//! are not synced, as syncing a hundred megabytes would cost more than the run that made them.
//!
//! On Windows a rename over a file that another program holds open (a spreadsheet showing last
//! month's pack) fails while it is held: the rename is tried again for a moment (virus scanners
//! and indexers let go quickly), then refused with an error that says the file is open elsewhere;
//! the old file stays and the temporary is removed.

use crate::ApiError;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// A file being written under a temporary name.
pub(crate) struct PartialFile {
    path: PathBuf,
    partial: PathBuf,
    file: Option<std::fs::File>,
}

impl PartialFile {
    pub(crate) fn create(path: &Path) -> Result<PartialFile, ApiError> {
        let name = path.file_name().ok_or_else(|| {
            ApiError::InvalidArgument(format!("{}: not a file name", path.display()))
        })?;
        let mut partial_name = std::ffi::OsString::from(".");
        partial_name.push(name);
        partial_name.push(format!(".{}.part", std::process::id()));
        let partial = path.with_file_name(partial_name);
        let file = std::fs::File::create(&partial).map_err(|source| ApiError::Write {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(PartialFile {
            path: path.to_path_buf(),
            partial,
            file: Some(file),
        })
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<(), ApiError> {
        let file = self.file.as_mut().expect("written before commit");
        file.write_all(bytes).map_err(|source| ApiError::Write {
            path: self.path.clone(),
            source,
        })
    }

    /// Renames the complete file over the target.
    pub(crate) fn commit(self) -> Result<(), ApiError> {
        self.finish(false)
    }

    /// Syncs the complete file to disk, then renames it over the target.
    pub(crate) fn commit_synced(self) -> Result<(), ApiError> {
        self.finish(true)
    }

    fn finish(mut self, sync: bool) -> Result<(), ApiError> {
        let file = self.file.take().expect("committed once");
        let result = (|| {
            if sync {
                file.sync_all()?;
            }
            drop(file);
            rename_over(&self.partial, &self.path)?;
            if sync {
                sync_folder_of(&self.path)?;
            }
            Ok(())
        })();
        result.map_err(|source| {
            let _ = std::fs::remove_file(&self.partial);
            ApiError::Write {
                path: self.path.clone(),
                source,
            }
        })
    }
}

/// The folder entry of `path`, made durable (POSIX: fsync of the directory).
#[cfg(unix)]
fn sync_folder_of(path: &Path) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::File::open(folder)?.sync_all()
}

/// Windows has no folder handle to sync; NTFS journals the rename itself.
#[cfg(not(unix))]
fn sync_folder_of(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(not(windows))]
fn rename_over(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::rename(from, to)
}

/// How long a rename over a held file is retried on Windows.
#[cfg(windows)]
const RENAME_RETRY_MS: [u64; 5] = [50, 100, 200, 400, 800];

#[cfg(windows)]
fn rename_over(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut result = std::fs::rename(from, to);
    for wait_ms in RENAME_RETRY_MS {
        match &result {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                std::thread::sleep(std::time::Duration::from_millis(wait_ms));
                result = std::fs::rename(from, to);
            }
            _ => break,
        }
    }
    result.map_err(|e| match e.kind() {
        std::io::ErrorKind::PermissionDenied => std::io::Error::new(
            e.kind(),
            format!("the file is open in another program ({e}); close it there and save again"),
        ),
        _ => e,
    })
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// Writes `bytes` as the whole of `out`, synced before it replaces the old file.
pub fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), ApiError> {
    let mut file = PartialFile::create(out)?;
    file.write(bytes)?;
    file.commit_synced()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_file_leaves_nothing_and_the_old_file_stays() {
        let dir = std::env::temp_dir().join(format!("recon-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.csv");
        std::fs::write(&target, "old").unwrap();
        let mut file = PartialFile::create(&target).unwrap();
        file.write(b"new, half").unwrap();
        drop(file);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let mut file = PartialFile::create(&target).unwrap();
        file.write(b"new").unwrap();
        file.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        write_atomically(&target, b"synced").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "synced");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
