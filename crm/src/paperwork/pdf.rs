//! Blocks of a document (see `html`) laid out on A4 pages and written as a PDF: DejaVu Serif
//! (shipped in `assets/fonts/`, Bitstream Vera licence) embedded as a subset, with a ToUnicode
//! map so the text can be copied and read back (`pdftotext`). The same blocks give the same
//! bytes: no dates, no random ids, so a document's hash tells whether it changed.
//!
//! Layout is deliberately plain — left-aligned paragraphs, bold runs, numbered or bulleted
//! items, bordered tables whose rows never split across pages, and page numbers — which is what
//! a contract needs and what can be checked.

use super::html::{Block, Row, Run};
use crate::text;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::BTreeMap;
use subsetter::GlyphRemapper;

const REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSerif.ttf");
const BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSerif-Bold.ttf");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN_X: f32 = 56.0;
const MARGIN_TOP: f32 = 50.0;
const MARGIN_BOTTOM: f32 = 56.0;
const BODY: f32 = 9.5;
const TABLE: f32 = 8.5;
const CELL_PAD: f32 = 3.0;
const LEADING: f32 = 1.3;

/// Why a PDF could not be made (a font that does not parse or subset: a build problem).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfError(pub String);

struct Font {
    face: ttf_parser::Face<'static>,
    data: &'static [u8],
    base: &'static [u8],
    upem: f32,
}

impl Font {
    fn load(data: &'static [u8], base: &'static [u8]) -> Result<Font, PdfError> {
        let face = ttf_parser::Face::parse(data, 0).map_err(|e| PdfError(format!("font: {e}")))?;
        let upem = f32::from(face.units_per_em());
        Ok(Font { face, data, base, upem })
    }

    fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).map_or(0, |g| g.0)
    }

    fn advance(&self, gid: u16) -> f32 {
        f32::from(self.face.glyph_hor_advance(ttf_parser::GlyphId(gid)).unwrap_or(0)) / self.upem * 1000.0
    }

    fn width(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.advance(self.glyph(c))).sum::<f32>() * size / 1000.0
    }
}

/// A piece of text placed on a page.
enum Item {
    Text { x: f32, y: f32, bold: bool, size: f32, text: String },
    Line { x1: f32, y1: f32, x2: f32, y2: f32 },
}

struct Layout {
    fonts: [Font; 2],
    pages: Vec<Vec<Item>>,
    /// The baseline position from the top of the current page.
    y: f32,
}

/// A word of a paragraph with its weight; `space` when a space precedes it.
struct Word {
    text: String,
    bold: bool,
    space: bool,
    /// How many `<br>` come before it.
    breaks: u8,
}

impl Layout {
    fn font(&self, bold: bool) -> &Font {
        &self.fonts[usize::from(bold)]
    }

