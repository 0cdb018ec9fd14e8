//! The hotline office registers a call (接线登记), keyboard first: the caller's number (their
//! earlier petitions appear as it is typed), name, the matter, and for a consultation the
//! knowledge base's answers to give on the spot; registered and accepted in one step.

use gloo_net::http::Method;
use leptos::prelude::*;
use minhu_types::rules::{phone_forms, validate_new_petition, MAX_CONTENT, MAX_TITLE};
use minhu_types::{Article, NewPetition, Page, Petition, PetitionKind, Source, Urgency};

use super::categories;
use crate::api::{self, ApiError};
use crate::format::{chars, optional};
use crate::route::Route;
use crate::session::local_problem;
use crate::ui::{failure_line, focus_first_problem, load, send_form, Ctx, EnumSelect, Load, Title};

/// The form's fields in their order on the page: (the request's field, the input's id).
const FIELDS: &[(&str, &str)] = &[
    ("contact_phone", "caller-phone"),
    ("contact_name", "caller-name"),
    ("source", "channel"),
    ("kind", "kind"),
    ("category_id", "category"),
    ("urgency", "urgency"),
    ("title", "title"),
    ("content", "content"),
    ("address", "address"),
];

/// The form's values as the API wants them.
pub struct Call {
    pub phone: String,
    pub name: String,
    pub kind: String,
    pub category: String,
    pub urgency: String,
    pub title: String,
    pub content: String,
    pub address: String,
    pub source: String,
    pub accept: bool,
}

impl Call {
    pub fn to_request(&self) -> NewPetition {
        NewPetition {
            kind: PetitionKind::parse(&self.kind).unwrap_or(PetitionKind::Help),
            category_id: self.category.parse().unwrap_or(0),
            urgency: Urgency::parse(&self.urgency).unwrap_or(Urgency::Normal),
            title: self.title.trim().to_owned(),
            content: self.content.trim().to_owned(),
            address: optional(&self.address),
            latitude: None,
            longitude: None,
            anonymous: false,
            publish_consent: false,
            contact_name: optional(&self.name),
            // As the operator typed it ("138 1234 5678", "+86 …"), stored in its usual form.
            contact_phone: phone_forms(&self.phone)
                .and_then(|f| f.last().cloned())
                .or_else(|| optional(&self.phone)),
            source: Some(Source::parse(&self.source).unwrap_or(Source::Phone)),
            accept: self.accept,
        }
    }

    /// What the server would refuse, found before sending: its own rules, plus what a call
    /// needs (whom to call back, a category).
    pub fn problems(&self, t: &crate::text::Text) -> Vec<minhu_types::FieldError> {
        let req = self.to_request();
        let mut errors = validate_new_petition(&req).err().unwrap_or_default();
        let mut need = |field: &str, missing: bool, message: &str| {
            if missing && !errors.iter().any(|e| e.field == field) {
                errors.push(minhu_types::FieldError {
                    field: field.into(),
                    message: message.into(),
                });
            }
        };
        need("contact_phone", req.contact_phone.is_none(), t.caller_phone);
        need("contact_name", req.contact_name.is_none(), t.caller_name);
        need("category_id", req.category_id == 0, t.choose_category);
        errors
    }
}

