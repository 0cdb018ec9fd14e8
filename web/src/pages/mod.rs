//! One module per audience; `page` picks the component for an address.

pub mod account;
pub mod admin;
pub mod intake;
pub mod lists;
pub mod messages;
pub mod moderation;
pub mod officials;
pub mod petition;
pub mod public;
pub mod rate;
pub mod submit;
pub mod trends;

use leptos::prelude::*;
use minhu_types::{Category, Page};

use crate::api;
use crate::route::Route;
use crate::ui::{load, Ctx, Load};

pub fn page(route: Route) -> AnyView {
    match route {
        Route::Home => view! { <public::Home /> }.into_any(),
        Route::Rankings => view! { <public::Rankings /> }.into_any(),
        Route::Knowledge => view! { <public::Knowledge /> }.into_any(),
        Route::Public(no) => view! { <public::PublicPage no=no /> }.into_any(),
        Route::Login => view! { <account::Login /> }.into_any(),
        Route::Register => view! { <account::Register /> }.into_any(),
        Route::Submit => view! { <submit::Submit /> }.into_any(),
        Route::Intake => view! { <intake::Intake /> }.into_any(),
        Route::Mine => view! { <lists::Mine /> }.into_any(),
        Route::Petitions => view! { <lists::Petitions /> }.into_any(),
        Route::Petition(id) => view! { <petition::Detail id=id /> }.into_any(),
        Route::Inbox => view! { <lists::Inbox /> }.into_any(),
        Route::Approvals => view! { <lists::Approvals /> }.into_any(),
        Route::Supervision => view! { <officials::Supervision /> }.into_any(),
        Route::Dashboard => view! { <officials::Dashboard /> }.into_any(),
        Route::Briefings => view! { <officials::Briefings /> }.into_any(),
        Route::Trends => view! { <trends::Trends /> }.into_any(),
        Route::Moderation => view! { <moderation::Queue /> }.into_any(),
        Route::Admin(tab) => view! { <admin::Admin tab=tab /> }.into_any(),
        Route::Messages => view! { <messages::Messages /> }.into_any(),
        Route::Account => view! { <account::Account /> }.into_any(),
        Route::Rate(token) => view! { <rate::Rate token=token /> }.into_any(),
        Route::NotFound => view! { <NotFound /> }.into_any(),
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let ctx = Ctx::get();
    view! {
        <section class="card">
            <h1 class="page-title">{move || ctx.t().not_found}</h1>
            <p><a href="/">{move || ctx.t().back_home}</a></p>
        </section>
    }
}

/// The category list (public), loaded once per page that needs it.
pub fn categories() -> RwSignal<Load<Vec<Category>>> {
    load(|token| async move {
        api::get::<Page<Category>>(token.as_deref(), "/categories?per_page=100")
            .await
            .map(|p| p.items)
    })
}

/// A category's name from a loaded list ("" while loading).
pub fn category_name(list: &Load<Vec<Category>>, id: i64) -> String {
    match list {
        Load::Ready(items) => items
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        _ => String::new(),
    }
}
