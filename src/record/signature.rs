//! Handwritten signatures: strokes drawn on a pad, stored as vectors.
//!
//! Points are normalised to the pad: `(0, 0)` top left, `(SCALE, SCALE)` bottom right, as
//! integers so that a record compares and serialises exactly. A PDF or a screen only has
//! to scale them to its box.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Coordinates run from 0 to `SCALE` across the pad.
pub const SCALE: u16 = 10_000;

/// One person's signature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Signature {
    /// The signer's name as written next to the signature.
    pub name: String,
    /// Pen strokes, each a polyline of normalised `[x, y]` points.
    pub strokes: Vec<Vec<[u16; 2]>>,
    /// When the last stroke was finished.
    pub signed_at: Option<DateTime<Utc>>,
}

impl Signature {
    /// Whether anything has been drawn.
    pub fn is_signed(&self) -> bool {
        self.strokes.iter().any(|s| s.len() >= 2)
    }

    /// Removes the drawing (the name stays).
    pub fn clear(&mut self) {
        self.strokes.clear();
        self.signed_at = None;
    }
}

/// The three signatures of the report: two assessors and the informant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Signatures {
    /// 评估员 1.
    pub assessor1: Signature,
    /// 评估员 2 (a different person from assessor 1).
    pub assessor2: Signature,
    /// 信息提供者.
    pub informant: Signature,
}

impl Signatures {
    /// The signatures with their roles, in report order.
    pub fn roles(&self) -> [(&'static str, &Signature); 3] {
        [
            ("评估员1", &self.assessor1),
            ("评估员2", &self.assessor2),
            ("信息提供者", &self.informant),
        ]
    }
}
