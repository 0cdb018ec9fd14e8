//! The public site: the feed of published petitions, a petition's public page, tracking by
//! number and the monthly ranking.

use gloo_net::http::Method;
use leptos::prelude::*;
use minhu_types::{
    Article, ArticlePatch, FeedSort, ModerationReport, NewArticle, Page, PublicPetition, Ranking,
    Supporters, UnitKind, ARTICLE_EDITORS,
};

use super::{categories, category_name};
use crate::api::{self, query};
use crate::format;
use crate::readers::{feed_query, report_request, Mark, MAX_REPORT_REASON};
use crate::route::{valid_tracking_no, Route};
use crate::session::local_problem;
use crate::ui::{
    failure_line, field_error, invalid, load, send_form, show, Ctx, EnumSelect, Load, Pager, Tag,
    Title,
};

#[component]
pub fn Home() -> impl IntoView {
    let ctx = Ctx::get();
    let q = RwSignal::new(String::new());
    let typed = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let sort = RwSignal::new(FeedSort::Newest);
    let page = RwSignal::new(1i64);
    let cats = categories();
    // Public pages go without the token: the server need not look up the account, and a
    // shared cache may serve them.
    let feed = load(move |_| {
        let path = format!(
            "/public/petitions{}",
            feed_query(&q.get(), &category.get(), sort.get(), page.get(), 10)
        );
        async move { api::get::<Page<PublicPetition>>(None, &path).await }
    });
    let sorts = [
        (FeedSort::Newest, ctx.t().sort_newest),
        (FeedSort::Supporters, ctx.t().sort_supporters),
    ];
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        page.set(1);
        q.set(typed.get_untracked().trim().to_owned());
    };

    view! {
        <Title text=Signal::derive(move || ctx.t().home_title.to_owned()) />
        <section class="intro">
            <p>{move || ctx.t().intro}</p>
            <ol class="steps">
                {move || ctx.t().steps.iter().map(|(title, body)| view! {
                    <li><strong>{*title}</strong><span>{*body}</span></li>
                }).collect_view()}
            </ol>
            <p class="actions">
                <a class="button" href="/submit">{move || ctx.t().submit_cta}</a>
                <a class="button secondary" href="/rankings">{move || ctx.t().rankings}</a>
            </p>
        </section>
        <Track />
        <section aria-labelledby="feed-title">
            <h2 id="feed-title">{move || match sort.get() {
                FeedSort::Newest => ctx.t().feed_title,
                FeedSort::Supporters => ctx.t().feed_title_supporters,
            }}</h2>
            <form class="filters" role="search" on:submit=search>
                <label for="feed-q" class="sr-only">{move || ctx.t().search}</label>
                <input id="feed-q" type="search" placeholder=move || ctx.t().search_placeholder
                    prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                <label for="feed-category" class="sr-only">{move || ctx.t().category}</label>
                <select id="feed-category" on:change=move |ev| { page.set(1); category.set(event_target_value(&ev)); }>
                    <option value="">{move || ctx.t().all_categories}</option>
                    {move || match cats.get() {
                        Load::Ready(items) => items.into_iter().map(|c| view! {
                            <option value=c.id.to_string()>{c.name}</option>
                        }).collect_view().into_any(),
                        _ => ().into_any(),
                    }}
                </select>
                <label for="feed-sort">{move || ctx.t().sort_by}</label>
                <select id="feed-sort" on:change=move |ev| {
                    page.set(1);
                    sort.set(FeedSort::parse(&event_target_value(&ev)).unwrap_or(FeedSort::Newest));
                }>
                    {sorts.into_iter().map(|(s, label)| view! {
                        <option value=s.as_str() selected=move || sort.get() == s>{label}</option>
                    }).collect_view()}
                </select>
                <button class="button" type="submit">{move || ctx.t().search}</button>
            </form>
            {show(feed, move |p: &Page<PublicPetition>| {
                let total = p.total;
                let per_page = p.per_page;
                if p.items.is_empty() {
                    return view! { <p class="muted">{ctx.t().nothing_found}</p> }.into_any();
                }
                view! {
                    <ul class="cards">
                        {p.items.iter().map(|item| view! { <FeedItem item=item.clone() cats=cats /> }).collect_view()}
                    </ul>
                    <Pager page=page total=total per_page=per_page />
                }.into_any()
            })}
        </section>
    }
}

