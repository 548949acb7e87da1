//! The web page: three embedded files, the recent readings as JSON, and new readings as
//! Server-Sent Events.

use crate::store::{Reading, SharedStore};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::Stream;
use std::convert::Infallible;
use tokio::sync::broadcast::{self, error::RecvError};

/// Readings of each topic the page gets when it loads (its chart's length).
pub const HISTORY: u32 = 60;

const INDEX_HTML: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const STYLE_CSS: &str = include_str!("../assets/style.css");

/// What the handlers share.
#[derive(Clone)]
pub struct App {
    /// The database, for the recent readings.
    pub store: SharedStore,
    /// Each reading stored, as it is stored.
    pub events: broadcast::Sender<Reading>,
}

/// `/`, `/app.js`, `/style.css`, `/api/recent` and `/events`.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/", get(|| asset("text/html; charset=utf-8", INDEX_HTML)))
        .route(
            "/app.js",
            get(|| asset("text/javascript; charset=utf-8", APP_JS)),
        )
        .route(
            "/style.css",
            get(|| asset("text/css; charset=utf-8", STYLE_CSS)),
        )
        .route("/api/recent", get(recent))
        .route("/events", get(events))
        .with_state(app)
}

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// The last [`HISTORY`] readings of each topic, oldest first.
async fn recent(State(app): State<App>) -> Response {
    let recent = app.store.run(|store| store.recent(HISTORY)).await;
    match recent {
        Ok(Ok(readings)) => Json(readings).into_response(),
        Ok(Err(e)) => error(e.to_string()),
        Err(e) => error(e.to_string()),
    }
}

fn error(message: String) -> Response {
    eprintln!("/api/recent: {message}");
    (StatusCode::INTERNAL_SERVER_ERROR, message).into_response()
}

/// Each new reading as an event `reading` (its JSON). A page too slow to keep up gets
/// `reload`, and then fetches `/api/recent` again rather than missing readings silently.
async fn events(State(app): State<App>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = app.events.subscribe();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let event = match receiver.recv().await {
            Ok(reading) => match serde_json::to_string(&reading) {
                Ok(json) => Event::default().event("reading").data(json),
                Err(_) => Event::default().event("reload").data(""),
            },
            Err(RecvError::Lagged(_)) => Event::default().event("reload").data(""),
            Err(RecvError::Closed) => return None,
        };
        Some((Ok(event), receiver))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
