//! The desktop app's use cases (`Desk`), as the Tauri commands call them: the whole flow on the
//! demo workspace, and the refusals the UI shows by error code.

use recon_api::ErrorCode;
use recon_api::desk::{Adjustment, AdjustmentReasonName, Desk, ExceptionQueryDto, ExportFormat};
use recon_store::MemoryKeyStore;

fn query(reason: Option<&str>, side: Option<&str>) -> ExceptionQueryDto {
    ExceptionQueryDto {
        side: side.map(String::from),
        reason: reason.map(String::from),
        text: None,
        sort: "age-desc".into(),
        offset: 0,
        limit: 1000,
    }
}

#[test]
fn demo_workspace_from_import_to_approved_sign_off_pack() {
    let root = std::env::temp_dir().join(format!("recon-desk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let mut desk = Desk::new(&root, Box::new(MemoryKeyStore::default())).unwrap();
    // Nothing works before sign-in.
    let workspaces = desk.list_workspaces().unwrap();
    assert_eq!(
        workspaces.len(),
        1,
        "the demo workspace is created on first start"
    );
    let id = workspaces[0].id.clone();
    desk.open_workspace(&id).unwrap();
    let err = desk.import_demo_samples(&mut |_| {}).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotAllowed);
    assert_eq!(
        desk.sign_in("mallory").unwrap_err().code(),
        ErrorCode::NotFound
    );

    desk.sign_in("clara").unwrap();
    let mut progress = Vec::new();
    let import = desk
        .import_demo_samples(&mut |p| progress.push(p.files_done))
        .unwrap();
    assert_eq!(progress, vec![1, 2, 3, 4]);
    assert!(
        import.bank_lines > 0 && import.ledger_entries > 0,
        "{import:?}"
    );
    // The same files again are skipped, not doubled.
    let again = desk.import_demo_samples(&mut |_| {}).unwrap();
    assert_eq!(again.bank_lines + again.ledger_entries, 0);
    assert!(
        again.files.iter().all(|f| f.status != "imported"),
        "{again:?}"
    );

    let dashboard = desk.run_matching(&mut |_| {}).unwrap();
    assert!(
        dashboard.workspace.match_rate_permille > 500,
        "{dashboard:?}"
    );
    assert!(!dashboard.rules.is_empty());
    let page = desk.list_exceptions(&query(None, None)).unwrap();
    assert_eq!(page.total as usize, page.rows.len());
    assert_eq!(page.total, dashboard.workspace.open_exceptions);

    let suggestions = desk.list_suggestions(None, None).unwrap();
    assert!(!suggestions.is_empty());
    let first = &suggestions[0];
    let of_item = desk
        .list_suggestions(Some("bank"), Some(&first.bank[0]))
        .unwrap();
    assert!(of_item.iter().any(|s| s.id == first.id));
    // Each row's suggestion count is the number of open suggestions that name the item.
    // An item's suggestions are those of the full list that name it, in the same order.
    let mut with_suggestions = 0;
    for row in &page.rows {
        let of_row = desk
            .list_suggestions(Some(&row.side), Some(&row.item_id))
            .unwrap();
        assert_eq!(row.suggestions as usize, of_row.len(), "{row:?}");
        let naming: Vec<i64> = suggestions
            .iter()
            .filter(|s| {
                let side = if row.side == "bank" {
                    &s.bank
                } else {
                    &s.ledger
                };
                side.contains(&row.item_id)
            })
            .map(|s| s.id)
            .collect();
        assert_eq!(
            of_row.iter().map(|s| s.id).collect::<Vec<_>>(),
            naming,
            "{row:?}"
        );
        with_suggestions += usize::from(row.suggestions > 0);
    }
    assert!(with_suggestions >= 2, "{:?}", page.rows);
    desk.accept_suggestions(&[first.id]).unwrap();
    let after = desk.list_exceptions(&query(None, None)).unwrap();
    assert!(
        after.rows.iter().all(|r| r.item_id != first.bank[0]),
        "an accepted item is still an exception"
    );
    let detail = desk.item_detail("bank", &first.bank[0]).unwrap();
    assert_eq!(detail.status, "matched");
    assert!(!detail.history.is_empty(), "{detail:?}");

    // The status the top bar asks for after every change (read on the figures' connection, its
    // statement cached until another connection commits).
    let before = desk.sign_off_status().unwrap();
    assert_eq!(before.preparer, None, "{before:?}");

    // An unbooked bank charge: manual match with a bank_charge adjustment.
    let bank = desk.list_exceptions(&query(None, Some("bank"))).unwrap();
    let fee = bank.rows.iter().find(|r| r.amount_minor < 0).unwrap();
    desk.manual_match(
        std::slice::from_ref(&fee.item_id),
        &[],
        Some(&Adjustment {
            reason: AdjustmentReasonName::BankCharge,
            note: "fee advice".into(),
        }),
    )
    .unwrap();
    desk.add_comment("bank", &fee.item_id, "booked to 6510")
        .unwrap();
    assert_eq!(
        desk.item_detail("bank", &fee.item_id)
            .unwrap()
            .comments
            .len(),
        1
    );

    let prepared = desk.prepare_sign_off().unwrap();
    assert_eq!(prepared.unexplained_difference_minor, 0);
    // The status read after the change is the one prepare returned, not the one seen before.
    let status = desk.sign_off_status().unwrap();
    assert_eq!(
        serde_json::to_value(&status).unwrap(),
        serde_json::to_value(&prepared).unwrap()
    );
    assert_ne!(
        serde_json::to_value(&status).unwrap(),
        serde_json::to_value(&before).unwrap()
    );
    assert_eq!(
        desk.approve_sign_off().unwrap_err().code(),
        ErrorCode::NotAllowed,
        "a clerk never approves"
    );
    desk.sign_in("sam").unwrap();
    let approved = desk.approve_sign_off().unwrap();
    assert_eq!(approved.approver.as_deref(), Some("sam"));
    assert_eq!(
        serde_json::to_value(desk.sign_off_status().unwrap()).unwrap(),
        serde_json::to_value(&approved).unwrap()
    );
    let path = desk.export_sign_off(ExportFormat::Pdf).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() > 1000);
    let listed = desk.list_workspaces().unwrap();
    assert_eq!(
        serde_json::to_value(listed[0].state).unwrap(),
        serde_json::json!("approved")
    );
    let _ = std::fs::remove_dir_all(&root);
}

