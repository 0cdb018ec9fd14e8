//! 审核队列: readers' reports on published petitions, for reporters and administrators — the
//! open ones first, then all. Each leads to the petition's page, where the 内容审核 panel
//! decides what the public sees (a decision settles the petition's open reports).

use leptos::prelude::*;
use minhu_types::{ModerationReport, Page};

use crate::api;
use crate::format;
use crate::readers::reports_query;
use crate::route::Route;
use crate::ui::{load, show, Ctx, Pager, Title};

const PER_PAGE: i64 = 20;

#[component]
pub fn Queue() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let open_only = RwSignal::new(true);
    let page = RwSignal::new(1i64);
    let data = load(move |token| {
        let path = format!(
            "/moderation/reports{}",
            reports_query(open_only.get(), page.get(), PER_PAGE)
        );
        async move { api::get::<Page<ModerationReport>>(token.as_deref(), &path).await }
    });
    let tabs = [(true, t.open_reports), (false, t.all)];
    view! {
        <Title text=Signal::derive(move || ctx.t().moderation_queue.to_owned()) />
        <p class="muted">{t.moderation_queue_intro}</p>
        <div class="tabs" role="tablist">
            {tabs.into_iter().map(|(only, label)| view! {
                <button role="tab" class="tab" aria-selected=move || (open_only.get() == only).to_string()
                    on:click=move |_| { page.set(1); open_only.set(only); }>{label}</button>
            }).collect_view()}
        </div>
        {show(data, move |p: &Page<ModerationReport>| {
            if p.items.is_empty() {
                let empty = if open_only.get_untracked() { t.no_open_reports } else { t.no_reports };
                return view! { <p class="muted empty">{empty}</p> }.into_any();
            }
            view! {
                <div class="table-wrap">
                    <table class="table reports">
                        <thead><tr>
                            <th scope="col">{t.tracking_no}</th>
                            <th scope="col">{t.public_title}</th>
                            <th scope="col">{t.report_reason}</th>
                            <th scope="col">{t.reported_at}</th>
                            <th scope="col">{t.status}</th>
                        </tr></thead>
                        <tbody>
                            {p.items.iter().map(|r| {
                                let href = Route::Petition(r.petition_id).href();
                                let resolved = r.resolved_at.is_some();
                                view! {
                                    <tr data-report=r.id class:resolved=resolved>
                                        <td class="mono">{r.tracking_no.clone()}</td>
                                        <td><a href=href>{r.public_title.clone()}</a></td>
                                        <td class="prewrap">{r.reason.clone()}</td>
                                        <td class="small"><time>{format::datetime(r.created_at)}</time></td>
                                        <td>
                                            {if resolved {
                                                view! { <span class="tag report-resolved">"✓ "{t.report_resolved}</span> }.into_any()
                                            } else {
                                                view! { <span class="tag report-open">{t.open_reports}</span> }.into_any()
                                            }}
                                            {r.resolved_at.map(|at| view! { <span class="small muted">" "{format::datetime(at)}</span> })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <Pager page=page total=p.total per_page=p.per_page />
            }
            .into_any()
        })}
    }
}
