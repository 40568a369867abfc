//! The HTML a document template makes, read back as blocks for the PDF: headings, paragraphs,
//! list items and tables of plain or bold text. Documents are sober text, so this small subset
//! is the whole of what a template may use; a tag outside it is refused when the template is
//! saved (the admin learns it before a client sees a PDF without it), never silently dropped.

use crate::text;

/// A piece of text in one weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
}

/// One row of a table; `header` when its cells are `<th>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    pub cells: Vec<Vec<Run>>,
    pub header: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading {
        level: u8,
        runs: Vec<Run>,
    },
    Paragraph {
        runs: Vec<Run>,
    },
    /// A list item with its marker («•» or «3.»).
    Item {
        marker: String,
        runs: Vec<Run>,
    },
    Table {
        rows: Vec<Row>,
    },
}

/// The tags a document may use. `head`, `title`, `style` and `meta` are read past: the PDF has
/// its own typography.
const BLOCK_TAGS: [&str; 13] = ["h1", "h2", "h3", "p", "div", "section", "li", "ul", "ol", "table", "tr", "td", "th"];
const INLINE_TAGS: [&str; 7] = ["strong", "b", "em", "i", "span", "small", "u"];
const FRAME_TAGS: [&str; 5] = ["html", "body", "thead", "tbody", "tfoot"];
const SKIPPED_TAGS: [&str; 3] = ["head", "title", "style"];
const VOID_TAGS: [&str; 3] = ["br", "meta", "hr"];

/// Why the HTML cannot become a PDF, for the admin.
pub fn unsupported(tag: &str) -> String {
    text::fill("documents", "tag_not_supported", &[("tag", &tag)])
}

/// The blocks of `html`, or the first tag outside the subset.
pub fn parse(html: &str) -> Result<Vec<Block>, String> {
    let mut p = Parser::default();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        p.text(&rest[..open]);
        let after = &rest[open + 1..];
        if let Some(comment) = after.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(close) = after.find('>') else {
            p.text(&rest[open..]);
            rest = "";
            break;
        };
        let tag = &after[..close];
        rest = &after[close + 1..];
        if tag.starts_with('!') {
            continue; // <!DOCTYPE html>
        }
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(t) => (true, t),
            None => (false, tag),
        };
        let name: String = tag.trim_end_matches('/').split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
        p.tag(&name, closing)?;
    }
    p.text(rest);
    p.flush();
    Ok(p.blocks)
}

#[derive(Default)]
struct Parser {
    blocks: Vec<Block>,
    runs: Vec<Run>,
    bold: usize,
    skipping: usize,
    /// The open lists: `None` for `<ul>`, the next number for `<ol>`.
    lists: Vec<Option<u32>>,
    marker: Option<String>,
    heading: Option<u8>,
    table: Option<Vec<Row>>,
    row: Option<Row>,
    in_cell: bool,
}

impl Parser {
    fn text(&mut self, raw: &str) {
        if self.skipping > 0 || raw.is_empty() {
            return;
        }
        let decoded = decode_entities(raw);
        let mut collapsed = String::with_capacity(decoded.len());
        let mut space = false;
        for c in decoded.chars() {
            if c.is_whitespace() && c != '\u{a0}' {
                space = true;
            } else {
                if space && (!collapsed.is_empty() || self.runs.last().is_some_and(|r| !r.text.ends_with(' '))) {
                    collapsed.push(' ');
                }
                space = false;
                collapsed.push(c);
            }
        }
        if space && !collapsed.is_empty() {
            collapsed.push(' ');
        }
        if collapsed.is_empty() {
            if space && self.runs.last().is_some_and(|r| !r.text.ends_with([' ', '\n'])) {
                self.push_run(" ".into());
            }
            return;
        }
        self.push_run(collapsed);
    }

    fn push_run(&mut self, text: String) {
        let bold = self.bold > 0;
        match self.runs.last_mut() {
            Some(last) if last.bold == bold => last.text.push_str(&text),
            _ => self.runs.push(Run { text, bold }),
        }
    }

    fn take_runs(&mut self) -> Vec<Run> {
        let mut runs = std::mem::take(&mut self.runs);
        if let Some(first) = runs.first_mut() {
            first.text = first.text.trim_start_matches(' ').to_owned();
        }
        if let Some(last) = runs.last_mut() {
            last.text = last.text.trim_end_matches(' ').to_owned();
        }
        runs.retain(|r| !r.text.is_empty());
        runs
    }

    /// Ends the text gathered so far as its block (a cell's text waits for the cell's end).
    fn flush(&mut self) {
        if self.in_cell {
            return;
        }
        let runs = self.take_runs();
        if runs.is_empty() {
            return;
        }
        let block = match (self.heading, self.marker.take()) {
            (Some(level), _) => Block::Heading { level, runs },
            (None, Some(marker)) => Block::Item { marker, runs },
            (None, None) => Block::Paragraph { runs },
        };
        self.blocks.push(block);
    }

