"""An anymail backend for the embedded setup: each message is written to ``HARBOR_MAIL_DIR``.

It behaves like an ESP (message ids, per-recipient status, batch sends with merge data), so
the send path records ``anymail_status`` exactly as it does with a real ESP.
"""

import json
import uuid
from pathlib import Path

from anymail.backends.base import AnymailBaseBackend
from anymail.backends.test import TestPayload
from anymail.message import AnymailRecipientStatus
from django.conf import settings


class FileEmailBackend(AnymailBaseBackend):
    esp_name = "File"

    def build_message_payload(self, message, defaults):
        return TestPayload(backend=self, message=message, defaults=defaults)

    def post_to_esp(self, payload, message):
        folder = Path(settings.HARBOR_MAIL_DIR)
        folder.mkdir(parents=True, exist_ok=True)
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
