//! Form bodies and query strings as name/value pairs (a name may repeat: ticked materials),
//! and the field errors a form shows next to its fields.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use liandong_app::FieldError;

use crate::i18n::Lang;

/// The pairs of an `application/x-www-form-urlencoded` body or a query string.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Form {
        Form { pairs }
    }

    pub fn parse(bytes: &[u8]) -> Option<Form> {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
            .ok()
            .map(|pairs| Form { pairs })
    }

    /// The form with `name` set to `value` alone.
    pub fn with(mut self, name: &str, value: &str) -> Form {
        self.pairs.retain(|(k, _)| k != name);
        self.pairs.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The value of `name`, trimmed, when not empty.
    pub fn opt(&self, name: &str) -> Option<&str> {
        Some(self.get(name).trim()).filter(|v| !v.is_empty())
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The lines of a textarea, trimmed, without empty ones.
    pub fn lines(&self, name: &str) -> Vec<String> {
        self.get(name)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The version the record was read at, which every form that changes one carries.
    pub fn expected_version(&self) -> Result<u32, crate::error::PageError> {
        self.get("expected_version")
            .parse()
            .map_err(|_| crate::error::PageError::BadForm)
    }

    /// A page number, from 1.
    pub fn page(&self) -> i64 {
        self.get("page")
            .parse::<i64>()
            .unwrap_or(1)
            .clamp(1, 1_000_000)
    }
}

/// The query string of a GET page.
pub struct Params(pub Form);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        Ok(Params(Form::parse(query.as_bytes()).unwrap_or_default()))
    }
}

/// Errors of a form's fields, each shown next to its field in the page's language.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors {
    errors: Vec<FieldError>,
}

impl FieldErrors {
    pub fn new(errors: Vec<FieldError>) -> FieldErrors {
        FieldErrors { errors }
    }

    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The message for `field` in `lang`, or "" when the field is fine.
    pub fn get(&self, field: &str, lang: &Lang) -> String {
        self.errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| match *lang {
                Lang::Zh => e.message_zh.as_str(),
                Lang::En => e.message_en.as_str(),
            })
            .collect::<Vec<_>>()
            .join("；")
    }

    pub fn has(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// Messages of fields the form has no place for, shown above it.
    pub fn others(&self, shown: &[&str], lang: &Lang) -> Vec<String> {
        self.errors
            .iter()
            .filter(|e| !shown.contains(&e.field.as_str()))
            .map(|e| match *lang {
                Lang::Zh => e.message_zh.clone(),
                Lang::En => e.message_en.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn repeated_names_and_lines_are_kept() {
        let f = Form::parse("m=%E7%94%B3%E8%AF%B7%E4%B9%A6&m=b&x=+1+%0A%0A2".as_bytes()).unwrap();
        assert_eq!(f.all("m"), vec!["申请书", "b"]);
        assert_eq!(f.lines("x"), vec!["1", "2"]);
        assert_eq!(f.get("none"), "");
        assert_eq!(f.page(), 1);
    }
}
