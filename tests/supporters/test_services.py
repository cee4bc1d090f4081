import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import Chapter
from supporters import services
from supporters.models import ChapterMembership, ConsentEvent, Supporter

from .factories import ChapterFactory, SupporterFactory


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Ana@Example.ORG ", "ana@example.org"),
        ("x.y+tag@sub.example.com", "x.y+tag@sub.example.com"),
    ],
)
def test_normalize_email_strips_and_lowercases(raw, expected):
    assert services.normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "   ", "no-at-sign", "a@b", "<script>@x.org", "a" * 250 + "@x.org"]
)
def test_normalize_email_rejects_bad_addresses(raw):
    with pytest.raises(ValidationError):
        services.normalize_email(raw)


def test_normalize_phone_gives_e164_and_rejects_junk():
    assert services.normalize_phone("202-224-3121") == "+12022243121"
    assert services.normalize_phone("") == ""
    with pytest.raises(ValidationError, match="not a valid phone"):
        services.normalize_phone("12")


@pytest.mark.parametrize(
    ("raw", "ok"),
    [("78701", True), ("78701-1234", True), ("7870", False), ("ABCDE", False)],
)
def test_normalize_zip(raw, ok):
    if ok:
        assert services.normalize_zip(raw) == raw
    else:
        with pytest.raises(ValidationError, match="ZIP"):
            services.normalize_zip(raw)


def test_clean_state_accepts_names_and_codes_and_rejects_unknown():
    assert services.clean_state("texas") == "TX"
    assert services.clean_state(" oh ") == "OH"
    with pytest.raises(ValidationError, match="not a US state"):
        services.clean_state("Atlantis")


@pytest.mark.django_db
def test_upsert_twice_keeps_one_supporter_and_fills_blanks():
    ChapterFactory(slug="national", kind=Chapter.Kind.NATIONAL, state="")
    ChapterFactory(slug="texas", state="TX")
    first, created = services.upsert_supporter(
        email="Ana@Example.org", first_name="Ana", state="TX"
    )
    second, created_again = services.upsert_supporter(
        email="ana@example.org ", city="Austin", first_name=""
    )

    assert created
    assert not created_again
    assert first.pk == second.pk
    assert Supporter.objects.count() == 1
    second.refresh_from_db()
    assert (second.first_name, second.city) == ("Ana", "Austin")
    assert set(second.chapters.values_list("slug", flat=True)) == {"national", "texas"}


@pytest.mark.django_db
def test_a_public_form_cannot_overwrite_someone_elses_record():
    ChapterFactory(slug="ohio", state="OH")
    services.upsert_supporter(
        email="ann@example.org", first_name="Ann", last_name="Lee", state="TX"
    )

    services.upsert_supporter(
        email="ann@example.org",
        first_name="Mallory",
        last_name="Hacker",
        state="OH",
        congressional_district="OH-03",
        phone="+12022243121",
    )

    ann = Supporter.objects.get()
    assert (ann.first_name, ann.last_name, ann.state) == ("Ann", "Lee", "TX")
    assert not ann.chapters.filter(slug="ohio").exists()
    # Blank fields may still be completed, but never where the supporter belongs.
    assert ann.congressional_district == ""
    assert str(ann.phone) == "+12022243121"
    services.upsert_supporter(email="ann@example.org", congressional_district="TX-37")
    ann.refresh_from_db()
    assert ann.congressional_district == ""


@pytest.mark.django_db
def test_a_public_form_cannot_move_a_stateless_supporter_into_a_chapter():
    # The probe: a newsletter subscriber (no state) is signed "from Texas" by a
    # stranger; the Texas leader must not gain them.
    ChapterFactory(slug="texas", state="TX")
    services.subscribe_to_newsletter(email="carla@example.org", zip_code="94103")
    services.upsert_supporter(email="carla@example.org", state="TX", zip_code="77002")
    carla = Supporter.objects.get()
    assert carla.state == ""
    assert not carla.chapters.filter(slug="texas").exists()


@pytest.mark.django_db
def test_upsert_does_not_resubscribe_an_unsubscribed_supporter():
    supporter = SupporterFactory(email="gone@example.org")
    services.unsubscribe_supporter(supporter_id=supporter.pk, source="link")

    services.upsert_supporter(
        email="gone@example.org", opt_in=True, source="petition:1"
    )

    supporter.refresh_from_db()
    assert not supporter.email_opt_in
    assert supporter.unsubscribed_at is not None


@pytest.mark.django_db
def test_opt_in_is_recorded_once_with_its_source():
    supporter, _ = services.upsert_supporter(
        email="new@example.org", opt_in=True, source="petition:7", opt_in_method="form"
    )
    services.upsert_supporter(
        email="new@example.org", opt_in=True, source="petition:8", opt_in_method="form"
    )

    supporter.refresh_from_db()
    assert supporter.email_opt_in
    assert supporter.opt_in_source == "petition:7"
    assert ConsentEvent.objects.filter(supporter=supporter, kind="opt_in").count() == 1


@pytest.mark.django_db
def test_suppression_requires_a_known_reason_and_is_idempotent():
    supporter = SupporterFactory()
    with pytest.raises(ValueError, match="unknown suppression reason"):
        services.suppress_supporter(supporter_id=supporter.pk, reason="bored")
    assert services.suppress_supporter(supporter_id=supporter.pk, reason="bounce")
    assert not services.suppress_supporter(
        supporter_id=supporter.pk, reason="complaint"
    )
    supporter.refresh_from_db()
    assert supporter.suppression_reason == "bounce"
    assert not Supporter.objects.emailable().filter(pk=supporter.pk).exists()


@pytest.mark.django_db
def test_database_rejects_mixed_case_email_and_duplicate_membership():
    supporter = SupporterFactory()
    chapter = ChapterFactory()
    ChapterMembership.objects.create(chapter=chapter, supporter=supporter)
    with pytest.raises(IntegrityError):
        ChapterMembership.objects.create(chapter=chapter, supporter=supporter)


@pytest.mark.django_db
def test_database_rejects_uppercase_email():
    with pytest.raises(IntegrityError):
        Supporter.objects.create(email="Upper@Example.org")
