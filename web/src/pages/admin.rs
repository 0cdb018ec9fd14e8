//! Administration: the unit tree, accounts, categories, the dispatch catalogue and partners
//! (secrets shown once).

use gloo_net::http::Method;
use leptos::prelude::*;
use minhu_types::rules::validate_new_user;
use minhu_types::{
    AssignmentRole, Category, DispatchRule, DispatchSettings, NewCategory, NewDispatchRule,
    NewPartner, NewUnit, NewUser, Page, Partner, PartnerCredentials, Role, Unit, UnitKind,
    UserDetail,
};

use super::petition::UnitTree;
use super::{categories, category_name};
use crate::actions::Fields;
use crate::api::{self, ApiError};
use crate::format::{self, optional};
use crate::route::{AdminTab, Route};
use crate::session::local_problem;
use crate::ui::{failure_line, load, send_form, show, Ctx, EnumSelect, Load, Title};

#[component]
pub fn Admin(tab: AdminTab) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    view! {
        <Title text=Signal::derive(move || ctx.t().admin.to_owned()) />
        <nav class="tabs" aria-label=t.admin>
            {AdminTab::ALL.into_iter().map(|a| {
                let r = Route::Admin(a);
                view! { <a class="tab" href=r.href() aria-current=(a == tab).then_some("page")>{t.route_name(&r)}</a> }
            }).collect_view()}
        </nav>
        {match tab {
            AdminTab::Units => view! { <Units /> }.into_any(),
            AdminTab::Users => view! { <Users /> }.into_any(),
            AdminTab::Categories => view! { <Categories /> }.into_any(),
            AdminTab::Partners => view! { <Partners /> }.into_any(),
            AdminTab::Dispatch => view! { <Dispatch /> }.into_any(),
        }}
    }
}

#[component]
fn Units() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(UnitKind::Street.as_str().to_owned());
    let parent = RwSignal::new(Fields::default());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let created = RwSignal::new(None::<String>);
    let generation = RwSignal::new(0u32);
    let kinds: Vec<_> = UnitKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewUnit {
            name: name.get_untracked().trim().to_owned(),
            kind: UnitKind::parse(&kind.get_untracked()).unwrap_or(UnitKind::Street),
            parent_id: parent.with_untracked(|f| f.unit_id),
        };
        send_form(
            Method::POST,
            "/units",
            body,
            busy,
            failure,
            move |u: Unit| {
                created.set(Some(u.name));
                name.set(String::new());
                generation.update(|g| *g += 1);
            },
        );
    };
    view! {
        <div class="grid-2">
            <section class="card">
                <h2>{t.unit_tree}</h2>
                <p class="muted small">{t.unit_tree_hint}</p>
                {move || { generation.track(); view! { <UnitTree root=None selected=parent /> } }}
            </section>
            <form class="card form" on:submit=submit novalidate>
                <h2>{t.new_unit}</h2>
                <label for="unit-name">{t.name}</label>
                <input id="unit-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <label for="unit-kind">{t.unit_kind}</label>
                <EnumSelect id="unit-kind" options=kinds value=kind />
                <p class="small">{t.parent_unit}"："{move || parent.with(|f| f.unit_id).map_or_else(|| ctx.t().none_top_level.to_owned(), |id| format!("#{id}"))}</p>
                {failure_line(failure)}
                {move || created.get().map(|n| view! { <p class="success" role="status">{(ctx.t().created)(&n)}</p> })}
                <button class="button" type="submit" prop:disabled=move || busy.get()>{t.create}</button>
            </form>
        </div>
    }
}

