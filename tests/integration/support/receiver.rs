//! A receiver on a local port for what the server sends out over HTTP (partners' webhooks,
//! the SMS gateway): it keeps every request and can fail the first ones with 500.

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    /// A header's value ("" when absent).
    pub fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct Inbox {
    received: Vec<Received>,
    /// Answer 500 to this many requests first.
    fail_next: usize,
}

pub struct Receiver {
    pub url: String,
    inbox: Arc<Mutex<Inbox>>,
}

impl Receiver {
    /// Starts on a free port; the first `fail_first` requests get 500, the others 204.
    pub fn start(fail_first: usize) -> Receiver {
        let inbox = Arc::new(Mutex::new(Inbox {
            received: Vec::new(),
            fail_next: fail_first,
        }));
        let shared = inbox.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!(
            "http://127.0.0.1:{}/minhu/events",
            listener.local_addr().expect("addr").port()
        );
        let server = HttpServer::new(move || {
            let inbox = shared.clone();
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let inbox = inbox.clone();
                async move {
                    let headers = req
                        .headers()
                        .iter()
                        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
                        .collect();
                    let mut inbox = inbox.lock().expect("inbox");
                    inbox.received.push(Received {
                        headers,
                        body: body.to_vec(),
                    });
                    if inbox.fail_next > 0 {
                        inbox.fail_next -= 1;
                        HttpResponse::InternalServerError().finish()
                    } else {
                        HttpResponse::NoContent().finish()
                    }
                }
            }))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        actix_web::rt::spawn(server);
        Receiver { url, inbox }
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().expect("inbox").received.clone()
    }
}
