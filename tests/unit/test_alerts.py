"""Alerts: settings, what a message says, and delivery to a local webhook and a local SMTP server."""

import datetime
import json
import logging
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from dagster import (
    AssetCheckResult,
    DagsterEventType,
    DagsterInstance,
    Definitions,
    asset,
    asset_check,
    build_run_status_sensor_context,
    define_asset_job,
)

from orchestration import alerts
from orchestration.alerts import (
    Alert,
    alert_run,
    failed_run_alert,
    run_outcome,
    send_alert,
    still_published,
)
from orchestration.publish.audit import content_version
from orchestration.publish.run_record import record_run
from orchestration.resources import Warehouse
from orchestration.quality.deliveries import Delivery, ensure_landed_file_table, record_landed
from orchestration.publish.sensors import RUN_HISTORY_SENSORS
from orchestration.settings import AlertSettings, SettingsError, load_settings

WEBHOOK_SECRET = "T0EDI/B0ALERT/s3cr3t-webhook-token"
SMTP_PASSWORD = "smtp-pa55word-never-logged"
ALERT = Alert("EDI refresh failed: run 1234abcd", ("Warehouse: /w", "More: edi status"))
ALERT_ENV = ("EDI_ALERT_WEBHOOK_URL", "EDI_ALERT_WEBHOOK_FORMAT", "EDI_ALERT_SMTP_HOST", "EDI_ALERT_SMTP_PORT",
             "EDI_ALERT_SMTP_FROM", "EDI_ALERT_SMTP_TO", "EDI_ALERT_SMTP_USER", "EDI_ALERT_SMTP_PASSWORD",
             "EDI_ALERT_SMTP_STARTTLS")


@pytest.fixture(autouse=True)
def no_alert_environment(monkeypatch):
    for name in ALERT_ENV:
        monkeypatch.delenv(name, raising=False)


# --- local servers ---------------------------------------------------------------------------------

class Webhook:
    """An HTTP server in a thread that records every POST and answers with `status`."""

    def __init__(self, status: int = 200, delay: float = 0.0):
        self.posts: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.posts.append({"path": self.path, "content_type": self.headers["Content-Type"],
                                    "json": json.loads(body)})
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.end_headers()
                    self.wfile.write(b"ok")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test): nothing to answer

            def log_message(self, *args):  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/{WEBHOOK_SECRET}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    server = Webhook()
    yield server
    server.close()


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


def smtp_settings(port: int, **overrides) -> AlertSettings:
    values = {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_from": "edi@trust.example.org",
              "smtp_to": ("platform@trust.example.org", "bi@trust.example.org"), "smtp_starttls": False}
    return AlertSettings(**{**values, **overrides})


# --- settings --------------------------------------------------------------------------------------

def test_with_no_alert_settings_nothing_is_configured():
    settings = load_settings().alerts
    assert settings.webhook_url == "" and settings.smtp_host == ""
    assert alerts.channels(settings) == []


def test_alert_settings_are_read_and_validated(monkeypatch):
    monkeypatch.setenv("EDI_ALERT_WEBHOOK_URL", f"https://hooks.slack.com/services/{WEBHOOK_SECRET}")
    monkeypatch.setenv("EDI_ALERT_SMTP_HOST", "smtp.trust.example.org")
    monkeypatch.setenv("EDI_ALERT_SMTP_FROM", "edi@trust.example.org")
    monkeypatch.setenv("EDI_ALERT_SMTP_TO", "a@trust.example.org, b@trust.example.org")
    monkeypatch.setenv("EDI_ALERT_SMTP_USER", "edi")
    monkeypatch.setenv("EDI_ALERT_SMTP_PASSWORD", SMTP_PASSWORD)
    settings = load_settings()
    assert settings.alerts.smtp_to == ("a@trust.example.org", "b@trust.example.org")
    assert settings.alerts.smtp_port == 587 and settings.alerts.smtp_starttls
    assert alerts.channels(settings.alerts) == ["webhook", "e-mail"]
    for shown in (repr(settings), repr(settings.alerts), str(settings.alerts)):
        assert SMTP_PASSWORD not in shown and WEBHOOK_SECRET not in shown

    def error(**env) -> str:
        with monkeypatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            with pytest.raises(SettingsError) as raised:
                load_settings()
        return str(raised.value)

    assert "EDI_ALERT_SMTP_STARTTLS=true" in error(EDI_ALERT_SMTP_STARTTLS="false")
    assert "EDI_ALERT_SMTP_PORT" in error(EDI_ALERT_SMTP_PORT="smtp")
    assert "'someone'" in error(EDI_ALERT_SMTP_TO="a@trust.example.org,someone")
    assert "EDI_ALERT_SMTP_TO" in error(EDI_ALERT_SMTP_TO=" ")
    assert "EDI_ALERT_WEBHOOK_FORMAT" in error(EDI_ALERT_WEBHOOK_FORMAT="teams")
    monkeypatch.delenv("EDI_ALERT_SMTP_USER")
    assert "set both or neither" in error()
    monkeypatch.delenv("EDI_ALERT_SMTP_HOST")
    assert "EDI_ALERT_SMTP_HOST is not" in error()


