//! 民呼必应 single-page app (Leptos, client-side rendered). This first page says what the
//! product is for and lets a user log in against the API; the rest of the app builds on it.

mod api;
mod session;
mod text;

use leptos::prelude::*;
use minhu_types::{LoginRequest, User};
use wasm_bindgen::prelude::wasm_bindgen;

use session::Session;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    let session = RwSignal::new(Session::load());
    // A stored token may have expired or been revoked: ask the server once, drop it on 401.
    if let Some(s) = session.get_untracked() {
        leptos::task::spawn_local(async move {
            match api::me(&s.token).await {
                Ok(user) => session.set(Some(Session { user, ..s })),
                Err(e) if e.is_unauthorized() => {
                    Session::clear();
                    session.set(None);
                }
                Err(_) => {}
            }
        });
    }
    view! {
        <header class="masthead">
            <div class="brand">
                <span class="logo" aria-hidden="true">"民"</span>
                <div>
                    <h1>{text::PRODUCT}</h1>
                    <p class="tagline">{text::TAGLINE}</p>
                </div>
            </div>
        </header>
        <main class="page">
            <section class="intro" aria-labelledby="intro-title">
                <h2 id="intro-title">{text::INTRO_TITLE}</h2>
                <p>{text::INTRO}</p>
                <ol class="steps">
                    {text::STEPS.iter().map(|(title, body)| view! {
                        <li><strong>{*title}</strong><span>{*body}</span></li>
                    }).collect_view()}
                </ol>
            </section>
            <section class="card" aria-live="polite">
                {move || match session.get() {
                    Some(s) => view! { <Welcome user=s.user session=session /> }.into_any(),
                    None => view! { <LoginForm session=session /> }.into_any(),
                }}
            </section>
        </main>
        <footer class="footer">{text::FOOTER}</footer>
    }
}

#[component]
fn Welcome(user: User, session: RwSignal<Option<Session>>) -> impl IntoView {
    let logout = move |_| {
        Session::clear();
        session.set(None);
    };
    view! {
        <h2>{text::welcome(&user.display_name)}</h2>
        <p class="muted">{text::signed_in_as(&user.username, user.role.label())}</p>
        <button class="button secondary" on:click=logout>{text::LOGOUT}</button>
    }
}

#[component]
fn LoginForm(session: RwSignal<Option<Session>>) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let req = LoginRequest {
            username: username.get_untracked(),
            password: password.get_untracked(),
        };
        if let Some(problem) = session::check_login(&req) {
            error.set(Some(problem.to_owned()));
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::login(&req).await {
                Ok(token) => {
                    let s = Session {
                        token: token.access_token,
                        user: token.user,
                    };
                    s.store();
                    session.set(Some(s));
                }
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };

    view! {
        <h2 id="login-title">{text::LOGIN_TITLE}</h2>
        <form class="form" on:submit=submit aria-labelledby="login-title" novalidate>
            <label for="username">{text::USERNAME}</label>
            <input id="username" name="username" type="text" autocomplete="username" required
                prop:value=move || username.get()
                on:input=move |ev| username.set(event_target_value(&ev)) />
            <label for="password">{text::PASSWORD}</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required
                prop:value=move || password.get()
                on:input=move |ev| password.set(event_target_value(&ev)) />
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button class="button" type="submit" prop:disabled=move || busy.get()>
                {move || if busy.get() { text::LOGGING_IN } else { text::LOGIN }}
            </button>
        </form>
        <p class="muted small">{text::NO_ACCOUNT}</p>
    }
}
