//! The S3 side of the inbox tests, shared by crates/recon-s3/tests/inbox.rs and the kill -9
//! harness in crates/recon-cli/tests/inbox_crash.rs: set-up calls through tests/idp/s3_fixture.py
//! (boto3), the fault proxy's control port, and MT940 statements of any size. Included by path,
//! beside servers.rs.

#![allow(dead_code)]

use super::servers::{Server, python, root};
use std::io::{Read, Write};
use std::process::Command;

pub const ACCOUNT: &str = "NL91ABNA0417164300";

/// Runs tests/idp/s3_fixture.py against `endpoint`; its JSON answer.
pub fn fixture(endpoint: &str, keys: Option<(&str, &str)>, args: &[&str]) -> serde_json::Value {
    let mut c = Command::new(python());
    c.arg(root().join("tests/idp/s3_fixture.py"))
        .args(["--endpoint", endpoint]);
    if let Some((id, secret)) = keys {
        c.args(["--key-id", id, "--secret", secret]);
    }
    let out = c.args(args).output().expect("python for s3_fixture.py");
    assert!(
        out.status.success(),
        "s3_fixture.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().last().unwrap_or("{}")).unwrap()
}

/// The fault proxy's control port.
pub struct Proxy {
    _server: Server,
    pub url: String,
    control: String,
}

impl Proxy {
    pub fn start(target_url: &str) -> Option<Proxy> {
        let target = target_url
            .trim_start_matches("http://")
            .trim_end_matches('/');
        let server = Server::faultproxy(target)?;
        let (url, control) = server.url.split_once(" control=").expect("proxy line");
        Some(Proxy {
            url: url.to_string(),
            control: control.to_string(),
            _server: server,
        })
    }

    pub fn call(&self, method: &str, path: &str) -> serde_json::Value {
        let host = self.control.trim_start_matches("http://");
        let mut s = std::net::TcpStream::connect(host).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let body = answer.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
        serde_json::from_str(body).unwrap_or_else(|_| panic!("proxy answered {answer}"))
    }

    pub fn mode(&self, query: &str) {
        self.call("POST", &format!("/mode?{query}"));
    }

    pub fn stats(&self) -> serde_json::Value {
        self.call("GET", "/stats")
    }
}

/// An MT940 statement of `lines` lines for the account (about 110 bytes a line), with the first
/// line's amount raised by `bump` cents (a corrected version keeps the identity).
pub fn mt940(id: &str, lines: usize, bump: i64) -> Vec<u8> {
    // MT940 names a statement by its :28C: number: one per id.
    let number = id
        .bytes()
        .fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 99_991;
    let mut out =
        format!(":20:{id}\r\n:25:{ACCOUNT}\r\n:28C:{number}/1\r\n:60F:C261101EUR1000,00\r\n");
    let mut total: i64 = 100_000;
    for i in 0..lines {
        let day = 2 + (i % 27);
        let mut cents = ((i as i64 * 7919) % 500_000) - 250_000;
        if cents == 0 {
            cents = 1;
        }
        if i == 0 {
            cents += bump;
        }
        total += cents;
        let (mark, abs) = if cents < 0 {
            ('D', -cents)
        } else {
            ('C', cents)
        };
        out.push_str(&format!(
            ":61:2611{day:02}11{day:02}{mark}{},{:02}NTRFREF-{id}-{i}//B{i}\r\n:86:/EREF/REF-{id}-{i}/REMI/Payment {i} for invoice {i}/NAME/Counterparty {}\r\n",
            abs / 100,
            abs % 100,
            i % 97
        ));
    }
    let (mark, abs) = if total < 0 {
        ('D', -total)
    } else {
        ('C', total)
    };
    out.push_str(&format!(
        ":62F:{mark}261130EUR{},{:02}\r\n-\r\n",
        abs / 100,
        abs % 100
    ));
    out.into_bytes()
}
