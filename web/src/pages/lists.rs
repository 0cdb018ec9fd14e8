//! Work lists: a citizen's own petitions, the hotline office's triage inbox and search, a unit's
//! orders (overdue first) and the requests waiting for the office's approval. Only the first is
//! in the residents' app; the others are the work app's (the `work` feature).

use leptos::prelude::*;
#[cfg(feature = "work")]
use minhu_types::{Assignment, AssignmentState, Light, PetitionStatus, RequestKind, Role};
use minhu_types::{Page, Petition};

use crate::api::{self, query};
use crate::format;
use crate::route::Route;
#[cfg(feature = "work")]
use crate::ui::EnumSelect;
use crate::ui::{load, show, Ctx, LightBadge, Pager, SupportersTag, Tag, Title};

#[cfg(feature = "work")]
const PER_PAGE: i64 = 20;

#[component]
pub fn Mine() -> impl IntoView {
    let ctx = Ctx::get();
    let page = RwSignal::new(1i64);
    let data = load(move |token| {
        let path = format!(
            "/petitions{}",
            query(&[("page", Some(page.get().to_string()))])
        );
        async move { api::get::<Page<Petition>>(token.as_deref(), &path).await }
    });
    view! {
        <Title text=Signal::derive(move || ctx.t().mine.to_owned()) />
        <p><a class="button" href="/submit">{ctx.t().submit_cta}</a></p>
        {show(data, move |p: &Page<Petition>| view! { <PetitionTable page=p.clone() current=page /> })}
    }
}

/// The statuses an official filters by, in the order of the lifecycle.
#[cfg(feature = "work")]
const TABS: [Option<PetitionStatus>; 7] = [
    Some(PetitionStatus::Submitted),
    Some(PetitionStatus::NeedsInfo),
    Some(PetitionStatus::Accepted),
    Some(PetitionStatus::Dispatched),
    Some(PetitionStatus::Handling),
    Some(PetitionStatus::Replied),
    None,
];

#[cfg(feature = "work")]
#[component]
pub fn Petitions() -> impl IntoView {
    let ctx = Ctx::get();
    // The hotline office starts at what waits for triage; everybody else at everything.
    let first = if ctx.role() == Some(Role::Operator) {
        TABS[0]
    } else {
        None
    };
    let status = RwSignal::new(first);
    let light = RwSignal::new(String::new());
    let typed = RwSignal::new(String::new());
    let q = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let data = load(move |token| {
        let path = format!(
            "/petitions{}",
            query(&[
                ("status", status.get().map(|s| s.as_str().to_owned())),
                ("light", Some(light.get())),
                ("q", Some(q.get())),
                ("page", Some(page.get().to_string())),
                ("per_page", Some(PER_PAGE.to_string())),
            ])
        );
        async move { api::get::<Page<Petition>>(token.as_deref(), &path).await }
    });
    let lights: Vec<_> = Light::ALL.iter().map(|l| (l.as_str(), l.label())).collect();
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        page.set(1);
        q.set(typed.get_untracked().trim().to_owned());
    };
    let t = ctx.t();
    view! {
        <Title text=Signal::derive(move || ctx.t().petitions.to_owned()) />
        <div class="tabs" role="tablist">
            {TABS.into_iter().map(|s| {
                let label = s.map_or_else(|| t.all.to_owned(), |s| ctx.lang.get_untracked().label(s.as_str(), s.label()));
                view! {
                    <button role="tab" class="tab" aria-selected=move || (status.get() == s).to_string()
                        on:click=move |_| { page.set(1); status.set(s); }>{label}</button>
                }
            }).collect_view()}
        </div>
        <form class="filters" role="search" on:submit=search>
            <label for="list-q" class="sr-only">{t.search}</label>
            <input id="list-q" type="search" placeholder=t.search_work_placeholder
                prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
            <label for="list-light">{t.light}</label>
            <EnumSelect id="list-light" options=lights value=light any=true />
            <button class="button" type="submit">{t.search}</button>
        </form>
        {show(data, move |p: &Page<Petition>| view! { <PetitionTable page=p.clone() current=page /> })}
    }
}

