//! The report font: Noto Sans SC, measured for layout and subset to the glyphs a document
//! uses before it is embedded.
//!
//! printpdf 0.12 without its `text_layout` feature embeds the whole 10 MB font; we subset
//! it ourselves with allsorts (which printpdf already depends on): glyph 0 first, then
//! every glyph used, keeping a Unicode cmap so the text stays extractable, and name the
//! subset with its `ABCDEF+` tag ([`subset_name`]).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile, subset};
use printpdf::ParsedFont;
use sha2::{Digest as _, Sha256};

use super::error::ReportError;

/// Noto Sans SC Regular, the same file the app's UI embeds.
pub const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular.ttf");

/// The full font, parsed once per process: only its metrics are used for layout.
pub(crate) struct Metrics {
    font: ParsedFont,
    units_per_em: f32,
}

static METRICS: OnceLock<Option<Metrics>> = OnceLock::new();

impl Metrics {
    /// The shared metrics of the bundled font.
    pub(crate) fn get() -> Result<&'static Self, ReportError> {
        METRICS
            .get_or_init(|| {
                let font = ParsedFont::from_bytes(FONT_BYTES, 0, &mut Vec::new())?;
                let units_per_em = f32::from(font.units_per_em.max(1));
                Some(Self { font, units_per_em })
            })
            .as_ref()
            .ok_or(ReportError::Font("无法读取内置字体".to_owned()))
    }

    /// Advance width of `text` at `size` points, in points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.char_units(c)).sum::<f32>() * size / self.units_per_em
    }

    fn char_units(&self, c: char) -> f32 {
        self.font
            .lookup_glyph_index(u32::from(c))
            .and_then(|gid| self.font.get_glyph_width(gid))
            .map_or(0.0, f32::from)
    }

    /// Characters of `text` the font has no glyph for (printed as blanks otherwise).
    pub(crate) fn missing(&self, text: &str) -> Vec<char> {
        let mut missing: Vec<char> = text
            .chars()
            .filter(|c| !c.is_whitespace() && self.font.lookup_glyph_index(u32::from(*c)).is_none())
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }

    /// A font holding only the glyphs of `chars` (plus .notdef), ready to embed.
    pub(crate) fn subset(&self, chars: &BTreeSet<char>) -> Result<ParsedFont, ReportError> {
        let mut ids: Vec<u16> =
            chars.iter().filter_map(|c| self.font.lookup_glyph_index(u32::from(*c))).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.retain(|&id| id != 0);
        ids.insert(0, 0);
        let font_data = ReadScope::new(FONT_BYTES)
            .read::<FontData<'_>>()
            .map_err(|e| ReportError::Font(format!("字体解析失败：{e}")))?;
        let provider = font_data
            .table_provider(0)
            .map_err(|e| ReportError::Font(format!("字体解析失败：{e}")))?;
        let bytes = subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
            .map_err(|e| ReportError::Font(format!("字体子集化失败：{e}")))?;
        let mut font = ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
            .ok_or(ReportError::Font("字体子集无法读取".to_owned()))?;
        font.font_name = Some(subset_name(&bytes));
        Ok(font)
    }
}

/// The PostScript name of the bundled font.
const FONT_NAME: &str = "NotoSansSC-Regular";

/// The name a subset font is embedded under: `ABCDEF+NotoSansSC-Regular` (ISO 32000-1
/// §9.6.4), the six-letter tag derived from the SHA-256 of the subset, so the same
/// glyphs always get the same name. printpdf writes it as `/BaseFont` (both levels)
/// and `/FontName`; left alone it would use a random font id without a tag.
pub(crate) fn subset_name(subset: &[u8]) -> String {
    let hash = Sha256::digest(subset);
    let tag: String = hash.iter().take(6).map(|b| char::from(b'A' + b % 26)).collect();
    format!("{tag}+{FONT_NAME}")
}
