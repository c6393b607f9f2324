//! The desktop app's data folder across identifier changes. Tauri names the folder after the
//! bundle identifier (`~/.local/share/<identifier>` on Linux, `%APPDATA%\<identifier>` on
//! Windows, `~/Library/Application Support/<identifier>` on macOS). The app was built as
//! `com.example.recon-workbench` before it had its own identifier; a laptop that ran that build
//! keeps its workspaces there, so the first start under the new identifier adopts that folder.

use crate::ApiError;
use std::path::{Path, PathBuf};

/// Identifiers earlier builds used, newest first.
pub const PREVIOUS_IDENTIFIERS: [&str; 1] = ["com.example.recon-workbench"];

/// What [`adopt_previous`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Adoption {
    /// The current folder exists (or no earlier one does): nothing to do.
    Nothing,
    /// The earlier folder was renamed to the current one.
    Moved { from: PathBuf },
    /// Both exist: nothing is merged or overwritten; the earlier folder stays where it is.
    BothExist { earlier: PathBuf },
}

/// Makes `current` (the app data folder under the current identifier) hold what an earlier
/// build left in a sibling folder named after one of `previous`: renamed in one step when
/// `current` does not exist yet; left alone when both exist.
pub fn adopt_previous(current: &Path, previous: &[&str]) -> Result<Adoption, ApiError> {
    let Some(parent) = current.parent() else {
        return Ok(Adoption::Nothing);
    };
    let earlier = previous
        .iter()
        .map(|name| parent.join(name))
        .find(|p| p.is_dir() && p != current);
    let Some(earlier) = earlier else {
        return Ok(Adoption::Nothing);
    };
    if current.exists() {
        return Ok(Adoption::BothExist { earlier });
    }
    std::fs::rename(&earlier, current).map_err(|source| ApiError::Write {
        path: current.to_path_buf(),
        source,
    })?;
    Ok(Adoption::Moved { from: earlier })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_earlier_folder_is_adopted_once_and_never_merged() {
        let base = std::env::temp_dir().join(format!("recon-app-data-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let old = base.join("com.example.recon-workbench");
        let new = base.join("com.reconworkbench.desktop");
        std::fs::create_dir_all(old.join("workspaces/demo")).unwrap();
        std::fs::write(old.join("workspaces/demo/workspace.db"), b"bytes").unwrap();
        // First start under the new identifier: the folder moves, contents intact.
        assert_eq!(
            adopt_previous(&new, &PREVIOUS_IDENTIFIERS).unwrap(),
            Adoption::Moved { from: old.clone() }
        );
        assert!(!old.exists());
        assert_eq!(
            std::fs::read(new.join("workspaces/demo/workspace.db")).unwrap(),
            b"bytes"
        );
        // Next start: nothing to do.
        assert_eq!(
            adopt_previous(&new, &PREVIOUS_IDENTIFIERS).unwrap(),
            Adoption::Nothing
        );
        // An old build run again made its folder anew: both stay, nothing is overwritten.
        std::fs::create_dir_all(old.join("workspaces")).unwrap();
        assert_eq!(
            adopt_previous(&new, &PREVIOUS_IDENTIFIERS).unwrap(),
            Adoption::BothExist {
                earlier: old.clone()
            }
        );
        assert!(new.join("workspaces/demo/workspace.db").exists());
        let _ = std::fs::remove_dir_all(&base);
    }
}
