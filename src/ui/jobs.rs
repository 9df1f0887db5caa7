//! Background work for the app: the one mechanism every slow step uses (key unlocking with
//! scrypt or Argon2id, rendering and signing a PDF, encoding a table, writing and syncing a
//! file, checking backups), so that no frame waits for it.
//!
//! A [`Job`] runs one closure on a named thread (`std::thread::Builder`). The frame polls
//! it ([`Job::poll`]); while it runs the frame asks egui to draw again a little later
//! ([`Job::progress_ui`] shows a spinner and what is being done), and the thread wakes the
//! window itself with `request_repaint` when it finishes. Dropping a job cancels it: its
//! [`CancelFlag`] is raised (long work checks it between steps) and its result, if it still
//! comes, is ignored.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::Duration;

/// How often a frame is drawn while a job runs (for the spinner; the job's end wakes the
/// window at once).
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Why a job gave no result.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The thread could not be started.
    #[error("无法开始后台任务：{0}")]
    Spawn(#[source] std::io::Error),
    /// The thread ended without an answer (it failed unexpectedly).
    #[error("后台任务意外中断，请重试")]
    Interrupted,
}

/// Raised when the job's owner no longer wants the result; long work checks it between
/// steps and stops early.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    /// Whether the job was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// One piece of work running on its own thread.
#[derive(Debug)]
pub struct Job<T> {
    /// What the job does, in words for the user ("正在导出 PDF…").
    what: String,
    receiver: Receiver<T>,
    cancel: CancelFlag,
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work` on a new thread named `name`; `what` is shown while it runs. `ctx` is
    /// asked to repaint when the work is done.
    pub fn spawn(
        ctx: &egui::Context,
        name: &str,
        what: impl Into<String>,
        work: impl FnOnce(&CancelFlag) -> T + Send + 'static,
    ) -> Result<Self, JobError> {
        let (sender, receiver) = std::sync::mpsc::channel();
        let cancel = CancelFlag::default();
        let flag = cancel.clone();
        let ctx = ctx.clone();
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let result = work(&flag);
                // The receiver is gone when the job was dropped: nobody wants the result.
                let _ = sender.send(result);
                ctx.request_repaint();
            })
            .map_err(JobError::Spawn)?;
        Ok(Self { what: what.into(), receiver, cancel })
    }
}

impl<T> Job<T> {
    /// The job's result once it has one (then the job is done and should be dropped).
    pub fn poll(&mut self) -> Option<Result<T, JobError>> {
        match self.receiver.try_recv() {
            Ok(result) => Some(Ok(result)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(JobError::Interrupted)),
        }
    }

    /// What the job does, in words.
    pub fn what(&self) -> &str {
        &self.what
    }

    /// Shows a spinner and what the job does, and asks for the next frame a little later.
    pub fn progress_ui(&self, ui: &mut egui::Ui) {
        progress_ui(ui, &self.what);
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// A spinner and `what`, with the next frame asked for a little later (so the spinner turns
/// while the work runs elsewhere).
pub fn progress_ui(ui: &mut egui::Ui, what: &str) {
    ui.horizontal(|ui| {
        spinner(ui);
        ui.label(what);
    });
    ui.ctx().request_repaint_after(POLL_INTERVAL);
}

/// A turning arc. Unlike `egui::Spinner`, it does not ask for a repaint every frame (the
/// caller asks for one every [`POLL_INTERVAL`]), so a window waiting for a job draws ten
/// frames a second, not sixty, and a test harness's `run` returns while it waits.
fn spinner(ui: &mut egui::Ui) {
    let size = ui.text_style_height(&egui::TextStyle::Body);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(size, size), egui::Sense::hover());
    if !ui.is_rect_visible(rect) {
        return;
    }
    // One turn a second; the fraction of the second is all that matters.
    #[expect(clippy::cast_possible_truncation, reason = "a fraction in 0..1 for drawing")]
    let turn = ui.input(|input| input.time.fract()) as f32;
    let start = turn * std::f32::consts::TAU;
    let radius = rect.height() / 2.0 - 2.0;
    let points: Vec<egui::Pos2> = (0..=24_u8)
        .map(|i| {
            let angle = start + f32::from(i) / 24.0 * 1.5 * std::f32::consts::PI;
            rect.center() + radius * egui::vec2(angle.cos(), angle.sin())
        })
        .collect();
    let stroke = egui::Stroke::new(3.0, ui.visuals().strong_text_color());
    ui.painter().add(egui::Shape::line(points, stroke));
}

/// Polls `slot`'s job: its result once it has one (the slot is then empty).
pub fn take_finished<T>(slot: &mut Option<Job<T>>) -> Option<Result<T, JobError>> {
    let result = slot.as_mut()?.poll()?;
    *slot = None;
    Some(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait<T>(job: &mut Job<T>) -> Result<T, JobError> {
        for _ in 0..500 {
            if let Some(result) = job.poll() {
                return result;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("the job did not finish");
    }

    #[test]
    fn a_job_runs_on_a_named_thread_and_gives_its_result_once() {
        let ctx = egui::Context::default();
        let mut job = Job::spawn(&ctx, "test-job", "正在测试…", |_| {
            std::thread::current().name().map(str::to_owned)
        })
        .unwrap();
        assert_eq!(job.what(), "正在测试…");
        assert_eq!(wait(&mut job).unwrap().as_deref(), Some("test-job"));
        assert!(matches!(job.poll(), Some(Err(JobError::Interrupted))));
    }

    #[test]
    fn dropping_a_job_raises_its_cancel_flag() {
        let ctx = egui::Context::default();
        let (seen_send, seen) = std::sync::mpsc::channel();
        let (go_send, go) = std::sync::mpsc::channel::<()>();
        let job = Job::spawn(&ctx, "test-cancel", "…", move |flag| {
            let _ = go.recv();
            let _ = seen_send.send(flag.is_cancelled());
        })
        .unwrap();
        drop(job);
        go_send.send(()).unwrap();
        assert_eq!(seen.recv_timeout(Duration::from_secs(5)), Ok(true));
    }

    #[test]
    fn take_finished_empties_the_slot() {
        let ctx = egui::Context::default();
        let mut slot = Some(Job::spawn(&ctx, "test-slot", "…", |_| 7).unwrap());
        for _ in 0..500 {
            if let Some(result) = take_finished(&mut slot) {
                assert_eq!(result.unwrap(), 7);
                assert!(slot.is_none());
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("the job did not finish");
    }
}
