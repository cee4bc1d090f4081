"""What each role may do (permissions) — which rows it reaches is ``accounts.selectors``.

Permissions are named as strings ("app_label.codename") so that this module imports no app
above ``accounts``.
"""

from collections.abc import Callable

from .models import Role

# Apps whose objects are logins, roles and permissions: a staff admin's alone.
ACCOUNT_APPS = frozenset({"accounts", "auth"})

# What a chapter leader may do without further grants: work with the supporters, petitions
# and (later) alerts of their own chapters. The rows are always those of their chapters.
CHAPTER_LEADER_PERMISSIONS = frozenset(
    {
        "supporters.view_supporter",
        "supporters.change_supporter",
        "supporters.add_supporter",
        "supporters.view_chaptermembership",
        "supporters.add_chaptermembership",
        "supporters.change_chaptermembership",
        "supporters.delete_chaptermembership",
        "supporters.view_consentevent",
        "supporters.view_tag",
        "supporters.add_supporterimport",
        "supporters.view_supporterimport",
        "supporters.view_subscription",
        "campaigns.view_campaign",
        "petitions.view_petition",
        "petitions.view_signature",
        "petitions.view_deliveryreport",
        "petitions.add_deliveryreport",
        "alerts.view_alert",
        "alerts.add_alert",
        "alerts.change_alert",
    }
)


def permission_allowed(user, perm: str, granted: Callable[[str, object], bool]) -> bool:
    """``user.has_perm(perm)`` by role. ``granted`` is Django's own check of explicit
    user and group permissions, consulted only for chapter leaders."""
    if not user.is_active:
        return False
    roles = user.roles
    if Role.STAFF_ADMIN in roles:
        return True
    app_label = perm.split(".", 1)[0]
    if Role.STAFF in roles:
        return app_label not in ACCOUNT_APPS
    if Role.CHAPTER_LEADER in roles:
        if app_label in ACCOUNT_APPS:
            return False
        return perm in CHAPTER_LEADER_PERMISSIONS or granted(perm, None)
    return False


def module_allowed(user, app_label: str, granted: Callable[[str], bool]) -> bool:
    if not user.is_active:
        return False
    roles = user.roles
    if Role.STAFF_ADMIN in roles:
        return True
    if app_label in ACCOUNT_APPS:
        return False
    if Role.STAFF in roles:
        return True
    if Role.CHAPTER_LEADER in roles:
        return any(
            p.startswith(f"{app_label}.") for p in CHAPTER_LEADER_PERMISSIONS
        ) or (granted(app_label))
    return False
