//! The cost of rendering an editable template in the sandbox (`crm::sandbox`), the work the
//! scheduler and a broadcast do once per recipient: the birthday offer (a loop over the picked
//! tours) and the hot-tour broadcast, each rendered against its sample many times. Prints the
//! time per render; asserts nothing.
//!
//! `cargo bench --bench templates` (env `BENCH_RENDERS`, default 20000).

use crm::notify::{BroadcastKind, NotificationKind};
use crm::sandbox::{Template, TextLimit};
use std::time::Instant;

fn main() {
    let n: u32 = std::env::var("BENCH_RENDERS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let cases = [
        (
            "birthday offer",
            NotificationKind::BirthdayOffer.default_template(),
            NotificationKind::BirthdayOffer.sample_context(),
        ),
        ("hot tour", BroadcastKind::HotTour.default_template(), BroadcastKind::HotTour.sample_context()),
    ];
    for (name, source, ctx) in cases {
        let started = Instant::now();
        let template = Template::compile(source).expect("the default compiles");
        let compiled = started.elapsed();
        let started = Instant::now();
        let mut chars = 0;
        for _ in 0..n {
            chars += template.render(&ctx, TextLimit::Message).expect("the default renders").len();
        }
        let per = started.elapsed() / n;
        println!(
            "templates: {name}: compile {compiled:?}, render {per:?} each over {n} renders ({} bytes each)",
            chars / n as usize
        );
    }
}
