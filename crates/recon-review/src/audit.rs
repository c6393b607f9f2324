//! The hash-chained audit log: each entry holds the hash of the entry before it, and its own hash
//! covers every field. Editing, deleting, inserting or reordering entries breaks the chain;
//! truncating the tail is caught by the head (count and last hash) the workspace records beside
//! the log.

use crate::ContentHasher;
use serde::Serialize;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as it is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// 1, 2, 3, ... without gaps.
    pub seq: i64,
    /// UTC instant, RFC 3339.
    pub at: String,
    /// Principal subject.
    pub actor: String,
    pub action: String,
    /// What was acted on ("suggestion:12", "group:7", "workspace").
    pub target: String,
    /// JSON (or "") of the state before and after.
    pub before: String,
    pub after: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The fields an entry is made of, before it is chained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub before: &'a str,
    pub after: &'a str,
}

/// The last entry's position and hash, recorded beside the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

impl AuditHead {
    pub fn genesis() -> AuditHead {
        AuditHead {
            seq: 0,
            hash: GENESIS_HASH.to_string(),
        }
    }
}

/// The hash of an entry: covers the workspace id (entries cannot be moved between workspaces),
/// the position, every field and the previous hash.
pub fn entry_hash(
    workspace_id: &str,
    seq: i64,
    record: &AuditRecord<'_>,
    prev_hash: &str,
) -> String {
    let mut h = ContentHasher::new("recon-audit-v1");
    h.text(workspace_id)
        .int(seq)
        .text(record.at)
        .text(record.actor)
        .text(record.action)
        .text(record.target)
        .text(record.before)
        .text(record.after)
        .text(prev_hash);
    h.finish_hex()
}

/// Chains `record` after `head`, returning the entry to store (and the new head is its seq/hash).
pub fn chain(workspace_id: &str, head: &AuditHead, record: &AuditRecord<'_>) -> AuditEntry {
    let seq = head.seq + 1;
    AuditEntry {
        seq,
        at: record.at.to_string(),
        actor: record.actor.to_string(),
        action: record.action.to_string(),
        target: record.target.to_string(),
        before: record.before.to_string(),
        after: record.after.to_string(),
        prev_hash: head.hash.clone(),
        hash: entry_hash(workspace_id, seq, record, &head.hash),
    }
}

/// Where and how the chain is broken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuditBreak {
    #[error(
        "audit entry at position {position} has seq {found}, expected {expected} (entry deleted, inserted or reordered)"
    )]
    Sequence {
        position: usize,
        expected: i64,
        found: i64,
    },
    #[error(
        "audit entry {seq}: previous-hash link broken (entry deleted, inserted or reordered before it)"
    )]
    Link { seq: i64 },
    #[error("audit entry {seq}: content does not match its hash (entry edited)")]
    Content { seq: i64 },
    #[error(
        "audit log ends at entry {found_seq} but the workspace records entry {head_seq} as the last (entries removed or added at the end)"
    )]
    Head { head_seq: i64, found_seq: i64 },
}

/// Verifies entries in stored order against the recorded head.
pub fn verify(
    workspace_id: &str,
    entries: &[AuditEntry],
    head: &AuditHead,
) -> Result<(), AuditBreak> {
    let mut prev = GENESIS_HASH.to_string();
    for (position, e) in entries.iter().enumerate() {
        let expected = position as i64 + 1;
        if e.seq != expected {
            return Err(AuditBreak::Sequence {
                position,
                expected,
                found: e.seq,
            });
        }
        if e.prev_hash != prev {
            return Err(AuditBreak::Link { seq: e.seq });
        }
        let record = AuditRecord {
            at: &e.at,
            actor: &e.actor,
            action: &e.action,
            target: &e.target,
            before: &e.before,
            after: &e.after,
        };
        if entry_hash(workspace_id, e.seq, &record, &e.prev_hash) != e.hash {
            return Err(AuditBreak::Content { seq: e.seq });
        }
        prev.clone_from(&e.hash);
    }
    let last_seq = entries.last().map_or(0, |e| e.seq);
    if last_seq != head.seq || prev != head.hash {
        return Err(AuditBreak::Head {
            head_seq: head.seq,
            found_seq: last_seq,
        });
    }
    Ok(())
}
