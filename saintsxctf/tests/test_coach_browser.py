"""The coach's main path in a real browser (Debian's Chromium, headless, driven by playwright) against a live
server with the demo data: sign in, the dashboard with the seeded flags, approve a pending member, set a target,
export the weekly CSV and read it back; an assistant sees only their group; the page fits a 390 px phone.

Chromium comes from the system (scripts/test-deps.sh installs it); `playwright install` is never run. Without
Chromium the test is skipped on a developer's machine and fails in CI (CI=true), so CI cannot pass without it.
"""

import csv
import io
import os
import shutil
from importlib import import_module

import pytest
from django.apps import apps as django_apps

from groups.models import GroupMember, TrainingTarget
from saintsxctf.operations.demo import ASSISTANT, COACH, DEMO_PASSWORD, seed_demo

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]


@pytest.fixture
def browser(monkeypatch):
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {CHROMIUM}: CI must run the browser test (scripts/test-deps.sh)")
        pytest.skip("Chromium is not installed (scripts/test-deps.sh installs it)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    # playwright's sync API runs an event loop in this thread; the test's own ORM reads are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


def sign_in(page, base: str, username: str):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#coach-dashboard")


@pytest.mark.django_db(transaction=True)
def test_coach_main_path(live_server, browser, tmp_path):
    # A transactional test that ran earlier on a server database flushed the exercise types the migrations wrote.
    import_module("logs.migrations.0003_exercise_types").add_types(django_apps, None)
    seed_demo(users=12, groups=4)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)

    sign_in(page, base, COACH)
    assert "SaintsXCTF coaching" in page.title()
    kinds = set(page.eval_on_selector_all(".flag", "els => els.map(e => e.dataset.kind)"))
    assert {"quiet", "pain", "low_feel"} <= kinds, kinds

    # The group with a pending request (the demo's assistant runs it).
    pending = GroupMember.objects.filter(status="pending", group__members__user_id=ASSISTANT).select_related(
        "group").first()
    page.goto(f"{base}/admin/dashboard/{pending.group_id}/")
    card = page.locator(f".pending-request[data-username='{pending.user_id}']")
    card.locator("button", has_text="Approve").click()
    page.wait_for_selector("text=they have been notified")
    pending.refresh_from_db()
    assert pending.status == "accepted"

    before = TrainingTarget.objects.filter(group_id=pending.group_id).count()
    page.fill("#id_weekly_miles", "27.5")
    page.click("text=Set target")
    page.wait_for_selector("text=Target set")
    assert TrainingTarget.objects.filter(group_id=pending.group_id).count() == before + 1
    assert TrainingTarget.objects.filter(weekly_miles=27.5).exists()

    with page.expect_download() as download:
        page.click("#exports button:has-text('CSV')")
    saved = tmp_path / "weekly.csv"
    download.value.save_as(saved)
    raw = saved.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["username", "first", "last"]
    assert pending.user_id in {row[0] for row in rows[1:]}  # approved: a runner of the table now

    # A 390 px phone: the page itself does not scroll sideways (the weekly table scrolls in its own box).
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"{base}/admin/dashboard/{pending.group_id}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 400

    # The assistant runs one group: the picker offers it alone and another group's page does not exist.
    other = browser.new_page()
    sign_in(other, base, ASSISTANT)
    groups = other.eval_on_selector_all(".picker a", "els => els.map(e => e.getAttribute('href'))")
    assert groups == [f"/admin/dashboard/{pending.group_id}/"]
    elsewhere = GroupMember.objects.filter(user_id=COACH).exclude(group_id=pending.group_id).first().group_id
    assert other.goto(f"{base}/admin/dashboard/{elsewhere}/").status == 404
    assert other.goto(f"{base}/admin/dashboard/{elsewhere}/weekly.csv").status == 404
