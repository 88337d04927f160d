//! The Azure source against a fake ARM / Entra ID / metadata / Azure Monitor server on
//! 127.0.0.1 that answers like the real APIs (shapes from the documented examples),
//! including throttling, server errors, expired tokens, expired secrets, missing roles
//! and answers of the wrong shape.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::fake_azure::{fake_azure, Fake, Fault, PORT_ID, SECRET};
use common::{pair, samples, value, TestAgent};

fn config(fake: &str, auth: &str) -> String {
    format!(
        "[azure]\n{auth}\narm_endpoint = \"{fake}\"\nlogin_endpoint = \"{fake}\"\nmetadata_endpoint = \"{fake}\"\npoll_interval = \"300ms\"\nrequest_timeout = \"5s\"\n\n{}",
        pair("\"healthy\"", "100ms", "500ms").replace(
            "name = \"erd-ams-1\"\n",
            &format!("name = \"erd-ams-1\"\nazure_port_id = \"{PORT_ID}\"\n"),
        )
    )
}

const SP: &str = "tenant_id = \"tenant-1\"\nclient_id = \"client-1\"\nclient_secret_env = \"LG_TEST_AZURE_SECRET\"";

fn fake(faults: &[Fault], link2_admin: &'static str) -> common::fake_azure::Shared {
    std::env::set_var("LG_TEST_AZURE_SECRET", SECRET);
    Arc::new(Mutex::new(Fake {
        faults: faults.iter().copied().collect(),
        link2_admin,
        rx_dbm: [-4.0, -4.0],
        ..Default::default()
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observed_admin_state_light_levels_and_span_loss() {
    let f = fake(&[], "Disabled");
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, SP)).await;
    let (status, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |_, v| {
                v["links"]["link1"]["azure"].is_object()
                    && v["links"]["link1"]["checks"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|c| c["pass"] == true)
            },
        )
        .await;
    assert_eq!(status, 503, "link2 is Disabled in Azure: {body:#}");
    let l1 = &body["links"]["link1"];
    assert_eq!(l1["azure_admin_state"], "enabled");
    assert_eq!(l1["azure_admin_state_origin"], "observed");
    assert_eq!(l1["checks"][1]["check"], "azure_line_protocol_up");
    assert_eq!(l1["azure"]["patch_panel_id"], "PP:0123:1234567");
    assert_eq!(l1["azure"]["rx"].as_array().unwrap().len(), 4);
    assert_eq!(l1["azure"]["rx"][0]["dbm"], -4.0);
    let failing: Vec<String> = serde_json::from_value(body["failing"].clone()).unwrap();
    assert!(
        failing.contains(
            &"azure_admin_enabled: link2 Azure admin state disabled (observed from Azure)"
                .to_string()
        ),
        "{failing:#?}"
    );

    let m = t.metrics().await;
    assert_eq!(
        value(
            &m,
            "lightgate_azure_link_admin_enabled",
            &[("link", "link1"), ("origin", "observed")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_azure_link_admin_enabled",
            &[("link", "link2"), ("origin", "observed")]
        ),
        0.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_azure_rx_light_level_dbm",
            &[("link", "link1"), ("lane", "2")]
        ),
        -4.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_azure_tx_light_level_dbm",
            &[("link", "link2"), ("lane", "0")]
        ),
        -1.5
    );
    assert_eq!(
        value(&m, "lightgate_azure_line_protocol_up", &[("link", "link1")]),
        1.0
    );
    assert_eq!(
        value(&m, "lightgate_azure_up", &[("port", "erd-ams-1")]),
        1.0
    );
    assert_eq!(
        samples(
            &m,
            "lightgate_azure_link_info",
            &[("link", "link2"), ("router_name", "exr02.ams")]
        )
        .len(),
        1
    );
    // Span loss: our Tx total minus Azure's Rx total (four lanes each side).
    let ours: f64 = l1["reading"]["lanes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| 10f64.powf(l["tx_dbm"].as_f64().unwrap() / 10.0))
        .sum();
    let expected_to = 10.0 * ours.log10() - (-4.0 + 10.0 * 4f64.log10());
    let to = value(
        &m,
        "lightgate_span_loss_db",
        &[("link", "link1"), ("direction", "to_azure")],
    );
    assert!(
        (to - expected_to).abs() < 0.2,
        "to_azure {to}, expected about {expected_to}"
    );
    assert!(value(
        &m,
        "lightgate_span_loss_db",
        &[("link", "link1"), ("direction", "from_azure")]
    )
    .is_finite());
    assert!(!m.contains(SECRET) && !body.to_string().contains(SECRET) && !m.contains("token-1"));
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_server_errors_and_expired_tokens_are_retried() {
    let f = fake(
        &[Fault::Throttle, Fault::ServerError, Fault::ExpireToken],
        "Enabled",
    );
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, SP)).await;
    let (status, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(15),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(status, 200, "{body:#}");
    let (retried_after, tokens, gets) = {
        let f = f.lock().unwrap();
        (f.retried_after, f.tokens_issued, f.port_gets)
    };
    assert!(
        retried_after.unwrap() >= Duration::from_millis(950),
        "Retry-After was honoured: {retried_after:?}"
    );
    assert_eq!(tokens, 2, "one refresh after the expired token");
    assert!(gets >= 4);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_secret_a_missing_role_and_a_wrong_shape_are_clear_errors() {
    // Expired secret: readiness says why and names no secret.
    let f = fake(&[], "Enabled");
    f.lock().unwrap().secret_expired = true;
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, SP)).await;
    let (_, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |_, v| v["failing"].to_string().contains("AADSTS"),
        )
        .await;
    let detail = body["links"]["link1"]["checks"][0]["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        detail.contains(
            "the service principal could not sign in (HTTP 401): invalid_client: AADSTS7000222"
        ),
        "{detail}"
    );
    assert!(detail.contains("the client secret has expired"), "{detail}");
    let m = t.metrics().await;
    assert_eq!(
        value(&m, "lightgate_azure_up", &[("port", "erd-ams-1")]),
        0.0
    );
    assert!(!body.to_string().contains(SECRET));
    t.stop().await;

    for (fault, expected) in [
        (Fault::Forbidden, "has no access to /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-er/providers/Microsoft.Network/expressRoutePorts/erd-ams-1 (HTTP 403: AuthorizationFailed"),
        (Fault::WrongShape, "unexpected shape: the port resource has no properties.links array"),
    ] {
        let f = fake(&[fault; 50], "Enabled");
        let url = fake_azure(f).await;
        let t = TestAgent::start(&config(&url, SP)).await;
        let (_, body) = t
            .wait_for("/api/v1/ports/erd-ams-1", Duration::from_secs(10), |_, v| v["failing"].to_string().contains(expected))
            .await;
        assert!(body["failing"].to_string().contains(expected), "{fault:?}: {:#}", body["failing"]);
        t.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_managed_identity_gets_its_token_from_the_metadata_service() {
    let f = fake(&[], "Enabled");
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, "managed_identity = true")).await;
    let (status, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(f.lock().unwrap().tokens_issued, 1);
    t.stop().await;
}