#[component]
fn FeedItem(
    item: PublicPetition,
    cats: RwSignal<Load<Vec<minhu_types::Category>>>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let href = Route::Public(item.tracking_no.clone()).href();
    let reply = item.replies.last().map(|r| r.body.clone());
    let category_id = item.category_id;
    view! {
        <li class="card feed-item">
            <div class="meta">
                <Tag wire=item.status.as_str() zh=item.status.label() class="status" />
                <Tag wire=item.kind.as_str() zh=item.kind.label() />
                <span class="muted">{move || cats.with(|c| category_name(c, category_id))}</span>
                <span class="muted">{format::datetime(item.created_at)}</span>
            </div>
            <h3><a href=href>{item.title.clone()}</a></h3>
            <p class="clamp">{item.content.clone()}</p>
            // The feed stays light: three thumbnails at most, the rest on the petition's page.
            <PublicPhotos photos=item.photos.into_iter().take(3).collect() />
            {reply.map(|r| view! {
                <blockquote class="reply"><strong>{move || ctx.t().official_reply}</strong>{r}</blockquote>
            })}
            <div class="reader-actions">
                <SupportButton id=item.id supporters=item.supporters />
            </div>
        </li>
    }
}

/// 我也遇到: a toggle button that adds the signed-in reader's support to a published petition
/// (POST) or takes it back (DELETE), showing the count the server answers. Whether this reader
/// already supports it is known only from this visit's presses (see `crate::readers`).
/// Signed out, a link to the login page.
#[component]
fn SupportButton(id: i64, supporters: i64) -> impl IntoView {
    let ctx = Ctx::get();
    let count = RwSignal::new(supporters);
    let pressed = Memo::new(move |_| ctx.marks.with(|m| m.has(ctx.user_id(), Mark::Support, id)));
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<api::ApiError>);
    // Said to screen readers once the server has answered.
    let said = RwSignal::new(String::new());
    let click = toggle_mark(
        Mark::Support,
        id,
        pressed,
        busy,
        failure,
        |method, token, path| async move {
            api::call::<Supporters>(method, token.as_deref(), &path).await
        },
        move |s: Supporters, on| {
            count.try_set(s.supporters);
            said.try_set((ctx.lang.get_untracked().text().support_name)(
                on,
                s.supporters,
            ));
        },
    );
    let face = move || {
        let t = ctx.t();
        view! {
            <span>{if pressed.get() { t.me_too_pressed } else { t.me_too }}</span>
            " "<span class="count">{count.get()}</span>
        }
    };
    view! {
        {move || if ctx.signed_token.with(Option::is_some) {
            view! {
                <button type="button" class="button secondary small support"
                    aria-pressed=move || pressed.get().to_string()
                    aria-busy=move || busy.get().to_string()
                    aria-label=move || (ctx.t().support_name)(pressed.get(), count.get())
                    on:click=click>
                    {face}
                </button>
            }.into_any()
        } else {
            view! {
                <a class="button secondary small support" href=Route::Login.href()
                    aria-label=move || format!("{}{}", (ctx.t().support_name)(false, count.get()), ctx.t().sign_in_to_support)>
                    {face}
                </a>
            }.into_any()
        }}
        <span class="sr-only" role="status">{move || said.get()}</span>
        {failure_line(failure)}
    }
}

