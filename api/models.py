"""API tokens: who may call the OSDI API, and what they see there.

A token is a random secret shown once, when it is made; only its SHA-256 is stored (the
secret has 256 bits of entropy, so an unkeyed hash suffices and survives a change of
``SECRET_KEY``). A token acts as its owner with the owner's role narrowed to the token's
scope: national (the owner's role as it is now) or one chapter (as if the owner led only
that chapter). The owner losing the role takes the token's power with it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    name = models.CharField(_("name"), max_length=100)
    # A token is its owner's power lent to another system: it goes with the login.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    # Null: national scope. Deleting a chapter ends its tokens' reach with it.
    chapter = models.ForeignKey(
        "accounts.Chapter",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
    )
    # The first characters of the secret, shown on the staff page to tell tokens apart.
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # the audit log keeps who made it
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_national(self) -> bool:
        return self.chapter_id is None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
