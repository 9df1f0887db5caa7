//! `elder-assess verify FILE.pdf [--json]`: the bureau's check of a signed report against
//! the county roots and CRLs installed on this machine (see [`crate::sign::verdict`]).
//!
//! Exit 0 only when every signature is intact, trusted, by the person printed in its slot
//! and followed by nothing but signing, both assessors signed in order, and every document
//! time-stamp (PAdES B-T) holds and is by a county-trusted time-stamp authority; 1
//! otherwise (or unsigned); 2 when the file is not a readable PDF.

use std::path::Path;

use serde_json::{Value, json};

use crate::clock::CHINA_OFFSET;
use crate::sign::verdict::{
    Anchors, Finding, ReportVerdict, SignatureVerdict, TimestampVerdict, verify_report,
};

use super::env::Env;
use super::error::CliError;

/// `elder-assess verify`.
pub fn verify_command(env: &mut Env, file: &Path, json: bool) -> Result<(), CliError> {
    let bytes = std::fs::read(file)
        .map_err(|source| CliError::ReadFile { path: file.to_owned(), source })?;
    let trust = crate::sign::trust::TrustStore::load(&env.data_dir()?)?;
    let anchors = Anchors { roots: &trust.roots, crls: &trust.crls };
    let verdict = verify_report(&bytes, anchors)
        .map_err(|source| CliError::Verify { path: file.to_owned(), source })?;
    if json {
        // `{:#}` is serde_json's pretty form, and cannot fail for a `Value`.
        env.out.line(format_args!("{:#}", as_json(file, &verdict)))?;
    } else {
        if verdict.signatures.is_empty() {
            return Err(CliError::Unsigned { path: file.to_owned() });
        }
        print(env, &verdict)?;
    }
    if verdict.is_valid() {
        Ok(())
    } else if verdict.signatures.is_empty() {
        Err(CliError::Unsigned { path: file.to_owned() })
    } else {
        Err(CliError::SignaturesFailed { path: file.to_owned() })
    }
}

fn print(env: &mut Env, verdict: &ReportVerdict) -> Result<(), CliError> {
    let out = &mut env.out;
    for (n, signature) in verdict.signatures.iter().enumerate() {
        let check = &signature.check;
        let field = if check.field.is_empty() { "（无签名域）" } else { &check.field };
        out.line(format_args!("签名 {}：{field}", n + 1))?;
        let signer = if check.signer.is_empty() { "未知" } else { &check.signer };
        let number = signature.trust.as_ref().ok().and_then(|issued| issued.number.as_deref());
        let who = match (&signature.account, number) {
            (Some(account), Some(number)) => {
                format!("{signer}（账号 {account}，评估员证书 {number}）")
            }
            (Some(account), None) => format!("{signer}（账号 {account}）"),
            (None, _) => signer.to_owned(),
        };
        out.line(format_args!("  签名人：{who}"))?;
        match &signature.trust {
            Ok(issued) => out.line(format_args!("  证书：可信，由 {} 签发", issued.root))?,
            Err(why) => out.line(format_args!("  证书：不可信：{}", why.message()))?,
        }
        match check.signed_at {
            Some(t) => out.line(format_args!(
                "  签名时间：{}（北京时间，签名人声明）",
                t.with_timezone(&CHINA_OFFSET).format("%Y-%m-%d %H:%M:%S")
            ))?,
            None => out.line("  签名时间：未知")?,
        }
        if signature.failures.is_empty() {
            out.line("  验证：完好，签名人与报告所列一致，签名之后只追加了后续签名")?;
        }
        // An untrusted certificate is already said on the 证书 line.
        for failure in signature.failures.iter().filter(|f| !f.code.starts_with("untrusted:")) {
            out.line(format_args!("  问题：{}", failure.message))?;
        }
    }
    for (n, timestamp) in verdict.timestamps.iter().enumerate() {
        print_timestamp(out, n + 1, timestamp)?;
    }
    if verdict.is_valid() {
        let names: Vec<String> =
            verdict.slots.iter().map(|slot| format!("{} {}", slot.field, slot.name)).collect();
        let stamped = if verdict.timestamps.is_empty() {
            ""
        } else {
            "；有县级时间戳服务的可信时间戳（PAdES B-T）"
        };
        out.line(format_args!(
            "结论：报告签名完整可信：{} 均已本人签名，签名后未被修改{stamped}",
            names.join("、")
        ))
    } else {
        let count = verdict.problems.len()
            + verdict.signatures.iter().map(|s| s.failures.len()).sum::<usize>()
            + verdict.timestamps.iter().map(|t| t.failures.len()).sum::<usize>();
        out.line(format_args!("结论：报告签名不可信（{count} 处问题）"))?;
        for problem in &verdict.problems {
            out.line(format_args!("  - {}", problem.message))?;
        }
        Ok(())
    }
}

