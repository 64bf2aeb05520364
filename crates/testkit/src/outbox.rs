//! What the SMS outbox holds, as the tests read it.

use liandong_domain::notify::MessageKind;
use liandong_store::{SmsFilter, SmsRecord, Store};

/// Every queued message of `kind` (up to 10,000).
pub async fn messages(store: &Store, kind: MessageKind) -> Vec<SmsRecord> {
    store
        .sms_list(&SmsFilter {
            limit: 10_000,
            ..SmsFilter::default()
        })
        .await
        .expect("the outbox")
        .into_iter()
        .filter(|m| m.kind == kind)
        .collect()
}

/// The latest sign-in code sent to `phone`: the message, and the six digits it carries.
pub async fn sign_in_code_sent_to(store: &Store, phone: &str) -> (SmsRecord, String) {
    let message = messages(store, MessageKind::SignInCode)
        .await
        .into_iter()
        .filter(|m| m.phone == phone)
        .max_by_key(|m| m.created_at)
        .expect("a code was sent");
    let code = message
        .text
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect();
    (message, code)
}