/// The click of a 我也遇到 or 关注 toggle: signed out, to the login page; otherwise one press at
/// a time (busy, the button stays focusable and a second press waits), POST to set the mark or
/// DELETE to take it back (`send`), remember it for this reader, and hand the answer to `done`
/// with whether the mark is now set; a refusal shows under the button.
fn toggle_mark<T: 'static, Fut>(
    mark: Mark,
    id: i64,
    pressed: Memo<bool>,
    busy: RwSignal<bool>,
    failure: RwSignal<Option<api::ApiError>>,
    send: impl Fn(Method, Option<String>, String) -> Fut + Copy + 'static,
    done: impl Fn(T, bool) + Copy + 'static,
) -> impl Fn(leptos::ev::MouseEvent) + Copy + 'static
where
    Fut: std::future::Future<Output = Result<T, api::ApiError>> + 'static,
{
    let ctx = Ctx::get();
    move |_| {
        let Some(user) = ctx
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.user.id))
        else {
            ctx.go(Route::Login);
            return;
        };
        if busy.get_untracked() {
            return;
        }
        let on = !pressed.get_untracked();
        busy.set(true);
        failure.set(None);
        let token = ctx.token();
        leptos::task::spawn_local(async move {
            let method = if on { Method::POST } else { Method::DELETE };
            let r = send(method, token, mark.path(id)).await;
            busy.try_set(false);
            match r {
                Ok(answer) => {
                    ctx.marks.update(|m| m.set(user, mark, id, on));
                    done(answer, on);
                }
                Err(e) => {
                    ctx.check(&e);
                    failure.try_set(Some(e));
                }
            }
        });
    }
}

/// 关注: a toggle button that follows a published petition (its public milestones come as
/// messages) or stops following it; signed out, a link to the login page.
#[component]
fn FollowButton(id: i64) -> impl IntoView {
    let ctx = Ctx::get();
    let pressed = Memo::new(move |_| ctx.marks.with(|m| m.has(ctx.user_id(), Mark::Follow, id)));
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<api::ApiError>);
    let click = toggle_mark(
        Mark::Follow,
        id,
        pressed,
        busy,
        failure,
        |method, token, path| async move { api::no_content(method, token.as_deref(), &path).await },
        |(), _| {},
    );
    view! {
        {move || if ctx.signed_token.with(Option::is_some) {
            view! {
                <button type="button" class="button secondary small follow"
                    aria-pressed=move || pressed.get().to_string()
                    aria-busy=move || busy.get().to_string()
                    aria-describedby="follow-note"
                    on:click=click>
                    <span class="check" aria-hidden="true">{move || if pressed.get() { "✓ " } else { "" }}</span>
                    {move || ctx.t().follow}
                </button>
            }.into_any()
        } else {
            view! {
                <a class="button secondary small follow" href=Route::Login.href() aria-describedby="follow-note">
                    {move || ctx.t().sign_in_to_follow}
                </a>
            }.into_any()
        }}
        <p id="follow-note" class="muted small follow-note" aria-live="polite">
            {move || if pressed.get() { ctx.t().following_note } else { ctx.t().follow_note }}
        </p>
        {failure_line(failure)}
    }
}

/// 举报不当内容: a signed-in reader tells the editors what is wrong with a published petition
/// (a reason of 1–500 characters), in a form that opens below the button; the editors' queue
/// gets it. Signed out, a link to the login page.
#[component]
fn ReportButton(id: i64) -> impl IntoView {
    let ctx = Ctx::get();
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<api::ApiError>);
    let received = RwSignal::new(false);
    let button = NodeRef::<leptos::html::Button>::new();
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    // The reason gets the keyboard when the form opens.
    Effect::new(move |_| {
        if let Some(el) = textarea.get() {
            let _ = el.focus();
        }
    });
    let close = move || {
        open.set(false);
        failure.set(None);
        if let Some(el) = button.get_untracked() {
            let _ = el.focus();
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        match report_request(id, &reason.get_untracked()) {
            Err(errors) => failure.set(Some(local_problem(errors, ctx.t()))),
            Ok((path, body)) => send_form(
                Method::POST,
                path,
                body,
                busy,
                failure,
                move |_: ModerationReport| {
                    reason.try_set(String::new());
                    received.try_set(true);
                    close();
                },
            ),
        }
    };
    view! {
        <div class="reader-report">
        {move || if ctx.signed_token.with(Option::is_some) {
            view! {
                <button type="button" class="button secondary small report" node_ref=button
                    aria-expanded=move || open.get().to_string() aria-controls="report-form"
                    on:click=move |_| {
                        received.set(false);
                        open.update(|o| *o = !*o);
                    }>
                    {move || ctx.t().report}
                </button>
            }.into_any()
        } else {
            view! {
                <a class="button secondary small report" href=Route::Login.href()>{move || ctx.t().sign_in_to_report}</a>
            }.into_any()
        }}
        <div class="report-status" role="status">
            {move || received.get().then(|| view! { <p class="success">{ctx.t().report_received}</p> })}
        </div>
        {move || (open.get() && ctx.signed_token.with(Option::is_some)).then(|| {
            let t = ctx.t();
            view! {
                <form id="report-form" class="action-form report-form" on:submit=submit novalidate aria-labelledby="report-title">
                    <h3 id="report-title">{t.report_title}</h3>
                    <label for="report-reason">{t.report_reason}</label>
                    <textarea id="report-reason" rows="3" required node_ref=textarea
                        aria-invalid=invalid(failure, "reason") aria-describedby="report-hint reason-error report-count"
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    <span class="hint" id="report-hint">{t.report_hint}</span>
                    <span class="counter" id="report-count" class:over={move || format::chars(&reason.get()) > MAX_REPORT_REASON}>
                        {move || format!("{}/{MAX_REPORT_REASON}", format::chars(&reason.get()))}
                    </span>
                    {field_error(failure, "reason")}
                    {failure_line(failure)}
                    <div class="buttons">
                        <button class="button" type="submit" prop:disabled=move || busy.get()>
                            {move || if busy.get() { t.submitting } else { t.send_report }}
                        </button>
                        <button class="button secondary" type="button" on:click=move |_| close()>{t.cancel}</button>
                    </div>
                </form>
            }
        })}
        </div>
    }
}

