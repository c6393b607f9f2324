//! Pure rules of review and sign-off: who may do what ([`Principal`], [`SignOffState`]), the
//! classic bank reconciliation statement ([`ReconciliationStatement`]), the hash-chained audit log
//! ([`audit`]), the content hash an approval records ([`ContentHasher`]) and the sign-off pack's
//! data ([`pack::SignOffPack`]).
//!
//! No IO, no clock, no randomness: callers pass times and values in. The store (recon-store) keeps
//! what these rules decide; recon-api calls both.

pub mod audit;
mod content;
pub mod identity;
pub mod pack;
mod principal;
mod signoff;
mod statement;

pub use content::ContentHasher;
pub use principal::{Assurance, Principal, Role};
pub use signoff::{SignOffAction, SignOffError, SignOffState, transition};
pub use statement::{AdjustmentReason, OpenItemTotals, ReconciliationStatement, StatementRow};

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}
