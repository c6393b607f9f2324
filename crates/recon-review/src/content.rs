//! The content hash an approval records: SHA-256 over every item, group, decision and total of a
//! reconciliation, fed field by field in a fixed order with length prefixes, so two different
//! contents never feed the same bytes.

use sha2::{Digest, Sha256};

#[derive(Clone, Debug)]
pub struct ContentHasher {
    hasher: Sha256,
}

impl Default for ContentHasher {
    fn default() -> Self {
        ContentHasher::new("recon-content-v1")
    }
}

impl ContentHasher {
    pub fn new(domain: &str) -> ContentHasher {
        let mut c = ContentHasher {
            hasher: Sha256::new(),
        };
        c.text(domain);
        c
    }
    /// A text field (length-prefixed).
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.hasher.update((value.len() as u64).to_le_bytes());
        self.hasher.update(value.as_bytes());
        self
    }
    pub fn int(&mut self, value: i64) -> &mut Self {
        self.hasher.update(value.to_le_bytes());
        self
    }
    /// Starts a new record of `kind` (keeps records of different kinds apart).
    pub fn record(&mut self, kind: &str) -> &mut Self {
        self.hasher.update([0xff]);
        self.text(kind)
    }
    pub fn finish_hex(self) -> String {
        crate::hex(&self.hasher.finalize())
    }
}