/// A published petition's photos: thumbnails linking to the whole photo. Public photos need
/// no token, so the browser loads them itself (lazily, as they scroll into view).
#[component]
fn PublicPhotos(
    photos: Vec<minhu_types::Photo>,
    /// What each photo is called ("照片 1"; "办理照片 1" under a reply).
    #[prop(optional)]
    label: Option<&'static str>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let label = label.unwrap_or(ctx.t().photos);
    (!photos.is_empty()).then(|| {
        view! {
            <ul class="photos">
                {photos.into_iter().enumerate().map(|(i, p)| {
                    let alt = format!("{label} {}", i + 1);
                    view! {
                        <li><a class="photo" href=format!("{}/photos/{}", api::BASE, p.id) target="_blank" rel="noopener">
                            <img src=format!("{}/photos/{}?size=thumb", api::BASE, p.id) alt=alt loading="lazy"
                                width=p.width height=p.height />
                        </a></li>
                    }
                }).collect_view()}
            </ul>
        }
    })
}

/// 办理照片 under a public reply (those moderation hid are not shown; the server leaves them
/// out of public answers anyway).
#[component]
fn ReplyPhotos(photos: Vec<minhu_types::Photo>) -> impl IntoView {
    let ctx = Ctx::get();
    let photos: Vec<_> = photos.into_iter().filter(|p| !p.hidden).collect();
    (!photos.is_empty()).then(|| {
        view! {
            <div class="reply-photos">
                <h3>{ctx.t().reply_photos}</h3>
                <PublicPhotos photos=photos label=ctx.t().reply_photos />
            </div>
        }
    })
}

/// Looking a petition up by its tracking number.
#[component]
pub fn Track() -> impl IntoView {
    let ctx = Ctx::get();
    let no = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = no.get_untracked().trim().to_owned();
        if valid_tracking_no(&n) {
            error.set(None);
            ctx.go(Route::Public(n));
        } else {
            error.set(Some(ctx.t().bad_tracking_no.to_owned()));
        }
    };
    view! {
        <section class="card track">
            <form on:submit=submit class="inline-form" novalidate>
                <label for="track-no">{move || ctx.t().track_label}</label>
                <input id="track-no" inputmode="numeric" placeholder="20261123-000001"
                    aria-invalid=move || error.get().is_some().to_string()
                    prop:value=move || no.get() on:input=move |ev| no.set(event_target_value(&ev)) />
                <button class="button" type="submit">{move || ctx.t().track}</button>
            </form>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}

