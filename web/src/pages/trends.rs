//! 趋势 (leaders, reporters, the hotline office): counts by category or by area for a month or
//! an ISO week against the previous period (环比) and the same period a year earlier (同比), the
//! fastest risers, a chart of this period against the previous one, and the table as CSV.

use chrono::NaiveDate;
use leptos::prelude::*;
use minhu_types::{TrendBy, TrendCluster, TrendItem, Trends as TrendData};

use super::officials::download;
use crate::api::{self, query};
use crate::charts::PairedBars;
use crate::format;
use crate::text::Text;
use crate::ui::{load, show, Ctx, ErrorLine, Title};

/// `by=` of the API.
pub fn by_wire(by: TrendBy) -> &'static str {
    match by {
        TrendBy::Category => "category",
        TrendBy::Area => "area",
    }
}

/// The API path of the trends for a period (`YYYY-MM` or `YYYY-Www`) and grouping, as JSON or
/// as CSV.
pub fn trends_path(period: &str, by: TrendBy, csv: bool) -> String {
    format!(
        "/stats/trends{}",
        query(&[
            ("period", Some(period.to_owned())),
            ("by", Some(by_wire(by).to_owned())),
            ("format", csv.then(|| "csv".to_owned())),
        ])
    )
}

/// The periods offered (value, label): the last whole month first (the default), this month,
/// this week, and the four weeks before it.
pub fn period_choices(today: NaiveDate, t: &Text) -> Vec<(String, String)> {
    let (last_month, this_month) = (format::previous_month(today), format::month_of(today));
    let this_week = format::iso_week(today);
    let mut out = vec![
        (last_month.clone(), format!("{} {last_month}", t.last_month)),
        (this_month.clone(), format!("{} {this_month}", t.this_month)),
        (this_week.clone(), format!("{} {this_week}", t.this_week)),
    ];
    for (i, w) in format::weeks_before(today, 4).into_iter().enumerate() {
        let label = if i == 0 {
            format!("{} {w}", t.last_week)
        } else {
            w.clone()
        };
        out.push((w, label));
    }
    out
}

/// The name of the grouping, as the radio buttons and the caption say it.
fn by_label(by: TrendBy, t: &Text) -> &'static str {
    match by {
        TrendBy::Category => t.trend_by_category,
        TrendBy::Area => t.trend_by_area,
    }
}

#[component]
pub fn Trends() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let choices = period_choices(format::date(format::now()), t);
    let period = RwSignal::new(choices[0].0.clone());
    let by = RwSignal::new(TrendBy::Category);
    let data = load(move |token| {
        let path = trends_path(&period.get(), by.get(), false);
        async move { api::get::<TrendData>(token.as_deref(), &path).await }
    });
    let error = RwSignal::new(None::<String>);
    // The API wants the token, which a plain link would not send: the click fetches the CSV
    // with it and saves it (as the briefing's download does); the link still says where it is.
    let csv_href = move || {
        format!(
            "{}{}",
            api::BASE,
            trends_path(&period.get(), by.get(), true)
        )
    };
    let fetch_csv = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let token = ctx.token();
        let (p, b) = (period.get_untracked(), by.get_untracked());
        let path = trends_path(&p, b, true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::get_text(token.as_deref(), &path).await {
                Ok(text) => {
                    download(
                        &format!("minhu-trends-{p}-{}.csv", by_wire(b)),
                        "text/csv",
                        &text,
                    );
                }
                Err(e) => {
                    ctx.check(&e);
                    error.try_set(Some(e.message(ctx.t())));
                }
            }
        });
    };
    let radio = move |value: TrendBy| {
        view! {
            <label class="check">
                <input type="radio" name="trend-by" value=by_wire(value)
                    prop:checked=move || by.get() == value
                    on:change=move |_| by.set(value) />
                {by_label(value, t)}
            </label>
        }
    };
    view! {
        <Title text=Signal::derive(move || ctx.t().trends.to_owned()) />
        <p class="muted">{t.trends_intro}</p>
        <div class="filters">
            <label for="trend-period">{t.period}</label>
            <select id="trend-period" on:change=move |ev| period.set(event_target_value(&ev))>
                {choices.into_iter().map(|(value, label)| {
                    let v = value.clone();
                    view! { <option value=value selected=move || period.get() == v>{label}</option> }
                }).collect_view()}
            </select>
            <fieldset class="inline">
                <legend>{t.trend_group}</legend>
                {radio(TrendBy::Category)}
                {radio(TrendBy::Area)}
            </fieldset>
            <a class="button secondary" href=csv_href download="minhu-trends.csv" on:click=fetch_csv>
                {t.download_csv}
            </a>
        </div>
        <ErrorLine error=error />
        {show(data, move |d: &TrendData| view! { <TrendView data=d.clone() /> })}
    }
}

