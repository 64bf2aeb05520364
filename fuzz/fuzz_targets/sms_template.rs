//! The SMS templates administrators write. The first byte chooses the message kind, the rest
//! is the template. A template that validates must render once every placeholder of its kind
//! has a value, and a composed message stays within the segment limit.
#![no_main]

use liandong_domain::notify::{
    MAX_SEGMENTS, MessageKind, Placeholder, PlannedMessage, Recipient, Values, compose, render,
    sms_length, validate_template,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let kind = MessageKind::ALL[usize::from(selector) % MessageKind::ALL.len()];
    let template = String::from_utf8_lossy(rest);
    if validate_template(kind, &template).is_err() {
        return;
    }
    let mut values = Values::new();
    for &placeholder in kind.placeholders() {
        let value = match placeholder {
            // Long enough to need shortening: forty materials.
            Placeholder::Missing => vec!["营业执照副本复印件"; 40].join("、"),
            other => format!("〔{}〕", other.as_str()),
        };
        values.insert(placeholder, value);
    }
    let rendered = match render(kind, &template, &values) {
        Ok(text) => text,
        Err(error) => panic!("a valid template does not render: {error}"),
    };
    let _ = sms_length(&rendered);
    let message = PlannedMessage {
        id: "fuzz".into(),
        kind,
        recipient: Recipient::Applicant,
        phone: "13812345678".into(),
        values,
    };
    match compose(&message, &template) {
        Ok(text) => assert!(sms_length(&text).segments <= MAX_SEGMENTS, "{text}"),
        Err(error) => panic!("a valid template does not compose: {error}"),
    }
});