#[component]
pub fn PublicPage(no: String) -> impl IntoView {
    let ctx = Ctx::get();
    let path = format!("/track/{no}");
    let data = load(move |_| {
        let path = path.clone();
        async move { api::get::<PublicPetition>(None, &path).await }
    });
    let cats = categories();
    view! {
        <Title text=Signal::derive(move || (ctx.t().tracking_no_is)(&no)) />
        {show(data, move |p: &PublicPetition| {
            let category_id = p.category_id;
            view! {
                <article class="card">
                    <div class="meta">
                        <Tag wire=p.status.as_str() zh=p.status.label() class="status" />
                        <Tag wire=p.kind.as_str() zh=p.kind.label() />
                        <span class="muted">{move || cats.with(|c| category_name(c, category_id))}</span>
                        <span class="muted">{format::datetime(p.created_at)}</span>
                    </div>
                    <h2>{p.title.clone()}</h2>
                    <p class="content">{p.content.clone()}</p>
                    {p.address.clone().map(|a| view! { <p class="muted">{move || ctx.t().address}": "{a}</p> })}
                    <PublicPhotos photos=p.photos.clone() />
                    <div class="reader-actions">
                        <SupportButton id=p.id supporters=p.supporters />
                        <FollowButton id=p.id />
                    </div>
                    <ReportButton id=p.id />
                </article>
                <section class="card">
                    <h2>{ctx.t().replies}</h2>
                    {if p.replies.is_empty() {
                        view! { <p class="muted">{ctx.t().no_reply_yet}</p> }.into_any()
                    } else {
                        p.replies.iter().map(|r| view! {
                            <blockquote class="reply">
                                <strong>{r.unit.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| ctx.t().hotline.to_owned())}</strong>
                                " · "{format::datetime(r.created_at)}
                                <p>{r.body.clone()}</p>
                                <ReplyPhotos photos=r.photos.clone() />
                            </blockquote>
                        }).collect_view().into_any()
                    }}
                </section>
                {(!p.follow_ups.is_empty()).then(|| view! {
                    <section class="card">
                        <h2>{ctx.t().follow_ups}</h2>
                        {p.follow_ups.iter().map(|f| view! {
                            <article class="follow-up">
                                <h3>{f.title.clone()}</h3>
                                <p class="muted">{f.author.clone()}" · "{format::datetime(f.created_at)}</p>
                                <p>{f.body.clone()}</p>
                            </article>
                        }).collect_view()}
                    </section>
                })}
                <section class="card">
                    <h2>{ctx.t().timeline}</h2>
                    <ol class="timeline">
                        {p.timeline.iter().map(|e| view! {
                            <li>
                                <time>{format::datetime(e.created_at)}</time>
                                <Tag wire=e.action.as_str() zh=e.action.label() />
                                {e.unit.clone().map(|u| view! { <span class="muted">{u}</span> })}
                            </li>
                        }).collect_view()}
                    </ol>
                </section>
            }
        })}
    }
}

#[component]
pub fn Rankings() -> impl IntoView {
    let ctx = Ctx::get();
    let today = format::date(format::now());
    let this_month = format::month_of(today);
    let last_month = format::previous_month(today);
    let period = RwSignal::new(last_month.clone());
    let kind = RwSignal::new(String::new());
    let data = load(move |token| {
        let path = format!(
            "/rankings{}",
            query(&[
                ("period", Some(period.get())),
                ("unit_kind", Some(kind.get()))
            ])
        );
        async move { api::get::<Ranking>(token.as_deref(), &path).await }
    });
    let kinds: Vec<(&'static str, &'static str)> = UnitKind::ALL
        .iter()
        .filter(|k| **k != UnitKind::HotlineOffice)
        .map(|k| (k.as_str(), k.label()))
        .collect();
    view! {
        <Title text=Signal::derive(move || ctx.t().rankings.to_owned()) />
        <p class="muted">{move || ctx.t().rankings_intro}</p>
        <div class="filters">
            <label for="rank-period">{move || ctx.t().period}</label>
            <select id="rank-period" on:change=move |ev| period.set(event_target_value(&ev))>
                <option value=this_month.clone()>{move || ctx.t().this_month}" "{this_month.clone()}</option>
                <option value=last_month.clone()>{move || ctx.t().last_month}" "{last_month.clone()}</option>
            </select>
            <label for="rank-kind">{move || ctx.t().unit_kind}</label>
            <EnumSelect id="rank-kind" options=kinds value=kind any=true />
        </div>
        {show(data, move |r: &Ranking| view! { <RankingTable ranking=r.clone() /> })}
    }
}

