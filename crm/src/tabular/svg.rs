//! Charts drawn on the server as SVG: bars grouped per series or lines, a value axis with round
//! ticks in Russian («1,2 млн ₽», «35 %»), a legend. No JavaScript: the page embeds the markup
//! and a browser's own tooltip (`<title>`) shows a bar's exact value or a cut label in full.
//!
//! Labels and series names are typed by staff (hotel names, post titles), so every text is
//! escaped here: the markup is embedded unescaped in pages and must never carry theirs.
//!
//! A few hundred lines of our own rather than a plotting crate: the charts are two simple kinds,
//! and the Russian axis labels, truncation and escaping would have to be ours anyway.

use super::cells::{grouped, percent_number};
use super::{Chart, ChartKind, ChartUnit};
use crate::domain::Currency;
use crate::text;
use std::fmt::Write;

const WIDTH: f64 = 800.0;
const LEFT: f64 = 96.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 44.0;
const PLOT_HEIGHT: f64 = 260.0;
const LABELS_HEIGHT: f64 = 36.0;
const LEGEND_ROW: f64 = 20.0;
/// About how wide a character of the 12 px font is, to cut labels before they overlap.
const CHAR_WIDTH: f64 = 7.0;
/// A label below the axis gets at least this much room; with more labels only every k-th shows.
const MIN_LABEL_SLOT: f64 = 44.0;
const PALETTE: [&str; 8] = ["#2f6fb0", "#e07b39", "#3a9b5c", "#c44e52", "#8172b3", "#937860", "#d16ba5", "#7f7f7f"];

/// The chart as a standalone `<svg>` element, about 800 px wide.
pub fn chart_svg(chart: &Chart) -> String {
    let series: Vec<Vec<Option<f64>>> = chart
        .series
        .iter()
        .map(|s| {
            (0..chart.labels.len()).map(|i| s.values.get(i).copied().flatten().filter(|v| v.is_finite())).collect()
        })
        .collect();
    let values: Vec<f64> = series.iter().flatten().flatten().copied().collect();
    if chart.labels.is_empty() || values.is_empty() {
        return empty(chart);
    }
    let axis = Axis::new(&values, chart.unit);
    let legend = Legend::new(chart);
    let height = TOP + PLOT_HEIGHT + LABELS_HEIGHT + legend.height() + 8.0;
    let plot = Plot { left: LEFT, right: WIDTH - RIGHT, top: TOP, bottom: TOP + PLOT_HEIGHT, axis };
    let mut svg = open(&chart.title, height);
    plot.grid(&mut svg, chart.unit);
    match chart.kind {
        ChartKind::Bars => plot.bars(&mut svg, chart, &series),
        ChartKind::Lines => plot.lines(&mut svg, chart, &series),
    }
    plot.labels(&mut svg, &chart.labels);
    legend.draw(&mut svg, TOP + PLOT_HEIGHT + LABELS_HEIGHT);
    svg.push_str("</svg>");
    svg
}

/// The root element with the title above the plot; `role="img"` names the chart to a screen
/// reader.
fn open(title: &str, height: f64) -> String {
    let title = escape(title);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-label=\"{title}\" \
         font-family=\"sans-serif\" font-size=\"12\">\
         <title>{title}</title>\
         <text x=\"{LEFT}\" y=\"22\" font-size=\"15\" font-weight=\"bold\" fill=\"#222\">{title}</text>"
    )
}

/// A chart without values says so instead of drawing an empty frame.
fn empty(chart: &Chart) -> String {
    let mut svg = open(&chart.title, 120.0);
    let _ = write!(
        svg,
        "<text class=\"empty\" x=\"{}\" y=\"80\" text-anchor=\"middle\" fill=\"#777\">{}</text></svg>",
        WIDTH / 2.0,
        escape(text::get("tabular", "no_data"))
    );
    svg
}

/// The value axis: from `low` to `high` in round `step`s, zero always inside.
struct Axis {
    low: f64,
    high: f64,
    step: f64,
}

