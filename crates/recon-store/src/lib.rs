//! The local workspace: everything a reconciliation holds until it is published (statements,
//! lines, ledger entries, match runs, groups, suggestions, exceptions, decisions, comments,
//! attachments, assignments, the audit log, the outbox), in one SQLCipher-encrypted SQLite
//! database per bank account and period. The key is a random 256-bit key kept in the OS keyring;
//! without it the workspace does not open, and there is no plaintext fallback.
//!
//! The only crate with SQL. The rules it applies (sign-off, statement arithmetic, audit chain)
//! come from the pure `recon-review` crate.

mod carry;
mod content;
mod desk;
mod error;
mod import;
mod inbox;
pub mod keys;
mod matching;
mod pack;
mod publish;
mod query;
mod review;
pub mod schema;
mod workspace;

pub use carry::{
    CARRIED_FORMAT, CARRIED_ITEMS_MAX, CarriedItem, CarryOutcome, CarryRecord, CarrySource,
    KeptFile, PreviousPeriod,
};
pub use desk::{ItemRecord, RuleCount};
pub use error::{Result, StoreError, StoreErrorKind};
pub use import::{FileRecord, FileSource, ImportOutcome, StoredDeviation, StoredPeriod};
pub use inbox::{INBOX_OBJECTS_MAX, InboxObjectRow, InboxScanRow, SeenObject, SourcedFile};
pub use keys::{DatabaseKey, KEYRING_SERVICE, KeyStore, MemoryKeyStore, OsKeyStore, keyring_user};
pub use matching::{MatchData, RunSummary, StoredItem};
pub use publish::{Destination, OUTBOX_ENTRIES_MAX, OutboxEntry, Reopening};
pub use query::{
    EXCEPTION_PAGE_MAX, ExceptionQuery, ExceptionRow, ExceptionSort, GroupRow, SuggestionRow,
    WorkspaceStatus,
};
pub use review::{
    ATTACHMENT_BYTES_MAX, Adjustment, DecisionReceipt, MANUAL_MATCH_ITEMS_MAX,
    REJECTED_PAIRS_PER_GROUP_MAX,
};
pub use workspace::{Actor, DB_FILE, ID_FILE, SignOffRecord, Workspace, WorkspaceInfo};
