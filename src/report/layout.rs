//! A small layout engine for A4 documents: a cursor that flows text and boxes down the
//! page, wraps lines by measured width, breaks pages, and records what to draw. Nothing is
//! written to PDF here; [`Layout::finish`] turns the recorded items into printpdf pages
//! once every page is known, so the footer can say "第 n 页 共 m 页" and the font can be
//! subset to exactly the characters used.

use std::collections::BTreeSet;

use printpdf::{
    Color, FontId, Line, LineCapStyle, LineJoinStyle, LinePoint, Mm, Op, PaintMode, PdfDocument,
    PdfFontHandle, PdfPage, Point, Pt, Rect, Rgb, TextItem, WindingOrder,
};

use super::error::ReportError;
use super::font::Metrics;

/// A4 in points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
/// A4 in points.
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
/// Left and right margin.
pub(crate) const MARGIN_X: f32 = 50.0;
/// Top margin.
const MARGIN_TOP: f32 = 50.0;
/// Bottom margin, above which the footer sits.
const MARGIN_BOTTOM: f32 = 56.0;

/// A line or column count as `f32` (counts in a document are far below 2^24, so this is
/// exact).
pub(crate) fn count(n: usize) -> f32 {
    u16::try_from(n).map_or(f32::from(u16::MAX), f32::from)
}

/// Colours used in documents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Ink {
    Black,
    Grey,
    Light,
    Accent,
    Signature,
}

impl Ink {
    fn color(self) -> Color {
        let (r, g, b) = match self {
            Self::Black => (0.0, 0.0, 0.0),
            Self::Grey => (0.4, 0.4, 0.4),
            Self::Light => (0.85, 0.88, 0.92),
            Self::Accent => (0.12, 0.44, 0.77),
            Self::Signature => (0.05, 0.1, 0.45),
        };
        Color::Rgb(Rgb { r, g, b, icc_profile: None })
    }
}

/// One thing to draw, in points from the page's bottom left.
#[derive(Debug, Clone)]
enum Item {
    Text { x: f32, y: f32, size: f32, text: String, ink: Ink },
    Polyline { points: Vec<(f32, f32)>, width: f32, ink: Ink },
    Rect { x: f32, y: f32, w: f32, h: f32, fill: Option<Ink>, stroke: Option<(Ink, f32)> },
}

/// Where a box ended up: page index and rectangle `[x1, y1, x2, y2]` in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedBox {
    /// 0-based page index.
    pub page: usize,
    /// `[x1, y1, x2, y2]`, PDF points, origin bottom left.
    pub rect: [f32; 4],
}

/// The flowing layout of one document.
pub(crate) struct Layout {
    metrics: &'static Metrics,
    pages: Vec<Vec<Item>>,
    /// Baseline-free cursor: the top of the next block, in points from the bottom.
    y: f32,
}

impl Layout {
    pub(crate) fn new() -> Result<Self, ReportError> {
        Ok(Self { metrics: Metrics::get()?, pages: vec![Vec::new()], y: PAGE_HEIGHT - MARGIN_TOP })
    }

    /// Usable width between the margins.
    pub(crate) fn content_width() -> f32 {
        PAGE_WIDTH - 2.0 * MARGIN_X
    }

    pub(crate) fn page_index(&self) -> usize {
        self.pages.len() - 1
    }

    pub(crate) fn y(&self) -> f32 {
        self.y
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_HEIGHT - MARGIN_TOP;
    }

    /// Starts a new page unless `height` points still fit on this one.
    pub(crate) fn ensure(&mut self, height: f32) {
        if self.y - height < MARGIN_BOTTOM {
            self.new_page();
        }
    }

    pub(crate) fn gap(&mut self, height: f32) {
        self.y -= height;
    }