@pytest.mark.parametrize("url", [f"http://hooks.slack.com/services/{WEBHOOK_SECRET}",
                                 f"ftp://127.0.0.1/{WEBHOOK_SECRET}", f"/services/{WEBHOOK_SECRET}"])
def test_a_webhook_url_must_be_https_and_the_error_never_quotes_it(monkeypatch, url):
    monkeypatch.setenv("EDI_ALERT_WEBHOOK_URL", url)
    with pytest.raises(SettingsError, match="https://") as raised:
        load_settings()
    assert WEBHOOK_SECRET not in str(raised.value)


def test_plain_http_is_accepted_only_to_this_machine(monkeypatch):
    monkeypatch.setenv("EDI_ALERT_WEBHOOK_URL", f"http://127.0.0.1:8080/{WEBHOOK_SECRET}")
    assert load_settings().alerts.webhook_url.endswith(WEBHOOK_SECRET)


# --- what a run's alert says -----------------------------------------------------------------------

def record(status: str = "failed", checks=(), errors=(), selection=()) -> dict:
    return {"run_id": "1234abcd-0000-4000-8000-000000000000", "status": status,
            "finished_at": "2026-12-06T02:14:09+00:00", "checks": list(checks), "errors": list(errors),
            "parameters": {"landing_dir": "/data/landing", "warehouse_dir": "/data/warehouse",
                           "asset_selection": list(selection)}}


FAILED_ACCOUNTING = {"target": "raw/esr_assignment", "check_name": "row_accounting", "passed": False,
                     "severity": "ERROR", "observed": {"quarantine_ratio": 0.2},
                     "sample": [{"file": "esr_assignment/esr_assignment_RBL.csv", "n_rows": 812}]}
FAILED_WARNING = {**FAILED_ACCOUNTING, "check_name": "volume_vs_last_delivery", "severity": "WARN", "sample": None}
PASSED = {**FAILED_ACCOUNTING, "check_name": "contract_expectations", "passed": True, "sample": None}


def test_which_runs_are_alerted_and_as_what():
    assert run_outcome(record("published", [PASSED])) is None
    assert run_outcome(record("not published", selection=["raw/esr_assignment"])) is None  # a UI materialisation
    assert run_outcome(record("not published", selection=["published/warehouse", "raw/esr_assignment"])) \
        == "published nothing"
    assert run_outcome(record("failed", [PASSED, FAILED_ACCOUNTING])) == "blocked by checks"
    assert run_outcome(record("failed", [PASSED], errors=["dbt: boom"])) == "failed"
    assert run_outcome(record("canceled")) == "canceled"


