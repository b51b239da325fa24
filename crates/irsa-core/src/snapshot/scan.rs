//! The fast pass over a big kubectl list file: splits it into the root's members and the
//! elements of its `items`, each handed over as text, without holding the file.
//!
//! Why not serde alone: `serde_json::Deserializer::from_reader` takes its input one byte at a
//! time through `io::Bytes`; on a 959 MB `kubernetes.json` that was 2.5 times slower than
//! parsing the text whole, and it words a few syntax errors differently from `from_str` (a
//! control character in a string is placed after it, not at it), which the loader has always
//! used. This pass reads the file in chunks ([`Window`]) and only finds where values begin
//! and end (brackets, strings and their escapes, commas, colons, whitespace): it does not
//! judge their syntax. The caller checks each piece with serde (`from_str`), which is fast on
//! text. Pieces that are valid JSON, joined by the strict skeleton this pass accepts, make a
//! valid file, which is what serde would have read.
//!
//! It accepts only what it is sure of: any doubt — a root that is not an object, `items` that
//! is not an array, a value that cannot start there, a missing separator, nesting deeper than
//! serde would take, something after the root — is a [`Bail`], and the caller reads the file
//! whole as text, as the loader always did, for serde's own error. The one error read here is
//! I/O: the chunks are checked to be UTF-8 as they are read, as `read_to_string` did.

use std::io::{self, Read};

/// Bytes read from the file at a time.
const CHUNK: usize = 256 * 1024;

/// Deepest nesting inside one item or member value that this pass accepts: serde stops at
/// 128 levels counted from the root (the root object and `items` take two), so anything
/// close is left to serde.
const MAX_DEPTH: usize = 100;

/// This pass is not sure (the file is not valid JSON, or not of a shape it takes): the caller
/// reads the file with serde alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Bail;

/// What the pass finds, in file order.
pub(super) trait Sink {
    /// A root member other than `items` (its name decoded; its value's text, not checked).
    fn member(&mut self, name: &str, value: &str) -> Result<(), Bail>;
    /// An `items` member (an array) begins; a second one replaces the first.
    fn items(&mut self);
    /// One element of `items` (its text, not checked) and where it starts: line from 1,
    /// byte column from 0.
    fn item(&mut self, text: &str, line: usize, column: usize) -> Result<(), Bail>;
}

/// Splits the file read from `inner` for `sink`. `Ok(Err(Bail))` when the file is not of the
/// shape this pass is sure of (or not valid JSON); `Err` for I/O (or not UTF-8).
pub(super) fn scan<R: Read>(inner: R, sink: &mut impl Sink) -> io::Result<Result<(), Bail>> {
    Window::new(inner).root(sink)
}

/// JSON whitespace.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// The part of the file still needed, read in chunks. Positions are offsets in the file.
struct Window<R> {
    inner: R,
    /// `buf[..valid]` is checked UTF-8; `buf[valid..]` begins a character a read split.
    buf: Vec<u8>,
    valid: usize,
    /// The file offset of `buf[0]`.
    base: usize,
    /// Bytes before this offset are done with (and their lines counted).
    keep: usize,
    /// Line (from 1) at `keep`, and the offset where that line starts.
    line: usize,
    line_start: usize,
    eof: bool,
}

/// Why a step stopped: I/O, or not sure.
enum Stop {
    Io(io::Error),
    Bail,
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e)
    }
}

impl From<Bail> for Stop {
    fn from(_: Bail) -> Self {
        Stop::Bail
    }
}

type Step<T> = Result<T, Stop>;

