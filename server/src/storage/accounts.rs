//! Users, login sessions and failed logins.

use super::{audit, parse_ts, ts, Actor, Storage};
use chrono::{DateTime, Utc};
use ethos_shared::api::Role;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

/// A login attempt before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginAttempt {
    /// Counted as a failure until a right password takes it back (the row's id).
    Reserved(i64),
    /// The window already holds the maximum of failures: 429 until `free_at`.
    Refused { free_at: DateTime<Utc> },
}

/// Failed logins since `since` for this username key or this client address, whichever has
/// more, and the oldest of those.
async fn failures_since(
    conn: &mut SqliteConnection,
    username_key: &str,
    client_addr: &str,
    since: DateTime<Utc>,
) -> anyhow::Result<(i64, Option<DateTime<Utc>>)> {
    let mut worst = (0, None);
    for (column, value) in [("username", username_key), ("client_addr", client_addr)] {
        let row = sqlx::query(&format!(
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures WHERE {column} = ? AND at > ?"
        ))
        .bind(value)
        .bind(ts(since))
        .fetch_one(&mut *conn)
        .await?;
        let n: i64 = row.try_get("n")?;
        if n > worst.0 {
            let oldest: Option<String> = row.try_get("oldest")?;
            worst = (n, oldest.map(|o| parse_ts(&o)).transpose()?);
        }
    }
    Ok(worst)
}

/// A coordinator or analyst, as known after authentication.
#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub role: Role,
}

#[derive(Debug, thiserror::Error)]
pub enum AddUserError {
    #[error("a user named {0:?} already exists")]
    Exists(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

fn user_from_row(row: &sqlx::sqlite::SqliteRow) -> anyhow::Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get::<String, _>("id")?.parse()?,
        username: row.try_get("username")?,
        role: Role::from_code(&role).ok_or_else(|| anyhow::anyhow!("unknown role {role}"))?,
    })
}

