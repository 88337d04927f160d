//! The Azure source against a fake ARM / Entra ID / metadata / Azure Monitor server on
//! 127.0.0.1 that answers like the real APIs (shapes from the documented examples),
//! including throttling, server errors, expired tokens, expired secrets, missing roles
//! and answers of the wrong shape.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::fake_azure::{
    circuit, fake_azure, microsoft_peering_validation_needed, Fake, Fault, PORT_ID, SECRET,
};
use common::{cli, pair, post_json, samples, step, value, TestAgent};

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
    assert_eq!(l1["checks"][1]["check"], "azure_provisioned");
    assert_eq!(l1["checks"][2]["check"], "azure_line_protocol_up");
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
    // Every failed request is counted by endpoint and status.
    let m = t.metrics().await;
    for status in ["429", "500", "401"] {
        let n = value(
            &m,
            "lightgate_azure_api_errors_total",
            &[("endpoint", "arm"), ("status", status)],
        );
        assert!(n >= 1.0, "{status}: {n}");
    }
    t.stop().await;
}

/// Azure Monitor returns 10 time series unless asked for more: an agent that did not
/// ask would lose link2's Tx lanes (16 light series on a 4-lane port).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_lane_of_both_links_is_read_past_azure_monitors_default_top() {
    let f = fake(&[], "Enabled");
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, SP)).await;
    let (_, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |_, v| v["links"]["link2"]["azure"].is_object(),
        )
        .await;
    for link in ["link1", "link2"] {
        for dir in ["rx", "tx"] {
            let n = body["links"][link]["azure"][dir].as_array().unwrap().len();
            assert_eq!(n, 4, "{link} {dir}: {body:#}");
        }
    }
    t.stop().await;
}

/// The Link dimension's values are not documented: "Link1"/"Link2" are read as the
/// links they name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_dimension_values_are_read_by_what_they_name() {
    let f = fake(&[], "Enabled");
    f.lock().unwrap().link_values = Some(["Link1", "Link2"]);
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, SP)).await;
    let (status, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["links"]["link2"]["azure"]["line_protocol_up"], true);
    assert_eq!(
        body["links"]["link2"]["azure"]["rx"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert!(body.get("azure_notes").is_none(), "{body:#}");
    t.stop().await;

    // A value that names neither link is reported in the port's answer.
    let f = fake(&[], "Enabled");
    f.lock().unwrap().link_values = Some(["link1", "Link-B"]);
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, SP)).await;
    let (_, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |_, v| v["azure_notes"].is_array(),
        )
        .await;
    let notes: Vec<String> = serde_json::from_value(body["azure_notes"].clone())
        .unwrap_or_else(|_| panic!("no azure_notes: {body:#}"));
    assert!(notes.iter().any(|n| n.contains("\"Link-B\"")), "{notes:#?}");
    t.stop().await;
}

/// Azure Monitor's newest datapoint 14 minutes old: the Azure-side check fails with the
/// age, and the old light levels are not used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_azure_datapoint_fails_the_azure_check_with_its_age() {
    let f = fake(&[], "Enabled");
    f.lock().unwrap().metrics_age = Some(Duration::from_secs(14 * 60));
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, SP)).await;
    let (status, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |_, v| v["links"]["link1"]["azure"].is_object(),
        )
        .await;
    assert_eq!(status, 503, "{body:#}");
    let check = body["links"]["link1"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "azure_line_protocol_up")
        .cloned()
        .unwrap();
    assert_eq!(check["pass"], false, "{check}");
    let detail = check["detail"].as_str().unwrap();
    assert!(
        detail.contains("not fresh") && detail.contains("14m"),
        "{detail}"
    );
    assert!(body["links"]["link1"]["azure"]["rx"]
        .as_array()
        .unwrap()
        .is_empty());
    // Fresh again: the check passes.
    f.lock().unwrap().metrics_age = None;
    let (status, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(status, 200, "{body:#}");
    t.stop().await;
}

