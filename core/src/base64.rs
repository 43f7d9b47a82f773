//! Streaming Base64 (RFC 4648, standard alphabet) without allocation.
//!
//! Beskedfordeler carries the records Base64-encoded inside an XML element,
//! so whitespace (line breaks from XML pretty-printing) is skipped. Written by
//! hand rather than with the `base64` crate because it must resume in the
//! middle of a 4-character group across chunks and report the exact offset of
//! a bad character, with no buffer of the whole text.

use crate::error::{Error, ErrorKind};

const INVALID: u8 = 0xFF;
const SPACE: u8 = 0xFE;
const PAD: u8 = 0xFD;

static TABLE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t[b' ' as usize] = SPACE;
    t[b'\t' as usize] = SPACE;
    t[b'\r' as usize] = SPACE;
    t[b'\n' as usize] = SPACE;
    t[b'=' as usize] = PAD;
    t
};

/// A resumable Base64 decoder.
///
/// ```
/// use eindkomst_core::base64::Base64;
/// let mut b64 = Base64::new();
/// let mut out = [0u8; 16];
/// // "Hej der" with a line break and no padding: the last group ends in `finish`.
/// let (read, n, error) = b64.decode(b"SGVq\r\nIGRlcg", &mut out);
/// assert_eq!(error, None);
/// let mut tail = [0u8; 3];
/// let m = b64.finish(&mut tail).unwrap();
/// assert_eq!((read, &out[..n], &tail[..m]), (12, &b"Hej de"[..], &b"r"[..]));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Base64 {
    acc: u32,
    /// Characters (data and padding) in the current group.
    n: u8,
    pad: u8,
    /// Padding closed the text: only whitespace may follow.
    ended: bool,
    /// Encoded bytes consumed so far.
    offset: u64,
}

impl Base64 {
    /// A decoder at the start of a text.
    pub const fn new() -> Base64 {
        Base64 { acc: 0, n: 0, pad: 0, ended: false, offset: 0 }
    }

    fn error(&self, kind: ErrorKind) -> Error {
        Error { kind, line: 0, lb_nr: None, record: None, field: None, offset: self.offset }
    }

    /// Decodes from `input` into `out` until either runs out or a bad
    /// character comes. Returns `(consumed, written, error)`; the bytes before
    /// a bad character are written, and the error's offset is the character's
    /// position in the Base64 text.
    pub fn decode(&mut self, input: &[u8], out: &mut [u8]) -> (usize, usize, Option<Error>) {
        let mut w = 0;
        for (i, &b) in input.iter().enumerate() {
            if out.len() - w < 3 {
                return (i, w, None);
            }
            match TABLE[b as usize] {
                SPACE => {}
                INVALID => return (i, w, Some(self.error(ErrorKind::InvalidBase64 { byte: b }))),
                PAD => {
                    if self.ended || self.n < 2 {
                        return (i, w, Some(self.error(ErrorKind::Base64Padding)));
                    }
                    self.pad += 1;
                    self.n += 1;
                    if self.n == 4 {
                        w += self.flush(&mut out[w..]);
                        self.ended = true;
                    }
                }
                v => {
                    if self.ended || self.pad > 0 {
                        return (i, w, Some(self.error(ErrorKind::Base64Padding)));
                    }
                    self.acc = self.acc << 6 | v as u32;
                    self.n += 1;
                    if self.n == 4 {
                        w += self.flush(&mut out[w..]);
                    }
                }
            }
            self.offset += 1;
        }
        (input.len(), w, None)
    }

    /// Writes the bytes of the current group (2-4 characters) and resets it.
    fn flush(&mut self, out: &mut [u8]) -> usize {
        let data = self.n - self.pad;
        let bits = self.acc << (6 * (4 - data as u32));
        let bytes = [(bits >> 16) as u8, (bits >> 8) as u8, bits as u8];
        let n = (data as usize * 6) / 8;
        out[..n].copy_from_slice(&bytes[..n]);
        self.acc = 0;
        self.n = 0;
        self.pad = 0;
        n
    }

    /// Ends the text: writes the last 1-2 bytes of an unpadded final group.
    pub fn finish(&mut self, out: &mut [u8; 3]) -> Result<usize, Error> {
        match (self.n, self.pad) {
            (0, _) => Ok(0),
            (1, _) => Err(self.error(ErrorKind::Base64Truncated)),
            (_, 0) => Ok(self.flush(out)),
            _ => Err(self.error(ErrorKind::Base64Truncated)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(text: &[u8]) -> Result<([u8; 64], usize), Error> {
        let mut b = Base64::new();
        let mut out = [0u8; 64];
        let (_, n, error) = b.decode(text, &mut out);
        if let Some(e) = error {
            return Err(e);
        }
        let mut tail = [0u8; 3];
        let m = b.finish(&mut tail)?;
        out[n..n + m].copy_from_slice(&tail[..m]);
        Ok((out, n + m))
    }

    #[test]
    fn padded_unpadded_and_split() {
        let (out, n) = decode_all(b"TWFu TWE= ").unwrap();
        assert_eq!(&out[..n], b"ManMa");
        let (out, n) = decode_all(b"TWFuTQ").unwrap();
        assert_eq!(&out[..n], b"ManM");
        // One character at a time gives the same bytes.
        let mut b = Base64::new();
        let mut got = [0u8; 8];
        let mut len = 0;
        for c in b"TWFu\nTWE=".chunks(1) {
            let (_, n, _) = b.decode(c, &mut got[len..]);
            len += n;
        }
        assert_eq!(&got[..len], b"ManMa");
    }

    #[test]
    fn errors_name_the_offset() {
        let e = decode_all(b"TWFu\nTW*u").unwrap_err();
        assert_eq!((e.kind, e.offset), (ErrorKind::InvalidBase64 { byte: b'*' }, 7));
        let e = decode_all(b"TWE=TWFu").unwrap_err();
        assert_eq!((e.kind, e.offset), (ErrorKind::Base64Padding, 4));
        let e = decode_all(b"T===").unwrap_err();
        assert_eq!((e.kind, e.offset), (ErrorKind::Base64Padding, 1));
        let e = decode_all(b"TWFuT").unwrap_err();
        assert_eq!((e.kind, e.offset), (ErrorKind::Base64Truncated, 5));
    }
}
