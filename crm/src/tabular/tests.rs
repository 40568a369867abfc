//! The exports read back: XLSX through LibreOffice (as a person would open it), SVG as XML.

use super::*;
use crate::domain::Currency;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn sample() -> Table {
    let mut t = Table::new(
        "Выручка по туроператорам",
        vec![
            Column::new("Туроператор", ColumnKind::Text),
            Column::new("Дата", ColumnKind::Date),
            Column::new("Оплачено", ColumnKind::DateTime),
            Column::new("Брони", ColumnKind::Count),
            Column::new("Выручка", ColumnKind::Money),
            Column::new("Конверсия", ColumnKind::Percent),
        ],
    );
    let day = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
    let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 5, 11, 30, 0).unwrap();
    t.rows.push(vec![
        Cell::Text("«Пегас Туристик»".into()),
        Cell::Date(day),
        Cell::DateTime(at),
        Cell::Count(12),
        Cell::Money(Money::new(42_500_000, Currency::RUB)),
        Cell::Percent(Some(0.125)),
    ]);
    t.rows.push(vec![
        Cell::Text("=1+1".into()),
        Cell::Empty,
        Cell::Empty,
        Cell::Count(1),
        Cell::Money(Money::new(-150_050, Currency::RUB)),
        Cell::Percent(None),
    ]);
    t.totals = Some(vec![
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Count(13),
        Cell::Money(Money::new(42_349_950, Currency::RUB)),
        Cell::Empty,
    ]);
    t
}

/// The XLSX converted to CSV by LibreOffice (`libreoffice-calc-nogui`), the values as they are
/// (`shown` false) or as its cells show them; `None` where it is not installed, except under
/// CI, which must have it (`.ci/run` installs it).
fn libreoffice_csv(xlsx: &[u8], shown: bool) -> Option<Vec<Vec<String>>> {
    libreoffice("export.xlsx", xlsx, None, shown)
}

/// `input` (named `name`) opened by LibreOffice, with `import` as its filter options when
/// given, and saved as comma-separated UTF-8.
fn libreoffice(name: &str, input: &[u8], import: Option<&str>, shown: bool) -> Option<Vec<Vec<String>>> {
    let Some(program) = ["soffice", "libreoffice"].into_iter().find(|p| on_path(p)) else {
        assert!(std::env::var_os("CI").is_none(), "CI must have LibreOffice (libreoffice-calc-nogui)");
        eprintln!("LibreOffice is not installed: {name} is not read back (apt-get install libreoffice-calc-nogui)");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, input).unwrap();
    // Comma-separated, quoted with ", UTF-8 (76), from the first line; token 9 is "save cell
    // contents as shown".
    let filter = format!("csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,{shown},false,false");
    let out = dir.path().join("out");
    // LibreOffice's first start on a fresh machine has aborted (SIGABRT, exit 134) now and then
    // while it set up its profile, and converted the same file when run again: one more try,
    // with a new profile, for a run that died of a signal; a conversion that fails twice, or
    // fails with an error of its own, fails the test.
    for attempt in 1..=2 {
        // A profile of its own: two conversions at once must not share one, and none is left in $HOME.
        let profile =
            format!("-env:UserInstallation=file://{}", dir.path().join(format!("profile{attempt}")).display());
        let mut command = Command::new(program);
        command.arg(profile).args(["--headless", "--norestore"]);
        if let Some(import) = import {
            command.arg(format!("--infilter=Text - txt - csv (StarCalc):{import}"));
        }
        let mut child = command
            .args(["--convert-to", &filter, "--outdir"])
            .arg(&out)
            .arg(&file)
            // Its own locale decides the separators of what it shows: pinned, so the test reads the same everywhere.
            .env("LC_ALL", "C.UTF-8")
            .env("LANG", "C.UTF-8")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(180);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("LibreOffice did not convert {name} within 180 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let died = std::os::unix::process::ExitStatusExt::signal(&status).is_some() || status.code() == Some(134);
        if status.success() || !died || attempt == 2 {
            assert!(status.success(), "LibreOffice failed to convert {name}: {status}");
            break;
        }
        eprintln!("LibreOffice died converting {name} ({status}); once more with a new profile");
    }
    let stem = Path::new(name).file_stem().unwrap();
    let csv = std::fs::read(out.join(stem).with_extension("csv")).expect("LibreOffice wrote the CSV");
    let mut reader = ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(csv.as_slice());
    Some(reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect())
}

fn on_path(program: &str) -> bool {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|dir| Path::new(&dir).join(program).is_file())
}

