//! 一事一评: the page a reply's message links to (`/r/{token}`), where the petitioner rates the
//! reply without signing in. The link works once; a used or expired one says so in the
//! server's words, and an unknown one that it is not valid.

use gloo_net::http::Method;
use leptos::prelude::*;
use minhu_types::{FieldError, RatingBody, RatingInvite, Satisfaction, Visit};

use crate::api::{self, ApiError};
use crate::format;
use crate::session::local_problem;
use crate::text::Text;
use crate::ui::{failure_line, load, Ctx, Load, Tag, Title};

/// What the page shows instead of the form when the link cannot be used: the server's words
/// for a used or expired link (410), ours for an unknown one (404); None for other failures,
/// which are shown as errors.
pub fn unusable(e: &ApiError, t: &Text) -> Option<String> {
    match (e.status(), e) {
        (Some(410), ApiError::Problem(p)) if !p.detail.trim().is_empty() => Some(p.detail.clone()),
        (Some(410), _) => Some(t.rate_gone.to_owned()),
        (Some(404), _) => Some(t.rate_invalid.to_owned()),
        _ => None,
    }
}

/// The rating to send, or what to correct first: the petitioner chooses how satisfied they are
/// (nothing is chosen for them).
pub fn rating(
    satisfaction: Option<Satisfaction>,
    resolved: bool,
    contacted: bool,
    comment: &str,
    t: &Text,
) -> Result<RatingBody, Vec<FieldError>> {
    let satisfaction = satisfaction.ok_or_else(|| {
        vec![FieldError {
            field: "satisfaction".into(),
            message: t.choose_satisfaction.into(),
        }]
    })?;
    Ok(RatingBody {
        satisfaction,
        resolved,
        contacted,
        comment: format::optional(comment),
        version: None,
    })
}

#[component]
pub fn Rate(token: String) -> impl IntoView {
    let ctx = Ctx::get();
    let path = format!("/rate/{token}");
    // Without the session's token: the link is all it needs, and a stale session must not
    // stand in the way of rating.
    let invite = load({
        let path = path.clone();
        move |_| {
            let path = path.clone();
            async move { Ok::<_, ApiError>(api::get::<RatingInvite>(None, &path).await) }
        }
    });
    let done = RwSignal::new(false);
    let gone = RwSignal::new(None::<String>);
    view! {
        <Title text=Signal::derive(move || ctx.t().rate_title.to_owned()) />
        {move || {
            let t = ctx.t();
            if done.get() {
                return view! {
                    <section class="card" role="status" aria-labelledby="rate-thanks">
                        <h2 id="rate-thanks">{t.rate_thanks}</h2>
                        <p>{t.rate_thanks_body}</p>
                        <p><a href="/">{t.back_home}</a></p>
                    </section>
                }
                .into_any();
            }
            if let Some(why) = gone.get() {
                return unusable_view(why, t).into_any();
            }
            invite.with(|s| match s {
                Load::Loading => view! { <p class="loading" role="status">{t.loading}</p> }.into_any(),
                Load::Failed(e) => view! { <p class="error" role="alert">{e.clone()}</p> }.into_any(),
                Load::Ready(Err(e)) => match unusable(e, t) {
                    Some(why) => unusable_view(why, t).into_any(),
                    None => view! { <p class="error" role="alert">{e.message(t)}</p> }.into_any(),
                },
                Load::Ready(Ok(i)) => view! {
                    <RateForm invite=i.clone() path=path.clone() done=done gone=gone />
                }
                .into_any(),
            })
        }}
    }
}

fn unusable_view(why: String, t: &'static Text) -> impl IntoView {
    view! {
        <section class="card">
            <p class="notice" role="alert">{why}</p>
            <p><a href="/">{t.back_home}</a></p>
        </section>
    }
}

