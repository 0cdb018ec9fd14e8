//! Signing in and registering (citizens register themselves; officials get accounts from the
//! administrator), and the signed-in user's own account: how they want to be told (消息通知).

use gloo_net::http::Method;
use leptos::prelude::*;
use minhu_types::rules::{validate_notification_settings, validate_registration};
use minhu_types::{FieldError, LoginRequest, NotificationSettings, RegisterRequest, TokenResponse};

use crate::api::{self, ApiError};
use crate::format::optional;
use crate::route::Route;
use crate::session::{check_login, Session};
use crate::ui::{failure_line, load, send_form, show, Ctx, Title};

fn signed_in(ctx: Ctx, token: TokenResponse) {
    let s = Session {
        token: token.access_token,
        user: token.user,
    };
    s.store();
    let role = s.user.role;
    ctx.session.set(Some(s));
    // From the login page go to the user's own start page; from a protected page stay there
    // (loaded afresh when it is the work app's for this user).
    let here = ctx.route.get_untracked();
    if matches!(here, Route::Login | Route::Register) {
        ctx.go(crate::home_of(role));
    } else if !cfg!(feature = "work") && here.needs_work_app_for(Some(role)) {
        ctx.go(here);
    }
}

#[component]
pub fn Login() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let needed = ctx.route.get_untracked() != Route::Login;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let req = LoginRequest {
            username: username.get_untracked(),
            password: password.get_untracked(),
        };
        if let Some(problem) = check_login(&req, ctx.t()) {
            error.set(Some(problem.to_owned()));
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::send::<_, TokenResponse>(Method::POST, None, "/auth/login", &req).await {
                Ok(token) => signed_in(ctx, token),
                Err(e) => {
                    error.try_set(Some(e.message(ctx.t())));
                }
            }
            busy.try_set(false);
        });
    };

    view! {
        <section class="card narrow">
            <Title text=Signal::derive(move || ctx.t().login.to_owned()) />
            {needed.then(|| view! { <p class="notice">{t.login_needed}</p> })}
            <form class="form" on:submit=submit novalidate>
                <label for="username">{t.username}</label>
                <input id="username" name="username" type="text" autocomplete="username" required
                    prop:value=move || username.get()
                    on:input=move |ev| username.set(event_target_value(&ev)) />
                <label for="password">{t.password}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev)) />
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <button class="button" type="submit" prop:disabled=move || busy.get()>
                    {move || if busy.get() { t.logging_in } else { t.login }}
                </button>
            </form>
            <p class="muted small">{t.no_account}" "<a href="/register">{t.register}</a></p>
        </section>
    }
}

#[component]
pub fn Register() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let req = RegisterRequest {
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            display_name: name.get_untracked().trim().to_owned(),
            phone: optional(&phone.get_untracked()),
        };
        // The server's own rules, checked before sending; the server checks again.
        if let Err(errors) = validate_registration(&req) {
            failure.set(Some(crate::session::local_problem(errors, ctx.t())));
            return;
        }
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            let created =
                api::send::<_, serde_json::Value>(Method::POST, None, "/auth/register", &req).await;
            let result = match created {
                Ok(_) => {
                    let login = LoginRequest {
                        username: req.username.clone(),
                        password: req.password.clone(),
                    };
                    api::send::<_, TokenResponse>(Method::POST, None, "/auth/login", &login).await
                }
                Err(e) => Err(e),
            };
            busy.try_set(false);
            match result {
                Ok(token) => signed_in(ctx, token),
                Err(e) => {
                    failure.try_set(Some(e));
                }
            }
        });
    };
    let field_error = move |f: &'static str| crate::ui::field_error(failure, f);
    let invalid = move |f: &'static str| crate::ui::invalid(failure, f);

    view! {
        <section class="card narrow">
            <Title text=Signal::derive(move || ctx.t().register.to_owned()) />
            <p class="muted">{t.register_intro}</p>
            <form class="form" on:submit=submit novalidate>
                <label for="reg-username">{t.username}</label>
                <input id="reg-username" autocomplete="username" aria-invalid=invalid("username") aria-describedby="username-error"
                    prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev)) />
                <span class="hint">{t.username_hint}</span>
                {field_error("username")}
                <label for="reg-password">{t.password}</label>
                <input id="reg-password" type="password" autocomplete="new-password" aria-invalid=invalid("password") aria-describedby="password-error"
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                {field_error("password")}
                <label for="reg-name">{t.display_name}</label>
                <input id="reg-name" autocomplete="name" aria-invalid=invalid("display_name") aria-describedby="display_name-error"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                {field_error("display_name")}
                <label for="reg-phone">{t.phone_optional}</label>
                <input id="reg-phone" type="tel" inputmode="numeric" autocomplete="tel" aria-invalid=invalid("phone") aria-describedby="phone-error"
                    prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev)) />
                {field_error("phone")}
                {failure_line(failure)}
                <button class="button" type="submit" prop:disabled=move || busy.get()>{t.register}</button>
            </form>
        </section>
    }
}

