"""The review pages of `serve`, driven through real Chromium against the app over the demo world and the sandbox.

Every approval goes through the sandbox, so "posted exactly once" is read from what the sandbox
stores (demo_world.stored()). Refusals that need no browser (no session, no CSRF token) use httpx.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import uuid

from playwright.async_api import expect

from agent.models import Identity, ProfileDraft, Provenance, payload_hash
from agent.review import service
from agent.store_review import decisions
from tests.support.serve import TOKEN, signed_in_client

WHO = "Ana Reviewer"


async def sign_in(page, server, who: str = WHO, path: str = "/") -> None:
    """Open `path`, get sent to the sign-in form, sign in, land on `path`."""
    await page.goto(server.url + path)
    await expect(page).to_have_url(re.compile(r"/signin\?next="))
    await page.fill("#who", who)
    await page.fill("#token", TOKEN)
    await page.click("button:has-text('Sign in')")
    await expect(page).to_have_url(server.url + path)


def _rows(page):
    return page.locator("table.drafts tbody tr")


def test_sign_in_then_filter_sort_and_count(review_server, web):
    ada = review_server.enrich("Ada Quinlan")
    chiara = review_server.enrich("Chiara Valdes")

    async def body(page):
        await page.goto(review_server.url + "/")
        await expect(page).to_have_url(re.compile(r"/signin\?next=%2F$"))
        await page.fill("#who", WHO)
        await page.fill("#token", "not-the-token")
        await page.click("button:has-text('Sign in')")
        await expect(page.locator(".flash.error")).to_contain_text("not this server's token")
        await expect(page.locator("#who")).to_have_value(WHO)  # what was typed is kept
        await page.fill("#token", TOKEN)
        await page.click("button:has-text('Sign in')")
        await expect(page).to_have_url(review_server.url + "/")
        await expect(page.locator(".who")).to_contain_text(WHO)

        await expect(_rows(page)).to_have_count(len(ada) + len(chiara))
        await expect(page.locator(".counts")).to_contain_text(f"queued_for_review {len(ada) + len(chiara)}")
        await page.select_option("select[name=origin]", "GitHub")
        await page.click("button:has-text('Filter')")
        await expect(_rows(page)).to_have_count(1)
        await expect(_rows(page).first).to_contain_text("Ada Quinlan")

        await page.goto(review_server.url + "/")
        await page.fill("input[name=contact]", "chiara")
        await page.select_option("select[name=sort]", "origin")
        await page.click("button:has-text('Filter')")
        await expect(_rows(page)).to_have_count(len(chiara))
        await expect(_rows(page).first.locator("td.origin")).to_have_text(sorted(chiara)[0])
        await expect(page.locator("input[name=contact]")).to_have_value("chiara")  # the filters stay filled in

        await page.goto(review_server.url + "/?min_identity=2&grounding=yes")
        await expect(page.locator(".flash.error")).to_contain_text("min identity must be a number from 0 to 1")
        await expect(page.locator("p.empty")).to_contain_text("No draft matches")  # the demo grounds everything

    web(body)


def test_draft_page_shows_provenance_identity_diff_and_history(review_server, web):
    ada = review_server.enrich("Ada Quinlan")
    store, settings = review_server.store, review_server.settings
    (first,) = asyncio.run(service.approve(settings, store, [ada["LinkedIn"]], actor="Bo", note="checked"))
    assert first.status == "posted"
    row = store.draft(ada["LinkedIn"])
    payload = {**row["draft"].payload, "followers_count": 1342}
    later = store.save_draft(
        "later", row["draft"].model_copy(update={"payload": payload}), payload_hash(payload), "queued_for_review"
    )

    async def body(page):
        await sign_in(page, review_server, path=f"/drafts/{later}")
        name_row = page.locator("table.payload tr", has=page.locator("th", has_text=re.compile("^name$")))
        await expect(name_row.locator("a.url")).to_have_attribute("href", "https://www.linkedin.com/in/ada-quinlan")
        await expect(name_row.locator(".evidence")).to_have_text("jsonld:Person.name")
        await expect(page.locator("table.identity")).to_contain_text("name 'Ada Quinlan'")
        followers = page.locator("table.diff tr", has=page.locator("th", has_text="followers_count"))
        await expect(followers).to_contain_text("1284")
        await expect(followers).to_contain_text("1342")
        await expect(followers.locator(".badge")).to_have_text("changed")
        await expect(page.locator("table.diff tr.changed")).to_have_count(1)

        await page.goto(f"{review_server.url}/drafts/{ada['LinkedIn']}")
        await expect(page.locator("table.history")).to_contain_text("Bo")
        await expect(page.locator("table.history")).to_contain_text(f"profile {first.profile_id}")
        await expect(page.locator("button:has-text('Approve')")).to_have_count(0)  # decided: no actions

        await page.goto(f"{review_server.url}/drafts/{ada['GitHub']}")
        await expect(page.get_by_text("First profile: nothing was posted")).to_be_visible()

    web(body)


def test_edit_saved_marked_as_a_persons_and_a_refused_edit_keeps_the_input(review_server, web):
    ada = review_server.enrich("Ada Quinlan")
    draft_id = ada["GitHub"]
    store = review_server.store
    keys = list(store.draft(draft_id)["draft"].payload)

    async def body(page):
        await sign_in(page, review_server, path=f"/drafts/{draft_id}/edit")
        summary = page.locator(f"#value{keys.index('summary')}")
        await summary.fill("Ada Quinlan builds the data platform at Quillmetrics.")
        await page.fill("input[name=new_key0]", "key_products")
        await page.fill("textarea[name=new_value0]", "Forecasting\nLakehouse")
        await page.fill("input[name=note]", "shorter")
        await page.click("button:has-text('Save edit')")
        await expect(page).to_have_url(f"{review_server.url}/drafts/{draft_id}?edited=1")
        summary_row = page.locator("table.payload tr", has=page.locator("th", has_text="summary"))
        await expect(summary_row.locator(".person")).to_have_text(f"edited by {WHO}: shorter")
        products = page.locator("table.payload tr", has=page.locator("th", has_text="key_products"))
        await expect(products.locator("ul.items li")).to_have_count(2)

        saved = store.draft(draft_id)["draft"].payload
        assert saved["key_products"] == ["Forecasting", "Lakehouse"]
        await page.goto(f"{review_server.url}/drafts/{draft_id}/edit")
        await page.check("input[aria-label='remove summary']")
        await page.fill("input[name=new_key0]", "info")
        await page.fill("textarea[name=new_value0]", "likes maps")
        await page.fill("input[name=note]", "my note")
        await page.click("button:has-text('Save edit')")
        problems = page.locator(".flash.error")
        await expect(problems).to_contain_text("Nothing was saved")
        await expect(problems).to_contain_text("summary")
        await expect(problems).to_contain_text("'info'")
        await expect(page.locator("input[name=new_key0]")).to_have_value("info")
        await expect(page.locator("textarea[name=new_value0]")).to_have_value("likes maps")
        await expect(page.locator("input[aria-label='remove summary']")).to_be_checked()
        await expect(page.locator("input[name=note]")).to_have_value("my note")
        assert store.draft(draft_id)["draft"].payload == saved  # nothing saved
        assert sum(review_server.world.stored().values()) == 0  # nothing posted

    web(body)
    assert [d["action"] for d in decisions(store, draft_id)] == ["edit"]


def test_approve_one_and_many_each_posted_once(review_server, web):
    ada = review_server.enrich("Ada Quinlan")
    chiara = review_server.enrich("Chiara Valdes")
    world = review_server.world

    async def body(page):
        await sign_in(page, review_server, path=f"/drafts/{ada['LinkedIn']}")
        other = await page.context.new_page()  # a second tab on the same draft: the double submit
        await other.goto(f"{review_server.url}/drafts/{ada['LinkedIn']}")
        await page.fill("input[name=note]", "looks right")
        await page.click("button:has-text('Approve and post')")
        await expect(page).to_have_url(re.compile(r"/results/"))
        await expect(page.locator("table.results .badge")).to_have_text("posted")
        await expect(page.locator("table.results td.num")).to_have_text(re.compile(r"^\d+$"))
        await other.click("button:has-text('Approve and post')")
        await expect(other.locator("table.results")).to_contain_text(
            f"skipped: draft {ada['LinkedIn']} is posted, not waiting for review"
        )
        await page.reload()  # the results page repeats nothing
        await expect(page.locator("table.results .badge")).to_have_text("posted")

        await page.goto(review_server.url + "/")
        picked = [ada["GitHub"], ada["Twitter"], *chiara.values()]
        for draft_id in picked:
            await page.check(f"input[name=id][value='{draft_id}']")
        await page.click("button:has-text('Approve selected')")
        await expect(page.locator("table.results tbody tr")).to_have_count(len(picked))
        await expect(page.locator("table.results .badge", has_text="posted")).to_have_count(len(picked))
        await expect(page.locator("h1")).to_contain_text(f"Approved: {len(picked)} of {len(picked)}")
        await page.go_back()  # back on the queue: the posted drafts left it
        await page.reload()
        await expect(page.locator("p.empty")).to_contain_text("No draft matches")

    web(body)
    stored = world.stored()
    assert set(stored.values()) == {1}
    assert sum(stored.values()) == len(ada) + len(chiara)


def test_reject_keeps_the_note_and_posts_nothing(review_server, web):
    ada = review_server.enrich("Ada Quinlan")

    async def body(page):
        await sign_in(page, review_server)
        await page.check(f"input[name=id][value='{ada['Twitter']}']")
        await page.fill("input[name=note]", "personal account")
        await page.click("button:has-text('Reject selected')")
        await expect(page.locator("table.results .badge")).to_have_text("rejected")
        await page.goto(f"{review_server.url}/?status=rejected")
        await expect(_rows(page)).to_have_count(1)
        await page.goto(f"{review_server.url}/drafts/{ada['Twitter']}")
        await expect(page.locator(".meta")).to_contain_text("personal account")
        await expect(page.locator("table.history")).to_contain_text("reject")
        await page.goto(f"{review_server.url}/activity")
        await expect(page.locator("table.activity")).to_contain_text(WHO)
        await expect(page.locator("table.activity")).to_contain_text("personal account")

    web(body)
    assert sum(review_server.world.stored().values()) == 0
    assert review_server.store.draft(ada["Twitter"])["note"] == "personal account"


def test_approve_all_matching_the_filters_after_confirmation(review_server, web):
    review_server.enrich("Ada Quinlan")
    chiara = review_server.enrich("Chiara Valdes")

    async def body(page):
        await sign_in(page, review_server, path="/?contact=chiara")
        await page.click(f"a:has-text('Approve all {len(chiara)} matching')")
        await expect(page.locator("h1")).to_have_text(f"Approve all {len(chiara)} matching drafts?")
        assert sum(review_server.world.stored().values()) == 0  # the confirmation page posts nothing
        await page.click(f"button:has-text('Yes, approve {len(chiara)} drafts')")
        await expect(page.locator("table.results .badge", has_text="posted")).to_have_count(len(chiara))
        await page.click("a:has-text('Back to the queue')")
        await expect(page.locator("input[name=contact]")).to_have_value("chiara")
        await expect(page.locator("p.empty")).to_be_visible()

    web(body)
    stored = review_server.world.stored()
    assert stored == {("Chiara Valdes", source): 1 for source in chiara}


def test_scraped_markup_is_shown_as_text_and_never_runs(review_server, web):
    contact = review_server.world.contacts["Ada Quinlan"]
    script = "<script>document.title='pwned'; fetch('/pwned-script')</script>"
    image = '<img src="/pwned-image.png" onerror="document.title=\'pwned\'">'
    url = 'https://evil.example/"><script>alert(1)</script>'
    payload = {
        "summary": f"Ada Quinlan is a data lead. {script}",
        "bio": f"Bio {image}",
        "job_title": "Lead",
        "source_url": "https://evil.example/ada",
        "retrieved_at": "2026-01-02",
    }
    draft = ProfileDraft(
        contact_id=uuid.UUID(contact),
        profile_source="Evil Site",
        payload=payload,
        provenance={
            "bio": Provenance(url=url, evidence=image),
            "summary": Provenance(url="javascript:alert(1)", evidence=script),
        },
        grounding=[f"dropped {image}"],
        identity={url: Identity(score=0.2, matched=False, reason=script)},
        set_aside=[f"{url}: {script}"],
    )
    draft_id = review_server.store.save_draft("evil", draft, payload_hash(payload), "queued_for_review")

    async def body(page):
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        await sign_in(page, review_server)
        await expect(_rows(page).first.locator("td.summary")).to_contain_text(script)
        for path in (f"/drafts/{draft_id}", f"/drafts/{draft_id}/edit"):
            await page.goto(review_server.url + path)
            await expect(page.locator("main")).to_contain_text(script)
            await expect(page.locator("main")).to_contain_text(image)
            await expect(page.locator("main script, main img, body script")).to_have_count(0)
            await expect(page).not_to_have_title("pwned")
        await page.goto(f"{review_server.url}/drafts/{draft_id}")
        await expect(page.locator("table.payload")).to_contain_text(url)
        await expect(page.locator("a[href^='javascript']")).to_have_count(0)
        return requests

    requests = web(body)
    paths = {re.sub(r"^http://127\.0\.0\.1:\d+", "", r).split("?")[0] for r in requests}
    assert not [p for p in paths if "pwned" in p or not p.startswith("/")], paths
    assert paths <= {"/", "/signin", "/static/style.css", f"/drafts/{draft_id}", f"/drafts/{draft_id}/edit"}


# Without a browser: refusals, cookies, throttling and exports -----------------------------------


def test_requests_without_a_session_are_refused(review_server):
    ids = review_server.enrich("Ada Quinlan")
    import httpx

    with httpx.Client(base_url=review_server.url, follow_redirects=False) as anonymous:
        for path in ("/", f"/drafts/{ids['GitHub']}", "/activity", "/activity.csv", "/activity.jsonl"):
            answer = anonymous.get(path)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/signin?next=")
        for path in ("/decide", f"/drafts/{ids['GitHub']}/edit", "/decide-all", "/signout"):
            answer = anonymous.post(path, data={"action": "approve", "id": str(ids["GitHub"])})
            assert answer.status_code == 403
        anonymous.cookies.set("ze_session", "made.up.value")
        assert anonymous.post("/decide", data={"action": "approve", "id": str(ids["GitHub"])}).status_code == 403
        assert anonymous.get("/healthz").status_code == 200
    assert sum(review_server.world.stored().values()) == 0
    assert review_server.store.draft(ids["GitHub"])["status"] == "queued_for_review"


def test_a_post_without_or_with_a_wrong_csrf_token_changes_nothing(review_server):
    ids = review_server.enrich("Ada Quinlan")
    draft_id = ids["GitHub"]
    with signed_in_client(review_server) as client:
        csrf = review_server.csrf(client)
        for token in (None, "wrong", csrf[:-1]):
            data = {"action": "approve", "id": str(draft_id), **({"csrf": token} if token else {})}
            assert client.post("/decide", data=data).status_code == 403
            edit = {"key0": "summary", "value0": "Changed.", **({"csrf": token} if token else {})}
            assert client.post(f"/drafts/{draft_id}/edit", data=edit).status_code == 403
        json_body = client.post("/decide", json={"csrf": csrf, "action": "approve", "id": draft_id})
        assert json_body.status_code == 403  # only the pages' own form encoding carries a token
        assert client.post("/decide", data={"csrf": csrf, "action": "reject", "id": str(draft_id)}).status_code == 303
    assert sum(review_server.world.stored().values()) == 0
    assert [d["action"] for d in decisions(review_server.store, draft_id)] == ["reject"]


def test_session_cookie_attributes_sign_out_and_forged_sign_in(review_server):
    import httpx

    with httpx.Client(base_url=review_server.url, follow_redirects=False) as client:
        page = client.get("/signin")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        assert client.post("/signin", data={"who": WHO, "token": TOKEN}).status_code == 403  # no form token
        answer = client.post("/signin", data={"csrf": csrf, "who": WHO, "token": TOKEN, "next": "//evil.example/"})
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("ze_session="))
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert "Secure" not in cookie  # plain http on loopback; https requests get Secure
        session = client.cookies.get("ze_session")
        assert client.get("/").status_code == 200
        assert client.post("/signout", data={"csrf": review_server.csrf(client)}).status_code == 303
    with httpx.Client(base_url=review_server.url, follow_redirects=False, cookies={"ze_session": session}) as replay:
        assert replay.get("/").status_code == 303  # the signed-out cookie no longer works


def test_failed_sign_ins_are_throttled(review_server):
    import httpx

    with httpx.Client(base_url=review_server.url, follow_redirects=False) as client:

        def attempt(token: str) -> httpx.Response:
            csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text).group(1)
            return client.post("/signin", data={"csrf": csrf, "who": WHO, "token": token})

        assert [attempt(f"guess-{i}").status_code for i in range(5)] == [403] * 5
        blocked = attempt("guess-5")
        assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.text
        assert attempt(TOKEN).status_code == 303  # the right token always signs in: failures only are throttled


def test_failures_from_many_addresses_lock_nobody_out(review_server):
    """Wrong tokens from many addresses (or from everybody behind one proxy) never refuse the right token."""
    import httpx

    async def attempt(client_host: str, token: str) -> int:
        transport = httpx.ASGITransport(app=review_server.app, client=(client_host, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://review.test") as client:
            csrf = re.search(r'name="csrf" value="([^"]+)"', (await client.get("/signin")).text).group(1)
            return (await client.post("/signin", data={"csrf": csrf, "who": WHO, "token": token})).status_code

    async def run() -> tuple[list[int], int, int, list[int]]:
        many = [await attempt(f"10.0.{i // 200}.{i % 200}", f"guess-{i}") for i in range(60)]
        other_wrong = await attempt("10.9.9.9", "guess-again")  # a new address still gets a plain "wrong"
        proxy = [await attempt("192.0.2.1", f"guess-{i}") for i in range(8)]  # everybody behind one proxy
        return many, other_wrong, await attempt("10.9.9.10", TOKEN), proxy + [await attempt("192.0.2.1", TOKEN)]

    many, other_wrong, right, proxy = asyncio.run(run())
    assert many == [403] * 60 and other_wrong == 403 and right == 303
    assert proxy == [403] * 5 + [429] * 3 + [303]


def test_odd_ids_and_page_numbers_are_refused_not_a_crash(review_server):
    ids = review_server.enrich("Ada Quinlan")
    huge = "9" * 20
    with signed_in_client(review_server) as client:
        csrf = review_server.csrf(client)
        for bad in ("²", huge, "1_0", "-1", " ", "0x10", "١"):
            answer = client.post("/decide", data={"csrf": csrf, "action": "reject", "id": [str(ids["Twitter"]), bad]})
            assert answer.status_code == 400 and "Not a draft id" in answer.text, bad
        assert review_server.store.draft(ids["Twitter"])["status"] == "queued_for_review"  # nothing decided
        for path in (f"/drafts/{huge}", f"/drafts/{huge}/edit", "/drafts/²", "/drafts/abc", "/drafts/1_0"):
            assert client.get(path).status_code == 404, path
        assert client.post(f"/drafts/{huge}/edit", data={"csrf": csrf, "key0": "summary"}).status_code == 404
        for path in (f"/?page={huge}", "/?page=²", "/?page=-3", f"/activity?page={huge}", "/activity?page=²"):
            assert client.get(path).status_code == 200, path
        assert client.get(f"/?page={huge}").text.count('name="id"') == len(ids)  # the last page
        confirm = client.post("/decide-all", data={"csrf": csrf, "action": "reject", "contact": "ada", "upto": huge})
        assert confirm.status_code == 303
        twice = [str(ids["GitHub"])] * 3 + [f" {ids['GitHub']} "]
        decided = client.post("/decide", data={"csrf": csrf, "action": "reject", "id": twice})
        assert decided.status_code == 303
        assert client.get(decided.headers["location"]).text.count("<tr class=") == 1  # one draft, once


def test_results_are_kept_per_session(review_server):
    ids = review_server.enrich("Ada Quinlan")
    with signed_in_client(review_server, who="Bo") as bo, signed_in_client(review_server) as ana:
        decided = bo.post(
            "/decide", data={"csrf": review_server.csrf(bo), "action": "reject", "id": str(ids["Twitter"])}
        )
        bos = decided.headers["location"]
        csrf = review_server.csrf(ana)
        first = ana.post("/decide", data={"csrf": csrf, "action": "reject"}).headers["location"]
        for _ in range(210):  # more than all sessions together could keep before
            last = ana.post("/decide", data={"csrf": csrf, "action": "reject"}).headers["location"]
        assert ana.get(last).status_code == 200 and ana.get(first).status_code == 404  # bounded per session
        assert ana.get(bos).status_code == 404  # another session's results are not shown
        kept = bo.get(bos)
        assert kept.status_code == 200 and "rejected" in kept.text  # not pushed out by another session
    results = review_server.app.state.review_results
    assert all(len(mine) <= results.per_session for mine in results._kept.values())
    shown = next(iter(next(iter(results._kept.values())).values()))["decisions"][0]
    assert type(shown).__name__ == "Shown"  # only what the page shows, not the service's objects


def test_the_activity_page_reads_one_page_in_the_order_of_the_exports(review_server, monkeypatch):
    from agent.review import pages_activity
    from agent.store_review import activity

    ada = review_server.enrich("Ada Quinlan")
    chiara = review_server.enrich("Chiara Valdes")
    review_server.settings.serve.page_size = 2
    with signed_in_client(review_server) as client:
        csrf = review_server.csrf(client)
        client.post("/decide", data={"csrf": csrf, "action": "approve", "id": [str(i) for i in ada.values()]})
        client.post("/decide", data={"csrf": csrf, "action": "reject", "id": [str(i) for i in chiara.values()]})
        everything = activity(review_server.store)

        def every_row(*args, **kwargs):
            raise AssertionError("the activity page read every row")

        monkeypatch.setattr(pages_activity, "activity", every_row)
        pages = -(-len(everything) // 2)
        shown = []
        for page in range(1, pages + 1):
            answer = client.get(f"/activity?page={page}")
            assert answer.status_code == 200 and f"page {page} of {pages}" in answer.text
            shown += pages_activity.activity_slice(review_server.store, 2, (page - 1) * 2)[0]
        assert shown == everything
        assert f"page {pages} of {pages}" in client.get("/activity?page=999").text


def test_activity_exports_are_signed_in_only_and_safe_for_spreadsheets(review_server):
    ids = review_server.enrich("Ada Quinlan")
    with signed_in_client(review_server, who="=cmd|' /C calc'!A0") as client:
        csrf = review_server.csrf(client)
        client.post(
            "/decide", data={"csrf": csrf, "action": "reject", "id": str(ids["Twitter"]), "note": "+SUM(A1:A9)"}
        )
        client.post("/decide", data={"csrf": csrf, "action": "approve", "id": str(ids["GitHub"]), "note": "-1"})
        exported = client.get("/activity.csv")
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        assert "attachment" in exported.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        notes = {r["action"]: r for r in rows if r["kind"] == "decision"}
        assert notes["reject"]["note"] == "'+SUM(A1:A9)" and notes["approve"]["note"] == "'-1"
        assert notes["reject"]["actor"].startswith("'=")
        assert any(r["kind"] == "post" and r["profile_id"] for r in rows)
        lines = [json.loads(line) for line in client.get("/activity.jsonl").text.splitlines()]
        assert {line["note"] for line in lines if line["kind"] == "decision"} == {"+SUM(A1:A9)", "-1"}
        page = client.get("/activity")
        assert "+SUM(A1:A9)" in page.text and "Webhook events" in page.text


def test_expired_or_foreign_sessions_are_refused_and_https_cookies_are_secure(review_server):
    import httpx
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    from agent.review.state import token_digest
    from agent.store_review import server_key

    key, _ = server_key(review_server.store, "session_key")
    hours = review_server.settings.serve.session_hours

    class Yesterday(TimestampSigner):
        def get_timestamp(self) -> int:
            return super().get_timestamp() - int(hours * 3600) - 60

    def cookie(signer=TimestampSigner, token=TOKEN) -> str:
        data = {"who": WHO, "csrf": "c", "sid": "s", "t": token_digest(token)[:16]}
        return URLSafeTimedSerializer(key, salt="zyntro-enrich.session", signer=signer).dumps(data)

    for value, works in ((cookie(), True), (cookie(Yesterday), False), (cookie(token="an-older-token"), False)):
        with httpx.Client(base_url=review_server.url, follow_redirects=False) as client:
            client.cookies.set("ze_session", value)
            assert (client.get("/").status_code == 200) is works

    async def over_https() -> httpx.Response:
        transport = httpx.ASGITransport(app=review_server.app)
        async with httpx.AsyncClient(transport=transport, base_url="https://review.example") as client:
            page = await client.get("/signin")
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            return await client.post("/signin", data={"csrf": csrf, "who": WHO, "token": TOKEN})

    answer = asyncio.run(over_https())
    assert answer.status_code == 303
    session = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("ze_session="))
    assert "Secure" in session and "HttpOnly" in session


def test_long_text_stays_in_its_column_and_webhook_events_are_listed(review_server, web):
    from agent.store_events import finish_event, record_event

    contact = review_server.world.contacts["Ada Quinlan"]
    word = "Unbroken" * 400
    payload = {
        "summary": f"Ada Quinlan {word}",
        "bio": " ".join([word] * 3),
        "source_url": f"https://a.example/{word}",
        "retrieved_at": "2026-01-02",
    }
    draft = ProfileDraft(
        contact_id=uuid.UUID(contact),
        profile_source="Long " * 40,
        payload=payload,
        provenance={"bio": Provenance(url=f"https://a.example/{word}", evidence=word)},
    )
    draft_id = review_server.store.save_draft("long", draft, payload_hash(payload), "queued_for_review")
    record_event(review_server.store, "evt-123", contact)
    finish_event(review_server.store, "evt-123", "failed", message="fetchContact answered 404")

    async def body(page):
        await sign_in(page, review_server)
        table = await page.locator("table.drafts").bounding_box()
        row = await _rows(page).first.bounding_box()
        assert table["width"] <= 1280 and row["height"] < 80, (table, row)
        await page.goto(f"{review_server.url}/drafts/{draft_id}")
        payload_box = await page.locator("table.payload").bounding_box()
        assert payload_box["width"] <= 1280, payload_box
        await page.goto(f"{review_server.url}/activity")
        events = page.locator("table.hooks tbody tr")
        await expect(events).to_have_count(1)
        await expect(events.first).to_contain_text("evt-123")
        await expect(events.first).to_contain_text("failed")
        await expect(events.first).to_contain_text("fetchContact answered 404")

    web(body)


def test_approve_without_zyntro_credentials_says_what_to_set_and_claims_nothing(review_server):
    import httpx

    from agent.config import ZyntroSettings
    from agent.review.state import token_digest
    from agent.review.web import create_app
    from agent.store_review import server_key

    ids = review_server.enrich("Ada Quinlan")
    settings = review_server.settings.model_copy(update={"zyntro": ZyntroSettings()})
    key, _ = server_key(review_server.store, "session_key")
    app = create_app(settings, review_server.store, token_digest(TOKEN), key, worker=False)

    async def approve() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://review.test") as client:
            csrf = re.search(r'name="csrf" value="([^"]+)"', (await client.get("/signin")).text).group(1)
            await client.post("/signin", data={"csrf": csrf, "who": WHO, "token": TOKEN})
            csrf = re.search(r'name="csrf" value="([^"]+)"', (await client.get("/")).text).group(1)
            decided = await client.post("/decide", data={"csrf": csrf, "action": "approve", "id": str(ids["GitHub"])})
            assert decided.status_code == 303
            return await client.get(decided.headers["location"])

    page = asyncio.run(approve())
    assert page.status_code == 200 and "ZYNTRO_API_KEY" in page.text
    assert review_server.store.draft(ids["GitHub"])["status"] == "queued_for_review"
    assert sum(review_server.world.stored().values()) == 0


def test_queue_and_activity_are_paged(review_server):
    ada = review_server.enrich("Ada Quinlan")
    chiara = review_server.enrich("Chiara Valdes")
    review_server.settings.serve.page_size = 2  # read on every request
    total = len(ada) + len(chiara)
    with signed_in_client(review_server) as client:
        first = client.get("/?sort=oldest")
        assert first.text.count('name="id"') == 2 and "page 1 of 3" in first.text
        assert re.search(r'href="/\?[^"]*sort=oldest[^"]*page=2"', first.text)  # the next page keeps the filters
        last = client.get("/?sort=oldest&page=3")
        assert last.text.count('name="id"') == total - 4 and "Next" not in last.text
        assert client.get("/?page=99").text.count('name="id"') == total - 4  # past the end: the last page
        csrf = review_server.csrf(client)
        client.post("/decide", data={"csrf": csrf, "action": "reject", "id": [str(i) for i in chiara.values()]})
        activity = client.get("/activity")
        assert "page 1 of 1" in activity.text and activity.text.count("<tr>") == 1 + len(chiara)