#[component]
fn Users() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let generation = RwSignal::new(0u32);
    let list = load(move |token| {
        generation.track();
        async move { api::get::<Page<UserDetail>>(token.as_deref(), "/users?per_page=100").await }
    });
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Handler.as_str().to_owned());
    let unit = RwSignal::new(Fields::default());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let roles: Vec<_> = Role::ALL
        .iter()
        .filter(|r| !matches!(r, Role::Partner | Role::System))
        .map(|r| (r.as_str(), r.label()))
        .collect();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewUser {
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            display_name: name.get_untracked().trim().to_owned(),
            role: Role::parse(&role.get_untracked()).unwrap_or(Role::Handler),
            unit_id: unit.with_untracked(|f| f.unit_id),
            phone: None,
        };
        if let Err(errors) = validate_new_user(&body) {
            failure.set(Some(local_problem(errors, ctx.t())));
            return;
        }
        send_form(
            Method::POST,
            "/users",
            body,
            busy,
            failure,
            move |_: UserDetail| {
                username.set(String::new());
                password.set(String::new());
                name.set(String::new());
                generation.update(|g| *g += 1);
            },
        );
    };
    view! {
        <div class="grid-2">
            <section class="card">
                <h2>{t.users}</h2>
                {show(list, move |p: &Page<UserDetail>| {
                    let lang = ctx.lang.get_untracked();
                    view! {
                        <div class="table-wrap">
                            <table class="table">
                                <thead><tr><th scope="col">{t.username}</th><th scope="col">{t.display_name}</th><th scope="col">{t.role}</th><th scope="col">{t.state}</th></tr></thead>
                                <tbody>
                                    {p.items.iter().map(|u| view! {
                                        <tr>
                                            <td class="mono">{u.username.clone()}</td>
                                            <td>{u.display_name.clone()}</td>
                                            <td>{lang.label(u.role.as_str(), u.role.label())}{u.unit_id.map(|id| format!(" #{id}"))}</td>
                                            <td>{if u.active { t.active } else { t.inactive }}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                })}
            </section>
            <form class="card form" on:submit=submit novalidate>
                <h2>{t.new_user}</h2>
                <label for="user-name">{t.username}</label>
                <input id="user-name" autocomplete="off" prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev)) />
                <label for="user-password">{t.initial_password}</label>
                <input id="user-password" type="password" autocomplete="new-password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                <label for="user-display">{t.display_name}</label>
                <input id="user-display" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <label for="user-role">{t.role}</label>
                <EnumSelect id="user-role" options=roles value=role />
                <fieldset>
                    <legend>{t.unit_of_user}</legend>
                    <UnitTree root=None selected=unit />
                </fieldset>
                {failure_line(failure)}
                <button class="button" type="submit" prop:disabled=move || busy.get()>{t.create}</button>
            </form>
        </div>
    }
}

#[component]
fn Categories() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let list = categories();
    let name = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let parent = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewCategory {
            name: name.get_untracked().trim().to_owned(),
            parent_id: parent.get_untracked().parse().ok(),
            code: optional(&code.get_untracked()),
        };
        send_form(
            Method::POST,
            "/categories",
            body,
            busy,
            failure,
            move |c: Category| {
                name.set(String::new());
                code.set(String::new());
                list.update(|l| {
                    if let Load::Ready(items) = l {
                        items.push(c);
                    }
                });
            },
        );
    };
    view! {
        <div class="grid-2">
            <section class="card">
                <h2>{t.categories}</h2>
                {show(list, move |items: &Vec<Category>| view! {
                    <ul class="plain">
                        {items.iter().map(|c| view! {
                            <li>{c.code.clone().map(|c| view! { <span class="mono">{c}" "</span> })}{c.name.clone()}
                                {c.parent_id.map(|p| view! { <span class="muted small">" ← #"{p}</span> })}</li>
                        }).collect_view()}
                    </ul>
                })}
            </section>
            <form class="card form" on:submit=submit novalidate>
                <h2>{t.new_category}</h2>
                <label for="cat-name">{t.name}</label>
                <input id="cat-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <label for="cat-code">{t.code_optional}</label>
                <input id="cat-code" prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                <label for="cat-parent">{t.parent_category}</label>
                <select id="cat-parent" on:change=move |ev| parent.set(event_target_value(&ev))>
                    <option value="">{t.none_top_level}</option>
                    {move || match list.get() {
                        Load::Ready(items) => items.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view().into_any(),
                        _ => ().into_any(),
                    }}
                </select>
                {failure_line(failure)}
                <button class="button" type="submit" prop:disabled=move || busy.get()>{t.create}</button>
            </form>
        </div>
    }
}

