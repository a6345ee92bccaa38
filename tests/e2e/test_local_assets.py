"""Nothing is fetched from outside the machine (the app must work on an intranet): the page icon is a file of
the repo served by the app's own server, and no page load asks another host for anything."""

from __future__ import annotations

import urllib.parse

from browser import charts_drawn, open_app, record_outside_requests


def test_no_request_leaves_the_machine_and_the_icon_is_local(page: object, app_url: str) -> None:
    outside: set[str] = set()
    record_outside_requests(page, outside)
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    for path in ("portfolio", "planning", "branch"):
        open_app(page, path)
        charts_drawn(page)
    icon = page.locator("link[rel~='icon']").first.get_attribute("href")
    assert icon and urllib.parse.urljoin(app_url + "/", icon).startswith(app_url), icon
    assert not outside, sorted(outside)
    assert any(urllib.parse.urlparse(u).hostname == "127.0.0.1" for u in seen)  # the recorder did see requests
