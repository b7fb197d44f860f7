//! Tests of the driver with a scripted transport (the tests against a real server are in
//! `tests/tests/field_engine.rs`).

#![allow(clippy::unwrap_used)]
use super::*;
use crate::field::outbox::Outbox;
use ethos_shared::api::{SyncResult, SyncStatus};
use ethos_shared::record::{parse_record, Record};
use serde_json::json;
use std::cell::RefCell;

struct Cell(RefCell<Outbox>);

impl OutboxCell for Cell {
    fn read<R>(&self, f: impl FnOnce(&Outbox) -> R) -> Option<R> {
        Some(f(&self.0.borrow()))
    }
    fn update<R>(&self, f: impl FnOnce(&mut Outbox) -> R) -> Option<R> {
        Some(f(&mut self.0.borrow_mut()))
    }
}

#[derive(Default)]
struct Saved(RefCell<Vec<Entry>>);

impl Storage for Saved {
    async fn save(&self, entries: Vec<Entry>) -> Result<(), String> {
        self.0.borrow_mut().extend(entries);
        Ok(())
    }
    async fn delete(&self, _ids: Vec<Uuid>) -> Result<(), String> {
        Ok(())
    }
}

/// Answers `stored` to everything and notes the token of each request.
#[derive(Default)]
struct Tokens(RefCell<Vec<String>>);

impl Transport for Tokens {
    async fn sync(&self, token: &str, body: String) -> Result<SyncResponse, Failure> {
        self.0.borrow_mut().push(token.to_string());
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        let results = value["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| SyncResult {
                id: Some(r["id"].as_str().unwrap().parse().unwrap()),
                status: SyncStatus::Stored,
                revision: Some(1),
                errors: None,
            })
            .collect();
        Ok(SyncResponse { results, server_time: Utc::now() })
    }
}

fn record(n: u128) -> Record {
    let id = Uuid::from_u128(0x0192_f0c4_1111_7000_8000_0000_0000_0000 + n);
    parse_record(&json!({"id": id, "revision": 1,
        "observed_at": "2026-10-15T22:40:00+02:00", "municipality": "GM0935",
        "living_situation": "1.1", "origin": {"kind": "unknown"}, "dedup_key": null,
        "profile": {"age_band": "unknown", "gender": "unknown", "household": "unknown",
            "children": "unknown", "duration": "unknown", "residence_status": "unknown",
            "income": "unknown", "care_needs": ["unknown"], "previous_facility": "unknown",
            "housing_need": "unknown"}, "training": false}))
    .unwrap()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    // The fakes never wait, so one poll finishes the run.
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("the fakes do not wait"),
    }
}

#[test]
fn each_record_goes_with_the_token_of_its_own_enrolment_and_none_without_one() {
    let (a, b, gone) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
    let mut o = Outbox::new();
    let now = Utc::now();
    o.add(record(1), a, now);
    o.add(record(2), b, now);
    o.add(record(3), gone, now);
    let engine = Engine {
        outbox: Cell(RefCell::new(o)),
        storage: Saved::default(),
        transport: Tokens::default(),
        clock: SystemClock,
    };
    let senders = [Sender { device_id: a, token: "ta".into() }, Sender { device_id: b, token: "tb".into() }];

    let report = block_on(engine.sync(Trigger::Manual, &senders, false));

    assert_eq!(*engine.transport.0.borrow(), vec!["ta".to_string(), "tb".to_string()]);
    assert_eq!(report.requests, 2);
    let o = engine.outbox.0.borrow();
    assert_eq!(o.counts().confirmed, 2);
    assert_eq!(o.counts().queued, 1, "the record without its enrolment's token stays");
    assert_eq!(o.stranded(), vec![(gone, "unknown_device".to_string(), 1)]);
    assert!(engine.storage.0.borrow().iter().any(|e| e.record.id == record(1).id && e.is_confirmed()));
}

#[test]
fn answers_are_read_as_the_api_describes_them() {
    assert_eq!(
        failure_of(401, r#"{"code":"device_revoked","message":"x"}"#),
        Failure::Unauthorized { code: "device_revoked".into() }
    );
    assert_eq!(failure_of(413, ""), Failure::TooLarge);
    assert_eq!(sync_answer(200, "not json").unwrap_err(), UNREADABLE);
    assert!(matches!(failure_of(503, "{}"), Failure::Server { status: 503, .. }));
}

struct At(DateTime<Utc>);

impl Clock for At {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// An engine whose outbox of `kind` holds one record sent and confirmed at `sent`, run again
/// at `later`.
fn confirmed_then(kind: crate::field::outbox::DeviceKind, locked: bool, days_later: i64) -> Outbox {
    let device = Uuid::from_u128(7);
    let sent = Utc::now();
    let mut o = Outbox::new();
    o.kind = kind;
    o.add(record(1), device, sent);
    let senders = [Sender { device_id: device, token: "t".into() }];
    let engine = Engine {
        outbox: Cell(RefCell::new(o)),
        storage: Saved::default(),
        transport: Tokens::default(),
        clock: At(sent),
    };
    block_on(engine.sync(Trigger::Manual, &senders, false));
    assert_eq!(engine.outbox.0.borrow().counts().confirmed, 1);
    let engine = Engine { clock: At(sent + chrono::Duration::days(days_later)), ..engine };
    block_on(engine.sync(Trigger::Timer, &senders, locked));
    engine.outbox.0.into_inner()
}

#[test]
fn the_engine_keeps_a_desks_confirmed_records_until_the_count_is_locked() {
    use crate::field::outbox::DeviceKind::{Desk, Phone};
    assert_eq!(confirmed_then(Desk, false, 5).counts().confirmed, 1, "a desk keeps it for days");
    assert_eq!(confirmed_then(Desk, true, 5).counts().confirmed, 0, "until the count is locked");
    assert_eq!(confirmed_then(Phone, false, 2).counts().confirmed, 0, "a phone keeps it a day");
}
