//! Where the database key lives: the OS keyring ([`OsKeyStore`]: Secret Service on Linux,
//! Keychain on macOS, Credential Manager on Windows) under service "recon-workbench", user
//! "workspace:<id>", as 64 hex digits. [`MemoryKeyStore`] is the test double for logic tests and
//! the explicitly named store of the throw-away demo workspace; it never touches disk.

use crate::error::{Result, StoreError};
use std::collections::HashMap;
use std::sync::Mutex;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The keyring service name every workspace key is stored under.
pub const KEYRING_SERVICE: &str = "recon-workbench";

/// A 256-bit database key. Wiped when dropped (`zeroize`: volatile writes the compiler keeps).
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseKey([u8; 32]);

impl Zeroize for DatabaseKey {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for DatabaseKey {}

impl std::fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseKey(..)")
    }
}

impl Drop for DatabaseKey {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl DatabaseKey {
    /// A fresh random key from the operating system's generator.
    pub fn random() -> Result<DatabaseKey> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::Invalid(format!("no random numbers for a key: {e}")))?;
        let key = DatabaseKey(bytes);
        bytes.zeroize();
        Ok(key)
    }
    /// The key as 64 hex digits, wiped when the wrapper is dropped.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(recon_review::hex(&self.0))
    }
    pub fn from_hex(text: &str) -> Option<DatabaseKey> {
        let text = text.trim().as_bytes();
        if text.len() != 64 {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, pair) in text.chunks(2).enumerate() {
            let digit = |c: u8| (c as char).to_digit(16);
            bytes[i] = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()?;
        }
        let key = DatabaseKey(bytes);
        bytes.zeroize();
        Some(key)
    }
}

/// Keeps workspace keys. Implementations must never fall back to a plaintext file.
pub trait KeyStore: Send + Sync {
    /// Stores the key of a new workspace.
    fn put(&self, workspace_id: &str, key: &DatabaseKey) -> Result<()>;
    /// The key, `KeyMissing` when there is none, `KeyringUnavailable` when the store is not reachable.
    fn get(&self, workspace_id: &str) -> Result<DatabaseKey>;
    fn delete(&self, workspace_id: &str) -> Result<()>;
    /// Shown in messages ("OS keyring (Secret Service)", "in-memory demo key store").
    fn describe(&self) -> &'static str;
}

/// The user name of a workspace's key entry.
pub fn keyring_user(workspace_id: &str) -> String {
    format!("workspace:{workspace_id}")
}

/// The OS keyring through the `keyring` crate.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsKeyStore;

impl OsKeyStore {
    fn entry(workspace_id: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(KEYRING_SERVICE, &keyring_user(workspace_id)).map_err(unavailable)
    }

    /// Checks that a keyring answers (creating nothing): Ok, or why not.
    pub fn probe() -> Result<()> {
        match Self::entry("probe")?.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}

fn unavailable(e: keyring::Error) -> StoreError {
    StoreError::KeyringUnavailable {
        detail: e.to_string(),
    }
}

impl KeyStore for OsKeyStore {
    fn put(&self, workspace_id: &str, key: &DatabaseKey) -> Result<()> {
        Self::entry(workspace_id)?
            .set_password(&key.to_hex())
            .map_err(unavailable)
    }

    fn get(&self, workspace_id: &str) -> Result<DatabaseKey> {
        match Self::entry(workspace_id)?
            .get_password()
            .map(Zeroizing::new)
        {
            Ok(text) => DatabaseKey::from_hex(&text).ok_or_else(|| {
                StoreError::Invalid(format!(
                    "the keyring entry of workspace {workspace_id} is not a 64-hex-digit key"
                ))
            }),
            Err(keyring::Error::NoEntry) => Err(StoreError::KeyMissing {
                workspace_id: workspace_id.to_string(),
            }),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn delete(&self, workspace_id: &str) -> Result<()> {
        match Self::entry(workspace_id)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn describe(&self) -> &'static str {
        "OS keyring"
    }
}

/// Keys held in this process's memory only: for logic tests and the throw-away demo workspace.
#[derive(Debug, Default)]
pub struct MemoryKeyStore {
    keys: Mutex<HashMap<String, DatabaseKey>>,
}

impl KeyStore for MemoryKeyStore {
    fn put(&self, workspace_id: &str, key: &DatabaseKey) -> Result<()> {
        self.keys
            .lock()
            .expect("key store lock")
            .insert(workspace_id.to_string(), key.clone());
        Ok(())
    }
    fn get(&self, workspace_id: &str) -> Result<DatabaseKey> {
        self.keys
            .lock()
            .expect("key store lock")
            .get(workspace_id)
            .cloned()
            .ok_or_else(|| StoreError::KeyMissing {
                workspace_id: workspace_id.to_string(),
            })
    }
    fn delete(&self, workspace_id: &str) -> Result<()> {
        self.keys
            .lock()
            .expect("key store lock")
            .remove(workspace_id);
        Ok(())
    }
    fn describe(&self) -> &'static str {
        "in-memory key store (demo and tests only)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key is wiped with zeroize (volatile writes, not an assignment the compiler may drop),
    /// and its hex copies are handed out in a wrapper that wipes them too.
    #[test]
    fn key_material_is_wiped_with_zeroize() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<DatabaseKey>();
        let key = DatabaseKey::random().unwrap();
        let hex: zeroize::Zeroizing<String> = key.to_hex();
        assert_eq!(hex.len(), 64);
        assert_eq!(DatabaseKey::from_hex(&hex).as_ref(), Some(&key));
        let mut copy = key.clone();
        copy.zeroize();
        assert_eq!(copy.0, [0u8; 32]);
    }
}
