//! Character encoding: the families are ISO-8859-1, but some writers
//! (TaxCardBuilder by default) write UTF-8. A UTF-8 line is transcoded to
//! ISO-8859-1 before it is sliced, so positions count characters.

use crate::error::ErrorKind;

/// How the input's characters are encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    /// Decide per file at its first line with non-ASCII bytes (or a UTF-8
    /// byte order mark): UTF-8 when that line is valid UTF-8 and only its
    /// UTF-8 reading fits the layout's length; the decision holds for the
    /// whole file, with one `utf8_encoded` warning.
    #[default]
    Auto,
    /// ISO-8859-1 only (the format's encoding); UTF-8 lines are rejected.
    Latin1,
    /// UTF-8 only: every line is transcoded; no warning.
    Utf8,
}

impl Encoding {
    /// The option's name: `auto`, `latin1`, `utf8`.
    pub fn name(&self) -> &'static str {
        match self {
            Encoding::Auto => "auto",
            Encoding::Latin1 => "latin1",
            Encoding::Utf8 => "utf8",
        }
    }

    /// The encoding called `name`.
    pub fn from_name(name: &str) -> Option<Encoding> {
        [Encoding::Auto, Encoding::Latin1, Encoding::Utf8].into_iter().find(|e| e.name() == name)
    }
}

/// Whether the line has any byte outside ASCII.
#[inline]
pub(crate) fn has_high(line: &[u8]) -> bool {
    line.iter().any(|&b| b >= 0x80)
}

/// Transcodes UTF-8 `line` into ISO-8859-1 in `out`. Errors name the byte
/// index of the bad character in `line`.
pub(crate) fn transcode(line: &[u8], out: &mut [u8]) -> Result<usize, (ErrorKind, usize)> {
    let text = match core::str::from_utf8(line) {
        Ok(t) => t,
        Err(e) => return Err((ErrorKind::InvalidUtf8, e.valid_up_to())),
    };
    let mut n = 0;
    let limit = out.len() as u32;
    for (i, c) in text.char_indices() {
        let b = u8::try_from(c as u32).map_err(|_| (ErrorKind::CharOutsideLatin1, i))?;
        let slot = out.get_mut(n).ok_or((ErrorKind::LineTooLong { limit }, i))?;
        *slot = b;
        n += 1;
    }
    Ok(n)
}

/// The byte index in UTF-8 `line` of character number `chars`.
pub(crate) fn char_to_byte(line: &[u8], chars: usize) -> usize {
    let mut seen = 0;
    for (i, &b) in line.iter().enumerate() {
        if b & 0xC0 != 0x80 {
            if seen == chars {
                return i;
            }
            seen += 1;
        }
    }
    line.len()
}

/// Whether `line` holds a UTF-8 two-byte sequence as used for Latin-1 letters.
pub(crate) fn looks_utf8(line: &[u8]) -> bool {
    line.windows(2).any(|w| matches!(w, [0xC2 | 0xC3, 0x80..=0xBF]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcodes_latin1_letters_and_refuses_the_rest() {
        let mut out = [0u8; 16];
        assert_eq!(transcode("Søren Ærø".as_bytes(), &mut out), Ok(9));
        assert_eq!(&out[..9], b"S\xf8ren \xc6r\xf8");
        assert_eq!(transcode("a€b".as_bytes(), &mut out), Err((ErrorKind::CharOutsideLatin1, 1)));
        assert_eq!(transcode(b"ab\xe6c", &mut out), Err((ErrorKind::InvalidUtf8, 2)));
        assert_eq!(char_to_byte("æøå-x".as_bytes(), 3), 6);
        assert_eq!(char_to_byte("æøå".as_bytes(), 9), 6);
    }
}
