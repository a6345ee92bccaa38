"""The app's pages, declared once: app.py's navigation, page links and page switches all use these.

A page is declared as data (`PageDef`) and turned into a fresh `st.Page` each time one is needed:
Streamlit marks the st.Page objects of a run as runnable, so one object shared by every session
would be raced. Streamlit matches pages by their URL path, so every st.Page of a PageDef is the same
page. Nothing outside this module names a page by its file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.navigation.page import StreamlitPage

from rollout.core.access import Caller
from rollout.core.i18n import _
from rollout.core.labels import N_


@dataclass(frozen=True)
class PageDef:
    file: str  # relative to app.py
    title: str
    icon: str
    url_path: str
    default: bool = False
    needs: str | None = None  # an operation of rollout.core.access: shown only to callers who may do it

    def page(self) -> StreamlitPage:
        """This page as an st.Page (a new object each call; see the module docstring). The default page is
        served at the root: its own path is "", so that its name stays free for its alias (`alias`)."""
        return st.Page(self.file, title=self.name(), icon=self.icon, url_path="" if self.default else self.url_path,
                       default=self.default)

    def alias(self) -> StreamlitPage:
        """The default page at its name as well (/portfolio), not in the menu: Streamlit serves a default page
        at the root only, and a link or a bookmark naming it would open on "Page not found"."""
        return st.Page(self.file, title=self.name(), icon=self.icon, url_path=self.url_path, visibility="hidden")

    def name(self) -> str:
        """The page's title in the current language (title is the English message)."""
        return _(self.title)


PORTFOLIO = PageDef("pages/portfolio.py", N_("Portfolio"), ":material/dashboard:", "portfolio", default=True)
BRANCH = PageDef("pages/branch.py", N_("Branch"), ":material/store:", "branch")
EXECUTIVES = PageDef("pages/executives.py", N_("Executives"), ":material/handshake:", "executives")
STEERING = PageDef("pages/steering.py", N_("Steering pack"), ":material/slideshow:", "steering")
DECISIONS = PageDef("pages/decisions.py", N_("Go / no-go"), ":material/gavel:", "decisions")
STAFFING = PageDef("pages/staffing.py", N_("Staffing"), ":material/groups:", "staffing")
LESSONS = PageDef("pages/lessons.py", N_("Lessons"), ":material/school:", "lessons")
RAID = PageDef("pages/raid.py", N_("RAID and changes"), ":material/assignment_late:", "raid")
PLANNING = PageDef("pages/planning.py", N_("Launch planning"), ":material/calendar_month:", "planning")
DATA = PageDef("pages/data.py", N_("Data"), ":material/upload_file:", "data")
METHODOLOGY = PageDef("pages/methodology.py", N_("Methodology"), ":material/menu_book:", "methodology")
SETTINGS = PageDef("pages/settings.py", N_("Settings"), ":material/tune:", "settings")
NOTIFICATIONS = PageDef("pages/notifications.py", N_("Notifications"), ":material/notifications:", "notifications",
                        needs="settings")
ACCESS = PageDef("pages/access.py", N_("Access"), ":material/admin_panel_settings:", "access", needs="users")

PAGES: dict[str, tuple[PageDef, ...]] = {
    N_("CIO"): (PORTFOLIO, BRANCH, EXECUTIVES, STEERING, DECISIONS),
    N_("Rollout team"): (STAFFING, LESSONS, RAID, PLANNING, DATA),
    N_("Reference"): (METHODOLOGY, SETTINGS, NOTIFICATIONS, ACCESS),
}
ALL_PAGES = tuple(p for section in PAGES.values() for p in section)


def by_url_path(url_path: str) -> PageDef:
    """The page at /url_path ('portfolio' for the default page too)."""
    return next(p for p in ALL_PAGES if p.url_path == url_path)


def navigation(caller: Caller) -> StreamlitPage:
    """app.py's st.navigation over the caller's pages, grouped by who uses them; the page to run. Every page is
    listed (expanded): a collapsed menu ends in Streamlit's own "View 4 more", English in the Chinese interface."""
    return st.navigation({_(section): [view for p in pages if p.needs is None or caller.may(p.needs)
                                       for view in ((p.page(), p.alias()) if p.default else (p.page(),))]
                          for section, pages in PAGES.items()}, expanded=True)


def switch_to(target: PageDef, **query: str) -> NoReturn:
    """Open another page with these query parameters (the sidebar filters follow in the session)."""
    st.switch_page(target.page(), query_params=query or None)
    raise AssertionError("unreachable: st.switch_page always stops the run")


def link(target: PageDef, label: str, icon: str | None = None) -> None:
    """A link to another page (its own icon unless told); words naming the page when drawn outside the
    app's navigation (a section run alone in a test)."""
    try:
        st.page_link(target.page(), label=label, icon=icon or target.icon)
    except StreamlitAPIException:
        st.caption(_("{label}: the {page} page.").format(label=label, page=target.name()))
