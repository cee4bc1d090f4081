"""Logins with roles, made the way a staff admin would grant them (straight rows: the
roles service has its own tests)."""

from accounts.models import Role, RoleGrant, User

PASSWORD = "correct horse battery staple"


def make_user(
    email: str = "someone@example.org",
    *,
    role: str | None = None,
    chapters=(),
    password: str = PASSWORD,
) -> User:
    """A login; with ``role`` a grant of it (one per chapter for a chapter leader)."""
    user = User.objects.create_user(email=email, password=password)
    if role == Role.CHAPTER_LEADER:
        for chapter in chapters:
            RoleGrant.objects.create(user=user, role=role, chapter=chapter)
    elif role:
        RoleGrant.objects.create(user=user, role=role)
    return user


def make_leader(*chapters, email: str = "leader@example.org") -> User:
    return make_user(email, role=Role.CHAPTER_LEADER, chapters=chapters)


def make_leader_of_nothing(email: str = "leader@example.org") -> User:
    """A chapter leader whose only chapter has no members: a staff login that sees no
    supporter."""
    from accounts.models import Chapter

    empty = Chapter.objects.create(
        name=f"Empty {email}", slug=f"empty-{User.objects.count()}", kind="national"
    )
    return make_leader(empty, email=email)
