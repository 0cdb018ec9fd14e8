//! What every page shares: the app context (session, language, current address), loading data
//! with its loading and error states, and small display pieces.

use std::future::Future;

use leptos::prelude::*;
use minhu_types::{Light, Role};

use crate::api::ApiError;
use crate::readers::Marks;
use crate::route::Route;
use crate::session::Session;
use crate::text::{Lang, Text};

/// Shared by every component through Leptos context; all fields are signals, so it is `Copy`.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub session: RwSignal<Option<Session>>,
    pub lang: RwSignal<Lang>,
    pub route: RwSignal<Route>,
    /// The session's token alone: refreshing the user's details does not reload pages.
    pub signed_token: Memo<Option<String>>,
    /// How many of the signed-in user's messages are unread (the bell in the header).
    pub unread: RwSignal<i64>,
    /// Counts every change of `unread`, so an answer to an older question cannot undo a newer
    /// one (marking read while the bell was asking).
    pub unread_seq: StoredValue<u64>,
    /// The petitions the signed-in reader supports and follows, as far as this visit knows
    /// (the server does not say).
    pub marks: RwSignal<Marks>,
}

impl Ctx {
    pub fn get() -> Ctx {
        expect_context::<Ctx>()
    }

    /// The strings of the chosen language (reactive).
    pub fn t(&self) -> &'static Text {
        self.lang.get().text()
    }

    pub fn token(&self) -> Option<String> {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
    }

    pub fn role(&self) -> Option<Role> {
        self.session.with(|s| s.as_ref().map(|s| s.user.role))
    }

    pub fn role_untracked(&self) -> Option<Role> {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.user.role))
    }

    /// The signed-in account's id (reactive).
    pub fn user_id(&self) -> Option<i64> {
        self.session.with(|s| s.as_ref().map(|s| s.user.id))
    }

    pub fn go(&self, route: Route) {
        crate::navigate(*self, route);
    }

    /// Sets the number of unread messages (from the server's answer).
    pub fn set_unread(&self, count: i64) {
        self.unread_seq.update_value(|n| *n += 1);
        self.unread.set(count.max(0));
    }

    /// Asks the server how many messages are unread; nothing to ask when nobody is signed in.
    pub fn refresh_unread(&self) {
        let ctx = *self;
        let Some(token) = self.token() else {
            self.set_unread(0);
            return;
        };
        let asked = self.unread_seq.get_value();
        leptos::task::spawn_local(async move {
            let path = "/notifications/unread-count";
            match crate::api::get::<minhu_types::UnreadCount>(Some(&token), path).await {
                // Dropped when the count changed meanwhile or another user signed in.
                Ok(c)
                    if ctx.unread_seq.get_value() == asked
                        && ctx.token().as_deref() == Some(token.as_str()) =>
                {
                    ctx.set_unread(c.count);
                }
                Ok(_) => {}
                Err(e) => ctx.check(&e),
            }
        });
    }

    /// A 401 means the token is gone: forget it. The page asks for a new login and carries on
    /// where the user was.
    pub fn check(&self, e: &ApiError) {
        if e.is_unauthorized() && self.session.with_untracked(Option::is_some) {
            Session::clear();
            self.session.set(None);
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(String),
}

/// Loads data now and again whenever a signal read (synchronously) inside `fetch` changes.
/// A response that arrives after a newer request started is dropped.
pub fn load<T, F, Fut>(fetch: F) -> RwSignal<Load<T>>
where
    T: Send + Sync + 'static,
    F: Fn(Option<String>) -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let ctx = Ctx::get();
    let state = RwSignal::new(Load::Loading);
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        // Reading the session here reloads the data after signing in or out.
        let fut = fetch(ctx.signed_token.get());
        let mine = generation.get_value() + 1;
        generation.set_value(mine);
        leptos::task::spawn_local(async move {
            let result = fut.await;
            // The page may have been left (its signals disposed) or asked again meanwhile.
            if generation.try_get_value() != Some(mine) {
                return;
            }
            match result {
                Ok(v) => {
                    state.try_set(Load::Ready(v));
                }
                Err(e) => {
                    ctx.check(&e);
                    state.try_set(Load::Failed(e.message(ctx.lang.get_untracked().text())));
                }
            }
        });
    });
    state
}

/// The line that says why the last request was refused (nothing while it was not).
pub fn failure_line(failure: RwSignal<Option<ApiError>>) -> impl IntoView {
    let ctx = Ctx::get();
    move || {
        failure
            .get()
            .map(|e| view! { <p class="error" role="alert">{e.message(ctx.t())}</p> })
    }
}

/// Sends a form's JSON body with `method`: `busy` while it travels (a second submit meanwhile
/// is ignored), the refusal in `failure` (a 401 also signs out), and `done` gets the answer.
pub fn send_form<B, T>(
    method: gloo_net::http::Method,
    path: impl Into<String>,
    body: B,
    busy: RwSignal<bool>,
    failure: RwSignal<Option<ApiError>>,
    done: impl FnOnce(T) + 'static,
) where
    B: serde::Serialize + 'static,
    T: serde::de::DeserializeOwned + 'static,
{
    let ctx = Ctx::get();
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    failure.set(None);
    let token = ctx.token();
    let path: String = path.into();
    leptos::task::spawn_local(async move {
        let r = crate::api::send::<B, T>(method, token.as_deref(), &path, &body).await;
        busy.try_set(false);
        match r {
            Ok(v) => done(v),
            Err(e) => {
                ctx.check(&e);
                failure.try_set(Some(e));
            }
        }
    });
}

