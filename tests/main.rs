//! Integration tests: one binary, one module per area.

#[cfg(test)]
mod attacks;
#[cfg(test)]
mod audit_content; // The audit trail covers content: changes behind the store, tail, recomputed chain.
#[cfg(test)]
mod autosave; // The store writer: one audit row per burst, signatures, a held lock, kill -9.
#[cfg(test)]
mod ca; // Issue 14: the county root, issued certificates, CRLs, the trust store.
#[cfg(test)]
mod cases; // Data-driven cases in tests/cases/*.json through the JSON contract.
#[cfg(test)]
mod cli; // The elder-assess binary: exit codes, stdout/stderr contract.
#[cfg(test)]
mod cli_accounts;
#[cfg(test)]
mod cli_ca; // Issue 14: the README's county-certificate flow through the binary. // Accounts and review from the command line.
#[cfg(test)]
mod cli_correction; // Issue 15: a returned record corrected, re-signed and resubmitted from the CLI.
#[cfg(test)]
mod cli_pipe; // A closed stdout (`| head -1`): no panic, the exit code stays the command's.
#[cfg(test)]
mod cli_sign_later; // Issue 15: sign REPORT.pdf keeps the completed report for the outbox.
#[cfg(test)]
mod cli_signing; // Issue 14: report --as --sign --cosign-as, sign REPORT.pdf --as, refusals.
#[cfg(test)]
mod common; // Shared fixtures: the bundled scale, answers with a chosen total.
#[cfg(test)]
mod conformance; // GB/T 42195-2022 Annex C level bands and change rules, clause by clause.
#[cfg(test)]
mod duties; // Duties bound to accounts: self-approval, names, full exports, reports, keys.
#[cfg(test)]
mod encryption; // Encryption at rest: no name or ID number in the database, WAL or backups.
#[cfg(test)]
mod entrances; // Validation at every entrance: import, submit/approve, CLI JSON, policies, keys, exports.
#[cfg(test)]
mod invalid_scales; // Broken scale files and the exact error each must give.
#[cfg(test)]
mod layering; // Engine modules never import GUI, database or PDF crates.
#[cfg(test)]
mod policy; // The county service list: all 31 services, boundaries, priority, CLI.
#[cfg(test)]
mod policy_rules; // Issue 12: the plan's service rules as data-driven cases, readings as data.
#[cfg(test)]
mod properties; // Invariants over random answers (proptest).
#[cfg(test)]
mod readme_flow;
#[cfg(test)]
mod report; // PDF reports: official report, resident page, blank form.
#[cfg(test)]
mod review; // Review lifecycle, accounts, audit chain.
#[cfg(test)]
mod scales; // Every shipped scale file loads and validates.
#[cfg(test)]
mod sign; // PDF signatures: keys, two sequential signatures, verify, tamper detection.
#[cfg(test)]
mod sign_format; // Issue 14: PAdES B-B CMS, DocMDP/FieldMDP, /Contents size, report PDF hygiene.
#[cfg(test)]
mod standard_readings; // Disputed readings of GB/T 42195-2022, each row citing its source, against the scale.
#[cfg(test)]
mod store; // SQLite store: migrations, save/load/list, crash safety.
#[cfg(test)]
mod store_access; // Read-only commands (read-only directory, lock held), file modes, temp files.
#[cfg(test)]
mod store_safety; // Checked backups (full disk, kill -9), damage found before writing, recovery.
#[cfg(test)]
mod sync_client;
#[cfg(test)]
mod sync_conflicts; // Issue 15: a conflict resolved on a reviewer device (以此版本为准), then approved.
#[cfg(test)]
mod sync_outbox;
#[cfg(test)]
mod sync_package;
#[cfg(test)]
mod sync_pull_checks; // Issue 15: pulled envelopes through the full entrance check on a reviewer's device.
#[cfg(test)]
mod tables; // CSV/XLSX exports read back, statistics.
#[cfg(test)]
mod timestamp; // Issue 15 point 7: RFC 3161 document time-stamps (PAdES B-T), verify, pdfsig, pyHanko.
#[cfg(test)]
mod ui; // The assessor app through egui_kittest: wizard, keys, ID numbers, signatures, completion.
#[cfg(test)]
mod ui_answers; // Answers that cannot contradict themselves: 「无」 exclusive, a problem list kept true.
#[cfg(test)]
mod ui_autosave; // The app's autosave: a 500-frame signature, typing while the lock is held.
#[cfg(test)]
mod ui_bureau; // The bureau's screens through egui_kittest: queue, review, history, exports, recovery.
#[cfg(test)]
mod ui_conflicts; // Issue 15: a conflicting county record, its versions and 以此版本为准.
#[cfg(test)]
mod ui_county; // Issue 12: the plan's new county facts asked in the wizard where they apply.
#[cfg(test)]
mod ui_export; // Issue 13: the PDF export window (typed paths, last folder, fits the window), pen-up.
#[cfg(test)]
mod ui_hygiene; // Issue 13: sign-out, confirmations, notices, the same elder twice, drafts, resubmissions.
#[cfg(test)]
mod ui_keyboard; // The wizard by keyboard: option lists as one Tab stop, arrows and Space.
#[cfg(test)]
mod ui_keyboard_fill; // Annex A of the example record by keyboard alone, keys counted per field.
#[cfg(test)]
mod ui_layout; // The layout check: overlaps, past the right edge, cut text, missing glyphs.
#[cfg(test)]
mod ui_layout_screens; // Every screen at 800×600–1920×1080 and 100–200 % text.
#[cfg(test)]
mod ui_recovery; // The recovery screen: every good backup offered, the chosen one opened.
#[cfg(test)]
mod ui_session_keys; // Issue 14: the session key cache, assessor 2 signing in the export window, sign-out.
#[cfg(test)]
mod ui_sync; // Issue 15: the 同步 button, its summary, frozen and county records in the app.
#[cfg(test)]
mod ui_township; // 乡镇 chosen in A.1, required to complete, shown at home, in the queue and statistics. // 导出 PDF…: typed paths, last folder, fits 800×600 at 200 %; pen-up ends the stroke.
#[cfg(test)]
mod ui_trust;
#[cfg(test)]
mod unanswered_lists; // A.2.14 and A.4.1 start unanswered, block completion, decide C.4 only when answered.
#[cfg(test)]
mod wording_shown; // Wizard, report and blank form show items, options and notes from the scale only. // Forged, altered and mis-signed reports: the verdict and reason for each. // The README's county-trust flow, run as written on a fresh data directory. // 县级证书 in the app: an admin installs the county root from a file. // Issue 15: enrolled device, outbox built once, frozen records, sign-out, kill -9, refusals, pulled decisions. // Issue 15: the USB package round trip and every refusal. // Issue 15: enrolment and sync against a fake county server.
