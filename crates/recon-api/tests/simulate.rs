//! Rule dry-run (`recon ws simulate`): a candidate rule set over a real workspace, compared with
//! what it holds, changing nothing; an auto-match people undid shows as a contradiction.

use recon_api::simulate::simulate_rules;
use recon_api::workspace::{self as w, MemoryKeyStore};
use recon_review::{Principal, Role};

#[test]
fn a_dry_run_changes_nothing_and_names_the_decisions_it_would_contradict() {
    let dir = std::env::temp_dir().join(format!("recon-simulate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let keys = MemoryKeyStore::default();
    recon_api::approved_demo_workspace(&dir, &keys).unwrap();
    let mut ws = w::open_workspace(&dir, &keys).unwrap();
    let hash = ws.content_hash().unwrap();
    let audit = ws.audit_entries().unwrap().0.len();

    // The default rules again: everything accounted for, nothing contradicts people.
    let r = simulate_rules(&ws, None).unwrap();
    assert!(r.auto_groups > 0, "{r:?}");
    assert_eq!(
        r.unchanged + r.agree_with_people + r.gained + r.contradictions,
        r.auto_groups,
        "{r:?}"
    );
    let current = ws.confirmed_groups(true).unwrap().len();
    assert_eq!(current, r.unchanged + r.lost, "{r:?}");
    assert_eq!(r.contradictions, 0, "{r:?}");
    assert_eq!(
        ws.content_hash().unwrap(),
        hash,
        "a dry run changes nothing"
    );
    assert_eq!(ws.audit_entries().unwrap().0.len(), audit);

    // A clerk takes an auto group apart (its pair becomes a rejected pair): the same rules on
    // their own would make it again, and the dry run says whose decision that contradicts.
    let clara = Principal::new("clara", "Clara (clerk)", &[Role::Clerk]);
    let undone = ws.confirmed_groups(true).unwrap().remove(0);
    let group = ws
        .group_of("bank", &undone.bank_ids[0])
        .unwrap()
        .expect("the auto group's bank line is in it");
    w::unmatch(&mut ws, &clara, &[group]).unwrap();
    let hash = ws.content_hash().unwrap();
    let r = simulate_rules(&ws, None).unwrap();
    assert_eq!(r.contradictions, 1, "{r:?}");
    let c = &r.contradiction_examples[0];
    assert!(c.decision.starts_with("rejected pair"), "{c:?}");
    let mut bank = undone.bank_ids.clone();
    bank.sort();
    assert_eq!(c.group.bank, bank);
    assert_eq!(ws.content_hash().unwrap(), hash);

    // A bad rule set is refused, naming the option.
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\n[[pass]]\nname = \"s\"\nkind = \"subset_sum\"\noutcome = \"suggest\"\nsubset_combinations_max = 10000000\n",
    )
    .unwrap();
    let e = simulate_rules(&ws, Some(&bad)).unwrap_err().to_string();
    assert!(e.contains("subset_combinations_max"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