    fn tag(&mut self, name: &str, closing: bool) -> Result<(), String> {
        if SKIPPED_TAGS.contains(&name) {
            self.skipping = if closing { self.skipping.saturating_sub(1) } else { self.skipping + 1 };
            return Ok(());
        }
        if self.skipping > 0 || FRAME_TAGS.contains(&name) {
            return Ok(());
        }
        if VOID_TAGS.contains(&name) {
            if name == "br" {
                self.push_run("\n".into());
            }
            return Ok(());
        }
        if INLINE_TAGS.contains(&name) {
            if matches!(name, "strong" | "b") {
                self.bold = if closing { self.bold.saturating_sub(1) } else { self.bold + 1 };
            }
            return Ok(());
        }
        if !BLOCK_TAGS.contains(&name) {
            return Err(unsupported(name));
        }
        match (name, closing) {
            ("td" | "th", false) => {
                self.flush();
                self.in_cell = true;
                if name == "th" {
                    self.row.get_or_insert_with(Row::default).header = true;
                }
            }
            ("td" | "th", true) => {
                self.in_cell = false;
                let runs = self.take_runs();
                self.row.get_or_insert_with(Row::default).cells.push(runs);
            }
            ("tr", false) => {
                self.flush();
                self.row = Some(Row::default());
            }
            ("tr", true) => {
                if let Some(row) = self.row.take().filter(|r| !r.cells.is_empty()) {
                    self.table.get_or_insert_with(Vec::new).push(row);
                }
            }
            ("table", false) => {
                self.flush();
                self.table = Some(Vec::new());
            }
            ("table", true) => {
                if let Some(row) = self.row.take().filter(|r| !r.cells.is_empty()) {
                    self.table.get_or_insert_with(Vec::new).push(row);
                }
                if let Some(rows) = self.table.take().filter(|t| !t.is_empty()) {
                    self.blocks.push(Block::Table { rows });
                }
            }
            _ if self.in_cell => {} // a paragraph inside a cell is the cell's text
            ("ul", false) => {
                self.flush();
                self.lists.push(None);
            }
            ("ol", false) => {
                self.flush();
                self.lists.push(Some(1));
            }
            ("ul" | "ol", true) => {
                self.flush();
                self.lists.pop();
            }
            ("li", false) => {
                self.flush();
                self.marker = Some(match self.lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{}.", *n - 1)
                    }
                    _ => "•".to_owned(),
                });
            }
            ("h1" | "h2" | "h3", false) => {
                self.flush();
                self.heading = name[1..].parse().ok();
            }
            ("h1" | "h2" | "h3", true) => {
                self.flush();
                self.heading = None;
            }
            _ => self.flush(),
        }
        Ok(())
    }
}

/// The entities minijinja's escaping writes, and the few a template author types.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| entity(&after[..e]));
        match (end, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "laquo" => '«',
        "raquo" => '»',
        "mdash" => '—',
        "ndash" => '–',
        "numero" => '№',
        _ => {
            let code = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => name.strip_prefix('#')?.parse().ok()?,
            };
            char::from_u32(code)?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Vec<Run> {
        vec![Run { text: text.into(), bold: false }]
    }

    #[test]
    fn blocks_of_a_document() {
        let html = "<!DOCTYPE html><html><head><title>Т</title><style>p{}</style></head><body>\
            <h1>ДОГОВОР № 7</h1>\n<p>Турагент  <strong>ООО «Ромашка»</strong>,\n и клиент</p>\
            <ol><li>первое</li><li>второе</li></ol>\
            <table><thead><tr><th>Дата</th><th>Сумма</th></tr></thead>\
            <tbody><tr><td>01.06.2027</td><td>10&nbsp;000,00 &#x2F; &amp;</td></tr></tbody></table></body></html>";
        let blocks = parse(html).unwrap();
        assert_eq!(blocks[0], Block::Heading { level: 1, runs: plain("ДОГОВОР № 7") });
        assert_eq!(
            blocks[1],
            Block::Paragraph {
                runs: vec![
                    Run { text: "Турагент ".into(), bold: false },
                    Run { text: "ООО «Ромашка»".into(), bold: true },
                    Run { text: ", и клиент".into(), bold: false },
                ]
            }
        );
        assert_eq!(blocks[2], Block::Item { marker: "1.".into(), runs: plain("первое") });
        assert_eq!(blocks[3], Block::Item { marker: "2.".into(), runs: plain("второе") });
        let Block::Table { rows } = &blocks[4] else { panic!("{blocks:?}") };
        assert!(rows[0].header && !rows[1].header);
        assert_eq!(rows[1].cells[1], plain("10\u{a0}000,00 / &"));
    }

    #[test]
    fn tags_outside_the_subset_are_named() {
        let e = parse("<p>x</p><img src=\"a.png\">").unwrap_err();
        assert!(e.contains("«img»"), "{e}");
        assert!(parse("<script>alert(1)</script>").unwrap_err().contains("«script»"));
    }
}