impl Storage {
    pub async fn add_user(
        &self,
        username: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<Uuid, AddUserError> {
        let id = Uuid::now_v7();
        let mut tx = self.write_tx().await?;
        let inserted = sqlx::query(
            "INSERT INTO users (id, username, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (username) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(username)
        .bind(password_hash)
        .bind(role.code())
        .bind(ts(Utc::now()))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(AddUserError::Exists(username.to_string()));
        }
        audit(
            &mut tx,
            &Actor::Cli,
            "user.add",
            None,
            Some(id.to_string()),
            serde_json::json!({ "username": username, "role": role.code() }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The user and password hash for a login attempt.
    pub async fn user_for_login(&self, username: &str) -> anyhow::Result<Option<(User, String)>> {
        let row = sqlx::query("SELECT id, username, role, password_hash FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| Ok((user_from_row(&r)?, r.try_get("password_hash")?))).transpose()
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user: &User,
        expires_at: DateTime<Utc>,
    ) -> sqlx::Result<()> {
        self.insert_session(token_hash, user, expires_at, None).await
    }

    async fn insert_session(
        &self,
        token_hash: &str,
        user: &User,
        expires_at: DateTime<Utc>,
        reservation: Option<i64>,
    ) -> sqlx::Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(token_hash)
            .bind(user.id.to_string())
            .bind(ts(Utc::now()))
            .bind(ts(expires_at))
            .execute(&mut *tx)
            .await?;
        if let Some(id) = reservation {
            sqlx::query("DELETE FROM login_failures WHERE id = ?").bind(id).execute(&mut *tx).await?;
        }
        audit(&mut tx, &Actor::User(user.username.clone()), "login", None, None, serde_json::Value::Null)
            .await?;
        tx.commit().await
    }

    /// The user of a live session token.
    pub async fn user_by_token(&self, token_hash: &str, now: DateTime<Utc>) -> anyhow::Result<Option<User>> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.role FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ? AND s.expires_at > ?",
        )
        .bind(token_hash)
        .bind(ts(now))
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    pub async fn delete_session(&self, token_hash: &str, user: &User) -> sqlx::Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash).execute(&mut *tx).await?;
        audit(&mut tx, &Actor::User(user.username.clone()), "logout", None, None, serde_json::Value::Null)
            .await?;
        tx.commit().await
    }

    /// What the failed-login table keeps of a typed username: a keyed hash (HMAC-SHA256 under
    /// the database's own random key), never the text itself, which may be a password typed
    /// one field too early or megabytes of junk.
    pub fn username_key(&self, username: &str) -> String {
        match <Hmac<Sha256> as Mac>::new_from_slice(&self.login_key[..]) {
            Ok(mut mac) => {
                mac.update(username.as_bytes());
                hex::encode(mac.finalize().into_bytes())
            }
            // HMAC takes a key of any length; this arm is never taken.
            Err(_) => hex::encode(<Sha256 as sha2::Digest>::digest(username.as_bytes())),
        }
    }

    /// Failed logins since `since` for this username or this client address, whichever has
    /// more, and the oldest of those (when the window will let the next attempt through).
    pub async fn login_failures_since(
        &self,
        username: &str,
        client_addr: &str,
        since: DateTime<Utc>,
    ) -> anyhow::Result<(i64, Option<DateTime<Utc>>)> {
        let mut conn = self.read.acquire().await?;
        failures_since(&mut conn, &self.username_key(username), client_addr, since).await
    }

    /// Counts this attempt as a failure before its password is checked, unless the username
    /// or the address already has `max` failures in the window: so however many attempts
    /// arrive at once, at most `max` passwords are checked per window. The check and the
    /// reservation are one write transaction, so parallel attempts queue behind each other.
    /// A right password then takes its reservation back (`create_session_after_login`).
    pub async fn reserve_login_attempt(
        &self,
        username: &str,
        client_addr: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
        max: i64,
    ) -> anyhow::Result<LoginAttempt> {
        let who = self.username_key(username);
        let mut tx = self.write_tx().await?;
        let (failures, oldest) = failures_since(&mut tx, &who, client_addr, now - window).await?;
        if failures >= max {
            tx.rollback().await?;
            return Ok(LoginAttempt::Refused { free_at: oldest.unwrap_or(now) + window });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO login_failures (username, client_addr, at) VALUES (?, ?, ?) RETURNING id",
        )
        .bind(&who)
        .bind(client_addr)
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(LoginAttempt::Reserved(id))
    }

    /// The reserved attempt was a wrong password (or an unknown name): it stays counted, and
    /// the audit log says so — under the account's name when the account exists, else under
    /// a short keyed hash, so that neither a password typed as a name nor junk is kept.
    pub async fn confirm_login_failure(
        &self,
        account: Option<&str>,
        username: &str,
        client_addr: &str,
    ) -> sqlx::Result<()> {
        let actor = match account {
            Some(name) => name.to_string(),
            None => format!("#{}", &self.username_key(username)[..16]),
        };
        let mut conn = self.write.acquire().await?;
        audit(
            &mut conn,
            &Actor::User(actor),
            "login.failed",
            None,
            None,
            serde_json::json!({ "client_addr": client_addr }),
        )
        .await
    }

    /// A right password: the session is created and the attempt's reservation taken back, in
    /// one transaction.
    pub async fn create_session_after_login(
        &self,
        token_hash: &str,
        user: &User,
        expires_at: DateTime<Utc>,
        reservation: i64,
    ) -> sqlx::Result<()> {
        self.insert_session(token_hash, user, expires_at, Some(reservation)).await
    }

    /// Wrong team codes from this client address since `since`, and the oldest of them.
    pub async fn enrol_failures_since(
        &self,
        client_addr: &str,
        since: DateTime<Utc>,
    ) -> anyhow::Result<(i64, Option<DateTime<Utc>>)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM enrol_failures WHERE client_addr = ? AND at > ?",
        )
        .bind(client_addr)
        .bind(ts(since))
        .fetch_one(&self.read)
        .await?;
        let oldest: Option<String> = row.try_get("oldest")?;
        Ok((row.try_get("n")?, oldest.map(|o| parse_ts(&o)).transpose()?))
    }

    /// Records a wrong team code (client addresses are personal data, kept for the rate limit
    /// only: `forget_failures_before` removes them once the window has passed).
    pub async fn add_enrol_failure(&self, client_addr: &str, at: DateTime<Utc>) -> sqlx::Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("INSERT INTO enrol_failures (client_addr, at) VALUES (?, ?)")
            .bind(client_addr)
            .bind(ts(at))
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// Records a failed login (as for team codes; the audit log keeps its own entry), under the
    /// username's keyed hash.
    pub async fn add_login_failure(
        &self,
        username: &str,
        client_addr: &str,
        at: DateTime<Utc>,
    ) -> sqlx::Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("INSERT INTO login_failures (username, client_addr, at) VALUES (?, ?, ?)")
            .bind(self.username_key(username))
            .bind(client_addr)
            .bind(ts(at))
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            &Actor::User(format!("#{}", &self.username_key(username)[..16])),
            "login.failed",
            None,
            None,
            serde_json::json!({ "client_addr": client_addr }),
        )
        .await?;
        tx.commit().await
    }
}

impl Storage {
    /// Forgets failed logins and wrong team codes at or before `before` (the rate limits'
    /// window has passed them), and sessions that have expired. Returns the rows removed.
    pub async fn forget_failures_before(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> sqlx::Result<u64> {
        let mut tx = self.write_tx().await?;
        let mut removed = 0;
        for table in ["login_failures", "enrol_failures"] {
            removed += sqlx::query(&format!("DELETE FROM {table} WHERE at <= ?"))
                .bind(ts(before))
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        removed += sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
            .bind(ts(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(removed)
    }

    /// Creates the account or gives it a new password (the demo's accounts only).
    pub async fn set_demo_user(
        &self,
        username: &str,
        role: Role,
        password_hash: &str,
    ) -> anyhow::Result<Uuid> {
        let mut tx = self.write_tx().await?;
        let id: String = sqlx::query_scalar(
            "INSERT INTO users (id, username, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash RETURNING id",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(username)
        .bind(password_hash)
        .bind(role.code())
        .bind(ts(Utc::now()))
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM login_failures WHERE username = ?")
            .bind(self.username_key(username))
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            &Actor::Cli,
            "user.demo",
            None,
            Some(id.clone()),
            serde_json::json!({ "username": username }),
        )
        .await?;
        tx.commit().await?;
        Ok(id.parse()?)
    }
}
