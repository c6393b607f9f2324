//! recon-gen
