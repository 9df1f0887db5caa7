//! The verdict a bureau needs on a signed report: for each signature, intact, trusted
//! through the county's certificate authority, by the person printed in its slot, and
//! nothing but signing changed after it; for the report, both assessors' signatures, in
//! order, and no one else's.
//!
//! [`super::verify_pdf`] checks each signature's bytes; [`super::chain`] its certificate;
//! [`super::revisions`] what each later revision changed; [`super::slots`] who the report
//! says signs where; [`super::timestamp`] the document time-stamps (B-T), whose authority
//! must be trusted through an installed county root for time-stamping. A signature covered
//! by a holding time-stamp whose `genTime` is before its certificate's revocation stays
//! trusted: the county vouches that it was made before. This module puts them together.
//! Every failure has a stable code (for `verify --json`) and a message in Chinese.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use lopdf::{Document, Object};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;

use super::chain::{self, Issued, Untrusted};
use super::slots::{Slot, read_slots};
use super::timestamp::{DocTimestamp, timestamps_of};
use super::verify::{checks_of, load};
use super::x509::{UID, subject_text};
use super::{SignError, SignatureCheck};

/// One finding: a stable code and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// For machines, e.g. `digest_mismatch`, `untrusted:revoked`, `modified_after`.
    pub code: String,
    /// For people.
    pub message: String,
}

impl Finding {
    fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into() }
    }
}

/// What the installed county trust anchors are.
#[derive(Debug, Clone, Copy)]
pub struct Anchors<'a> {
    /// Installed county roots.
    pub roots: &'a [Certificate],
    /// Installed CRLs.
    pub crls: &'a [CertificateList],
}

/// The verdict on one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureVerdict {
    /// The byte-level check.
    pub check: SignatureCheck,
    /// Its certificate's standing with the county.
    pub trust: Result<Issued, Untrusted>,
    /// The account its certificate names.
    pub account: Option<String>,
    /// Everything wrong with it; empty when it holds.
    pub failures: Vec<Finding>,
}

/// The verdict on a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportVerdict {
    /// Each signature, in the order they were applied.
    pub signatures: Vec<SignatureVerdict>,
    /// The slots the report names.
    pub slots: Vec<Slot>,
    /// What is wrong with the report as a whole (a missing signature, the order).
    pub problems: Vec<Finding>,
    /// The document time-stamps (PAdES B-T), in file order; empty for a B-B report.
    pub timestamps: Vec<TimestampVerdict>,
}

/// The verdict on one document time-stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampVerdict {
    /// The token as found and checked.
    pub timestamp: DocTimestamp,
    /// The authority's standing with the county (issued by an installed root, meant
    /// for time-stamping, valid and not revoked at `genTime`).
    pub trust: Result<Issued, Untrusted>,
    /// The report's signatures it covers, numbered from 1 in the order they were applied.
    pub covers: Vec<usize>,
    /// Everything wrong with it; empty when it holds.
    pub failures: Vec<Finding>,
}

impl TimestampVerdict {
    /// When this time-stamp proves the revisions it covers existed, if it holds.
    fn trusted_time(&self) -> Option<DateTime<Utc>> {
        self.failures.is_empty().then_some(self.timestamp.gen_time).flatten()
    }
}

impl ReportVerdict {
    /// Every signature holds and the report is completely and properly signed.
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
            && !self.signatures.is_empty()
            && self.signatures.iter().all(|s| s.failures.is_empty())
            && self.timestamps.iter().all(|t| t.failures.is_empty())
    }

    /// The first thing wrong, in words: the report's own problems first, then each
    /// signature's failures (`签名未通过验证` when it is invalid without a finding).
    pub fn first_problem(&self) -> &str {
        self.problems
            .iter()
            .chain(self.signatures.iter().flat_map(|s| s.failures.iter()))
            .next()
            .map_or("签名未通过验证", |f| f.message.as_str())
    }
}

