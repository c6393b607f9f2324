//! Where the sign-in keeps what must survive a restart: the refresh token and the last
//! verification (who, which groups, when), both in the OS keyring under service
//! "recon-workbench", never in a file. Access and ID tokens stay in memory.

use std::collections::HashMap;
use std::sync::Mutex;

/// The keyring service every entry is stored under (the same as the workspace keys').
pub const SERVICE: &str = "recon-workbench";

/// The keyring user of the refresh token for one provider and client.
pub fn refresh_entry(issuer: &str, client_id: &str) -> String {
    format!("oidc-refresh:{issuer}|{client_id}")
}

/// The keyring user of the last verification record for one provider and client.
pub fn identity_entry(issuer: &str, client_id: &str) -> String {
    format!("oidc-identity:{issuer}|{client_id}")
}

/// A small secret store. Implementations never fall back to a file.
pub trait Secrets: Send + Sync {
    fn get(&self, name: &str) -> Result<Option<String>, String>;
    fn put(&self, name: &str, secret: &str) -> Result<(), String>;
    fn delete(&self, name: &str) -> Result<(), String>;
}

/// The OS keyring (Secret Service on Linux, Keychain, Credential Manager).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsSecrets;

impl OsSecrets {
    fn entry(name: &str) -> Result<keyring::Entry, String> {
        keyring::Entry::new(SERVICE, name).map_err(|e| format!("OS keyring: {e}"))
    }
}

/// A Secret Service call that fails on the bus (the daemon restarting, a dropped reply) is
/// tried again, at most this many times, a quarter second apart.
const KEYRING_RETRIES: u32 = 2;

fn with_retry<T>(mut call: impl FnMut() -> Result<T, keyring::Error>) -> Result<T, keyring::Error> {
    let mut attempt = 0;
    loop {
        match call() {
            Err(keyring::Error::PlatformFailure(_)) if attempt < KEYRING_RETRIES => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
            other => return other,
        }
    }
}

impl Secrets for OsSecrets {
    fn get(&self, name: &str) -> Result<Option<String>, String> {
        let entry = Self::entry(name)?;
        match with_retry(|| entry.get_password()) {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(format!("OS keyring: {e}")),
        }
    }
    fn put(&self, name: &str, secret: &str) -> Result<(), String> {
        let entry = Self::entry(name)?;
        with_retry(|| entry.set_password(secret)).map_err(|e| format!("OS keyring: {e}"))
    }
    fn delete(&self, name: &str) -> Result<(), String> {
        let entry = Self::entry(name)?;
        match with_retry(|| entry.delete_credential()) {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(format!("OS keyring: {e}")),
        }
    }
}

/// In memory: logic tests only.
#[derive(Debug, Default)]
pub struct MemorySecrets(Mutex<HashMap<String, String>>);

impl MemorySecrets {
    /// How many entries are stored.
    pub fn len(&self) -> usize {
        self.0.lock().map(|m| m.len()).unwrap_or(0)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Secrets for MemorySecrets {
    fn get(&self, name: &str) -> Result<Option<String>, String> {
        Ok(self.0.lock().map_err(|e| e.to_string())?.get(name).cloned())
    }
    fn put(&self, name: &str, secret: &str) -> Result<(), String> {
        self.0
            .lock()
            .map_err(|e| e.to_string())?
            .insert(name.to_string(), secret.to_string());
        Ok(())
    }
    fn delete(&self, name: &str) -> Result<(), String> {
        self.0.lock().map_err(|e| e.to_string())?.remove(name);
        Ok(())
    }
}

impl<T: Secrets + ?Sized> Secrets for std::sync::Arc<T> {
    fn get(&self, name: &str) -> Result<Option<String>, String> {
        (**self).get(name)
    }
    fn put(&self, name: &str, secret: &str) -> Result<(), String> {
        (**self).put(name, secret)
    }
    fn delete(&self, name: &str) -> Result<(), String> {
        (**self).delete(name)
    }
}