/// The signed-in user's account: who they are, and how they are told about their petitions
/// and orders besides the in-app messages.
#[component]
pub fn Account() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let settings = load(|token| async move {
        api::get::<NotificationSettings>(token.as_deref(), "/me/notification-settings").await
    });
    view! {
        <Title text=Signal::derive(move || ctx.t().account.to_owned()) />
        {move || ctx.session.get().map(|s| view! {
            <section class="card">
                <dl class="facts">
                    <dt>{t.username}</dt><dd>{s.user.username.clone()}</dd>
                    <dt>{t.display_name}</dt><dd>{s.user.display_name.clone()}</dd>
                    <dt>{t.role}</dt><dd>{ctx.lang.get_untracked().label(s.user.role.as_str(), s.user.role.label())}</dd>
                </dl>
            </section>
        })}
        <section class="card" aria-labelledby="notification-settings">
            <h2 id="notification-settings">{t.notification_settings}</h2>
            <p class="muted">{t.notification_settings_intro}</p>
            {show(settings, |s: &NotificationSettings| view! { <SettingsForm initial=s.clone() /> })}
        </section>
    }
}

/// What to send, or the fields to correct first: the server's own rules, checked before
/// sending (whether the account has a phone for SMS is left to the server, which checks again).
pub fn settings_request(
    sms: bool,
    email: bool,
    address: &str,
) -> Result<NotificationSettings, Vec<FieldError>> {
    let s = NotificationSettings {
        sms,
        email,
        email_address: optional(address),
    };
    validate_notification_settings(&s, true).map(|()| s)
}

#[component]
fn SettingsForm(initial: NotificationSettings) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let sms = RwSignal::new(initial.sms);
    let email = RwSignal::new(initial.email);
    let address = RwSignal::new(initial.email_address.unwrap_or_default());
    let failure = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let body = match settings_request(
            sms.get_untracked(),
            email.get_untracked(),
            &address.get_untracked(),
        ) {
            Ok(b) => b,
            Err(errors) => {
                failure.set(Some(crate::session::local_problem(errors, ctx.t())));
                return;
            }
        };
        send_form(
            Method::PUT,
            "/me/notification-settings",
            body,
            busy,
            failure,
            move |s: NotificationSettings| {
                sms.try_set(s.sms);
                email.try_set(s.email);
                address.try_set(s.email_address.unwrap_or_default());
                saved.try_set(true);
            },
        );
    };
    // A change after saving is not saved yet.
    let changed = move || saved.set(false);
    let field_error = move |f: &'static str| crate::ui::field_error(failure, f);
    let invalid = move |f: &'static str| crate::ui::invalid(failure, f);
    view! {
        <form class="form" on:submit=submit novalidate>
            <label class="check">
                <input type="checkbox" id="notify-sms" aria-describedby="notify-sms-hint sms-error"
                    aria-invalid=invalid("sms")
                    prop:checked=move || sms.get()
                    on:change=move |ev| { changed(); sms.set(event_target_checked(&ev)); } />
                {t.notify_sms}
            </label>
            <span class="hint" id="notify-sms-hint">{t.notify_sms_hint}</span>
            {field_error("sms")}
            <label class="check">
                <input type="checkbox" id="notify-email" aria-describedby="email-error"
                    aria-invalid=invalid("email")
                    prop:checked=move || email.get()
                    on:change=move |ev| { changed(); email.set(event_target_checked(&ev)); } />
                {t.notify_email}
            </label>
            {field_error("email")}
            <label for="notify-email-address">{t.email_address}</label>
            <input id="notify-email-address" type="email" autocomplete="email" maxlength="254"
                aria-invalid=invalid("email_address") aria-describedby="email_address-error"
                prop:value=move || address.get()
                on:input=move |ev| { changed(); address.set(event_target_value(&ev)); } />
            {field_error("email_address")}
            {failure_line(failure)}
            {move || saved.get().then(|| view! { <p class="success" role="status">{t.saved}</p> })}
            <div class="buttons">
                <button class="button" type="submit" prop:disabled=move || busy.get()>
                    {move || if busy.get() { t.saving } else { t.save }}
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_needs_a_valid_address() {
        let field = |r: Result<NotificationSettings, Vec<FieldError>>| {
            r.expect_err("invalid")[0].field.clone()
        };
        assert_eq!(field(settings_request(false, true, "  ")), "email_address");
        assert_eq!(
            field(settings_request(false, true, "name@")),
            "email_address"
        );
        assert_eq!(
            settings_request(true, false, ""),
            Ok(NotificationSettings {
                sms: true,
                email: false,
                email_address: None,
            })
        );
        assert_eq!(
            settings_request(false, true, " a@example.cn ")
                .expect("valid")
                .email_address
                .as_deref(),
            Some("a@example.cn")
        );
    }
}