/// Checks `pdf` as a signed assessment report against the installed `anchors`.
///
/// [`SignError::NotPdf`] if the bytes cannot be read as a PDF. An unsigned PDF gives a
/// verdict with no signatures and a problem.
pub fn verify_report(pdf: &[u8], anchors: Anchors<'_>) -> Result<ReportVerdict, SignError> {
    let whole = load(pdf)?;
    let checks = checks_of(pdf, &whole);
    let ends: Vec<usize> = checks.iter().map(SignatureCheck::end).collect();
    let timestamps = timestamps_of(pdf, &whole);
    // Each revision a signature ends is read once, however many checks look at it.
    let revisions = Revisions::read(pdf, whole, &ends);
    let first_revision = ends.first().and_then(|&end| revisions.at(end));
    let slots = first_revision.map(read_slots).unwrap_or_default();

    let timestamps: Vec<TimestampVerdict> = timestamps
        .into_iter()
        .enumerate()
        .map(|(n, timestamp)| timestamp_verdict(n + 1, timestamp, &ends, anchors))
        .collect();
    let mut signatures: Vec<SignatureVerdict> = checks
        .into_iter()
        .map(|check| {
            let end = check.end();
            // The earliest time a holding time-stamp proves this signature existed.
            let proven = timestamps
                .iter()
                .filter(|t| t.timestamp.covers_whole_file_up_to >= end)
                .filter_map(TimestampVerdict::trusted_time)
                .min();
            signature_verdict(check, anchors, proven)
        })
        .collect();
    modifications(pdf, &revisions, &mut signatures);
    certification(first_revision, &mut signatures);
    let problems = slot_findings(&slots, &mut signatures);
    Ok(ReportVerdict { signatures, slots, problems, timestamps })
}

/// The `number`-th time-stamp: its token, its authority's trust at `genTime`, and which
/// signatures (ending at `ends`) it covers.
fn timestamp_verdict(
    number: usize,
    timestamp: DocTimestamp,
    ends: &[usize],
    anchors: Anchors<'_>,
) -> TimestampVerdict {
    let mut failures = Vec::new();
    if !timestamp.signature_ok {
        failures.push(Finding::new(
            "timestamp_signature",
            format!("时间戳 {number} 的签名无效（时间戳令牌被改动或无法读取）"),
        ));
    }
    if !timestamp.imprint_ok {
        failures.push(Finding::new(
            "timestamp_imprint",
            format!("时间戳 {number} 与文件内容不符（消息摘要不一致）：时间戳之前的内容已被改动"),
        ));
    }
    let certificate = timestamp
        .tsa_certificate
        .as_deref()
        .and_then(|der| <Certificate as der::Decode>::from_der(der).ok());
    let trust = match (&certificate, timestamp.gen_time) {
        (Some(cert), Some(at)) => chain::check_timestamping(cert, anchors.roots, anchors.crls, at),
        (Some(_), None) => Err(Untrusted::NoSigningTime),
        (None, _) => Err(Untrusted::UnknownIssuer),
    };
    if let Err(why) = &trust {
        failures.push(Finding::new(
            format!("timestamp_untrusted:{}", why.code()),
            format!("时间戳 {number} 的签发者不可信：{}", why.message()),
        ));
    }
    let covers = ends
        .iter()
        .enumerate()
        .filter(|&(_, &end)| end <= timestamp.covers_whole_file_up_to)
        .map(|(n, _)| n + 1)
        .collect();
    TimestampVerdict { timestamp, trust, covers, failures }
}

/// The document as it was at the end of each signed revision, read once each: the
/// whole file (already read) and the file up to each signature's end.
struct Revisions(BTreeMap<usize, Option<Document>>);

impl Revisions {
    fn read(pdf: &[u8], whole: Document, ends: &[usize]) -> Self {
        let mut map = BTreeMap::new();
        for &end in ends {
            if end != pdf.len() {
                map.entry(end)
                    .or_insert_with(|| pdf.get(..end).and_then(|b| Document::load_mem(b).ok()));
            }
        }
        map.insert(pdf.len(), Some(whole));
        Self(map)
    }

    /// The document as it was at the end of the revision that ends at byte `end`.
    fn at(&self, end: usize) -> Option<&Document> {
        self.0.get(&end).and_then(Option::as_ref)
    }
}

