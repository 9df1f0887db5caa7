//! A.2.8 公民身份号码: the 18-character citizen ID number of GB 11643-1999.
//!
//! Layout: 6-digit address code, 8-digit birth date (`YYYYMMDD`), 3-digit sequence code
//! whose last digit is odd for men and even for women, and one ISO 7064 MOD 11-2 check
//! character (`0`–`9` or `X`).
//!
//! Privacy: the number identifies a person. [`IdNumber`] and [`IdNumberInput`] print only
//! the masked form (`530926********123X`) through `Debug` and `Display`, and no error
//! message here contains any digit of the number. Only [`IdNumber::as_str`], the
//! [`From<IdNumber> for String`](IdNumber) conversion and serde (for the local database)
//! give the full number.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::codes::Sex;

/// Number of characters in a citizen ID number.
const LEN: usize = 18;
/// ISO 7064 MOD 11-2 weights of the first 17 digits.
const WEIGHTS: [usize; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each remainder `0..=10` of the weighted sum modulo 11.
const CHECK_CHARS: &[u8; 11] = b"10X98765432";
/// Earliest birth year accepted.
const MIN_BIRTH_YEAR: i32 = 1900;

/// A valid citizen ID number (公民身份号码), normalised to an upper-case `X`.
///
/// `Debug` and `Display` print the masked form; see [`IdNumber::masked`]. Serde writes
/// the full number, because it is stored in the local database.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

/// Why a text is not a valid citizen ID number. Messages never contain the number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    /// Not 18 characters long.
    #[error("公民身份号码应为 18 位（现为 {len} 位）")]
    WrongLength {
        /// Characters given.
        len: usize,
    },
    /// A character other than a digit (or `X` in the last place).
    #[error("公民身份号码第 {position} 位无效：前 17 位应为数字，末位为数字或 X")]
    InvalidCharacter {
        /// 1-based position of the first bad character.
        position: usize,
    },
    /// Positions 7–14 are not a calendar date from 1900 on.
    #[error("公民身份号码中的出生日期无效")]
    BirthDate,
    /// The last character does not match the first 17 digits.
    #[error("公民身份号码校验码不正确")]
    CheckDigit,
}

impl IdNumber {
    /// Checks and normalises a citizen ID number.
    ///
    /// Surrounding whitespace is ignored and a lower-case `x` is accepted. Checks, in
    /// order: 18 characters, 17 digits then a digit or `X`, a real birth date from 1900
    /// on in positions 7–14, and the MOD 11-2 check character.
    pub fn parse(text: &str) -> Result<Self, IdNumberError> {
        let text = text.trim();
        let len = text.chars().count();
        if len != LEN {
            return Err(IdNumberError::WrongLength { len });
        }
        // 18 chars; from here on every accepted char is ASCII, so bytes = chars.
        let mut normalised = String::with_capacity(LEN);
        for (index, ch) in text.chars().enumerate() {
            let ok = ch.is_ascii_digit() || (index == LEN - 1 && matches!(ch, 'X' | 'x'));
            if !ok {
                return Err(IdNumberError::InvalidCharacter { position: index + 1 });
            }
            normalised.push(ch.to_ascii_uppercase());
        }
        birth_date_of(&normalised).ok_or(IdNumberError::BirthDate)?;
        let bytes = normalised.as_bytes();
        if check_char(&bytes[..LEN - 1]) != bytes[LEN - 1] {
            return Err(IdNumberError::CheckDigit);
        }
        Ok(Self(normalised))
    }

    /// The full number. Do not show or log it; use [`IdNumber::masked`] for display.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date in positions 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        // `parse` checked the date, so the fallback is never used.
        birth_date_of(&self.0).unwrap_or_default()
    }

    /// The sex from the 17th digit: odd = 男, even = 女.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[LEN - 2] - b'0') % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// The first 6 and last 4 characters, the 8 between as `*`: `530926********123X`.
    ///
    /// The birth date is hidden; the address code and sequence code stay visible so that
    /// an assessor can tell two records apart.
    pub fn masked(&self) -> String {
        mask_id(&self.0)
    }
}

/// The check character (`b'0'`–`b'9'` or `b'X'`) for 17 ASCII digits.
fn check_char(digits: &[u8]) -> u8 {
    let sum: usize = digits.iter().zip(WEIGHTS).map(|(d, w)| usize::from(d - b'0') * w).sum();
    CHECK_CHARS[sum % 11]
}

