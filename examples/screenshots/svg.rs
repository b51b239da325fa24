//! A drawn frame as an SVG picture: one fixed-size cell per terminal cell, in DejaVu Sans Mono,
//! with the frame's colours and modifiers. Used to make the README's screenshots from the real
//! UI without a terminal (`scripts/screenshots.sh` converts the SVGs to PNG with
//! `rsvg-convert`). Hand-written because it is ~100 lines and no crate renders a ratatui
//! `Buffer` to SVG.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::fmt::Write;

// DejaVu Sans Mono: advance 0.602 em, ascent 0.928 em, descent 0.236 em. A cell exactly one
// line high keeps box-drawing borders continuous.
const FONT_SIZE: f32 = 14.6;
const CELL_W: f32 = 8.8;
const CELL_H: f32 = 17.0;
const BASELINE: f32 = 13.5;
const MARGIN: f32 = 6.0;
const BACKGROUND: &str = "#1d1f21";
const FOREGROUND: &str = "#d4d4d4";

/// The hex colour of a terminal colour (a dark theme's palette); `None` for the default.
fn hex(color: Color) -> Option<String> {
    let named = match color {
        Color::Reset => return None,
        Color::Black => "#000000",
        Color::Red => "#e05252",
        Color::Green => "#4ec96b",
        Color::Yellow => "#e5c07b",
        Color::Blue => "#3b8eea",
        Color::Magenta => "#c678dd",
        Color::Cyan => "#56b6c2",
        Color::Gray => "#c0c0c0",
        Color::DarkGray => "#7f848e",
        Color::LightRed => "#ff6b6b",
        Color::LightGreen => "#7ee787",
        Color::LightYellow => "#f5e56b",
        Color::LightBlue => "#79b8ff",
        Color::LightMagenta => "#e39cf0",
        Color::LightCyan => "#8be9fd",
        Color::White => "#ffffff",
        Color::Rgb(r, g, b) => return Some(format!("#{r:02x}{g:02x}{b:02x}")),
        Color::Indexed(i) => return Some(format!("#{i:02x}{i:02x}{i:02x}")),
    };
    Some(named.to_owned())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A cell's (foreground, background) after `REVERSED`; `None` = the default colour.
fn colours(cell: &ratatui::buffer::Cell) -> (Option<String>, Option<String>) {
    let (fg, bg) = (hex(cell.fg), hex(cell.bg));
    if cell.modifier.contains(Modifier::REVERSED) {
        (
            Some(bg.unwrap_or_else(|| BACKGROUND.to_owned())),
            Some(fg.unwrap_or_else(|| FOREGROUND.to_owned())),
        )
    } else {
        (fg, bg)
    }
}

/// Renders the buffer as a standalone SVG document.
pub fn to_svg(buffer: &Buffer) -> String {
    let area = buffer.area;
    let (w, h) = (
        f32::from(area.width) * CELL_W + 2.0 * MARGIN,
        f32::from(area.height) * CELL_H + 2.0 * MARGIN,
    );
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#
    );
    let _ = writeln!(
        out,
        r#"<rect width="100%" height="100%" fill="{BACKGROUND}"/><g transform="translate({MARGIN} {MARGIN})" font-family="DejaVu Sans Mono, monospace" font-size="{FONT_SIZE}" xml:space="preserve">"#
    );
    for y in 0..area.height {
        let py = f32::from(y) * CELL_H;
        // Backgrounds first, one rectangle per run of equal colour (no seams between cells).
        let mut run: Option<(u16, String)> = None;
        for x in 0..=area.width {
            let bg = (x < area.width)
                .then(|| buffer.cell((area.x + x, area.y + y)))
                .flatten()
                .and_then(|c| colours(c).1);
            let same = matches!((&run, &bg), (Some((_, a)), Some(b)) if a == b);
            if same {
                continue;
            }
            if let Some((start, colour)) = run.take() {
                let px = f32::from(start) * CELL_W;
                let width = f32::from(x - start) * CELL_W;
                let _ = writeln!(
                    out,
                    r#"<rect x="{px}" y="{py}" width="{width}" height="{CELL_H}" fill="{colour}"/>"#
                );
            }
            run = bg.map(|b| (x, b));
        }
        for x in 0..area.width {
            let Some(cell) = buffer.cell((area.x + x, area.y + y)) else {
                continue;
            };
            let symbol = cell.symbol();
            if symbol.trim().is_empty() {
                continue;
            }
            let px = f32::from(x) * CELL_W;
            let mut attrs = format!(
                r#" fill="{}""#,
                colours(cell).0.unwrap_or_else(|| FOREGROUND.to_owned())
            );
            if cell.modifier.contains(Modifier::BOLD) {
                attrs.push_str(r#" font-weight="bold""#);
            }
            if cell.modifier.contains(Modifier::UNDERLINED) {
                attrs.push_str(r#" text-decoration="underline""#);
            }
            if cell.modifier.contains(Modifier::DIM) {
                attrs.push_str(r#" opacity="0.6""#);
            }
            let baseline = py + BASELINE;
            let _ = writeln!(
                out,
                r#"<text x="{px}" y="{baseline}"{attrs}>{}</text>"#,
                escape(symbol)
            );
        }
    }
    out.push_str("</g></svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn cells_become_positioned_text_with_their_colours_and_escaping() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 2));
        buf.set_string(0, 0, "<OK", Style::new().fg(Color::Green));
        buf.set_string(1, 1, "x", Style::new().add_modifier(Modifier::REVERSED));
        let svg = to_svg(&buf);
        assert!(svg.starts_with("<svg"));
        assert!(
            svg.contains(r##"<text x="0" y="13.5" fill="#4ec96b">&lt;</text>"##),
            "{svg}"
        );
        assert!(
            svg.contains(r##"<text x="17.6" y="13.5" fill="#4ec96b">K</text>"##),
            "{svg}"
        );
        // Reversed: the default foreground becomes the cell's background.
        assert!(
            svg.contains(r##"<rect x="8.8" y="17" width="8.8" height="17" fill="#d4d4d4"/>"##),
            "{svg}"
        );
        assert_eq!(svg.matches("<text").count(), 4);
    }
}
