//! The report and key commands: `report` (render, sign — who signs is
//! [`super::signing`] —, write the PDF), `blank-form`,
//! `keys list` (`keys new` is in [`super::guarded`]) and `verify`.

use std::path::Path;

use crate::record::AssessmentRecord;
use crate::sign;

use super::args::{KeysCommand, ReportArgs};
use super::env::Env;
use super::error::CliError;
use super::scoring::resolve_scale;

/// Loads an assessment from a JSON file (`report FILE.json`; a stored record is read by
/// [`super::guarded::open_stored`]).
fn load_assessment(assessment: &str) -> Result<AssessmentRecord, CliError> {
    let text = std::fs::read_to_string(assessment)
        .map_err(|source| CliError::ReadFile { path: assessment.into(), source })?;
    let mut de = serde_json::Deserializer::from_str(crate::datafile::json_text::strip_bom(&text));
    let record = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        // serde's own text can quote a value (a name, an ID number): say only what
        // kind of problem it is and where.
        let kind = match inner.classify() {
            serde_json::error::Category::Syntax => "JSON 格式错误",
            serde_json::error::Category::Eof => "文件不完整",
            serde_json::error::Category::Data => "字段缺失、多余或取值不对",
            serde_json::error::Category::Io => "读取失败",
        };
        CliError::BadAssessmentFile {
            file: assessment.to_owned(),
            path,
            line: inner.line(),
            column: inner.column(),
            kind,
        }
    })?;
    de.end().map_err(|err| CliError::TrailingJson {
        file: assessment.to_owned(),
        line: err.line(),
        column: err.column(),
    })?;
    Ok(record)
}

/// `elder-assess report`: an assessment file or a stored number to a (signed) PDF.
pub fn report_command(env: &mut Env, args: &ReportArgs) -> Result<(), CliError> {
    let assessment = args.assessment.as_str();
    let (record, stored) = if Path::new(assessment).is_file() {
        (load_assessment(assessment)?, None)
    } else {
        let stored = super::guarded::open_stored(env, assessment, &args.sign_in)?;
        (stored.record.clone(), Some(stored))
    };
    let scale = resolve_scale(None, None)?;
    // Everything but the signatures must be complete: an unsigned report can still be
    // printed and signed by hand.
    let blocking = record.report_issues(&scale);
    if !blocking.is_empty() {
        let lines = blocking.iter().map(ToString::to_string).collect();
        return Err(CliError::Issues { label: assessment.to_owned(), lines });
    }
    let signing = super::signing::report_signers(env, args, stored.as_ref())?;
    let [first, second] = &signing.signers;
    let now = env.now();
    let options = crate::report::ReportOptions::new(now);
    let export = crate::output::signed_report::ExportRequest {
        record: &record,
        scale: &scale,
        options: &options,
        resident_page: !args.no_resident_page,
        signers: [first.as_ref(), second.as_ref()],
        accounts: signing.accounts.clone(),
    };
    let exported = crate::output::signed_report::export_report(&export)?;
    if !exported.missing_glyphs.is_empty() {
        eprintln!(
            "elder-assess: 注意：有 {} 个字符字体中没有，打印为空白",
            exported.missing_glyphs.len()
        );
    }
    let out = args.out.as_path();
    if let Some(stored) = &stored {
        stored.record(out, now)?;
    }
    write_file(out, &exported.bytes)?;
    env.out.line(format_args!(
        "{}：{} 页，{} 个数字签名，{} 字节",
        out.display(),
        exported.pages,
        exported.signatures,
        exported.bytes.len()
    ))
}

/// Writes `bytes` to `path` atomically.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    crate::output::atomic::write_atomically(path, bytes)
        .map_err(|source| CliError::WriteFile { path: path.to_owned(), source })
}

/// `elder-assess blank-form`: the paper form as PDF.
pub fn blank_form_command(env: &mut Env, out: &Path) -> Result<(), CliError> {
    let scale = resolve_scale(None, None)?;
    let bytes = crate::report::blank_form_pdf(&scale)?;
    write_file(out, &bytes)?;
    env.out.line(format_args!("{}：{} 字节", out.display(), bytes.len()))
}

/// `elder-assess keys …`.
pub fn keys_command(env: &mut Env, command: &KeysCommand) -> Result<(), CliError> {
    let dir = env.data_dir()?;
    match command {
        KeysCommand::New(args) => super::guarded::keys_new_command(env, &dir, args),
        KeysCommand::List => list_keys(env, &dir),
    }
}

/// `elder-assess keys list`: one line per key.
fn list_keys(env: &mut Env, dir: &Path) -> Result<(), CliError> {
    let keys = sign::list_keys(dir)?;
    if keys.is_empty() {
        return env.out.line(
            "还没有签名密钥；请运行 elder-assess keys new --as 账号（本机未设账号时用 --name 姓名）",
        );
    }
    for key in keys {
        env.out.line(format_args!(
            "{}\t{}\t有效期 {} 至 {}\t{}",
            key.name,
            key.subject,
            china_date(key.not_before),
            china_date(key.not_after),
            key.cert_path.display()
        ))?;
    }
    Ok(())
}

/// A date as printed for keys: `YYYY-MM-DD` in China Standard Time.
pub fn china_date(t: chrono::DateTime<chrono::Utc>) -> impl std::fmt::Display {
    t.with_timezone(&crate::clock::CHINA_OFFSET).format("%Y-%m-%d")
}

/// `elder-assess verify FILE.pdf`: each signature, then the verdict (exit 1 if not all
/// intact or the last does not cover the whole file).
pub fn verify_command(env: &mut Env, file: &Path) -> Result<(), CliError> {
    let bytes = std::fs::read(file)
        .map_err(|source| CliError::ReadFile { path: file.to_owned(), source })?;
    let checks = sign::verify_pdf(&bytes)
        .map_err(|source| CliError::Verify { path: file.to_owned(), source })?;
    if checks.is_empty() {
        return Err(CliError::Unsigned { path: file.to_owned() });
    }
    let out = &mut env.out;
    for (n, check) in checks.iter().enumerate() {
        let field = if check.field.is_empty() { "（无签名域）" } else { &check.field };
        out.line(format_args!("签名 {}：{field}", n + 1))?;
        let signer = if check.signer.is_empty() { "未知" } else { &check.signer };
        out.line(format_args!("  签名人：{signer}"))?;
        match check.signed_at {
            Some(t) => out.line(format_args!(
                "  签名时间：{}（北京时间）",
                t.with_timezone(&crate::clock::CHINA_OFFSET).format("%Y-%m-%d %H:%M:%S")
            ))?,
            None => out.line("  签名时间：未知")?,
        }
        out.line(format_args!("  验证：{}", check.problem().unwrap_or("完好")))?;
        let after = if check.covers_whole_file {
            "文件未再改动"
        } else if check.modified_after {
            "文件被修改过"
        } else {
            "只追加了后续签名"
        };
        out.line(format_args!("  签名之后：{after}"))?;
    }
    let last_covers = checks.last().is_some_and(|c| c.covers_whole_file);
    if last_covers && checks.iter().all(sign::SignatureCheck::is_intact) {
        out.line(format_args!("全部 {} 个签名完好，文件签名后未被修改", checks.len()))
    } else {
        Err(CliError::SignaturesFailed { path: file.to_owned() })
    }
}
