"""An anymail backend for the embedded setup: each message is written to ``HARBOR_MAIL_DIR``.

It behaves like an ESP (message ids, per-recipient status, batch sends with merge data), so
the send path records ``anymail_status`` exactly as it does with a real ESP.
"""

import json
import uuid
from pathlib import Path

from anymail.backends import postmark, resend
from anymail.backends.base import AnymailBaseBackend
from anymail.backends.test import TestPayload
from anymail.message import AnymailRecipientStatus
from django.conf import settings
from django.core.mail import EmailMultiAlternatives


class FileEmailBackend(AnymailBaseBackend):
    esp_name = "File"
    supports_merge_content = True
    idempotency = ""

    def build_message_payload(self, message, defaults):
        return TestPayload(backend=self, message=message, defaults=defaults)

    def post_to_esp(self, payload, message):
        folder = Path(settings.HARBOR_MAIL_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        extra = getattr(message, "esp_extra", None)
        content = extra.get("merge_content") if isinstance(extra, dict) else None
        if content:
            return self._write_each(folder, message, content, payload)
        message_id = uuid.uuid4().hex
        (folder / f"{message_id}.eml").write_bytes(message.message().as_bytes())
        params = payload.get_params()
        meta = {
            key: params.get(key)
            for key in ("merge_data", "merge_metadata", "merge_headers", "tags")
        }
        (folder / f"{message_id}.json").write_text(json.dumps(meta, default=str))
        status = AnymailRecipientStatus(message_id=message_id, status="sent")
        return dict.fromkeys(payload.recipient_emails, status)

    def parse_recipient_status(self, response, payload, message):
        return response

    def _write_each(self, folder, message, content, payload):
        """A batch with per-recipient content: one file per recipient, as the ESP would
        deliver it (its own subject, bodies and headers)."""
        statuses = {}
        merge_headers = getattr(message, "merge_headers", None) or {}
        for address in payload.recipient_emails:
            own = content[address]
            single = EmailMultiAlternatives(
                subject=own["subject"],
                body=own["text"],
                from_email=message.from_email,
                to=[address],
                reply_to=message.reply_to,
                headers={**message.extra_headers, **merge_headers.get(address, {})},
            )
            single.attach_alternative(own["html"], "text/html")
            message_id = uuid.uuid4().hex
            (folder / f"{message_id}.eml").write_bytes(single.message().as_bytes())
            statuses[address] = AnymailRecipientStatus(
                message_id=message_id, status="sent"
            )
        return statuses


# --- anymail's real backends, plus what one alert chunk needs and anymail lacks ---------
#
# ``harbor.mail.send_personal_batch`` sends one batch call in which every recipient has
# their own rendered subject, text and HTML, and (where the ESP honours one) one
# idempotency key for the call. anymail's Resend and Postmark backends already send a
# batch as one call (``/emails/batch``, ``/email/batch``), one message per recipient; they
# only copy the same content into each. These subclasses take two extra ``esp_extra``
# keys, ``merge_content`` ({addr_spec: {"subject", "text", "html"}}) and
# ``idempotency_key``, and change nothing else of anymail's payload or status parsing.


def _pop_harbor_extra(extra: dict) -> tuple[dict, dict, str]:
    extra = dict(extra)
    content = extra.pop("merge_content", None) or {}
    key = extra.pop("idempotency_key", None) or ""
    return extra, content, key


class ResendBatchPayload(resend.ResendPayload):
    merge_content: dict = {}

    def set_esp_extra(self, extra):
        extra, self.merge_content, key = _pop_harbor_extra(extra)
        if key:
            # Resend keeps it 24 hours: the same key returns the first response and
            # sends nothing new (https://resend.com/docs/dashboard/emails/idempotency-keys).
            self.headers["Idempotency-Key"] = key
        if extra:
            super().set_esp_extra(extra)

    def serialize_json(self, data):
        # ResendPayload.serialize_data bursts the batch into one dict per recipient, in
        # to_recipients order, and serializes that list here: give each its own content.
        if isinstance(data, list) and self.merge_content:
            for item, to in zip(data, self.to_recipients, strict=True):
                own = self.merge_content.get(to.addr_spec)
                if own:
                    item["subject"] = own["subject"]
                    item["text"] = own["text"]
                    item["html"] = own["html"]
        return super().serialize_json(data)


class ResendBatchBackend(resend.EmailBackend):
    """anymail's Resend backend; a batch may carry per-recipient content and a key."""

    supports_merge_content = True
    idempotency = "Idempotency-Key header, 24 hours"

    def build_message_payload(self, message, defaults):
        return ResendBatchPayload(message, defaults, self)


class PostmarkBatchPayload(postmark.PostmarkPayload):
    merge_content: dict = {}

    def set_esp_extra(self, extra):
        # Postmark has no idempotency key: the key is dropped (see the README).
        extra, self.merge_content, _key = _pop_harbor_extra(extra)
        if extra:
            super().set_esp_extra(extra)

    def data_for_recipient(self, to):
        data = super().data_for_recipient(to)
        own = self.merge_content.get(to.addr_spec)
        if own:
            data["Subject"] = own["subject"]
            data["TextBody"] = own["text"]
            data["HtmlBody"] = own["html"]
        return data


class PostmarkBatchBackend(postmark.EmailBackend):
    """anymail's Postmark backend (``/email/batch``) with per-recipient content."""

    supports_merge_content = True
    idempotency = ""

    def build_message_payload(self, message, defaults):
        return PostmarkBatchPayload(message, defaults, self)