    fn page(&mut self) -> &mut Vec<Item> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
    }

    /// Makes room for `height` more points, starting a page when they do not fit.
    fn reserve(&mut self, height: f32) {
        if self.y + height > PAGE_H - MARGIN_BOTTOM && self.y > MARGIN_TOP {
            self.new_page();
        }
    }

    fn words(runs: &[Run]) -> Vec<Word> {
        let mut words = Vec::new();
        let mut space = false;
        let mut breaks = 0u8;
        for run in runs {
            let mut current = String::new();
            for c in run.text.chars() {
                if c == ' ' || c == '\n' {
                    if !current.is_empty() {
                        words.push(Word { text: std::mem::take(&mut current), bold: run.bold, space, breaks });
                        breaks = 0;
                    }
                    space = true;
                    if c == '\n' {
                        breaks = breaks.saturating_add(1);
                    }
                } else {
                    current.push(c);
                }
            }
            if !current.is_empty() {
                words.push(Word { text: current, bold: run.bold, space, breaks });
                space = false;
                breaks = 0;
            }
        }
        words
    }

    /// The lines of `runs` within `width`: each a list of (x offset, bold, text).
    fn wrap(&self, runs: &[Run], width: f32, size: f32) -> Vec<Vec<(f32, bool, String)>> {
        let mut lines: Vec<Vec<(f32, bool, String)>> = vec![Vec::new()];
        let mut x = 0.0;
        for word in Self::words(runs) {
            let font = self.font(word.bold);
            let space = if word.space && x > 0.0 { font.width(" ", size) } else { 0.0 };
            let w = font.width(&word.text, size);
            if word.breaks > 0 || (x > 0.0 && x + space + w > width) {
                // Each further `<br>` leaves an empty line (an empty piece keeps it).
                for _ in 1..word.breaks {
                    lines.push(vec![(0.0, false, String::new())]);
                }
                lines.push(Vec::new());
                x = 0.0;
            }
            let space = if x > 0.0 { space } else { 0.0 };
            // A word longer than the line is cut where it overflows.
            let mut pieces = vec![word.text.clone()];
            if w > width {
                pieces.clear();
                let mut piece = String::new();
                for c in word.text.chars() {
                    if !piece.is_empty() && font.width(&format!("{piece}{c}"), size) > width {
                        pieces.push(std::mem::take(&mut piece));
                    }
                    piece.push(c);
                }
                pieces.push(piece);
            }
            let count = pieces.len();
            for (i, piece) in pieces.into_iter().enumerate() {
                let pw = font.width(&piece, size);
                let line = lines.last_mut().expect("there is always a line");
                line.push((x + if i == 0 { space } else { 0.0 }, word.bold, piece));
                x += pw + if i == 0 { space } else { 0.0 };
                if i + 1 < count {
                    lines.push(Vec::new());
                    x = 0.0;
                }
            }
        }
        lines.retain(|l| !l.is_empty());
        lines
    }

    /// Places the lines of `runs`; returns where the first one went (page, baseline).
    fn text_block(
        &mut self,
        runs: &[Run],
        size: f32,
        indent: f32,
        centered: bool,
        before: f32,
        after: f32,
    ) -> Option<(usize, f32)> {
        let width = PAGE_W - 2.0 * MARGIN_X - indent;
        let lines = self.wrap(runs, width, size);
        let line_h = size * LEADING;
        self.y += before;
        // A heading keeps at least two lines of what follows on its page.
        let keep = if centered || before > 4.0 { line_h * 3.0 } else { line_h };
        self.reserve(keep);
        let mut first = None;
        for line in lines {
            self.reserve(line_h);
            self.y += line_h;
            let line_w = line.last().map_or(0.0, |(x, bold, t)| x + self.font(*bold).width(t, size));
            let shift = if centered { (width - line_w) / 2.0 } else { 0.0 };
            let y = PAGE_H - self.y;
            first.get_or_insert((self.pages.len() - 1, y));
            let items: Vec<Item> = line
                .into_iter()
                .map(|(x, bold, text)| Item::Text { x: MARGIN_X + indent + shift + x, y, bold, size, text })
                .collect();
            self.page().extend(items);
        }
        self.y += after;
        first
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading { level: 1, runs } => {
                self.text_block(&bolded(runs), BODY + 3.5, 0.0, true, 6.0, 6.0);
            }
            Block::Heading { level: 2, runs } => {
                self.text_block(&bolded(runs), BODY + 1.0, 0.0, false, 8.0, 3.0);
            }
            Block::Heading { runs, .. } => {
                self.text_block(&bolded(runs), BODY, 0.0, false, 6.0, 2.0);
            }
            Block::Paragraph { runs } => {
                self.text_block(runs, BODY, 0.0, false, 0.0, 3.5);
            }
            Block::Item { marker, runs } => {
                // The marker goes on the item's first line, which may have moved to a new page.
                if let Some((page, y)) = self.text_block(runs, BODY, 16.0, false, 0.0, 2.0) {
                    let item = Item::Text { x: MARGIN_X + 2.0, y, bold: false, size: BODY, text: marker.clone() };
                    self.pages[page].push(item);
                }
            }
            Block::Table { rows } => self.table(rows),
        }
    }

    /// The height of the start of a block that must not be parted from a heading before it:
    /// two lines of text, or a table's first two rows.
    fn lead_height(&self, block: &Block) -> f32 {
        match block {
            Block::Table { rows } => {
                let columns = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
                let widths = self.column_widths(rows, columns, PAGE_W - 2.0 * MARGIN_X);
                rows.iter().take(2).map(|r| self.row_height(r, &widths)).sum::<f32>() + 3.0
            }
            _ => 2.0 * BODY * LEADING,
        }
    }

    fn row_cells(&self, row: &Row, widths: &[f32]) -> Vec<Vec<Vec<(f32, bool, String)>>> {
        (0..widths.len())
            .map(|c| {
                let runs = row.cells.get(c).map(|r| if row.header { bolded(r) } else { r.clone() }).unwrap_or_default();
                self.wrap(&runs, widths[c] - 2.0 * CELL_PAD, TABLE)
            })
            .collect()
    }

    fn row_height(&self, row: &Row, widths: &[f32]) -> f32 {
        let lines = self.row_cells(row, widths).iter().map(Vec::len).max().unwrap_or(1).max(1);
        lines as f32 * TABLE * LEADING + 2.0 * CELL_PAD
    }

    fn table(&mut self, rows: &[Row]) {
        let columns = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
        if columns == 0 {
            return;
        }
        let widths = self.column_widths(rows, columns, PAGE_W - 2.0 * MARGIN_X);
        self.y += 3.0;
        let header = rows.first().filter(|r| r.header);
        // The header row never ends a page alone.
        if let (Some(h), Some(first)) = (header, rows.get(1)) {
            self.reserve(self.row_height(h, &widths) + self.row_height(first, &widths));
        }
        for (n, row) in rows.iter().enumerate() {
            let page = self.pages.len();
            self.reserve(self.row_height(row, &widths));
            // A table continued on a new page repeats its header row.
            if let Some(h) = header.filter(|_| n > 0 && self.pages.len() != page) {
                self.row(h, &widths);
            }
            self.row(row, &widths);
        }
        self.y += 6.0;
    }

    fn row(&mut self, row: &Row, widths: &[f32]) {
        let line_h = TABLE * LEADING;
        let avail: f32 = widths.iter().sum();
        let height = self.row_height(row, widths);
        let top = PAGE_H - self.y;
        let bottom = top - height;
        let mut x = MARGIN_X;
        let mut items = vec![
            Item::Line { x1: MARGIN_X, y1: top, x2: MARGIN_X + avail, y2: top },
            Item::Line { x1: MARGIN_X, y1: bottom, x2: MARGIN_X + avail, y2: bottom },
            Item::Line { x1: MARGIN_X, y1: top, x2: MARGIN_X, y2: bottom },
        ];
        for (c, lines) in self.row_cells(row, widths).into_iter().enumerate() {
            for (n, line) in lines.into_iter().enumerate() {
                let y = top - CELL_PAD - (n as f32 + 1.0) * line_h + 1.5;
                for (dx, bold, text) in line {
                    items.push(Item::Text { x: x + CELL_PAD + dx, y, bold, size: TABLE, text });
                }
            }
            x += widths[c];
            items.push(Item::Line { x1: x, y1: top, x2: x, y2: bottom });
        }
        self.page().extend(items);
        self.y += height;
    }

    /// Each column as wide as its content asks, within the page: at least its longest word,
    /// the rest shared by how much more each would like.
    fn column_widths(&self, rows: &[Row], columns: usize, avail: f32) -> Vec<f32> {
        let pad = 2.0 * CELL_PAD;
        let mut min = vec![pad + 10.0; columns];
        let mut want = vec![pad + 10.0; columns];
        for row in rows {
            for (c, runs) in row.cells.iter().enumerate() {
                let bold = row.header;
                for w in Self::words(runs) {
                    min[c] = min[c].max(self.font(bold || w.bold).width(&w.text, TABLE) + pad);
                }
                let full: f32 = runs.iter().map(|r| self.font(bold || r.bold).width(&r.text, TABLE)).sum();
                want[c] = want[c].max(full + pad);
            }
        }
        let min_sum: f32 = min.iter().sum();
        let want_sum: f32 = want.iter().sum();
        if want_sum <= avail {
            return want.iter().map(|w| w * avail / want_sum).collect();
        }
        if min_sum >= avail {
            return min.iter().map(|m| m * avail / min_sum).collect();
        }
        let extra = avail - min_sum;
        let wish: f32 = want.iter().zip(&min).map(|(w, m)| w - m).sum();
        min.iter().zip(&want).map(|(m, w)| m + extra * (w - m) / wish).collect()
    }
}

