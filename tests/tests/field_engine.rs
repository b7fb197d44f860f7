//! The field app's real outbox and sync engine (`ethos_client::field`) against a real server:
//! the same driver the phone runs, with memory for IndexedDB, `reqwest` for `fetch` and a
//! clock the test moves. Lost answers, 503 with `Retry-After`, a revoked team code, a second
//! enrolment, a conflict, a correction racing a sync, and a crash between send and answer.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use ethos_client::field::engine::{
    sync_answer, Clock, Engine, OutboxCell, Report, Sender, Storage, Transport,
};
use ethos_client::field::outbox::{Entry, EntryState, Failure, Outbox, Trigger};
use ethos_shared::api::{QueueExport, SyncResponse, SyncStatus};
use ethos_shared::record::{parse_record, Record};
use ethos_tests::{record, spawn_app, spawn_app_tuned, Device, TestApp, Tuning};
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use uuid::Uuid;

// ---- the engine's parts on the host ----

/// The outbox in memory, shared with the test (and with a transport that edits mid-request).
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Outbox>>);

impl OutboxCell for Shared {
    fn read<R>(&self, f: impl FnOnce(&Outbox) -> R) -> Option<R> {
        Some(f(&self.0.borrow()))
    }
    fn update<R>(&self, f: impl FnOnce(&mut Outbox) -> R) -> Option<R> {
        Some(f(&mut self.0.borrow_mut()))
    }
}

/// IndexedDB's part: what survives the app (a crash, a reload).
#[derive(Clone, Default)]
struct Disk(Rc<RefCell<BTreeMap<Uuid, Entry>>>);

impl Disk {
    fn load(&self) -> Vec<Entry> {
        self.0.borrow().values().cloned().collect()
    }
}

impl Storage for Disk {
    async fn save(&self, entries: Vec<Entry>) -> Result<(), String> {
        let mut disk = self.0.borrow_mut();
        for e in entries {
            disk.insert(e.record.id, e);
        }
        Ok(())
    }
    async fn delete(&self, ids: Vec<Uuid>) -> Result<(), String> {
        let mut disk = self.0.borrow_mut();
        for id in ids {
            disk.remove(&id);
        }
        Ok(())
    }
}

/// What goes wrong with a request on its way.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    None,
    /// The server stores and answers; the answer never reaches the phone.
    LoseAnswer,
    /// The server stores and answers; the app is killed before it reads the answer.
    Crash,
}

/// `POST /api/v1/sync` with `reqwest`, read by the engine's own `sync_answer`.
struct Http {
    client: reqwest::Client,
    base: RefCell<String>,
    fault: Cell<Fault>,
    /// The statuses of every answer that arrived, in order.
    statuses: RefCell<Vec<SyncStatus>>,
    /// Run while the request is under way (the counter saving a correction meanwhile).
    during: RefCell<Option<Box<dyn FnOnce()>>>,
}

impl Http {
    fn to(app: &TestApp) -> Self {
        Http {
            client: reqwest::Client::new(),
            base: RefCell::new(app.url("")),
            fault: Cell::new(Fault::None),
            statuses: RefCell::new(Vec::new()),
            during: RefCell::new(None),
        }
    }
}

impl Transport for Http {
    async fn sync(&self, token: &str, body: String) -> Result<SyncResponse, Failure> {
        let url = format!("{}/api/v1/sync", self.base.borrow());
        let sent = self
            .client
            .post(url)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        if let Some(during) = self.during.borrow_mut().take() {
            during();
        }
        let answer = match sent {
            Ok(res) => {
                let status = res.status().as_u16();
                (status, res.text().await.unwrap_or_default())
            }
            Err(_) => return Err(Failure::Network),
        };
        match self.fault.get() {
            Fault::None => {}
            Fault::LoseAnswer => {
                self.fault.set(Fault::None);
                return Err(Failure::Network);
            }
            Fault::Crash => std::future::pending::<()>().await,
        }
        let result = sync_answer(answer.0, &answer.1);
        if let Ok(r) = &result {
            self.statuses.borrow_mut().extend(r.results.iter().map(|r| r.status));
        }
        result
    }
}

/// A clock the test moves.
struct TestClock(Cell<DateTime<Utc>>);

