//! Pages for the hotline office and leaders: the supervision board (red and yellow lights), the
//! dashboard with charts and the ranking, and the briefing with downloads and a printable view.

use leptos::prelude::*;
use minhu_types::{Briefing, Overview, Ranking, SupervisionBoard, UnitKind};
use wasm_bindgen::JsCast;

use super::public::RankingTable;
use crate::api::{self, query};
use crate::charts::{Bars, Trend};
use crate::format;
use crate::route::Route;
use crate::ui::{load, show, Ctx, EnumSelect, ErrorLine, LightBadge, SupportersTag, Tag, Title};

#[component]
pub fn Supervision() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let data = load(|token| async move {
        api::get::<SupervisionBoard>(token.as_deref(), "/supervision").await
    });
    view! {
        <Title text=Signal::derive(move || ctx.t().supervision.to_owned()) />
        {show(data, move |b: &SupervisionBoard| {
            let now = format::now();
            view! {
                <section class="card">
                    <h2>{t.by_unit}</h2>
                    <div class="table-wrap">
                        <table class="table">
                            <thead><tr>
                                <th scope="col">{t.unit}</th>
                                <th scope="col" class="num">{t.open_orders}</th>
                                <th scope="col" class="num"><span class="light light-yellow">{t.yellow}</span></th>
                                <th scope="col" class="num"><span class="light light-red">{t.red}</span></th>
                            </tr></thead>
                            <tbody>
                                {b.units.iter().map(|u| view! {
                                    <tr class:alarm={u.red > 0}>
                                        <th scope="row">{u.unit.name.clone()}</th>
                                        <td class="num">{u.open}</td>
                                        <td class="num">{u.yellow}</td>
                                        <td class="num">{u.red}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </section>
                <section class="card">
                    <h2>{t.urgent_orders}</h2>
                    {if b.urgent.is_empty() {
                        view! { <p class="muted">{t.nothing_to_do}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="plain">
                                {b.urgent.iter().map(|a| view! {
                                    <li>
                                        <LightBadge light=a.light />" "
                                        <a href=Route::Petition(a.petition.id).href()>{a.petition.title.clone()}</a>
                                        <span class="muted small">" · "{a.unit.name.clone()}" · "{format::remaining(a.reply_by, now, t)}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
                <section class="card">
                    <h2>{t.supervised_petitions}</h2>
                    {if b.supervised.is_empty() {
                        view! { <p class="muted">{t.nothing_found}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="plain">
                                {b.supervised.iter().map(|p| view! {
                                    <li>
                                        <a href=Route::Petition(p.id).href()>{p.title.clone()}</a>" "
                                        <Tag wire=p.status.as_str() zh=p.status.label() class="status" />" "
                                        <SupportersTag count=p.supporters />
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            }
        })}
    }
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let today = format::date(format::now());
    let this_month = format::month_of(today);
    let last_month = format::previous_month(today);
    let period = RwSignal::new(last_month.clone());
    let kind = RwSignal::new(UnitKind::District.as_str().to_owned());
    let overview = load(move |token| {
        let path = format!(
            "/stats/overview{}",
            query(&[("period", Some(period.get()))])
        );
        async move { api::get::<Overview>(token.as_deref(), &path).await }
    });
    let ranking = load(move |token| {
        let path = format!(
            "/rankings{}",
            query(&[
                ("period", Some(period.get())),
                ("unit_kind", Some(kind.get()))
            ])
        );
        async move { api::get::<Ranking>(token.as_deref(), &path).await }
    });
    let kinds: Vec<_> = UnitKind::ALL
        .iter()
        .filter(|k| **k != UnitKind::HotlineOffice)
        .map(|k| (k.as_str(), k.label()))
        .collect();
    view! {
        <Title text=Signal::derive(move || ctx.t().dashboard.to_owned()) />
        <div class="filters">
            <label for="dash-period">{t.period}</label>
            <select id="dash-period" on:change=move |ev| period.set(event_target_value(&ev))>
                <option value=this_month.clone()>{t.this_month}" "{this_month.clone()}</option>
                <option value=last_month.clone()>{t.last_month}" "{last_month.clone()}</option>
            </select>
        </div>
        {show(overview, move |o: &Overview| {
            let lang = ctx.lang.get_untracked();
            let relabel = move |items: &[minhu_types::KeyCount], zh: fn(&str) -> Option<&'static str>| -> Vec<minhu_types::KeyCount> {
                items.iter().map(|k| minhu_types::KeyCount {
                    label: zh(&k.key).map_or_else(|| k.label.clone(), |z| lang.label(&k.key, z)),
                    ..k.clone()
                }).collect()
            };
            view! {
                <div class="stats">
                    <div class="stat"><span class="stat-n">{o.total}</span><span>{t.total_received}</span></div>
                    <div class="stat"><span class="stat-n">{o.open_now}</span><span>{t.open_now}</span></div>
                    <div class="stat alarm"><span class="stat-n">{o.overdue_now}</span><span>{t.overdue_now}</span></div>
                    <div class="stat"><span class="stat-n">{o.avg_reply_hours.map_or_else(|| "—".into(), |h| format!("{h:.1}"))}</span><span>{t.avg_reply_hours}</span></div>
                </div>
                <section class="card">
                    <h2>{t.trend_by_day}</h2>
                    <Trend points=o.by_day.clone() label=t.trend_by_day.to_owned() />
                </section>
                <div class="grid-2">
                    <section class="card">
                        <h2>{t.by_category}</h2>
                        <Bars items=o.by_category.clone() label=t.by_category.to_owned() />
                    </section>
                    <section class="card">
                        <h2>{t.by_status}</h2>
                        <Bars items=relabel(&o.by_status, |k| minhu_types::PetitionStatus::parse(k).map(|s| s.label())) label=t.by_status.to_owned() />
                    </section>
                    <section class="card">
                        <h2>{t.by_kind}</h2>
                        <Bars items=relabel(&o.by_kind, |k| minhu_types::PetitionKind::parse(k).map(|s| s.label())) label=t.by_kind.to_owned() />
                    </section>
                    <section class="card">
                        <h2>{t.by_source}</h2>
                        <Bars items=relabel(&o.by_source, |k| minhu_types::Source::parse(k).map(|s| s.label())) label=t.by_source.to_owned() />
                    </section>
                </div>
            }
        })}
        <section class="card">
            <h2>{t.ranking_by_unit}</h2>
            <div class="filters">
                <label for="dash-kind">{t.unit_kind}</label>
                <EnumSelect id="dash-kind" options=kinds value=kind />
            </div>
            {show(ranking, move |r: &Ranking| {
                let units: Vec<minhu_types::KeyCount> = r.items.iter().map(|i| minhu_types::KeyCount {
                    key: i.unit.id.to_string(),
                    label: i.unit.name.clone(),
                    n: i.received,
                }).collect();
                view! {
                    <Bars items=units label=ctx.t().by_unit.to_owned() />
                    <RankingTable ranking=r.clone() />
                }
            })}
        </section>
    }
}

/// Saves `text` as a file the browser downloads.
pub(crate) fn download(name: &str, mime: &str, text: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let doc = web_sys::window()?.document()?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a").ok()?.dyn_into().ok()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Some(())
}

#[component]
pub fn Briefings() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let range = move || query(&[("from", Some(from.get())), ("to", Some(to.get()))]);
    let data = load(move |token| {
        let path = format!("/briefings{}", range());
        async move { api::get::<Briefing>(token.as_deref(), &path).await }
    });
    let error = RwSignal::new(None::<String>);
    let fetch_file = move |format: &'static str, ext: &'static str, mime: &'static str| {
        let token = ctx.token();
        let sep = if range().is_empty() { "?" } else { "&" };
        let path = format!("/briefings{}{sep}format={format}", range());
        leptos::task::spawn_local(async move {
            match api::get_text(token.as_deref(), &path).await {
                Ok(text) => {
                    download(&format!("minhu-briefing.{ext}"), mime, &text);
                }
                Err(e) => {
                    ctx.check(&e);
                    error.try_set(Some(e.message(ctx.t())));
                }
            }
        });
    };
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <Title text=Signal::derive(move || ctx.t().briefings.to_owned()) />
        <div class="filters no-print">
            <label for="b-from">{t.from}</label>
            <input id="b-from" type="date" on:change=move |ev| from.set(event_target_value(&ev)) />
            <label for="b-to">{t.to}</label>
            <input id="b-to" type="date" on:change=move |ev| to.set(event_target_value(&ev)) />
            <button class="button secondary" on:click=move |_| fetch_file("csv", "csv", "text/csv")>{t.download_csv}</button>
            <button class="button secondary" on:click=move |_| fetch_file("markdown", "md", "text/markdown")>{t.download_md}</button>
            <button class="button secondary" on:click=print>{t.print}</button>
        </div>
        <ErrorLine error=error />
        {show(data, move |b: &Briefing| view! {
            <article class="card briefing">
                <h2>{(t.briefing_title)(&b.period.from.to_string(), &b.period.to.to_string())}</h2>
                <div class="stats">
                    <div class="stat"><span class="stat-n">{b.received}</span><span>{t.received}</span></div>
                    <div class="stat"><span class="stat-n">{b.accepted}</span><span>{t.accepted}</span></div>
                    <div class="stat"><span class="stat-n">{b.dispatched}</span><span>{t.dispatched}</span></div>
                    <div class="stat"><span class="stat-n">{b.replied}</span><span>{t.replied}</span></div>
                    <div class="stat"><span class="stat-n">{b.closed}</span><span>{t.closed}</span></div>
                </div>
                <h3>{t.by_unit}</h3>
                <div class="table-wrap">
                    <table class="table">
                        <thead><tr>
                            <th scope="col">{t.unit}</th>
                            <th scope="col" class="num">{t.received}</th>
                            <th scope="col" class="num">{t.replied}</th>
                            <th scope="col" class="num">{t.on_time_rate}</th>
                            <th scope="col" class="num">{t.satisfaction_rate}</th>
                        </tr></thead>
                        <tbody>
                            {b.by_unit.iter().map(|u| view! {
                                <tr>
                                    <th scope="row">{u.unit.name.clone()}</th>
                                    <td class="num">{u.received}</td>
                                    <td class="num">{u.replied}</td>
                                    <td class="num">{format::percent(u.on_time_rate)}</td>
                                    <td class="num">{format::percent(u.satisfaction_rate)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <h3>{t.overdue_cases}</h3>
                <Cases cases=b.overdue.clone() />
                <h3>{t.typical_cases}</h3>
                <Cases cases=b.typical.clone() />
            </article>
        })}
    }
}

#[component]
fn Cases(cases: Vec<minhu_types::BriefingCase>) -> impl IntoView {
    let ctx = Ctx::get();
    if cases.is_empty() {
        return view! { <p class="muted">{ctx.t().nothing_found}</p> }.into_any();
    }
    view! {
        <ul class="plain">
            {cases.into_iter().map(|c| view! {
                <li>
                    <span class="mono">{c.tracking_no}</span>" "{c.title}" "
                    <Tag wire=c.status.as_str() zh=c.status.label() class="status" />
                    {c.unit.map(|u| view! { <span class="muted">" · "{u}</span> })}
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}
