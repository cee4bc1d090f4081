import pytest

from accounts.models import Chapter, Role
from supporters.selectors import search_supporters, supporters_visible_to
from tests.accounts.factories import make_leader, make_user

from .factories import ChapterFactory, MembershipFactory, SupporterFactory


@pytest.fixture
def two_chapters(db):
    texas = ChapterFactory(slug="texas", state="TX")
    ohio = ChapterFactory(slug="ohio", state="OH")
    tx_member = MembershipFactory(chapter=texas).supporter
    oh_member = MembershipFactory(
        chapter=ohio, supporter=SupporterFactory(state="OH")
    ).supporter
    return texas, ohio, tx_member, oh_member


def test_chapter_leader_sees_only_their_chapter(two_chapters):
    texas, _ohio, tx_member, _oh_member = two_chapters
    leader = make_leader(texas)

    visible = set(supporters_visible_to(leader))

    assert visible == {tx_member}


def test_leader_of_two_chapters_sees_both_without_duplicates(two_chapters):
    texas, ohio, tx_member, oh_member = two_chapters
    MembershipFactory(chapter=ohio, supporter=tx_member)  # a member of both
    leader = make_leader(texas, ohio)
    assert sorted(supporters_visible_to(leader).values_list("pk", flat=True)) == sorted(
        [tx_member.pk, oh_member.pk]
    )


def test_staff_admin_and_staff_see_everyone(two_chapters, staff_user):
    staff = make_user("staff2@example.org", role=Role.STAFF)
    assert (
        supporters_visible_to(staff_user).count()
        == supporters_visible_to(staff).count()
        == 2
    )


def test_leading_the_national_chapter_is_not_national_staff(two_chapters):
    national = ChapterFactory(slug="national", kind=Chapter.Kind.NATIONAL, state="")
    leader = make_leader(national)
    assert not supporters_visible_to(leader).exists()


def test_no_role_inactive_and_anonymous_see_nobody(two_chapters):
    from django.contrib.auth.models import AnonymousUser

    texas = two_chapters[0]
    plain = make_user("plain@example.org")
    leader = make_leader(texas)
    leader.is_active = False
    leader.save()
    assert not supporters_visible_to(plain).exists()
    assert not supporters_visible_to(leader).exists()
    assert not supporters_visible_to(AnonymousUser()).exists()


def test_search_matches_name_email_zip_and_filters(two_chapters, staff_user):
    _texas, ohio, tx_member, oh_member = two_chapters
    tx_member.first_name = "Zelda"
    tx_member.save()
    assert list(search_supporters(user=staff_user, query="zelda")) == [tx_member]
    assert list(search_supporters(user=staff_user, chapter_id=ohio.pk)) == [oh_member]
    assert list(search_supporters(user=staff_user, state="OH")) == [oh_member]