fn bolded(runs: &[Run]) -> Vec<Run> {
    runs.iter().map(|r| Run { text: r.text.clone(), bold: true }).collect()
}

/// The PDF of `blocks`, titled `title` in its metadata.
pub fn write(title: &str, blocks: &[Block]) -> Result<Vec<u8>, PdfError> {
    let fonts = [Font::load(REGULAR, b"TCRMAA+DejaVuSerif")?, Font::load(BOLD, b"TCRMAB+DejaVuSerif-Bold")?];
    let mut layout = Layout { fonts, pages: Vec::new(), y: MARGIN_TOP };
    layout.new_page();
    for (n, block) in blocks.iter().enumerate() {
        // A heading stays with the start of what it heads.
        if let (Block::Heading { runs, .. }, Some(next)) = (block, blocks.get(n + 1)) {
            let heading = layout.wrap(runs, PAGE_W - 2.0 * MARGIN_X, BODY + 1.0).len() as f32 * (BODY + 1.0) * LEADING;
            layout.reserve(heading + 10.0 + layout.lead_height(next));
        }
        layout.block(block);
    }
    let total = layout.pages.len();
    for (n, page) in layout.pages.iter_mut().enumerate() {
        let label = text::fill("documents", "page_number", &[("page", &(n + 1)), ("pages", &total)]);
        let w = layout.fonts[0].width(&label, 8.0);
        page.push(Item::Text { x: (PAGE_W - w) / 2.0, y: MARGIN_BOTTOM / 2.0, bold: false, size: 8.0, text: label });
    }
    encode(title, &layout)
}

