//! Tests of the outbox at a desk: confirmed records kept until the count is locked, and
//! records stored again (a form saved twice, a spreadsheet uploaded again).

#![allow(clippy::unwrap_used)]
use super::*;
use ethos_shared::record::parse_record;
use serde_json::json;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn record(n: u128, living_situation: &str) -> Record {
    let id = Uuid::from_u128(0x0192_f0c4_2222_7000_8000_0000_0000_0000 + n);
    parse_record(&json!({"id": id, "revision": 1,
        "observed_at": "2026-10-15T22:00:00+02:00", "municipality": "GM0935",
        "living_situation": living_situation, "origin": {"kind": "unknown"}, "dedup_key": null,
        "profile": {"age_band": "unknown", "gender": "unknown", "household": "unknown",
            "children": "unknown", "duration": "unknown", "residence_status": "unknown",
            "income": "unknown", "care_needs": ["unknown"], "previous_facility": "unknown",
            "housing_need": "unknown"}, "training": false}))
    .unwrap()
}

const DEVICE: Uuid = Uuid::from_u128(0xde5c);

/// An outbox of `kind` holding one record the server confirmed at 2026-10-16 10:00 UTC.
fn confirmed(kind: DeviceKind) -> (Outbox, Uuid) {
    let mut o = Outbox { kind, ..Outbox::new() };
    o.add(record(1, "1.1"), DEVICE, t("2026-10-16T09:59:00Z"));
    let batch = o.take_batch(t("2026-10-16T10:00:00Z")).unwrap();
    let response = SyncResponse {
        results: vec![SyncResult {
            id: Some(batch.sent[0].0),
            status: SyncStatus::Stored,
            revision: Some(1),
            errors: None,
        }],
        server_time: t("2026-10-16T10:00:00Z"),
    };
    o.apply_response(&batch, &response, t("2026-10-16T10:00:00Z"));
    (o, batch.sent[0].0)
}

#[test]
fn a_desk_keeps_confirmed_records_until_the_count_is_locked() {
    let (mut desk, id) = confirmed(DeviceKind::Desk);
    assert!(desk.prune(t("2026-10-17T10:00:01Z"), false).is_empty(), "a day later");
    assert!(desk.prune(t("2026-10-30T10:00:00Z"), false).is_empty(), "two weeks later");
    assert!(desk.get(id).is_some_and(Entry::is_confirmed));
    assert_eq!(desk.prune(t("2026-10-30T10:00:00Z"), true), vec![id], "gone once the count is locked");
    assert!(desk.get(id).is_none());
}

#[test]
fn a_phone_removes_confirmed_records_after_a_day_as_before() {
    let (mut phone, id) = confirmed(DeviceKind::Phone);
    assert_eq!(Outbox::new().kind, DeviceKind::Phone, "an outbox is a phone's unless said otherwise");
    assert!(phone.prune(t("2026-10-17T09:59:59Z"), false).is_empty());
    assert_eq!(phone.prune(t("2026-10-17T10:00:01Z"), false), vec![id]);
}

#[test]
fn a_record_stored_again_is_new_unchanged_or_the_next_revision() {
    let mut o = Outbox { kind: DeviceKind::Desk, ..Outbox::new() };
    let now = t("2026-10-16T10:00:00Z");
    assert_eq!(o.upsert(record(1, "1.1"), DEVICE, now), Upsert::New);
    assert_eq!(o.upsert(record(1, "1.1"), DEVICE, now), Upsert::Unchanged);
    assert_eq!(o.get(record(1, "1.1").id).unwrap().record.revision, 1);

    assert_eq!(o.upsert(record(1, "2.1"), DEVICE, now), Upsert::Changed);
    let held = o.get(record(1, "1.1").id).unwrap();
    assert_eq!(held.record.revision, 2);
    assert_eq!(held.state, EntryState::Queued);
    // The same changed content again (revision 1 as a sheet row gives it): nothing new.
    assert_eq!(o.upsert(record(1, "2.1"), DEVICE, now), Upsert::Unchanged);
    assert_eq!(o.get(record(1, "1.1").id).unwrap().record.revision, 2);
    assert_eq!(o.counts().queued, 1);
}

#[test]
fn a_changed_record_the_server_confirmed_goes_above_its_revision() {
    let (mut o, id) = confirmed(DeviceKind::Desk);
    let mut changed = record(1, "3.1");
    changed.revision = 1;
    assert_eq!(o.upsert(changed, DEVICE, t("2026-10-17T10:00:00Z")), Upsert::Changed);
    let held = o.get(id).unwrap();
    assert_eq!(held.record.revision, 2);
    assert!(o.has_pending());
}
