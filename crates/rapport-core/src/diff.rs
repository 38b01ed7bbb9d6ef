//! Before/after diffs between two JSON snapshots of a record, for the timeline.

use serde::Serialize;
use serde_json::{Map, Value};

/// One changed field.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Change {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// The top-level fields whose values differ between `before` and `after` (both objects),
/// sorted by field name. A field missing on one side counts as `null`.
pub fn changes(before: &Value, after: &Value) -> Vec<Change> {
    let empty = Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let bv = b.get(k).cloned().unwrap_or(Value::Null);
            let av = a.get(k).cloned().unwrap_or(Value::Null);
            (bv != av).then(|| Change { field: k.clone(), before: bv, after: av })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_changed_fields_are_listed_with_both_values() {
        let c = changes(
            &json!({"name": "Lena", "city": "Berlin", "tags": ["food"]}),
            &json!({"name": "Lena", "city": "Hamburg", "tags": ["food"], "pronouns": "she/her"}),
        );
        assert_eq!(
            c,
            vec![
                Change { field: "city".into(), before: json!("Berlin"), after: json!("Hamburg") },
                Change { field: "pronouns".into(), before: Value::Null, after: json!("she/her") },
            ]
        );
    }
}
