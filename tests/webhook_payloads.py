"""Real-shaped ESP webhook payloads (after anymail's own tests and the ESPs' docs), and
posting them through anymail's real webhook URLs with the real authentication."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

WEBHOOK_SECRET = "harbor:webhook-test-secret"
MAILGUN_KEY = "mailgun-test-signing-key"
RESEND_SECRET = "whsec_" + base64.b64encode(b"resend-test-signing-secret").decode()


def webhook_settings(settings) -> None:
    settings.ANYMAIL = {
        **settings.ANYMAIL,
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY,
        "RESEND_SIGNING_SECRET": RESEND_SECRET,
    }


def _auth() -> dict:
    return {
        "HTTP_AUTHORIZATION": "Basic "
        + base64.b64encode(WEBHOOK_SECRET.encode()).decode()
    }


def post(client, esp: str, payload, *, auth: bool = True, **extra):
    """POST ``payload`` to anymail's tracking URL for ``esp``, authenticated as the ESP
    would be (basic auth; Mailgun's HMAC signature and Resend's svix signature added
    here)."""
    headers = dict(_auth() if auth else {})
    if esp == "mailgun":
        payload = mailgun_signed(payload)
    body = json.dumps(payload)
    if esp == "resend":
        from svix.webhooks import Webhook

        msg_id = extra.pop("svix_id", "msg_test_1")
        now = datetime.now(tz=UTC)
        headers.update(
            HTTP_SVIX_ID=msg_id,
            HTTP_SVIX_TIMESTAMP=str(int(now.timestamp())),
            HTTP_SVIX_SIGNATURE=Webhook(RESEND_SECRET).sign(
                msg_id=msg_id, timestamp=now, data=body
            ),
        )
    return client.post(
        f"/anymail/{esp}/tracking/",
        data=body,
        content_type="application/json",
        **headers,
        **extra,
    )


def mailgun_signed(payload: dict) -> dict:
    token = "1234567890abcdef1234567890abcdef"
    timestamp = str(int(float(payload["event-data"].get("timestamp", 1534109600))))
    signature = hmac.new(
        MAILGUN_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return {
        **payload,
        "signature": {"token": token, "timestamp": timestamp, "signature": signature},
    }


# --- Postmark (one event per POST) ------------------------------------------------------


def postmark_bounce(email, message_id, *, kind="HardBounce", inactive=True):
    return {
        "RecordType": "Bounce",
        "ID": 901542550,
        "Type": kind,
        "TypeCode": 1 if kind == "HardBounce" else 4096,
        "ServerID": 23,
        "Name": "Hard bounce" if kind == "HardBounce" else "Soft bounce",
        "MessageID": message_id,
        "Description": "The server was unable to deliver your message"
        " (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach"
        " does not exist.",
        "Email": email,
        "From": "alerts@act.example.org",
        "BouncedAt": "2026-12-01T16:28:50.3963933-04:00",
        "DumpAvailable": True,
        "Inactive": inactive,
        "CanActivate": True,
        "Subject": "Call your senator today",
    }


def postmark_spam(email, message_id):
    return {
        "RecordType": "SpamComplaint",
        "ID": 901542551,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "Tag": "alert",
        "MessageID": message_id,
        "ServerID": 1234,
        "Description": "",
        "Details": "Test spam complaint details",
        "Email": email,
        "From": "alerts@act.example.org",
        "BouncedAt": "2026-12-01T16:28:50.3963933-04:00",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": False,
        "Subject": "Call your senator today",
    }


def postmark_delivery(email, message_id, metadata=None):
    return {
        "RecordType": "Delivery",
        "ServerId": 23,
        "MessageID": message_id,
        "Recipient": email,
        "Tag": "alert",
        "Metadata": metadata or {},
        "DeliveredAt": "2026-12-01T13:28:10.2735393-04:00",
        "Details": "smtp;250 2.0.0 OK",
    }


def postmark_open(email, message_id):
    return {
        "RecordType": "Open",
        "FirstOpen": True,
        "Client": {"Name": "Gmail", "Company": "Google", "Family": "Gmail"},
        "OS": {"Name": "unknown", "Company": "unknown", "Family": "unknown"},
        "Platform": "Unknown",
        "UserAgent": "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0",
        "ReadSeconds": 0,
        "Geo": {},
        "MessageID": message_id,
        "ReceivedAt": "2026-12-01T16:21:41.2493688-04:00",
        "Recipient": email,
    }


def postmark_click(email, message_id, link="https://act.example.org/petitions/x/"):
    return {
        "RecordType": "Click",
        "ClickLocation": "HTML",
        "Client": {"Name": "Chrome 35", "Company": "Google", "Family": "Chrome"},
        "OS": {"Name": "OS X 10.7 Lion", "Company": "Apple", "Family": "OS X 10"},
        "Platform": "Desktop",
        "UserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_5) etc.",
        "OriginalLink": link,
        "Geo": {"Country": "United States", "IP": "8.8.8.8"},
        "MessageID": message_id,
        "ReceivedAt": "2026-12-01T15:21:11.9065619Z",
        "Tag": "alert",
        "Recipient": email,
    }


def postmark_unsubscribe(email, message_id):
    return {
        "RecordType": "SubscriptionChange",
        "MessageID": message_id,
        "ServerID": 23,
        "MessageStream": "broadcast",
        "ChangedAt": "2026-12-01T16:12:35Z",
        "Recipient": email,
        "Origin": "Recipient",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "Tag": "alert",
        "Metadata": {},
    }


# --- SendGrid (a list of events per POST) -----------------------------------------------


def sendgrid_event(event, email, message_id, **fields):
    return {
        "email": email,
        "timestamp": 1764600000,
        "ip": "66.102.6.229",
        "sg_event_id": f"{event}-{email}-{message_id}",
        "sg_message_id": "wrfRRvF7Q0GgwUo2CvDmEA.filter0425p1mdw1.13037.57168B4A1D.0",
        "anymail_id": message_id,
        "useragent": "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0",
        "event": event,
        **fields,
    }


# --- Mailgun -------------------------------------------------------------------------


def mailgun_opened(email, message_id, *, bot="", variables=None):
    client_info = {
        "client-type": "browser",
        "client-os": "OS X",
        "device-type": "desktop",
        "client-name": "Chrome",
        "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6)...",
    }
    if bot:
        client_info["bot"] = bot
    return {
        "event-data": {
            "event": "opened",
            "timestamp": 1764600000.089676,
            "id": f"open-{email}-{bot}",
            "recipient": email,
            "tags": ["alert"],
            # What Harbor put in merge_metadata comes back here.
            "user-variables": variables or {},
            "message": {"headers": {"message-id": message_id}},
            "geolocation": {"country": "US", "region": "CA", "city": "San Francisco"},
            "ip": "203.0.113.5",
            "client-info": client_info,
        }
    }


def mailgun_failed(email, message_id, *, severity="permanent"):
    return {
        "event-data": {
            "event": "failed",
            "severity": severity,
            "reason": "bounce" if severity == "permanent" else "generic",
            "timestamp": 1764600000.5,
            "id": f"failed-{email}",
            "recipient": email,
            "tags": [],
            "user-variables": {},
            "message": {"headers": {"message-id": message_id}},
            "delivery-status": {
                "code": 550 if severity == "permanent" else 452,
                "message": "5.1.1 The email account that you tried to reach does "
                "not exist",
                "description": "",
            },
        }
    }


# --- Brevo, Resend ------------------------------------------------------------------------


def brevo_event(event, email, message_id):
    return {
        "event": event,
        "email": email,
        "id": 1,
        "date": "2026-12-01 00:00:00",
        "message-id": message_id,
        "subject": "Call your senator today",
        "tag": ["alert"],
        "sending_ip": "198.51.100.7",
        "s_epoch": 1764600000000,
        "ts_epoch": 1764600000000,
    }


def resend_event(kind, email, email_id, **data):
    return {
        "created_at": "2026-12-01T20:01:01.598Z",
        "data": {
            "created_at": "2026-12-01T20:00:59.339Z",
            "email_id": email_id,
            "from": "Harbor <alerts@act.example.org>",
            "subject": "Call your senator today",
            "to": [email],
            **data,
        },
        "type": kind,
    }
