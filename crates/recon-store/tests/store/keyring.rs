//! Against the real OS keyring (gnome-keyring over the Secret Service, started by
//! scripts/with-keyring.sh) and real SQLCipher: a workspace is created and reopened, its files
//! hold no plaintext, and without its keyring entry it does not open.
//!
//! Outside a keyring session (no D-Bus), these tests say so and pass only when neither `CI` nor
//! `RECON_KEYRING_SESSION` is set; scripts/test.sh runs them inside one, where they must pass.

#[path = "../../../../tests/support/keyring.rs"]
mod keyring_support;

use crate::support::*;
use keyring_support::keyring_or_skip;
use recon_store::{KeyStore, OsKeyStore, StoreErrorKind, Workspace};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn real_keyring_create_reopen_no_plaintext_and_no_key_no_open() {
    if !keyring_or_skip("real_keyring") {
        return;
    }
    let keys = OsKeyStore;
    let dir = temp_dir("real-keyring");
    let p = clara();
    let id;
    {
        let mut ws = Workspace::create(
            &dir,
            ACCOUNT,
            "EUR",
            "2026-11-01",
            "2026-11-30",
            None,
            &keys,
            &actor(&p),
        )
        .unwrap();
        id = ws.info().id.clone();
        let (s, ledger) = sample();
        ws.import_statements(&actor(&p), &file("s1.sta", "s1"), &[s])
            .unwrap();
        ws.import_ledger(&actor(&p), &file("ledger.csv", "ledger"), &ledger)
            .unwrap();
        ws.comment(&actor(&p), &["bank:S1/2".into()], "Globex chairs confirmed")
            .unwrap();
        ws.attach(
            &actor(&p),
            &["bank:S1/2".into()],
            "note.txt",
            b"Northwind Traders remittance",
        )
        .unwrap();
        // Bytes on disk while the connection is open (WAL not yet checkpointed).
        for name in ["workspace.db", "workspace.db-wal"] {
            let bytes = std::fs::read(dir.join(name)).unwrap_or_default();
            for secret in [
                ACCOUNT.as_bytes(),
                b"Northwind Traders",
                b"Globex chairs",
                b"SQLite format 3",
            ] {
                assert!(
                    !contains(&bytes, secret),
                    "{name} holds plaintext {:?}",
                    String::from_utf8_lossy(secret)
                );
            }
        }
    }
    // The key is in the keyring under the documented names.
    let entry = keyring::Entry::new("recon-workbench", &format!("workspace:{id}")).unwrap();
    assert_eq!(entry.get_password().unwrap().len(), 64);
    let ws = Workspace::open(&dir, &keys).unwrap();
    assert_eq!(ws.status().unwrap().bank_lines, 6);
    assert_eq!(ws.integrity_check().unwrap(), "ok");
    drop(ws);
    let bytes = std::fs::read(dir.join("workspace.db")).unwrap();
    assert!(!contains(&bytes, ACCOUNT.as_bytes()) && !contains(&bytes, b"Northwind"));
    // Key removed from the keyring: a clear error, never a plaintext fallback.
    keys.delete(&id).unwrap();
    let err = Workspace::open(&dir, &keys).unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::KeyMissing);
    assert!(err.to_string().contains("not in the OS keyring"), "{err}");
    // A wrong key does not open it either.
    keys.put(&id, &recon_store::DatabaseKey::random().unwrap())
        .unwrap();
    assert_eq!(
        Workspace::open(&dir, &keys).unwrap_err().kind(),
        StoreErrorKind::WrongKey
    );
    keys.delete(&id).unwrap();
}
