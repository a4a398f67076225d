"""Tell people when a run did not publish or a source is late: a chat webhook and/or an e-mail.

A run is alerted from `record_run`, which every finished run passes through (the `edi refresh`
command and the run-status sensors of daemon runs alike); the run history records each run once,
and only the call that added the record sends its alert, so a run is alerted exactly once.

An alert that cannot be delivered is logged as a warning and nothing more: it never fails or holds
up the run (each delivery gives up after DELIVERY_TIMEOUT_SECONDS). The webhook URL is a
credential, so logs show only its scheme and host; the SMTP password is never logged.

Webhook payloads (EDI_ALERT_WEBHOOK_FORMAT):
- "text": {"text": "..."}, what Slack incoming webhooks and Teams' Office 365 "Incoming Webhook"
  connector accept (also Mattermost and Google Chat);
- "teams-workflow": a message with one Adaptive Card attachment, what the Teams Workflows template
  "Post to a channel when a webhook request is received" requires (it rejects a bare "text").
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import smtplib
import ssl
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from orchestration.publish.files import published_path
from orchestration.publish.inspect import published
from orchestration.quality.freshness import LateSource, late_sources
from orchestration.settings import AlertSettings

log = logging.getLogger(__name__)

DELIVERY_TIMEOUT_SECONDS = 10.0
PUBLISHED_ASSET = "published/warehouse"
MAX_LISTED = 10  # checks, files or errors named in one alert; the rest are counted
MAX_ERROR_CHARS = 200
# "step: package.module.SomeError: message" as run_record writes errors
EXCEPTION_CLASS = re.compile(r"^(?P<step>[\w.]+): (?:\w+\.)*\w+(?:Error|Exception): ")


@dataclass(frozen=True)
class Alert:
    subject: str
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join((self.subject, *self.lines))


# --- what a run's alert says ---------------------------------------------------------------------

def run_outcome(record: dict) -> str | None:
    """Why this run deserves an alert, or None when it published (or was never meant to)."""
    status = record["status"]
    if status == "published":
        return None
    if status == "not published":  # succeeded without publishing: only wrong if publishing was selected
        selection = record["parameters"].get("asset_selection") or []
        return "published nothing" if not selection or PUBLISHED_ASSET in selection else None
    if status == "failed" and any(not c["passed"] for c in record["checks"]):
        return "blocked by checks"
    return status


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def _failed_check_names(record: dict) -> list[str]:
    return [f"{c['target']}: {c['check_name']}" + ("" if c["severity"] == "ERROR" else f" ({c['severity'].lower()})")
            for c in record["checks"] if not c["passed"]]


def _files_named_by_checks(record: dict) -> list[str]:
    """The landed files the failed checks' samples point at: they name the trust and the source."""
    files = {row["file"] for c in record["checks"] if not c["passed"]
             for row in c.get("sample") or [] if isinstance(row, dict) and row.get("file")}
    return sorted(files)


def _short_error(error: str) -> str:
    """The first line only (later lines may quote data), without the exception's dotted class name."""
    first = error.strip().splitlines()[0].rstrip(":") if error.strip() else error
    first = EXCEPTION_CLASS.sub(r"\g<step>: ", first, count=1)
    return first if len(first) <= MAX_ERROR_CHARS else first[:MAX_ERROR_CHARS - 1] + "…"


def still_published(warehouse_dir: Path) -> str:
    """What readers keep seeing after a run that did not publish: the last good version."""
    try:
        now = published(warehouse_dir)
    except (duckdb.Error, TypeError) as error:  # unreadable, or no published run in it: still alert
        return f"could not read the published warehouse ({error.__class__.__name__})"
    if now is None:
        return "nothing: no version has been published yet"
    when = f", published {now.published_at:%Y-%m-%d %H:%M} UTC" if now.published_at else ""
    return f"version {now.version} (run {now.run_id}{when})"


def failed_run_alert(record: dict, outcome: str, published_now: str) -> Alert:
    parameters = record["parameters"]
    warehouse_dir = parameters["warehouse_dir"]
    lines = [f"Warehouse: {warehouse_dir} (landing {parameters['landing_dir']})",
             f"Run: {record['run_id']}, finished {(record.get('finished_at') or '?')[:16].replace('T', ' ')} UTC"]
    checks = _failed_check_names(record)
    if checks:
        lines.append(f"Failed checks: {_listed(checks)}")
    files = _files_named_by_checks(record)
    if files:
        lines.append(f"Files: {_listed(files)}")
    errors = [_short_error(e) for e in record["errors"]]
    for error in errors[:3]:
        lines.append(f"Error: {error}")
    if len(errors) > 3:
        lines.append(f"and {len(errors) - 3} more errors")
    lines.append(f"Still published: {published_now}")
    lines.append(f"More: EDI_WAREHOUSE_DIR={warehouse_dir} edi status")
    return Alert(f"EDI refresh {outcome}: run {record['run_id'][:8]}", tuple(lines))


