//! Import tests against real bank files (../shared/testdata) and the error catalogue (tests/errors).
//! One test binary; one module per format.

mod bai2;
mod camt;
mod csv;
mod deviations;
mod errors;
mod mt940;
mod roundtrip;
