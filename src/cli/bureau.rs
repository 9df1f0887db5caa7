//! The bureau's commands over the stored assessments: `export` (CSV/XLSX, de-identified
//! or full), `stats`, `import` (JSON lines, all or nothing), `review …` (sign, submit,
//! approve, return, the queue, the re-assessments due) and `audit verify` (in
//! [`super::guarded`]).

use crate::store::Store;
use crate::tables::Privacy;

use super::args::{ExportArgs, ImportArgs, ReviewCommand, SignIn, StatsArgs};
use super::env::Env;
use super::error::CliError;
use super::filters::{queue_filter, stats_grouping, stats_period};
use super::scoring::{read_input, resolve_scale};
use super::store_open::{Access, Credentials, sign_in_as, sign_in_if_needed};

/// `elder-assess export`: de-identified, or full (signed in, with a purpose, audited).
pub fn export_command(env: &mut Env, args: &ExportArgs) -> Result<(), CliError> {
    let access = if args.full { Access::Write } else { Access::Read };
    let store = env.open_store(access, &(&args.sign_in).into())?;
    if args.full {
        sign_in_if_needed(&store, &args.sign_in, env.now())?;
        if args.purpose.as_deref().is_none_or(|p| p.trim().is_empty()) {
            return Err(CliError::PurposeRequired);
        }
    }
    let privacy = if args.full { Privacy::Full } else { Privacy::DeIdentified };
    let request = crate::output::table_files::RecordsExport {
        path: &args.out,
        privacy,
        approved_only: args.approved_only,
        purpose: args.purpose.as_deref(),
    };
    let scale = resolve_scale(None, None)?;
    let written = crate::output::table_files::export_records(&store, &scale, &request, env.now())?;
    let mode = if privacy == Privacy::Full {
        "完整（含姓名和身份证号）"
    } else {
        "去标识化"
    };
    for cut in &written.cut {
        eprintln!("elder-assess: 注意：{cut}");
    }
    env.out.line(format_args!("{}：{} 条评估，{mode}", args.out.display(), written.rows))
}

/// `elder-assess stats`: approved assessments counted by the `--by` groupings, printed
/// tab-separated (and written to `--out` first, if given).
pub fn stats_command(env: &mut Env, args: &StatsArgs) -> Result<(), CliError> {
    let store = env.open_store(Access::Read, &(&args.sign_in).into())?;
    let dims = stats_grouping(&args.by)?;
    let (from, to) = stats_period(args.from, args.to, env.today())?;
    let rows = store.stats_rows(from, to).map_err(CliError::ReadAssessments)?;
    let scale = resolve_scale(None, None)?;
    let county = super::county::bundled_county()?;
    let table = crate::tables::stats_multi(&rows, &dims, (from, to), &scale, &county.townships);
    // The file first: a reader that stops early (`| head`) must not cost the file.
    if let Some(out) = &args.out {
        crate::output::table_files::export_multi_stats(&table, out)?;
    }
    print_stats(env, &table)
}

/// The statistics table as tab-separated text.
fn print_stats(env: &mut Env, table: &crate::tables::MultiStatsTable) -> Result<(), CliError> {
    let out = &mut env.out;
    out.line(format_args!("已通过的评估 {} 至 {}", table.period.0, table.period.1))?;
    let mut header: Vec<String> = table.by.iter().map(|d| d.label().to_owned()).collect();
    header.extend(table.columns.iter().cloned());
    header.push("合计".to_owned());
    out.line(header.join("\t"))?;
    for (labels, counts) in &table.rows {
        let mut cells = labels.clone();
        cells.extend(counts.iter().map(ToString::to_string));
        cells.push(counts.iter().sum::<u32>().to_string());
        out.line(cells.join("\t"))?;
    }
    let mut totals = vec!["合计".to_owned()];
    totals.extend(std::iter::repeat_n(String::new(), table.by.len().saturating_sub(1)));
    totals.extend(table.totals.iter().map(ToString::to_string));
    totals.push(table.totals.iter().sum::<u32>().to_string());
    out.line(totals.join("\t"))?;
    if table.skipped > 0 {
        out.line(format_args!("（另有 {} 条已通过的评估没有有效等级，未计入）", table.skipped))?;
    }
    Ok(())
}

/// `elder-assess import FILE`: JSON lines, one transaction.
pub fn import_command(env: &mut Env, args: &ImportArgs) -> Result<(), CliError> {
    let store = env.open_store(Access::Write, &(&args.sign_in).into())?;
    sign_in_if_needed(&store, &args.sign_in, env.now())?;
    let file = args.file.as_str();
    let text = read_input(file)?;
    let scale = resolve_scale(None, None)?;
    let county = super::county::bundled_county()?;
    let records = crate::record::parse_jsonl(&text, &scale, &county.townships)
        .map_err(|source| CliError::ImportParse { file: file.to_owned(), source })?;
    if args.correct {
        let statuses =
            store.correct_returned(&records, &scale, env.now()).map_err(CliError::ImportFailed)?;
        let out = &mut env.out;
        out.line(format_args!("已更正 {} 条退回的评估", statuses.len()))?;
        for (record, status) in records.iter().zip(statuses) {
            out.line(format_args!(
                "  {}：{}；两名评估员重新签名报告（report {} --sign --cosign-as …）后再提交审核",
                record.info.number.trim(),
                status.label(),
                record.info.number.trim()
            ))?;
        }
        return Ok(());
    }
    let count =
        store.import_records(&records, &scale, env.now()).map_err(CliError::ImportFailed)?;
    env.out.line(format_args!("已导入 {count} 条评估"))
}