#[component]
fn TrendView(data: TrendData) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let what = match data.by {
        TrendBy::Category => t.trend_category,
        TrendBy::Area => t.trend_area,
    };
    let caption = (t.trend_caption)(
        by_label(data.by, t),
        &data.period.from.to_string(),
        &data.period.to.to_string(),
    );
    let compared = (t.trend_compared)(
        &data.previous.from.to_string(),
        &data.previous.to.to_string(),
        &data.year_ago.from.to_string(),
        &data.year_ago.to.to_string(),
    );
    let bars: Vec<(String, i64, i64)> = data
        .items
        .iter()
        .map(|i| (i.label.clone(), i.count, i.previous))
        .collect();
    let empty = data.items.is_empty();
    view! {
        <section class="card">
            {if empty {
                view! { <p class="muted">{t.nothing_found}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table trends">
                            <caption>{caption}</caption>
                            <thead><tr>
                                <th scope="col">{what}</th>
                                <th scope="col" class="num">{t.trend_count}</th>
                                <th scope="col" class="num">{t.trend_previous}</th>
                                <th scope="col" class="num">{t.trend_change}</th>
                                <th scope="col" class="num">{t.trend_year_ago}</th>
                                <th scope="col" class="num">{t.trend_yoy}</th>
                            </tr></thead>
                            <tbody>
                                {data.items.iter().map(|i| view! {
                                    <tr>
                                        <th scope="row">{i.label.clone()}</th>
                                        <td class="num">{i.count}</td>
                                        <td class="num">{i.previous}</td>
                                        <td class="num" class:change-up=rising(i.change)>{format::signed_percent(i.change)}</td>
                                        <td class="num">{i.year_ago}</td>
                                        <td class="num" class:change-up=rising(i.yoy_change)>{format::signed_percent(i.yoy_change)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <p class="muted small">{compared}</p>
        </section>
        <div class="grid-2">
            <section class="card" aria-labelledby="rising-heading">
                <h2 id="rising-heading">{t.rising_fastest}</h2>
                <Rising items=data.rising.clone() />
            </section>
            <section class="card">
                <h2>{t.trend_chart}</h2>
                <PairedBars items=bars label=t.trend_chart.to_owned()
                    first=t.trend_count.to_owned() second=t.trend_previous.to_owned() />
            </section>
        </div>
        <section class="card" aria-labelledby="clusters-heading">
            <h2 id="clusters-heading">{t.repeat_clusters}</h2>
            <p class="muted small">{t.repeat_clusters_hint}</p>
            <Clusters items=data.clusters.clone() />
        </section>
    }
}

#[component]
fn Clusters(items: Vec<TrendCluster>) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    if items.is_empty() {
        return view! { <p class="muted">{t.nothing_repeated}</p> }.into_any();
    }
    view! {
        <ol class="rising">
            {items.into_iter().map(|k| view! {
                <li>
                    <a href=format!("/petitions/{}", k.petition_id)>{k.title}</a>" "
                    <span class="muted small">{k.tracking_no}</span>" "
                    <strong>{format!("{} {}", t.repeats, k.repeats)}</strong>
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

fn rising(change: Option<f64>) -> bool {
    change.is_some_and(|c| c > 0.0)
}

#[component]
fn Rising(items: Vec<TrendItem>) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    if items.is_empty() {
        return view! { <p class="muted">{t.nothing_rising}</p> }.into_any();
    }
    view! {
        <ol class="rising">
            {items.into_iter().map(|i| view! {
                <li>
                    <strong>{i.label}</strong>" "
                    <span class="change-up">{format::signed_percent(i.change)}</span>
                    <span class="muted small">{format!(" · {} → {}", i.previous, i.count)}</span>
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{EN, ZH};

    #[test]
    fn paths() {
        assert_eq!(
            trends_path("2026-10", TrendBy::Category, false),
            "/stats/trends?period=2026-10&by=category"
        );
        assert_eq!(
            trends_path("2026-W47", TrendBy::Area, true),
            "/stats/trends?period=2026-W47&by=area&format=csv"
        );
    }

    #[test]
    fn the_last_whole_month_comes_first() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        let c = period_choices(today, &ZH);
        let values: Vec<&str> = c.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(
            values,
            ["2026-10", "2026-11", "2026-W48", "2026-W47", "2026-W46", "2026-W45", "2026-W44"]
        );
        assert_eq!(c[0].1, "上月 2026-10");
        assert_eq!(c[3].1, "上周 2026-W47");
        assert_eq!(period_choices(today, &EN)[2].1, "This week 2026-W48");
        // In January the last whole month is last year's December.
        let jan = NaiveDate::from_ymd_opt(2027, 1, 2).expect("date");
        assert_eq!(period_choices(jan, &ZH)[0].0, "2026-12");
    }

    #[test]
    fn only_increases_are_marked_rising() {
        assert!(rising(Some(0.2)));
        assert!(!rising(Some(0.0)) && !rising(Some(-0.5)) && !rising(None));
    }
}