/// The ranking with every rate, shared by the public page and the leaders' dashboard.
#[component]
pub fn RankingTable(ranking: Ranking) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    if ranking.items.is_empty() {
        return view! { <p class="muted">{t.nothing_found}</p> }.into_any();
    }
    view! {
        <p class="muted small">{(t.ranking_note)(&ranking.period.from.to_string(), &ranking.period.to.to_string(), ranking.min_valid_visits)}</p>
        <div class="table-wrap">
            <table class="table">
                <thead><tr>
                    <th scope="col">{t.rank}</th>
                    <th scope="col">{t.unit}</th>
                    <th scope="col" class="num">{t.received}</th>
                    <th scope="col" class="num">{t.on_time_sign_rate}</th>
                    <th scope="col" class="num">{t.on_time_rate}</th>
                    <th scope="col" class="num">{t.response_rate}</th>
                    <th scope="col" class="num">{t.resolution_rate}</th>
                    <th scope="col" class="num">{t.satisfaction_rate}</th>
                    <th scope="col" class="num">{t.score}</th>
                </tr></thead>
                <tbody>
                    {ranking.items.iter().map(|i| view! {
                        <tr class:unranked=!i.ranked>
                            <td>{i.rank.map_or_else(|| "—".to_owned(), |r| r.to_string())}</td>
                            <th scope="row">{i.unit.name.clone()}</th>
                            <td class="num">{i.received}</td>
                            <td class="num">{format::percent(i.on_time_sign_rate)}</td>
                            <td class="num">{format::percent(i.on_time_rate)}</td>
                            <td class="num">{format::percent(i.response_rate)}</td>
                            <td class="num">{format::percent(i.resolution_rate)}</td>
                            <td class="num">{format::percent(i.satisfaction_rate)}</td>
                            <td class="num"><strong>{format::score(i.score)}</strong></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// 帮打听: the public knowledge base, searchable (staff see internal articles too).
#[component]
pub fn Knowledge() -> impl IntoView {
    let ctx = Ctx::get();
    let q = RwSignal::new(String::new());
    let typed = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let generation = RwSignal::new(0u32);
    let editing = RwSignal::new(None::<i64>);
    let cats = categories();
    let editor = move || ctx.role().is_some_and(|r| ARTICLE_EDITORS.contains(&r));
    let list = load(move |token| {
        generation.track();
        let path = format!(
            "/knowledge{}",
            query(&[
                ("q", Some(q.get())),
                ("page", Some(page.get().to_string())),
                ("per_page", Some("20".into())),
            ])
        );
        async move { api::get::<Page<Article>>(token.as_deref(), &path).await }
    });
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        page.set(1);
        q.set(typed.get_untracked().trim().to_owned());
    };
    view! {
        <Title text=Signal::derive(move || ctx.t().knowledge.to_owned()) />
        <section>
            <p class="muted">{move || ctx.t().knowledge_intro}</p>
            <form class="filters" role="search" on:submit=search>
                <label for="knowledge-q" class="sr-only">{move || ctx.t().search}</label>
                <input id="knowledge-q" type="search" placeholder=move || ctx.t().search_placeholder
                    prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                <button class="button" type="submit">{move || ctx.t().search}</button>
            </form>
            {move || editor().then(|| view! {
                <details class="card">
                    <summary>{ctx.t().new_article}</summary>
                    <ArticleForm article=None cats=cats generation=generation editing=editing />
                </details>
            })}
            {show(list, move |p: &Page<Article>| {
                let (total, per_page) = (p.total, p.per_page);
                if p.items.is_empty() {
                    return view! { <p class="muted">{ctx.t().nothing_found}</p> }.into_any();
                }
                view! {
                    <ul class="cards">
                        {p.items.iter().map(|a| {
                            let id = a.id;
                            let article = a.clone();
                            view! {
                                <li class="card" data-article=id>
                                    {move || if editing.get() == Some(id) {
                                        view! { <ArticleForm article=Some(article.clone()) cats=cats generation=generation editing=editing /> }.into_any()
                                    } else {
                                        let a = &article;
                                        view! {
                                            <h2>{a.question.clone()}</h2>
                                            <p class="prewrap">{a.answer.clone()}</p>
                                            <p class="muted small">
                                                {(!a.public).then(|| view! { <span class="tag">{ctx.t().internal}</span>" " })}
                                                {format::datetime(a.updated_at)}
                                                {editor().then(|| view! {
                                                    " "<button type="button" class="button secondary small"
                                                        on:click=move |_| editing.set(Some(id))>{ctx.t().edit}</button>
                                                })}
                                            </p>
                                        }.into_any()
                                    }}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <Pager page=page total=total per_page=per_page />
                }.into_any()
            })}
        </section>
    }
}

/// Writing a new article, or changing one (the hotline office, reporters, administrators; the
/// server checks). Saved, the list reloads.
#[component]
fn ArticleForm(
    article: Option<Article>,
    cats: RwSignal<Load<Vec<minhu_types::Category>>>,
    generation: RwSignal<u32>,
    editing: RwSignal<Option<i64>>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let id = article.as_ref().map(|a| a.id);
    let key = id.map_or_else(|| "new".to_owned(), |i| i.to_string());
    let field = move |name: &str| format!("article-{key}-{name}");
    let question = RwSignal::new(
        article
            .as_ref()
            .map(|a| a.question.clone())
            .unwrap_or_default(),
    );
    let answer = RwSignal::new(
        article
            .as_ref()
            .map(|a| a.answer.clone())
            .unwrap_or_default(),
    );
    let category = RwSignal::new(
        article
            .as_ref()
            .and_then(|a| a.category_id)
            .map(|c| c.to_string())
            .unwrap_or_default(),
    );
    let public = RwSignal::new(article.as_ref().is_none_or(|a| a.public));
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<api::ApiError>);
    let saved = move |_: Article| {
        if id.is_none() {
            question.set(String::new());
            answer.set(String::new());
        }
        editing.set(None);
        generation.update(|g| *g += 1);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (q, a) = (
            question.get_untracked().trim().to_owned(),
            answer.get_untracked().trim().to_owned(),
        );
        let category_id = category.get_untracked().parse().ok();
        let public = public.get_untracked();
        match id {
            Some(id) => {
                let body = ArticlePatch {
                    question: Some(q),
                    answer: Some(a),
                    category_id: Some(category_id),
                    public: Some(public),
                };
                send_form(
                    Method::PATCH,
                    format!("/knowledge/{id}"),
                    body,
                    busy,
                    failure,
                    saved,
                );
            }
            None => {
                let body = NewArticle {
                    question: q,
                    answer: a,
                    category_id,
                    public,
                };
                send_form(Method::POST, "/knowledge", body, busy, failure, saved);
            }
        }
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <label for=field("question")>{t.question}</label>
            <input id=field("question") maxlength="200" prop:value=move || question.get()
                on:input=move |ev| question.set(event_target_value(&ev)) />
            <label for=field("answer")>{t.answer}</label>
            <textarea id=field("answer") rows="5" maxlength="4000" prop:value=move || answer.get()
                on:input=move |ev| answer.set(event_target_value(&ev))></textarea>
            <label for=field("category")>{t.category_optional}</label>
            <select id=field("category") on:change=move |ev| category.set(event_target_value(&ev))>
                <option value="">"—"</option>
                {move || match cats.get() {
                    Load::Ready(items) => items.into_iter().map(|c| {
                        let value = c.id.to_string();
                        let selected = category.get_untracked() == value;
                        view! { <option value=value selected=selected>{c.name}</option> }
                    }).collect_view().into_any(),
                    _ => ().into_any(),
                }}
            </select>
            <label class="check">
                <input type="checkbox" prop:checked=move || public.get()
                    on:change=move |ev| public.set(event_target_checked(&ev)) />
                {t.public_article}
            </label>
            {failure_line(failure)}
            <div class="actions">
                <button class="button" type="submit" prop:disabled=move || busy.get()>
                    {if id.is_some() { t.save } else { t.create }}
                </button>
                {id.is_some().then(|| view! {
                    <button type="button" class="button secondary" on:click=move |_| editing.set(None)>{t.cancel}</button>
                })}
            </div>
        </form>
    }
}
