//! Files written whole or not at all: the bytes go to a temporary file beside the target (a
//! hidden name with the process id, so two runs never share one), which is renamed over the
//! target once complete. Readers see the old file or the new one, never a part; a failed or
//! interrupted write leaves no temporary file behind.
//!
//! Sign-off packs are documents of record and are synced before the rename
//! ([`PartialFile::commit_synced`]); results that a run can recompute (`recon gen`, `recon match`)
//! are not, as syncing a hundred megabytes would cost more than the run that made them.

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
            std::fs::rename(&self.partial, &self.path)
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