/// The birth date of a number of 18 ASCII characters, if it is a date from 1900 on.
fn birth_date_of(number: &str) -> Option<NaiveDate> {
    let year: i32 = number.get(6..10)?.parse().ok()?;
    let month: u32 = number.get(10..12)?.parse().ok()?;
    let day: u32 = number.get(12..14)?.parse().ok()?;
    if year < MIN_BIRTH_YEAR {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Masks an ID number as typed, whether valid or not: the first 6 and last 4 characters
/// stay, every other character becomes `*`; text of 10 characters or fewer is all `*`.
/// Surrounding whitespace is dropped; empty text gives an empty string.
pub fn mask_id(text: &str) -> String {
    let chars: Vec<char> = text.trim().chars().collect();
    let len = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if len > 10 && (i < 6 || i >= len - 4) { c } else { '*' })
        .collect()
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl fmt::Display for IdNumber {
    /// The masked form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl TryFrom<String> for IdNumber {
    type Error = IdNumberError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<IdNumber> for String {
    /// The full number.
    fn from(value: IdNumber) -> Self {
        value.0
    }
}

impl std::str::FromStr for IdNumber {
    type Err = IdNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A.2.8 as typed in a form: any text, kept as it is so a half-typed number is not lost.
///
/// [`IdNumberInput::parse`] gives the validated [`IdNumber`]. `Debug` never shows the
/// text: a valid number prints masked, anything else only its length. Serde writes the
/// text as a plain string.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdNumberInput(String);

impl IdNumberInput {
    /// Wraps typed text.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text as typed. Do not show or log it outside the input field.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text for an editor to change in place (e.g. an egui `TextEdit`).
    pub fn text_mut(&mut self) -> &mut String {
        &mut self.0
    }

    /// Whether nothing but whitespace has been typed.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// The validated number; see [`IdNumber::parse`].
    pub fn parse(&self) -> Result<IdNumber, IdNumberError> {
        IdNumber::parse(&self.0)
    }
}

impl From<IdNumber> for IdNumberInput {
    fn from(value: IdNumber) -> Self {
        Self(value.0)
    }
}

impl fmt::Debug for IdNumberInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.parse() {
            Ok(number) => write!(f, "IdNumberInput({})", number.masked()),
            Err(_) => write!(f, "IdNumberInput(<{} 个字符，未通过校验>)", self.0.chars().count()),
        }
    }
}

/// Age in full years on `on` of someone born on `birth` (周岁); 0 if `on` is not after
/// `birth`.
///
/// The birthday is reached on the same month and day. Someone born on 29 February
/// reaches it on 1 March in a non-leap year (on 28 February they are still a year
/// younger), which is how 周岁 is usually counted.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    if on <= birth {
        return 0;
    }
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid number: the 17 digits given plus their computed check character.
    fn with_check(first17: &str) -> String {
        assert_eq!(first17.len(), 17);
        let check = check_char(first17.as_bytes());
        format!("{first17}{}", char::from(check))
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// The well-known sample 11010519491231002X, worked by hand: the weighted sum of
    /// the first 17 digits is 167, 167 mod 11 = 2, and "10X98765432"[2] = 'X'.
    #[test]
    fn known_sample_is_valid() {
        assert_eq!(with_check("11010519491231002"), "11010519491231002X");
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
    }

    #[test]
    fn lower_case_x_and_whitespace_are_normalised() {
        let id = IdNumber::parse("  11010519491231002x\n").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!("11010519491231002x".parse::<IdNumber>().unwrap(), id);
    }

    #[test]
    fn sex_follows_the_17th_digit() {
        let male = IdNumber::parse(&with_check("53092619560314123")).unwrap();
        assert_eq!(male.sex(), Sex::Male);
        assert_eq!(male.birth_date(), date(1956, 3, 14));
        let female = IdNumber::parse(&with_check("53092619560314124")).unwrap();
        assert_eq!(female.sex(), Sex::Female);
    }

    #[test]
    fn numeric_check_digits_are_accepted() {
        // Cover every remainder: each sequence code gives some check character.
        let mut seen = std::collections::BTreeSet::new();
        for seq in 100..200 {
            let number = with_check(&format!("44030419600101{seq}"));
            seen.insert(number.as_bytes()[17]);
            assert!(IdNumber::parse(&number).is_ok(), "{number}");
        }
        assert_eq!(seen.len(), 11);
    }

    #[test]
    fn wrong_length_is_rejected() {
        assert_eq!(IdNumber::parse(""), Err(IdNumberError::WrongLength { len: 0 }));
        assert_eq!(
            IdNumber::parse("11010519491231002"),
            Err(IdNumberError::WrongLength { len: 17 })
        );
        assert_eq!(
            IdNumber::parse("11010519491231002X1"),
            Err(IdNumberError::WrongLength { len: 19 })
        );
        // 15-digit first-generation numbers are not accepted.
        assert_eq!(IdNumber::parse("110105491231002"), Err(IdNumberError::WrongLength { len: 15 }));
    }

    #[test]
    fn bad_characters_are_rejected() {
        assert_eq!(
            IdNumber::parse("1101051949123100XX"),
            Err(IdNumberError::InvalidCharacter { position: 17 })
        );
        assert_eq!(
            IdNumber::parse("11010519491231002Y"),
            Err(IdNumberError::InvalidCharacter { position: 18 })
        );
        // Full-width digits are 18 chars but not ASCII digits.
        assert_eq!(
            IdNumber::parse("１1010519491231002X"),
            Err(IdNumberError::InvalidCharacter { position: 1 })
        );
    }

    #[test]
    fn wrong_check_digit_is_rejected() {
        assert_eq!(IdNumber::parse("110105194912310020"), Err(IdNumberError::CheckDigit));
        assert_eq!(IdNumber::parse("110105194912310021"), Err(IdNumberError::CheckDigit));
    }

    #[test]
    fn invalid_birth_dates_are_rejected() {
        for first17 in [
            "11010519490230002", // 30 February
            "11010519491331002", // month 13
            "11010519490000002", // month 0
            "11010518991231002", // before 1900
            "11010519010229002", // 1901 is not a leap year
        ] {
            let number = with_check(first17);
            assert_eq!(IdNumber::parse(&number), Err(IdNumberError::BirthDate), "{first17}");
        }
        let leap = IdNumber::parse(&with_check("11010519480229002")).unwrap();
        assert_eq!(leap.birth_date(), date(1948, 2, 29));
    }

    #[test]
    fn masked_shows_first_six_and_last_four() {
        let id = IdNumber::parse(&with_check("53092619560314123")).unwrap();
        let masked = id.masked();
        assert_eq!(masked, format!("530926********{}", &id.as_str()[14..]));
        assert_eq!(masked.chars().count(), 18);
        assert_eq!(IdNumber::parse("11010519491231002X").unwrap().masked(), "110105********002X");
    }

    #[test]
    fn debug_and_display_do_not_leak_the_number() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        for shown in [format!("{id:?}"), format!("{id}"), format!("{:?}", Some(&id))] {
            assert!(!shown.contains("11010519491231002X"), "{shown}");
            assert!(!shown.contains("19491231"), "{shown}");
            assert!(shown.contains("110105********002X"), "{shown}");
        }
        let typed = IdNumberInput::new("1101051949123");
        let shown = format!("{typed:?}");
        assert!(!shown.contains("1101051949123"), "{shown}");
        assert!(shown.contains("13 个字符"), "{shown}");
        let valid = IdNumberInput::from(id);
        assert_eq!(format!("{valid:?}"), "IdNumberInput(110105********002X)");
    }

    #[test]
    fn error_messages_do_not_contain_the_number() {
        for text in
            ["11010519491231002", "110105194912310020", "11010519491331002X", "1101051949123100Z2"]
        {
            let message = IdNumber::parse(text).unwrap_err().to_string();
            assert!(message.starts_with("公民身份号码"), "{message}");
            assert!(!message.contains("1949"), "{message}");
        }
        assert_eq!(IdNumberError::CheckDigit.to_string(), "公民身份号码校验码不正确");
    }

    #[test]
    fn serde_keeps_the_full_number_and_validates() {
        let id = IdNumber::parse("11010519491231002x").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"11010519491231002X\"");
        assert_eq!(serde_json::from_str::<IdNumber>(&json).unwrap(), id);
        let err = serde_json::from_str::<IdNumber>("\"110105194912310020\"").unwrap_err();
        assert!(err.to_string().contains("校验码不正确"), "{err}");
        let typed = IdNumberInput::new("1101");
        assert_eq!(serde_json::to_string(&typed).unwrap(), "\"1101\"");
    }

    #[test]
    fn input_keeps_partial_text() {
        let mut input = IdNumberInput::default();
        assert!(input.is_blank());
        input.text_mut().push_str("11010519491231002");
        assert_eq!(input.parse(), Err(IdNumberError::WrongLength { len: 17 }));
        input.text_mut().push('x');
        assert_eq!(input.as_str(), "11010519491231002x");
        assert_eq!(input.parse().unwrap().as_str(), "11010519491231002X");
    }

    #[test]
    fn age_counts_full_years() {
        let birth = date(1950, 6, 15);
        assert_eq!(age_on(birth, date(2024, 6, 14)), 73);
        assert_eq!(age_on(birth, date(2024, 6, 15)), 74, "birthday on the reference date");
        assert_eq!(age_on(birth, date(2024, 12, 31)), 74);
        assert_eq!(age_on(birth, birth), 0);
        assert_eq!(age_on(birth, date(1940, 1, 1)), 0, "reference before birth");
    }

    #[test]
    fn age_for_a_29_february_birthday() {
        let birth = date(1948, 2, 29);
        assert_eq!(age_on(birth, date(2023, 2, 28)), 74, "not reached on 28 Feb");
        assert_eq!(age_on(birth, date(2023, 3, 1)), 75, "reached on 1 Mar in a non-leap year");
        assert_eq!(age_on(birth, date(2024, 2, 28)), 75);
        assert_eq!(age_on(birth, date(2024, 2, 29)), 76, "reached on 29 Feb in a leap year");
    }
}
