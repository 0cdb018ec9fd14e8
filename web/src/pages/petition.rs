//! One petition as the caller may see it: its content, contact (for those allowed), the units'
//! orders, replies, ratings, the timeline, and a button for every action the API allows.
//!
//! The residents' app has the petitioner's view only: the officials' panels (moderation,
//! triage help) and their actions' forms are the work app's (the `work` feature), which shows
//! this page to officials (`Route::needs_work_app_for`).

#[cfg(feature = "work")]
use gloo_net::http::Method;
use leptos::prelude::*;
use minhu_types::{Action, Assignment, Event, FollowUp, Petition, Photo, Role, Satisfaction};
#[cfg(feature = "work")]
use minhu_types::{AssignmentRole, MergeBody, Outcome, Page, PetitionStatus, Suggestions, Unit};

use crate::actions::{
    form_of, is_button, is_refusal, request, Fields, Form, Target, ON_PETITION, PETITIONERS,
};
#[cfg(feature = "work")]
use crate::actions::{moderation_request, Moderation, MAX_PUBLIC_CONTENT, MAX_PUBLIC_TITLE};
use crate::api;
#[cfg(feature = "work")]
use crate::api::query;
use crate::format;
use crate::pages::{categories, category_name};
#[cfg(feature = "work")]
use crate::route::Route;
use crate::session::local_problem;
use crate::ui::{failure_line, load, show, Ctx, LightBadge, Load, SupportersTag, Tag, Title};
#[cfg(feature = "work")]
use crate::ui::{field_error, invalid, send_form};

#[derive(Debug, Clone, PartialEq)]
struct Everything {
    petition: Petition,
    events: Vec<Event>,
    follow_ups: Vec<FollowUp>,
}