#[test]
fn the_xlsx_reads_back_in_libreoffice_with_its_figures_and_cyrillic() {
    let xlsx = to_xlsx(&sample()).unwrap();
    let Some(values) = libreoffice_csv(&xlsx, false) else { return };
    // The values themselves: money and counts are numbers, the formula-like text stays text.
    assert_eq!(values[0], ["Туроператор", "Дата", "Оплачено", "Брони", "Выручка", "Конверсия"]);
    assert_eq!(values[1][0], "«Пегас Туристик»");
    assert_eq!(values[1][3], "12");
    assert_eq!(values[1][4].parse::<f64>().unwrap(), 425_000.00);
    assert_eq!(values[2][0], "=1+1", "a text that looks like a formula is never evaluated");
    assert_eq!(values[2][4].parse::<f64>().unwrap(), -1_500.50);
    assert_eq!(values[2][5], "", "an undefined share is an empty cell, not 0");
    assert_eq!(values[3][..5], ["Итого", "", "", "13", "423499.5"]);
    // As its cells show them: dates as dates in dd.mm.yyyy, the moment on the agency's clock
    // (11:30 UTC is 14:30 in Moscow), money with two decimals and its sign, a percent.
    let Some(shown) = libreoffice_csv(&xlsx, true) else { return };
    assert_eq!(shown[1], ["«Пегас Туристик»", "05.12.2026", "05.12.2026 14:30", "12", "425,000.00 ₽", "12.5%"]);
    assert_eq!(shown[2][4], "-1,500.50 ₽");
    assert_eq!(shown[3][4], "423,499.50 ₽");
}

#[test]
fn the_csv_opens_in_a_russian_spreadsheet_as_numbers_and_dates() {
    // `;`-separated UTF-8 read with the Russian locale (1049), as a Russian Excel or LibreOffice
    // opens it, then saved with the values as they are: numbers and dates, not texts.
    let Some(values) = libreoffice("export.csv", &to_csv(&sample()), Some("59,34,76,1,,1049"), false) else { return };
    assert_eq!(values[0], ["Туроператор", "Дата", "Оплачено", "Брони", "Выручка", "Конверсия"]);
    assert_eq!(values[1][0], "«Пегас Туристик»");
    // A date and a moment read as such are written back in the export's (US) form.
    assert_eq!(values[1][1], "12/05/2026");
    assert_eq!(values[1][2], "12/05/2026 14:30:00");
    assert_eq!(values[1][3], "12");
    assert_eq!(values[1][4], "425000");
    assert_eq!(values[1][5], "12.5%");
    assert_eq!(values[2][0], "'=1+1", "the defused formula stays text");
    assert_eq!(values[2][4], "-1500.5");
    assert_eq!(values[3][..5], ["Итого", "", "", "13", "423499.5"]);
}

#[test]
fn an_xlsx_longer_than_a_sheet_is_refused_with_a_reason() {
    let rows = vec![vec![Cell::Count(1)]; 1_048_576];
    let huge = Table { title: "x".into(), columns: vec![Column::new("n", ColumnKind::Count)], rows, totals: None };
    let refused = to_xlsx(&huge).unwrap_err();
    assert!(matches!(refused, ExportError::TooManyRows { rows: 1_048_577 }));
    assert!(refused.message_ru().is_some_and(|m| m.contains("CSV")));
}

fn bars(labels: &[&str], series: &[(&str, &[Option<f64>])]) -> Chart {
    Chart {
        title: "Выручка по направлениям".into(),
        kind: ChartKind::Bars,
        unit: ChartUnit::Rubles,
        labels: labels.iter().map(|l| l.to_string()).collect(),
        series: series.iter().map(|(n, v)| Series { name: n.to_string(), values: v.to_vec() }).collect(),
    }
}

/// Every element named `name` of the chart, which must be well-formed XML.
fn elements<'a>(doc: &'a roxmltree::Document<'a>, name: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants().filter(|n| n.tag_name().name() == name).collect()
}

fn number(node: &roxmltree::Node<'_, '_>, attr: &str) -> f64 {
    node.attribute(attr).unwrap().parse().unwrap()
}

