"""Who works in Harbor and what they may do: users, chapters, role grants, the audit log.

Staff power is held by the user as ``RoleGrant`` rows, never derived from a supporter's
chapter membership: a membership says who a supporter is, a grant says what a login may
see. Only a staff admin creates or removes grants (``accounts.services``), and every change
is written to the audit log.

``Chapter`` lives here, below ``supporters``, because a chapter leader's grant names its
chapter (docs/decisions/0002-chapter-in-accounts.md).
"""

from functools import cached_property

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harbor.models import TimestampedModel
from harbor.states import STATE_CHOICES


class Chapter(TimestampedModel):
    class Kind(models.TextChoices):
        NATIONAL = "national", _("National")
        STATE = "state", _("State")

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True)
    # Who the chapter's action alerts come from; blank: settings.ALERTS_FROM_NAME and
    # ALERTS_FROM_EMAIL (the address must be one the ESP lets Harbor send from).
    alert_from_name = models.CharField(max_length=100, blank=True)
    alert_from_email = models.EmailField(blank=True)
    alert_reply_to = models.EmailField(blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="national", state="") | ~models.Q(kind="national")
                )
                & (~models.Q(kind="state") | ~models.Q(state="")),
                name="chapter_state_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["state"],
                condition=models.Q(kind="state"),
                name="one_chapter_per_state",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    STAFF_ADMIN = "staff_admin", _("Staff admin")
    STAFF = "staff", _("Staff")
    CHAPTER_LEADER = "chapter_leader", _("Chapter leader")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # type: ignore[attr-defined]
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        """``createsuperuser``: a user holding the staff admin role."""
        user = self.create_user(email, password, **fields)
        RoleGrant.objects.create(user=user, role=Role.STAFF_ADMIN)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Email is the username. Staff access comes only from ``grants``."""

    email = models.EmailField(max_length=254, unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="user_email_lowercase"
            )
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # --- roles (one query per request, cached on the instance) -------------------------

    @cached_property
    def role_grants(self) -> list[tuple[str, int | None]]:
        if self.pk is None:
            return []
        return list(self.grants.values_list("role", "chapter_id"))

    def forget_roles(self) -> None:
        self.__dict__.pop("role_grants", None)

    @property
    def roles(self) -> set[str]:
        return {role for role, _chapter in self.role_grants}

    @property
    def is_staff_admin(self) -> bool:
        return self.is_active and Role.STAFF_ADMIN in self.roles

    @property
    def is_national_staff(self) -> bool:
        """Staff admins and staff: they see every chapter."""
        return self.is_active and bool(self.roles & {Role.STAFF_ADMIN, Role.STAFF})

    @property
    def led_chapter_ids(self) -> frozenset[int]:
        return frozenset(
            chapter
            for role, chapter in self.role_grants
            if role == Role.CHAPTER_LEADER and chapter is not None
        )

    @property
    def is_staff(self) -> bool:
        """Any role opens the staff pages and the admin (Django's admin reads this)."""
        return self.is_active and bool(self.role_grants)

    @property
    def is_superuser(self) -> bool:  # type: ignore[override]
        """Django's "every permission": only staff admins. (Replaces the field.)"""
        return self.is_staff_admin

    def has_perm(self, perm: str, obj=None) -> bool:
        """Permissions follow the role: a staff admin has all; staff all but account
        and role management; a chapter leader the chapter set in ``accounts.roles`` plus
        any a staff admin granted. No role, no staff permission. Which rows a permission
        reaches is the visibility selector's business, never the permission's."""
        from .roles import permission_allowed

        return permission_allowed(self, perm, super().has_perm)  # type: ignore[arg-type]

    def has_module_perms(self, app_label: str) -> bool:
        from .roles import module_allowed

        return module_allowed(self, app_label, super().has_module_perms)


class RoleGrant(models.Model):
    """One role held by one user; a chapter leader holds one grant per chapter."""

    # A grant means nothing without its user.
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    # Deleting a chapter removes its leaders' power over it.
    chapter = models.ForeignKey(
        Chapter,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="leader_grants",
    )
    granted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,  # the audit log keeps who granted it
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="chapter_leader", chapter__isnull=False)
                    | (
                        ~models.Q(role="chapter_leader")
                        & models.Q(chapter__isnull=True)
                    )
                ),
                name="grant_chapter_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "chapter"], name="one_grant_per_chapter"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(chapter__isnull=True),
                name="one_national_grant_per_role",
            ),
        ]

    def __str__(self) -> str:
        if self.chapter_id:
            return f"{self.get_role_display()} of {self.chapter}"
        return str(self.get_role_display())


class AuditEvent(models.Model):
    """An append-only record of one staff action or data change: who, what, which
    object, when, from which (hashed) address. Written only by
    ``accounts.services.record_audit``."""

    class Action(models.TextChoices):
        ROLE_GRANTED = "role.granted", _("Role granted")
        ROLE_REVOKED = "role.revoked", _("Role revoked")
        SUPPORTER_IMPORT = "supporters.import", _("Supporters imported")
        SUPPORTER_EXPORT = "supporters.export", _("Supporters exported")
        SUPPORTER_DATA_EXPORT = (
            "supporters.data_export",
            _("A supporter's data exported"),
        )
        SUPPORTER_ERASED = "supporters.erased", _("Supporter erased")
        SIGNATURE_EXPORT = "petitions.export", _("Signatures exported")
        DELIVERY_REQUESTED = "petitions.delivery", _("Delivery PDF requested")
        SIGN_ON_REVIEWED = (
            "petitions.sign_on_review",
            _("Organisation sign-ons reviewed"),
        )
        BILL_CHANGED = "legislators.bill", _("Bill changed")
        SAFE_HARBOR_CHANGED = "legislators.safe_harbor", _("Safe Harbor record changed")
        ALERT_CREATED = "alerts.created", _("Alert created")
        ALERT_CHANGED = "alerts.changed", _("Alert changed")
        ALERT_TEST_SENT = "alerts.test_sent", _("Alert test sent")
        ALERT_SEND_REQUESTED = "alerts.send", _("Alert send confirmed")
        ALERT_APPROVED = "alerts.approved", _("Alert approved")
        ALERT_PAUSED = "alerts.paused", _("Alert paused")
        ALERT_RESUMED = "alerts.resumed", _("Alert resumed")
        ALERT_CANCELLED = "alerts.cancelled", _("Alert cancelled")
        WEBHOOK_CREATED = "webhooks.created", _("Webhook endpoint created")
        WEBHOOK_CHANGED = "webhooks.changed", _("Webhook endpoint changed")
        WEBHOOK_SECRET_ROTATED = "webhooks.secret", _("Webhook secret rotated")
        WEBHOOK_RETRIED = "webhooks.retried", _("Webhook delivery retried")

        API_TOKEN_CREATED = "api.token_created", _("API token created")
        API_TOKEN_REVOKED = "api.token_revoked", _("API token revoked")

    class Via(models.TextChoices):
        STAFF = "staff", _("Staff")
        IMPORT = "import", _("Data import")
        SYSTEM = "system", _("System")

    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,  # the record outlives the login
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept so the record still says who it was after the login is deleted.
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.STAFF)
    object_type = models.CharField(max_length=60, blank=True)  # "legislators.bill"
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # {"field": [old, new]} for edits; counts and filters for exports. Never personal
    # data of supporters.
    changes = models.JSONField(default=dict, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_email or '-'} at {self.at:%Y-%m-%d %H:%M}"
