//! The app's windows, together: the in-app save dialog they share, 导出 PDF… and 导出表格….
//! Each window is a view over its own state; what its 保存 asks for is carried out by the
//! app (`app::exports`) as a background job, and the window shows the job's progress.

pub mod export_pdf;
pub mod save_dialog;
pub mod table_export;
