import pytest
from django.contrib.auth import get_user_model

from supporters.models import Chapter, ChapterMembership
from supporters.selectors import search_supporters, supporters_visible_to

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


def make_leader(chapter, username="leader"):
    user = get_user_model().objects.create_user(
        username=username, password="x", is_staff=True
    )
    supporter = SupporterFactory(user=user)
    ChapterMembership.objects.create(
        chapter=chapter, supporter=supporter, role="leader"
    )
    return user, supporter


def test_chapter_leader_sees_only_their_chapter(two_chapters):
    texas, _ohio, tx_member, oh_member = two_chapters
    leader, leader_supporter = make_leader(texas)

    visible = set(supporters_visible_to(leader))

    assert tx_member in visible
    assert leader_supporter in visible
    assert oh_member not in visible


def test_superuser_and_national_leader_see_everyone(two_chapters, staff_user):
    national = ChapterFactory(slug="national", kind=Chapter.Kind.NATIONAL, state="")
    national_leader, _ = make_leader(national, username="nat")
    assert (
        supporters_visible_to(staff_user).count()
        == supporters_visible_to(national_leader).count()
        == 3
    )


def test_non_staff_and_anonymous_see_nobody(two_chapters):
    from django.contrib.auth.models import AnonymousUser

    texas = two_chapters[0]
    user, _ = make_leader(texas)
    user.is_staff = False
    user.save()
    assert not supporters_visible_to(user).exists()
    assert not supporters_visible_to(AnonymousUser()).exists()


def test_search_matches_name_email_zip_and_filters(two_chapters, staff_user):
    _texas, ohio, tx_member, oh_member = two_chapters
    tx_member.first_name = "Zelda"
    tx_member.save()
    assert list(search_supporters(user=staff_user, query="zelda")) == [tx_member]
    assert list(search_supporters(user=staff_user, chapter_id=ohio.pk)) == [oh_member]
    assert list(search_supporters(user=staff_user, state="OH")) == [oh_member]
