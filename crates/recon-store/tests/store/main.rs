//! Integration tests of the workspace store (one binary, modules inside): the real OS keyring
//! and SQLCipher, migrations from every earlier schema, review and sign-off rules, and the
//! audit chain under 1,000 random tamperings.

mod carry;
mod content;
mod identity;
mod keyring;
mod migrations;
mod review;
mod support;
mod tamper;