    fn push(&mut self, item: Item) {
        if let Some(page) = self.pages.last_mut() {
            page.push(item);
        }
    }

    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        self.metrics.width(text, size)
    }

    /// Text with its top at the cursor's `y - top_offset`, not moving the cursor.
    pub(crate) fn text_at(&mut self, x: f32, top: f32, text: &str, size: f32, ink: Ink) {
        // Baseline ≈ top − 0.88 em for Noto Sans SC.
        self.push(Item::Text { x, y: top - size * 0.88, size, text: text.to_owned(), ink });
    }

    /// Splits `text` into lines no wider than `width` at `size`. CJK text may break
    /// anywhere; explicit newlines are kept.
    pub(crate) fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let start = lines.len();
            let mut line = String::new();
            for c in paragraph.chars() {
                let mut candidate = line.clone();
                candidate.push(c);
                if !line.is_empty() && self.width(&candidate, size) > width {
                    // Do not start a line with closing punctuation.
                    if "，。、；：）」』”！？".contains(c) {
                        line.push(c);
                        lines.push(std::mem::take(&mut line));
                        continue;
                    }
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                } else {
                    line = candidate;
                }
            }
            // An empty paragraph is an empty line; a line emptied by a punctuation carry
            // is not.
            if !line.is_empty() || lines.len() == start {
                lines.push(line);
            }
        }
        lines
    }

    /// A wrapped paragraph at `x` within `width`; moves the cursor below it, breaking
    /// pages between lines.
    pub(crate) fn paragraph(&mut self, x: f32, width: f32, text: &str, size: f32, ink: Ink) {
        let leading = size * 1.45;
        for line in self.wrap(text, size, width) {
            self.ensure(leading);
            let top = self.y;
            self.text_at(x, top, &line, size, ink);
            self.y -= leading;
        }
    }

    /// A heading line (bold weight is not bundled: size and colour carry the emphasis).
    pub(crate) fn heading(&mut self, text: &str, size: f32) {
        // Keep a heading with at least three lines of what follows.
        self.ensure(size * 2.0 + 48.0);
        self.gap(size * 0.4);
        let top = self.y;
        self.text_at(MARGIN_X, top, text, size, Ink::Accent);
        self.y -= size * 1.5;
    }

    /// Centred text on its own line.
    pub(crate) fn centered(&mut self, text: &str, size: f32, ink: Ink) {
        self.ensure(size * 1.6);
        let x = (PAGE_WIDTH - self.width(text, size)) / 2.0;
        let top = self.y;
        self.text_at(x, top, text, size, ink);
        self.y -= size * 1.6;
    }

    pub(crate) fn line(&mut self, points: Vec<(f32, f32)>, width: f32, ink: Ink) {
        self.push(Item::Polyline { points, width, ink });
    }

    pub(crate) fn rect(
        &mut self,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Ink>,
        stroke: Option<(Ink, f32)>,
    ) {
        self.push(Item::Rect { x, y, w, h, fill, stroke });
    }

    /// A tick box (for the blank form), `size` points square, top at `top`.
    pub(crate) fn tick_box(&mut self, x: f32, top: f32, size: f32) {
        self.rect(x, top - size, size, size, None, Some((Ink::Black, 0.6)));
    }

    /// Handwritten strokes (pad coordinates `0..=scale`, y down) fitted into the box
    /// `[x, y, w, h]` keeping their aspect ratio.
    pub(crate) fn strokes(&mut self, strokes: &[Vec<[u16; 2]>], pad_scale: f32, rect: [f32; 4]) {
        let [left, bottom, width, height] = rect;
        // The pad is 4:1 on screen; keep that aspect and centre vertically.
        let scale = (width / pad_scale).min(height * 4.0 / pad_scale);
        let drawn_height = pad_scale / 4.0 * scale;
        let top = bottom + height - (height - drawn_height) / 2.0;
        for stroke in strokes.iter().filter(|s| s.len() >= 2) {
            let points = stroke
                .iter()
                .map(|[px, py]| (left + f32::from(*px) * scale, top - f32::from(*py) * scale / 4.0))
                .collect();
            self.line(points, 1.2, Ink::Signature);
        }
    }

    /// Every character placed so far (for subsetting and coverage checks).
    fn characters(&self, extra: &[String]) -> BTreeSet<char> {
        let mut chars: BTreeSet<char> = extra.iter().flat_map(|s| s.chars()).collect();
        for page in &self.pages {
            for item in page {
                if let Item::Text { text, .. } = item {
                    chars.extend(text.chars());
                }
            }
        }
        chars
    }

    /// Characters that would print blank, across every text placed.
    pub(crate) fn missing_glyphs(&self) -> Vec<char> {
        let all: String = self.characters(&[]).into_iter().collect();
        self.metrics.missing(&all)
    }

    /// Builds the PDF: footer "第 n 页 共 m 页" (when `footer` is set) on every page, the
    /// font subset to the characters used, metadata from `info`.
    pub(crate) fn finish(
        mut self,
        title: &str,
        footer: Option<&str>,
        info: &DocInfo,
    ) -> Result<Vec<u8>, ReportError> {
        let total = self.pages.len();
        let mut footers = Vec::with_capacity(total);
        for n in 1..=total {
            footers.push(format!("第 {n} 页 共 {total} 页"));
        }
        let chars = self.characters(&[footers.concat(), footer.unwrap_or_default().to_owned()]);
        let font = self.metrics.subset(&chars)?;
        let mut doc = PdfDocument::new(title);
        let font_id = doc.add_font(&font);
        "elder-assess".clone_into(&mut doc.metadata.info.producer);
        "elder-assess".clone_into(&mut doc.metadata.info.creator);
        info.author.clone_into(&mut doc.metadata.info.author);
        info.subject.clone_into(&mut doc.metadata.info.subject);
        if let Some(at) = info.created {
            doc.metadata.info.creation_date = at;
            doc.metadata.info.modification_date = at;
            doc.metadata.info.metadata_date = at;
        }
        let size = 9.0;
        for (index, footer_text) in footers.iter().enumerate() {
            let page = &mut self.pages[index];
            let w = self.metrics.width(footer_text, size);
            page.push(Item::Text {
                x: PAGE_WIDTH - MARGIN_X - w,
                y: MARGIN_BOTTOM - 28.0,
                size,
                text: footer_text.clone(),
                ink: Ink::Grey,
            });
            if let Some(left) = footer {
                page.push(Item::Text {
                    x: MARGIN_X,
                    y: MARGIN_BOTTOM - 28.0,
                    size,
                    text: left.to_owned(),
                    ink: Ink::Grey,
                });
            }
        }
        let pages = self
            .pages
            .iter()
            .map(|items| PdfPage::new(Mm(210.0), Mm(297.0), ops(items, &font_id)))
            .collect();
        doc.with_pages(pages);
        let mut warnings = Vec::new();
        let mut bytes = doc.save(&printpdf::PdfSaveOptions::default(), &mut warnings);
        blank_out_pdfx_claim(&mut bytes);
        Ok(bytes)
    }
}

