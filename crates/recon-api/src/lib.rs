//! recon-api