/// Renders a loaded value, a loading line or the error (with the server's words).
pub fn show<T, V>(
    state: RwSignal<Load<T>>,
    view: impl Fn(&T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Send + Sync + 'static,
    V: IntoView + 'static,
{
    let ctx = Ctx::get();
    move || {
        state.with(|s| match s {
            Load::Loading => {
                view! { <p class="loading" role="status">{ctx.t().loading}</p> }.into_any()
            }
            Load::Failed(e) => view! { <p class="error" role="alert">{e.clone()}</p> }.into_any(),
            Load::Ready(v) => view(v).into_any(),
        })
    }
}

#[cfg(feature = "work")]
#[component]
pub fn ErrorLine(error: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|e| view! { <p class="error" role="alert">{e}</p> })
    }
}

#[component]
pub fn LightBadge(light: Light) -> impl IntoView {
    let ctx = Ctx::get();
    view! {
        <span class=format!("light light-{}", light.as_str())>
            {move || ctx.lang.get().label(light.as_str(), light.label())}
        </span>
    }
}

/// How many readers added their support (我也遇到), beside the other facts an official sees;
/// nothing while nobody has.
#[component]
pub fn SupportersTag(count: i64) -> impl IntoView {
    let ctx = Ctx::get();
    (count > 0).then(|| {
        view! { <span class="tag supporters">{move || (ctx.t().supporters_meta)(count)}</span> }
    })
}

/// A status or kind shown as a small tag, in the chosen language.
#[component]
pub fn Tag(
    wire: &'static str,
    zh: &'static str,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let ctx = Ctx::get();
    view! { <span class=format!("tag {class} tag-{wire}")>{move || ctx.lang.get().label(wire, zh)}</span> }
}

/// A page's title, also set as the document title.
#[component]
pub fn Title(text: Signal<String>) -> impl IntoView {
    Effect::new(move |_| {
        let ctx = Ctx::get();
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&format!("{} · {}", text.get(), ctx.t().product));
        }
    });
    view! { <h1 class="page-title">{move || text.get()}</h1> }
}

/// The message for one form field (the server's, or the form's own check), shown next to it
/// with the id its input's `aria-describedby` names.
pub fn field_error(
    failure: RwSignal<Option<ApiError>>,
    f: &'static str,
) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static {
    move || {
        failure
            .with(|e| e.as_ref().and_then(|e| e.field(f)))
            .map(|m| {
                view! { <span class="field-error" id=format!("{f}-error")>{m}</span> }.into_any()
            })
    }
}

/// `aria-invalid` of one form field.
pub fn invalid(
    failure: RwSignal<Option<ApiError>>,
    f: &'static str,
) -> impl Fn() -> String + Send + Sync + 'static {
    move || {
        failure
            .with(|e| e.as_ref().and_then(|e| e.field(f)).is_some())
            .to_string()
    }
}

/// Previous / next for a paged list.
#[component]
pub fn Pager(page: RwSignal<i64>, total: i64, per_page: i64) -> impl IntoView {
    let ctx = Ctx::get();
    let pages = ((total + per_page - 1) / per_page).max(1);
    let shown = page.get_untracked();
    view! {
        <nav class="pager" aria-label=move || ctx.t().pages>
            <button class="button secondary small" prop:disabled={move || page.get() <= 1}
                on:click=move |_| page.update(|p| *p -= 1)>{move || ctx.t().previous}</button>
            <span>{move || {
                // A list over history counted a few pages ahead: its total is then "more than".
                // The page this total was counted from (the pager is made anew with each page
                // read), not the one being asked for meanwhile.
                let p = shown;
                if minhu_types::total_is_lower_bound(total, p, per_page) {
                    (ctx.t().page_of_more)(p, total - 1)
                } else {
                    (ctx.t().page_of)(p, pages, total)
                }
            }}</span>
            <button class="button secondary small" prop:disabled={move || page.get() >= pages}
                on:click=move |_| page.update(|p| *p += 1)>{move || ctx.t().next}</button>
        </nav>
    }
}

/// A select over a string enum: value is the wire name, text the label in the chosen language.
#[component]
pub fn EnumSelect(
    id: &'static str,
    options: Vec<(&'static str, &'static str)>,
    value: RwSignal<String>,
    #[prop(optional)] any: bool,
) -> impl IntoView {
    let ctx = Ctx::get();
    view! {
        <select id=id on:change=move |ev| value.set(event_target_value(&ev)) prop:value=move || value.get()>
            {any.then(|| view! { <option value="">{move || ctx.t().all}</option> })}
            {options.into_iter().map(|(wire, zh)| view! {
                <option value=wire selected=move || value.get() == wire>{move || ctx.lang.get().label(wire, zh)}</option>
            }).collect_view()}
        </select>
    }
}

/// Puts the focus on the first field of `fields` (wire name, element id; in the form's order)
/// that one of `errors` names, so a keyboard or screen-reader user lands where to correct.
pub fn focus_first_problem(errors: &[minhu_types::FieldError], fields: &[(&str, &str)]) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(el) = fields
        .iter()
        .find(|(f, _)| errors.iter().any(|e| e.field == *f))
        .and_then(|(_, id)| doc.get_element_by_id(id))
    else {
        return;
    };
    // `focus` is HTMLElement's; called by name (web-sys' HtmlElement is not among our features).
    if let Ok(focus) = js_sys::Reflect::get(&el, &"focus".into()) {
        if let Some(focus) = wasm_bindgen::JsCast::dyn_ref::<js_sys::Function>(&focus) {
            let _ = focus.call0(&el);
        }
    }
}