impl<R: Read> Window<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            buf: Vec::new(),
            valid: 0,
            base: 0,
            keep: 0,
            line: 1,
            line_start: 0,
            eof: false,
        }
    }

    /// The whole file: `{`, members, `}`, nothing after.
    fn root(&mut self, sink: &mut impl Sink) -> io::Result<Result<(), Bail>> {
        match self.members(sink) {
            Ok(()) => Ok(Ok(())),
            Err(Stop::Bail) => Ok(Err(Bail)),
            Err(Stop::Io(e)) => Err(e),
        }
    }

    fn members(&mut self, sink: &mut impl Sink) -> Step<()> {
        let mut at = self.skip_space(0)?;
        self.expect_byte(at, b'{')?;
        at = self.skip_space(at + 1)?;
        if self.byte(at)? != Some(b'}') {
            loop {
                self.expect_byte(at, b'"')?;
                let end = self.value_end(at)?;
                let name: String = serde_json::from_str(self.text(at, end)?).map_err(|_| Bail)?;
                at = self.skip_space(end)?;
                self.expect_byte(at, b':')?;
                at = self.skip_space(at + 1)?;
                if name == "items" {
                    at = self.items(at, sink)?;
                } else {
                    let end = self.value_end(at)?;
                    sink.member(&name, self.text(at, end)?)?;
                    at = end;
                }
                self.done_to(at);
                at = self.skip_space(at)?;
                match self.byte(at)? {
                    Some(b',') => at = self.skip_space(at + 1)?,
                    Some(b'}') => break,
                    _ => return Err(Stop::Bail),
                }
            }
        }
        let after = self.skip_space(at + 1)?;
        match self.byte(after)? {
            None => Ok(()),
            Some(_) => Err(Stop::Bail),
        }
    }

    /// `items`' array from `at` (its `[`); returns the offset after its `]`.
    fn items(&mut self, mut at: usize, sink: &mut impl Sink) -> Step<usize> {
        self.expect_byte(at, b'[')?;
        sink.items();
        at = self.skip_space(at + 1)?;
        if self.byte(at)? == Some(b']') {
            return Ok(at + 1);
        }
        loop {
            let end = self.value_end(at)?;
            let (line, column) = self.position(at);
            sink.item(self.text(at, end)?, line, column)?;
            self.done_to(end);
            at = self.skip_space(end)?;
            match self.byte(at)? {
                Some(b',') => at = self.skip_space(at + 1)?,
                Some(b']') => return Ok(at + 1),
                _ => return Err(Stop::Bail),
            }
        }
    }

    /// Fails (not sure) unless the byte at `at` is `expected`.
    fn expect_byte(&mut self, at: usize, expected: u8) -> Step<()> {
        match self.byte(at)? {
            Some(byte) if byte == expected => Ok(()),
            _ => Err(Stop::Bail),
        }
    }

    /// The first offset from `at` that is not whitespace.
    fn skip_space(&mut self, mut at: usize) -> Step<usize> {
        while self.byte(at)?.is_some_and(is_space) {
            at += 1;
        }
        Ok(at)
    }

    /// The offset just after the value that starts at `at`. Only its extent is found: a
    /// container's brackets and strings are matched, a number or literal runs to the next
    /// delimiter; serde checks the text.
    fn value_end(&mut self, at: usize) -> Step<usize> {
        let first = self.byte(at)?.ok_or(Stop::Bail)?;
        match first {
            b'{' | b'[' | b'"' => {}
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                let mut end = at + 1;
                while let Some(byte) = self.byte(end)? {
                    if is_space(byte) || matches!(byte, b',' | b']' | b'}' | b':') {
                        break;
                    }
                    end += 1;
                }
                return Ok(end);
            }
            _ => return Err(Stop::Bail),
        }
        let mut depth = 0_usize;
        let mut in_string = false;
        // Bytes of the next chunk still to skip: the escaped byte after a `\\` that ended a
        // chunk.
        let mut skip = 0;
        let mut from = at;
        loop {
            let chunk = self
                .buf
                .get(from - self.base..self.valid)
                .unwrap_or_default();
            let mut i = skip;
            while let Some(rest) = chunk.get(i..).filter(|rest| !rest.is_empty()) {
                if in_string {
                    // To the next quote or escape; an escape skips the byte after it.
                    let Some(k) = rest.iter().position(|b| matches!(b, b'"' | b'\\')) else {
                        i = chunk.len();
                        break;
                    };
                    i += k;
                    if chunk.get(i) == Some(&b'\\') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    in_string = false;
                    if depth == 0 {
                        return Ok(from + i);
                    }
                    continue;
                }
                let Some(k) = rest
                    .iter()
                    .position(|b| matches!(b, b'"' | b'{' | b'[' | b'}' | b']'))
                else {
                    i = chunk.len();
                    break;
                };
                i += k;
                match chunk.get(i) {
                    Some(b'"') => in_string = true,
                    Some(b'{' | b'[') => {
                        depth += 1;
                        if depth > MAX_DEPTH {
                            return Err(Stop::Bail);
                        }
                    }
                    _ => {
                        depth = depth.checked_sub(1).ok_or(Stop::Bail)?;
                        if depth == 0 {
                            return Ok(from + i + 1);
                        }
                    }
                }
                i += 1;
            }
            skip = i.saturating_sub(chunk.len());
            from += chunk.len();
            if !self.more()? {
                return Err(Stop::Bail);
            }
        }
    }

    /// The byte at offset `at` (reading on as needed); `None` at the end of the file.
    fn byte(&mut self, at: usize) -> Step<Option<u8>> {
        while at >= self.base + self.valid {
            if !self.more()? {
                return Ok(None);
            }
        }
        Ok(self.buf.get(at - self.base).copied())
    }

    /// The text between two offsets (both in the window, at value boundaries).
    fn text(&self, from: usize, to: usize) -> Step<&str> {
        let bytes = self
            .buf
            .get(from - self.base..to - self.base)
            .ok_or(Stop::Bail)?;
        std::str::from_utf8(bytes).map_err(|_| Stop::Bail)
    }

    /// Line (from 1) and byte column (from 0) of offset `at` (at or after `keep`).
    fn position(&self, at: usize) -> (usize, usize) {
        let (lines, last) = self.newlines(at);
        let line_start = last.map_or(self.line_start, |offset| offset + 1);
        (self.line + lines, at - line_start)
    }

    /// Marks everything before `to` as done, counting its lines.
    fn done_to(&mut self, to: usize) {
        let (lines, last) = self.newlines(to);
        self.line += lines;
        if let Some(offset) = last {
            self.line_start = offset + 1;
        }
        self.keep = to;
    }

    /// The newlines between `keep` and `to`: how many, and the offset of the last.
    fn newlines(&self, to: usize) -> (usize, Option<usize>) {
        let bytes = self
            .buf
            .get(self.keep - self.base..to - self.base)
            .unwrap_or_default();
        let count = bytes.iter().filter(|b| **b == b'\n').count();
        let last = bytes
            .iter()
            .rposition(|b| *b == b'\n')
            .map(|i| self.keep + i);
        (count, last)
    }

    /// Reads on; `false` at the end of the file. Bytes before `keep` are dropped first when
    /// they are at least half the window.
    fn more(&mut self) -> io::Result<bool> {
        let done = self.keep - self.base;
        if done > 0 && done >= self.buf.len() / 2 {
            self.buf.drain(..done);
            self.valid -= done;
            self.base = self.keep;
        }
        loop {
            if self.eof {
                return if self.valid < self.buf.len() {
                    Err(not_utf8())
                } else {
                    Ok(false)
                };
            }
            let old = self.buf.len();
            self.buf.resize(old + CHUNK, 0);
            let read = loop {
                let free = self.buf.get_mut(old..).unwrap_or_default();
                match self.inner.read(free) {
                    Ok(n) => break Ok(n),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => break Err(e),
                }
            };
            let n = match read {
                Ok(n) => n,
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(e);
                }
            };
            self.buf.truncate(old + n);
            if n == 0 {
                self.eof = true;
                continue;
            }
            let before = self.valid;
            let unchecked = self.buf.get(self.valid..).unwrap_or_default();
            match std::str::from_utf8(unchecked) {
                Ok(_) => self.valid = self.buf.len(),
                Err(e) if e.error_len().is_some() => return Err(not_utf8()),
                Err(e) => self.valid += e.valid_up_to(),
            }
            if self.valid > before {
                return Ok(true);
            }
        }
    }
}