impl TestClock {
    fn now() -> Self {
        TestClock(Cell::new(Utc::now()))
    }
    fn advance(&self, by: Duration) {
        self.0.set(self.0.get() + by);
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.get()
    }
}

type Phone = Engine<Shared, Disk, Http, TestClock>;

/// A phone whose outbox and storage start from `disk` (empty, or what a crashed app left).
fn phone(app: &TestApp, disk: Disk) -> Phone {
    let outbox = Shared(Rc::new(RefCell::new(Outbox::from_entries(disk.load()))));
    Engine { outbox, storage: disk, transport: Http::to(app), clock: TestClock::now() }
}

fn sender(device: &Device) -> Sender {
    Sender { device_id: device.id.parse().unwrap(), token: device.token.clone() }
}

/// A counter saves a record made under `device` (as the review's "Bewaar" does).
fn save(phone: &Phone, device: &Device) -> Record {
    let r = parse_record(&record()).unwrap();
    let now = phone.clock.now();
    phone.outbox.0.borrow_mut().add(r.clone(), device.id.parse().unwrap(), now);
    phone.storage.0.borrow_mut().insert(r.id, phone.outbox.0.borrow().get(r.id).unwrap().clone());
    r
}

fn state(phone: &Phone, id: Uuid) -> EntryState {
    phone.outbox.0.borrow().get(id).unwrap().state.clone()
}

async fn sync(phone: &Phone, trigger: Trigger, senders: &[Sender]) -> Report {
    phone.sync(trigger, senders, false).await
}

/// The records the server holds for the count, by id: (revision, organisation, device).
async fn held(app: &TestApp, coordinator: &str, count_id: &str) -> BTreeMap<String, (u64, String, String)> {
    app.records(coordinator, count_id)
        .await
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (text("id"), (r["revision"].as_u64().unwrap(), text("organisation"), text("device_id")))
        })
        .collect()
}

// ---- the tests ----

#[tokio::test]
async fn a_lost_answer_is_resent_after_the_backoff_answered_unchanged_and_stored_once() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let phone = phone(&app, Disk::default());
    let r = save(&phone, &field.device);
    phone.transport.fault.set(Fault::LoseAnswer);

    let first = sync(&phone, Trigger::Saved, &[sender(&field.device)]).await;

    assert_eq!(first.error, Some(Failure::Network));
    assert_eq!(state(&phone, r.id), EntryState::Queued, "no answer: still to be sent");
    assert_eq!(held(&app, &field.coordinator, &field.count_id).await.len(), 1, "the server has it");
    let retry_at = first.retry_at.expect("a retry time");
    phone.clock.advance(retry_at - phone.clock.now());

    let second = sync(&phone, Trigger::Timer, &[sender(&field.device)]).await;

    assert_eq!(second.error, None);
    assert_eq!(*phone.transport.statuses.borrow(), vec![SyncStatus::Unchanged]);
    assert!(matches!(state(&phone, r.id), EntryState::Confirmed { revision: 1, .. }));
    assert!(phone.storage.0.borrow()[&r.id].is_confirmed(), "the confirmation is stored");
    assert_eq!(held(&app, &field.coordinator, &field.count_id).await.len(), 1, "stored once");
}

