//! 民呼必应 single-page app (Leptos, client-side rendered): the public site for citizens and the
//! work pages for the hotline office, handling units, reporters, leaders and administrators.
//! Every rule stays on the server: pages show what the API says the user may do.

mod actions;
mod api;
#[cfg(feature = "work")]
mod charts;
mod format;
mod pages;
mod readers;
mod route;
mod session;
mod text;
mod ui;

use leptos::prelude::*;
use minhu_types::Role;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;

use route::{AdminTab, Route};
use session::Session;
use text::Lang;
use ui::Ctx;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

fn location_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".to_owned())
}

/// Shows `route` and records it in the browser's history. The residents' app loads the work
/// app's pages afresh instead (`Route::needs_work_app_for`): `index.html` loads the work app
/// for them.
pub fn navigate(ctx: Ctx, route: Route) {
    let href = route.href();
    if let Some(w) = web_sys::window() {
        if !cfg!(feature = "work") && route.needs_work_app_for(ctx.role_untracked()) {
            let _ = w.location().assign(&href);
            return;
        }
        if location_path() != href {
            if let Ok(h) = w.history() {
                let _ = h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href));
            }
        }
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
    ctx.route.set(route);
}

/// Where a user starts after signing in.
pub fn home_of(role: Role) -> Route {
    match role {
        Role::Citizen | Role::Partner | Role::System => Route::Mine,
        Role::Operator | Role::Reporter => Route::Petitions,
        Role::Handler => Route::Inbox,
        Role::Leader => Route::Dashboard,
        Role::Admin => Route::Admin(AdminTab::Units),
    }
}

/// Links of the top bar for a role (the public ones come first for everybody).
pub fn menu(role: Option<Role>) -> Vec<Route> {
    let mut out = vec![Route::Home, Route::Rankings, Route::Knowledge];
    out.extend(match role {
        None => vec![],
        Some(Role::Citizen) => vec![Route::Submit, Route::Mine],
        Some(Role::Operator) => vec![
            Route::Intake,
            Route::Petitions,
            Route::Approvals,
            Route::Supervision,
            Route::Dashboard,
            Route::Trends,
        ],
        Some(Role::Handler) => vec![Route::Inbox, Route::Petitions],
        Some(Role::Reporter) => vec![
            Route::Petitions,
            Route::Moderation,
            Route::Briefings,
            Route::Trends,
        ],
        Some(Role::Leader) => vec![
            Route::Dashboard,
            Route::Supervision,
            Route::Briefings,
            Route::Trends,
            Route::Petitions,
        ],
        Some(Role::Admin) => vec![
            Route::Admin(AdminTab::Units),
            Route::Dashboard,
            Route::Petitions,
            Route::Moderation,
        ],
        Some(Role::Partner | Role::System) => vec![Route::Mine],
    });
    // Everybody signed in gets messages (消息).
    if role.is_some() {
        out.push(Route::Messages);
    }
    out
}

/// The bell's badge: the number, or 99+.
pub fn badge(count: i64) -> Option<String> {
    match count {
        ..=0 => None,
        1..=99 => Some(count.to_string()),
        _ => Some("99+".to_owned()),
    }
}

