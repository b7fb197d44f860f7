//! Tests of `outbox`.

#![allow(clippy::unwrap_used)]
use super::*;
use crate::i18n::attention_reasons;
use ethos_shared::record::parse_record;
use ethos_shared::record::FieldErrorCode;
use serde_json::json;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
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

fn answer(batch: &Batch, status: SyncStatus, at: &str) -> SyncResponse {
    SyncResponse {
        results: batch
            .sent
            .iter()
            .map(|(id, rev)| SyncResult { id: Some(*id), status, revision: Some(*rev), errors: None })
            .collect(),
        server_time: t(at),
    }
}

/// The enrolment the test records are made under.
const DEVICE: Uuid = Uuid::from_u128(0xd1);
/// A second enrolment on the same phone (another team code).
const OTHER: Uuid = Uuid::from_u128(0xd2);

fn outbox_with(n: u128) -> Outbox {
    let mut o = Outbox::new();
    for i in 0..n {
        o.add(record(i), DEVICE, t("2026-10-15T20:40:00Z"));
    }
    o
}

#[test]
fn the_sync_body_tells_how_many_records_stay_unconfirmed_on_the_phone() {
    let mut o = outbox_with(5);
    o.batch_size = 2;
    let now = t("2026-10-15T20:41:00Z");
    let first = o.take_batch(now).unwrap();
    assert_eq!(first.body.unsynced, Some(3), "five unconfirmed, two of them in this request");
    let body: serde_json::Value = serde_json::from_str(&first.sync_body()).unwrap();
    assert_eq!(body["unsynced"], 3);
    assert_eq!(body["records"].as_array().unwrap().len(), 2);
    assert_eq!(body["records"][0], serde_json::to_value(&first.body.records[0]).unwrap());
    o.apply_response(&first, &answer(&first, SyncStatus::Stored, "2026-10-15T20:41:01Z"), now);
    let second = o.take_batch(now).unwrap();
    assert_eq!(second.body.unsynced, Some(1));
    o.apply_response(&second, &answer(&second, SyncStatus::Rejected, "2026-10-15T20:41:02Z"), now);
    let last = o.take_batch(now).unwrap();
    assert_eq!(last.body.unsynced, Some(2), "the two rejected records are still on the phone, unconfirmed");
}

#[test]
fn a_saved_record_is_queued_and_wants_a_sync() {
    let o = outbox_with(1);
    assert_eq!(o.counts(), Counts { queued: 1, ..Default::default() });
    assert!(o.should_sync(Trigger::Saved, t("2026-10-15T20:41:00Z")));
}

#[test]
fn a_batch_marks_records_sent_and_a_stored_answer_confirms_them_with_the_server_time() {
    let mut o = outbox_with(3);
    let now = t("2026-10-15T20:41:00Z");
    let batch = o.take_batch(now).unwrap();
    assert_eq!(batch.body.records.len(), 3);
    assert_eq!(o.counts().sent, 3);
    assert!(o.take_batch(now).is_none(), "records in flight are not sent twice at once");

    let next = o.apply_response(&batch, &answer(&batch, SyncStatus::Stored, "2026-10-15T20:41:02Z"), now);

    assert_eq!(next, Next::Done);
    assert_eq!(o.counts().confirmed, 3);
    let e = o.get(batch.sent[0].0).unwrap();
    assert_eq!(e.state, EntryState::Confirmed { at: t("2026-10-15T20:41:02Z"), revision: 1 });
    assert!(o.oldest_unsynced().is_none());
}

#[test]
fn unchanged_and_updated_answers_also_confirm() {
    for status in [SyncStatus::Unchanged, SyncStatus::Updated] {
        let mut o = outbox_with(1);
        let batch = o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
        o.apply_response(&batch, &answer(&batch, status, "2026-10-15T20:41:01Z"), t("2026-10-15T20:41:01Z"));
        assert_eq!(o.counts().confirmed, 1, "{status:?}");
    }
}