def stale_sources_alert(stale: list[LateSource], warehouse_dir: str) -> Alert:
    lines = [str(late) for late in stale[:MAX_LISTED]]
    if len(stale) > MAX_LISTED:
        lines.append(f"and {len(stale) - MAX_LISTED} more")
    lines.append(f"More: EDI_WAREHOUSE_DIR={warehouse_dir} edi status")
    return Alert(f"EDI sources late: {len(stale)}", tuple(lines))


# --- sending --------------------------------------------------------------------------------------

def alert_run(record: dict, settings: AlertSettings) -> list[str]:
    """One alert per finished run at most: if it did not publish, why (its failed checks include a late
    source's freshness check); if it published, the sources late now, if any. Returns the channels
    it reached."""
    if not channels(settings):
        return []
    warehouse_dir = record["parameters"]["warehouse_dir"]
    outcome = run_outcome(record)
    if outcome is None:
        if record["status"] != "published":  # e.g. one asset materialised from the UI
            return []
        return alert_stale_sources(late_sources(published_path(Path(warehouse_dir))), warehouse_dir, settings)
    return send_alert(failed_run_alert(record, outcome, still_published(Path(warehouse_dir))), settings)


def alert_stale_sources(stale: list[LateSource], warehouse_dir: str, settings: AlertSettings) -> list[str]:
    return send_alert(stale_sources_alert(stale, warehouse_dir), settings) if stale else []


def channels(settings: AlertSettings) -> list[str]:
    return [name for name, on in (("webhook", settings.webhook_url), ("e-mail", settings.smtp_host)) if on]


def send_alert(alert: Alert, settings: AlertSettings) -> list[str]:
    """Deliver on every configured channel; a channel that fails is logged and skipped."""
    delivered = []
    if settings.webhook_url:
        try:
            post_webhook(alert, settings)
            delivered.append("webhook")
        except (OSError, http.client.HTTPException) as error:  # URLError, HTTPError, timeouts: OSErrors
            log.warning("alert %r not delivered to the webhook %s: %s", alert.subject,
                        redacted(settings.webhook_url), _without_webhook_secret(str(error), settings.webhook_url))
    if settings.smtp_host:
        try:
            send_email(alert, settings)
            delivered.append("e-mail")
        except (OSError, smtplib.SMTPException) as error:
            log.warning("alert %r not e-mailed via %s:%s: %s", alert.subject, settings.smtp_host,
                        settings.smtp_port, _without(str(error), settings.smtp_password))
    return delivered


def redacted(url: str) -> str:
    """Scheme and host only: the path and query of a webhook URL are its secret."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"


def _without(message: str, secret: str) -> str:
    return message.replace(secret, "…") if secret else message


def _without_webhook_secret(message: str, url: str) -> str:
    """An error may quote the URL or only its path: remove both."""
    path = urlsplit(url).path
    return _without(_without(message, url), path if len(path) > 1 else "")


def webhook_payload(alert: Alert, webhook_format: str) -> dict:
    if webhook_format == "text":
        return {"text": alert.text}
    card = {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.4",
            "body": [{"type": "TextBlock", "text": alert.subject, "weight": "Bolder", "wrap": True},
                     *({"type": "TextBlock", "text": line, "wrap": True, "spacing": "None"} for line in alert.lines)]}
    return {"type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]}


def post_webhook(alert: Alert, settings: AlertSettings) -> None:
    body = json.dumps(webhook_payload(alert, settings.webhook_format)).encode()
    request = urllib.request.Request(settings.webhook_url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_SECONDS) as response:
        response.read()  # urlopen raises HTTPError on a 4xx/5xx answer


def send_email(alert: Alert, settings: AlertSettings) -> None:
    message = EmailMessage()
    message["Subject"] = alert.subject
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(settings.smtp_to)
    message.set_content("\n".join(alert.lines) + "\n")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=DELIVERY_TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:  # raises if the server cannot: nothing then goes out unencrypted
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)
