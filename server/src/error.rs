//! [`ServerError`]: what can go wrong in the county server. Messages are Chinese and never
//! carry a person's name, ID number or diagnosis.

use thiserror::Error;

/// A failure of the county server (start-up, a request, the database).
#[derive(Debug, Error)]
pub enum ServerError {
    /// The database cannot be reached or a statement failed.
    #[error("数据库错误：{0}")]
    Database(String),
    /// The database schema is not one this program knows.
    #[error("数据库结构版本 {found} 比本程序支持的 {supported} 新，请升级服务器程序")]
    SchemaTooNew {
        /// The newest migration applied.
        found: i32,
        /// The newest this program has.
        supported: i32,
    },
    /// A start-up file (certificate, key, county file, trust) is unusable.
    #[error("{what}无法使用（{path}）：{reason}")]
    File {
        /// What the file is.
        what: &'static str,
        /// Where.
        path: String,
        /// Why.
        reason: String,
    },
    /// The request is not authenticated (unknown device, bad signature, wrong password).
    #[error("{0}")]
    Unauthenticated(String),
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The account may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Something that should exist does not.
    #[error("{0}")]
    NotFound(String),
}

impl ServerError {
    /// The stable code of [`elder_assess::sync::protocol::ErrorResponse`].
    pub fn code(&self) -> &'static str {
        match self {
            Self::Database(_) | Self::SchemaTooNew { .. } | Self::File { .. } => "unavailable",
            Self::Unauthenticated(_) => "unauthenticated",
            Self::BadRequest(_) => "bad-request",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not-found",
        }
    }
}

impl From<tokio_postgres::Error> for ServerError {
    fn from(err: tokio_postgres::Error) -> Self {
        // The driver's message names the statement's problem, never parameter values.
        Self::Database(
            err.as_db_error().map_or_else(|| err.to_string(), |db| db.message().to_owned()),
        )
    }
}

impl From<deadpool_postgres::PoolError> for ServerError {
    fn from(err: deadpool_postgres::PoolError) -> Self {
        Self::Database(format!("连接池：{err}"))
    }
}
