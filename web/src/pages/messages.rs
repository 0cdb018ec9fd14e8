//! 消息: what the platform told the signed-in user about their petitions and orders, newest
//! first; unread ones are marked in words as well as by colour, and each can be marked read.

use gloo_net::http::Method;
use leptos::prelude::*;
use minhu_types::{MarkRead, Notification, Page, UnreadCount};

use crate::api::{self, query, ApiError};
use crate::format;
use crate::route::Route;
use crate::ui::{failure_line, load, send_form, show, Ctx, Pager, Title};

const PER_PAGE: i64 = 20;

/// Where a message's button leads and what it says: rating a reply (`/r/…`) or the petition.
/// A link that is not one of the app's own pages gets no button.
pub fn link_of(link: Option<&str>) -> Option<(Route, bool)> {
    let route = Route::parse(link?);
    match route {
        Route::Rate(_) => Some((route, true)),
        Route::NotFound => None,
        _ => Some((route, false)),
    }
}

#[component]
pub fn Messages() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let unread_only = RwSignal::new(false);
    let page = RwSignal::new(1i64);
    let reload = RwSignal::new(0u32);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let data = load(move |token| {
        reload.track();
        let path = format!(
            "/notifications{}",
            query(&[
                ("unread", unread_only.get().then(|| "true".to_owned())),
                ("page", Some(page.get().to_string())),
                ("per_page", Some(PER_PAGE.to_string())),
            ])
        );
        async move { api::get::<Page<Notification>>(token.as_deref(), &path).await }
    });
    let mark_all = move |_| {
        let body = MarkRead {
            ids: vec![],
            all: true,
        };
        send_form(
            Method::POST,
            "/notifications/read",
            body,
            busy,
            failure,
            move |left: UnreadCount| {
                ctx.set_unread(left.count);
                reload.update(|n| *n += 1);
            },
        );
    };
    let tabs = [(false, t.all), (true, t.unread)];
    view! {
        <Title text=Signal::derive(move || ctx.t().messages.to_owned()) />
        <p class="muted">{t.notifications_intro}</p>
        <div class="messages-bar">
            <div class="tabs" role="tablist">
                {tabs.into_iter().map(|(only, label)| view! {
                    <button role="tab" class="tab" aria-selected=move || (unread_only.get() == only).to_string()
                        on:click=move |_| { page.set(1); unread_only.set(only); }>{label}</button>
                }).collect_view()}
            </div>
            <button type="button" class="button secondary small" on:click=mark_all
                prop:disabled=move || busy.get()>{t.mark_all_read}</button>
        </div>
        {failure_line(failure)}
        {show(data, move |p: &Page<Notification>| {
            if p.items.is_empty() {
                let empty = if unread_only.get_untracked() { t.no_unread } else { t.no_messages };
                return view! { <p class="muted empty">{empty}</p> }.into_any();
            }
            view! {
                <ul class="messages">
                    {p.items.iter().map(|n| view! { <Message item=n.clone() /> }).collect_view()}
                </ul>
                <Pager page=page total=p.total per_page=p.per_page />
            }
            .into_any()
        })}
    }
}

#[component]
fn Message(item: Notification) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let id = item.id;
    let read = RwSignal::new(item.read_at.is_some());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let node = NodeRef::<leptos::html::Article>::new();
    let heading = format!("message-{id}");
    let described = heading.clone();
    // Marks this message read; `then_focus` keeps the keyboard's place when the button goes.
    let mark = move |then_focus: bool| {
        if read.get_untracked() {
            return;
        }
        let body = MarkRead {
            ids: vec![id],
            all: false,
        };
        send_form(
            Method::POST,
            "/notifications/read",
            body,
            busy,
            failure,
            move |left: UnreadCount| {
                ctx.set_unread(left.count);
                // The page may already be gone (the message's link was followed).
                read.try_set(true);
                if then_focus {
                    if let Some(el) = node.try_get().flatten() {
                        let _ = el.focus();
                    }
                }
            },
        );
    };
    let action = link_of(item.link.as_deref()).map(|(route, rate)| {
        let label = if rate { t.go_rate } else { t.view_petition };
        view! {
            <a class="button small" href=route.href() on:click=move |_| mark(false)>{label}</a>
        }
    });
    view! {
        <li class="message" class:unread=move || !read.get()>
            <article node_ref=node tabindex="-1" aria-labelledby=heading.clone()>
                <h2 id=heading.clone()>
                    {move || (!read.get()).then(|| view! { <span class="tag unread">{t.unread}</span>" " })}
                    {item.title.clone()}
                </h2>
                <p class="meta">
                    <time class="muted">{format::datetime(item.created_at)}</time>
                    {item.tracking_no.clone().map(|no| view! {
                        <span class="muted">{t.tracking_no}" "<span class="mono">{no}</span></span>
                    })}
                </p>
                <p class="prewrap">{item.body.clone()}</p>
                <div class="buttons">
                    {action}
                    {move || (!read.get()).then(|| view! {
                        <button type="button" class="button secondary small" aria-describedby=described.clone()
                            prop:disabled=move || busy.get() on:click=move |_| mark(true)>{t.mark_read}</button>
                    })}
                </div>
                {failure_line(failure)}
            </article>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_leads_to_rating_or_to_the_petition() {
        assert_eq!(
            link_of(Some("/r/Ab-9_x")),
            Some((Route::Rate("Ab-9_x".into()), true))
        );
        assert_eq!(
            link_of(Some("/petitions/12")),
            Some((Route::Petition(12), false))
        );
        assert_eq!(link_of(None), None);
        assert_eq!(link_of(Some("javascript:alert(1)")), None);
        assert_eq!(link_of(Some("/r/a b")), None);
    }
}