impl Axis {
    fn new(values: &[f64], unit: ChartUnit) -> Axis {
        let min = values.iter().copied().fold(0.0_f64, f64::min);
        let max = values.iter().copied().fold(0.0_f64, f64::max);
        let span = if max > min { max - min } else { 1.0 };
        let mut step = round_step(span / 5.0);
        if unit == ChartUnit::Count {
            // Half a booking is not a tick.
            step = step.max(1.0);
        }
        let low = (min / step).floor() * step;
        let mut high = (max / step).ceil() * step;
        if high <= low {
            high = low + step;
        }
        Axis { low, high, step }
    }

    fn ticks(&self) -> Vec<f64> {
        let count = ((self.high - self.low) / self.step).round() as i64;
        (0..=count).map(|i| self.low + i as f64 * self.step).collect()
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn round_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    let residual = raw / magnitude;
    let nice = if residual <= 1.0 {
        1.0
    } else if residual <= 2.0 {
        2.0
    } else if residual <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

struct Plot {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    axis: Axis,
}

impl Plot {
    fn y(&self, v: f64) -> f64 {
        self.bottom - (v - self.axis.low) / (self.axis.high - self.axis.low) * (self.bottom - self.top)
    }

    fn slot(&self, labels: usize) -> f64 {
        (self.right - self.left) / labels.max(1) as f64
    }

    fn grid(&self, svg: &mut String, unit: ChartUnit) {
        for tick in self.axis.ticks() {
            let y = self.y(tick);
            let colour = if tick == 0.0 { "#888" } else { "#e3e3e3" };
            let _ = write!(
                svg,
                "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\"/>\
                 <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\">{}</text>",
                self.left,
                self.right,
                self.left - 6.0,
                y + 4.0,
                escape(&axis_label(tick, self.axis.step, unit))
            );
        }
    }

    fn bars(&self, svg: &mut String, chart: &Chart, series: &[Vec<Option<f64>>]) {
        let slot = self.slot(chart.labels.len());
        let bar = slot * 0.8 / series.len().max(1) as f64;
        let zero = self.y(0.0);
        for (s, values) in series.iter().enumerate() {
            let colour = PALETTE[s % PALETTE.len()];
            for (i, value) in values.iter().enumerate() {
                let Some(v) = *value else { continue };
                let x = self.left + slot * i as f64 + slot * 0.1 + bar * s as f64;
                let y = self.y(v);
                let _ = write!(
                    svg,
                    "<rect class=\"bar\" x=\"{x:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{colour}\">\
                     <title>{}</title></rect>",
                    y.min(zero),
                    (bar - 1.0).max(1.0),
                    (zero - y).abs(),
                    escape(&tooltip(chart, s, i, v))
                );
            }
        }
    }

    fn lines(&self, svg: &mut String, chart: &Chart, series: &[Vec<Option<f64>>]) {
        let slot = self.slot(chart.labels.len());
        for (s, values) in series.iter().enumerate() {
            let colour = PALETTE[s % PALETTE.len()];
            // A missing value breaks the line rather than drawing it through a made-up zero.
            let mut path = String::new();
            let mut pen_down = false;
            for (i, value) in values.iter().enumerate() {
                match value {
                    Some(v) => {
                        let x = self.left + slot * (i as f64 + 0.5);
                        let _ = write!(path, "{}{x:.2} {:.2} ", if pen_down { "L" } else { "M" }, self.y(*v));
                        pen_down = true;
                    }
                    None => pen_down = false,
                }
            }
            let _ = write!(
                svg,
                "<path class=\"line\" d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
                path.trim_end()
            );
            for (i, value) in values.iter().enumerate() {
                let Some(v) = *value else { continue };
                let _ = write!(
                    svg,
                    "<circle class=\"point\" cx=\"{:.2}\" cy=\"{:.2}\" r=\"3.5\" fill=\"{colour}\"><title>{}</title></circle>",
                    self.left + slot * (i as f64 + 0.5),
                    self.y(v),
                    escape(&tooltip(chart, s, i, v))
                );
            }
        }
    }

    /// The labels under the axis, cut to their room (the full text in a tooltip); with many
    /// labels only every k-th is written.
    fn labels(&self, svg: &mut String, labels: &[String]) {
        let slot = self.slot(labels.len());
        let every = (MIN_LABEL_SLOT / slot).ceil().max(1.0) as usize;
        let room = ((slot * every as f64) / CHAR_WIDTH).floor().max(3.0) as usize;
        for (i, label) in labels.iter().enumerate().step_by(every) {
            let x = self.left + slot * (i as f64 + 0.5);
            let (shown, cut) = truncate(label, room);
            let tip = if cut { format!("<title>{}</title>", escape(label)) } else { String::new() };
            let _ = write!(
                svg,
                "<text class=\"label\" x=\"{x:.2}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#333\">{tip}{}</text>",
                self.bottom + 18.0,
                escape(&shown)
            );
        }
    }
}

/// The series' names in a row under the labels, wrapped to the width: (x, row, name) each.
struct Legend {
    items: Vec<(f64, f64, String)>,
    rows: usize,
}

impl Legend {
    const ROOM: usize = 40;

    fn new(chart: &Chart) -> Legend {
        let (mut x, mut row) = (LEFT, 0usize);
        let mut items = Vec::new();
        // One series is named by the chart's title.
        if chart.series.len() < 2 {
            return Legend { items, rows: 0 };
        }
        for s in &chart.series {
            let width = 18.0 + s.name.chars().count().min(Self::ROOM) as f64 * CHAR_WIDTH + 18.0;
            if x + width > WIDTH - RIGHT && x > LEFT {
                x = LEFT;
                row += 1;
            }
            items.push((x, row as f64, s.name.clone()));
            x += width;
        }
        Legend { items, rows: row + 1 }
    }

    fn height(&self) -> f64 {
        self.rows as f64 * LEGEND_ROW
    }

    fn draw(&self, svg: &mut String, top: f64) {
        for (n, (x, row, name)) in self.items.iter().enumerate() {
            let y = top + row * LEGEND_ROW;
            let (shown, cut) = truncate(name, Self::ROOM);
            let tip = if cut { format!("<title>{}</title>", escape(name)) } else { String::new() };
            let _ = write!(
                svg,
                "<g class=\"legend\"><rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#333\">{tip}{}</text></g>",
                y + 2.0,
                PALETTE[n % PALETTE.len()],
                x + 18.0,
                y + 12.0,
                escape(&shown)
            );
        }
    }
}

/// `label` cut to `room` characters with «…», and whether it was cut.
fn truncate(label: &str, room: usize) -> (String, bool) {
    if label.chars().count() <= room {
        return (label.to_owned(), false);
    }
    let mut shown: String = label.chars().take(room.saturating_sub(1)).collect();
    shown = shown.trim_end().to_owned();
    shown.push('…');
    (shown, true)
}

/// «Анталья — Выручка: 1 250 000 ₽»: what a bar or a point stands for, exactly.
fn tooltip(chart: &Chart, series: usize, label: usize, value: f64) -> String {
    let label = chart.labels.get(label).map(String::as_str).unwrap_or_default();
    let value = exact(value, chart.unit);
    match chart.series.get(series).map(|s| s.name.trim()).filter(|n| !n.is_empty()) {
        Some(name) => format!("{label} — {name}: {value}"),
        None => format!("{label}: {value}"),
    }
}

/// A value in full: roubles to the kopeck, counts grouped, shares to a tenth of a percent.
fn exact(value: f64, unit: ChartUnit) -> String {
    match unit {
        ChartUnit::Rubles => {
            let kopecks = (value * 100.0).round() as i64;
            crate::domain::Money::new(kopecks, Currency::RUB).to_string()
        }
        ChartUnit::Count if value.fract() == 0.0 => grouped(value as i64),
        ChartUnit::Count => decimal(value, 1),
        ChartUnit::Share => format!("{}\u{a0}%", percent_number(value, 1)),
    }
}

/// A tick's label, as short as the step allows: «0», «250 тыс. ₽», «1,2 млн ₽», «35 %», «1 200».
fn axis_label(value: f64, step: f64, unit: ChartUnit) -> String {
    if value == 0.0 {
        return "0".to_owned();
    }
    if unit == ChartUnit::Share {
        let decimals = decimals_for(step * 100.0);
        return format!("{}\u{a0}%", decimal(value * 100.0, decimals));
    }
    let abs = value.abs();
    let (scale, word) = if abs >= 1e9 {
        (1e9, Some(text::get("tabular", "billions")))
    } else if abs >= 1e6 {
        (1e6, Some(text::get("tabular", "millions")))
    } else if abs >= 1e4 && unit == ChartUnit::Rubles {
        (1e3, Some(text::get("tabular", "thousands")))
    } else {
        (1.0, None)
    };
    let number = match word {
        Some(_) => decimal(value / scale, decimals_for(step / scale)),
        None if value.fract() == 0.0 => grouped(value as i64),
        None => decimal(value, decimals_for(step)),
    };
    let symbol = if unit == ChartUnit::Rubles { Currency::RUB.symbol() } else { "" };
    [number.as_str(), word.unwrap_or_default(), symbol]
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\u{a0}")
}

/// How many decimals tell ticks `step` apart: none for 1 or more, one for 0.2, two for 0.05.
fn decimals_for(step: f64) -> usize {
    if step >= 1.0 { 0 } else { ((-step.log10()).ceil() as usize).min(3) }
}

/// `1,25` with a decimal comma, trailing zeros dropped.
fn decimal(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    text.replace('.', ",")
}

/// Text safe inside an element and inside a quoted attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0 at all.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(round_step(0.9), 1.0);
        assert_eq!(round_step(1.7), 2.0);
        assert_eq!(round_step(240_000.0), 500_000.0);
        assert_eq!(round_step(0.03), 0.05);
        assert_eq!(round_step(7.0), 10.0);
    }

