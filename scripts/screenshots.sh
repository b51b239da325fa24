#!/usr/bin/env bash
# Renders the README's screenshots from the real UI on the embedded demo lab: each pane and the
# two key drill-downs, drawn into ratatui's TestBackend, saved as SVG, converted to PNG.
# Needs rsvg-convert (Debian/Ubuntu: apt-get install librsvg2-bin) and the DejaVu fonts.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v rsvg-convert >/dev/null || { echo "rsvg-convert missing: apt-get install librsvg2-bin" >&2; exit 1; }
out=screenshots
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo run --quiet --example screenshots -- "$tmp"
mkdir -p "$out"
for svg in "$tmp"/*.svg; do
  png="$out/$(basename "${svg%.svg}").png"
  rsvg-convert --background-color '#1d1f21' -o "$png" "$svg"
  echo "$png"
done