#[component]
fn RateForm(
    invite: RatingInvite,
    path: String,
    done: RwSignal<bool>,
    gone: RwSignal<Option<String>>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let t = ctx.t();
    let lang = ctx.lang.get_untracked();
    let satisfaction = RwSignal::new(None::<Satisfaction>);
    let resolved = RwSignal::new(false);
    let contacted = RwSignal::new(false);
    let comment = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let body = match rating(
            satisfaction.get_untracked(),
            resolved.get_untracked(),
            contacted.get_untracked(),
            &comment.get_untracked(),
            ctx.t(),
        ) {
            Ok(b) => b,
            Err(errors) => {
                failure.set(Some(local_problem(errors, ctx.t())));
                return;
            }
        };
        busy.set(true);
        failure.set(None);
        let path = path.clone();
        leptos::task::spawn_local(async move {
            let r = api::send::<_, Visit>(Method::POST, None, &path, &body).await;
            busy.try_set(false);
            match r {
                Ok(_) => {
                    done.try_set(true);
                }
                Err(e) => match unusable(&e, ctx.t()) {
                    Some(why) => {
                        gone.try_set(Some(why));
                    }
                    None => {
                        failure.try_set(Some(e));
                    }
                },
            }
        });
    };
    let field_error = move |f: &'static str| crate::ui::field_error(failure, f);
    let invalid = move |f: &'static str| crate::ui::invalid(failure, f);
    view! {
        <article class="card" aria-labelledby="rate-petition">
            <div class="meta">
                <span class="muted">{t.tracking_no}</span>
                <span class="mono">{invite.tracking_no.clone()}</span>
            </div>
            <h2 id="rate-petition">{invite.title.clone()}</h2>
        </article>
        <section class="card" aria-labelledby="rate-replies">
            <h2 id="rate-replies">{t.replies}</h2>
            {if invite.replies.is_empty() {
                view! { <p class="muted">{t.no_reply_yet}</p> }.into_any()
            } else {
                invite.replies.iter().map(|r| view! {
                    <blockquote class="reply">
                        <strong>{r.unit.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| t.hotline.to_owned())}</strong>
                        " · "<span class="sr-only">{t.outcome}" "</span><Tag wire=r.outcome.as_str() zh=r.outcome.label() />
                        " · "{format::datetime(r.created_at)}
                        <p>{r.body.clone()}</p>
                    </blockquote>
                }).collect_view().into_any()
            }}
        </section>
        <section class="card" aria-labelledby="rate-form">
            <h2 id="rate-form">{t.your_rating}</h2>
            <p class="muted">{t.rate_intro}</p>
            <form class="form" on:submit=submit novalidate aria-labelledby="rate-form">
                <fieldset aria-describedby="satisfaction-error">
                    <legend>{t.satisfaction}</legend>
                    {Satisfaction::ALL.iter().map(|s| {
                        let s = *s;
                        view! {
                            <label class="check">
                                <input type="radio" name="satisfaction" value=s.as_str()
                                    aria-invalid=invalid("satisfaction")
                                    prop:checked=move || satisfaction.get() == Some(s)
                                    on:change=move |_| { satisfaction.set(Some(s)); failure.set(None); } />
                                {lang.label(s.as_str(), s.label())}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                {field_error("satisfaction")}
                <label class="check">
                    <input type="checkbox" id="rate-resolved" aria-describedby="resolved-error"
                        prop:checked=move || resolved.get()
                        on:change=move |ev| resolved.set(event_target_checked(&ev)) />
                    {t.rate_resolved}
                </label>
                {field_error("resolved")}
                <label class="check">
                    <input type="checkbox" id="rate-contacted" aria-describedby="contacted-error"
                        prop:checked=move || contacted.get()
                        on:change=move |ev| contacted.set(event_target_checked(&ev)) />
                    {t.rate_contacted}
                </label>
                {field_error("contacted")}
                <label for="rate-comment">{t.comment_optional}</label>
                <textarea id="rate-comment" rows="4" aria-invalid=invalid("comment") aria-describedby="comment-error"
                    prop:value=move || comment.get()
                    on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                <span class="counter">{move || format!("{}/1000", format::chars(&comment.get()))}</span>
                {field_error("comment")}
                {failure_line(failure)}
                <button class="button" type="submit" prop:disabled=move || busy.get()>
                    {move || if busy.get() { t.submitting } else { t.submit_rating }}
                </button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::ZH;
    use minhu_types::Problem;

    fn problem(status: u16, detail: &str) -> ApiError {
        ApiError::Problem(Problem {
            kind: String::new(),
            title: String::new(),
            status,
            detail: detail.into(),
            code: String::new(),
            errors: vec![],
            request_id: None,
        })
    }

    #[test]
    fn a_used_link_says_so_in_the_servers_words() {
        assert_eq!(
            unusable(&problem(410, "该评价链接已使用过，感谢您的评价。"), &ZH).as_deref(),
            Some("该评价链接已使用过，感谢您的评价。")
        );
        assert_eq!(
            unusable(&problem(410, " "), &ZH).as_deref(),
            Some(ZH.rate_gone)
        );
        assert_eq!(
            unusable(&problem(404, "not found"), &ZH).as_deref(),
            Some(ZH.rate_invalid)
        );
        assert_eq!(unusable(&problem(422, "x"), &ZH), None);
        assert_eq!(unusable(&ApiError::Network, &ZH), None);
    }

    #[test]
    fn the_petitioner_chooses_how_satisfied() {
        let e = rating(None, true, true, "", &ZH).expect_err("nothing chosen");
        assert_eq!(e[0].field, "satisfaction");
        let b = rating(Some(Satisfaction::Satisfied), true, false, "  谢谢 ", &ZH).expect("valid");
        assert_eq!(
            serde_json::to_value(&b).expect("json"),
            serde_json::json!({
                "satisfaction": "satisfied", "resolved": true, "contacted": false,
                "comment": "谢谢", "version": null
            })
        );
    }
}