#[component]
pub fn Detail(id: i64) -> impl IntoView {
    let ctx = Ctx::get();
    let reload = RwSignal::new(0u32);
    let data = load(move |token| {
        reload.track();
        async move {
            let t = token.as_deref();
            let petition = api::get::<Petition>(t, &format!("/petitions/{id}")).await?;
            let events = api::get::<Vec<Event>>(t, &format!("/petitions/{id}/events")).await?;
            let follow_ups =
                api::get::<Vec<FollowUp>>(t, &format!("/petitions/{id}/follow-ups")).await?;
            Ok(Everything {
                petition,
                events,
                follow_ups,
            })
        }
    });
    let cats = categories();
    // Set when a moderation decision was just saved: the panel drawn with its answer says so.
    let moderated = StoredValue::new(false);
    let title = Signal::derive(move || match data.get() {
        Load::Ready(e) => e.petition.title,
        _ => ctx.t().petition.to_owned(),
    });
    view! {
        <Title text=title />
        {show(data, move |e: &Everything| {
            let p = &e.petition;
            let t = ctx.t();
            let category_id = p.category_id;
            let now = format::now();
            let target = Target { petition_id: p.id, assignment_id: None, version: p.version };
            let actions: Vec<Action> = p.allowed_actions.iter().copied().filter(|a| ON_PETITION.contains(a)).collect();
            view! {
                <article class="card">
                    <div class="meta">
                        <span class="mono">{p.tracking_no.clone()}</span>
                        <Tag wire=p.status.as_str() zh=p.status.label() class="status" />
                        <Tag wire=p.kind.as_str() zh=p.kind.label() />
                        <Tag wire=p.urgency.as_str() zh=p.urgency.label() />
                        <span class="muted">{move || cats.with(|c| category_name(c, category_id))}</span>
                        {p.supervised.then(|| view! { <span class="tag supervised">{t.supervised}</span> })}
                        {p.typical.then(|| view! { <span class="tag">{t.typical}</span> })}
                        {p.unreasonable.then(|| view! { <span class="tag">{t.unreasonable}</span> })}
                        <SupportersTag count=p.supporters />
                    </div>
                    <p class="content">{p.content.clone()}</p>
                    <dl class="facts">
                        <dt>{t.address}</dt><dd>{p.address.clone().unwrap_or_else(|| "—".into())}</dd>
                        <dt>{t.contact}</dt><dd>{format::contact(p.contact_name.as_deref(), p.contact_phone.as_deref(), p.masked, t)}</dd>
                        <dt>{t.submitted_at}</dt><dd>{format::datetime(p.created_at)}" · "{ctx.lang.get_untracked().label(p.source.as_str(), p.source.label())}</dd>
                        {p.reply_by.map(|d| view! {
                            <dt>{t.deadline}</dt>
                            <dd>{format::datetime(d)}" "{p.light.map(|l| view! { <LightBadge light=l /> })}" "{format::remaining(d, now, t)}</dd>
                        })}
                        <dt>{t.publication}</dt>
                        <dd>{if p.publish_consent { t.published_yes } else { t.published_no }}{p.anonymous.then_some(t.anonymous_note)}</dd>
                    </dl>
                    {p.merged_into_id.map(|m| view! { <p class="notice">{t.merged_into}" "<a href=format!("/petitions/{m}")>{format!("#{m}")}</a></p> })}
                    {p.public_hidden.then(|| view! { <p class="notice moderation-notice">{t.notice_hidden}</p> })}
                    {match public_version(p) {
                        (Some(title), _) => Some(view! { <p class="notice moderation-notice">{t.notice_public_version}<q>{title.to_owned()}</q></p> }.into_any()),
                        (None, Some(_)) => Some(view! { <p class="notice moderation-notice">{t.notice_public_content}</p> }.into_any()),
                        (None, None) => None,
                    }}
                </article>
                <ActionBar actions=actions target=target reload=reload />
                {officials_panels(p, data, moderated, reload)}
                {(!p.photos.is_empty() || p.can_add_photos).then(|| view! {
                    <Photos petition_id=p.id photos=p.photos.clone() can_add=p.can_add_photos reload=reload />
                })}
                {(!p.assignments.is_empty()).then(|| view! {
                    <section class="card">
                        <h2>{t.orders}</h2>
                        <ul class="orders">
                            {p.assignments.iter().map(|a| view! { <Order order=a.clone() version=p.version reload=reload /> }).collect_view()}
                        </ul>
                    </section>
                })}
                <section class="card">
                    <h2>{t.replies}</h2>
                    {if p.replies.is_empty() {
                        view! { <p class="muted">{t.no_reply_yet}</p> }.into_any()
                    } else {
                        p.replies.iter().map(|r| view! {
                            <blockquote class="reply">
                                <strong>{r.unit.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| t.hotline.to_owned())}</strong>
                                " · "<Tag wire=r.outcome.as_str() zh=r.outcome.label() />
                                " · "{format::datetime(r.created_at)}
                                {(!r.public).then(|| view! { <span class="tag">{t.internal}</span> })}
                                <p>{r.body.clone()}</p>
                                <UnitPhotos photos=r.photos.clone() unit=r.unit.as_ref().map(|u| u.id)
                                    path=format!("/replies/{}/photos", r.id) key=format!("reply-photos-{}", r.id)
                                    hint=t.reply_photo_hint reload=reload />
                            </blockquote>
                        }).collect_view().into_any()
                    }}
                    {p.visits.iter().map(|v| view! {
                        <p class="visit">
                            <Tag wire=v.kind.as_str() zh=v.kind.label() />" "
                            <Tag wire=v.satisfaction.as_str() zh=v.satisfaction.label() class="satisfaction" />
                            " "{if v.resolved { t.resolved_yes } else { t.resolved_no }}
                            " · "{format::datetime(v.created_at)}
                            {v.comment.clone().map(|c| view! { <span>" · "{c}</span> })}
                        </p>
                    }).collect_view()}
                </section>
                {(!e.follow_ups.is_empty()).then(|| view! {
                    <section class="card">
                        <h2>{t.follow_ups}</h2>
                        {e.follow_ups.iter().map(|f| view! {
                            <article class="follow-up">
                                <h3>{f.title.clone()}</h3>
                                <p class="muted">{f.author.clone()}" · "{format::datetime(f.created_at)}</p>
                                <p>{f.body.clone()}</p>
                            </article>
                        }).collect_view()}
                    </section>
                })}
                <section class="card">
                    <h2>{t.timeline}</h2>
                    <ol class="timeline">
                        {e.events.iter().map(|ev| view! {
                            <li>
                                <time>{format::datetime(ev.created_at)}</time>
                                <Tag wire=ev.action.as_str() zh=ev.action.label() />
                                <span class="muted">
                                    {ev.actor_unit.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| ctx.lang.get_untracked().label(ev.actor_role.as_str(), ev.actor_role.label()))}
                                </span>
                                {ev.note.clone().map(|n| view! { <span class="note">{n}</span> })}
                                {(ev.action == Action::Progress).then(|| view! {
                                    <UnitPhotos photos=ev.photos.clone() unit=ev.actor_unit.as_ref().map(|u| u.id)
                                        path=format!("/events/{}/photos", ev.id) key=format!("progress-photos-{}", ev.id)
                                        hint=t.progress_photo_hint reload=reload />
                                })}
                            </li>
                        }).collect_view()}
                    </ol>
                </section>
            }
        })}
    }
}

/// The officials' panels under the petition: moderation (editors, administrators) and triage
/// help (the hotline office). Only in the work app.
#[cfg(feature = "work")]
fn officials_panels(
    p: &Petition,
    data: RwSignal<Load<Everything>>,
    moderated: StoredValue<bool>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let ctx = Ctx::get();
    view! {
        {p.allowed_actions.contains(&Action::Moderate).then(|| view! {
            <ModerationPanel petition=p.clone() data=data moderated=moderated />
        })}
        {triage_open(p.status, ctx.role()).then(|| view! { <TriageHelp petition=p.clone() reload=reload /> })}
    }
}

