//! Integrity checks across parsed statements (being written).
