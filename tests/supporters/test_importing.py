"""The supporter CSV import: validated whole, written whole, or rejected with every bad row."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Chapter
from supporters import importing
from supporters.models import ConsentEvent, Supporter, SupporterImport, Tag
from supporters.services import join_default_chapters

from .factories import ChapterFactory, SupporterFactory

HEADER = "email,first_name,last_name,city,state,zip,phone,tags,opt_in\n"


def run(content: str | bytes, **kwargs) -> SupporterImport:
    data = content.encode() if isinstance(content, str) else content
    supporter_import = importing.create_import(
        file_name="people.csv",
        content=data,
        chapter=kwargs.pop("chapter", None),
        enqueue=False,
        **kwargs,
    )
    return importing.run_import(import_id=supporter_import.pk)


@pytest.fixture
def chapters(db):
    national = ChapterFactory(slug="national", kind=Chapter.Kind.NATIONAL, state="")
    texas = ChapterFactory(slug="texas", state="TX")
    return national, texas


def test_good_file_creates_supporters_with_chapters_tags_and_consent(chapters):
    national, texas = chapters
    result = run(
        HEADER
        + "Ana@Example.org,Ana,García,Austin,Texas,78701,512-463-0001,volunteer;donor,yes\n"
        + "ben@example.org,Ben,Okafor,Columbus,OH,43215,,,no\n",
        tag="spring-2026",
    )

    assert result.status == SupporterImport.Status.DONE
    assert (result.total_rows, result.created_count, result.updated_count) == (2, 2, 0)
    assert bytes(SupporterImport.objects.get(pk=result.pk).content) == b""
    ana = Supporter.objects.get(email="ana@example.org")
    assert (ana.first_name, ana.state, str(ana.phone)) == ("Ana", "TX", "+15124630001")
    assert set(ana.tags.values_list("name", flat=True)) == {
        "volunteer",
        "donor",
        "spring-2026",
    }
    assert set(ana.chapters.all()) == {national, texas}
    assert ana.email_opt_in
    assert ana.opt_in_method == "import"
    assert ConsentEvent.objects.filter(supporter=ana, kind="opt_in").count() == 1
    assert not Supporter.objects.get(email="ben@example.org").email_opt_in


def test_bad_rows_are_all_reported_by_line_and_nothing_changes(chapters):
    existing = SupporterFactory(email="keep@example.org", first_name="Keep")
    result = run(
        HEADER
        + "keep@example.org,Changed,,,,,,,\n"  # line 2: valid, must not be written
        + "not-an-email,A,B,,,,,,\n"  # line 3
        + "c@example.org,C,D,Nowhere,Atlantis,,,,\n"  # line 4
        + "d@example.org,D,E,,TX,123,,,\n"  # line 5
        + 'e@example.org,"multi\nline",E,,TX,78701,12,,maybe\n'  # line 6 (two lines)
        + "f@example.org,F\n"  # line 8
    )

    assert result.status == SupporterImport.Status.FAILED
    lines = [e["line"] for e in result.errors]
    assert lines == [3, 4, 5, 6, 8]
    reasons = " | ".join(e["reason"] for e in result.errors)
    assert "not a valid email" in reasons
    assert "Atlantis" in reasons
    assert "ZIP" in reasons
    assert "has 2 fields but the header has 9" in reasons
    assert Supporter.objects.count() == 1
    existing.refresh_from_db()
    assert existing.first_name == "Keep"


def test_wrong_encoding_is_rejected_with_its_line(chapters):
    content = (
        HEADER + "ok@example.org,Ok,,,,,,,\n" + "jose@example.org,José,,,,,,,\n"
    ).encode("cp1252")
    result = run(content)

    assert result.status == SupporterImport.Status.FAILED
    assert result.errors[0]["reason"].startswith("Line 3 is not valid UTF-8")
    assert not Supporter.objects.exists()


def test_utf8_with_bom_from_excel_is_accepted(chapters):
    result = run(
        ("\ufeff" + HEADER + "jose@example.org,José,Núñez,,,,,,\n").encode("utf-8")
    )
    assert result.status == SupporterImport.Status.DONE
    assert Supporter.objects.get().last_name == "Núñez"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("first_name,shoe_size\nAna,7\n", "unknown column"),
        ("first_name,city\nAna,Austin\n", "needs an “email” column"),
        ("email,Email\na@example.org,b@example.org\n", "appears twice"),
        ("email\n", "no rows"),
        ("email\na@example.org\x00\n", "NUL byte"),
    ],
)
def test_unreadable_files_are_rejected_whole(chapters, content, message):
    result = run(content)
    assert result.status == SupporterImport.Status.FAILED
    assert message in result.errors[0]["reason"]
    assert not Supporter.objects.exists()


def test_empty_and_oversized_files_are_refused_before_storing(chapters, settings):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="empty"):
        importing.create_import(
            file_name="x.csv", content=b"  \n", chapter=None, enqueue=False
        )
    settings.HARBOR_MAX_IMPORT_BYTES = 10
    with pytest.raises(ValidationError, match="larger than"):
        importing.create_import(
            file_name="x.csv",
            content=b"email\na@example.org\n",
            chapter=None,
            enqueue=False,
        )
    assert not SupporterImport.objects.exists()


def test_existing_supporters_are_updated_not_blanked_and_unsubscribes_stand(chapters):
    from supporters.services import unsubscribe_supporter

    ana = SupporterFactory(
        email="ana@example.org", first_name="Ana", city="Austin", email_opt_in=False
    )
    unsubscribe_supporter(supporter_id=ana.pk, source="link")
    result = run(
        HEADER + "ana@example.org,,Garcia,,,,,,yes\n" + "ANA@example.org,Anita,,,,,,,\n"
    )

    assert (result.created_count, result.updated_count) == (0, 1)
    ana.refresh_from_db()
    assert (ana.first_name, ana.last_name, ana.city) == ("Anita", "Garcia", "Austin")
    assert not ana.email_opt_in
    assert ana.unsubscribed_at is not None


def test_huge_file_imports_completely(chapters):
    rows = "".join(
        f"p{i}@example.org,P{i},Q,Austin,TX,78701,,bulk,yes\n" for i in range(12000)
    )
    result = run(HEADER + rows)

    assert result.status == SupporterImport.Status.DONE
    assert result.created_count == Supporter.objects.count() == 12000
    assert Tag.objects.get(name="bulk").supporters.count() == 12000
    assert Supporter.objects.filter(email_opt_in=True).count() == 12000


def test_huge_bad_file_reports_a_bounded_list_and_the_full_count(chapters):
    rows = "".join(
        f"bad{i},X,,,,,,,\n" for i in range(importing.MAX_REPORTED_ERRORS + 50)
    )
    result = run(HEADER + rows)
    assert result.error_count == importing.MAX_REPORTED_ERRORS + 50
    assert len(result.errors) == importing.MAX_REPORTED_ERRORS


def test_an_import_runs_only_once(chapters):
    supporter_import = importing.create_import(
        file_name="a.csv",
        content=b"email\na@example.org\n",
        chapter=None,
        enqueue=False,
    )
    assert importing.run_import(import_id=supporter_import.pk).status == "done"
    assert importing.run_import(import_id=supporter_import.pk) is None
    assert Supporter.objects.count() == 1


def test_a_stuck_claim_is_recovered(chapters):
    from datetime import timedelta

    from django.utils import timezone

    supporter_import = importing.create_import(
        file_name="a.csv",
        content=b"email\na@example.org\n",
        chapter=None,
        enqueue=False,
    )
    old = timezone.now() - timedelta(hours=2)
    SupporterImport.objects.filter(pk=supporter_import.pk).update(
        status="running", claimed_at=old, updated_at=old
    )

    assert importing.run_import(import_id=supporter_import.pk).status == "done"


def test_command_imports_and_reports_bad_rows(chapters, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "a@example.org,A,,,TX,,,,\n")
    call_command("import_supporters", str(good), "--chapter", "texas")
    assert "1 new" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "nope,A,,,TX,,,,\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_supporters", str(bad))
    assert "line 2" in capsys.readouterr().err
    with pytest.raises(CommandError, match="No chapter"):
        call_command("import_supporters", str(good), "--chapter", "atlantis")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_supporters", str(tmp_path / "missing.csv"))


def test_export_neutralises_formulas(chapters):
    SupporterFactory(
        email="x@example.org", first_name='=HYPERLINK("http://evil")', last_name="+1"
    )
    rows = list(importing.export_rows(Supporter.objects.all()))
    assert rows[0] == importing.EXPORT_COLUMNS
    assert rows[1][1].startswith("'=")
    assert rows[1][2] == "'+1"


def _snapshot():
    return [
        (
            s.email, s.first_name, s.last_name, s.street_address, s.city, s.state,
            s.zip_code, str(s.phone), s.email_opt_in, s.unsubscribed_at,
            sorted(s.tags.values_list("name", flat=True)),
            sorted(s.chapters.values_list("slug", flat=True)),
        )
        for s in Supporter.objects.order_by("email")
    ]  # fmt: skip


def test_an_export_imports_back_unchanged(chapters, staff_client):
    from django.utils import timezone

    ana = SupporterFactory(
        email="ana@example.org", first_name="Ana", last_name="García",
        street_address="1 Congress Ave", city="Austin", state="TX",
        zip_code="78701-1234", phone="+15124630001",
    )  # fmt: skip
    ana.tags.add(Tag.objects.create(name="volunteer"), Tag.objects.create(name="donor"))
    SupporterFactory(
        email="li@example.org", first_name="李", last_name="小龙", phone="+16145550101",
        email_opt_in=False, unsubscribed_at=timezone.now(), state="OH",
    )  # fmt: skip
    SupporterFactory(email="eq@example.org", first_name="=1+1", last_name="-Dash")
    for supporter in Supporter.objects.all():  # as any signature or import does
        join_default_chapters(supporter_id=supporter.pk, state=supporter.state)
    before = _snapshot()

    response = staff_client.get("/staff/supporters/export.csv")
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel needs
    text = content.decode("utf-8-sig")
    assert ",+16145550101," in text  # a phone number is no formula
    assert "'=1+1" in text  # a formula still is

    result = run(content)
    assert result.status == SupporterImport.Status.DONE, result.errors
    assert (result.created_count, result.updated_count) == (0, 0)
    assert _snapshot() == before


def test_every_problem_of_a_row_is_listed(chapters):
    result = run(HEADER + "not-an-email,Ana,Bad\u202eName,,TX,00000,555,,maybe\n")

    assert result.status == SupporterImport.Status.FAILED
    (error,) = result.errors
    assert error["line"] == 2
    reason = error["reason"]
    for problem in [
        "email: “not-an-email” is not a valid email address.",
        "last_name: This text contains invisible characters",
        "zip: “00000” is not a US ZIP code",
        "phone: “555” is not a valid phone number.",
        "opt_in must be yes or no",
    ]:
        assert problem in reason
    assert not Supporter.objects.exists()