#[tokio::test]
async fn a_503_with_retry_after_makes_the_engine_wait_at_least_that_long_then_the_records_are_stored() {
    // A database that may not grow beyond 1 MiB, filled by another phone of the count.
    let mut app = spawn_app_tuned(Tuning { max_db_bytes: Some(1024 * 1024), ..Tuning::default() }).await;
    let field = app.field("live").await;
    let other = app.enroll(field.invite["code"].as_str().unwrap()).await;
    // Batches of 100, then 10, then 1, until not even one record fits.
    let mut retry_after = None;
    let mut size = 100;
    for _ in 0..400 {
        let batch: Vec<Value> = (0..size).map(|_| record()).collect();
        let reply = app
            .post("/api/v1/sync")
            .bearer_auth(&other.token)
            .json(&json!({ "records": batch }))
            .send()
            .await
            .unwrap();
        if reply.status() == 503 {
            retry_after = Some(reply.headers()["retry-after"].to_str().unwrap().parse::<i64>().unwrap());
            if size == 1 {
                break;
            }
            size /= 10;
        }
    }
    let retry_after = retry_after.expect("1 MiB fills up");
    assert!(retry_after > 5, "the server asks for longer than the first backoff ({retry_after} s)");
    let phone = phone(&app, Disk::default());
    let r = save(&phone, &field.device);
    let start = phone.clock.now();

    let refused = sync(&phone, Trigger::Saved, &[sender(&field.device)]).await;

    assert!(matches!(refused.error, Some(Failure::Server { status: 503, .. })), "{refused:?}");
    assert!(refused.retry_at.unwrap() >= start + Duration::seconds(retry_after));
    assert_eq!(state(&phone, r.id), EntryState::Queued);

    // The operator makes room; the timer fires before the server's time is up: nothing sent.
    app.restart_tuned(Tuning::default()).await;
    *phone.transport.base.borrow_mut() = app.url("");
    phone.clock.advance(Duration::seconds(retry_after - 1));
    let early = sync(&phone, Trigger::Timer, &[sender(&field.device)]).await;
    assert_eq!(early.requests, 0, "the engine waits as long as the server asked");
    assert_eq!(state(&phone, r.id), EntryState::Queued);

    phone.clock.advance(Duration::seconds(1));
    let later = sync(&phone, Trigger::Timer, &[sender(&field.device)]).await;

    assert_eq!(later.requests, 1);
    assert_eq!(*phone.transport.statuses.borrow(), vec![SyncStatus::Stored]);
    // (The count holds thousands of filler records: ask the server about this one directly.)
    let resend = app.sync(&field.device.token, &[serde_json::to_value(&r).unwrap()]).await;
    assert_eq!(resend[0]["status"], "unchanged", "the server holds it");
}

#[tokio::test]
async fn a_revoked_code_keeps_its_records_and_a_second_enrolment_never_sends_them() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let phone = phone(&app, Disk::default());
    let first = [save(&phone, &field.device), save(&phone, &field.device)];
    app.revoke_invite(&field.coordinator, &field.invite).await;

    let refused = sync(&phone, Trigger::Manual, &[sender(&field.device)]).await;

    assert_eq!(refused.error, Some(Failure::Unauthorized { code: "device_revoked".into() }));
    let device_a: Uuid = field.device.id.parse().unwrap();
    assert_eq!(phone.outbox.0.borrow().stranded(), vec![(device_a, "device_revoked".to_string(), 2)]);
    assert_eq!(phone.storage.0.borrow().len(), 2, "the records stay stored on the phone");
    assert!(!phone.outbox.0.borrow().should_sync(Trigger::Manual, phone.clock.now()));

    // The counter enrols with another organisation's code and records on; later the app is
    // restarted (what it knew about the refusal was in memory only).
    let invite_b = app.create_invite(&field.coordinator, &field.count_id, "Inloop Heuvelland").await;
    let device_b = app.enroll(invite_b["code"].as_str().unwrap()).await;
    let second = save(&phone, &device_b);
    let senders = [sender(&field.device), sender(&device_b)];
    let report = sync(&phone, Trigger::Saved, &senders).await;
    assert_eq!(report.requests, 1, "only the new enrolment's record is sent");
    save(&phone, &device_b);
    let phone = self::phone(&app, phone.storage.clone());

    let report = sync(&phone, Trigger::Start, &senders).await;

    assert_eq!(report.requests, 2, "each enrolment's records with its own token");
    let held = held(&app, &field.coordinator, &field.count_id).await;
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(held.values().all(|(_, org, device)| org == "Inloop Heuvelland" && *device == device_b.id));
    assert!(held.contains_key(&second.id.to_string()));
    for r in &first {
        assert_eq!(state(&phone, r.id), EntryState::Queued, "kept, never sent with the other code");
    }
    assert_eq!(phone.outbox.0.borrow().stranded(), vec![(device_a, "device_revoked".to_string(), 2)]);
    // The coordinator gets them as a file that names their own device (`ethos import`).
    let export: QueueExport =
        serde_json::from_str(&phone.outbox.0.borrow().export_unsynced(device_a)).unwrap();
    assert_eq!(export.device_id, device_a);
    assert_eq!(
        export.records.iter().map(|r| r.id).collect::<Vec<_>>(),
        first.iter().map(|r| r.id).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_conflict_needs_attention_and_the_correction_goes_above_the_servers_revision() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let phone = phone(&app, Disk::default());
    let r = save(&phone, &field.device);
    sync(&phone, Trigger::Saved, &[sender(&field.device)]).await;
    // The same device's record reaches the server at revision 3 another way (an import).
    let mut newer = serde_json::to_value(&r).unwrap();
    newer["revision"] = json!(3);
    newer["living_situation"] = json!("2.1");
    assert_eq!(app.sync(&field.device.token, &[newer]).await[0]["status"], "updated");
    let mut fix = r.clone();
    fix.living_situation = ethos_shared::ethos::LivingSituation::NightShelter;
    phone.outbox.0.borrow_mut().correct(fix.clone()).unwrap();

    sync(&phone, Trigger::Saved, &[sender(&field.device)]).await;

    match state(&phone, r.id) {
        EntryState::Attention { status: SyncStatus::Conflict, server_revision: Some(3), errors } => {
            assert_eq!(errors[0].code, ethos_shared::record::FieldErrorCode::StaleRevision);
        }
        other => panic!("{other:?}"),
    }
    let entry = phone.outbox.0.borrow_mut().correct(fix).unwrap().clone();
    assert_eq!(entry.record.revision, 4);

    sync(&phone, Trigger::Saved, &[sender(&field.device)]).await;

    assert!(matches!(state(&phone, r.id), EntryState::Confirmed { revision: 4, .. }));
    assert_eq!(held(&app, &field.coordinator, &field.count_id).await[&r.id.to_string()].0, 4);
}

