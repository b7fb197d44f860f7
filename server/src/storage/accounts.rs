//! Users, login sessions and failed logins.

use super::{audit, parse_ts, ts, Actor, Conflict, Storage, StoreResult};
use chrono::{DateTime, Utc};
use ethos_shared::api::Role;
use ethos_shared::codes::AuditAction;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

/// A login attempt before its password is checked.
#[derive(Debug)]
pub enum LoginAttempt {
    /// Counted, while its password is checked, as a failure: a right password simply drops
    /// it, a wrong one is stored (`confirm_login_failure`).
    Reserved(LoginReservation),
    /// The window already holds the maximum of failures: 429 until `free_at`.
    Refused { free_at: DateTime<Utc> },
}

/// Password checks in progress, per username key and per client address. Together with the
/// stored failures they make the rate limit, so attempts that arrive at once cannot all pass
/// it while the (slow) checks run. Kept in memory: nothing is written before the check.
#[derive(Debug, Default)]
pub(crate) struct ChecksInProgress {
    /// Held while an attempt counts and reserves, so that two cannot both take the last place.
    gate: tokio::sync::Mutex<()>,
    counts: std::sync::Mutex<std::collections::HashMap<String, i64>>,
}

impl ChecksInProgress {
    fn count(&self, key: &str) -> i64 {
        self.counts.lock().map(|c| c.get(key).copied().unwrap_or(0)).unwrap_or(0)
    }

    fn add(&self, key: &str, delta: i64) {
        if let Ok(mut counts) = self.counts.lock() {
            let n = counts.entry(key.to_string()).or_insert(0);
            *n += delta;
            if *n <= 0 {
                counts.remove(key);
            }
        }
    }
}

/// One password check in progress; it stops counting when dropped.
#[derive(Debug)]
pub struct LoginReservation {
    checks: std::sync::Arc<ChecksInProgress>,
    keys: [String; 2],
    username_key: String,
}

impl Drop for LoginReservation {
    fn drop(&mut self) {
        for key in &self.keys {
            self.checks.add(key, -1);
        }
    }
}

/// Stored failed logins since `since` where `column` is `value`, and the oldest of them.
async fn failures_of(
    conn: &mut SqliteConnection,
    column: &str,
    value: &str,
    since: DateTime<Utc>,
) -> StoreResult<(i64, Option<DateTime<Utc>>)> {
    let row = sqlx::query(&format!(
        "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures WHERE {column} = ? AND at > ?"
    ))
    .bind(value)
    .bind(ts(since))
    .fetch_one(&mut *conn)
    .await?;
    let oldest: Option<String> = row.try_get("oldest")?;
    Ok((row.try_get("n")?, oldest.map(|o| parse_ts(&o)).transpose()?))
}

/// Failed logins since `since` for this username key or this client address, whichever has
/// more, and the oldest of those.
async fn failures_since(
    conn: &mut SqliteConnection,
    username_key: &str,
    client_addr: &str,
    since: DateTime<Utc>,
) -> StoreResult<(i64, Option<DateTime<Utc>>)> {
    let mut worst = (0, None);
    for (column, value) in [("username", username_key), ("client_addr", client_addr)] {
        let (n, oldest) = failures_of(conn, column, value, since).await?;
        if n > worst.0 {
            worst = (n, oldest);
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

fn user_from_row(row: &sqlx::sqlite::SqliteRow) -> anyhow::Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get::<String, _>("id")?.parse()?,
        username: row.try_get("username")?,
        role: Role::from_code(&role).ok_or_else(|| anyhow::anyhow!("unknown role {role}"))?,
    })
}

