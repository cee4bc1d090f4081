"""New records, announced once and after they commit: the one place other apps learn that
supporters, signatures, outreaches (any ``campaigns.Attribution``) were created.

Two ways in, one way out:

- a model whose rows are created one by one through the ORM is bridged with
  ``announce_saves(model)`` (connected in its app's ``ready()``): its ``post_save`` with
  ``created`` announces that row;
- a path that writes rows in bulk (``bulk_create``, ``INSERT ... SELECT``: an import, the
  signature intake drain) calls ``announce_created(model, pks)`` itself in its transaction.

Either way ``records_created`` is sent after the transaction commits (nothing is announced
for a rollback), with ``sender`` the model class and ``pks`` a list of primary keys.
Receivers (the alerts' action credit, the outgoing webhooks) are registered upward in their
apps' ``ready()``, so the apps that create rows import none of them. A receiver that raises
is logged and does not stop the others; the rows are committed already.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import models, transaction
from django.db.models.signals import post_save
from django.dispatch import Signal

log = logging.getLogger(__name__)

# sender: the model class; pks: list of the new rows' primary keys.
records_created = Signal()


def announce_created(model: type[models.Model], pks: Iterable[int]) -> None:
    """After the current transaction commits, tell ``records_created``'s receivers that
    ``model`` rows ``pks`` were created. Outside a transaction it is sent at once."""
    pks = list(pks)
    if not pks:
        return

    def send() -> None:
        for receiver, result in records_created.send_robust(sender=model, pks=pks):
            if isinstance(result, Exception):
                log.error(
                    "records_created receiver %r failed for %s",
                    receiver,
                    model._meta.label,
                    exc_info=result,
                )

    transaction.on_commit(send)


def _on_post_save(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        announce_created(sender, [instance.pk])


def announce_saves(model: type[models.Model]) -> None:
    """Bridge ``model``'s one-by-one ORM creations to ``records_created``."""
    post_save.connect(
        _on_post_save, sender=model, dispatch_uid=f"harbor.events.{model._meta.label}"
    )