def test_a_blocked_run_names_its_checks_files_errors_what_stays_published_and_what_to_run():
    long_error = "raw__esr_assignment_row_accounting: " + "x" * 500 + "\nsecond line"
    alert = failed_run_alert(record("failed", [PASSED, FAILED_ACCOUNTING, FAILED_WARNING],
                                    errors=[long_error, "raw__esr_assignment_row_accounting: dagster._core."
                                            "errors.DagsterAssetCheckFailedError: 1 blocking asset check "
                                            "failed with ERROR severity:\nraw/esr_assignment: row_accounting",
                                            "c: 3", "d: 4"]),
                             "blocked by checks", "version 5f2c9a01 (run 9e8d7c6b)")
    assert alert.subject == "EDI refresh blocked by checks: run 1234abcd"
    assert alert.lines == (
        "Warehouse: /data/warehouse (landing /data/landing)",
        "Run: 1234abcd-0000-4000-8000-000000000000, finished 2026-12-06 02:14 UTC",
        "Failed checks: raw/esr_assignment: row_accounting, raw/esr_assignment: volume_vs_last_delivery (warn)",
        "Files: esr_assignment/esr_assignment_RBL.csv",
        f"Error: raw__esr_assignment_row_accounting: {'x' * 163}…",
        "Error: raw__esr_assignment_row_accounting: 1 blocking asset check failed with ERROR severity",
        "Error: c: 3",
        "and 1 more errors",
        "Still published: version 5f2c9a01 (run 9e8d7c6b)",
        "More: EDI_WAREHOUSE_DIR=/data/warehouse edi status",
    )
    assert "{" not in alert.text  # names, never raw JSON


def test_what_stays_published_is_read_from_the_published_warehouse(tmp_path):
    assert still_published(tmp_path) == "nothing: no version has been published yet"
    hashes = [("marts", "fct_edi_measure", 10, "abc123")]
    with duckdb.connect(str(tmp_path / "edi.duckdb")) as con:
        con.execute("create schema audit")
        con.execute("create table audit.refresh_run (run_id varchar, finished_at timestamp, status varchar)")
        con.execute("insert into audit.refresh_run values ('9e8d7c6b-run', '2026-12-05 02:20:00', 'published')")
        con.execute("create table audit.table_hash (run_id varchar, schema_name varchar, table_name varchar, "
                    "row_count bigint, content_hash varchar)")
        con.execute("insert into audit.table_hash values ('9e8d7c6b-run', ?, ?, ?, ?)", list(hashes[0]))
    assert still_published(tmp_path) == \
        f"version {content_version(hashes)} (run 9e8d7c6b-run, published 2026-12-05 02:20 UTC)"


def published_with_an_old_delivery(warehouse: Path, delivered: datetime.datetime) -> None:
    """A published warehouse whose only landed file, RBL's ESR extract, was delivered `delivered`."""
    warehouse.mkdir()
    with duckdb.connect(str(warehouse / "edi.duckdb")) as con:
        ensure_landed_file_table(con)
        delivery = Delivery(warehouse / "esr_assignment_RBL.csv", "esr_assignment/esr_assignment_RBL.csv", "0" * 64,
                            10, int(delivered.timestamp() * 1e9))
        record_landed(con, "esr_assignment", [(delivery, 5, 5, 0)], [], "run-1", delivered.replace(tzinfo=None),
                      {delivery.label: "RBL"})


def test_a_published_run_alerts_the_late_sources_once_and_a_failed_run_only_its_failure(webhook, tmp_path):
    warehouse = tmp_path / "warehouse"
    published_with_an_old_delivery(warehouse, datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=5))
    settings = AlertSettings(webhook_url=webhook.url)
    run = record("published", [PASSED])
    run["parameters"]["warehouse_dir"] = str(warehouse)
    assert alert_run(run, settings) == ["webhook"]
    [stale] = webhook.posts
    lines = stale["json"]["text"].splitlines()
    assert lines[0] == "EDI sources late: 1"
    assert lines[1].startswith("esr_assignment from trust RBL: newest file esr_assignment/esr_assignment_RBL.csv delivered ")
    assert lines[2] == f"More: EDI_WAREHOUSE_DIR={warehouse} edi status"
    failed = {**run, "status": "failed", "checks": [FAILED_ACCOUNTING]}
    alert_run(failed, settings)  # the failure's alert already lists the late source's failed check
    assert len(webhook.posts) == 2 and webhook.posts[1]["json"]["text"].startswith("EDI refresh blocked by checks")


