//! Charts drawn on the server as SVG: presentation attributes only (the CSP forbids inline
//! style), text escaped, a `<title>` on every bar for a pointer and a screen reader.

use std::fmt::Write;

use liandong_domain::case::tally::Tally;

use crate::Lang;

const BLUE: &str = "#1565c0";
const GREEN: &str = "#2e7d32";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A per mille rate as a percentage with one decimal, or "—" without a base.
pub fn percent(permille: Option<i64>) -> String {
    match permille {
        Some(p) => format!("{}.{}%", p / 10, p % 10),
        None => "—".into(),
    }
}

/// Received and concluded side by side for each day or month of `series`.
pub fn volume_chart(series: &[(String, Tally)], l: Lang) -> String {
    let (width, height, left, bottom, top) = (760.0_f64, 240.0_f64, 44.0_f64, 36.0_f64, 24.0_f64);
    let max = series
        .iter()
        .map(|(_, t)| t.received.max(t.concluded))
        .max()
        .unwrap_or(0)
        .max(1);
    let n = series.len().max(1) as f64;
    let slot = (width - left - 8.0) / n;
    let bar = (slot * 0.4).clamp(1.0, 18.0);
    let scale = (height - bottom - top) / max as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\" font-size=\"11\" font-family=\"sans-serif\">",
        escape(l.t("monitor.chart_volume"))
    );
    let base = height - bottom;
    let _ = write!(
        svg,
        "<line x1=\"{left}\" y1=\"{base}\" x2=\"{width}\" y2=\"{base}\" stroke=\"#999\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{max}</text><text x=\"{}\" y=\"{base}\" text-anchor=\"end\">0</text>",
        left - 4.0,
        top + 4.0,
        left - 4.0
    );
    // Every label would crowd a long series: about twelve are shown.
    let every = (series.len() / 12).max(1);
    for (i, (key, t)) in series.iter().enumerate() {
        let x = left + slot * i as f64 + slot * 0.1;
        for (j, (value, colour, what)) in [
            (t.received, BLUE, l.t("monitor.received")),
            (t.concluded, GREEN, l.t("monitor.concluded")),
        ]
        .into_iter()
        .enumerate()
        {
            let h = value as f64 * scale;
            let _ = write!(
                svg,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{} {what} {value}</title></rect>",
                x + j as f64 * bar,
                base - h,
                escape(key)
            );
        }
        if i % every == 0 {
            let label = key.get(5..).unwrap_or(key);
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x + bar,
                base + 14.0,
                escape(label)
            );
        }
    }
    let _ = write!(
        svg,
        "<rect x=\"{left}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{BLUE}\"/><text x=\"{}\" y=\"{}\">{}</text><rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{GREEN}\"/><text x=\"{}\" y=\"{}\">{}</text></svg>",
        height - 12.0,
        left + 14.0,
        height - 3.0,
        escape(l.t("monitor.received")),
        left + 84.0,
        height - 12.0,
        left + 98.0,
        height - 3.0,
        escape(l.t("monitor.concluded"))
    );
    svg
}

/// A horizontal bar per line: its on-time rate out of 100 %.
pub fn rate_bars(rows: &[(String, Option<i64>)], l: Lang) -> String {
    let (width, label, line) = (760.0_f64, 220.0_f64, 22.0_f64);
    let height = line * rows.len().max(1) as f64 + 8.0;
    let span = width - label - 70.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\" font-size=\"12\" font-family=\"sans-serif\">",
        escape(l.t("monitor.chart_on_time"))
    );
    for (i, (name, rate)) in rows.iter().enumerate() {
        let y = 4.0 + line * i as f64;
        let w = rate.map_or(0.0, |p| span * p as f64 / 1000.0);
        let colour = match rate {
            Some(p) if *p >= 950 => GREEN,
            Some(p) if *p >= 800 => "#ef6c00",
            Some(_) => "#c62828",
            None => "#999",
        };
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect x=\"{label}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{colour}\"><title>{} {}</title></rect><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            label - 6.0,
            y + 14.0,
            escape(name),
            y + 3.0,
            line - 6.0,
            escape(name),
            percent(*rate),
            label + w + 4.0,
            y + 14.0,
            percent(*rate)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_keep_one_decimal() {
        assert_eq!(percent(Some(967)), "96.7%");
        assert_eq!(percent(Some(1000)), "100.0%");
        assert_eq!(percent(Some(5)), "0.5%");
        assert_eq!(percent(None), "—");
    }

    #[test]
    fn a_chart_has_a_bar_per_count_and_escapes_its_labels() {
        let day = Tally {
            received: 12,
            concluded: 7,
            ..Tally::default()
        };
        let svg = volume_chart(
            &[("2026-03-02".into(), day), ("2026-03-03".into(), day)],
            Lang::Zh,
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<title>").count(), 4);
        assert!(svg.contains("收件 12"), "{svg}");
        assert!(!svg.contains("style="), "no inline style under the CSP");
        let bars = rate_bars(
            &[("A<&>B".into(), Some(990)), ("空".into(), None)],
            Lang::En,
        );
        assert!(bars.contains("A&lt;&amp;&gt;B") && !bars.contains("A<&>B"));
        assert!(bars.contains("99.0%") && bars.contains("—"));
    }
}
