//! Open311 GeoReport v2: every endpoint in JSON and XML, the error cases in the spec's format,
//! submission with a partner's API key, and what the public may see.

use minhu_types::{Page, Petition};
use serde_json::{json, Value};

use crate::city::City;
use crate::support::{both, Resp, TestApp};

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn get(app: &TestApp, path: &str) -> Resp {
    app.get(&format!("/open311/v2/{path}")).send().await
}

async fn post(app: &TestApp, path: &str, body: String) -> Resp {
    app.post(&format!("/open311/v2/{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
}

fn json_of(res: &Resp, status: u16) -> Value {
    assert_eq!(res.status, status, "{}", res.text());
    assert!(
        res.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{:?}",
        res.header("content-type")
    );
    res.value()
}

fn xml_of(res: &Resp, status: u16) -> String {
    assert_eq!(res.status, status, "{}", res.text());
    assert!(
        res.header("content-type")
            .is_some_and(|c| c.starts_with("text/xml")),
        "{:?}",
        res.header("content-type")
    );
    let text = res.text();
    assert!(
        text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
        "{text}"
    );
    text
}

/// The spec's error list: one `{code, description}`.
fn spec_error(res: &Resp, status: u16) -> String {
    let v = json_of(res, status);
    assert_eq!(v[0]["code"], json!(status), "{v}");
    v[0]["description"]
        .as_str()
        .expect("description")
        .to_owned()
}

async fn every_endpoint_in_json_and_xml(app: TestApp) {
    let city = City::build(&app).await;
    let category = city.category_id.to_string();
    let creds = app.issue_partner(&city.admin, "Open311 客户端").await;

    // Discovery and services.
    let d = json_of(&get(&app, "discovery.json").await, 200);
    assert_eq!(
        d["endpoints"][0]["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert!(d["endpoints"][0]["url"]
        .as_str()
        .is_some_and(|u| u.ends_with("/open311/v2")));
    let x = xml_of(&get(&app, "discovery.xml").await, 200);
    assert!(
        x.contains("<discovery>") && x.contains("<format>text/xml</format>"),
        "{x}"
    );
    let s = json_of(&get(&app, "services.json").await, 200);
    let ours = s
        .as_array()
        .and_then(|l| l.iter().find(|x| x["service_code"] == json!(category)))
        .expect("the city's category is a service");
    assert_eq!(ours["metadata"], true);
    let x = xml_of(&get(&app, "services.xml").await, 200);
    assert!(
        x.contains(&format!("<service_code>{category}</service_code>")),
        "{x}"
    );
    let def = json_of(&get(&app, &format!("services/{category}.json")).await, 200);
    let kind = def["attributes"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["code"] == "kind"))
        .expect("kind attribute");
    assert!(kind["values"]
        .as_array()
        .is_some_and(|v| v.iter().any(|x| x["key"] == "complaint")));
    let x = xml_of(&get(&app, &format!("services/{category}.xml")).await, 200);
    assert!(
        x.contains("<attribute>") && x.contains("<key>complaint</key>"),
        "{x}"
    );
    spec_error(&get(&app, "services/99999.json").await, 404);
    let x = xml_of(&get(&app, "services/99999.xml").await, 404);
    assert!(x.contains("<errors><error><code>404</code>"), "{x}");

    // Submitting needs a valid api_key, a service, a location and a description.
    let good = |key: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("api_key", key.to_owned()),
            ("service_code", category.clone()),
            ("lat", "35.2299".into()),
            ("long", "113.4461".into()),
            ("address_string", "修武县郇封镇东常村东街12号".into()),
            (
                "description",
                "村东头三盏路灯坏了一个多月，晚上看不清路。联系电话13912345678。".into(),
            ),
            ("first_name", "大爷".into()),
            ("last_name", "李".into()),
            ("phone", "13912345678".into()),
            ("attribute[kind]", "complaint".into()),
            ("attribute[publish_consent]", "true".into()),
        ]
    };
    let key: &'static str = Box::leak(creds.api_key.clone().into_boxed_str());
    let body = |fields: Vec<(&'static str, String)>| {
        form(
            &fields
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
    };
    let without = |name: &str| {
        good(key)
            .into_iter()
            .filter(|(k, _)| {
                *k != name
                    && !(name == "location" && matches!(*k, "lat" | "long" | "address_string"))
            })
            .collect::<Vec<_>>()
    };
    spec_error(
        &post(&app, "requests.json", body(without("api_key"))).await,
        403,
    );
    spec_error(
        &post(&app, "requests.json", body(good("not-a-key"))).await,
        403,
    );
    let x = xml_of(
        &post(&app, "requests.xml", body(good("not-a-key"))).await,
        403,
    );
    assert!(x.contains("<code>403</code>"), "{x}");
    let e = spec_error(
        &post(&app, "requests.json", body(without("location"))).await,
        400,
    );
    assert!(e.contains("lat"), "{e}");
    let e = spec_error(
        &post(&app, "requests.json", body(without("description"))).await,
        400,
    );
    assert!(e.contains("description"), "{e}");
    let mut unknown = good(key);
    unknown[1].1 = "99999".into();
    let e = spec_error(&post(&app, "requests.json", body(unknown)).await, 400);
    assert!(e.contains("service_code"), "{e}");
    let mut wrong_kind = good(key);
    wrong_kind[9].1 = "petition".into();
    spec_error(&post(&app, "requests.json", body(wrong_kind)).await, 400);

    let created = json_of(&post(&app, "requests.json", body(good(key))).await, 201);
    let id = created[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(created[0]["token"], json!(id));
    let x = xml_of(&post(&app, "requests.xml", body(good(key))).await, 201);
    assert!(
        x.contains("<service_requests><request>") && x.contains("<service_request_id>"),
        "{x}"
    );

    // The partner sees it as an Open311 petition of its own, with the contact it gave.
    let partner = app.partner_token(&creds).await;
    let page: Page<Petition> = app
        .get("/api/v1/petitions")
        .token(&partner)
        .send()
        .await
        .json();
    assert_eq!(page.total, 2);
    let petition = page
        .items
        .iter()
        .find(|p| p.tracking_no == id)
        .expect("the request")
        .clone();
    assert_eq!(petition.source.as_str(), "open311");
    assert_eq!(petition.contact_name.as_deref(), Some("李大爷"));

    // Not published until the hotline office has accepted it: the same rule as the lists.
    spec_error(&get(&app, &format!("requests/{id}.json")).await, 404);
    city.call(
        &app,
        &city.operator,
        &format!("/api/v1/petitions/{}/accept", petition.id),
        json!({}),
        200,
    )
    .await;
    // The request and its token, masked like the public site.
    let r = json_of(&get(&app, &format!("requests/{id}.json")).await, 200);
    assert_eq!(r[0]["status"], "open");
    assert_eq!(r[0]["service_code"], json!(category));
    let text = r.to_string();
    assert!(
        text.contains("139****5678") && !text.contains("13912345678"),
        "{text}"
    );
    assert!(!text.contains("李大爷"), "{text}");
    let x = xml_of(&get(&app, &format!("requests/{id}.xml")).await, 200);
    assert!(
        x.contains(&format!("<service_request_id>{id}</service_request_id>")),
        "{x}"
    );
    let t = json_of(&get(&app, &format!("tokens/{id}.json")).await, 200);
    assert_eq!(t[0]["service_request_id"], json!(id));
    xml_of(&get(&app, &format!("tokens/{id}.xml")).await, 200);
    spec_error(&get(&app, "requests/20200101-000001.json").await, 404);
    spec_error(&get(&app, "tokens/nope.json").await, 404);

    // Handled and answered in public: the list shows it with the reply as status notes.
    let pid = petition.id;
    let p = city
        .call(
            &app,
            &city.operator,
            &format!("/api/v1/petitions/{pid}/assignments"),
            json!({"unit_id": city.xiuwu_id, "role": "lead"}),
            201,
        )
        .await;
    let order = p["assignments"][0]["id"].as_i64().expect("order");
    city.call(
        &app,
        &city.xiuwu,
        &format!("/api/v1/assignments/{order}/sign"),
        json!({}),
        200,
    )
    .await;
    city.call(
        &app,
        &city.xiuwu,
        &format!("/api/v1/petitions/{pid}/replies"),
        json!({"body": "路灯已全部修复。", "outcome": "resolved", "public": true}),
        201,
    )
    .await;
    let list = json_of(&get(&app, "requests.json?status=open").await, 200);
    let found = list
        .as_array()
        .and_then(|l| l.iter().find(|x| x["service_request_id"] == json!(id)))
        .expect("listed as open")
        .clone();
    assert_eq!(found["status_notes"], "路灯已全部修复。");
    assert_eq!(found["agency_responsible"], "修武县");
    let closed = json_of(&get(&app, "requests.json?status=closed").await, 200);
    assert!(!closed.to_string().contains(&id));
    let both = json_of(&get(&app, "requests.json?status=open,closed").await, 200);
    assert!(both.to_string().contains(&id));
    let by_code = json_of(
        &get(
            &app,
            &format!("requests.json?service_code={category}&service_request_id={id}"),
        )
        .await,
        200,
    );
    assert_eq!(by_code.as_array().map(Vec::len), Some(1));
    let old = json_of(
        &get(&app, "requests.json?end_date=2020-01-01T00:00:00Z").await,
        200,
    );
    assert_eq!(old, json!([]));
    let x = xml_of(&get(&app, "requests.xml").await, 200);
    assert!(
        x.contains("<status_notes>路灯已全部修复。</status_notes>"),
        "{x}"
    );

    // Malformed filters and unknown addresses, in the spec's format.
    spec_error(&get(&app, "requests.json?start_date=yesterday").await, 400);
    spec_error(&get(&app, "requests.json?status=maybe").await, 400);
    spec_error(&get(&app, "requests.json?service_code=roads").await, 400);
    spec_error(&get(&app, "services.csv").await, 404);
    spec_error(&get(&app, "nothing.json").await, 404);
    let x = xml_of(&get(&app, "nothing.xml").await, 404);
    assert!(x.contains("<error>"), "{x}");
    let res = app
        .request(actix_web::http::Method::DELETE, "/open311/v2/services.json")
        .send()
        .await;
    assert_eq!(res.header("allow"), Some("GET"));
    assert!(spec_error(&res, 405).contains("DELETE"));
    let res = app
        .request(actix_web::http::Method::PUT, "/open311/v2/requests.xml")
        .send()
        .await;
    assert_eq!(res.header("allow"), Some("GET, POST"));
    let x = xml_of(&res, 405);
    assert!(x.contains("<code>405</code>"), "{x}");
}

both!(every_endpoint_in_json_and_xml);
