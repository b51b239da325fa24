//! Wrapping of drill-down lines to the terminal width, done when the drill-down is built (and
//! again on resize), so scrolling counts screen rows and nothing — a fix command, an AWS error
//! — is cut off on an 80-column terminal. Continuation rows are indented under the line's own
//! indentation. Widths count `char`s: the views are ASCII plus a few one-column symbols.

use super::{DrillLine, DrillSpan};

/// Wraps every line to at most `width` columns.
pub fn wrap(lines: Vec<DrillLine>, width: usize) -> Vec<DrillLine> {
    let width = width.max(20);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let len: usize = line.spans.iter().map(|s| s.text.chars().count()).sum();
        if len <= width {
            out.push(line);
            continue;
        }
        let text = line.text();
        let indent = (text.chars().take_while(|c| *c == ' ').count() + 4).min(width / 2);
        let mut row = DrillLine::default();
        let mut used = 0;
        for span in line.spans {
            let mut rest: &str = &span.text;
            while !rest.is_empty() {
                let room = width - used;
                let take = rest.chars().count().min(room);
                let split = rest.char_indices().nth(take).map_or(rest.len(), |(i, _)| i);
                let (head, tail) = rest.split_at(split);
                if !head.is_empty() {
                    row.spans.push(DrillSpan::new(span.tone, head));
                    used += take;
                }
                rest = tail;
                if used == width && !rest.is_empty() {
                    out.push(std::mem::take(&mut row));
                    row.spans
                        .push(DrillSpan::new(span.tone, " ".repeat(indent)));
                    used = indent;
                }
            }
        }
        if !row.spans.is_empty() {
            out.push(row);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tone::Tone;

    #[test]
    fn long_lines_wrap_under_their_indentation_and_keep_tones() {
        let line = DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, "  fix: "),
            DrillSpan::new(Tone::Code, "a".repeat(50)),
        ]);
        let rows = wrap(vec![line, DrillLine::plain("short")], 24);
        let texts: Vec<String> = rows.iter().map(DrillLine::text).collect();
        assert_eq!(texts[0], format!("  fix: {}", "a".repeat(17)));
        assert_eq!(texts[1], format!("      {}", "a".repeat(18)));
        assert_eq!(texts[2], format!("      {}", "a".repeat(15)));
        assert_eq!(texts[3], "short");
        assert!(rows.iter().all(|r| r.text().chars().count() <= 24));
        assert_eq!(rows[1].spans.last().map(|s| s.tone), Some(Tone::Code));
        let total: usize = texts[..3].iter().map(|t| t.matches('a').count()).sum();
        assert_eq!(total, 50, "no character lost");
    }
}