#[component]
fn App() -> impl IntoView {
    let session = RwSignal::new(Session::load());
    let ctx = Ctx {
        session,
        lang: RwSignal::new(Lang::load()),
        route: RwSignal::new(Route::parse(&location_path())),
        signed_token: Memo::new(move |_| session.with(|s| s.as_ref().map(|s| s.token.clone()))),
        unread: RwSignal::new(0),
        unread_seq: StoredValue::new(0),
        marks: RwSignal::new(readers::Marks::default()),
    };
    provide_context(ctx);

    // A stored token may have expired or been revoked: ask the server once, drop it on 401.
    if let Some(s) = ctx.session.get_untracked() {
        leptos::task::spawn_local(async move {
            match api::get::<minhu_types::User>(Some(&s.token), "/me").await {
                Ok(user) => ctx.session.set(Some(Session { user, ..s })),
                Err(e) => ctx.check(&e),
            }
        });
    }

    // Back and forward buttons.
    let _ = window_event_listener(leptos::ev::popstate, move |_| {
        ctx.route.set(Route::parse(&location_path()));
    });
    // Plain links inside the app change the page without reloading it.
    let _ = window_event_listener(leptos::ev::click, move |ev| {
        if ev.default_prevented()
            || ev.button() != 0
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let Some(a) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten())
        else {
            return;
        };
        let href = a.get_attribute("href").unwrap_or_default();
        let internal = href.starts_with('/')
            && !href.starts_with("//")
            && !href.starts_with("/api")
            && !href.starts_with("/docs")
            && a.get_attribute("target").is_none()
            && !a.has_attribute("download");
        if internal {
            ev.prevent_default();
            navigate(ctx, Route::parse(&href));
        }
    });

    Effect::new(move |_| {
        let lang = ctx.lang.get();
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", lang.code());
        }
    });

    view! {
        <a class="skip" href="#main">{move || ctx.t().skip_to_content}</a>
        <Header />
        <main id="main" class="page" tabindex="-1">
            {move || {
                let route = ctx.route.get();
                let signed_in = ctx.signed_token.with(Option::is_some);
                // A new language draws the page again, so plain strings need no closures.
                ctx.lang.track();
                if route.needs_login() && !signed_in {
                    return view! { <pages::account::Login /> }.into_any();
                }
                pages::page(route)
            }}
        </main>
        <footer class="footer">
            <p>{move || ctx.t().footer}</p>
            <p><a href="/docs" target="_blank">{move || ctx.t().api_docs}</a></p>
        </footer>
    }
}

