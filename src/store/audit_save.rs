//! The audit rows of a save: one per changed field, a signature as one `sign` / `clear`
//! row, a status change, or one digest row for an imported record.
//!
//! A signature is audited as what happened to it, not as its stroke lists: the row's
//! field is `signatures.<role>` (`assessor1`, `assessor2`, `informant`), its action
//! `sign` (something is drawn) or `clear` (nothing is), and its old and new values are
//! `{"strokes":N,"sha256":"…"}`: the number of strokes and the SHA-256 of the strokes'
//! compact JSON, so the trail proves which drawing was kept without repeating it. Its
//! time stamp (`signed_at`) belongs to the same row. Everything else is one `edit` row
//! per changed leaf (`subject.name`, `answers.B.1.1`), with the values before and after.

use serde_json::Value;

use super::{Actor, AssessmentRecord, SaveChange, Store, StoreError, audit};

/// The signature roles whose strokes or time stamp changed, and the other changes.
type Split = (Vec<String>, Vec<(String, Option<String>, Option<String>)>);

/// Separates the changes under `signatures.<role>.strokes|signed_at` (one row per role)
/// from the other changed fields.
fn split_signatures(changes: Vec<(String, Option<String>, Option<String>)>) -> Split {
    let mut roles: Vec<String> = Vec::new();
    let mut fields = Vec::new();
    for change in changes {
        let role = change.0.strip_prefix("signatures.").and_then(|rest| {
            let (role, leaf) = rest.split_once('.')?;
            matches!(leaf, "strokes" | "signed_at").then(|| role.to_owned())
        });
        match role {
            Some(role) if !roles.contains(&role) => roles.push(role),
            Some(_) => {}
            None => fields.push(change),
        }
    }
    roles.sort();
    (roles, fields)
}

/// `{"strokes":N,"sha256":"…"}` for a signature with at least one stroke, else `None`.
fn signature_summary(signature: Option<&Value>) -> Option<String> {
    let strokes = signature?.get("strokes")?.as_array()?;
    if strokes.is_empty() {
        return None;
    }
    let data = Value::Array(strokes.clone()).to_string();
    Some(
        serde_json::json!({ "strokes": strokes.len(), "sha256": audit::sha256_hex(data.as_bytes()) })
            .to_string(),
    )
}

impl Store {
    /// One audit row per imported record: the digest of what was imported, so the trail
    /// proves the content without repeating it field by field.
    pub(super) fn audit_import(
        &self,
        id: i64,
        json: &str,
        actor: &Actor,
        at: &str,
        content_hash: &str,
    ) -> Result<(), StoreError> {
        let hex = audit::sha256_hex(json.as_bytes());
        audit::append(
            &self.conn,
            &audit::Entry {
                at,
                actor: &actor.account,
                record_id: Some(id),
                action: "import",
                field: Some("record_json.sha256"),
                new: Some(&hex),
                content_hash: Some(content_hash),
                ..audit::Entry::default()
            },
        )?;
        Ok(())
    }

    /// The audit rows of one save: `create` for a new record, one `edit` row per changed
    /// field (against the blank record for a new one), and one for a status change.
    pub(super) fn audit_save(
        &self,
        id: i64,
        record: &AssessmentRecord,
        change: &SaveChange<'_>,
        actor: &Actor,
        at: &str,
        content_hash: &str,
    ) -> Result<(), StoreError> {
        let number = record.info.number.trim();
        let json_error =
            |e: serde_json::Error| StoreError::Json { number: number.to_owned(), source: e.into() };
        let entry = |action, field| audit::Entry {
            at,
            actor: &actor.account,
            record_id: Some(id),
            action,
            field,
            content_hash: Some(content_hash),
            ..audit::Entry::default()
        };
        let new_value = serde_json::to_value(record).map_err(json_error)?;
        let old_value = if let Some(old_json) = change.old_json {
            serde_json::from_str(old_json).unwrap_or(Value::Null)
        } else {
            let create = audit::Entry { new: Some(number), ..entry("create", Some("info.number")) };
            audit::append(&self.conn, &create)?;
            let blank = AssessmentRecord::new(number.to_owned(), record.info.reference_date);
            serde_json::to_value(&blank).map_err(json_error)?
        };
        let (signatures, fields) = split_signatures(audit::changed_fields(&old_value, &new_value));
        for role in signatures {
            let summary =
                |value: &Value| signature_summary(value.pointer(&format!("/signatures/{role}")));
            let (before, after) = (summary(&old_value), summary(&new_value));
            let field = format!("signatures.{role}");
            let action = if after.is_some() { "sign" } else { "clear" };
            let signed = audit::Entry {
                at,
                actor: &actor.account,
                record_id: Some(id),
                action,
                field: Some(&field),
                old: before.as_deref(),
                new: after.as_deref(),
                reason: None,
                content_hash: Some(content_hash),
            };
            audit::append(&self.conn, &signed)?;
        }
        for (field, old, new) in fields {
            let edit = audit::Entry {
                at,
                actor: &actor.account,
                record_id: Some(id),
                action: "edit",
                field: Some(&field),
                old: old.as_deref(),
                new: new.as_deref(),
                reason: None,
                content_hash: Some(content_hash),
            };
            audit::append(&self.conn, &edit)?;
        }
        if change.from != change.to {
            let status = audit::Entry {
                old: Some(change.from.code()),
                new: Some(change.to.code()),
                ..entry(change.action.code(), Some("status"))
            };
            audit::append(&self.conn, &status)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(field: &str) -> (String, Option<String>, Option<String>) {
        (field.to_owned(), Some("[]".to_owned()), Some("[[[1,2],[3,4]]]".to_owned()))
    }

    #[test]
    fn signature_leaves_become_one_role_each() {
        let (roles, fields) = split_signatures(vec![
            change("signatures.assessor2.signed_at"),
            change("signatures.assessor1.strokes"),
            change("signatures.assessor1.signed_at"),
            change("signatures.assessor1.name"),
            change("subject.name"),
        ]);
        assert_eq!(roles, ["assessor1", "assessor2"]);
        let names: Vec<_> = fields.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(names, ["signatures.assessor1.name", "subject.name"]);
    }

    #[test]
    fn a_signature_summary_counts_strokes_and_hashes_them() {
        let signature = serde_json::json!({ "strokes": [[[1, 2], [3, 4]], [[5, 6]]] });
        let summary = signature_summary(Some(&signature)).unwrap();
        let expected = audit::sha256_hex(b"[[[1,2],[3,4]],[[5,6]]]");
        assert_eq!(summary, format!("{{\"sha256\":\"{expected}\",\"strokes\":2}}"));
        assert_eq!(signature_summary(Some(&serde_json::json!({ "strokes": [] }))), None);
        assert_eq!(signature_summary(None), None);
    }
}
