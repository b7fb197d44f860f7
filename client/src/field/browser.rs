//! The sync engine's storage, transport and outbox in the browser: IndexedDB, `fetch` and the
//! app's reactive outbox.

use super::engine::{OutboxCell, Storage, Transport};
use super::outbox::{Entry, Failure, Outbox};
use crate::platform;
use ethos_shared::api::SyncResponse;
use leptos::prelude::*;
use uuid::Uuid;

/// The outbox in a signal: the screens follow every change the engine makes.
pub struct SignalOutbox(pub RwSignal<Outbox>);

impl OutboxCell for SignalOutbox {
    fn read<R>(&self, f: impl FnOnce(&Outbox) -> R) -> Option<R> {
        self.0.try_with_untracked(f)
    }

    fn update<R>(&self, f: impl FnOnce(&mut Outbox) -> R) -> Option<R> {
        self.0.try_update(f)
    }
}

/// IndexedDB, unless another tab took over (then it owns the outbox and resends what this one
/// may have sent).
pub struct IndexedDb {
    pub passive: RwSignal<bool>,
}

impl Storage for IndexedDb {
    async fn save(&self, entries: Vec<Entry>) -> Result<(), String> {
        if self.passive.get_untracked() {
            return Ok(());
        }
        platform::save_entries(&entries).await
    }

    async fn delete(&self, ids: Vec<Uuid>) -> Result<(), String> {
        if self.passive.get_untracked() {
            return Ok(());
        }
        platform::delete_entries(&ids).await
    }
}

/// `fetch` to this site's API.
pub struct Fetch;

impl Transport for Fetch {
    async fn sync(&self, token: &str, body: String) -> Result<SyncResponse, Failure> {
        platform::sync(token, body).await
    }
}