/// Circuits are read with an api-version that has advertisedPublicPrefixInfo: the fake
/// answers as ARM does, without it before 2024-10-01.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn circuits_are_read_with_an_api_version_that_has_prefix_validation() {
    let f = fake(&[], "Enabled");
    f.lock().unwrap().circuits.push(circuit(
        "er-ams-1",
        "Provisioned",
        "Enabled",
        vec![microsoft_peering_validation_needed()],
    ));
    let url = fake_azure(f.clone()).await;
    let id = format!("{}er-ams-1", common::fake_azure::CIRCUIT_PREFIX);
    let get = |version: &str| {
        let u = format!("{url}{id}?api-version={version}");
        let f = f.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let token = f.lock().unwrap().valid_tokens.last().cloned().unwrap();
                let mut r = ureq::get(&u)
                    .header("Authorization", &format!("Bearer {token}"))
                    .config()
                    .http_status_as_error(false)
                    .build()
                    .call()
                    .unwrap();
                r.body_mut().read_to_string().unwrap()
            })
            .await
            .unwrap()
        }
    };
    let t = TestAgent::start(&config(&url, SP)).await;
    let (_, c) = t
        .wait_for(
            "/api/v1/circuits/er-ams-1",
            Duration::from_secs(10),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(
        c["peerings"][0]["advertised"][0]["prefixes"],
        serde_json::json!([["198.51.100.0/24", "ValidationNeeded"]]),
        "the agent sees each prefix's validation state: {c:#}"
    );
    // The fake honours the version (the agent's token is valid by now).
    let old = get("2023-09-01").await;
    let new = get("2024-10-01").await;
    assert!(new.contains("advertisedPublicPrefixInfo"), "{new}");
    assert!(!old.contains("advertisedPublicPrefixInfo"), "{old}");
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
        (Fault::Forbidden, "authorization: the identity may not read /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-er/providers/Microsoft.Network/expressRoutePorts/erd-ams-1 (HTTP 403: AuthorizationFailed"),
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

/// Azure's errors can echo the request: the client secret (token endpoint) and the
/// bearer token (ARM). Neither may reach the API, the gate's answer, the audit trail or
/// /metrics.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_echoed_in_azure_errors_never_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    for echo_token_request in [true, false] {
        let f = fake(&[], "Enabled");
        {
            let mut g = f.lock().unwrap();
            g.echo_token_request = echo_token_request;
            g.echo_bearer = !echo_token_request;
        }
        let url = fake_azure(f.clone()).await;
        let cfg = format!("audit_log = \"{}\"\n{}", audit.display(), config(&url, SP));
        let t = TestAgent::start(&cfg).await;
        let expected = if echo_token_request {
            "AADSTS900144"
        } else {
            "AuthorizationFailed"
        };
        let (_, body) = t
            .wait_for(
                "/api/v1/ports/erd-ams-1",
                Duration::from_secs(10),
                |_, v| v["failing"].to_string().contains(expected),
            )
            .await;
        let text = body.to_string();
        assert!(text.contains(expected), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
        let (_, decision) = post_json(
            t.url("/api/v1/ports/erd-ams-1/gate"),
            serde_json::json!({"user": "u", "host": "h", "command": ["true"]}),
        )
        .await;
        let (_, workflow) = t.json("/api/v1/ports/erd-ams-1/workflow").await;
        let m = t.metrics().await;
        let trail = std::fs::read_to_string(&audit).unwrap();
        let tokens: Vec<String> = f.lock().unwrap().valid_tokens.clone();
        for (what, text) in [
            ("port", text.clone()),
            ("decision", decision.to_string()),
            ("workflow", workflow.to_string()),
            ("metrics", m),
            ("audit", trail),
        ] {
            assert!(
                !text.contains(SECRET),
                "the client secret in the {what}: {text}"
            );
            for token in &tokens {
                assert!(
                    !text.contains(token.as_str()),
                    "the bearer token in the {what}"
                );
            }
        }
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workflow_walks_from_admin_disabled_to_ready_for_a_circuit_and_beyond() {
    let f = fake(&[], "Disabled");
    let url = fake_azure(f.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let toml = config(&url, SP).replace(
        "azure_port_id = ",
        "loa_issued = \"2026-11-02\"\ncross_connects_completed = \"2026-11-20\"\nazure_port_id = ",
    );
    let toml = format!("audit_log = {:?}\n{toml}", audit.display().to_string());
    let t = TestAgent::start(&toml).await;
    let path = "/api/v1/ports/erd-ams-1/workflow";

    // 1. Port found, LOA and cross-connects declared, link2 still Disabled in Azure.
    let (status, w) = t
        .wait_for(path, Duration::from_secs(10), |_, w| {
            w["steps"][0]["status"] == "done"
        })
        .await;
    assert_eq!(status, 200);
    assert_eq!(step(&w, "Letter of Authorization")["status"], "done");
    assert_eq!(
        step(&w, "cross-connects ordered and completed")["status"],
        "done"
    );
    let admin = step(&w, "admin state enabled on both links");
    assert_eq!(admin["status"], "next", "{w:#}");
    assert!(
        admin["evidence"]
            .to_string()
            .contains("link2 Azure admin state disabled"),
        "{admin:#}"
    );
    assert_eq!(step(&w, "circuit created on the port")["status"], "pending");

    // 2. Someone enables link2 in Azure: the next step is circuit creation, and the
    //    evidence says the port is ready for it.
    f.lock().unwrap().link2_admin = "Enabled";
    let (_, w) = t
        .wait_for(path, Duration::from_secs(10), |_, w| {
            step(w, "circuit created on the port")["status"] == "next"
        })
        .await;
    assert_eq!(
        step(&w, "admin state enabled on both links")["status"],
        "done",
        "{w:#}"
    );
    assert_eq!(
        step(
            &w,
            "light levels and physical link healthy and stable on both links"
        )["status"],
        "done",
        "{w:#}"
    );
    let create = step(&w, "circuit created on the port");
    assert_eq!(create["status"], "next", "{w:#}");
    assert!(
        create["evidence"][0]
            .as_str()
            .unwrap()
            .starts_with("ready for circuit creation"),
        "{create:#}"
    );

    // 3. A circuit appears, still Provisioning: peering is refused with the reason,
    //    and so is deleting it (billing continues).
    f.lock().unwrap().circuits = vec![circuit("ckt-ams-1", "Provisioning", "Enabled", vec![])];
    let (_, w) = t
        .wait_for(path, Duration::from_secs(10), |_, w| {
            step(w, "circuit created on the port")["status"] == "done"
        })
        .await;
    let peering = step(&w, "peerings configured");
    assert_eq!(peering["status"], "next", "{w:#}");
    assert!(
        peering["evidence"][0]
            .as_str()
            .unwrap()
            .contains("provider state is Provisioning"),
        "{peering:#}"
    );
    let gate = |action: &str, circuit: &str| {
        post_json(
            t.url(&format!("/api/v1/circuits/{circuit}/gate")),
            serde_json::json!({"action": action, "user": "alice", "command": ["az", "network"]}),
        )
    };
    let (status, d) = gate("configure-peering", "ckt-ams-1").await;
    assert_eq!(status, 503, "{d:#}");
    assert_eq!(d["verdict"], "not_ready");
    assert_eq!(d["circuit"], "ckt-ams-1");
    assert!(
        d["failing"][0]
            .as_str()
            .unwrap()
            .starts_with("provider_state: circuit ckt-ams-1 provider state is Provisioning"),
        "{d:#}"
    );
    let (status, d) = gate("delete-circuit", "ckt-ams-1").await;
    assert_eq!(status, 503, "{d:#}");
    assert!(
        d["failing"][0]
            .as_str()
            .unwrap()
            .contains("Microsoft keeps billing the circuit until it is deleted"),
        "{d:#}"
    );
    let (status, d) = gate("configure-peering", "no-such-circuit").await;
    assert_eq!(status, 404, "{d:#}");
    // The same through the CLI: exit 75 and the command does not run.
    let marker = dir.path().join("deleted");
    let out = cli(&[
        "gate",
        "ckt-ams-1",
        "--action",
        "delete-circuit",
        "--url",
        &t.url(""),
        "--",
        "touch",
        marker.to_str().unwrap(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(75), "{out:?}");
    assert!(!marker.exists(), "the refused command ran");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("keeps billing"),
        "{out:?}"
    );
    let out = cli(&["workflow", "erd-ams-1", "--url", &t.url("")]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(text.contains("[NEXT   ] peerings configured"), "{text}");
    assert!(
        text.contains("[done   ] circuit created on the port"),
        "{text}"
    );

    // The circuit as JSON, with what each action would decide (nothing recorded).
    let (status, c) = t.json("/api/v1/circuits/ckt-ams-1").await;
    assert_eq!(status, 200, "{c:#}");
    assert_eq!(c["port"], "erd-ams-1");
    assert_eq!(c["provider_state"], "Provisioning");
    assert_eq!(c["actions"]["configure-peering"]["ready"], false);
    assert_eq!(c["actions"]["delete-circuit"]["ready"], false);

    // 4. `gate --wait` waits (without recording) while the provider provisions it;
    //    a Microsoft peering waits for prefix validation: peering may go ahead, the
    //    last step is blocked with the prefix.
    let configured = dir.path().join("configured");
    let url_arg = t.url("");
    let marker_arg = configured.to_str().unwrap().to_string();
    let waiting = tokio::spawn(async move {
        cli(&[
            "gate",
            "ckt-ams-1",
            "--action",
            "configure-peering",
            "--wait",
            "20s",
            "--interval",
            "100ms",
            "--url",
            &url_arg,
            "--",
            "touch",
            &marker_arg,
        ])
        .await
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(
        !waiting.is_finished(),
        "the gate waits while the circuit is Provisioning"
    );
    f.lock().unwrap().circuits = vec![circuit(
        "ckt-ams-1",
        "Provisioned",
        "Enabled",
        vec![microsoft_peering_validation_needed()],
    )];
    let (_, w) = t
        .wait_for(path, Duration::from_secs(10), |_, w| {
            step(w, "peerings configured")["status"] == "done"
        })
        .await;
    let out = waiting.await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        configured.exists(),
        "the command ran once the circuit was Provisioned"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("provider state is Provisioning"),
        "progress shown while waiting: {out:?}"
    );
    let bgp = step(&w, "BGP up and Microsoft peering prefixes validated");
    assert_eq!(bgp["status"], "blocked", "{w:#}");
    assert!(
        bgp["evidence"]
            .to_string()
            .contains("198.51.100.0/24 ValidationNeeded"),
        "{bgp:#}"
    );
    let (status, d) = gate("configure-peering", "ckt-ams-1").await;
    assert_eq!(status, 200, "{d:#}");
    assert_eq!(d["verdict"], "ready");

    // The circuit and peering states are state-set metrics.
    let m = t.metrics().await;
    let labels = [("circuit", "ckt-ams-1")];
    let state = |name: &str, s: &str| {
        let mut l = labels.to_vec();
        l.push(("state", s));
        value(&m, name, &l)
    };
    assert_eq!(
        state("lightgate_azure_circuit_provider_state", "Provisioned"),
        1.0
    );
    assert_eq!(
        state("lightgate_azure_circuit_provider_state", "Provisioning"),
        0.0
    );
    assert_eq!(state("lightgate_azure_circuit_state", "Enabled"), 1.0);
    assert_eq!(
        state(
            "lightgate_azure_peering_advertised_prefixes_state",
            "ValidationNeeded"
        ),
        1.0
    );

    // Every circuit decision is in the audit trail, with the circuit named.
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let actions: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["action"].as_str().unwrap(),
                l["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("configure-peering", "not_ready"),
            ("delete-circuit", "not_ready"),
            ("delete-circuit", "not_ready"),
            // The waiting gate recorded only its final decision.
            ("configure-peering", "ready"),
            ("configure-peering", "ready")
        ]
    );
    assert!(lines.iter().all(|l| l["circuit"] == "ckt-ams-1"));
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_circuit_that_cannot_be_read_does_not_hide_the_port() {
    let f = fake(&[], "Enabled");
    {
        let mut g = f.lock().unwrap();
        g.circuits = vec![circuit("ckt-ams-1", "Provisioned", "Enabled", vec![])];
        g.forbidden_circuits = vec!["ckt-other-rg"];
    }
    let url = fake_azure(f.clone()).await;
    let toml = config(&url, SP).replace(
        "azure_port_id = ",
        "loa_issued = \"2026-11-02\"\ncross_connects_completed = \"2026-11-20\"\nazure_port_id = ",
    );
    let t = TestAgent::start(&toml).await;
    // The port itself is observed and ready: its admin states came through.
    let (status, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(
        body["links"]["link2"]["azure_admin_state_origin"],
        "observed"
    );
    // The readable circuit is there; the workflow says which one could not be read.
    let (status, c) = t.json("/api/v1/circuits/ckt-ams-1").await;
    assert_eq!(status, 200, "{c:#}");
    let (_, w) = t.json("/api/v1/ports/erd-ams-1/workflow").await;
    let created = step(&w, "circuit created on the port");
    assert_eq!(created["status"], "blocked", "{w:#}");
    let evidence = created["evidence"][0].as_str().unwrap();
    assert!(
        evidence.starts_with("circuit ckt-other-rg could not be read:")
            && evidence.contains("HTTP 403")
            && evidence.contains("Reader role on that resource"),
        "{evidence}"
    );
    let (status, e) = t.json("/api/v1/circuits/ckt-other-rg").await;
    assert_eq!(status, 404);
    assert!(
        e["error"].as_str().unwrap().contains("could not be read"),
        "{e:#}"
    );
    t.stop().await;
}

/// Runs `lightgate gate SUBJECT --action ACTION -- touch MARKER` against the agent;
/// returns the exit code, whether the command ran, and the gate's stderr.
async fn gate_cli(t: &TestAgent, subject: &str, action: &str) -> (Option<i32>, bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let out = cli(&[
        "gate",
        subject,
        "--action",
        action,
        "--url",
        &t.url(""),
        "--",
        "touch",
        marker.to_str().unwrap(),
    ])
    .await;
    (
        out.status.code(),
        marker.exists(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// The agent config of `config` with a Microsoft peering of ckt-ams-1 declared to
/// hold down for 1 s (the simulated routers' sessions come up after a few seconds).
fn with_microsoft_peering(toml: &str) -> String {
    format!(
        "{}\n[[port.peering]]\ncircuit = \"ckt-ams-1\"\ntype = \"microsoft\"\nhold_down = \"1s\"\n",
        declared_milestones(toml)
    )
}

/// `toml` with the LOA and cross-connects declared done, so that the workflow's next
/// step is an Azure one.
fn declared_milestones(toml: &str) -> String {
    toml.replace(
        "azure_port_id = ",
        "loa_issued = \"2026-11-02\"\ncross_connects_completed = \"2026-11-20\"\nazure_port_id = ",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enable_traffic_waits_for_every_address_family_of_a_microsoft_peering() {
    let f = fake(&[], "Enabled");
    f.lock().unwrap().circuits = vec![circuit(
        "ckt-ams-1",
        "Provisioned",
        "Enabled",
        vec![common::fake_azure::microsoft_peering_dual_stack(
            "Configured",
            "ValidationNeeded",
        )],
    )];
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&with_microsoft_peering(&config(&url, SP))).await;
    // Wait until the IPv6 prefixes are all that stands between the circuit and traffic:
    // both routers' IPv4 and IPv6 sessions established and held down.
    let (status, a) = t
        .wait_for(
            "/api/v1/circuits/ckt-ams-1/traffic",
            Duration::from_secs(30),
            |_, a| {
                a["failures"].as_array().is_some_and(|f| {
                    f.len() == 1 && f[0]["check"] == "advertised_prefixes_configured"
                })
            },
        )
        .await;
    assert_eq!(status, 503, "{a:#}");
    let f0 = &a["failures"][0];
    assert_eq!(f0["subject"], "ckt-ams-1 MicrosoftPeering", "{a:#}");
    let detail = f0["detail"].as_str().unwrap();
    assert!(
        detail.contains("IPv6: Azure: ValidationNeeded (3FFE:FFFF:0:CD31::/120 ValidationNeeded)")
            && detail.contains("IPv4: Azure: advertised public prefixes Configured"),
        "{detail}"
    );
    // The gate refuses through the CLI, naming the check and the family; the command
    // does not run.
    let (code, ran, stderr) = gate_cli(&t, "ckt-ams-1", "enable-traffic").await;
    assert_eq!(code, Some(75), "{stderr}");
    assert!(!ran, "the refused command ran");
    assert!(
        stderr.contains("advertised_prefixes_configured (Microsoft has not validated")
            && stderr.contains("IPv6: Azure: ValidationNeeded"),
        "{stderr}"
    );
    // Every other answer says the same: the peering, the workflow, the metric.
    let (status, p) = t
        .json("/api/v1/circuits/ckt-ams-1/peerings/microsoft")
        .await;
    assert_eq!(status, 503, "{p:#}");
    let (_, w) = t.json("/api/v1/ports/erd-ams-1/workflow").await;
    let bgp = step(&w, "BGP up and Microsoft peering prefixes validated");
    assert_eq!(bgp["status"], "blocked", "{w:#}");
    assert!(
        bgp["evidence"]
            .to_string()
            .contains("IPv6: Azure: ValidationNeeded"),
        "{bgp:#}"
    );
    let m = t.metrics().await;
    assert_eq!(
        value(&m, "lightgate_peering_ready", &[("circuit", "ckt-ams-1")]),
        0.0
    );
    assert_eq!(
        value(
            &m,
            "lightgate_azure_peering_advertised_prefixes_state",
            &[("family", "IPv6"), ("state", "ValidationNeeded")]
        ),
        1.0
    );
    // Microsoft validates the IPv6 prefixes: traffic may go.
    f.lock().unwrap().circuits = vec![circuit(
        "ckt-ams-1",
        "Provisioned",
        "Enabled",
        vec![common::fake_azure::microsoft_peering_dual_stack(
            "Configured",
            "Configured",
        )],
    )];
    let (status, a) = t
        .wait_for(
            "/api/v1/circuits/ckt-ams-1/traffic",
            Duration::from_secs(10),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(status, 200, "{a:#}");
    let (code, ran, stderr) = gate_cli(&t, "ckt-ams-1", "enable-traffic").await;
    assert_eq!((code, ran), (Some(0), true), "{stderr}");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_or_link_azure_has_not_provisioned_blocks_circuit_creation() {
    let f = fake(&[], "Enabled");
    f.lock().unwrap().port_provisioning = Some("Failed");
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, SP)).await;
    let path = "/api/v1/ports/erd-ams-1";
    // Everything else passes; the port's provisioning state fails on both links.
    let (status, body) = t
        .wait_for(path, Duration::from_secs(10), |_, v| {
            v["failing"].as_array().is_some_and(|f| {
                f.len() == 2
                    && f.iter()
                        .all(|x| x.as_str().unwrap().starts_with("azure_provisioned: "))
            })
        })
        .await;
    assert_eq!(status, 503, "{body:#}");
    assert!(
        body["failing"][0]
            .as_str()
            .unwrap()
            .contains("the port's provisioningState is Failed"),
        "{body:#}"
    );
    let (code, ran, stderr) = gate_cli(&t, "erd-ams-1", "create-circuit").await;
    assert_eq!((code, ran), (Some(75), false), "{stderr}");
    assert!(stderr.contains("provisioningState is Failed"), "{stderr}");
    let (_, w) = t.json("/api/v1/ports/erd-ams-1/workflow").await;
    let port = step(&w, "ExpressRoute Direct port resource");
    assert_eq!(port["status"], "blocked", "{w:#}");
    assert!(port["evidence"].to_string().contains("Failed"), "{port:#}");
    // The port recovers; link1 is still Updating: only link1 fails, in Azure's words.
    {
        let mut g = f.lock().unwrap();
        g.port_provisioning = None;
        g.link1_provisioning = Some("Updating");
    }
    let (_, body) = t
        .wait_for(path, Duration::from_secs(10), |_, v| {
            v["failing"].as_array().is_some_and(|f| f.len() == 1)
        })
        .await;
    assert_eq!(
        body["failing"][0],
        "azure_provisioned: link1 not provisioned in Azure: the link's provisioningState is Updating",
        "{body:#}"
    );
    f.lock().unwrap().link1_provisioning = None;
    let (status, _) = t
        .wait_for(path, Duration::from_secs(10), |s, _| s == 200)
        .await;
    assert_eq!(status, 200);
    let (code, ran, stderr) = gate_cli(&t, "erd-ams-1", "create-circuit").await;
    assert_eq!((code, ran), (Some(0), true), "{stderr}");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_circuit_on_another_port_is_never_this_ports() {
    let f = fake(&[], "Enabled");
    let mut elsewhere = circuit("ckt-elsewhere", "Provisioned", "Enabled", vec![]);
    elsewhere["properties"]["expressRoutePort"]["id"] =
        serde_json::json!(PORT_ID.replace("erd-ams-1", "erd-fra-1"));
    // The same port, as ARM may spell it: ids are case-insensitive.
    let mut ours = circuit("ckt-ams-1", "Provisioned", "Enabled", vec![]);
    ours["properties"]["expressRoutePort"]["id"] = serde_json::json!(PORT_ID.to_uppercase());
    f.lock().unwrap().circuits = vec![ours, elsewhere];
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&declared_milestones(&config(&url, SP))).await;
    let (status, c) = t
        .wait_for(
            "/api/v1/circuits/ckt-ams-1",
            Duration::from_secs(10),
            |s, _| s == 200,
        )
        .await;
    assert_eq!(status, 200, "{c:#}");
    assert_eq!(c["actions"]["configure-peering"]["ready"], true, "{c:#}");
    // Once the links are held down, the circuit step is the one to work on: blocked.
    let (_, w) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1/workflow",
            Duration::from_secs(10),
            |_, w| step(w, "circuit created on the port")["status"] != "pending",
        )
        .await;
    let created = step(&w, "circuit created on the port");
    assert_eq!(created["status"], "blocked", "{w:#}");
    assert!(
        created["evidence"][0]
            .as_str()
            .unwrap()
            .contains("circuit ckt-elsewhere is on another ExpressRoute port"),
        "{created:#}"
    );
    let (status, _) = t.json("/api/v1/circuits/ckt-elsewhere").await;
    assert_eq!(status, 404);
    let (code, ran, stderr) = gate_cli(&t, "ckt-elsewhere", "configure-peering").await;
    assert_eq!((code, ran), (Some(64), false), "{stderr}");
    t.stop().await;
}

/// Microsoft's ExpressRouteCircuitGet example for a Direct circuit: on a port, no
/// serviceProviderProperties, Provisioned and Enabled from the start.
fn direct_example(peerings: Vec<serde_json::Value>, auth_in_use: bool) -> serde_json::Value {
    let mut c = circuit("ckt-ams-1", "Provisioned", "Enabled", peerings);
    c["properties"]["authorizations"] = if auth_in_use {
        serde_json::json!([{"name": "auth-vnet-prod", "properties": {"authorizationKey": "00000000-0000-0000-0000-0000000000aa", "authorizationUseStatus": "InUse", "provisioningState": "Succeeded"}}])
    } else {
        serde_json::json!([])
    };
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_direct_circuit_may_be_deleted_once_nothing_rides_on_it() {
    let f = fake(&[], "Enabled");
    f.lock().unwrap().circuits = vec![direct_example(
        vec![common::fake_azure::microsoft_peering_dual_stack(
            "Configured",
            "Configured",
        )],
        true,
    )];
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, SP)).await;
    let (_, c) = t
        .wait_for(
            "/api/v1/circuits/ckt-ams-1",
            Duration::from_secs(10),
            |s, _| s == 200,
        )
        .await;
    let delete = &c["actions"]["delete-circuit"];
    assert_eq!(delete["ready"], false, "{c:#}");
    let checks: Vec<&str> = delete["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        checks,
        ["peerings_removed", "authorizations_unused"],
        "{c:#}"
    );
    let (code, ran, stderr) = gate_cli(&t, "ckt-ams-1", "delete-circuit").await;
    assert_eq!((code, ran), (Some(75), false), "{stderr}");
    assert!(
        stderr.contains("MicrosoftPeering") && stderr.contains("auth-vnet-prod"),
        "{stderr}"
    );
    // Peerings removed and the virtual network unlinked: a Provisioned Direct circuit
    // may be deleted (no provider has anything to deprovision).
    f.lock().unwrap().circuits = vec![direct_example(vec![], false)];
    let (_, c) = t
        .wait_for(
            "/api/v1/circuits/ckt-ams-1",
            Duration::from_secs(10),
            |_, c| c["actions"]["delete-circuit"]["ready"] == true,
        )
        .await;
    assert_eq!(c["provider_state"], "Provisioned", "{c:#}");
    let (code, ran, stderr) = gate_cli(&t, "ckt-ams-1", "delete-circuit").await;
    assert_eq!((code, ran), (Some(0), true), "{stderr}");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_answers_are_said_in_azures_words() {
    // An adminState lightgate does not know fails closed, quoting Azure; Azure
    // Monitor failing keeps the port's own states and names the missing half.
    let f = fake(&[], "Maintenance");
    f.lock().unwrap().metrics_fail = Some(503);
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, SP)).await;
    let (_, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |_, v| v["links"]["link2"]["azure_admin_state_origin"] == "observed",
        )
        .await;
    let failing = body["failing"].to_string();
    assert!(
        failing.contains(
            "link2 Azure admin state unknown (observed from Azure, which says \\\"Maintenance\\\""
        ),
        "{failing}"
    );
    assert!(
        failing.contains("link1 Azure data not fresh: Azure Monitor could not be read: Azure answered HTTP 503 (after 4 attempts): ServiceUnavailable: The metrics service is temporarily unavailable."),
        "{failing}"
    );
    assert_eq!(
        body["links"]["link1"]["azure_admin_state"], "enabled",
        "{body:#}"
    );
    assert!(!failing.contains("could not decode"), "{failing}");
    // Every request says who asks.
    let agents = f.lock().unwrap().user_agents.clone();
    assert!(!agents.is_empty());
    assert!(
        agents
            .iter()
            .all(|a| a == &format!("lightgate/{}", env!("CARGO_PKG_VERSION"))),
        "{agents:?}"
    );
    t.stop().await;

    // A port id Azure does not know: "no such resource", with the id and ARM's words.
    let f = fake(&[], "Enabled");
    let url = fake_azure(f).await;
    let t = TestAgent::start(&config(&url, SP).replace(
        &format!("azure_port_id = \"{PORT_ID}\""),
        &format!(
            "azure_port_id = \"{}\"",
            PORT_ID.replace("erd-ams-1", "erd-nope")
        ),
    ))
    .await;
    let (_, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |_, v| v["failing"].to_string().contains("HTTP 404"),
        )
        .await;
    let failing = body["failing"].to_string();
    assert!(
        failing.contains("no such resource: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-er/providers/Microsoft.Network/expressRoutePorts/erd-nope (HTTP 404: ResourceNotFound: The Resource"),
        "{failing}"
    );
    assert!(!failing.contains("could not decode"), "{failing}");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_given_as_an_http_date_is_honoured() {
    let f = fake(&[Fault::Throttle], "Enabled");
    f.lock().unwrap().retry_after_date = Some(Duration::from_secs(2));
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
    // An HTTP-date has whole seconds: two seconds ahead is at least one second away.
    let waited = f.lock().unwrap().retried_after.unwrap();
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    t.stop().await;
}

/// Issue 30, 4: a secret with `"` or `\` that Azure echoes inside a JSON string comes
/// back escaped; that encoding is redacted too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_echoed_json_escaped_is_redacted_too() {
    const QUOTED: &str = "sp\"secret\\with/quote-9";
    std::env::set_var("LG_TEST_QUOTED_SECRET", QUOTED);
    let f = fake(&[], "Enabled");
    f.lock().unwrap().echo_secret_in_json = true;
    let url = fake_azure(f).await;
    let auth = "tenant_id = \"tenant-1\"\nclient_id = \"client-1\"\nclient_secret_env = \"LG_TEST_QUOTED_SECRET\"";
    let t = TestAgent::start(&config(&url, auth)).await;
    let (_, body) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |_, v| v["failing"].to_string().contains("AADSTS7000215"),
        )
        .await;
    let (_, workflow) = t.json("/api/v1/ports/erd-ams-1/workflow").await;
    for (what, text) in [
        ("port", body.to_string()),
        ("workflow", workflow.to_string()),
    ] {
        assert!(text.contains("AADSTS7000215"), "{what}: {text}");
        // JSON here escapes the redacted text again: look for any piece of the secret.
        assert!(
            !text.contains("secret\\\\\\\\with")
                && !text.contains("with/quote-9")
                && !text.contains("with\\\\/quote-9"),
            "{what}: {text}"
        );
    }
    t.stop().await;
}

/// Issue 28: `peering check --url --port` checks a plan against the port's
/// encapsulation as Azure gives it (the fake's port is Dot1Q, as Microsoft's example):
/// a plan may leave `port_encapsulation` out, and a plan that says otherwise fails
/// naming both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peering_plan_is_checked_against_the_ports_encapsulation_from_azure() {
    let f = fake(&[], "Enabled");
    let url = fake_azure(f.clone()).await;
    let t = TestAgent::start(&config(&url, SP)).await;
    let (_, p) = t
        .wait_for(
            "/api/v1/ports/erd-ams-1",
            Duration::from_secs(10),
            |_, v| v["azure_port"]["encapsulation"].is_string(),
        )
        .await;
    assert_eq!(p["azure_port"]["encapsulation"], "Dot1Q", "{p:#}");
    assert_eq!(p["azure_port"]["bandwidth_gbps"], 100, "{p:#}");
    assert_eq!(p["azure_port"]["peering_location"], "Amsterdam", "{p:#}");
    let (_, w) = t.json("/api/v1/ports/erd-ams-1/workflow").await;
    let port = step(&w, "ExpressRoute Direct port resource");
    assert!(
        port["evidence"]
            .to_string()
            .contains("100 Gbps, Dot1Q encapsulation, at Amsterdam"),
        "{port:#}"
    );
    let dir = tempfile::tempdir().unwrap();
    let plan = |encapsulation: &str| {
        let path = dir.path().join(format!("plan{}.toml", encapsulation.len()));
        std::fs::write(
            &path,
            format!("[circuit]\nname = \"ckt-ams-1\"\n{encapsulation}\n[[peering]]\ntype = \"private\"\nvlan = 100\npeer_asn = 65010\nsubnet = \"192.168.100.128/29\"\n"),
        )
        .unwrap();
        path.display().to_string()
    };
    let agent = t.url("");
    let check = |file: String| {
        let agent = agent.clone();
        async move {
            cli(&[
                "peering",
                "check",
                &file,
                "--url",
                &agent,
                "--port",
                "erd-ams-1",
            ])
            .await
        }
    };
    // Left out: taken from Azure.
    let out = check(plan("")).await;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{text}");
    // Said otherwise: an error naming both.
    let out = check(plan("port_encapsulation = \"QinQ\"")).await;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(65), "{text}");
    assert!(
        text.contains("port_encapsulation \"QinQ\", but Azure (through the agent's port erd-ams-1) says the port is \"Dot1Q\""),
        "{text}"
    );
    // Without an agent, a plan must say it.
    let out = cli(&["peering", "check", &plan("")]).await;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(65), "{text}");
    assert!(text.contains("port_encapsulation is missing"), "{text}");
    t.stop().await;
}
