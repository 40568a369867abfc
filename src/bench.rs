//! `tourcrm bench …`: measurements printed as figures, never asserted (timing belongs here,
//! not in tests).

use chrono::NaiveDate;
use dialogues::event::Outcome;
use dialogues::{Callback, Event, StartPayload, State, Who, step};
use std::time::{Duration, Instant};

/// Percentile of sorted durations.
fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// One registration conversation, step by step: the pure dialogue engine alone.
pub fn dialogue(iterations: usize) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
    let script = || {
        vec![
            Event::Start(StartPayload::Source("post_1".into())),
            Event::Text("Иванова Мария Петровна".into()),
            Event::Contact { phone: "+7 912 345-67-89".into(), own: true },
            Event::Text("05.03.1990".into()),
            Event::Callback(Callback::City(3)),
            Event::Callback(Callback::Yes),
            Event::Callback(Callback::No),
            Event::Outcome(Outcome::Registered { first_name: "Мария".into() }),
        ]
    };
    let mut samples = Vec::with_capacity(iterations * 8);
    let started = Instant::now();
    for _ in 0..iterations {
        let mut state = State::Idle;
        for e in script() {
            let t = Instant::now();
            let (s, effects) = step(state, &Who::Stranger, e, today);
            samples.push(t.elapsed());
            std::hint::black_box(&effects);
            state = s;
        }
        // Storing the state between updates is part of every step: measure its encoding too.
        std::hint::black_box(serde_json::to_string(&state).unwrap_or_default());
    }
    let total = started.elapsed();
    samples.sort();
    let steps = samples.len();
    println!("dialogue step (registration, {iterations} conversations, {steps} steps)");
    println!("  throughput: {:.0} steps/s", steps as f64 / total.as_secs_f64());
    println!("  p50 {:?}  p99 {:?}  max {:?}", pct(&samples, 0.5), pct(&samples, 0.99), pct(&samples, 1.0));
}