#[component]
pub fn Intake() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let cats = categories();
    let phone = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(PetitionKind::Help.as_str().to_owned());
    let category = RwSignal::new(String::new());
    let urgency = RwSignal::new(Urgency::Normal.as_str().to_owned());
    let title = RwSignal::new(String::new());
    let content = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let source = RwSignal::new(Source::Phone.as_str().to_owned());
    let accept = RwSignal::new(true);
    let failure = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    // The operator starts typing the number the moment the page opens.
    let first = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = first.get() {
            let _ = input.focus();
        }
    });

    // The caller's earlier petitions, as soon as the number is one.
    let history = load(move |token| {
        let forms = phone_forms(&phone.get());
        async move {
            match forms {
                None => Ok(None),
                Some(f) => api::get::<Page<Petition>>(
                    token.as_deref(),
                    &format!("/callers/{}/petitions?per_page=5", f[0]),
                )
                .await
                .map(Some),
            }
        }
    });
    // For a consultation, the knowledge base's answers to the title.
    let answers = load(move |token| {
        let q = (kind.get() == PetitionKind::Consultation.as_str())
            .then(|| title.get().trim().to_owned())
            .filter(|q| chars(q) >= 2);
        async move {
            match q {
                None => Ok(Vec::new()),
                Some(q) => api::get::<Page<Article>>(
                    token.as_deref(),
                    &format!(
                        "/knowledge?per_page=3&q={}",
                        js_sys::encode_uri_component(&q)
                    ),
                )
                .await
                .map(|p| p.items),
            }
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let call = Call {
            phone: phone.get_untracked(),
            name: name.get_untracked(),
            kind: kind.get_untracked(),
            category: category.get_untracked(),
            urgency: urgency.get_untracked(),
            title: title.get_untracked(),
            content: content.get_untracked(),
            address: address.get_untracked(),
            source: source.get_untracked(),
            accept: accept.get_untracked(),
        };
        let errors = call.problems(ctx.t());
        if !errors.is_empty() {
            focus_first_problem(&errors, FIELDS);
            failure.set(Some(local_problem(errors, ctx.t())));
            return;
        }
        let req = call.to_request();
        send_form(
            Method::POST,
            "/petitions",
            req,
            busy,
            failure,
            move |p: Petition| ctx.go(Route::Petition(p.id)),
        );
    };
    let field_error = move |f: &'static str| crate::ui::field_error(failure, f);
    let invalid = move |f: &'static str| crate::ui::invalid(failure, f);
    let kinds: Vec<_> = PetitionKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect();
    let urgencies: Vec<_> = Urgency::ALL
        .iter()
        .rev()
        .map(|k| (k.as_str(), k.label()))
        .collect();
    let channels: Vec<_> = [Source::Phone, Source::Wechat, Source::Web, Source::App]
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect();

    view! {
        <Title text=Signal::derive(move || ctx.t().intake_title.to_owned()) />
        <form class="card form" on:submit=submit novalidate>
            <div class="row">
                <div>
                    <label for="caller-phone">{t.caller_phone}</label>
                    <input id="caller-phone" type="tel" node_ref=first aria-invalid=invalid("contact_phone") aria-describedby="contact_phone-error"
                        prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev)) />
                    {field_error("contact_phone")}
                </div>
                <div>
                    <label for="caller-name">{t.caller_name}</label>
                    <input id="caller-name" aria-invalid=invalid("contact_name") aria-describedby="contact_name-error"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    {field_error("contact_name")}
                </div>
                <div>
                    <label for="channel">{t.channel}</label>
                    <EnumSelect id="channel" options=channels value=source />
                </div>
            </div>
            <section aria-live="polite" class="history">
                {move || match history.get() {
                    Load::Ready(Some(page)) if page.items.is_empty() => view! { <p class="hint">{ctx.t().no_history}</p> }.into_any(),
                    Load::Ready(Some(page)) => view! {
                        <h2>{ctx.t().caller_history}{
                            if minhu_types::total_is_lower_bound(page.total, page.page, page.per_page) {
                                format!("（{}+）", page.total - 1)
                            } else {
                                format!("（{}）", page.total)
                            }
                        }</h2>
                        <ul>
                            {page.items.into_iter().map(|p| view! {
                                <li>
                                    <a href=Route::Petition(p.id).href()>{p.tracking_no.clone()}</a>
                                    " " {p.title.clone()} " · " {move || ctx.lang.get().label(p.status.as_str(), p.status.label())}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    _ => ().into_any(),
                }}
            </section>
            <div class="row">
                <div>
                    <label for="kind">{t.kind}</label>
                    <EnumSelect id="kind" options=kinds value=kind />
                </div>
                <div>
                    <label for="category">{t.category}</label>
                    <select id="category" aria-invalid=invalid("category_id") aria-describedby="category_id-error"
                        on:change=move |ev| category.set(event_target_value(&ev))>
                        <option value="">{t.choose}</option>
                        {move || match cats.get() {
                            Load::Ready(items) => items.into_iter().map(|c| view! {
                                <option value=c.id.to_string()>{c.name}</option>
                            }).collect_view().into_any(),
                            _ => ().into_any(),
                        }}
                    </select>
                    {field_error("category_id")}
                </div>
                <div>
                    <label for="urgency">{t.urgency}</label>
                    <EnumSelect id="urgency" options=urgencies value=urgency />
                </div>
            </div>
            <label for="title">{t.title}</label>
            <input id="title" maxlength=MAX_TITLE.to_string() aria-invalid=invalid("title") aria-describedby="title-error"
                prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
            {field_error("title")}
            <section aria-live="polite">
                {move || match answers.get() {
                    Load::Ready(items) if !items.is_empty() => view! {
                        <h2>{ctx.t().on_the_spot}</h2>
                        <ul>
                            {items.into_iter().map(|a| view! {
                                <li><strong>{a.question}</strong><p>{a.answer}</p></li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    _ => ().into_any(),
                }}
            </section>
            <label for="content">{t.content}</label>
            <textarea id="content" rows="6" aria-invalid=invalid("content") aria-describedby="content-error content-count"
                prop:value=move || content.get() on:input=move |ev| content.set(event_target_value(&ev))></textarea>
            <span class="counter" id="content-count" class:over={move || chars(&content.get()) > MAX_CONTENT}>
                {move || format!("{}/{MAX_CONTENT}", chars(&content.get()))}
            </span>
            {field_error("content")}
            <label for="address">{t.address_optional}</label>
            <input id="address" aria-invalid=invalid("address") aria-describedby="address-error"
                prop:value=move || address.get() on:input=move |ev| address.set(event_target_value(&ev)) />
            {field_error("address")}
            <label class="check">
                <input id="accept-now" type="checkbox" prop:checked=move || accept.get() on:change=move |ev| accept.set(event_target_checked(&ev)) />
                {t.accept_now}
            </label>
            {failure_line(failure)}
            <button id="register-call" class="button" type="submit" prop:disabled=move || busy.get()>
                {move || if busy.get() { t.submitting } else { t.register_call }}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call() -> Call {
        Call {
            phone: "0391-2345678".into(),
            name: "王秀英".into(),
            kind: "consultation".into(),
            category: "3".into(),
            urgency: "normal".into(),
            title: " 停水什么时候恢复 ".into(),
            content: "小区停水两天了".into(),
            address: String::new(),
            source: "phone".into(),
            accept: true,
        }
    }

    #[test]
    fn a_call_becomes_a_request() {
        let mut spoken = call();
        spoken.phone = "+86 138 1234 5678".into();
        assert_eq!(
            spoken.to_request().contact_phone.as_deref(),
            Some("13812345678")
        );
        let r = call().to_request();
        assert_eq!(r.contact_phone.as_deref(), Some("0391-2345678"));
        assert_eq!(r.title, "停水什么时候恢复");
        assert_eq!(r.source, Some(Source::Phone));
        assert!(r.accept && !r.publish_consent);
        assert!(call().problems(&crate::text::ZH).is_empty());
    }

    #[test]
    fn whom_to_call_back_is_required() {
        let mut c = call();
        c.phone = " ".into();
        c.name = String::new();
        c.category = String::new();
        let fields: Vec<String> = c
            .problems(&crate::text::ZH)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["contact_phone", "contact_name", "category_id"]);
    }
}