#[test]
fn a_rejected_record_needs_attention_with_its_reasons_and_is_not_sent_again() {
    let mut o = outbox_with(1);
    let batch = o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
    let response = SyncResponse {
        results: vec![SyncResult {
            id: Some(batch.sent[0].0),
            status: SyncStatus::Rejected,
            revision: None,
            errors: Some(vec![FieldError::new("observed_at", FieldErrorCode::OutsideWindow)]),
        }],
        server_time: t("2026-10-15T20:41:01Z"),
    };

    let next = o.apply_response(&batch, &response, t("2026-10-15T20:41:01Z"));

    assert_eq!(next, Next::Done);
    assert_eq!(o.counts().attention, 1);
    assert!(!o.has_pending());
    let reasons = attention_reasons(
        match &o.get(batch.sent[0].0).unwrap().state {
            EntryState::Attention { errors, .. } => errors,
            other => panic!("{other:?}"),
        },
        ethos_shared::Lang::Nl,
    );
    assert_eq!(reasons, vec!["tijdstip: tijdstip valt buiten de teltijd".to_string()]);
}

#[test]
fn correcting_a_rejected_record_bumps_the_revision_and_queues_it_again() {
    let mut o = outbox_with(1);
    let batch = o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
    o.apply_response(
        &batch,
        &answer(&batch, SyncStatus::Rejected, "2026-10-15T20:41:01Z"),
        t("2026-10-15T20:41:01Z"),
    );
    let mut fixed = o.get(batch.sent[0].0).unwrap().record.clone();
    fixed.living_situation = ethos_shared::ethos::LivingSituation::NightShelter;

    let entry = o.correct(fixed).unwrap();

    assert_eq!(entry.record.revision, 2);
    assert_eq!(entry.state, EntryState::Queued);
    let again = o.take_batch(t("2026-10-15T20:42:00Z")).unwrap();
    assert_eq!(again.sent, vec![(batch.sent[0].0, 2)]);
}

#[test]
fn a_correction_after_a_conflict_goes_above_the_servers_revision() {
    let mut o = outbox_with(1);
    let batch = o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
    let response = SyncResponse {
        results: vec![SyncResult {
            id: Some(batch.sent[0].0),
            status: SyncStatus::Conflict,
            revision: Some(4),
            errors: Some(vec![FieldError::new("revision", FieldErrorCode::StaleRevision)]),
        }],
        server_time: t("2026-10-15T20:41:01Z"),
    };
    o.apply_response(&batch, &response, t("2026-10-15T20:41:01Z"));
    let rec = o.get(batch.sent[0].0).unwrap().record.clone();
    assert_eq!(o.correct(rec).unwrap().record.revision, 5);
}

#[test]
fn a_confirmed_record_can_be_corrected_and_goes_out_at_the_next_revision() {
    let mut o = outbox_with(1);
    let batch = o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
    o.apply_response(
        &batch,
        &answer(&batch, SyncStatus::Stored, "2026-10-15T20:41:01Z"),
        t("2026-10-15T20:41:01Z"),
    );
    let mut rec = o.get(batch.sent[0].0).unwrap().record.clone();
    assert!(o.get(rec.id).unwrap().is_editable());
    rec.living_situation = ethos_shared::ethos::LivingSituation::NightShelter;
    let entry = o.correct(rec).unwrap();
    assert_eq!((entry.record.revision, &entry.state), (2, &EntryState::Queued));
    let again = o.take_batch(t("2026-10-15T20:42:00Z")).unwrap();
    assert_eq!(again.sent, vec![(batch.sent[0].0, 2)]);
    assert_eq!(o.correct(record(99)).map(|_| ()), Err(EditError::NotFound));
}

#[test]
fn an_edit_opened_before_a_sync_confirmed_the_record_is_saved_as_the_next_revision() {
    // The counter opens the record, the phone syncs (stored), then the counter saves.
    let mut o = outbox_with(1);
    let id = o.entries_newest_first().next().unwrap().record.id;
    let mut edited = o.get(id).unwrap().record.clone();
    let batch = o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
    o.apply_response(
        &batch,
        &answer(&batch, SyncStatus::Stored, "2026-10-15T20:41:01Z"),
        t("2026-10-15T20:41:01Z"),
    );
    edited.living_situation = ethos_shared::ethos::LivingSituation::NightShelter;
    let entry = o.correct(edited).unwrap();
    assert_eq!(entry.record.revision, 2);
    assert_eq!(entry.state, EntryState::Queued);
}

#[test]
fn once_the_count_is_locked_confirmed_records_leave_the_phone_and_unconfirmed_ones_stay() {
    let mut o = outbox_with(2);
    o.batch_size = 1;
    let now = t("2026-10-15T21:00:00Z");
    let batch = o.take_batch(now).unwrap();
    o.apply_response(&batch, &answer(&batch, SyncStatus::Stored, "2026-10-15T21:00:01Z"), now);
    assert_eq!(o.prune(now, true), vec![batch.sent[0].0]);
    assert_eq!(o.counts(), Counts { queued: 1, ..Default::default() });
}

