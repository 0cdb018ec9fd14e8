//! One module per audience; `page` picks the component for an address. The officials' pages
//! (`Route::needs_work_app`) are compiled only into the work app (the `work` feature).

pub mod account;
#[cfg(feature = "work")]
pub mod admin;
#[cfg(feature = "work")]
pub mod intake;
pub mod lists;
pub mod messages;
#[cfg(feature = "work")]
pub mod moderation;
#[cfg(feature = "work")]
pub mod officials;
pub mod petition;
pub mod public;
pub mod rate;
pub mod submit;
#[cfg(feature = "work")]
pub mod trends;

use leptos::prelude::*;
use minhu_types::{Category, Page};

use crate::api;
use crate::route::Route;
use crate::ui::{load, Ctx, Load};

pub fn page(route: Route) -> AnyView {
    // The residents' app loads the work app's pages afresh (`crate::navigate`, and after
    // signing in on one), and `index.html` loads the work app for them: only reached when the
    // two disagree, or for a moment while the page is loaded afresh.
    #[cfg(not(feature = "work"))]
    if route.needs_work_app_for(Ctx::get().role_untracked()) {
        return view! { <WorkAppOnly route=route /> }.into_any();
    }
    match route {
        Route::Home => view! { <public::Home /> }.into_any(),
        Route::Rankings => view! { <public::Rankings /> }.into_any(),
        Route::Knowledge => view! { <public::Knowledge /> }.into_any(),
        Route::Public(no) => view! { <public::PublicPage no=no /> }.into_any(),
        Route::Login => view! { <account::Login /> }.into_any(),
        Route::Register => view! { <account::Register /> }.into_any(),
        Route::Submit => view! { <submit::Submit /> }.into_any(),
        #[cfg(feature = "work")]
        Route::Intake => view! { <intake::Intake /> }.into_any(),
        Route::Mine => view! { <lists::Mine /> }.into_any(),
        #[cfg(feature = "work")]
        Route::Petitions => view! { <lists::Petitions /> }.into_any(),
        Route::Petition(id) => view! { <petition::Detail id=id /> }.into_any(),
        #[cfg(feature = "work")]
        Route::Inbox => view! { <lists::Inbox /> }.into_any(),
        #[cfg(feature = "work")]
        Route::Approvals => view! { <lists::Approvals /> }.into_any(),
        #[cfg(feature = "work")]
        Route::Supervision => view! { <officials::Supervision /> }.into_any(),
        #[cfg(feature = "work")]
        Route::Dashboard => view! { <officials::Dashboard /> }.into_any(),
        #[cfg(feature = "work")]
        Route::Briefings => view! { <officials::Briefings /> }.into_any(),
        #[cfg(feature = "work")]
        Route::Trends => view! { <trends::Trends /> }.into_any(),
        #[cfg(feature = "work")]
        Route::Moderation => view! { <moderation::Queue /> }.into_any(),
        #[cfg(feature = "work")]
        Route::Admin(tab) => view! { <admin::Admin tab=tab /> }.into_any(),
        Route::Messages => view! { <messages::Messages /> }.into_any(),
        Route::Account => view! { <account::Account /> }.into_any(),
        Route::Rate(token) => view! { <rate::Rate token=token /> }.into_any(),
        Route::NotFound => view! { <NotFound /> }.into_any(),
        // The work app's pages, answered above.
        #[cfg(not(feature = "work"))]
        _ => view! { <WorkAppOnly route=route /> }.into_any(),
    }
}

/// A work app's page in the residents' app (`index.html` chose the wrong app): a link that
/// loads it afresh, never a reload by itself (no loop when the loader keeps choosing this app).
#[cfg(not(feature = "work"))]
#[component]
fn WorkAppOnly(route: Route) -> impl IntoView {
    let ctx = Ctx::get();
    view! {
        <section class="card">
            <h1 class="page-title">{move || ctx.t().work_app_only}</h1>
            <p><a href=route.href()>{move || ctx.t().open_work_app}</a></p>
            <p><a href="/">{move || ctx.t().back_home}</a></p>
        </section>
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