    #[test]
    fn axis_labels_read_in_russian() {
        assert_eq!(axis_label(1_200_000.0, 200_000.0, ChartUnit::Rubles), "1,2\u{a0}млн\u{a0}₽");
        assert_eq!(axis_label(250_000.0, 50_000.0, ChartUnit::Rubles), "250\u{a0}тыс.\u{a0}₽");
        assert_eq!(axis_label(2_000_000_000.0, 500_000_000.0, ChartUnit::Rubles), "2\u{a0}млрд\u{a0}₽");
        assert_eq!(axis_label(500.0, 100.0, ChartUnit::Rubles), "500\u{a0}₽");
        assert_eq!(axis_label(0.35, 0.05, ChartUnit::Share), "35\u{a0}%");
        assert_eq!(axis_label(0.025, 0.005, ChartUnit::Share), "2,5\u{a0}%");
        assert_eq!(axis_label(1200.0, 200.0, ChartUnit::Count), "1\u{a0}200");
        assert_eq!(axis_label(0.0, 1.0, ChartUnit::Count), "0");
        assert_eq!(axis_label(-400_000.0, 200_000.0, ChartUnit::Rubles), "-400\u{a0}тыс.\u{a0}₽");
    }

    #[test]
    fn the_axis_holds_zero_and_every_value() {
        let a = Axis::new(&[120.0, 870.0], ChartUnit::Rubles);
        assert_eq!((a.low, a.high, a.step), (0.0, 1000.0, 200.0));
        let a = Axis::new(&[-30.0, 40.0], ChartUnit::Count);
        assert!(a.low <= -30.0 && a.high >= 40.0);
        let a = Axis::new(&[0.0], ChartUnit::Count);
        assert_eq!((a.low, a.high), (0.0, 1.0));
    }

    #[test]
    fn labels_are_cut_with_an_ellipsis() {
        assert_eq!(truncate("Анталья", 10), ("Анталья".to_owned(), false));
        assert_eq!(truncate("Объединённые Арабские Эмираты", 10), ("Объединён…".to_owned(), true));
    }

    #[test]
    fn markup_in_a_label_is_text() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>\u{1}"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }
}
