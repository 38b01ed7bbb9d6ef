//! The storage layer's one error type.

/// What can go wrong below the app layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No row matched (within the caller's workspace).
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; `constraint` names it where the engine says.
    #[error("conflict on {constraint}")]
    Conflict { constraint: String },
    /// The database holds a schema this binary does not know.
    #[error(
        "the database schema is at version {found}, newer than this binary knows (up to {known}); \
         run a newer rapport or restore a backup"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("configuration: {0}")]
    Config(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
                constraint: db.constraint().map(str::to_owned).unwrap_or_else(|| sqlite_constraint(db.message())),
            },
            _ => StoreError::Database(e),
        }
    }
}

/// SQLite says "UNIQUE constraint failed: social_accounts.workspace_id, …"; keep the table.
fn sqlite_constraint(message: &str) -> String {
    message
        .split(": ")
        .nth(1)
        .and_then(|cols| cols.split('.').next())
        .map(|table| format!("{table}_unique"))
        .unwrap_or_else(|| "unique".into())
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