#[component]
fn PetitionTable(page: Page<Petition>, current: RwSignal<i64>) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    if page.items.is_empty() {
        return view! { <p class="muted">{t.nothing_found}</p> }.into_any();
    }
    let now = format::now();
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead><tr>
                    <th scope="col">{t.tracking_no}</th>
                    <th scope="col">{t.title}</th>
                    <th scope="col">{t.status}</th>
                    <th scope="col">{t.deadline}</th>
                    <th scope="col">{t.submitted_at}</th>
                </tr></thead>
                <tbody>
                    {page.items.iter().map(|p| view! {
                        <tr>
                            <td><a href=Route::Petition(p.id).href()>{p.tracking_no.clone()}</a></td>
                            <td>
                                <a href=Route::Petition(p.id).href()>{p.title.clone()}</a>
                                " "<Tag wire=p.kind.as_str() zh=p.kind.label() />
                                {(p.urgency != minhu_types::Urgency::Normal).then(|| view! { <Tag wire=p.urgency.as_str() zh=p.urgency.label() class="urgent" /> })}
                                {p.supervised.then(|| view! { <span class="tag supervised">{t.supervised}</span> })}
                                <SupportersTag count=p.supporters />
                            </td>
                            <td><Tag wire=p.status.as_str() zh=p.status.label() class="status" /></td>
                            <td>
                                {p.light.map(|l| view! { <LightBadge light=l /> })}
                                {p.reply_by.map(|d| view! { <span class="small">" "{format::remaining(d, now, t)}</span> })}
                            </td>
                            <td class="small">{format::datetime(p.created_at)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager page=current total=page.total per_page=page.per_page />
    }
    .into_any()
}

/// A unit's orders: those to sign, those in hand, and the overdue ones, most urgent first.
#[cfg(feature = "work")]
#[component]
pub fn Inbox() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let tab = RwSignal::new(0usize);
    let page = RwSignal::new(1i64);
    let data = load(move |token| {
        let (state, overdue) = match tab.get() {
            0 => (Some(AssignmentState::Pending.as_str().to_owned()), None),
            1 => (Some(AssignmentState::Handling.as_str().to_owned()), None),
            2 => (None, Some("true".to_owned())),
            _ => (None, None),
        };
        let path = format!(
            "/assignments{}",
            query(&[
                ("state", state),
                ("overdue", overdue),
                ("page", Some(page.get().to_string())),
                ("per_page", Some(PER_PAGE.to_string())),
            ])
        );
        async move { api::get::<Page<Assignment>>(token.as_deref(), &path).await }
    });
    let tabs = [t.to_sign, t.in_hand, t.overdue, t.all];
    view! {
        <Title text=Signal::derive(move || ctx.t().inbox.to_owned()) />
        <div class="tabs" role="tablist">
            {tabs.into_iter().enumerate().map(|(i, label)| view! {
                <button role="tab" class="tab" aria-selected=move || (tab.get() == i).to_string()
                    on:click=move |_| { page.set(1); tab.set(i); }>{label}</button>
            }).collect_view()}
        </div>
        {show(data, move |p: &Page<Assignment>| view! { <AssignmentTable page=p.clone() current=page /> })}
    }
}

/// Orders sorted for a person with little time: overdue, then closest deadline.
#[cfg(feature = "work")]
pub fn by_urgency(items: &mut [Assignment]) {
    let weight = |l: Light| match l {
        Light::Red => 0,
        Light::Yellow => 1,
        Light::Green => 2,
    };
    items.sort_by_key(|a| (weight(a.light), a.reply_by));
}

#[cfg(feature = "work")]
#[component]
fn AssignmentTable(page: Page<Assignment>, current: RwSignal<i64>) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    if page.items.is_empty() {
        return view! { <p class="muted">{t.nothing_to_do}</p> }.into_any();
    }
    let mut items = page.items.clone();
    by_urgency(&mut items);
    let now = format::now();
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead><tr>
                    <th scope="col">{t.title}</th>
                    <th scope="col">{t.unit}</th>
                    <th scope="col">{t.state}</th>
                    <th scope="col">{t.deadline}</th>
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|a| view! {
                        <tr>
                            <td>
                                <a href=Route::Petition(a.petition.id).href()>{a.petition.title.clone()}</a>
                                <div class="small muted">{a.petition.tracking_no.clone()}</div>
                            </td>
                            <td>{a.unit.name.clone()}" "<Tag wire=a.role.as_str() zh=a.role.label() /></td>
                            <td>
                                <Tag wire=a.state.as_str() zh=a.state.label() class="status" />
                                {a.open_request.as_ref().map(|r| view! { <Tag wire=r.kind.as_str() zh=r.kind.label() class="request" /> })}
                            </td>
                            <td><LightBadge light=a.light />" "<span class="small">{format::remaining(a.reply_by, now, t)}</span></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager page=current total=page.total per_page=page.per_page />
    }
    .into_any()
}