fn encode(title: &str, layout: &Layout) -> Result<Vec<u8>, PdfError> {
    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let font_refs: Vec<[Ref; 5]> = (0..2).map(|_| [alloc(), alloc(), alloc(), alloc(), alloc()]).collect();
    let mut remappers = [GlyphRemapper::new(), GlyphRemapper::new()];
    // The characters behind each new glyph id, for the ToUnicode maps.
    let mut chars: [BTreeMap<u16, char>; 2] = [BTreeMap::new(), BTreeMap::new()];
    let mut page_refs = Vec::new();
    for items in &layout.pages {
        let page_id = alloc();
        let content_id = alloc();
        page_refs.push(page_id);
        let mut content = Content::new();
        for item in items {
            match item {
                Item::Line { x1, y1, x2, y2 } => {
                    content.set_line_width(0.5).move_to(*x1, *y1).line_to(*x2, *y2).stroke();
                }
                Item::Text { text, .. } if text.is_empty() => {}
                Item::Text { x, y, bold, size, text } => {
                    let f = usize::from(*bold);
                    let mut encoded = Vec::with_capacity(text.len() * 2);
                    for c in text.chars() {
                        let gid = remappers[f].remap(layout.fonts[f].glyph(c));
                        chars[f].entry(gid).or_insert(c);
                        encoded.extend_from_slice(&gid.to_be_bytes());
                    }
                    let name = if *bold { Name(b"F2") } else { Name(b"F1") };
                    content.begin_text().set_font(name, *size).next_line(*x, *y).show(Str(&encoded)).end_text();
                }
            }
        }
        let data = content.finish();
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&data, 6);
        pdf.stream(content_id, &packed).filter(Filter::FlateDecode);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H)).parent(tree).contents(content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"F1"), font_refs[0][0]);
        fonts.pair(Name(b"F2"), font_refs[1][0]);
    }
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_refs.iter().copied()).count(page_refs.len() as i32);
    pdf.document_info(info).title(TextStr(title)).producer(TextStr("tourcrm"));
    for (f, font) in layout.fonts.iter().enumerate() {
        embed(&mut pdf, font, font_refs[f], &remappers[f], &chars[f])?;
    }
    Ok(pdf.finish())
}

/// A Type 0 font over the subset: glyph ids of the subset are the CIDs (Identity), widths from
/// the original font, and the ToUnicode map that makes the text extractable.
fn embed(
    pdf: &mut Pdf,
    font: &Font,
    [type0, cid, descriptor, file, cmap]: [Ref; 5],
    remapper: &GlyphRemapper,
    chars: &BTreeMap<u16, char>,
) -> Result<(), PdfError> {
    let subset = subsetter::subset(font.data, 0, remapper).map_err(|e| PdfError(format!("subset: {e:?}")))?;
    let info = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
    pdf.type0_font(type0)
        .base_font(Name(font.base))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);
    let widths: Vec<f32> = remapper.remapped_gids().map(|old| font.advance(old)).collect();
    let mut cid_font = pdf.cid_font(cid);
    cid_font
        .subtype(CidFontType::Type2)
        .base_font(Name(font.base))
        .system_info(info)
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    cid_font.widths().consecutive(0, widths);
    cid_font.finish();
    let scale = |v: i16| f32::from(v) / font.upem * 1000.0;
    let bbox = font.face.global_bounding_box();
    pdf.font_descriptor(descriptor)
        .name(Name(font.base))
        .flags(FontFlags::SERIF | FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(scale(bbox.x_min), scale(bbox.y_min), scale(bbox.x_max), scale(bbox.y_max)))
        .italic_angle(0.0)
        .ascent(scale(font.face.ascender()))
        .descent(scale(font.face.descender()))
        .cap_height(scale(font.face.capital_height().unwrap_or(font.face.ascender())))
        .stem_v(80.0)
        .font_file2(file);
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&subset, 6);
    pdf.stream(file, &packed).filter(Filter::FlateDecode).pair(Name(b"Length1"), subset.len() as i32);
    let mut map = UnicodeCmap::new(Name(b"Custom"), info);
    for (gid, c) in chars {
        map.pair(*gid, *c);
    }
    pdf.cmap(cmap, &map.finish());
    Ok(())
}