#[test]
fn a_correction_made_while_its_batch_is_in_flight_is_not_confirmed_by_the_old_answer() {
    let mut o = outbox_with(1);
    let batch = o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
    let rec = o.get(batch.sent[0].0).unwrap().record.clone();
    o.correct(rec).unwrap();

    o.apply_response(
        &batch,
        &answer(&batch, SyncStatus::Stored, "2026-10-15T20:41:01Z"),
        t("2026-10-15T20:41:01Z"),
    );

    let e = o.get(batch.sent[0].0).unwrap();
    assert_eq!((e.record.revision, &e.state), (2, &EntryState::Queued));
    assert!(o.has_pending());
}

#[test]
fn a_network_failure_requeues_the_batch_and_backs_off_exponentially() {
    let mut o = outbox_with(2);
    let now = t("2026-10-15T20:41:00Z");
    let mut delays = Vec::new();
    for _ in 0..8 {
        let batch = o.take_batch(now).unwrap();
        match o.apply_failure(&batch, &Failure::Network, now) {
            Next::RetryAt(at) => delays.push((at - now).num_seconds()),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(delays, vec![5, 10, 20, 40, 80, 160, 300, 300]);
    assert_eq!(o.counts().queued, 2);
    assert_eq!(o.get(o.entries_newest_first().next().unwrap().record.id).unwrap().failed_attempts, 8);
    assert!(!o.should_sync(Trigger::Timer, now + Duration::seconds(299)));
    assert!(o.should_sync(Trigger::Timer, now + Duration::seconds(300)));
    assert!(o.should_sync(Trigger::Manual, now), "the counter's button ignores the backoff");
    assert!(o.should_sync(Trigger::Online, now));
}

#[test]
fn a_success_resets_the_backoff() {
    let mut o = outbox_with(1);
    let now = t("2026-10-15T20:41:00Z");
    let batch = o.take_batch(now).unwrap();
    o.apply_failure(&batch, &Failure::Server { status: 503, retry_after_secs: Some(5) }, now);
    assert_eq!(o.backoff.failures, 1);
    let batch = o.take_batch(now).unwrap();
    o.apply_response(&batch, &answer(&batch, SyncStatus::Stored, "2026-10-15T20:41:03Z"), now);
    assert_eq!(o.backoff, Backoff::default());
    assert_eq!(o.last_success, Some(now));
}

#[test]
fn records_the_server_could_not_store_stay_queued_and_are_resent_after_the_backoff() {
    // 503 `storage_full` or `storage_busy`: the server stored nothing of the batch.
    let mut o = outbox_with(2);
    let now = t("2026-10-15T20:41:00Z");
    let first = o.take_batch(now).unwrap();

    let busy = Failure::Server { status: 503, retry_after_secs: Some(5) };
    let next = o.apply_failure(&first, &busy, now);

    assert_eq!(next, Next::RetryAt(now + Duration::seconds(5)));
    assert_eq!(o.counts(), Counts { queued: 2, ..Default::default() });
    assert!(o.oldest_unsynced().is_some(), "the phone still reports them as unsynced");
    assert!(!o.should_sync(Trigger::Timer, now + Duration::seconds(4)));
    let resend = o.take_batch(now + Duration::seconds(5)).unwrap();
    assert_eq!(resend.body.records, first.body.records);
    o.apply_response(&resend, &answer(&resend, SyncStatus::Stored, "2026-10-15T20:41:06Z"), now);
    assert_eq!(o.counts(), Counts { confirmed: 2, ..Default::default() });
}

#[test]
fn the_phone_waits_as_long_as_the_server_asks_when_that_is_longer_than_the_backoff() {
    // 503 `storage_full` asks for 300 s; `storage_busy` for 5 s, shorter than a later backoff.
    let mut o = outbox_with(1);
    let now = t("2026-10-15T20:41:00Z");
    let full = Failure::Server { status: 503, retry_after_secs: Some(300) };
    let batch = o.take_batch(now).unwrap();
    assert_eq!(o.apply_failure(&batch, &full, now), Next::RetryAt(now + Duration::seconds(300)));
    assert!(!o.should_sync(Trigger::Timer, now + Duration::seconds(299)));

    let mut o = outbox_with(1);
    let busy = Failure::Server { status: 503, retry_after_secs: Some(5) };
    let mut delays = Vec::new();
    for _ in 0..4 {
        let batch = o.take_batch(now).unwrap();
        match o.apply_failure(&batch, &busy, now) {
            Next::RetryAt(at) => delays.push((at - now).num_seconds()),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(delays, vec![5, 10, 20, 40], "the backoff still grows");

    let mut o = outbox_with(1);
    let batch = o.take_batch(now).unwrap();
    let absurd = Failure::Server { status: 429, retry_after_secs: Some(u64::MAX) };
    assert_eq!(o.apply_failure(&batch, &absurd, now), Next::RetryAt(now + Duration::seconds(300)));
}

#[test]
fn a_lost_answer_is_resent_unchanged_and_confirmed_once() {
    // The server stored the records but its answer never arrived.
    let mut o = outbox_with(2);
    let now = t("2026-10-15T20:41:00Z");
    let first = o.take_batch(now).unwrap();
    o.apply_failure(&first, &Failure::Network, now);

    let resend = o.take_batch(now + Duration::seconds(5)).unwrap();

    assert_eq!(resend.body.records, first.body.records, "the resend is byte for byte the same records");
    o.apply_response(&resend, &answer(&resend, SyncStatus::Unchanged, "2026-10-15T20:41:06Z"), now);
    assert_eq!(o.counts().confirmed, 2);
}

#[test]
fn records_left_sent_by_a_closed_tab_are_resent_after_a_reload() {
    let mut o = outbox_with(1);
    o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
    let stored: Vec<Entry> = o.entries_newest_first().cloned().collect();

    let mut reloaded = Outbox::from_entries(stored);

    assert_eq!(reloaded.counts().sent, 1);
    assert!(reloaded.should_sync(Trigger::Start, t("2026-10-15T20:42:00Z")));
    assert_eq!(reloaded.take_batch(t("2026-10-15T20:42:00Z")).unwrap().sent.len(), 1);
}

#[test]
fn batches_are_limited_and_the_loop_continues_until_the_outbox_is_empty() {
    let mut o = outbox_with(BATCH_SIZE as u128 + 5);
    let now = t("2026-10-15T20:41:00Z");
    let first = o.take_batch(now).unwrap();
    assert_eq!(first.sent.len(), BATCH_SIZE);
    assert_eq!(
        o.apply_response(&first, &answer(&first, SyncStatus::Stored, "2026-10-15T20:41:01Z"), now),
        Next::Continue
    );
    let second = o.take_batch(now).unwrap();
    assert_eq!(second.sent.len(), 5);
    assert!(first.sent[0].0 < second.sent[0].0, "oldest first");
    assert_eq!(
        o.apply_response(&second, &answer(&second, SyncStatus::Stored, "2026-10-15T20:41:02Z"), now),
        Next::Done
    );
}

#[test]
fn a_too_large_answer_halves_the_batch_size() {
    let mut o = outbox_with(10);
    let now = t("2026-10-15T20:41:00Z");
    let batch = o.take_batch(now).unwrap();
    assert_eq!(o.apply_failure(&batch, &Failure::TooLarge, now), Next::Continue);
    assert_eq!(o.batch_size, BATCH_SIZE / 2);
}

#[test]
fn a_revoked_device_stops_syncing_but_keeps_its_records() {
    let mut o = outbox_with(2);
    let now = t("2026-10-15T20:41:00Z");
    let batch = o.take_batch(now).unwrap();
    let next = o.apply_failure(&batch, &Failure::Unauthorized { code: "device_revoked".into() }, now);
    assert_eq!(next, Next::Stop);
    assert_eq!(o.counts().queued, 2);
    assert!(!o.should_sync(Trigger::Manual, now));
    assert!(o.take_batch(now).is_none());
    assert_eq!(o.stranded(), vec![(DEVICE, "device_revoked".to_string(), 2)]);
    o.reset_backoff();
    assert!(!o.should_sync(Trigger::Manual, now), "a new enrolment does not take them over");
}

#[test]
fn records_of_two_enrolments_go_in_batches_of_their_own() {
    let mut o = Outbox::new();
    let now = t("2026-10-15T20:41:00Z");
    o.add(record(1), DEVICE, now);
    o.add(record(2), OTHER, now);
    o.add(record(3), DEVICE, now);
    let first = o.take_batch(now).unwrap();
    assert_eq!(first.device, DEVICE);
    assert_eq!(first.sent.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![record(1).id, record(3).id]);
    assert_eq!(first.body.unsynced, Some(0), "the other enrolment's record is not this device's");
    let next = o.apply_failure(&first, &Failure::Unauthorized { code: "device_revoked".into() }, now);
    assert_eq!(next, Next::Continue, "the other enrolment may still send");
    let second = o.take_batch(now).unwrap();
    assert_eq!((second.device, second.sent.len()), (OTHER, 1));
    let export: serde_json::Value = serde_json::from_str(&o.export_unsynced(DEVICE)).unwrap();
    assert_eq!(export["device_id"], DEVICE.to_string());
    assert_eq!(export["records"].as_array().unwrap().len(), 2, "only that enrolment's records");
}

#[test]
fn entries_saved_before_records_kept_their_enrolment_are_adopted_by_the_current_one() {
    let mut o = outbox_with(1);
    let stored: Vec<Entry> = o.entries_newest_first().map(|e| Entry { device: None, ..e.clone() }).collect();
    o = Outbox::from_entries(stored);
    assert!(o.take_batch(t("2026-10-15T20:41:00Z")).is_none(), "no enrolment, not sent");
    assert_eq!(o.adopt(DEVICE).len(), 1);
    assert_eq!(o.take_batch(t("2026-10-15T20:41:00Z")).unwrap().device, DEVICE);
}

#[test]
fn a_record_without_an_answer_is_queued_again() {
    let mut o = outbox_with(2);
    let now = t("2026-10-15T20:41:00Z");
    let batch = o.take_batch(now).unwrap();
    let mut response = answer(&batch, SyncStatus::Stored, "2026-10-15T20:41:01Z");
    response.results.truncate(1);
    assert_eq!(o.apply_response(&batch, &response, now), Next::Continue);
    assert_eq!(o.counts(), Counts { queued: 1, confirmed: 1, ..Default::default() });
}

#[test]
fn the_export_holds_every_unsynced_record_as_a_sync_body() {
    let mut o = outbox_with(3);
    let now = t("2026-10-15T20:41:00Z");
    o.batch_size = 1;
    let batch = o.take_batch(now).unwrap();
    o.apply_response(&batch, &answer(&batch, SyncStatus::Stored, "2026-10-15T20:41:01Z"), now);

    let body: serde_json::Value = serde_json::from_str(&o.export_unsynced(DEVICE)).unwrap();

    assert_eq!(body["device_id"], DEVICE.to_string());
    let records = body["records"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| parse_record(r).is_ok()));
}

#[test]
fn the_duplicate_key_check_sees_other_records_on_this_phone_only() {
    let key = DedupKey::try_from("ab".repeat(32)).unwrap();
    let mut o = Outbox::new();
    let mut r = record(1);
    r.dedup_key = Some(key.clone());
    o.add(r.clone(), DEVICE, t("2026-10-15T20:40:00Z"));
    assert!(o.has_key(&key, None));
    assert!(!o.has_key(&key, Some(r.id)), "a record is no duplicate of itself");
}

#[test]
fn the_oldest_unsynced_record_is_reported_and_old_confirmed_ones_are_pruned() {
    let mut o = Outbox::new();
    o.add(record(1), DEVICE, t("2026-10-15T20:00:00Z"));
    o.add(record(2), DEVICE, t("2026-10-15T21:00:00Z"));
    assert_eq!(o.oldest_unsynced(), Some(t("2026-10-15T20:00:00Z")));
    o.batch_size = 1;
    let batch = o.take_batch(t("2026-10-15T21:00:00Z")).unwrap();
    o.apply_response(
        &batch,
        &answer(&batch, SyncStatus::Stored, "2026-10-15T21:00:01Z"),
        t("2026-10-15T21:00:01Z"),
    );
    assert_eq!(o.oldest_unsynced(), Some(t("2026-10-15T21:00:00Z")));

    assert!(o.prune(t("2026-10-16T21:00:00Z"), false).is_empty(), "kept 24 hours after confirmation");
    assert_eq!(o.prune(t("2026-10-16T21:00:02Z"), false), vec![batch.sent[0].0]);
    assert_eq!(o.len(), 1);
}

#[test]
fn entries_survive_a_round_trip_through_storage_json() {
    let mut o = outbox_with(1);
    let batch = o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
    o.apply_response(
        &batch,
        &answer(&batch, SyncStatus::Rejected, "2026-10-15T20:41:01Z"),
        t("2026-10-15T20:41:01Z"),
    );
    let e = o.get(batch.sent[0].0).unwrap();
    let text = serde_json::to_string(e).unwrap();
    assert_eq!(&serde_json::from_str::<Entry>(&text).unwrap(), e);
}