impl ReviewCommand {
    /// Who signs in for the command, to open an encrypted store.
    fn credentials(&self) -> Credentials {
        match self {
            Self::Sign { sign_in, .. }
            | Self::Submit { sign_in, .. }
            | Self::Approve { sign_in, .. }
            | Self::Return { sign_in, .. }
            | Self::Resolve { sign_in, .. } => sign_in.into(),
            Self::Queue(args) => (&args.sign_in).into(),
            Self::Due { sign_in, .. } | Self::Conflicts { sign_in } => sign_in.into(),
        }
    }
}

/// `elder-assess review …`.
pub fn review_command(env: &mut Env, command: ReviewCommand) -> Result<(), CliError> {
    use crate::review::Action;
    let access = match command {
        ReviewCommand::Queue { .. }
        | ReviewCommand::Due { .. }
        | ReviewCommand::Conflicts { .. } => Access::Read,
        _ => Access::Write,
    };
    let store = env.open_store(access, &command.credentials())?;
    let (number, sign_in, action) = match command {
        ReviewCommand::Submit { number, sign_in } => (number, sign_in, Action::Submit),
        ReviewCommand::Approve { number, sign_in } => (number, sign_in, Action::Approve),
        ReviewCommand::Return { number, sign_in, reason } => {
            (number, sign_in, Action::Return { reason })
        }
        ReviewCommand::Queue(args) => return queue_command(env, &store, &queue_filter(&args)?),
        ReviewCommand::Due { months, .. } => {
            return due_command(env, &store, super::county::due_months(months)?);
        }
        ReviewCommand::Conflicts { .. } => return super::conflicts::list(env, &store),
        ReviewCommand::Resolve { number, keep, reason, sign_in } => {
            let actor = sign_in_as(&store, &sign_in, env.now())?;
            return super::conflicts::resolve(
                env,
                &store,
                (number.trim(), &actor),
                (&keep, &reason),
            );
        }
        ReviewCommand::Sign { number, slot, sign_in } => {
            return super::guarded::sign_command(env, &store, number.trim(), slot, &sign_in);
        }
    };
    let number = number.trim();
    let status = review_action(env, &store, number, &sign_in, action)?;
    // A county record (replica): the decision waits in the outbox for the next sync.
    if let Some(id) = store.find_by_number(number)?
        && store.pending_decision(id)?.is_some()
    {
        return env
            .out
            .line(format_args!("{number}：审核决定已记录，待同步（下次 sync 时提交县级服务器）"));
    }
    env.out.line(format_args!("{number}：{}", status.label()))?;
    // Sent only with both assessors' signed report: say so where it is missing.
    if status == crate::store::Status::Submitted
        && store.is_enrolled()?
        && let Some(id) = store.find_by_number(number)?
        && store.report_pdf(id)?.is_none()
    {
        env.out.line(format_args!(
            "  注意：本机还没有该评估两名评估员签名的报告，生成并签名报告（report {number} --as … --sign --cosign-as …）后才会随同步上传"
        ))?;
    }
    Ok(())
}

/// Signs in, then takes `action` on the assessment numbered `number`.
fn review_action(
    env: &Env,
    store: &Store,
    number: &str,
    sign_in: &SignIn,
    action: crate::review::Action,
) -> Result<crate::store::Status, CliError> {
    let actor = sign_in_as(store, sign_in, env.now())?;
    let id = store
        .find_by_number(number)
        .map_err(|source| CliError::ReadAssessment { number: number.to_owned(), source })?
        .ok_or_else(|| CliError::NoSuchAssessment(number.to_owned()))?;
    Ok(store.transition(id, action, &actor, None, env.now())?)
}

/// `elder-assess review queue`: the submitted assessments, tab-separated.
fn queue_command(
    env: &mut Env,
    store: &Store,
    filter: &crate::store::QueueFilter,
) -> Result<(), CliError> {
    let rows = store.queue(filter).map_err(CliError::ReadQueue)?;
    let out = &mut env.out;
    if rows.is_empty() {
        return out.line("没有待审核的评估");
    }
    out.line("编号\t乡镇\t身份证号\t评估基准日期\t等级\t警示")?;
    for row in &rows {
        let level = level_cell(row.final_level);
        out.line(format_args!(
            "{}\t{}\t{}\t{}\t{level}\t{}",
            row.number, row.township, row.id_masked, row.reference_date, row.warnings
        ))?;
    }
    Ok(())
}

/// `elder-assess review due`: the elders overdue or due soon, tab-separated.
fn due_command(env: &mut Env, store: &Store, months: u32) -> Result<(), CliError> {
    let rows = store.due(months, env.today()).map_err(CliError::ReadAssessments)?;
    let out = &mut env.out;
    if rows.is_empty() {
        return out.line(format_args!("没有逾期或 {} 天内到期的复评", crate::store::DUE_SOON_DAYS));
    }
    out.line("状态\t应评估日期\t编号\t乡镇\t身份证号\t上次评估日期\t等级")?;
    for row in &rows {
        let state = if row.overdue { "已逾期" } else { "即将到期" };
        let level = level_cell(row.final_level);
        out.line(format_args!(
            "{state}\t{}\t{}\t{}\t{}\t{}\t{level}",
            row.due_date, row.number, row.township, row.id_masked, row.reference_date
        ))?;
    }
    Ok(())
}

/// A final level as a table cell: the number, or `-` without one.
fn level_cell(level: Option<u8>) -> String {
    level.map_or_else(|| "-".to_owned(), |level| level.to_string())
}