/// A date and time in China Standard Time, e.g. `2026-12-01 10:00:00`.
fn china_time(time: chrono::DateTime<chrono::Utc>) -> String {
    time.with_timezone(&CHINA_OFFSET).format("%Y-%m-%d %H:%M:%S").to_string()
}

fn print_timestamp(
    out: &mut super::env::Out,
    number: usize,
    verdict: &TimestampVerdict,
) -> Result<(), CliError> {
    let ts = &verdict.timestamp;
    let field = if ts.field.is_empty() { "（无签名域）" } else { &ts.field };
    out.line(format_args!("时间戳 {number}：{field}"))?;
    let when = ts
        .gen_time
        .map_or("时间无法读取".to_owned(), |t| format!("{}（北京时间）", china_time(t)));
    let by = ts.tsa_name.as_deref().unwrap_or("未知的时间戳服务");
    let trust = match &verdict.trust {
        Ok(issued) => format!("可信（{}）", issued.root),
        Err(why) => format!("不可信：{}", why.message()),
    };
    out.line(format_args!("  时间戳：{when}，由 {by} 签发，{trust}"))?;
    if !verdict.covers.is_empty() {
        let covered: Vec<String> = verdict.covers.iter().map(ToString::to_string).collect();
        out.line(format_args!("  覆盖：签名 {}（证明这些签名不晚于该时间）", covered.join("、")))?;
    }
    if verdict.failures.is_empty() {
        out.line("  验证：完好，时间戳与文件内容一致")?;
    }
    for failure in verdict.failures.iter().filter(|f| !f.code.starts_with("timestamp_untrusted:")) {
        out.line(format_args!("  问题：{}", failure.message))?;
    }
    Ok(())
}

fn timestamp_json(n: usize, verdict: &TimestampVerdict) -> Value {
    let ts = &verdict.timestamp;
    let issued = verdict.trust.as_ref().ok();
    json!({
        "index": n + 1,
        "field": ts.field,
        "gen_time": ts.gen_time.map(|t| t.with_timezone(&CHINA_OFFSET).to_rfc3339()),
        "serial": ts.serial.map(|s| format!("{s:x}")),
        "tsa": ts.tsa_subject,
        "issuer": issued.map(|i| i.root.clone()),
        "covers": verdict.covers,
        "intact": ts.imprint_ok && ts.signature_ok,
        "trusted": issued.is_some(),
        "valid": verdict.failures.is_empty(),
        "failures": verdict.failures.iter().map(finding).collect::<Vec<_>>(),
    })
}

fn finding(finding: &Finding) -> Value {
    json!({ "code": finding.code, "message": finding.message })
}

fn signature_json(n: usize, signature: &SignatureVerdict) -> Value {
    let check = &signature.check;
    let issued = signature.trust.as_ref().ok();
    json!({
        "index": n + 1,
        "field": check.field,
        "signer": check.signer,
        "account": signature.account,
        "certificate_number": issued.and_then(|i| i.number.clone()),
        "issuer": issued.map(|i| i.root.clone()),
        "signed_at": check.signed_at.map(|t| t.with_timezone(&CHINA_OFFSET).to_rfc3339()),
        "intact": check.digest_ok && check.signature_ok,
        "trusted": issued.is_some(),
        "valid": signature.failures.is_empty(),
        "failures": signature.failures.iter().map(finding).collect::<Vec<_>>(),
    })
}

fn as_json(file: &Path, verdict: &ReportVerdict) -> Value {
    json!({
        "file": file.display().to_string(),
        "valid": verdict.is_valid(),
        "slots": verdict.slots.iter().map(|s| json!({
            "field": s.field, "name": s.name, "account": s.account,
        })).collect::<Vec<_>>(),
        "signatures": verdict.signatures.iter().enumerate()
            .map(|(n, s)| signature_json(n, s)).collect::<Vec<_>>(),
        "timestamps": verdict.timestamps.iter().enumerate()
            .map(|(n, t)| timestamp_json(n, t)).collect::<Vec<_>>(),
        "problems": verdict.problems.iter().map(finding).collect::<Vec<_>>(),
    })
}
