"""Portraits copied into media storage from a loopback fake of the image hosts: only
allowed prefixes, only images, size-limited; served by Harbor at MEDIA_URL."""

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from legislators import portraits
from legislators.models import Legislator, SyncRun

pytestmark = pytest.mark.django_db

# A real 1x1 JPEG and PNG.
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909"
    "080a0c140d0c0b0b0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30"
    "313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f0000010501"
    "010101010100000000000000000102030405060708090a0bffc400b5100002010303020403"
    "050504040000017d01020300041105122131410613516107227114328191a1082342b1c115"
    "52d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a53"
    "5455565758595a636465666768696a737475767778797a838485868788898a929394959697"
    "98999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8"
    "d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9"
)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489000000"
    "0d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def hosts(fake_api, settings, media):
    settings.LEGISLATORS_PORTRAIT_URL_PREFIXES = [fake_api.url + "/images/"]
    settings.LEGISLATORS_PORTRAIT_MAX_BYTES = 10_000
    settings.LEGISLATORS_HTTP_TIMEOUT = 5
    return fake_api


def _member(bioguide: str, photo_url: str, **extra) -> Legislator:
    return Legislator.objects.create(
        bioguide_id=bioguide,
        name=f"Member {bioguide}",
        chamber="us_house",
        state="TX",
        district="7",
        photo_url=photo_url,
        **extra,
    )


def test_an_allowed_jpeg_is_stored_and_served_by_harbor(hosts, client, media):
    hosts.serve("/images/A000001.jpg", JPEG, headers={"Content-Type": "image/jpeg"})
    member = _member("A000001", hosts.url + "/images/A000001.jpg")

    summary = portraits.fetch_portraits()

    member.refresh_from_db()
    assert summary == {"fetched": 1, "unchanged": 0, "not_allowed": 0, "failed": 0}
    assert member.portrait.name == "portraits/A000001.jpg"
    assert (media / "portraits" / "A000001.jpg").read_bytes() == JPEG
    assert member.portrait.url == "/media/portraits/A000001.jpg"
    response = client.get(member.portrait.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG
    assert SyncRun.objects.get(kind="fetch_portraits").ok


def test_an_unchanged_url_is_not_fetched_again_and_a_new_one_is(hosts):
    hosts.serve("/images/a.jpg", JPEG, headers={"Content-Type": "image/jpeg"})
    hosts.serve("/images/b.png", PNG, headers={"Content-Type": "image/png"})
    member = _member("A000001", hosts.url + "/images/a.jpg")
    portraits.fetch_portraits()
    assert portraits.fetch_portraits()["unchanged"] == 1
    assert hosts.hits("/images/a.jpg") == 1

    Legislator.objects.filter(pk=member.pk).update(
        photo_url=hosts.url + "/images/b.png"
    )
    assert portraits.fetch_portraits()["fetched"] == 1
    member.refresh_from_db()
    assert member.portrait.name == "portraits/A000001.png"
    assert not default_storage.exists("portraits/A000001.jpg")


def test_nothing_is_fetched_while_no_prefix_allows_it(fake_api, settings, media):
    settings.LEGISLATORS_PORTRAIT_URL_PREFIXES = []
    fake_api.serve("/images/a.jpg", JPEG, headers={"Content-Type": "image/jpeg"})
    _member("A000001", fake_api.url + "/images/a.jpg")
    assert portraits.fetch_portraits()["not_allowed"] == 1
    assert fake_api.requests == []


@pytest.mark.parametrize(
    ("body", "headers", "problem"),
    [
        (b"<html>not found</html>", {"Content-Type": "text/html"}, "not an image"),
        (b"<svg onload=alert(1)>", {"Content-Type": "image/svg+xml"}, "not an image"),
        (PNG, {"Content-Type": "image/jpeg"}, "not a image/jpeg"),
        (JPEG + b"x" * 20_000, {"Content-Type": "image/jpeg"}, "larger than"),
    ],
)
def test_a_refused_download_keeps_the_stored_portrait(hosts, body, headers, problem):
    hosts.script(
        "/images/a.jpg",
        (200, JPEG, {"Content-Type": "image/jpeg"}),
        (200, body, headers),
    )
    member = _member("A000001", hosts.url + "/images/a.jpg")
    portraits.fetch_portraits()

    summary = portraits.fetch_portraits(force=True)

    member.refresh_from_db()
    assert summary["failed"] == 1
    assert member.portrait.name == "portraits/A000001.jpg"
    assert default_storage.open(member.portrait.name).read() == JPEG
    run = SyncRun.objects.filter(kind="fetch_portraits").first()
    assert not run.ok
    assert problem in run.message


def test_a_body_bigger_than_announced_is_cut_at_the_limit(hosts):
    # Chunked: no Content-Length to refuse up front; the limit applies while reading.
    hosts.serve(
        "/images/a.jpg",
        JPEG + b"x" * 20_000,
        headers={"Content-Type": "image/jpeg"},
        chunked=True,
    )
    _member("A000001", hosts.url + "/images/a.jpg")
    assert portraits.fetch_portraits()["failed"] == 1


def test_a_redirect_to_a_host_not_allowed_is_not_followed(hosts, settings):
    hosts.serve("/elsewhere/a.jpg", JPEG, headers={"Content-Type": "image/jpeg"})
    hosts.serve(
        "/images/a.jpg", b"", status=302, headers={"Location": "/elsewhere/a.jpg"}
    )
    _member("A000001", hosts.url + "/images/a.jpg")
    assert portraits.fetch_portraits()["failed"] == 1
    assert hosts.hits("/elsewhere/a.jpg") == 0

    settings.LEGISLATORS_PORTRAIT_URL_PREFIXES = [hosts.url + "/"]
    assert portraits.fetch_portraits()["fetched"] == 1


def test_a_server_error_or_a_dead_host_is_a_counted_failure(hosts, settings):
    hosts.serve("/images/a.jpg", b"oops", status=500)
    _member("A000001", hosts.url + "/images/a.jpg")
    settings.LEGISLATORS_PORTRAIT_URL_PREFIXES = [hosts.url, "http://127.0.0.1:9/"]
    _member("B000002", "http://127.0.0.1:9/images/b.jpg")
    assert portraits.fetch_portraits()["failed"] == 2


def test_the_command_fetches_state_legislators_by_their_uuid(hosts, capsys):
    hosts.serve("/images/s.png", PNG, headers={"Content-Type": "image/png"})
    member = Legislator.objects.create(
        openstates_id="ocd-person/0b1c2d3e-0000-4000-8000-000000000001",
        name="State Member",
        chamber="state_upper",
        state="TX",
        district="14",
        photo_url=hosts.url + "/images/s.png",
    )
    call_command("fetch_portraits")
    member.refresh_from_db()
    assert member.portrait.name == (
        "portraits/0b1c2d3e-0000-4000-8000-000000000001.png"
    )
    assert "fetched 1" in capsys.readouterr().out


@pytest.mark.parametrize(
    "name", ["../../settings.py", "x.svg", "missing.jpg", "a%2F..%2Fb.jpg"]
)
def test_only_stored_portrait_names_are_served(client, media, name):
    assert client.get(f"/media/portraits/{name}").status_code == 404
