//! The PostgreSQL side of the publishing tests: a server (tests/pg/pg_server.py) with the schema
//! migrated and a login role for the app that holds `recon_publisher` (insert and read only).
//! Included by path, beside servers.rs.

#![allow(dead_code)]

use super::servers::Server;
use std::path::PathBuf;

pub const APP_USER: &str = "clara_app";
pub const APP_PASSWORD: &str = "app-secret-1";

pub struct Pg {
    pub server: Server,
    /// postgresql://postgres:PW@127.0.0.1:PORT/postgres
    pub admin_url: String,
    pub port: u16,
    pub ca: PathBuf,
    pub other_ca: PathBuf,
    /// The unix socket's folder (the superuser connects there without a password).
    pub socket: PathBuf,
}

impl Pg {
    /// A server, migrated, with the app's login role.
    pub fn start() -> Option<Pg> {
        let server = Server::postgres()?;
        let mut fields = server.url.split(' ');
        let admin_url = fields.next().unwrap().to_string();
        let mut ca = PathBuf::new();
        let mut other_ca = PathBuf::new();
        let mut socket = PathBuf::new();
        for f in fields {
            if let Some(p) = f.strip_prefix("ca=") {
                ca = PathBuf::from(p);
            } else if let Some(p) = f.strip_prefix("other_ca=") {
                other_ca = PathBuf::from(p);
            } else if let Some(p) = f.strip_prefix("socket=") {
                socket = PathBuf::from(p);
            }
        }
        let parsed = url::Url::parse(&admin_url).unwrap();
        let port = parsed.port().unwrap();
        let pg = Pg {
            server,
            admin_url,
            port,
            ca,
            other_ca,
            socket,
        };
        let mut admin = pg.admin();
        admin.migrate().expect("migrations apply");
        admin
            .query_texts(&format!(
                "CREATE ROLE {APP_USER} LOGIN PASSWORD '{APP_PASSWORD}' IN ROLE recon_publisher"
            ))
            .expect("the app's role");
        Some(pg)
    }

    pub fn admin(&self) -> recon_pg::PgResults {
        recon_pg::PgResults::with_url_password(&self.admin_url, Some(&self.ca)).unwrap()
    }

    /// The administrator's URL for another database of the server.
    /// The administrator's connection to another database of the server.
    pub fn admin_for(&self, database: &str) -> recon_pg::PgResults {
        recon_pg::PgResults::with_url_password(&self.admin_url_for(database), Some(&self.ca))
            .unwrap()
    }

    pub fn admin_url_for(&self, database: &str) -> String {
        let base = self
            .admin_url
            .strip_suffix("/postgres")
            .expect("ends in /postgres");
        format!("{base}/{database}")
    }

    /// postgresql://clara_app@127.0.0.1:PORT/postgres
    pub fn app_url(&self) -> String {
        format!("postgresql://{APP_USER}@127.0.0.1:{}/postgres", self.port)
    }

    /// The app's connection (insert and read only).
    pub fn app(&self) -> recon_pg::PgResults {
        recon_pg::PgResults::with_password(&self.app_url(), Some(&self.ca), APP_PASSWORD).unwrap()
    }

    /// `sql`'s first column of the first row, as the administrator sees it.
    pub fn one(&self, sql: &str) -> String {
        self.admin()
            .query_texts(sql)
            .unwrap()
            .into_iter()
            .next()
            .unwrap_or_default()
    }
}
