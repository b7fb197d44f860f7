//! The audit log: who did what when. Entries are written in the transaction of the change.

use super::{ts, Storage, StoreResult};
use chrono::Utc;
use ethos_shared::codes::AuditAction;
use serde::Serialize;
use sqlx::SqliteConnection;
use uuid::Uuid;

/// Who acted.
#[derive(Debug, Clone)]
pub enum Actor {
    User(String),
    Device(Uuid),
    Cli,
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::User(name) => write!(f, "user:{name}"),
            Actor::Device(id) => write!(f, "device:{id}"),
            Actor::Cli => f.write_str("cli"),
        }
    }
}

/// One entry as the console shows it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub count_id: Option<String>,
    pub entity_id: Option<String>,
    pub details: Option<String>,
}

pub(crate) async fn audit(
    conn: &mut SqliteConnection,
    actor: &Actor,
    action: AuditAction,
    count_id: Option<Uuid>,
    entity_id: Option<String>,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, count_id, entity_id, details) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(ts(Utc::now()))
    .bind(actor.to_string())
    .bind(action.as_str())
    .bind(count_id.map(|c| c.to_string()))
    .bind(entity_id)
    .bind(if details.is_null() { None } else { Some(details.to_string()) })
    .execute(conn)
    .await?;
    Ok(())
}

impl Storage {
    /// Audit entries, newest first, optionally of one count.
    pub async fn audit_log(&self, count_id: Option<Uuid>, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        Ok(sqlx::query_as(
            "SELECT id, at, actor, action, count_id, entity_id, details FROM audit_log
             WHERE (?1 IS NULL OR count_id = ?1) ORDER BY id DESC LIMIT ?2",
        )
        .bind(count_id.map(|c| c.to_string()))
        .bind(limit)
        .fetch_all(&self.read)
        .await?)
    }

    /// Writes an entry on its own (for actions that change nothing else, e.g. an export).
    pub async fn audit_alone(
        &self,
        actor: &Actor,
        action: AuditAction,
        count_id: Option<Uuid>,
        details: serde_json::Value,
    ) -> StoreResult<()> {
        let mut conn = self.write_conn().await?;
        audit(&mut conn, actor, action, count_id, None, details).await?;
        conn.done();
        Ok(())
    }
}
