//! Verified identities in the workspace: a workspace created by a verified person refuses
//! self-asserted ones; every subject that acts is recorded in the audit chain with its display
//! name (again when the name changes); workspaces from before sign-in are demo workspaces.

use crate::support::*;
use recon_review::{Assurance, Principal, Role};
use recon_store::{MemoryKeyStore, StoreErrorKind, Workspace};

fn verified(sub: &str, name: &str, roles: &[Role]) -> Principal {
    Principal::verified("https://acme.okta.com", sub, name, roles)
}

fn create(name: &str, keys: &MemoryKeyStore, by: &Principal) -> Workspace {
    Workspace::create(
        &temp_dir(name),
        ACCOUNT,
        "EUR",
        "2026-11-01",
        "2026-11-30",
        None,
        keys,
        &actor(by),
    )
    .unwrap()
}

#[test]
fn a_verified_workspace_refuses_self_asserted_people_and_records_who_acted() {
    let keys = MemoryKeyStore::default();
    let clara = verified("00u-clara", "Clara Clerk", &[Role::Clerk]);
    let mut ws = create("identity-verified", &keys, &clara);
    assert_eq!(ws.info().identity_mode, Assurance::Verified);

    let (st, ledger) = sample();
    ws.import_statements(&actor(&clara), &file("s1.sta", "s1"), &[st])
        .unwrap();
    let impostor = Principal::new(
        "https://acme.okta.com#00u-clara",
        "Clara Clerk",
        &[Role::Clerk],
    );
    let e = ws
        .import_ledger(&actor(&impostor), &file("gl.csv", "gl"), &ledger)
        .unwrap_err();
    assert_eq!(e.kind(), StoreErrorKind::NotAllowed);
    assert!(e.to_string().contains("self-asserted"), "{e}");

    // The subject is issuer + sub; its display name is in the chain, once, and again on change.
    let renamed = verified("00u-clara", "Clara Clerk-Jansen", &[Role::Clerk]);
    ws.import_ledger(&actor(&renamed), &file("gl.csv", "gl"), &ledger)
        .unwrap();
    let (entries, _) = ws.audit_entries().unwrap();
    let recorded: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "principal_recorded")
        .collect();
    assert_eq!(recorded.len(), 2, "first appearance and the name change");
    assert_eq!(recorded[0].actor, "https://acme.okta.com#00u-clara");
    assert!(
        recorded[0]
            .after
            .contains("\"display_name\":\"Clara Clerk\"")
    );
    assert!(recorded[0].after.contains("\"assurance\":\"verified\""));
    assert!(recorded[1].before.contains("Clara Clerk"));
    assert!(recorded[1].after.contains("Clara Clerk-Jansen"));
    assert!(
        entries
            .iter()
            .filter(|e| e.action != "principal_recorded")
            .all(|e| e.actor == "https://acme.okta.com#00u-clara")
    );
    ws.verify_audit().unwrap();
    // Reopened, the mode holds.
    let dir = ws.dir().to_path_buf();
    drop(ws);
    let ws = Workspace::open(&dir, &keys).unwrap();
    assert_eq!(ws.info().identity_mode, Assurance::Verified);
}

#[test]
fn a_demo_workspace_takes_self_asserted_and_verified_people() {
    let keys = MemoryKeyStore::default();
    let mut ws = create("identity-demo", &keys, &clara());
    assert_eq!(ws.info().identity_mode, Assurance::SelfAsserted);
    let (st, ledger) = sample();
    ws.import_statements(&actor(&sam()), &file("s1.sta", "s1"), &[st])
        .unwrap();
    let v = verified("00u-sam", "Sam Supervisor", &[Role::Supervisor]);
    ws.import_ledger(&actor(&v), &file("gl.csv", "gl"), &ledger)
        .unwrap();
    let (entries, _) = ws.audit_entries().unwrap();
    let who: Vec<&str> = entries
        .iter()
        .filter(|e| e.action == "principal_recorded")
        .map(|e| e.actor.as_str())
        .collect();
    assert_eq!(who, vec!["clara", "sam", "https://acme.okta.com#00u-sam"]);
}
