//! The loopback redirect of RFC 8252 §7.3: a one-shot HTTP listener on 127.0.0.1 at an ephemeral
//! port that receives the authorization response (`/callback?code=…&state=…`) from the system
//! browser, answers with a short page, and hands the parameters back. Only 127.0.0.1 is bound,
//! so nothing off the machine can deliver a code; requests for other paths get 404; a request
//! line or header block over 8 KiB is dropped.

use std::collections::HashMap;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Longest request head read from the browser.
const MAX_REQUEST_BYTES: usize = 8 * 1024;

pub struct Loopback {
    listener: TcpListener,
    port: u16,
}

impl Loopback {
    /// Binds 127.0.0.1 on a port the OS picks.
    pub async fn bind() -> std::io::Result<Loopback> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(Loopback { listener, port })
    }

    /// `http://127.0.0.1:{port}/callback`.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}/callback", self.port)
    }

    /// Waits for the browser's request to `/callback` (at most `timeout`) and returns its query
    /// parameters. `page` is the answer shown in the browser.
    pub async fn receive(
        &self,
        timeout: Duration,
        page: &str,
    ) -> Result<HashMap<String, String>, String> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let accepted = tokio::time::timeout_at(deadline, self.listener.accept()).await;
            let (mut stream, _) = match accepted {
                Err(_) => {
                    return Err(format!(
                        "no answer from the browser within {} s: the sign-in was not completed",
                        timeout.as_secs()
                    ));
                }
                Ok(Err(e)) => return Err(format!("loopback listener: {e}")),
                Ok(Ok(s)) => s,
            };
            let head =
                match tokio::time::timeout(Duration::from_secs(10), read_head(&mut stream)).await {
                    Ok(Some(h)) => h,
                    _ => continue,
                };
            let target = head
                .lines()
                .next()
                .and_then(|l| {
                    let mut parts = l.split(' ');
                    (parts.next() == Some("GET"))
                        .then(|| parts.next())
                        .flatten()
                })
                .unwrap_or("");
            let Ok(url) = url::Url::parse(&format!("http://127.0.0.1{target}")) else {
                let _ = respond(&mut stream, "400 Bad Request", "bad request").await;
                continue;
            };
            if url.path() != "/callback" {
                let _ = respond(&mut stream, "404 Not Found", "not found").await;
                continue;
            }
            let params: HashMap<String, String> = url.query_pairs().into_owned().collect();
            let _ = respond(&mut stream, "200 OK", page).await;
            return Ok(params);
        }
    }
}

async fn read_head(stream: &mut tokio::net::TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") {
            return String::from_utf8(buf).ok();
        }
        if buf.len() > MAX_REQUEST_BYTES {
            return None;
        }
    }
}

async fn respond(
    stream: &mut tokio::net::TcpStream,
    status: &str,
    body: &str,
) -> std::io::Result<()> {
    let html = format!(
        "<!doctype html><meta charset=utf-8><title>Reconciliation workbench</title><p style=\"font-family:sans-serif\">{body}</p>"
    );
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{html}",
        html.len()
    );
    stream.write_all(reply.as_bytes()).await?;
    stream.shutdown().await
}
