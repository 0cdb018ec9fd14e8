//! A citizen writes a petition.

use gloo_net::http::Method;
use leptos::prelude::*;
use minhu_types::rules::{validate_new_petition, MAX_CONTENT, MAX_TITLE};
use minhu_types::{NewPetition, Petition, PetitionKind, Source, Urgency};

use super::categories;
use crate::api::ApiError;
use crate::format::{chars, optional};
use crate::route::Route;
use crate::session::local_problem;
use crate::ui::{failure_line, focus_first_problem, send_form, Ctx, EnumSelect, Load, Title};

/// The form's fields in their order on the page: (the request's field, the input's id).
const FIELDS: &[(&str, &str)] = &[
    ("kind", "kind"),
    ("category_id", "category"),
    ("urgency", "urgency"),
    ("title", "title"),
    ("content", "content"),
    ("address", "address"),
    ("contact_phone", "contact-phone"),
];

/// The form's values as the API wants them (the category may still be unset: 0).
pub struct Draft {
    pub kind: String,
    pub category: String,
    pub urgency: String,
    pub title: String,
    pub content: String,
    pub address: String,
    pub anonymous: bool,
    pub publish_consent: bool,
    pub contact_name: String,
    pub contact_phone: String,
}

impl Draft {
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
            anonymous: self.anonymous,
            publish_consent: self.publish_consent,
            contact_name: optional(&self.contact_name),
            contact_phone: optional(&self.contact_phone),
            source: Some(Source::Web),
            accept: false,
        }
    }
}

#[component]
pub fn Submit() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let cats = categories();
    let kind = RwSignal::new(PetitionKind::Help.as_str().to_owned());
    let category = RwSignal::new(String::new());
    let urgency = RwSignal::new(Urgency::Normal.as_str().to_owned());
    let title = RwSignal::new(String::new());
    let content = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let anonymous = RwSignal::new(false);
    let consent = RwSignal::new(true);
    let contact_phone = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let draft = Draft {
            kind: kind.get_untracked(),
            category: category.get_untracked(),
            urgency: urgency.get_untracked(),
            title: title.get_untracked(),
            content: content.get_untracked(),
            address: address.get_untracked(),
            anonymous: anonymous.get_untracked(),
            publish_consent: consent.get_untracked(),
            contact_name: String::new(),
            contact_phone: contact_phone.get_untracked(),
        };
        let req = draft.to_request();
        let mut errors = validate_new_petition(&req).err().unwrap_or_default();
        if req.category_id == 0 {
            errors.insert(
                0,
                minhu_types::FieldError {
                    field: "category_id".into(),
                    message: ctx.t().choose_category.into(),
                },
            );
        }
        if !errors.is_empty() {
            focus_first_problem(&errors, FIELDS);
            failure.set(Some(local_problem(errors, ctx.t())));
            return;
        }
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

    view! {
        <Title text=Signal::derive(move || ctx.t().submit_title.to_owned()) />
        <form class="card form" on:submit=submit novalidate>
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
            <input id="title" maxlength=MAX_TITLE.to_string() aria-invalid=invalid("title") aria-describedby="title-error title-count"
                prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
            <span class="counter" id="title-count">{move || format!("{}/{MAX_TITLE}", chars(&title.get()))}</span>
            {field_error("title")}
            <label for="content">{t.content}</label>
            <textarea id="content" rows="7" aria-invalid=invalid("content") aria-describedby="content-error content-count"
                placeholder=t.content_placeholder
                prop:value=move || content.get() on:input=move |ev| content.set(event_target_value(&ev))></textarea>
            <span class="counter" id="content-count" class:over={move || chars(&content.get()) > MAX_CONTENT}>
                {move || format!("{}/{MAX_CONTENT}", chars(&content.get()))}
            </span>
            {field_error("content")}
            <label for="address">{t.address_optional}</label>
            <input id="address" aria-invalid=invalid("address") aria-describedby="address-error"
                prop:value=move || address.get() on:input=move |ev| address.set(event_target_value(&ev)) />
            {field_error("address")}
            <label for="contact-phone">{t.contact_phone_optional}</label>
            <input id="contact-phone" type="tel" autocomplete="tel" aria-invalid=invalid("contact_phone") aria-describedby="contact_phone-error"
                prop:value=move || contact_phone.get() on:input=move |ev| contact_phone.set(event_target_value(&ev)) />
            <span class="hint">{t.contact_phone_hint}</span>
            {field_error("contact_phone")}
            <label class="check">
                <input id="publish-consent" type="checkbox" prop:checked=move || consent.get() on:change=move |ev| consent.set(event_target_checked(&ev)) />
                {t.publish_consent}
            </label>
            <label class="check">
                <input id="anonymous" type="checkbox" prop:checked=move || anonymous.get() on:change=move |ev| anonymous.set(event_target_checked(&ev)) />
                {t.anonymous}
            </label>
            {failure_line(failure)}
            <button id="submit-petition" class="button" type="submit" prop:disabled=move || busy.get()>
                {move || if busy.get() { t.submitting } else { t.submit }}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            kind: "help".into(),
            category: "3".into(),
            urgency: "normal".into(),
            title: "  路灯坏了 ".into(),
            content: "村东头三盏路灯不亮".into(),
            address: " ".into(),
            anonymous: false,
            publish_consent: true,
            contact_name: String::new(),
            contact_phone: "13812345678".into(),
        }
    }

    #[test]
    fn a_draft_becomes_a_request() {
        let r = draft().to_request();
        assert_eq!(r.title, "路灯坏了");
        assert_eq!(r.category_id, 3);
        assert_eq!(r.address, None, "blank means not given");
        assert_eq!(r.source, Some(Source::Web));
        assert!(validate_new_petition(&r).is_ok());
    }

    #[test]
    fn the_form_reports_what_the_server_would() {
        let mut d = draft();
        d.title = "长".repeat(MAX_TITLE + 1);
        d.contact_phone = "call me".into();
        let fields: Vec<String> = validate_new_petition(&d.to_request())
            .expect_err("invalid")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["title", "contact_phone"]);
    }
}