/// One signature's verdict; `proven` is when a holding time-stamp shows it existed, so a
/// certificate revoked after that time still vouches for it.
fn signature_verdict(
    check: SignatureCheck,
    anchors: Anchors<'_>,
    proven: Option<DateTime<Utc>>,
) -> SignatureVerdict {
    let mut failures = Vec::new();
    if !check.digest_ok {
        failures.push(Finding::new("digest_mismatch", "签名范围内的内容已被改动（摘要不符）"));
    } else if !check.signature_ok {
        failures.push(Finding::new("bad_signature", "签名值无效"));
    }
    if check.digest_ok && check.signature_ok && !check.ess_ok {
        failures.push(Finding::new(
            "no_signing_certificate",
            "签名没有按 PAdES 绑定签名证书（signing-certificate-v2 缺失或不符）",
        ));
    }
    let trust = match &check.certificate {
        Some(cert) => match chain::check(cert, anchors.roots, anchors.crls, check.signed_at) {
            // Revocation is the last check: without it the certificate is trusted.
            Err(Untrusted::Revoked { at }) if proven.is_some_and(|time| time < at) => {
                chain::check(cert, anchors.roots, &[], check.signed_at)
            }
            trust => trust,
        },
        None => Err(Untrusted::UnknownIssuer),
    };
    if let Err(why) = &trust {
        failures.push(Finding::new(format!("untrusted:{}", why.code()), why.message()));
    }
    let account =
        check.certificate.as_ref().and_then(|c| subject_text(&c.tbs_certificate.subject, UID));
    SignatureVerdict { check, trust, account, failures }
}

/// Compares each signed revision with the next one (and the last with the whole file).
fn modifications(pdf: &[u8], revisions: &Revisions, signatures: &mut [SignatureVerdict]) {
    let n = signatures.len();
    for i in 0..n {
        let Some([0, _, start, len]) = signatures[i].check.byte_range else { continue };
        let end = start.saturating_add(len);
        let next_end = signatures[i + 1..]
            .iter()
            .map(|s| s.check.end())
            .find(|&e| e > end)
            .unwrap_or(pdf.len());
        if next_end <= end {
            continue;
        }
        let changes = match (revisions.at(end), revisions.at(next_end)) {
            (Some(old), Some(new)) => super::revisions::unexplained_changes(old, new),
            _ => vec!["之后的修订无法读取".to_owned()],
        };
        let number = i + 1;
        if !changes.is_empty() {
            let message = format!("签名 {number} 之后被修改：{}", changes.join("；"));
            signatures[i].failures.push(Finding::new("modified_after", message));
        } else if next_end == pdf.len() && !ends_with_signature_update(pdf, end) {
            let message = format!("签名 {number} 之后文件末尾被追加了内容");
            signatures[i].failures.push(Finding::new("modified_after", message));
        }
    }
}

/// Whether the bytes after `end` are a whole incremental update (they end with `%%EOF`).
fn ends_with_signature_update(pdf: &[u8], end: usize) -> bool {
    let tail = pdf.get(end..).unwrap_or_default();
    let trimmed = tail.trim_ascii_end();
    tail.is_empty() || trimmed.ends_with(b"%%EOF")
}

/// The first signature certifies the report (`DocMDP`, changes limited to form filling and
/// signing) and the catalog's `/Perms` points to it.
fn certification(first: Option<&Document>, signatures: &mut [SignatureVerdict]) {
    let Some(first_sig) = signatures.first_mut() else { return };
    let Some(doc) = first else { return };
    if !certifies(doc, first_sig.check.byte_range) {
        first_sig.failures.push(Finding::new(
            "not_certified",
            "第一个签名没有锁定报告（不是 DocMDP 认证签名）：签名后的改动不受限制",
        ));
    }
}

