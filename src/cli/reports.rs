//! The report commands: `report` (render, sign — who signs is [`super::signing`] —, write
//! the PDF) and `blank-form` (the `keys` commands are in [`super::keys`], `verify` in
//! [`super::verify`]).

use std::path::Path;

use crate::record::AssessmentRecord;

use super::args::ReportArgs;
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
        let signed = (exported.signatures >= 2).then_some(exported.bytes.as_slice());
        stored.record(out, signed, now)?;
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

/// A date as printed for keys: `YYYY-MM-DD` in China Standard Time.
pub fn china_date(t: chrono::DateTime<chrono::Utc>) -> impl std::fmt::Display {
    t.with_timezone(&crate::clock::CHINA_OFFSET).format("%Y-%m-%d")
}
