//! Frame-time probe for measurements (`scripts/frame-times.sh`): when
//! [`FRAME_TIMES_ENV`] is set to a number of seconds, the app records how long each frame
//! took (eframe's `cpu_usage`: `App::ui` plus rendering, without vsync waiting), closes
//! itself after that many seconds, and prints the distribution at exit on stderr:
//! `frame-times frames=N p50=… p99=… max=… over16=… over50=…` (milliseconds).
//!
//! No personal data is printed: only counts and durations.

/// Environment variable: seconds after which the app closes and prints its frame times.
pub const FRAME_TIMES_ENV: &str = "ELDER_ASSESS_PROBE_FRAME_TIMES";

/// The frame durations seen so far, in milliseconds.
#[derive(Debug, Default)]
pub struct FrameTimes {
    samples: Vec<f32>,
}

impl FrameTimes {
    /// Records one frame's duration in seconds.
    pub fn record(&mut self, seconds: f32) {
        if seconds.is_finite() && seconds >= 0.0 {
            self.samples.push(seconds * 1000.0);
        }
    }

    /// The summary line printed at exit.
    pub fn summary(&self) -> String {
        let mut sorted = self.samples.clone();
        sorted.sort_by(f32::total_cmp);
        let at = |q: f32| -> f32 {
            if sorted.is_empty() {
                return 0.0;
            }
            // Nearest rank: the smallest sample with at least q of the samples at or below it.
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let rank = ((q * sorted.len() as f32).ceil() as usize).clamp(1, sorted.len());
            sorted[rank - 1]
        };
        let over = |ms: f32| sorted.iter().filter(|&&s| s > ms).count();
        format!(
            "frame-times frames={} p50={:.1} p99={:.1} max={:.1} over16={} over50={}",
            sorted.len(),
            at(0.50),
            at(0.99),
            sorted.last().copied().unwrap_or(0.0),
            over(16.0),
            over(50.0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_uses_nearest_rank_and_counts_slow_frames() {
        let mut times = FrameTimes::default();
        for ms in 1..=100_u8 {
            times.record(f32::from(ms) / 1000.0);
        }
        times.record(f32::NAN);
        let line = times.summary();
        assert!(line.starts_with("frame-times frames=100 p50=50.0 p99=99.0 max=100.0"), "{line}");
        assert!(line.ends_with("over16=84 over50=50"), "{line}");
    }

    #[test]
    fn empty_summary_is_zero() {
        assert_eq!(
            FrameTimes::default().summary(),
            "frame-times frames=0 p50=0.0 p99=0.0 max=0.0 over16=0 over50=0"
        );
    }
}
