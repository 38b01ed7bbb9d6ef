//! Query parameters as people and tools write them: a key given twice means all its
//! values (`platform=instagram&platform=tiktok` is `platform=instagram,tiktok`, the list
//! form every list parameter takes), so a hand-edited or generated URL is never refused
//! for repeating itself.

use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use rapport_core::Invalid;
use serde::de::DeserializeOwned;
use std::borrow::Cow;

/// The request's query string, repeated keys joined with commas, deserialised into `T`.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let merged = merge_repeated(parts.uri.query().unwrap_or(""));
        serde_urlencoded::from_str(&merged)
            .map(Params)
            .map_err(|e| ApiError::from(Invalid::one("query", format!("could not be read: {e}"))))
    }
}

/// The query string with each key once, in order of first appearance; a repeated key's
/// non-empty values joined with commas. A query that repeats no key (nearly every one) is
/// read as it came.
fn merge_repeated(query: &str) -> Cow<'_, str> {
    let mut keys: Vec<Cow<'_, str>> = Vec::new();
    for (key, _) in form_urlencoded::parse(query.as_bytes()) {
        if keys.contains(&key) {
            return Cow::Owned(merge(query));
        }
        keys.push(key);
    }
    Cow::Borrowed(query)
}

fn merge(query: &str) -> String {
    let mut merged: Vec<(String, String)> = Vec::new();
    for (key, value) in serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default() {
        match merged.iter_mut().find(|(k, _)| *k == key) {
            Some(_) if value.is_empty() => {}
            Some((_, v)) if v.is_empty() => *v = value,
            Some((_, v)) => {
                v.push(',');
                v.push_str(&value);
            }
            None => merged.push((key, value)),
        }
    }
    serde_urlencoded::to_string(&merged).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_key_means_all_its_values() {
        assert_eq!(merge_repeated("platform=instagram&q=lena&platform=tiktok"), "platform=instagram%2Ctiktok&q=lena");
        assert_eq!(merge_repeated("tag=&tag=vip&tag="), "tag=vip");
        assert_eq!(merge_repeated("q=caf%C3%A9+bio"), "q=caf%C3%A9+bio");
        assert_eq!(merge_repeated(""), "");
    }

    #[test]
    fn a_query_without_a_repeated_key_is_read_as_it_came() {
        for q in ["platform=instagram%2Ctiktok&q=lena", "tag=", "q=caf%C3%A9+bio&limit=20", "a&b=1"] {
            assert!(matches!(merge_repeated(q), Cow::Borrowed(same) if same == q), "{q}");
        }
    }
}
