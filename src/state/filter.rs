//! The `/` filter: a case-insensitive substring by default, fuzzy (nucleo's matcher, the one
//! helix and television use) when the text starts with `~`.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use std::borrow::Cow;

/// What the user typed after `/`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    text: String,
}

impl Filter {
    /// A filter from the typed text (`~` prefix = fuzzy).
    pub fn parse(text: &str) -> Filter {
        Filter {
            text: text.to_owned(),
        }
    }

    /// The text as typed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True when nothing is filtered out.
    pub fn is_empty(&self) -> bool {
        self.needle().is_empty()
    }

    /// True for a `~` fuzzy filter.
    pub fn is_fuzzy(&self) -> bool {
        self.text.starts_with('~')
    }

    fn needle(&self) -> &str {
        self.text.strip_prefix('~').unwrap_or(&self.text).trim()
    }

    /// A matcher for one pass over the rows (holds the fuzzy matcher's scratch space).
    pub fn matcher(&self) -> RowMatcher {
        let needle = self.needle();
        if needle.is_empty() {
            RowMatcher::All
        } else if self.is_fuzzy() {
            RowMatcher::Fuzzy {
                pattern: Pattern::parse(needle, CaseMatching::Ignore, Normalization::Smart),
                matcher: Box::new(Matcher::new(Config::DEFAULT)),
                buf: Vec::new(),
            }
        } else {
            RowMatcher::Substring(needle.to_lowercase())
        }
    }
}

/// Decides for each row's haystack whether it passes the filter.
pub enum RowMatcher {
    All,
    Substring(String),
    Fuzzy {
        pattern: Pattern,
        matcher: Box<Matcher>,
        buf: Vec<char>,
    },
}

impl RowMatcher {
    /// True when the (lower-cased) haystack passes.
    pub fn matches(&mut self, haystack: &str) -> bool {
        match self {
            RowMatcher::All => true,
            RowMatcher::Substring(needle) => haystack.contains(needle.as_str()),
            RowMatcher::Fuzzy {
                pattern,
                matcher,
                buf,
            } => pattern
                .score(Utf32Str::new(haystack, buf), matcher)
                .is_some(),
        }
    }

    /// As [`RowMatcher::matches`], building the haystack only when a filter reads it (the
    /// Pods pane builds its haystacks on demand; with no filter, none is built).
    pub fn matches_lazy<'h>(&mut self, haystack: impl FnOnce() -> Cow<'h, str>) -> bool {
        matches!(self, RowMatcher::All) || self.matches(&haystack())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passes(filter: &str, haystack: &str) -> bool {
        Filter::parse(filter).matcher().matches(haystack)
    }

    #[test]
    fn filters_match_as_documented() {
        let cases = [
            ("", "demo s3-reader", true),
            ("s3-r", "demo s3-reader", true),
            ("S3-R", "demo s3-reader", true),
            ("s3r", "demo s3-reader", false),
            ("~s3r", "demo s3-reader", true),
            ("~dmsr", "demo s3-reader", true),
            ("~zzz", "demo s3-reader", false),
            ("~", "anything", true),
        ];
        for (filter, haystack, expected) in cases {
            assert_eq!(
                passes(filter, haystack),
                expected,
                "{filter:?} on {haystack:?}"
            );
        }
    }
}
