//! Charts drawn as inline SVG (no script from a CDN): a column chart for a trend by day and a
//! bar list for counts by category, unit or status. The geometry is plain arithmetic, tested
//! natively.

use leptos::prelude::*;
use minhu_types::KeyCount;

/// Column heights (0–`height`) for values, scaled to the largest.
pub fn columns(values: &[i64], height: f64) -> Vec<f64> {
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    values
        .iter()
        .map(|v| (*v).max(0) as f64 / max * height)
        .collect()
}

/// Widths (0–`width`) for pairs of values on one scale (the largest of either side is full).
pub fn paired(values: &[(i64, i64)], width: f64) -> Vec<(f64, f64)> {
    let flat: Vec<i64> = values.iter().flat_map(|(a, b)| [*a, *b]).collect();
    columns(&flat, width)
        .chunks(2)
        .map(|c| (c[0], c[1]))
        .collect()
}

/// A trend by day: one column per day, with the first and last dates under it.
#[component]
pub fn Trend(points: Vec<KeyCount>, label: String) -> impl IntoView {
    const W: f64 = 600.0;
    const H: f64 = 160.0;
    let n = points.len().max(1) as f64;
    let step = W / n;
    let heights = columns(&points.iter().map(|p| p.n).collect::<Vec<_>>(), H - 20.0);
    let first = points.first().map(|p| p.label.clone()).unwrap_or_default();
    let last = points.last().map(|p| p.label.clone()).unwrap_or_default();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {}", H + 20.0) role="img" aria-label=label.clone() preserveAspectRatio="none">
                <title>{label.clone()}</title>
                {points.iter().zip(heights).enumerate().map(|(i, (p, h))| view! {
                    <rect x=format!("{:.1}", i as f64 * step + step * 0.1) y=format!("{:.1}", H - h)
                        width=format!("{:.1}", step * 0.8) height=format!("{h:.1}") class="bar">
                        <title>{format!("{}：{}", p.label, p.n)}</title>
                    </rect>
                }).collect_view()}
                <line x1="0" y1=H.to_string() x2=W.to_string() y2=H.to_string() class="axis" />
                <text x="0" y=(H + 16.0).to_string() class="axis-label">{first}</text>
                <text x=W.to_string() y=(H + 16.0).to_string() text-anchor="end" class="axis-label">{last}</text>
            </svg>
        </figure>
    }
}

/// Horizontal bars with their labels and counts (the largest first, at most `limit`).
#[component]
pub fn Bars(
    items: Vec<KeyCount>,
    label: String,
    #[prop(default = 10)] limit: usize,
) -> impl IntoView {
    let mut items = items;
    items.sort_by_key(|i| std::cmp::Reverse(i.n));
    items.truncate(limit);
    let widths = columns(&items.iter().map(|i| i.n).collect::<Vec<_>>(), 100.0);
    view! {
        <figure class="bars" aria-label=label>
            {items.into_iter().zip(widths).map(|(i, w)| view! {
                <div class="bar-row">
                    <span class="bar-label">{i.label}</span>
                    <span class="bar-track" aria-hidden="true"><span class="bar-fill" style=format!("width:{w:.1}%")></span></span>
                    <span class="bar-value">{i.n}</span>
                </div>
            }).collect_view()}
        </figure>
    }
}

/// Two bars per row on one scale: this period's count (`first`) over the previous one's
/// (`second`), with a legend; the first `limit` rows.
#[component]
pub fn PairedBars(
    items: Vec<(String, i64, i64)>,
    label: String,
    first: String,
    second: String,
    #[prop(default = 10)] limit: usize,
) -> impl IntoView {
    let mut items = items;
    items.truncate(limit);
    let widths = paired(
        &items.iter().map(|(_, a, b)| (*a, *b)).collect::<Vec<_>>(),
        100.0,
    );
    view! {
        <figure class="bars paired" aria-label=label>
            <figcaption class="legend">
                <span class="key key-now" aria-hidden="true"></span>{first.clone()}" "
                <span class="key key-before" aria-hidden="true"></span>{second.clone()}
            </figcaption>
            {items.into_iter().zip(widths).map(|((name, a, b), (wa, wb))| view! {
                <div class="bar-row">
                    <span class="bar-label">{name}</span>
                    <span class="bar-pair" aria-hidden="true">
                        <span class="bar-track"><span class="bar-fill" style=format!("width:{wa:.1}%")></span></span>
                        <span class="bar-track"><span class="bar-fill before" style=format!("width:{wb:.1}%")></span></span>
                    </span>
                    <span class="bar-value">{a}<br /><span class="muted">{b}</span></span>
                </div>
            }).collect_view()}
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::{columns, paired};

    #[test]
    fn pairs_share_one_scale() {
        assert_eq!(
            paired(&[(10, 5), (2, 20)], 100.0),
            vec![(50.0, 25.0), (10.0, 100.0)]
        );
        assert_eq!(paired(&[(0, 0)], 100.0), vec![(0.0, 0.0)]);
        assert!(paired(&[], 100.0).is_empty());
    }

    #[test]
    fn columns_scale_to_the_largest() {
        assert_eq!(columns(&[0, 5, 10], 100.0), vec![0.0, 50.0, 100.0]);
        assert_eq!(columns(&[0, 0], 100.0), vec![0.0, 0.0], "nothing to scale");
        assert!(columns(&[], 100.0).is_empty());
    }
}