#[test]
fn bars_are_as_high_as_their_values() {
    let chart = bars(
        &["Анталья", "Дубай", "Сочи"],
        &[
            ("2025", &[Some(400_000.0), Some(1_200_000.0), None]),
            ("2026", &[Some(800_000.0), Some(100_000.0), Some(600_000.0)]),
        ],
    );
    let svg = chart_svg(&chart);
    let doc = roxmltree::Document::parse(&svg).expect("the chart is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    assert_eq!(doc.root_element().attribute("width"), Some("800"));
    let bars: Vec<_> = elements(&doc, "rect").into_iter().filter(|r| r.attribute("class") == Some("bar")).collect();
    assert_eq!(bars.len(), 5, "a missing value draws no bar");
    let heights: Vec<f64> = bars.iter().map(|b| number(b, "height")).collect();
    let values = [400_000.0, 1_200_000.0, 800_000.0, 100_000.0, 600_000.0];
    for (h, v) in heights.iter().zip(values) {
        assert!(
            (h / heights[0] - v / values[0]).abs() < 0.01,
            "heights {heights:?} are not proportional to {values:?}"
        );
    }
    // Bars stand on one baseline (zero), each with its exact value in a tooltip.
    let bottoms: Vec<f64> = bars.iter().map(|b| number(b, "y") + number(b, "height")).collect();
    assert!(bottoms.iter().all(|b| (b - bottoms[0]).abs() < 0.02), "{bottoms:?}");
    let tips: Vec<&str> = bars.iter().map(|b| b.first_element_child().unwrap().text().unwrap()).collect();
    assert_eq!(tips[1], "Дубай — 2025: 1\u{a0}200\u{a0}000\u{a0}₽");
    // The axis reads in Russian, with round ticks; the legend names both series.
    let texts: Vec<String> = doc.descendants().filter(|n| n.is_text()).map(|n| n.text().unwrap().to_owned()).collect();
    assert!(texts.contains(&"1,2\u{a0}млн\u{a0}₽".to_owned()), "{texts:?}");
    assert!(texts.contains(&"400\u{a0}тыс.\u{a0}₽".to_owned()), "{texts:?}");
    assert!(texts.contains(&"2025".to_owned()) && texts.contains(&"2026".to_owned()));
}

#[test]
fn labels_typed_by_staff_stay_text() {
    let evil = "<script>alert(1)</script>\"onload=\"x";
    let long = "Объединённые Арабские Эмираты, Рас-эль-Хайма и ещё много слов";
    let chart = bars(
        &[evil, long],
        &[("</svg><img src=x onerror=alert(1)>", &[Some(1.0), Some(2.0)]), ("b", &[Some(3.0), None])],
    );
    let svg = chart_svg(&chart);
    let doc = roxmltree::Document::parse(&svg).expect("the chart is well-formed XML");
    assert!(elements(&doc, "script").is_empty() && elements(&doc, "img").is_empty());
    assert!(doc.descendants().all(|n| n.attribute("onload").is_none() && n.attribute("onerror").is_none()));
    let texts: Vec<&str> = doc.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
    assert!(texts.iter().any(|t| t.starts_with("<script>")), "the label is shown as the text it is");
    // A long label is cut with «…» and its full text is the tooltip.
    let cut = elements(&doc, "text")
        .into_iter()
        .filter(|t| t.attribute("class") == Some("label"))
        .find(|t| t.descendants().any(|d| d.tag_name().name() == "title" && d.text() == Some(long)))
        .expect("the long label has its full text as a tooltip");
    let shown: String = cut.children().filter(|c| c.is_text()).filter_map(|c| c.text()).collect();
    assert!(shown.ends_with('…') && shown.chars().count() < long.chars().count(), "{shown}");
}

#[test]
fn lines_break_where_a_value_is_missing_and_shares_read_as_percent() {
    let chart = Chart {
        title: "Конверсия по месяцам".into(),
        kind: ChartKind::Lines,
        unit: ChartUnit::Share,
        labels: ["09.2026", "10.2026", "11.2026", "12.2026"].map(String::from).to_vec(),
        series: vec![Series {
            name: "Реакция → бронь".into(), values: vec![Some(0.1), Some(0.35), None, Some(0.2)]
        }],
    };
    let svg = chart_svg(&chart);
    let doc = roxmltree::Document::parse(&svg).expect("the chart is well-formed XML");
    let path = elements(&doc, "path").into_iter().find(|p| p.attribute("class") == Some("line")).unwrap();
    assert_eq!(path.attribute("d").unwrap().matches('M').count(), 2, "the gap starts a new segment");
    assert_eq!(elements(&doc, "circle").len(), 3);
    let texts: Vec<&str> = doc.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
    assert!(texts.contains(&"35\u{a0}%") || texts.contains(&"40\u{a0}%"), "{texts:?}");
    assert!(texts.contains(&"10.2026 — Реакция → бронь: 35\u{a0}%"), "{texts:?}");
}

#[test]
fn a_chart_without_values_says_so() {
    for chart in [bars(&[], &[]), bars(&["Анталья"], &[("x", &[None])]), bars(&["Сочи"], &[("x", &[Some(f64::NAN)])])]
    {
        let svg = chart_svg(&chart);
        let doc = roxmltree::Document::parse(&svg).expect("the chart is well-formed XML");
        assert!(elements(&doc, "rect").is_empty());
        assert!(doc.descendants().any(|n| n.text() == Some("нет данных")), "{svg}");
    }
}
