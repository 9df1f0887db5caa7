//! Scoring throughput: `cargo bench --bench scoring`.
//!
//! Target (issue #2): at least 1,000,000 assessments per second on one core, i.e. a
//! median of at most 1 µs per `score` call. Each benchmark scores a batch of
//! pre-built, varied assessments so that branch prediction cannot learn one input.
#![expect(clippy::unwrap_used, reason = "benchmark setup fails loudly")]

use elder_assess::assessment::{Answers, Facts, score};
use elder_assess::scale::{self, Scale};

/// Assessments scored per iteration.
const BATCH: usize = 1_000;

fn main() {
    divan::main();
}

/// `BATCH` varied complete assessments from a fixed-seed generator.
fn batch(scale: &Scale) -> Vec<(Answers, Facts)> {
    let mut state: u64 = 0x5EED_1234_ABCD_0001;
    let mut next = move || {
        // xorshift64*: deterministic and dependency-free.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    (0..BATCH)
        .map(|_| {
            let mut answers = Answers::new(scale);
            for (i, item) in scale.items().iter().enumerate() {
                let score = u8::try_from(next() % (u64::from(item.max()) + 1)).unwrap();
                answers.set(i, Some(score));
            }
            let mut facts = Facts::new(scale);
            let roll = next();
            facts.set_flag(scale, "coma", roll % 50 == 0).unwrap();
            facts.set_flag(scale, "dementia", roll % 7 == 0).unwrap();
            facts
                .set_count(scale, "risk_events_30d", "fall", i64::try_from(roll % 3).unwrap())
                .unwrap();
            (answers, facts)
        })
        .collect()
}

/// Scores `BATCH` assessments; divan reports time per batch (divide by 1,000 for one).
#[divan::bench]
fn score_batch_of_1000(bencher: divan::Bencher) {
    let scale = scale::bundled(scale::DEFAULT_SCALE_ID).unwrap().unwrap();
    let inputs = batch(&scale);
    bencher.counter(divan::counter::ItemsCount::new(BATCH)).bench_local(|| {
        let mut levels = 0u32;
        for (answers, facts) in &inputs {
            let outcome =
                score(&scale, divan::black_box(answers), divan::black_box(facts)).unwrap();
            levels += u32::from(outcome.final_level);
        }
        levels
    });
}