/// printpdf 0.12 always writes `/GTS_PDFXVersion()` into the Info dictionary, and any
/// `GTS_PDFXVersion` key, even an empty one, makes readers (pdfinfo) take the file for
/// PDF/X, which it is not. The entry is overwritten with spaces of the same length, so
/// every byte offset (the xref table) stays right.
fn blank_out_pdfx_claim(pdf: &mut [u8]) {
    const CLAIM: &[u8] = b"/GTS_PDFXVersion()";
    let mut from = 0;
    while let Some(at) = pdf[from..].windows(CLAIM.len()).position(|w| w == CLAIM) {
        let start = from + at;
        pdf[start..start + CLAIM.len()].fill(b' ');
        from = start + CLAIM.len();
    }
}

/// Document metadata.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocInfo {
    pub author: String,
    pub subject: String,
    pub created: Option<printpdf::OffsetDateTime>,
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: false }
}

fn ops(items: &[Item], font: &FontId) -> Vec<Op> {
    let mut ops = Vec::new();
    for item in items {
        match item {
            Item::Text { x, y, size, text, ink } => ops.extend([
                Op::StartTextSection,
                Op::SetFillColor { col: ink.color() },
                Op::SetTextCursor { pos: Point { x: Pt(*x), y: Pt(*y) } },
                Op::SetFont { font: PdfFontHandle::External(font.clone()), size: Pt(*size) },
                Op::ShowText { items: vec![TextItem::Text(text.clone())] },
                Op::EndTextSection,
            ]),
            Item::Polyline { points, width, ink } => ops.extend([
                Op::SaveGraphicsState,
                Op::SetOutlineColor { col: ink.color() },
                Op::SetOutlineThickness { pt: Pt(*width) },
                Op::SetLineCapStyle { cap: LineCapStyle::Round },
                Op::SetLineJoinStyle { join: LineJoinStyle::Round },
                Op::DrawLine {
                    line: Line {
                        points: points.iter().map(|(x, y)| point(*x, *y)).collect(),
                        is_closed: false,
                    },
                },
                Op::RestoreGraphicsState,
            ]),
            Item::Rect { x, y, w, h, fill, stroke } => {
                let rectangle = |mode| Rect {
                    x: Pt(*x),
                    y: Pt(*y),
                    width: Pt(*w),
                    height: Pt(*h),
                    mode: Some(mode),
                    winding_order: Some(WindingOrder::NonZero),
                };
                ops.push(Op::SaveGraphicsState);
                if let Some(fill) = fill {
                    ops.push(Op::SetFillColor { col: fill.color() });
                    ops.push(Op::DrawRectangle { rectangle: rectangle(PaintMode::Fill) });
                }
                if let Some((ink, width)) = stroke {
                    ops.push(Op::SetOutlineColor { col: ink.color() });
                    ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                    ops.push(Op::DrawRectangle { rectangle: rectangle(PaintMode::Stroke) });
                }
                ops.push(Op::RestoreGraphicsState);
            }
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_closing_punctuation_on_the_line_and_adds_no_empty_lines() {
        let layout = Layout::new().unwrap();
        let one = layout.width("一", 10.0);
        let lines = layout.wrap("一二三，四五", 10.0, one * 3.2);
        assert_eq!(lines, ["一二三，", "四五"]);
        assert_eq!(layout.wrap("一二三，", 10.0, one * 3.2), ["一二三，"]);
        assert_eq!(layout.wrap("甲\n\n乙", 10.0, 100.0), ["甲", "", "乙"]);
        assert_eq!(layout.wrap("", 10.0, 100.0), [""]);
    }

    #[test]
    fn widths_are_measured_from_the_font() {
        let layout = Layout::new().unwrap();
        let han = layout.width("老", 10.0);
        assert!((han - 10.0).abs() < 0.5, "a hanzi is about 1 em wide: {han}");
        assert!(layout.width("1", 10.0) < han);
    }
}