#[component]
fn Partners() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let generation = RwSignal::new(0u32);
    let list = load(move |token| {
        generation.track();
        async move { api::get::<Page<Partner>>(token.as_deref(), "/partners?per_page=100").await }
    });
    let name = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let secret = RwSignal::new(None::<PartnerCredentials>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewPartner {
            name: name.get_untracked().trim().to_owned(),
        };
        send_form(
            Method::POST,
            "/partners",
            body,
            busy,
            failure,
            move |c: PartnerCredentials| {
                secret.set(Some(c));
                name.set(String::new());
                generation.update(|g| *g += 1);
            },
        );
    };
    view! {
        <div class="grid-2">
            <section class="card">
                <h2>{t.partners}</h2>
                {show(list, move |p: &Page<Partner>| view! {
                    <ul class="plain">
                        {p.items.iter().map(|x| {
                            let id = x.id;
                            // New credentials: the old secret, API key and tokens stop working.
                            let rotate = move |_| send_form(
                                Method::POST,
                                format!("/partners/{id}/rotate"),
                                serde_json::json!({}),
                                busy,
                                failure,
                                move |c: PartnerCredentials| {
                                    secret.set(Some(c));
                                    generation.update(|g| *g += 1);
                                },
                            );
                            let revoke = move |_| send_form(
                                Method::POST,
                                format!("/partners/{id}/revoke"),
                                serde_json::json!({}),
                                busy,
                                failure,
                                move |_: Partner| generation.update(|g| *g += 1),
                            );
                            view! {
                                <li>{x.name.clone()}" "<span class="mono small">{x.client_id.clone()}</span>
                                    " "<span class="muted small">{format::datetime(x.created_at)}</span>
                                    {(!x.active).then(|| view! { <span class="tag">{t.inactive}</span> })}
                                    " "<button type="button" class="button secondary small" on:click=rotate>{t.rotate}</button>
                                    {x.active.then(|| view! {
                                        " "<button type="button" class="button secondary small" on:click=revoke>{t.revoke}</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                })}
            </section>
            <form class="card form" on:submit=submit novalidate>
                <h2>{t.new_partner}</h2>
                <label for="partner-name">{t.name}</label>
                <input id="partner-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                {failure_line(failure)}
                <button class="button" type="submit" prop:disabled=move || busy.get()>{t.create}</button>
                {move || secret.get().map(|c| view! {
                    <div class="secret" role="status">
                        <p><strong>{ctx.t().secret_once}</strong></p>
                        <dl class="facts">
                            <dt>"client_id"</dt><dd class="mono">{c.client_id}</dd>
                            <dt>"client_secret"</dt><dd class="mono">{c.client_secret}</dd>
                            <dt>"api_key"</dt><dd class="mono">{c.api_key}</dd>
                        </dl>
                    </div>
                })}
            </form>
        </div>
    }
}

/// 派单目录: the rules (category, optional area → unit, lead or assist), a form for a new one,
/// and the auto-dispatch setting.
#[component]
fn Dispatch() -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let cats = categories();
    let generation = RwSignal::new(0u32);
    let rules = load(move |token| {
        generation.track();
        async move {
            api::get::<Page<DispatchRule>>(token.as_deref(), "/dispatch-rules?per_page=100").await
        }
    });
    let settings = load(move |token| async move {
        api::get::<DispatchSettings>(token.as_deref(), "/dispatch-settings").await
    });
    let category = RwSignal::new(String::new());
    let area = RwSignal::new(Fields::default());
    let unit = RwSignal::new(Fields::default());
    let role = RwSignal::new(AssignmentRole::Lead.as_str().to_owned());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let roles: Vec<_> = AssignmentRole::ALL
        .iter()
        .map(|r| (r.as_str(), r.label()))
        .collect();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = ctx.t();
        let missing = |field: &str, message: &str| {
            let error = minhu_types::FieldError {
                field: field.to_owned(),
                message: message.to_owned(),
            };
            failure.set(Some(local_problem(vec![error], t)));
        };
        let Ok(category_id) = category.get_untracked().parse() else {
            return missing("category_id", t.choose_category);
        };
        let Some(unit_id) = unit.with_untracked(|f| f.unit_id) else {
            return missing("unit_id", t.choose_unit);
        };
        let body = NewDispatchRule {
            category_id,
            area_unit_id: area.with_untracked(|f| f.unit_id),
            unit_id,
            role: AssignmentRole::parse(&role.get_untracked()).unwrap_or(AssignmentRole::Lead),
        };
        send_form(
            Method::POST,
            "/dispatch-rules",
            body,
            busy,
            failure,
            move |_: DispatchRule| {
                generation.update(|g| *g += 1);
            },
        );
    };
    let set_auto = move |ev: leptos::ev::Event| {
        let body = DispatchSettings {
            auto_dispatch: event_target_checked(&ev),
        };
        send_form(
            Method::PUT,
            "/dispatch-settings",
            body,
            busy,
            failure,
            move |s| settings.set(Load::Ready(s)),
        );
    };
    let remove = move |id: i64| {
        failure.set(None);
        let token = ctx.token();
        leptos::task::spawn_local(async move {
            match api::delete(token.as_deref(), &format!("/dispatch-rules/{id}")).await {
                Ok(()) => generation.update(|g| *g += 1),
                Err(e) => {
                    ctx.check(&e);
                    failure.try_set(Some(e));
                }
            }
        });
    };
    let lang = ctx.lang.get_untracked();
    view! {
        <div class="grid-2">
            <section class="card">
                <h2>{t.dispatch_catalogue}</h2>
                <p class="muted small">{t.dispatch_hint}</p>
                {show(settings, move |s: &DispatchSettings| view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=s.auto_dispatch on:change=set_auto />
                        {t.auto_dispatch}
                    </label>
                })}
                {show(rules, move |p: &Page<DispatchRule>| {
                    if p.items.is_empty() {
                        return view! { <p class="muted">{t.no_rules}</p> }.into_any();
                    }
                    view! {
                        <div class="table-wrap"><table class="table">
                            <thead><tr>
                                <th scope="col">{t.category}</th><th scope="col">{t.area}</th>
                                <th scope="col">{t.responsible_unit}</th><th scope="col">{t.role}</th><th></th>
                            </tr></thead>
                            <tbody>
                                {p.items.iter().map(|r| {
                                    let id = r.id;
                                    let category_id = r.category_id;
                                    view! {
                                        <tr>
                                            <td>{move || cats.with(|c| category_name(c, category_id))}</td>
                                            <td>{r.area.as_ref().map_or_else(|| t.whole_city.to_owned(), |a| a.name.clone())}</td>
                                            <td>{r.unit.name.clone()}</td>
                                            <td>{lang.label(r.role.as_str(), r.role.label())}</td>
                                            <td><button type="button" class="button secondary small"
                                                on:click=move |_| remove(id)>{t.remove}</button></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any()
                })}
            </section>
            <form class="card form" on:submit=submit novalidate>
                <h2>{t.new_rule}</h2>
                <label for="rule-category">{t.category}</label>
                <select id="rule-category" on:change=move |ev| category.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {move || match cats.get() {
                        Load::Ready(items) => items.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view().into_any(),
                        _ => ().into_any(),
                    }}
                </select>
                <fieldset>
                    <legend>{t.area}</legend>
                    <label class="check">
                        <input type="radio" name="area" prop:checked=move || area.with(|f| f.unit_id.is_none())
                            on:change=move |_| area.update(|f| f.unit_id = None) />
                        {t.whole_city}
                    </label>
                    <UnitTree root=None selected=area group="area" />
                </fieldset>
                <fieldset>
                    <legend>{t.responsible_unit}</legend>
                    <UnitTree root=None selected=unit group="rule-unit" />
                </fieldset>
                <label for="rule-role">{t.role}</label>
                <EnumSelect id="rule-role" options=roles value=role />
                {failure_line(failure)}
                <button class="button" type="submit" prop:disabled=move || busy.get()>{t.create}</button>
            </form>
        </div>
    }
}
