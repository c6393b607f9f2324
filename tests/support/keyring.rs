//! Whether a test can use the real OS keyring (gnome-keyring over the Secret Service, started by
//! scripts/with-keyring.sh). Outside a keyring session the test says it is skipped and passes,
//! unless `CI` or `RECON_KEYRING_SESSION` is set, where a missing keyring fails it. Included by
//! path from the test files that need it.

use recon_store::OsKeyStore;

pub fn keyring_or_skip(test: &str) -> bool {
    match OsKeyStore::probe() {
        Ok(()) => true,
        Err(e) => {
            if std::env::var_os("CI").is_some()
                || std::env::var_os("RECON_KEYRING_SESSION").is_some()
            {
                panic!("{test}: the OS keyring must be reachable here: {e}");
            }
            eprintln!("{test}: SKIPPED, no OS keyring ({e}); run under scripts/with-keyring.sh");
            false
        }
    }
}
