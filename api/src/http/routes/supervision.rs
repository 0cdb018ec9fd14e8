//! The supervision board (督办): what is about to slip, unit by unit.

use crate::http::extract::Supervisors;
use actix_web::web;
use minhu_types::{BoardUnit, Light, SupervisionBoard};

use crate::db::petitions::{InboxFilter, PetitionFilter, Scope};
use crate::db::{self, Paging};
use crate::http::error::AppResult;
use crate::http::extract::Auth;
use crate::http::AppState;
use crate::views;

/// Open orders by unit with their red and yellow counts, the red and yellow orders themselves
/// (earliest deadline first), and the petitions under supervision.
#[utoipa::path(
    get, path = "/api/v1/supervision", tag = "time limits", operation_id = "get_supervision_board",
    security(("bearer" = [])),
    responses((status = 200, description = "The board", body = SupervisionBoard))
)]
pub async fn board(
    state: web::Data<AppState>,
    auth: Auth<Supervisors>,
) -> AppResult<web::Json<SupervisionBoard>> {
    let now = state.clock.now();
    let masked = !crate::domain::privacy::list_unmasked(auth.role, false, true);
    let actor = crate::workflow::Actor {
        caller: auth.0,
        now,
    };
    state
        .db(move |conn| {
            let counts = db::petitions::open_counts_by_unit(conn, now)?;
            let ids: Vec<i64> = counts.iter().map(|c| c.0).collect();
            let units = db::petitions::units_by_id(conn, &ids)?;
            let mut rows: Vec<BoardUnit> = counts
                .iter()
                .filter_map(|(id, open, yellow, red)| {
                    units.iter().find(|u| u.id == *id).map(|u| BoardUnit {
                        unit: views::unit_ref(u),
                        open: *open,
                        yellow: *yellow,
                        red: *red,
                    })
                })
                .collect();
            rows.sort_by(|a, b| {
                (b.red, b.yellow, b.open)
                    .cmp(&(a.red, a.yellow, a.open))
                    .then(a.unit.id.cmp(&b.unit.id))
            });
            let first_100 = Paging {
                page: 1,
                per_page: 100,
            };
            let mut urgent = Vec::new();
            let mut urgent_rows = Vec::new();
            for light in [Light::Red, Light::Yellow] {
                let filter = InboxFilter {
                    light: Some((light, now)),
                    ..InboxFilter::default()
                };
                let items = db::petitions::by_deadline(conn, &filter, 100)?;
                urgent.extend(
                    items
                        .iter()
                        .map(|(a, u, p)| views::assignment(a, u, p, masked, now)),
                );
                urgent_rows.extend(items.into_iter().map(|(_, _, p)| p));
            }
            urgent.truncate(100);
            urgent_rows.truncate(100);
            let filter = PetitionFilter {
                supervised_open: true,
                ..PetitionFilter::default()
            };
            let supervised = db::petitions::list_rows(conn, &Scope::All, &filter, first_100)?;
            if !masked {
                let shown = urgent_rows.iter().chain(&supervised);
                views::audit_unmasked(conn, &actor, shown, "board")?;
            }
            Ok(SupervisionBoard {
                units: rows,
                urgent,
                supervised: supervised
                    .iter()
                    .map(|p| views::summary(p, masked, now))
                    .collect(),
            })
        })
        .await
        .map(web::Json)
}
