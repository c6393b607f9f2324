//! The RDS IAM authentication token against an independent signer: botocore's
//! `generate_db_auth_token` (tests/pg/rds_token.py, the test virtualenv's botocore) with the same
//! credentials, region, user, host and a fixed time must give the same signature. (No RDS here:
//! whether RDS accepts the token is not tested.)

#[path = "../../../tests/support/servers.rs"]
mod servers;

use aws_credential_types::Credentials;
use std::process::Command;
use std::time::{Duration, SystemTime};

fn botocore(args: &[&str]) -> Option<String> {
    let out = Command::new(servers::python())
        .arg(servers::root().join("tests/pg/rds_token.py"))
        .args(args)
        .output();
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).trim().to_string()),
        other => {
            assert!(
                !servers::required(),
                "botocore's signer did not run: {other:?}"
            );
            eprintln!("SKIPPED: botocore's signer did not run: {other:?}");
            None
        }
    }
}

fn param<'a>(token: &'a str, name: &str) -> &'a str {
    token
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("{name} missing from {token}"))
}

#[test]
fn the_token_signs_as_botocore_signs_it() {
    for (host, port, user, region, at) in [
        (
            "recon-db.abc123.eu-west-1.rds.amazonaws.com",
            5432u16,
            "recon_app",
            "eu-west-1",
            1_796_299_200u64,
        ),
        (
            "db.example.com",
            6543,
            "clara.o'neil+x",
            "us-east-1",
            1_800_000_017,
        ),
    ] {
        let key = "AKIDEXAMPLE";
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let Some(theirs) = botocore(&[
            host,
            &port.to_string(),
            user,
            region,
            key,
            secret,
            &at.to_string(),
        ]) else {
            return;
        };
        let ours = recon_pg::iam::auth_token(
            host,
            port,
            user,
            region,
            &Credentials::new(key, secret, None, None, "test"),
            SystemTime::UNIX_EPOCH + Duration::from_secs(at),
        )
        .unwrap();
        for name in [
            "Action",
            "DBUser",
            "X-Amz-Algorithm",
            "X-Amz-Credential",
            "X-Amz-Date",
            "X-Amz-Expires",
            "X-Amz-SignedHeaders",
            "X-Amz-Signature",
        ] {
            assert_eq!(
                param(&ours, name),
                param(&theirs, name),
                "{name}\nours:   {ours}\ntheirs: {theirs}"
            );
        }
        assert!(ours.starts_with(&format!("{host}:{port}/?")), "{ours}");
    }
}
