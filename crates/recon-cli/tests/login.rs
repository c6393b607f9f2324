//! `recon login`, `whoami`, `logout` and the verified identity in `recon ws`, end to end: a real
//! OpenID provider on loopback (tests/idp/server.mjs), the test browser as `$BROWSER`
//! (tests/idp/browser.mjs), the refresh token in the real OS keyring (run under
//! scripts/with-keyring.sh; without a keyring the test prints SKIPPED outside CI).

#[path = "../../../tests/support/servers.rs"]
mod servers;

use servers::{Server, required, root};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn recon(idp: &str, user: &str, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recon"))
        .args(args)
        .env("RECON_OIDC_ISSUER", idp)
        .env("RECON_OIDC_CLIENT_ID", "recon-workbench")
        .env("RECON_SIGN_IN_TIMEOUT_SECONDS", "30")
        // No configuration files of this machine or user take part.
        .env("RECON_SYSTEM_CONFIG", home.join("none.toml"))
        .env("XDG_CONFIG_HOME", home)
        .env_remove("RECON_DEMO")
        .env_remove("RECON_USER")
        .env("BROWSER", root().join("tests/idp/browser.mjs"))
        .env("IDP_USER", user)
        .env("IDP_PASSWORD", format!("{user}-pw"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn keyring_available() -> bool {
    let ok = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
    if !ok {
        assert!(
            !required() || std::env::var_os("RECON_KEYRING_SESSION").is_none(),
            "no D-Bus session for the keyring"
        );
        eprintln!("SKIPPED: no D-Bus session (run under scripts/with-keyring.sh)");
    }
    ok
}

#[test]
fn login_whoami_verified_workspace_roles_and_logout() {
    if !keyring_available() {
        return;
    }
    let Some(idp) = Server::idp() else { return };
    let home = std::env::temp_dir().join(format!("recon-login-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    let ws = home.join("ws");
    let ws_arg = ws.to_str().unwrap();

    // Not signed in: a workspace command says so, and creates nothing.
    let o = recon(&idp.url, "clara", &home, &["whoami"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not signed in"), "{}", text(&o));

    let o = recon(&idp.url, "clara", &home, &["login"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("signed in: Clara Clerk"), "{out}");
    assert!(out.contains("roles: clerk"), "{out}");

    let o = recon(&idp.url, "clara", &home, &["whoami"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("<{}#clara>", idp.url)),
        "{}",
        text(&o)
    );

    // A workspace created by a verified person is a verified workspace.
    let o = recon(
        &idp.url,
        "clara",
        &home,
        &[
            "ws",
            "create",
            "--ws",
            ws_arg,
            "--account",
            "NL91ABNA0417164300",
            "--currency",
            "EUR",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let bank = root().join("assets/demo/statements/demo-2026-11-a.camt053.xml");
    let o = recon(
        &idp.url,
        "clara",
        &home,
        &[
            "ws",
            "import",
            "--ws",
            ws_arg,
            "--bank",
            bank.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // Self-asserted identities: refused without --demo, and refused by a verified workspace.
    let o = recon(
        &idp.url,
        "clara",
        &home,
        &[
            "ws",
            "status",
            "--ws",
            ws_arg,
            "--user",
            "sam",
            "--roles",
            "supervisor",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("demo mode"), "{}", text(&o));
    let o = recon(
        &idp.url,
        "clara",
        &home,
        &[
            "ws",
            "comment",
            "--ws",
            ws_arg,
            "--demo",
            "--user",
            "sam",
            "--roles",
            "supervisor",
            "workspace",
            "--text",
            "hi",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("self-asserted"), "{}", text(&o));

    // Clara is a clerk: approval is refused for her role.
    let o = recon(&idp.url, "clara", &home, &["ws", "approve", "--ws", ws_arg]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).to_lowercase().contains("supervisor"),
        "{}",
        text(&o)
    );

    // The audit chain names the verified subject.
    let o = recon(
        &idp.url,
        "clara",
        &home,
        &["audit", "verify", "--ws", ws_arg],
    );
    assert!(o.status.success(), "{}", text(&o));

    let o = recon(&idp.url, "clara", &home, &["logout"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("revoked at the provider"), "{}", text(&o));
    let o = recon(&idp.url, "clara", &home, &["whoami"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));

    // Sam signs in with the device grant is covered in recon-auth; here the browser again.
    let o = recon(&idp.url, "sam", &home, &["login", "--fresh"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("roles: clerk, supervisor"),
        "{}",
        text(&o)
    );
    let o = recon(&idp.url, "sam", &home, &["logout"]);
    assert!(o.status.success(), "{}", text(&o));
    drop(idp);
    let _ = std::fs::remove_dir_all(&home);
}