/// Returns and extensions the units asked for, waiting for the hotline office.
#[cfg(feature = "work")]
#[component]
pub fn Approvals() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let kind = RwSignal::new(RequestKind::Return);
    let page = RwSignal::new(1i64);
    let data = load(move |token| {
        let path = format!(
            "/assignments{}",
            query(&[
                ("open_request", Some(kind.get().as_str().to_owned())),
                ("page", Some(page.get().to_string())),
                ("per_page", Some(PER_PAGE.to_string())),
            ])
        );
        async move { api::get::<Page<Assignment>>(token.as_deref(), &path).await }
    });
    view! {
        <Title text=Signal::derive(move || ctx.t().approvals.to_owned()) />
        <div class="tabs" role="tablist">
            {RequestKind::ALL.iter().map(|k| {
                let k = *k;
                view! {
                    <button role="tab" class="tab" aria-selected=move || (kind.get() == k).to_string()
                        on:click=move |_| { page.set(1); kind.set(k); }>{ctx.lang.get_untracked().label(k.as_str(), k.label())}</button>
                }
            }).collect_view()}
        </div>
        <p class="muted small">{t.approvals_intro}</p>
        {show(data, move |p: &Page<Assignment>| view! { <AssignmentTable page=p.clone() current=page /> })}
    }
}

#[cfg(all(test, feature = "work"))]
mod tests {
    use super::*;
    use minhu_types::{AssignmentRole, PetitionBrief, PetitionKind, UnitKind, UnitRef, Urgency};

    fn order(id: i64, light: Light, due: &str) -> Assignment {
        let at = chrono::DateTime::parse_from_rfc3339(due)
            .expect("time")
            .with_timezone(&chrono::Utc);
        Assignment {
            id,
            petition: PetitionBrief {
                id,
                tracking_no: String::new(),
                title: String::new(),
                kind: PetitionKind::Help,
                urgency: Urgency::Normal,
                status: PetitionStatus::Handling,
            },
            unit: UnitRef {
                id: 1,
                name: String::new(),
                kind: UnitKind::Town,
            },
            role: AssignmentRole::Lead,
            parent_id: None,
            state: AssignmentState::Handling,
            open_request: None,
            sign_by: None,
            reply_by: at,
            light,
            signed_on_time: None,
            replied_on_time: None,
            created_at: at,
            signed_at: None,
            replied_at: None,
            returned_at: None,
            allowed_actions: vec![],
        }
    }

    #[test]
    fn overdue_first_then_closest_deadline() {
        let mut items = vec![
            order(1, Light::Green, "2026-11-20T00:00:00Z"),
            order(2, Light::Red, "2026-11-25T00:00:00Z"),
            order(3, Light::Yellow, "2026-11-24T00:00:00Z"),
            order(4, Light::Red, "2026-11-21T00:00:00Z"),
        ];
        by_urgency(&mut items);
        let ids: Vec<i64> = items.iter().map(|a| a.id).collect();
        assert_eq!(ids, [4, 2, 3, 1]);
    }
}