/// Unassigning (the app sends no assignee) clears the assignment, is audited, and undoes.
#[test]
fn assigning_then_unassigning_an_exception_through_the_desk() {
    let root = std::env::temp_dir().join(format!("recon-desk-unassign-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let mut desk = Desk::new(&root, Box::new(MemoryKeyStore::default())).unwrap();
    let id = desk.list_workspaces().unwrap()[0].id.clone();
    desk.open_workspace(&id).unwrap();
    desk.sign_in("clara").unwrap();
    desk.import_demo_samples(&mut |_| {}).unwrap();
    desk.run_matching(&mut |_| {}).unwrap();
    let page = desk.list_exceptions(&query(None, None)).unwrap();
    let row = &page.rows[0];
    let items = vec![(row.side.clone(), row.item_id.clone())];

    desk.assign_items(&items, Some("clara")).unwrap();
    let detail = desk.item_detail(&row.side, &row.item_id).unwrap();
    assert_eq!(detail.assignee.as_deref(), Some("clara"));
    let audited = detail.history.len();

    let receipt = desk.assign_items(&items, None).unwrap();
    assert_eq!(receipt.kind, "unassign");
    let detail = desk.item_detail(&row.side, &row.item_id).unwrap();
    assert_eq!(detail.assignee, None, "{detail:?}");
    assert!(
        detail.history.len() > audited && detail.history.iter().any(|h| h.action == "unassign"),
        "{:?}",
        detail.history
    );
    let listed = desk.list_exceptions(&query(None, None)).unwrap();
    let again = listed
        .rows
        .iter()
        .find(|r| r.item_id == row.item_id)
        .unwrap();
    assert_eq!(again.assignee, None);
    // A blank assignee is an unassign too, not an assignment to "".
    desk.assign_items(&items, Some("clara")).unwrap();
    desk.assign_items(&items, Some("  ")).unwrap();
    assert_eq!(
        desk.item_detail(&row.side, &row.item_id).unwrap().assignee,
        None
    );

    // Undo restores the assignee the unassign removed.
    desk.undo_last().unwrap();
    assert_eq!(
        desk.item_detail(&row.side, &row.item_id)
            .unwrap()
            .assignee
            .as_deref(),
        Some("clara")
    );
    let _ = std::fs::remove_dir_all(&root);
}

/// A bucket in memory for the desk's inbox logic (the S3 adapter itself is tested against moto
/// in crates/recon-s3/tests/inbox.rs, and the app's panel end to end).
struct Bucket(Vec<(String, Vec<u8>)>);

impl recon_api::inbox::StatementSource for Bucket {
    fn describe(&self) -> String {
        "memory".into()
    }
    fn list(
        &mut self,
        location: &recon_api::inbox::Location,
        _max: usize,
    ) -> Result<Vec<recon_api::inbox::RemoteObject>, recon_api::inbox::SourceError> {
        Ok(self
            .0
            .iter()
            .filter(|(k, _)| k.starts_with(&location.prefix))
            .map(|(k, b)| recon_api::inbox::RemoteObject {
                bucket: location.bucket.clone(),
                key: k.clone(),
                etag: format!("e{}", b.len()),
                size_bytes: b.len() as u64,
                last_modified: None,
                version_id: None,
                checksum: None,
            })
            .collect())
    }
    fn head(
        &mut self,
        bucket: &str,
        key: &str,
    ) -> Result<recon_api::inbox::RemoteObject, recon_api::inbox::SourceError> {
        let location = recon_api::inbox::Location {
            kind: recon_api::inbox::ObjectKind::Statement,
            bucket: bucket.into(),
            prefix: key.into(),
        };
        Ok(self.list(&location, 1)?.remove(0))
    }
    fn fetch(
        &mut self,
        object: &recon_api::inbox::RemoteObject,
        part: &std::path::Path,
        _progress: &mut dyn FnMut(u64),
    ) -> Result<recon_api::inbox::Fetched, recon_api::inbox::SourceError> {
        let bytes = &self.0.iter().find(|(k, _)| *k == object.key).unwrap().1;
        std::fs::write(part, bytes).unwrap();
        Ok(recon_api::inbox::Fetched {
            verified_by: "size only".into(),
            resumed_from_bytes: 0,
            requests: 1,
        })
    }
}

#[test]
fn the_app_lists_the_inbox_with_the_desk_released_and_records_nothing_after_a_sign_out() {
    let root = std::env::temp_dir().join(format!("recon-desk-inbox-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let statement = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/demo/statements/demo-2026-11-b.sta"),
    )
    .unwrap();
    let wiring = recon_api::desk::InboxWiring {
        config: recon_api::inbox::InboxConfig {
            statements: Some("s3://acme-bank-statements/{account}/".into()),
            ..Default::default()
        },
        connect: Box::new(move |_p| {
            Ok(Box::new(Bucket(vec![(
                "NL91ABNA0417164300/b.sta".into(),
                statement.clone(),
            )]))
                as Box<dyn recon_api::inbox::StatementSource>)
        }),
    };
    let mut desk = Desk::new(&root, Box::new(MemoryKeyStore::default()))
        .unwrap()
        .with_inbox(wiring);
    // The About box says what this is and where it looks.
    let about = desk.about("9.8.7");
    assert_eq!(about.version, "9.8.7");
    assert_eq!(about.workspace_schema, recon_store::schema::SCHEMA_VERSION);
    assert_eq!(about.workspaces_folder, root.display().to_string());
    assert_eq!(about.inbox, "s3://acme-bank-statements/{account}/");
    assert_eq!(about.identity, "none configured (demo mode only)");
    assert!(about.os.starts_with(std::env::consts::OS), "{}", about.os);
    desk.sign_in("clara").unwrap();
    let id = desk.list_workspaces().unwrap()[0].id.clone();
    desk.open_workspace(&id).unwrap();
    assert_eq!(desk.inbox_view().unwrap().new_files, 0);
    // Listed with the desk free, then recorded.
    let ticket = desk.begin_inbox_refresh().unwrap().expect("configured");
    let listed = ticket.run();
    let view = desk.complete_inbox_refresh(listed).unwrap();
    assert_eq!((view.new_files, view.locations.len()), (1, 1));
    let report = desk.inbox_pull(&mut |_| {}).unwrap();
    assert_eq!((report.imported, report.failed), (1, 0), "{report:?}");
    assert_eq!(desk.inbox_view().unwrap().imported_files, 1);
    // Signed out between listing and recording: nothing is recorded, the refusal says why.
    let ticket = desk.begin_inbox_refresh().unwrap().unwrap();
    let listed = ticket.run();
    desk.sign_out().unwrap();
    assert_eq!(
        desk.complete_inbox_refresh(listed).unwrap_err().code(),
        ErrorCode::NotAllowed
    );
}

#[test]
fn strict_reading_is_a_workspace_setting_the_app_turns_on_and_off() {
    let root = std::env::temp_dir().join(format!("recon-desk-strict-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let mut desk = Desk::new(&root, Box::new(MemoryKeyStore::default())).unwrap();
    let id = desk.list_workspaces().unwrap()[0].id.clone();
    desk.open_workspace(&id).unwrap();
    desk.sign_in("clara").unwrap();
    assert!(
        !desk.import_settings().unwrap().strict_import,
        "off by default"
    );
    assert!(desk.set_strict_import(true).unwrap().strict_import);
    // Kept in the workspace: opened again (a new connection), it reads back.
    desk.open_workspace(&id).unwrap();
    assert!(desk.import_settings().unwrap().strict_import);
    assert!(!desk.set_strict_import(false).unwrap().strict_import);
    let _ = std::fs::remove_dir_all(&root);
}
