"""One real `edi refresh` blocked by a failing check alerts a local webhook and a local SMTP server
exactly once each, and no secret reaches the console or the logs."""

import email
import email.policy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.quality.contracts import load_contracts
from orchestration.settings import REPO_ROOT
from orchestration.synthetic import generate
from tests.integration.test_audit_trail import damage_codes
from tests.unit.test_alerts import (
    SMTP_PASSWORD,
    WEBHOOK_SECRET,
    Webhook,
    starttls_relay,
)


@pytest.mark.slow  # a whole `edi refresh` in its own process: the default suite keeps to 10 min
def test_a_blocked_refresh_alerts_the_webhook_and_the_mailbox_once(tmp_path):
    landing, warehouse, dagster_home = tmp_path / "landing", tmp_path / "warehouse", tmp_path / "dagster_home"
    generate(trusts=1, seed=11, out=landing)
    contract = load_contracts()["esr_assignment"]
    esr_file = next((landing / "esr_assignment").glob("*.csv"))
    damage_codes(esr_file, next(c for c in contract.columns if c.valid_values and c.required).source_name)
    dagster_home.mkdir()
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", dagster_home)

    smtp, mailbox, logins, cert_file = starttls_relay(tmp_path)
    webhook = Webhook()
    smtp.start()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("EDI_", "DAGSTER_HOME"))}
    environment.update({
        "EDI_LANDING_DIR": str(landing), "EDI_WAREHOUSE_DIR": str(warehouse), "DAGSTER_HOME": str(dagster_home),
        "EDI_REPORT_PDF": "false", "SSL_CERT_FILE": str(cert_file),  # the relay's certificate is trusted
        "EDI_ALERT_WEBHOOK_URL": webhook.url, "EDI_ALERT_SMTP_HOST": "127.0.0.1", "EDI_ALERT_SMTP_PORT": str(smtp.port),
        "EDI_ALERT_SMTP_FROM": "edi@trust.example.org", "EDI_ALERT_SMTP_TO": "platform@trust.example.org",
        "EDI_ALERT_SMTP_USER": "edi", "EDI_ALERT_SMTP_PASSWORD": SMTP_PASSWORD})
    try:  # the command a platform team schedules, in its own process, as it runs at night
        refresh = subprocess.run([str(Path(sys.executable).parent / "edi"), "refresh"], env=environment,
                                 capture_output=True, text=True, timeout=900)
    finally:
        smtp.stop()
        webhook.close()

    console = refresh.stdout + refresh.stderr
    assert refresh.returncode == 1, console[-4000:]
    [post] = webhook.posts
    [mail] = mailbox.messages
    text = post["json"]["text"]
    print(f"--- as received by the webhook ---\n{text}")
    run_id = next(line for line in text.splitlines() if line.startswith("Run: "))[5:].split(",")[0]
    assert text.startswith(f"EDI refresh blocked by checks: run {run_id[:8]}\n")
    assert f"Warehouse: {warehouse} (landing {landing})" in text
    assert "Failed checks: raw/esr_assignment: row_accounting\n" in text
    assert f"Files: esr_assignment/{esr_file.name}\n" in text
    assert "Error: raw__esr_assignment_row_accounting: " in text
    assert "Still published: nothing: no version has been published yet\n" in text
    assert text.endswith(f"More: EDI_WAREHOUSE_DIR={warehouse} edi status")
    assert logins == [("edi", SMTP_PASSWORD)] and mail.rcpt_tos == ["platform@trust.example.org"]
    message = email.message_from_bytes(mail.content, policy=email.policy.default)
    assert message["Subject"] == text.splitlines()[0] and message["To"] == "platform@trust.example.org"
    assert message.get_content().replace("\r\n", "\n") == "\n".join(text.splitlines()[1:]) + "\n"
    print(f"--- as received by the mailbox ---\n{mail.content.decode()}")

    assert run_id[:8] in console  # the console was captured
    assert WEBHOOK_SECRET not in console and "/services/" not in console and SMTP_PASSWORD not in console
    written = [p for root in (warehouse, dagster_home) for p in root.rglob("*") if p.is_file()]
    assert any(p.name == "runs.jsonl" for p in written)  # the run history and Dagster's event log
    assert not [p for p in written if WEBHOOK_SECRET.encode() in p.read_bytes() or SMTP_PASSWORD.encode() in p.read_bytes()]