#[tokio::test]
async fn a_correction_saved_while_its_record_is_being_sent_ends_as_the_next_revision_on_the_server() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let phone = phone(&app, Disk::default());
    let r = save(&phone, &field.device);
    // The counter corrects the record while the request with revision 1 is under way.
    let outbox = phone.outbox.clone();
    let mut fix = r.clone();
    fix.living_situation = ethos_shared::ethos::LivingSituation::NightShelter;
    *phone.transport.during.borrow_mut() = Some(Box::new(move || {
        outbox.0.borrow_mut().correct(fix).unwrap();
    }));

    let report = sync(&phone, Trigger::Saved, &[sender(&field.device)]).await;

    assert_eq!(report.requests, 2, "the correction follows in the same run");
    assert_eq!(*phone.transport.statuses.borrow(), vec![SyncStatus::Stored, SyncStatus::Updated]);
    assert!(matches!(state(&phone, r.id), EntryState::Confirmed { revision: 2, .. }));
    assert_eq!(held(&app, &field.coordinator, &field.count_id).await[&r.id.to_string()].0, 2);
    // And once confirmed, it can still be corrected: revision 3.
    let mut again = r.clone();
    again.living_situation = ethos_shared::ethos::LivingSituation::PublicSpace;
    assert_eq!(phone.outbox.0.borrow_mut().correct(again).unwrap().record.revision, 3);
    sync(&phone, Trigger::Saved, &[sender(&field.device)]).await;
    assert_eq!(held(&app, &field.coordinator, &field.count_id).await[&r.id.to_string()].0, 3);
}

#[tokio::test]
async fn after_a_crash_between_send_and_answer_the_restarted_app_resends_from_storage_and_it_is_stored_once()
{
    let app = spawn_app().await;
    let field = app.field("live").await;
    let disk = Disk::default();
    let crashed = phone(&app, disk.clone());
    let r = save(&crashed, &field.device);
    crashed.transport.fault.set(Fault::Crash);

    let senders = [sender(&field.device)];
    let run =
        tokio::time::timeout(std::time::Duration::from_secs(2), sync(&crashed, Trigger::Saved, &senders));
    assert!(run.await.is_err(), "the app died before it read the answer");
    drop(crashed);
    assert!(matches!(disk.load()[0].state, EntryState::Sent { .. }), "storage says: sent, no answer");
    assert_eq!(held(&app, &field.coordinator, &field.count_id).await.len(), 1);

    let restarted = phone(&app, disk.clone());
    let report = sync(&restarted, Trigger::Start, &[sender(&field.device)]).await;

    assert_eq!(report.requests, 1);
    assert_eq!(*restarted.transport.statuses.borrow(), vec![SyncStatus::Unchanged]);
    assert!(matches!(state(&restarted, r.id), EntryState::Confirmed { revision: 1, .. }));
    assert!(disk.load()[0].is_confirmed());
    assert_eq!(held(&app, &field.coordinator, &field.count_id).await.len(), 1, "stored once");
}