#[component]
fn Header() -> impl IntoView {
    let ctx = Ctx::get();
    let logout = move |_| {
        if let Some(token) = ctx.session.get_untracked().map(|s| s.token) {
            leptos::task::spawn_local(async move { api::sign_out(&token).await });
        }
        Session::clear();
        ctx.session.set(None);
        ctx.go(Route::Home);
    };
    let toggle = move |_| {
        let next = ctx.lang.get_untracked().other();
        next.store();
        ctx.lang.set(next);
    };
    // The bell's count: asked again on every page change and sign-in, and once a minute while
    // the tab is visible.
    Effect::new(move |_| {
        ctx.route.track();
        ctx.signed_token.track();
        ctx.refresh_unread();
    });
    let poll = set_interval_with_handle(
        move || {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.hidden());
            if !hidden && ctx.signed_token.with_untracked(Option::is_some) {
                ctx.refresh_unread();
            }
        },
        std::time::Duration::from_secs(60),
    )
    .ok();
    on_cleanup(move || {
        if let Some(handle) = poll {
            handle.clear();
        }
    });
    view! {
        <header class="masthead">
            <a class="brand" href="/">
                <span class="logo" aria-hidden="true">"民"</span>
                <span>
                    <span class="brand-name">{move || ctx.t().product}</span>
                    <span class="tagline">{move || ctx.t().tagline}</span>
                </span>
            </a>
            <nav class="menu" aria-label=move || ctx.t().menu>
                {move || {
                    let current = ctx.route.get();
                    menu(ctx.role()).into_iter().map(|r| {
                        let active = r == current;
                        let label = ctx.t().route_name(&r);
                        view! {
                            <a href=r.href() class:active=active aria-current=active.then_some("page")>{label}</a>
                        }
                    }).collect_view()
                }}
            </nav>
            <div class="account">
                // Named by what it does, then by the language it offers (the visible text, in that
                // language): a name that hides the visible text fails speech input.
                <button class="link" on:click=toggle>
                    <span class="sr-only">{move || ctx.t().switch_language}" "</span>
                    <span lang=move || ctx.lang.get().other().code()>{move || ctx.lang.get().other().name()}</span>
                </button>
                {move || ctx.signed_token.with(Option::is_some).then(|| {
                    let n = ctx.unread.get();
                    let here = ctx.route.with(|r| *r == Route::Messages);
                    view! {
                        <a class="bell" href=Route::Messages.href() aria-label=(ctx.t().bell_label)(n)
                            aria-current=here.then_some("page")>
                            <svg class="bell-icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="22" height="22">
                                <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6v-5a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" />
                            </svg>
                            {badge(n).map(|b| view! { <span class="badge" aria-hidden="true">{b}</span> })}
                        </a>
                    }
                })}
                {move || match ctx.session.get() {
                    Some(s) => view! {
                        <a class="who" href=Route::Account.href()>
                            {s.user.display_name.clone()}" · "{ctx.lang.get().label(s.user.role.as_str(), s.user.role.label())}
                            <span class="sr-only">{ctx.t().account_link}</span>
                        </a>
                        <button class="link" on:click=logout>{ctx.t().logout}</button>
                    }.into_any(),
                    None => view! {
                        <a href="/login">{ctx.t().login}</a>
                        <a href="/register">{ctx.t().register}</a>
                    }.into_any(),
                }}
            </div>
        </header>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_a_home_in_its_menu() {
        for role in [
            Role::Citizen,
            Role::Operator,
            Role::Handler,
            Role::Reporter,
            Role::Leader,
            Role::Admin,
        ] {
            assert!(menu(Some(role)).contains(&home_of(role)), "{role:?}");
        }
        assert_eq!(
            menu(None),
            vec![Route::Home, Route::Rankings, Route::Knowledge]
        );
    }

    #[test]
    fn officials_start_in_the_work_app_and_citizens_stay_in_theirs() {
        // Signing in on the residents' app sends officials to the work app at once.
        for role in [
            Role::Operator,
            Role::Handler,
            Role::Reporter,
            Role::Leader,
            Role::Admin,
        ] {
            assert!(home_of(role).needs_work_app(), "{role:?}");
        }
        // Nothing a citizen or a visitor is offered needs the work app.
        for role in [None, Some(Role::Citizen)] {
            for r in menu(role) {
                assert!(!r.needs_work_app_for(role), "{role:?} {r:?}");
            }
        }
        assert!(!home_of(Role::Citizen).needs_work_app_for(Some(Role::Citizen)));
    }

    #[test]
    fn everybody_signed_in_has_messages() {
        for role in [
            Role::Citizen,
            Role::Operator,
            Role::Handler,
            Role::Reporter,
            Role::Leader,
            Role::Admin,
            Role::Partner,
        ] {
            let m = menu(Some(role));
            assert_eq!(
                m.iter().filter(|r| **r == Route::Messages).count(),
                1,
                "{role:?}"
            );
        }
        assert!(!menu(None).contains(&Route::Messages));
        assert_eq!(badge(0), None);
        assert_eq!(badge(3).as_deref(), Some("3"));
        assert_eq!(badge(120).as_deref(), Some("99+"));
    }

    #[test]
    fn editors_and_administrators_have_the_moderation_queue() {
        for role in [Role::Reporter, Role::Admin] {
            assert!(menu(Some(role)).contains(&Route::Moderation), "{role:?}");
        }
        for role in [
            Role::Citizen,
            Role::Operator,
            Role::Handler,
            Role::Leader,
            Role::Partner,
        ] {
            assert!(!menu(Some(role)).contains(&Route::Moderation), "{role:?}");
        }
        assert!(!menu(None).contains(&Route::Moderation));
    }

    #[test]
    fn leaders_reporters_and_the_hotline_office_have_trends() {
        for role in [Role::Leader, Role::Reporter, Role::Operator] {
            let m = menu(Some(role));
            assert_eq!(
                m.iter().filter(|r| **r == Route::Trends).count(),
                1,
                "{role:?}"
            );
        }
        for role in [Role::Citizen, Role::Handler, Role::Admin, Role::Partner] {
            assert!(!menu(Some(role)).contains(&Route::Trends), "{role:?}");
        }
        assert!(!menu(None).contains(&Route::Trends));
    }
}