/// Whether the catalog's `/Perms /DocMDP` is the signature with `byte_range` and asks for
/// no more than form filling and signing (P ≤ 2).
fn certifies(doc: &Document, byte_range: Option<[usize; 4]>) -> bool {
    let perms = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Perms").ok())
        .and_then(|p| doc.dereference(p).ok())
        .and_then(|(_, p)| p.as_dict().ok());
    let Some(sig) = perms
        .and_then(|p| p.get(b"DocMDP").ok())
        .and_then(|s| doc.dereference(s).ok())
        .and_then(|(_, s)| s.as_dict().ok())
    else {
        return false;
    };
    let range: Option<Vec<usize>> =
        sig.get(b"ByteRange").and_then(Object::as_array).ok().map(|items| {
            items
                .iter()
                .filter_map(|o| o.as_i64().ok())
                .filter_map(|n| usize::try_from(n).ok())
                .collect()
        });
    if range.is_none() || range.as_deref() != byte_range.as_ref().map(<[usize; 4]>::as_slice) {
        return false;
    }
    let references = sig.get(b"Reference").and_then(|r| doc.dereference(r)).ok();
    references
        .and_then(|(_, r)| r.as_array().ok())
        .into_iter()
        .flatten()
        .filter_map(|r| doc.dereference(r).ok().and_then(|(_, r)| r.as_dict().ok()))
        .any(|r| {
            let method = r.get(b"TransformMethod").and_then(Object::as_name).ok();
            let p = r
                .get(b"TransformParams")
                .ok()
                .and_then(|t| doc.dereference(t).ok())
                .and_then(|(_, t)| t.as_dict().ok())
                .and_then(|t| t.get(b"P").and_then(Object::as_i64).ok())
                .unwrap_or(2);
            method == Some(b"DocMDP") && p <= 2
        })
}

/// Each signature against the slots; the report's completeness and order.
fn slot_findings(slots: &[Slot], signatures: &mut [SignatureVerdict]) -> Vec<Finding> {
    let mut problems = Vec::new();
    if signatures.is_empty() {
        problems.push(Finding::new("unsigned", "报告没有数字签名"));
        return problems;
    }
    if slots.is_empty() {
        problems.push(Finding::new(
            "no_slots",
            "文件中没有评估员签名栏的信息：不是本程序导出的评估报告，无法核对签名人",
        ));
        return problems;
    }
    let mut signed = vec![0usize; slots.len()];
    let mut last_slot = None;
    for (n, verdict) in signatures.iter_mut().enumerate() {
        let number = n + 1;
        let Some(index) = slots.iter().position(|s| s.field == verdict.check.field) else {
            let field = if verdict.check.field.is_empty() {
                "（无签名域）"
            } else {
                &verdict.check.field
            };
            verdict.failures.push(Finding::new(
                "not_a_slot",
                format!("签名 {number}（{field}）不是报告中的评估员签名：报告不应有其他人的签名"),
            ));
            continue;
        };
        let slot = &slots[index];
        signed[index] += 1;
        if signed[index] > 1 {
            verdict
                .failures
                .push(Finding::new("signed_twice", format!("{}签了不止一次", slot.field)));
        }
        if last_slot.is_some_and(|last| last > index) {
            problems.push(Finding::new(
                "out_of_order",
                format!(
                    "签名顺序不对：{}在{}之后签名",
                    slots[last_slot.unwrap_or(0)].field,
                    slot.field
                ),
            ));
        }
        last_slot = Some(index);
        let name = verdict.check.certificate.as_ref().and_then(|c| {
            subject_text(&c.tbs_certificate.subject, const_oid::db::rfc4519::COMMON_NAME)
        });
        let name_ok = name.as_deref().map(str::trim) == Some(slot.name.trim());
        let account_ok = slot.account.is_none() || verdict.account == slot.account;
        if !(name_ok && account_ok) {
            let who = match &slot.account {
                Some(account) => format!("{}（账号 {account}）", slot.name),
                None => slot.name.clone(),
            };
            verdict.failures.push(Finding::new(
                "wrong_signer",
                format!("签名人不是报告中的{}{who}本人", slot.field),
            ));
        }
    }
    for (slot, count) in slots.iter().zip(&signed) {
        if *count == 0 {
            problems.push(Finding::new("missing_signature", format!("缺少{}的签名", slot.field)));
        }
    }
    problems
}