#[cfg(not(feature = "work"))]
fn officials_panels(
    _: &Petition,
    _: RwSignal<Load<Everything>>,
    _: StoredValue<bool>,
    _: RwSignal<u32>,
) {
}

/// The public version's title and content, when an editor set one (`None`: the original).
fn public_version(p: &Petition) -> (Option<&str>, Option<&str>) {
    fn set(v: &Option<String>) -> Option<&str> {
        v.as_deref().filter(|s| !s.trim().is_empty())
    }
    (set(&p.public_title), set(&p.public_content))
}

/// 内容审核 (reporters, administrators): what the public sees of the petition — hidden or
/// shown, a public version of its title and content (masked like the original), single photos
/// hidden — with a reason for the timeline. The answer is the petition as it is now, shown at
/// once with its timeline.
#[cfg(feature = "work")]
#[component]
fn ModerationPanel(
    petition: Petition,
    data: RwSignal<Load<Everything>>,
    moderated: StoredValue<bool>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let id = petition.id;
    let fields = RwSignal::new(Moderation::of(&petition));
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<api::ApiError>);
    // Drawn again with the answer to a decision: say it was saved (once), and put the keyboard
    // there, as the form it was in is gone.
    let just_saved = moderated.get_value();
    moderated.set_value(false);
    let status = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = status.get() {
            if just_saved {
                let _ = el.focus();
            }
        }
    });
    let (title_count, content_count) = (
        move || fields.with(|f| format::chars(&f.title)),
        move || fields.with(|f| format::chars(&f.content)),
    );
    let current = petition.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (path, body) = match moderation_request(&current, &fields.get_untracked()) {
            Ok(r) => r,
            Err(errors) => {
                failure.set(Some(local_problem(errors, ctx.t())));
                return;
            }
        };
        let token = ctx.token();
        send_form(
            Method::POST,
            path,
            body,
            busy,
            failure,
            move |p: Petition| {
                // The decision is on the timeline: shown together with the petition, in one go.
                leptos::task::spawn_local(async move {
                    let path = format!("/petitions/{id}/events");
                    let events = api::get::<Vec<Event>>(token.as_deref(), &path).await.ok();
                    moderated.try_set_value(true);
                    data.try_update(|d| {
                        if let Load::Ready(e) = d {
                            e.petition = p;
                            if let Some(events) = events {
                                e.events = events;
                            }
                        }
                    });
                });
            },
        );
    };
    let (title_now, content_now) = public_version(&petition);
    let version_set = title_now.is_some() || content_now.is_some();
    let hidden_now = petition.public_hidden;
    let photos = petition.photos.clone();
    view! {
        <section class="card moderation" aria-labelledby="moderation-heading">
            <h2 id="moderation-heading">{t.moderation}</h2>
            <p class="muted small">{t.moderation_intro}</p>
            <dl class="facts">
                <dt>{t.public_state}</dt>
                <dd>
                    {if hidden_now {
                        view! { <span class="tag public-hidden">{t.hidden_publicly}</span> }.into_any()
                    } else {
                        view! { <span class="tag public-shown">{t.shown_publicly}</span> }.into_any()
                    }}
                </dd>
                <dt>{t.public_version}</dt>
                <dd>{if version_set { t.public_version_set } else { t.public_version_none }}</dd>
            </dl>
            <div role="status" tabindex="-1" node_ref=status class="moderation-status">
                {just_saved.then(|| view! { <p class="success">{t.moderation_saved}</p> })}
            </div>
            <form class="form moderation-form" on:submit=submit novalidate aria-labelledby="moderation-heading">
                <label class="check">
                    <input type="checkbox" id="m-hidden" aria-describedby="m-hidden-hint hidden-error"
                        prop:checked=move || fields.with(|f| f.hidden)
                        on:change=move |ev| fields.update(|f| f.hidden = event_target_checked(&ev)) />
                    {t.hide_from_public}
                </label>
                <span class="hint" id="m-hidden-hint">{t.hide_hint}</span>
                {field_error(failure, "hidden")}
                <label for="m-title">{t.public_title}</label>
                <input id="m-title" aria-invalid=invalid(failure, "public_title")
                    aria-describedby="m-version-hint public_title-error m-title-count"
                    prop:value=move || fields.with(|f| f.title.clone())
                    on:input=move |ev| fields.update(|f| f.title = event_target_value(&ev)) />
                <span class="counter" id="m-title-count" class:over={move || title_count() > MAX_PUBLIC_TITLE}>
                    {move || format!("{}/{MAX_PUBLIC_TITLE}", title_count())}
                </span>
                {field_error(failure, "public_title")}
                <label for="m-content">{t.public_content}</label>
                <textarea id="m-content" rows="5" aria-invalid=invalid(failure, "public_content")
                    aria-describedby="m-version-hint public_content-error m-content-count"
                    prop:value=move || fields.with(|f| f.content.clone())
                    on:input=move |ev| fields.update(|f| f.content = event_target_value(&ev))></textarea>
                <span class="counter" id="m-content-count" class:over={move || content_count() > MAX_PUBLIC_CONTENT}>
                    {move || format!("{}/{MAX_PUBLIC_CONTENT}", content_count())}
                </span>
                {field_error(failure, "public_content")}
                <p class="hint" id="m-version-hint">{t.public_version_hint}</p>
                {(!photos.is_empty()).then(|| view! {
                    <fieldset aria-describedby="hidden_photo_ids-error">
                        <legend>{t.photos}</legend>
                        <ul class="photos moderation-photos">
                            {photos.into_iter().enumerate().map(|(i, photo)| {
                                let pid = photo.id;
                                view! {
                                    <li>
                                        <label class="check">
                                            <PhotoThumb photo=photo n=i + 1 />
                                            <span class="check-row">
                                                <input type="checkbox" value=pid.to_string()
                                                    prop:checked=move || fields.with(|f| f.hidden_photos.contains(&pid))
                                                    on:change=move |ev| fields.update(|f| f.set_photo(pid, event_target_checked(&ev))) />
                                                {t.hide_photo}
                                            </span>
                                        </label>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {field_error(failure, "hidden_photo_ids")}
                    </fieldset>
                })}
                <label for="m-reason">{t.moderation_reason}</label>
                <textarea id="m-reason" rows="3" required aria-invalid=invalid(failure, "reason")
                    aria-describedby="reason-error"
                    prop:value=move || fields.with(|f| f.reason.clone())
                    on:input=move |ev| fields.update(|f| f.reason = event_target_value(&ev))></textarea>
                {field_error(failure, "reason")}
                {failure_line(failure)}
                <div class="buttons">
                    <button class="button" type="submit" prop:disabled=move || busy.get()>
                        {move || if busy.get() { t.saving } else { t.save_moderation }}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// A photo's thumbnail alone (fetched with the token), to pick it in a form.
#[cfg(feature = "work")]
#[component]
fn PhotoThumb(photo: Photo, n: usize) -> impl IntoView {
    let ctx = Ctx::get();
    let src = RwSignal::new(None::<String>);
    let urls = api::ObjectUrls::new();
    on_cleanup({
        let urls = urls.clone();
        move || urls.revoke_all()
    });
    let token = ctx.token();
    let path = format!("/photos/{}?size=thumb", photo.id);
    leptos::task::spawn_local(async move {
        if let Ok(url) = api::image_url(token.as_deref(), &path).await {
            if urls.keep(&url) {
                src.try_set(Some(url));
            }
        }
    });
    let alt = format!("{} {n}", ctx.t().photos);
    view! {
        {move || match src.get() {
            Some(src) => view! { <img class="thumb" src=src alt=alt.clone() width=photo.width height=photo.height /> }.into_any(),
            None => view! { <span class="muted small">{alt.clone()}</span> }.into_any(),
        }}
    }
}

/// Whether the hotline office sees triage help: while the petition waits to be accepted or dispatched.
#[cfg(feature = "work")]
fn triage_open(status: PetitionStatus, role: Option<Role>) -> bool {
    matches!(role, Some(Role::Operator | Role::Admin))
        && matches!(status, PetitionStatus::Submitted | PetitionStatus::Accepted)
}

/// What the catalogue suggests, the open petitions that look like the same matter (merged into
/// with one click), and for consultations knowledge-base answers.
#[cfg(feature = "work")]
#[component]
fn TriageHelp(petition: Petition, reload: RwSignal<u32>) -> impl IntoView {
    let ctx = Ctx::get();
    let (id, version) = (petition.id, petition.version);
    let can_merge = petition.allowed_actions.contains(&Action::Merge);
    let data = load(move |token| async move {
        api::get::<Suggestions>(token.as_deref(), &format!("/petitions/{id}/suggestions")).await
    });
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<api::ApiError>);
    let merge = move |into_id: i64| {
        let body = MergeBody {
            into_id,
            version: Some(version),
        };
        let path = format!("/petitions/{id}/merge");
        send_form(
            Method::POST,
            path,
            body,
            busy,
            failure,
            move |_: serde_json::Value| reload.update(|n| *n += 1),
        );
    };
    view! {
        <section class="card triage" aria-labelledby="triage-help">
            <h2 id="triage-help">{ctx.t().triage_help}</h2>
            {show(data, move |s: &Suggestions| {
                let t = ctx.t();
                view! {
                    {(!s.units.is_empty()).then(|| view! {
                        <h3>{t.suggested_units}</h3>
                        <ul>{s.units.iter().map(|u| view! {
                            <li>{u.unit.name.clone()}" "<Tag wire=u.role.as_str() zh=u.role.label() /></li>
                        }).collect_view()}</ul>
                    })}
                    <h3>{t.possible_duplicates}</h3>
                    {if s.duplicates.is_empty() {
                        view! { <p class="muted">{t.no_duplicates}</p> }.into_any()
                    } else {
                        view! { <ul class="duplicates">{s.duplicates.iter().map(|d| {
                            let into = d.petition.id;
                            view! {
                                <li>
                                    <a href=Route::Petition(into).href()>{d.petition.title.clone()}</a>
                                    " "<span class="mono muted">{d.petition.tracking_no.clone()}</span>
                                    " · "<span>{format!("{} {:.0}%", t.similarity, d.similarity * 100.0)}</span>
                                    " · "<span class="muted">{format::datetime(d.petition.created_at)}</span>
                                    {can_merge.then(|| view! {
                                        " "<button type="button" class="button secondary" on:click=move |_| merge(into)>{t.merge_into_this}</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}</ul> }.into_any()
                    }}
                    {(!s.articles.is_empty()).then(|| view! {
                        <h3>{t.kb_suggestions}</h3>
                        <ul>{s.articles.iter().map(|a| view! { <li>{a.article.question.clone()}</li> }).collect_view()}</ul>
                    })}
                }
            })}
            {failure_line(failure)}
        </section>
    }
}

/// The petition's photos as thumbnails (a click shows the whole photo), and the button that
/// adds one. Images are fetched with the token and shown from object URLs.
#[component]
fn Photos(
    petition_id: i64,
    photos: Vec<Photo>,
    can_add: bool,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let room = photos.len() < MAX_PHOTOS;
    let count = photos.len();
    view! {
        <section class="card" aria-labelledby="photos-heading">
            <h2 id="photos-heading">{t.photos}" ("{count}")"</h2>
            <PhotoGrid photos=photos label=t.photos />
            {(can_add && room).then(|| view! {
                <PhotoUpload path=format!("/petitions/{petition_id}/photos") label=t.add_photo
                    hint=t.photo_hint reload=reload />
            })}
        </section>
    }
}

/// At most this many photos on a petition, and on each reply.
const MAX_PHOTOS: usize = 9;

/// Whether the page offers 添加办理照片 on a reply: to a handler of the unit that made it. (The
/// server also lets units above it add photos, and refuses everybody else.)
fn offers_reply_photos(
    role: Option<Role>,
    user_unit: Option<i64>,
    reply_unit: Option<i64>,
) -> bool {
    role == Some(Role::Handler) && user_unit.is_some() && user_unit == reply_unit
}

/// 办理照片: a unit's evidence (before and after) on its reply or progress note, and for that
/// unit's handlers the button that adds one (`path`); `key` names the group for screen readers.
#[component]
fn UnitPhotos(
    photos: Vec<Photo>,
    unit: Option<i64>,
    path: String,
    key: String,
    hint: &'static str,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let (role, user_unit) = ctx.session.with_untracked(|s| {
        s.as_ref()
            .map_or((None, None), |s| (Some(s.user.role), s.user.unit_id))
    });
    let can_add = offers_reply_photos(role, user_unit, unit) && photos.len() < MAX_PHOTOS;
    if photos.is_empty() && !can_add {
        return ().into_any();
    }
    view! {
        <div class="reply-photos" role="group" aria-labelledby=key.clone()>
            <h3 id=key.clone()>{t.reply_photos}</h3>
            {(!photos.is_empty()).then(|| view! { <PhotoGrid photos=photos.clone() label=t.reply_photos /> })}
            {can_add.then(|| view! {
                <PhotoUpload path=path.clone() label=t.add_reply_photo hint=hint reload=reload />
            })}
        </div>
    }
    .into_any()
}

/// Photos as thumbnails that open the whole photo, each named `label n`; those hidden from the
/// public by moderation say so.
#[component]
fn PhotoGrid(photos: Vec<Photo>, label: &'static str) -> impl IntoView {
    let t = Ctx::get().t();
    view! {
        <ul class="photos">
            {photos.into_iter().enumerate().map(|(i, p)| {
                let hidden = p.hidden;
                view! {
                    <li class:hidden-photo=hidden>
                        <PhotoView photo=p label=label n=i + 1 />
                        {hidden.then(|| view! { <span class="tag public-hidden">{t.hidden_publicly}</span> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// The button that uploads a photo to `path` (multipart `file`): busy while it travels, the
/// server's refusal under it (403 for a unit that may not), and the page reloaded after a 201.
#[component]
fn PhotoUpload(
    path: String,
    label: &'static str,
    hint: &'static str,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<api::ApiError>);
    let on_change = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        busy.set(true);
        failure.set(None);
        let token = ctx.token();
        let path = path.clone();
        leptos::task::spawn_local(async move {
            let r = api::upload::<Photo>(token.as_deref(), &path, &file).await;
            busy.try_set(false);
            match r {
                Ok(_) => reload.update(|n| *n += 1),
                Err(e) => {
                    ctx.check(&e);
                    failure.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <label class="button secondary">
            {move || if busy.get() { t.uploading } else { label }}
            <input type="file" class="sr-only" accept="image/jpeg,image/png,image/webp"
                on:change=on_change prop:disabled=move || busy.get() />
        </label>
        <p class="muted small">{hint}</p>
        {failure_line(failure)}
    }
}

#[component]
fn PhotoView(photo: Photo, label: &'static str, n: usize) -> impl IntoView {
    let ctx = Ctx::get();
    let id = photo.id;
    let thumb = RwSignal::new(None::<String>);
    let full = RwSignal::new(None::<String>);
    let open = RwSignal::new(false);
    let urls = api::ObjectUrls::new();
    on_cleanup({
        let urls = urls.clone();
        move || urls.revoke_all()
    });
    let fetch = move |path: String, into: RwSignal<Option<String>>| {
        let token = ctx.token();
        let urls = urls.clone();
        leptos::task::spawn_local(async move {
            if let Ok(url) = api::image_url(token.as_deref(), &path).await {
                if urls.keep(&url) {
                    into.try_set(Some(url));
                }
            }
        });
    };
    fetch(format!("/photos/{id}?size=thumb"), thumb);
    // The whole photo is fetched once, on the first click; later clicks only show or hide it.
    let toggle = move |_| {
        let opening = !open.get_untracked();
        open.set(opening);
        if opening && full.get_untracked().is_none() {
            fetch(format!("/photos/{id}"), full);
        }
    };
    let alt = format!("{label} {n}");
    let src = move || {
        if open.get() {
            full.get().or_else(|| thumb.get())
        } else {
            thumb.get()
        }
    };
    view! {
        <button type="button" class="photo" on:click=toggle aria-expanded=move || open.get().to_string()>
            {move || match src() {
                Some(src) => view! { <img src=src alt=alt.clone() width=photo.width height=photo.height /> }.into_any(),
                None => view! { <span class="muted">{ctx.t().loading}</span> }.into_any(),
            }}
        </button>
    }
}

/// One unit's order with the actions the caller may take on it.
#[component]
fn Order(order: Assignment, version: i64, reload: RwSignal<u32>) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let now = format::now();
    let target = Target {
        petition_id: order.petition.id,
        assignment_id: Some(order.id),
        version,
    };
    let lang = ctx.lang.get_untracked();
    view! {
        <li class="order" class:child=order.parent_id.is_some()>
            <div class="order-head">
                <strong>{order.unit.name.clone()}</strong>
                <Tag wire=order.role.as_str() zh=order.role.label() />
                <Tag wire=order.state.as_str() zh=order.state.label() class="status" />
                <LightBadge light=order.light />
                <span class="small">{t.reply_by}" "{format::datetime(order.reply_by)}" · "{format::remaining(order.reply_by, now, t)}</span>
            </div>
            {order.open_request.as_ref().map(|r| view! {
                <p class="notice">
                    {lang.label(r.kind.as_str(), r.kind.label())}
                    {r.days.map(|d| format!(" {d} {}", t.days))}
                    "："{r.reason.clone()}
                </p>
            })}
            <ActionBar actions=order.allowed_actions.clone() target=target reload=reload unit=order.unit.id />
        </li>
    }
}

/// A button per allowed action; a click opens that action's form (or asks to confirm).
#[component]
fn ActionBar(
    actions: Vec<Action>,
    target: Target,
    reload: RwSignal<u32>,
    #[prop(optional)] unit: Option<i64>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let open = RwSignal::new(None::<Action>);
    // Moderation has its own panel, and the system's actions are nobody's button. The residents'
    // app performs the petitioner's actions only.
    let actions: Vec<Action> = actions
        .into_iter()
        .filter(|a| is_button(*a) && (cfg!(feature = "work") || PETITIONERS.contains(a)))
        .collect();
    if actions.is_empty() {
        return ().into_any();
    }
    let lang = ctx.lang.get_untracked();
    view! {
        <div class="action-bar">
            <div class="buttons" role="group" aria-label=ctx.t().actions>
                {actions.iter().map(|a| {
                    let a = *a;
                    view! {
                        <button class="button" class:danger=is_refusal(a) class:secondary=move || open.get().is_some_and(|o| o != a)
                            aria-expanded=move || (open.get() == Some(a)).to_string()
                            on:click=move |_| open.set(Some(a))>
                            {lang.label(a.as_str(), a.label())}
                        </button>
                    }
                }).collect_view()}
            </div>
            {move || open.get().map(|a| view! { <ActionForm action=a target=target reload=reload open=open unit=unit /> })}
        </div>
    }
    .into_any()
}

#[component]
fn ActionForm(
    action: Action,
    target: Target,
    reload: RwSignal<u32>,
    open: RwSignal<Option<Action>>,
    unit: Option<i64>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let lang = ctx.lang.get_untracked();
    let form = form_of(action);
    let fields = RwSignal::new(Fields::default());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<api::ApiError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (path, body) = match request(action, target, &fields.get_untracked()) {
            Ok(r) => r,
            Err(errors) => {
                failure.set(Some(local_problem(errors, ctx.t())));
                return;
            }
        };
        busy.set(true);
        failure.set(None);
        let token = ctx.token();
        leptos::task::spawn_local(async move {
            let r = api::act(token.as_deref(), &path, &body).await;
            busy.try_set(false);
            match r {
                Ok(()) => {
                    open.set(None);
                    reload.update(|n| *n += 1);
                }
                Err(e) => {
                    ctx.check(&e);
                    failure.try_set(Some(e));
                }
            }
        });
    };
    let text_label = match form {
        Form::Reason | Form::Extension => t.reason,
        Form::Note => t.note,
        Form::Supplement => t.supplement_text,
        Form::Reply => t.reply_text,
        Form::Rating => t.comment_optional,
        Form::FollowUp => t.follow_up_text,
        _ => "",
    };
    let needs_text = !text_label.is_empty();
    let set = move |f: fn(&mut Fields, String)| {
        move |ev: leptos::ev::Event| fields.update(|x| f(x, event_target_value(&ev)))
    };
    let set_bool = move |f: fn(&mut Fields, bool)| {
        move |ev: leptos::ev::Event| fields.update(|x| f(x, event_target_checked(&ev)))
    };
    view! {
        <form class="action-form" on:submit=submit novalidate aria-label=lang.label(action.as_str(), action.label())>
            // A section of the page under its title; under the order's section for an order.
            {if unit.is_some() {
                view! { <h3>{lang.label(action.as_str(), action.label())}</h3> }.into_any()
            } else {
                view! { <h2>{lang.label(action.as_str(), action.label())}</h2> }.into_any()
            }}
            {(form == Form::Confirm).then(|| view! { <p>{t.confirm_action}</p> })}
            {officials_fields(form, fields, unit)}
            {(form == Form::Rating).then(|| view! {
                <fieldset>
                    <legend>{t.satisfaction}</legend>
                    {Satisfaction::ALL.iter().map(|s| {
                        let s = *s;
                        view! {
                            <label class="check">
                                <input type="radio" name="satisfaction" value=s.as_str()
                                    prop:checked=move || fields.with(|f| f.satisfaction == s)
                                    on:change=move |_| fields.update(|x| x.satisfaction = s) />
                                {lang.label(s.as_str(), s.label())}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <label class="check">
                    <input type="checkbox" prop:checked=move || fields.with(|f| f.resolved) on:change=set_bool(|x, v| x.resolved = v) />
                    {t.was_resolved}
                </label>
                <label class="check">
                    <input type="checkbox" prop:checked=move || fields.with(|f| f.contacted) on:change=set_bool(|x, v| x.contacted = v) />
                    {t.was_contacted}
                </label>
            })}
            {needs_text.then(|| view! {
                <label for="f-text">{text_label}</label>
                <textarea id="f-text" rows="4" on:input=set(|x, v| x.text = v)></textarea>
                <span class="counter">{move || fields.with(|f| format::chars(&f.text)).to_string()}</span>
            })}
            {failure_line(failure)}
            <div class="buttons">
                <button class="button" class:danger=is_refusal(action) type="submit" prop:disabled=move || busy.get()>
                    {t.confirm}" "{lang.label(action.as_str(), action.label())}
                </button>
                <button class="button secondary" type="button" on:click=move |_| open.set(None)>{t.cancel}</button>
            </div>
        </form>
    }
}

/// The fields only officials' actions have (merge, dispatch, extension, follow-up, reply). Only
/// in the work app.
#[cfg(feature = "work")]
fn officials_fields(form: Form, fields: RwSignal<Fields>, unit: Option<i64>) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let lang = ctx.lang.get_untracked();
    let set = move |f: fn(&mut Fields, String)| {
        move |ev: leptos::ev::Event| fields.update(|x| f(x, event_target_value(&ev)))
    };
    let set_bool = move |f: fn(&mut Fields, bool)| {
        move |ev: leptos::ev::Event| fields.update(|x| f(x, event_target_checked(&ev)))
    };
    view! {
        {(form == Form::Merge).then(|| view! {
            <label for="f-into">{t.merge_into}</label>
            <input id="f-into" inputmode="numeric" on:input=set(|x, v| x.into_id = v) />
        })}
        {matches!(form, Form::Dispatch | Form::DispatchDown).then(|| view! {
            <fieldset>
                <legend>{if form == Form::Dispatch { t.choose_unit } else { t.choose_child_unit }}</legend>
                <UnitTree root=if form == Form::Dispatch { None } else { unit } selected=fields />
            </fieldset>
        })}
        {(form == Form::Dispatch).then(|| view! {
            <label for="f-role">{t.order_role}</label>
            <select id="f-role" on:change=move |ev| {
                let r = AssignmentRole::parse(&event_target_value(&ev)).unwrap_or(AssignmentRole::Lead);
                fields.update(|x| x.role = r);
            }>
                {AssignmentRole::ALL.iter().map(|r| view! { <option value=r.as_str()>{lang.label(r.as_str(), r.label())}</option> }).collect_view()}
            </select>
        })}
        {(form == Form::Extension).then(|| view! {
            <label for="f-days">{t.extension_days}</label>
            <input id="f-days" type="number" min="1" max="30" prop:value=move || fields.with(|f| f.days.clone()) on:input=set(|x, v| x.days = v) />
        })}
        {(form == Form::FollowUp).then(|| view! {
            <label for="f-title">{t.title}</label>
            <input id="f-title" on:input=set(|x, v| x.title = v) />
        })}
        {(form == Form::Reply).then(|| view! {
            <label for="f-outcome">{t.outcome}</label>
            <select id="f-outcome" on:change=move |ev| {
                let o = Outcome::parse(&event_target_value(&ev)).unwrap_or(Outcome::Resolved);
                fields.update(|x| x.outcome = o);
            }>
                {Outcome::ALL.iter().map(|o| view! { <option value=o.as_str()>{lang.label(o.as_str(), o.label())}</option> }).collect_view()}
            </select>
            <label class="check">
                <input type="checkbox" prop:checked=move || fields.with(|f| f.public) on:change=set_bool(|x, v| x.public = v) />
                {t.reply_public}
            </label>
        })}
    }
}

#[cfg(not(feature = "work"))]
fn officials_fields(_: Form, _: RwSignal<Fields>, _: Option<i64>) {}

/// The unit tree, loaded a level at a time (a city has thousands of units), with one choice.
/// `group` names its radio buttons, so that two trees in one form choose independently.
#[cfg(feature = "work")]
#[component]
pub fn UnitTree(
    root: Option<i64>,
    selected: RwSignal<Fields>,
    #[prop(default = "unit")] group: &'static str,
) -> impl IntoView {
    view! { <ul class="tree" role="tree"><UnitLevel parent=root selected=selected group=group /></ul> }
}

#[cfg(feature = "work")]
#[component]
fn UnitLevel(
    parent: Option<i64>,
    selected: RwSignal<Fields>,
    group: &'static str,
) -> impl IntoView {
    let ctx = Ctx::get();
    let units = load(move |token| {
        let path = format!(
            "/units{}",
            query(&[
                ("parent_id", parent.map(|p| p.to_string())),
                ("roots", parent.is_none().then(|| "true".to_owned())),
                ("per_page", Some("100".into())),
            ])
        );
        async move {
            api::get::<Page<Unit>>(token.as_deref(), &path)
                .await
                .map(|p| p.items)
        }
    });
    view! {
        {show(units, move |items: &Vec<Unit>| {
            if items.is_empty() {
                return view! { <li class="muted small">{ctx.t().no_child_units}</li> }.into_any();
            }
            items.iter().map(|u| view! { <UnitNode unit=u.clone() selected=selected group=group /> }).collect_view().into_any()
        })}
    }
}

#[cfg(feature = "work")]
#[component]
fn UnitNode(unit: Unit, selected: RwSignal<Fields>, group: &'static str) -> impl IntoView {
    let ctx = Ctx::get();
    let expanded = RwSignal::new(unit.parent_id.is_none());
    let id = unit.id;
    let lang = ctx.lang.get_untracked();
    view! {
        <li role="treeitem" aria-expanded=move || expanded.get().to_string()>
            <button type="button" class="twisty" aria-label=ctx.t().expand on:click=move |_| expanded.update(|e| *e = !*e)>
                {move || if expanded.get() { "▾" } else { "▸" }}
            </button>
            <label class="check">
                <input type="radio" name=group value=id.to_string()
                    prop:checked=move || selected.with(|f| f.unit_id == Some(id))
                    on:change=move |_| selected.update(|f| f.unit_id = Some(id)) />
                {unit.name.clone()}<span class="muted small">" "{lang.label(unit.kind.as_str(), unit.kind.label())}</span>
            </label>
            {move || expanded.get().then(|| view! { <ul role="group"><UnitLevel parent=Some(id) selected=selected group=group /></ul> })}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replying_units_handlers_add_evidence() {
        assert!(offers_reply_photos(Some(Role::Handler), Some(7), Some(7)));
        assert!(!offers_reply_photos(Some(Role::Handler), Some(7), Some(8)));
        assert!(
            !offers_reply_photos(Some(Role::Handler), None, None),
            "the hotline's reply"
        );
        assert!(!offers_reply_photos(Some(Role::Handler), Some(7), None));
        assert!(!offers_reply_photos(Some(Role::Operator), Some(7), Some(7)));
        assert!(!offers_reply_photos(None, None, Some(7)));
    }
}