impl Storage {
    pub async fn add_user(&self, username: &str, role: Role, password_hash: &str) -> StoreResult<Uuid> {
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
            return Err(Conflict::Exists.into());
        }
        audit(
            &mut tx,
            &Actor::Cli,
            AuditAction::UserAdd,
            None,
            Some(id.to_string()),
            serde_json::json!({ "username": username, "role": role.code() }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The user and password hash for a login attempt.
    pub async fn user_for_login(&self, username: &str) -> StoreResult<Option<(User, String)>> {
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
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(token_hash)
            .bind(user.id.to_string())
            .bind(ts(Utc::now()))
            .bind(ts(expires_at))
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            &Actor::User(user.username.clone()),
            AuditAction::Login,
            None,
            None,
            serde_json::Value::Null,
        )
        .await?;
        Ok(tx.commit().await?)
    }

    /// The user of a live session token.
    pub async fn user_by_token(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<User>> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.role FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ? AND s.expires_at > ?",
        )
        .bind(token_hash)
        .bind(ts(now))
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(|r| user_from_row(&r)).transpose()?)
    }

    pub async fn delete_session(&self, token_hash: &str, user: &User) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash).execute(&mut *tx).await?;
        audit(
            &mut tx,
            &Actor::User(user.username.clone()),
            AuditAction::Logout,
            None,
            None,
            serde_json::Value::Null,
        )
        .await?;
        Ok(tx.commit().await?)
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
    ) -> StoreResult<(i64, Option<DateTime<Utc>>)> {
        let mut conn = self.read.acquire().await?;
        failures_since(&mut conn, &self.username_key(username), client_addr, since).await
    }

    /// Counts this attempt as a failure before its password is checked, unless the username
    /// or the address already has `max` failures and checks in progress in the window: so
    /// however many attempts arrive at once, at most `max` passwords are checked per window.
    pub async fn reserve_login_attempt(
        &self,
        username: &str,
        client_addr: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
        max: i64,
    ) -> StoreResult<LoginAttempt> {
        let who = self.username_key(username);
        let keys = [format!("user:{who}"), format!("addr:{client_addr}")];
        let _gate = self.login_checks.gate.lock().await;
        let mut conn = self.read.acquire().await?;
        let mut worst = (0, None);
        for (column, value, key) in
            [("username", who.as_str(), &keys[0]), ("client_addr", client_addr, &keys[1])]
        {
            let (stored, oldest) = failures_of(&mut conn, column, value, now - window).await?;
            let n = stored + self.login_checks.count(key);
            if n > worst.0 {
                worst = (n, oldest);
            }
        }
        if worst.0 >= max {
            return Ok(LoginAttempt::Refused { free_at: worst.1.unwrap_or(now) + window });
        }
        for key in &keys {
            self.login_checks.add(key, 1);
        }
        Ok(LoginAttempt::Reserved(LoginReservation {
            checks: self.login_checks.clone(),
            keys,
            username_key: who,
        }))
    }

    /// The reserved attempt was a wrong password (or an unknown name): stored as a failure
    /// (under the keyed hash) before the reservation stops counting, and the audit log says so
    /// — under the account's name when the account exists, else under a short keyed hash, so
    /// that neither a password typed as a name nor junk is kept.
    pub async fn confirm_login_failure(
        &self,
        reservation: LoginReservation,
        account: Option<&str>,
        client_addr: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let actor = match account {
            Some(name) => name.to_string(),
            None => format!("#{}", &reservation.username_key[..16]),
        };
        let mut tx = self.write_tx().await?;
        sqlx::query("INSERT INTO login_failures (username, client_addr, at) VALUES (?, ?, ?)")
            .bind(&reservation.username_key)
            .bind(client_addr)
            .bind(ts(at))
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            &Actor::User(actor),
            AuditAction::LoginFailed,
            None,
            None,
            serde_json::json!({ "client_addr": client_addr }),
        )
        .await?;
        tx.commit().await?;
        drop(reservation);
        Ok(())
    }

    /// Wrong team codes from this client address since `since`, and the oldest of them.
    pub async fn enrol_failures_since(
        &self,
        client_addr: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<(i64, Option<DateTime<Utc>>)> {
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
    pub async fn add_enrol_failure(&self, client_addr: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("INSERT INTO enrol_failures (client_addr, at) VALUES (?, ?)")
            .bind(client_addr)
            .bind(ts(at))
            .execute(&mut *tx)
            .await?;
        Ok(tx.commit().await?)
    }

    /// Records a failed login (as for team codes; the audit log keeps its own entry), under the
    /// username's keyed hash.
    pub async fn add_login_failure(
        &self,
        username: &str,
        client_addr: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
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
            AuditAction::LoginFailed,
            None,
            None,
            serde_json::json!({ "client_addr": client_addr }),
        )
        .await?;
        Ok(tx.commit().await?)
    }
}

impl Storage {
    /// Forgets failed logins and wrong team codes at or before `before` (the rate limits'
    /// window has passed them), and sessions that have expired. Returns the rows removed.
    pub async fn forget_failures_before(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
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
    pub async fn set_demo_user(&self, username: &str, role: Role, password_hash: &str) -> StoreResult<Uuid> {
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
            AuditAction::UserDemo,
            None,
            Some(id.clone()),
            serde_json::json!({ "username": username }),
        )
        .await?;
        tx.commit().await?;
        Ok(id.parse()?)
    }
}
