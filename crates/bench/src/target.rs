//! Fresh databases for a run: a new SQLite file, or a new database `bench_<random>` on a
//! PostgreSQL server (as the tests' `fresh_database` makes them), removed afterwards.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use liandong_store::Store;

/// A database made for one run.
pub struct Target {
    pub url: String,
    place: Place,
}

enum Place {
    Sqlite(PathBuf),
    Postgres { server: String, name: String },
}

fn random_suffix() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// The file of a `sqlite:` URL (without `//` and query).
fn sqlite_path(url: &str) -> Result<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .context("not a sqlite: URL")?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        bail!("the bench needs a SQLite file on disk, not `{url}`");
    }
    Ok(PathBuf::from(path))
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl Target {
    /// A fresh database: `database` is None (a new temp SQLite file), `sqlite:PATH` (PATH must
    /// not exist yet) or a PostgreSQL server URL (a new database is created on it).
    pub async fn fresh(database: Option<&str>, label: &str) -> Result<Target> {
        match database {
            None => {
                let path = std::env::temp_dir()
                    .join(format!("liandong-bench-{label}-{}.db", random_suffix()));
                Ok(Target::sqlite(path))
            }
            Some(url) if url.starts_with("sqlite:") => {
                let path = sqlite_path(url)?;
                if path.exists() {
                    bail!(
                        "{} exists: the bench builds a fresh database; give a new file name",
                        path.display()
                    );
                }
                Ok(Target::sqlite(path))
            }
            Some(url) if is_postgres(url) => Target::postgres(url, label).await,
            Some(url) => bail!("unsupported database URL {url}: use sqlite:PATH or postgres://"),
        }
    }

    /// Another fresh database on the same disk or server as this one (for an fsync reading).
    pub async fn sibling(&self, label: &str) -> Result<Target> {
        match &self.place {
            Place::Sqlite(path) => {
                let dir = path.parent().unwrap_or(Path::new("."));
                Ok(Target::sqlite(dir.join(format!(
                    "liandong-bench-{label}-{}.db",
                    random_suffix()
                ))))
            }
            Place::Postgres { server, .. } => Target::postgres(server, label).await,
        }
    }

    fn sqlite(path: PathBuf) -> Target {
        Target {
            url: format!("sqlite:{}", path.display()),
            place: Place::Sqlite(path),
        }
    }

    async fn postgres(server: &str, label: &str) -> Result<Target> {
        let name = format!("bench_{label}_{}", random_suffix());
        let store = Store::connect(server)
            .await
            .with_context(|| format!("connect to {server}"))?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(store.pool())
            .await
            .with_context(|| format!("create database {name}"))?;
        store.close().await;
        let (base, query) = match server.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (server, String::new()),
        };
        let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
        Ok(Target {
            url: format!("{base}/{name}{query}"),
            place: Place::Postgres {
                server: server.to_owned(),
                name,
            },
        })
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.place, Place::Postgres { .. })
    }

    /// Where the data lives, for the report.
    pub fn describe(&self) -> String {
        match &self.place {
            Place::Sqlite(path) => format!("SQLite file {}", path.display()),
            Place::Postgres { name, .. } => format!("PostgreSQL database {name}"),
        }
    }

    /// Deletes the database (all connections to it must be closed), unless `keep`.
    pub async fn remove(self, keep: bool) {
        if keep {
            println!("kept: {}", self.describe());
            return;
        }
        match self.place {
            Place::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(file));
                }
            }
            Place::Postgres { server, name } => {
                let dropped = async {
                    let store = Store::connect(&server).await?;
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(store.pool())
                    .await?;
                    store.close().await;
                    anyhow::Ok(())
                }
                .await;
                if let Err(e) = dropped {
                    eprintln!("could not drop database {name}: {e:#}");
                }
            }
        }
    }
}