/// What `read_to_string` says of a file that is not UTF-8.
pub(super) fn not_utf8() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "stream did not contain valid UTF-8",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records what the pass finds.
    #[derive(Default)]
    struct Record {
        members: Vec<(String, String)>,
        items: Vec<(String, usize, usize)>,
        arrays: usize,
    }

    impl Sink for Record {
        fn member(&mut self, name: &str, value: &str) -> Result<(), Bail> {
            self.members.push((name.to_owned(), value.to_owned()));
            Ok(())
        }
        fn items(&mut self) {
            self.arrays += 1;
        }
        fn item(&mut self, text: &str, line: usize, column: usize) -> Result<(), Bail> {
            self.items.push((text.to_owned(), line, column));
            Ok(())
        }
    }

    fn split(text: &str) -> Result<Record, Bail> {
        let mut record = Record::default();
        scan(text.as_bytes(), &mut record).unwrap()?;
        Ok(record)
    }

    #[test]
    fn items_and_members_are_split_with_the_items_positions() {
        let text = "{\"apiVersion\": \"v1\",\n \"items\": [\n  {\"a\": \"}]\\\"\"},\n  [1, 2], 3 ,\"x\"\n ],\n \"kind\": \"List\"}\n";
        let record = split(text).unwrap();
        assert_eq!(
            record.members,
            [
                ("apiVersion".to_owned(), "\"v1\"".to_owned()),
                ("kind".to_owned(), "\"List\"".to_owned())
            ]
        );
        let items: Vec<(&str, usize, usize)> = record
            .items
            .iter()
            .map(|(t, l, c)| (t.as_str(), *l, *c))
            .collect();
        assert_eq!(
            items,
            [
                ("{\"a\": \"}]\\\"\"}", 3, 2),
                ("[1, 2]", 4, 2),
                ("3", 4, 10),
                ("\"x\"", 4, 13)
            ]
        );
        assert_eq!(record.arrays, 1);
    }

    #[test]
    fn anything_unsure_is_left_to_serde() {
        let deep = format!("{{\"items\": [{}{}]}}", "[".repeat(120), "]".repeat(120));
        assert_eq!(split(&deep).err(), Some(Bail));
        for text in [
            "[]",
            "{\"items\": {}}",
            "",
            " 7",
            "{\"items\": [1,]}",
            "{\"items\": [1 2]}",
            "{\"items\": [1]} x",
            "{\"items\": [1]",
            "{\"kind\" \"List\"}",
            "{\"items\": [{]}",
            "{\"items\": [\"open]}",
            "{\"ki\\nd\": 1,}",
        ] {
            assert_eq!(split(text).err(), Some(Bail), "{text}");
        }
    }

    #[test]
    fn escapes_and_characters_split_by_a_read_are_followed() {
        // Items whose escapes and multi-byte characters straddle the end of the first chunk
        // at every offset near it: the split is serde's.
        #[derive(serde::Deserialize)]
        struct List<'a> {
            #[serde(borrow)]
            items: Vec<&'a serde_json::value::RawValue>,
        }
        for shift in 0..40 {
            let pad = "p".repeat(CHUNK - 40 + shift);
            let text = format!(
                "{{\"items\": [\"{pad}\", \"a\\\"b\\\\\", {{\"k\": \"\\\\\\\"é]\"}}, \"€\"]}}"
            );
            let expected: Vec<&str> = serde_json::from_str::<List<'_>>(&text)
                .unwrap()
                .items
                .iter()
                .map(|raw| raw.get())
                .collect();
            let record = split(&text).unwrap();
            let got: Vec<&str> = record.items.iter().map(|(t, _, _)| t.as_str()).collect();
            assert_eq!(got, expected, "shift {shift}");
        }
    }

    #[test]
    fn a_file_that_is_not_utf8_cannot_be_read() {
        let mut bytes = b"{\"items\": [\"".to_vec();
        bytes.extend([0xff, b'"', b']', b'}']);
        let err = scan(bytes.as_slice(), &mut Record::default()).unwrap_err();
        assert_eq!(err.to_string(), "stream did not contain valid UTF-8");
    }
}
