//! Real servers for tests, started per test on loopback and killed when dropped: the OpenID
//! provider (tests/idp/server.mjs, npm `oidc-provider`) and moto's S3/STS
//! (tests/idp/moto_server.py). Included by path from the crates' test files that need them.
//! Without node modules or the moto virtualenv a test prints SKIPPED, unless `CI` or
//! `RECON_IDP_TESTS` is set, where it fails.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The repository root (tests live two levels under it, in crates/NAME).
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    if manifest.join("crates").exists() {
        manifest.to_path_buf()
    } else {
        manifest.join("../..")
    }
}

/// The test virtualenv's python (moto, boto3; scripts/moto.sh install), else the system's.
pub fn python() -> PathBuf {
    let venv = root().join("target/test-venv/bin/python3");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

pub fn required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("RECON_IDP_TESTS").is_some()
}

static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A process started for one test, killed when dropped; its first stdout line with `ready`
/// gives its URL.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Sends `signal` (a `kill -s` name, e.g. "USR1") to the server's script.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args(["-s", signal, &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -s {signal} failed");
    }

    pub fn start(mut command: Command, ready: &str) -> Option<Server> {
        let mut child = match command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => {
                assert!(!required(), "cannot start {command:?}: {e}");
                eprintln!("SKIPPED: cannot start {command:?}: {e}");
                return None;
            }
        };
        let out = child.stdout.take().unwrap();
        let mut lines = BufReader::new(out).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) if line.starts_with(ready) => {
                    break line[ready.len()..].trim().to_string();
                }
                Some(Ok(_)) => continue,
                _ => {
                    let _ = child.kill();
                    assert!(!required(), "{command:?} ended before {ready}");
                    eprintln!("SKIPPED: {command:?} ended before {ready}");
                    return None;
                }
            }
        };
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Some(Server { child, url })
    }

    pub fn idp() -> Option<Server> {
        let dir = root().join("tests/idp");
        if !dir.join("node_modules/oidc-provider").exists() {
            assert!(
                !required(),
                "tests/idp/node_modules is missing: run scripts/idp.sh install"
            );
            eprintln!("SKIPPED: tests/idp/node_modules is missing (scripts/idp.sh install)");
            return None;
        }
        let mut c = Command::new("node");
        c.arg(dir.join("server.mjs")).env("IDP_PORT", "0");
        Server::start(c, "IDP_READY")
    }

    /// moto without an OpenID provider (S3 with any key, no web-identity roles).
    pub fn moto_plain() -> Option<Server> {
        Server::moto_with(None, &[])
    }

    /// moto with `env` (e.g. MOTO_IAM_AUTH=1) and, given an issuer, the web-identity roles.
    pub fn moto_with(issuer: Option<&str>, env: &[(&str, &str)]) -> Option<Server> {
        let mut c = Command::new(python());
        c.arg(root().join("tests/idp/moto_server.py"))
            .env("MOTO_PORT", "0")
            .env_remove("MOTO_OIDC_ISSUER")
            .env(
                "MOTO_STATE_DIR",
                std::env::temp_dir().join(format!(
                    "moto-{}-{}",
                    std::process::id(),
                    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                )),
            );
        if let Some(i) = issuer {
            c.env("MOTO_OIDC_ISSUER", i);
        }
        for (k, v) in env {
            c.env(k, v);
        }
        Server::start(c, "MOTO_READY")
    }

    /// The fault-injecting proxy (scripts/faultproxy.py) in front of `target` (host:port).
    /// `url` is "http://127.0.0.1:LISTEN control=http://127.0.0.1:CONTROL".
    pub fn faultproxy(target: &str) -> Option<Server> {
        let mut c = Command::new("python3");
        c.arg(root().join("scripts/faultproxy.py"))
            .args(["--target", target]);
        Server::start(c, "FAULTPROXY_READY")
    }

    /// Debian's PostgreSQL on a fresh cluster with TLS (tests/pg/pg_server.py); `url` is
    /// "postgresql://postgres:PW@127.0.0.1:PORT/postgres ca=CA other_ca=OTHER socket=DIR".
    pub fn postgres() -> Option<Server> {
        let state = std::env::temp_dir().join(format!(
            "pg-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let mut c = Command::new("python3");
        c.arg(root().join("tests/pg/pg_server.py"))
            .env("PG_STATE_DIR", &state)
            .env("PG_PORT", "0");
        Server::start(c, "PG_READY")
    }

    /// moto with the web-identity roles trusting `issuer`.
    pub fn moto(issuer: &str) -> Option<Server> {
        Server::moto_with(Some(issuer), &[])
    }
}
