//! A district's push as the city reads it (docs/city-link.md): any bytes either fail to parse
//! or make a batch; a batch either fails its checks or passes them, reads back from its own
//! JSON unchanged, and counts every record without panicking.
#![no_main]

use liandong_domain::city::{Batch, Record, event_counts, finding_counts, is_masked, mask_id, validate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let masked = mask_id(&String::from_utf8_lossy(data));
    assert!(masked.chars().count() < 12 || is_masked(&masked), "{masked}");
    let Ok(batch) = serde_json::from_slice::<Batch>(data) else {
        return;
    };
    if validate(&batch, &batch.district).is_err() {
        return;
    }
    let text = match serde_json::to_string(&batch) {
        Ok(text) => text,
        Err(error) => panic!("a valid batch does not serialise: {error}"),
    };
    match serde_json::from_str::<Batch>(&text) {
        Ok(back) => assert_eq!(back, batch),
        Err(error) => panic!("a valid batch does not read back: {error}"),
    }
    for record in &batch.records {
        match record {
            Record::CaseEvent(r) => {
                let (_, counts) = event_counts(r);
                assert!(counts.values().iter().all(|v| (0..=1).contains(v)));
            }
            Record::Finding(r) => {
                let (_, counts) = finding_counts(r, true, "");
                assert_eq!(counts.findings + counts.routine_reviews, 1);
            }
            Record::CaseDeadline(r) => assert!(r.seq > 0),
        }
    }
});