def test_a_published_run_with_every_source_on_time_sends_nothing(webhook, tmp_path):
    warehouse = tmp_path / "warehouse"
    published_with_an_old_delivery(warehouse, datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=3))
    run = record("published", [PASSED])
    run["parameters"]["warehouse_dir"] = str(warehouse)
    assert alert_run(run, AlertSettings(webhook_url=webhook.url)) == [] and webhook.posts == []


# --- delivery ---------------------------------------------------------------------------------------

def test_the_webhook_gets_one_json_post_with_a_top_level_text(webhook):
    assert send_alert(ALERT, AlertSettings(webhook_url=webhook.url)) == ["webhook"]
    [post] = webhook.posts
    assert post["path"] == f"/services/{WEBHOOK_SECRET}" and post["content_type"] == "application/json"
    assert post["json"] == {"text": "EDI refresh failed: run 1234abcd\nWarehouse: /w\nMore: edi status"}


def test_the_teams_workflow_format_posts_an_adaptive_card(webhook):
    send_alert(ALERT, AlertSettings(webhook_url=webhook.url, webhook_format="teams-workflow"))
    [post] = webhook.posts
    assert post["json"]["type"] == "message"
    [attachment] = post["json"]["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert [block["text"] for block in card["body"]] == [ALERT.subject, *ALERT.lines]


def test_an_email_goes_to_every_recipient(smtp_server):
    controller, mailbox = smtp_server
    assert send_alert(ALERT, smtp_settings(controller.port)) == ["e-mail"]
    [envelope] = mailbox.messages
    assert envelope.mail_from == "edi@trust.example.org"
    assert envelope.rcpt_tos == ["platform@trust.example.org", "bi@trust.example.org"]
    content = envelope.content.decode()
    assert "Subject: EDI refresh failed: run 1234abcd" in content
    assert "Warehouse: /w\nMore: edi status" in content.replace("\r\n", "\n")


def self_signed_certificate(tmp_path):
    """A certificate for 127.0.0.1 that the test then trusts (through SSL_CERT_FILE)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def starttls_relay(tmp_path):
    """A local SMTP relay that requires STARTTLS and a login, with a self-signed certificate: the
    relay, its mailbox, the logins it accepted, and the certificate file a client must trust."""
    cert_file, key_file = self_signed_certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_file, key_file)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), tls_context=server_tls,
                            require_starttls=True, authenticator=authenticator, auth_require_tls=True)
    return controller, mailbox, logins, cert_file


def test_with_starttls_the_login_and_the_mail_go_over_tls(tmp_path, monkeypatch):
    controller, mailbox, logins, cert_file = starttls_relay(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # what ssl.create_default_context() trusts
    controller.start()
    try:
        delivered = send_alert(ALERT, smtp_settings(controller.port, smtp_starttls=True, smtp_user="edi",
                                                    smtp_password=SMTP_PASSWORD))
    finally:
        controller.stop()
    assert delivered == ["e-mail"]
    assert logins == [("edi", SMTP_PASSWORD)] and len(mailbox.messages) == 1


def test_starttls_refused_by_the_server_sends_nothing_in_clear(smtp_server, caplog):
    controller, mailbox = smtp_server  # this server offers no STARTTLS
    settings = smtp_settings(controller.port, smtp_starttls=True, smtp_user="edi", smtp_password=SMTP_PASSWORD)
    with caplog.at_level(logging.WARNING, logger="orchestration.alerts"):
        assert send_alert(ALERT, settings) == []
    assert mailbox.messages == []
    assert "not e-mailed via 127.0.0.1" in caplog.text and "STARTTLS" in caplog.text
    assert SMTP_PASSWORD not in caplog.text


def test_a_webhook_that_is_down_is_logged_without_its_secret_and_the_mail_still_goes(smtp_server, caplog):
    controller, mailbox = smtp_server
    port = free_port()  # nothing listens there
    settings = smtp_settings(controller.port, webhook_url=f"http://127.0.0.1:{port}/services/{WEBHOOK_SECRET}")
    with caplog.at_level(logging.WARNING, logger="orchestration.alerts"):
        assert send_alert(ALERT, settings) == ["e-mail"]
    assert f"not delivered to the webhook http://127.0.0.1:{port}/…" in caplog.text
    assert "services" not in caplog.text and WEBHOOK_SECRET not in caplog.text
    assert len(mailbox.messages) == 1


def test_a_webhook_that_answers_an_error_or_hangs_is_given_up(monkeypatch, caplog):
    monkeypatch.setattr(alerts, "DELIVERY_TIMEOUT_SECONDS", 0.5)
    failing, hanging = Webhook(status=500), Webhook(delay=3)
    try:
        with caplog.at_level(logging.WARNING, logger="orchestration.alerts"):
            assert send_alert(ALERT, AlertSettings(webhook_url=failing.url)) == []
            started = time.monotonic()
            assert send_alert(ALERT, AlertSettings(webhook_url=hanging.url)) == []
            assert time.monotonic() - started < 2.5
    finally:
        failing.close()
        hanging.close()
    assert "HTTP Error 500" in caplog.text and "timed out" in caplog.text
    assert WEBHOOK_SECRET not in caplog.text


# --- where it fires: once per run, from the CLI's record_run and from the daemon's sensor -----------

@asset
def landed() -> None:
    pass


@asset_check(asset=landed, blocking=True)
def codes_known() -> AssetCheckResult:
    return AssetCheckResult(passed=False, metadata={"unknown_codes": 3})


@asset(deps=[landed])
def published_stand_in() -> None:
    pass


def test_a_daemon_run_is_alerted_once_though_both_the_sensor_and_the_cli_record_it(tmp_path, monkeypatch, webhook):
    monkeypatch.setenv("EDI_WAREHOUSE_DIR", str(tmp_path))
    monkeypatch.setenv("EDI_ALERT_WEBHOOK_URL", webhook.url)
    job = Definitions(assets=[landed, published_stand_in], asset_checks=[codes_known],
                      jobs=[define_asset_job("tiny")]).resolve_job_def("tiny")
    instance = DagsterInstance.ephemeral()
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
    sensor = next(s for s in RUN_HISTORY_SENSORS if s.name == "record_failed_run_in_history")
    warehouse = Warehouse(landing_dir=str(tmp_path / "landing"), warehouse_dir=str(tmp_path))
    sensor(build_run_status_sensor_context(sensor_name=sensor.name, dagster_event=failure,
                                           dagster_instance=instance,
                                           dagster_run=instance.get_run_by_id(result.run_id),
                                           resources={"warehouse": warehouse}))
    record_run(instance, result.run_id, warehouse)  # the same run recorded again, as `edi refresh` would

    [post] = webhook.posts
    text = post["json"]["text"]
    assert text.startswith(f"EDI refresh blocked by checks: run {result.run_id[:8]}\n")
    assert "Failed checks: landed: codes_known" in text
    assert "Still published: nothing: no version has been published yet" in text


def test_a_published_run_sends_nothing(tmp_path, webhook):
    settings = AlertSettings(webhook_url=webhook.url)
    assert alert_run({**record("published", [PASSED]), "parameters": {
        "landing_dir": str(tmp_path), "warehouse_dir": str(tmp_path), "asset_selection": []}}, settings) == []
    assert webhook.posts == []


def test_an_error_quoting_only_the_webhook_path_is_logged_without_it(caplog):
    url = f"https://127.0.0.1:9/services/{WEBHOOK_SECRET} pasted with a space"  # http.client quotes the path
    with caplog.at_level(logging.WARNING, logger="orchestration.alerts"):
        assert send_alert(ALERT, AlertSettings(webhook_url=url)) == []
    assert "not delivered to the webhook https://127.0.0.1:9/…: URL can't contain control characters" in caplog.text
    assert WEBHOOK_SECRET not in caplog.text


def test_a_published_file_without_a_published_run_still_lets_the_alert_go(tmp_path):
    with duckdb.connect(str(tmp_path / "edi.duckdb")) as con:
        con.execute("create schema audit")
        con.execute("create table audit.refresh_run (run_id varchar, finished_at timestamp, status varchar)")
    assert still_published(tmp_path) == "could not read the published warehouse (TypeError)"
