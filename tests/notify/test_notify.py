"""NOTIFY.md against real parts: the sample store on both engines, a real SMTP server (aiosmtpd), robot
endpoints that check each platform's JSON and signature, the CLI in-process with `--now` for the clock."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from rollout import cli
from rollout.notify import outbox
from rollout.notify import run as notify
from rollout.notify.channels import RateLimiter, fit
from rollout.notify.config import NotifyConfig, parse_config
from rollout.notify.render import Line, as_text, escape_markdown
from rollout.notify.rules import due_rules, period
from rollout.store.db import Database

MONDAY = date(2026, 11, 23)
WECOM_KEY = "wecomKEY-7f3a9c21"
DING_TOKEN = "dingTOKEN-55aa0912"
EAST_BRANCHES = {"B01", "B04", "B07", "B10", "PIL"}
OTHER_BRANCHES = {"B02", "B03", "B05", "B06", "B08", "B09", "B11"}
OTHER_NAMES = {"济南分公司", "南京分公司", "宁波分公司", "成都分公司", "西安分公司", "昆明分公司", "无锡分公司"}


def at(local: str) -> datetime:
    """A moment given in UTC (as --now may be), from a Shanghai wall-clock time on the Monday."""
    return datetime.fromisoformat(f"2026-11-23T{local}+08:00").astimezone(datetime.fromisoformat(
        "2026-01-01T00:00:00+00:00").tzinfo)


def prepare(db: Database) -> None:
    """Owners, project managers and users with addresses on the sample (B04 and B01 are EAST, B02 WEST)."""
    with db.transaction() as cur:
        cur.execute("UPDATE people SET email = 'li.na@example.cn' WHERE person_code = 'P011'")  # B04
        cur.execute("UPDATE people SET email = 'pm.b04@example.cn' WHERE person_code = 'P010'")  # B04's PM
        cur.execute("UPDATE people SET email = 'bad address@example.cn' WHERE person_code = 'P015'")  # B06's PM
        cur.execute("UPDATE people SET email = 'wang@example.cn' WHERE person_code = 'P005'")  # B02, active
        cur.execute("UPDATE checklist SET owner = ' p011 ' WHERE item_code = 'B04-04'")  # trimmed, any case
        cur.execute("UPDATE problems SET owner = '员工5' WHERE problem_code = 'PR008'")  # B02, by name
        for email, role, regions, lang in (("hq@example.cn", "admin", "*", None),
                                           ("east@example.cn", "viewer", "EAST", None),
                                           ("west@example.cn", "editor", "WEST", "en")):
            cur.execute("INSERT INTO users VALUES (?, NULL, ?, ?, TRUE, ?, 'test')",
                        [email, role, regions, datetime(2026, 11, 1)])
            if lang:
                cur.execute("INSERT INTO notify_preferences VALUES (?, ?, '', ?)", [email, lang, datetime(2026, 11, 1)])


def config(smtp: Any = None, robots: Any = None, **robot_sections: dict[str, Any]) -> NotifyConfig:
    section: dict[str, Any] = {"app_url": "https://rollout.example.cn", "timezone": "Asia/Shanghai", "lang": "zh"}
    if smtp is not None:
        section["smtp"] = {"host": "127.0.0.1", "port": smtp.port, "security": "none", "username": smtp.user,
                           "password": smtp.password, "sender": "ERP rollout <rollout@example.cn>"}
    if robots is not None:
        section["robots"] = {name: {**values, "url": values["url"].replace("PORT", str(robots.port))}
                             for name, values in robot_sections.items()}
    return parse_config({"notify": section})


EAST_WECOM = {"kind": "wecom", "url": f"http://127.0.0.1:PORT/wecom/send?key={WECOM_KEY}", "regions": ["EAST"]}


@pytest.fixture
def store(sample_db: Database) -> Database:
    prepare(sample_db)
    return sample_db


def test_due_times_and_keys() -> None:
    """Nothing before 08:30 local; the robots from 09:00 on workdays; the brief on Mondays; weekly key = ISO week."""
    def local(text: str) -> datetime:
        return datetime.fromisoformat(text)
    assert due_rules(local("2026-11-23T08:29:59")) == []
    assert due_rules(local("2026-11-23T08:30:00")) == ["my_items", "weekly_brief"]
    assert due_rules(local("2026-11-23T09:00:00")) == ["my_items", "weekly_brief", "region_daily"]
    assert due_rules(local("2026-11-24T09:30:00")) == ["my_items", "region_daily"]
    assert due_rules(local("2026-11-28T10:00:00")) == []  # Saturday
    assert period("weekly_brief", date(2026, 11, 26)) == "2026-W48" == period("weekly_brief", MONDAY)
    assert period("my_items", MONDAY) == "2026-11-23"


@pytest.mark.slow
def test_owner_resolution_unrouted_and_bad_addresses(store: Database) -> None:
    """The owner by person code (trimmed, any case) or name; else the branch's project managers; a bad
    address is reported and never used; nobody: unrouted."""
    due = notify.preview(store, config(), at("08:31"))
    mine = {c.recipient.address: sorted(i["code"] for i in c.facts["items"]) for c in due.contents
            if c.rule == "my_items"}
    assert mine == {"li.na@example.cn": ["B04-04"], "pm.b04@example.cn": ["B04-01", "B04-05"],
                    "wang@example.cn": ["PR008"]}
    unrouted = {i["code"] for i in due.unrouted}
    assert {"B03-01", "B03-05", "B06-02", "PR001", "PR002"} <= unrouted and not unrouted & {"B04-04", "PR008"}
    assert due.bad_addresses == [{"person_code": "P015", "address": "bad address@example.cn"}]
    assert {c.recipient.address for c in due.contents if c.rule == "weekly_brief"} == {
        "hq@example.cn", "east@example.cn", "west@example.cn"}
    with store.transaction() as cur:  # the owner of a WEST problem is an app user who sees EAST only
        cur.execute("UPDATE people SET email = 'east@example.cn' WHERE person_code = 'P005'")
    due = notify.preview(store, config(), at("08:31"))
    assert "east@example.cn" not in {c.recipient.address for c in due.contents if c.rule == "my_items"}


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def secrets_file(folder: Path, smtp: Any, robots: Any) -> Path:
    path = folder / "secrets.toml"
    path.write_text(f"""
[notify]
app_url = "https://rollout.example.cn"
timezone = "Asia/Shanghai"
lang = "zh"
[notify.smtp]
host = "127.0.0.1"
port = {smtp.port}
security = "none"
username = "{smtp.user}"
password = "{smtp.password}"
sender = "ERP rollout <rollout@example.cn>"
[notify.robots.east]
kind = "wecom"
url = "http://127.0.0.1:{robots.port}/wecom/send?key={WECOM_KEY}"
regions = ["EAST"]
""", encoding="utf-8")
    return path


@pytest.mark.slow
def test_five_moment_day(store: Database, smtp_server: Any, robots: Any, tmp_path: Path) -> None:
    """The Monday of NOTIFY.md, --now in UTC: nothing before 08:30 local; e-mail from 08:30; the robot from
    09:00, refused once and tried again; a later run sends nothing twice."""
    secrets = secrets_file(tmp_path, smtp_server, robots)
    location = store.path
    store.close()

    def run(moment: str) -> tuple[int, str, str]:
        return run_cli("notify", "run", "--db", location, "--secrets", str(secrets), "--now", at(moment).isoformat())

    assert run("08:00")[0] == 0
    assert smtp_server.messages == [] and robots.received == []
    code, out, _err = run_cli("notify", "preview", "--db", location, "--secrets", str(secrets), "--json", "--now",
                              at("08:31").isoformat())
    shown = json.loads(out)
    assert code == 0 and shown["day"] == "2026-11-23" and shown["rules"] == ["my_items", "weekly_brief"]
    assert len(shown["messages"]) == 6 and shown["bad_addresses"][0]["person_code"] == "P015"
    assert smtp_server.messages == []  # a preview sends nothing
    code, out, _err = run("08:31")
    assert code == 0, out
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        ["li.na@example.cn", "pm.b04@example.cn", "wang@example.cn", "hq@example.cn", "east@example.cn",
         "west@example.cn"])
    assert robots.received == []
    robots.answers.append({"errcode": 45009, "errmsg": "api freq out of limit"})
    code, out, _err = run("09:01")
    assert code == 0 and len(robots.received) == 1
    assert run("09:01")[0] == 0 and len(robots.received) == 1  # its retry is due at 09:02, not before
    assert run("09:03")[0] == 0 and len(robots.received) == 2
    assert run("09:16")[0] == 0 and run("12:00")[0] == 0
    assert len(smtp_server.messages) == 6 and len(robots.received) == 2 and robots.problems == []
    code, out, _err = run_cli("notify", "status", "--db", location, "--json")
    rows = json.loads(out)
    assert code == 0 and {r["status"] for r in rows} == {"sent"} and len(rows) == 7
    assert [r["attempts"] for r in rows if r["rule"] == "region_daily"] == [2]
    sent = "".join(m.as_string() for m in smtp_server.messages)
    sent += json.dumps([r["body"] for r in robots.received], ensure_ascii=False)
    for secret in (smtp_server.password, WECOM_KEY):
        assert secret not in out and secret not in sent


@pytest.mark.slow
def test_messages_say_what_matters_and_escape_data(store: Database, smtp_server: Any) -> None:
    """The subject is the most important line; items by branch and item code with a link; data escaped in
    HTML and in markdown; the reader's language."""
    with store.transaction() as cur:
        cur.execute("UPDATE checklist SET title = ? WHERE item_code = 'B04-01'", ["<script>x</script> [x](http://evil)"])
    cfg = config(smtp_server)
    report = notify.run(store, cfg, at("08:31"))
    assert report.failed == [] and report.sent == 6
    pm = smtp_server.to("pm.b04@example.cn")[0]
    assert pm["Subject"] == "苏州分公司有 2 项逾期事项"
    assert pm["List-Unsubscribe"] == "<https://rollout.example.cn/settings>"
    text = pm.get_body(("plain",)).get_content()
    html = pm.get_body(("html",)).get_content()
    assert "B04 B04-01" in text and "https://rollout.example.cn/branch?branch=B04" in text
    assert "<script>" not in html and "&lt;script&gt;" in html
    west = smtp_server.to("west@example.cn")[0]
    assert west.get_body(("plain",)).get_content().count("Weekly brief as of") == 1  # en, its preference
    assert escape_markdown("[x](http://evil)") == r"\[x\]\(http://evil\)"


@pytest.mark.slow
def test_scoped_brief_and_pack_hold_only_their_regions(store: Database, smtp_server: Any) -> None:
    """The EAST viewer's brief and its attached pack name no branch of another region; the editor gets no pack."""
    notify.run(store, config(smtp_server), at("08:31"))
    east = smtp_server.to("east@example.cn")[0]
    attachments = list(east.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["steering-pack-2026-11-23.pptx"]
    with zipfile.ZipFile(io.BytesIO(attachments[0].get_content())) as pptx:
        slides = " ".join(pptx.read(n).decode("utf-8") for n in pptx.namelist() if n.startswith("ppt/slides/slide"))
    body = east.get_body(("plain",)).get_content() + east.get_body(("html",)).get_content()
    for text in (slides, body):
        assert not [code for code in OTHER_BRANCHES if code in text]
        assert not [name for name in OTHER_NAMES if name in text]
    assert "B04" in slides
    assert list(smtp_server.to("west@example.cn")[0].iter_attachments()) == []
    assert len(list(smtp_server.to("hq@example.cn")[0].iter_attachments())) == 1


@pytest.mark.slow
def test_retries_then_failed_and_exit_4(store: Database, smtp_server: Any, robots: Any, tmp_path: Path) -> None:
    """A robot that keeps refusing is tried after 1, 5, 15 and 60 minutes, then failed: exit 4, the error
    recorded without the robot's key."""
    secrets = secrets_file(tmp_path, smtp_server, robots)
    location = store.path
    store.close()
    robots.answers.extend([{"errcode": 93000, "errmsg": f"invalid webhook url key={WECOM_KEY}"}] * 5)
    start = at("09:05")
    codes = []
    for minutes in (0, 1, 6, 21, 81):
        codes.append(run_cli("notify", "run", "--db", location, "--secrets", str(secrets), "--now",
                             (start + timedelta(minutes=minutes)).isoformat()))
    assert [c[0] for c in codes] == [0, 0, 0, 0, 4]
    assert len(robots.received) == 5
    assert "93000" in codes[-1][2] and WECOM_KEY not in codes[-1][2]
    _code, out, _ = run_cli("notify", "status", "--db", location, "--json")
    failed = [r for r in json.loads(out) if r["status"] == "failed"]
    assert len(failed) == 1 and "93000" in failed[0]["error"] and WECOM_KEY not in out


@pytest.mark.slow
def test_killed_between_send_and_mark_resends_only_that_one(store: Database, smtp_server: Any) -> None:
    """A row claimed by a run that died is taken again after the lease: that one message goes out once
    more, no other."""
    cfg = config(smtp_server)
    due = notify.preview(store, cfg, at("08:31"))
    outbox.queue(store, notify.outbox_rows(due, cfg), at("08:31"))
    dead = outbox.claim(store, MONDAY, at("08:31"), "dead-runner")
    notify.deliver_row(store, cfg, dead, RateLimiter())  # sent, then the process "dies" before marking
    notify.deliver(store, cfg, at("08:32"))
    assert len(smtp_server.messages) == 6  # the claimed row waits for its lease
    notify.deliver(store, cfg, at("08:32") + outbox.CLAIM_LEASE)
    assert len(smtp_server.messages) == 7
    assert len(smtp_server.to(dead.recipient)) == 2
    assert outbox.counts(store)["sent"] == 6


@pytest.mark.slow
def test_two_runs_at_once_send_each_row_once(stores: Any, sample_store: str, smtp_server: Any) -> None:
    """Two processes' runs on PostgreSQL at the same moment: every row is claimed and sent by one of them."""
    if stores.kind != "server":
        pytest.skip("the server engine's row claim (the file has one writer)")
    location = stores.copy(sample_store)
    cfg = config(smtp_server)
    try:
        with Database(location) as db:
            rows = [{"rule": "my_items", "recipient": f"p{n}@example.cn", "period": "2026-11-23", "day": MONDAY,
                     "channel": "email", "lang": "zh", "scope": "*", "attach_pack": False, "subject": f"m{n}",
                     "body_text": "x", "body_html": None} for n in range(30)]
            assert outbox.queue(db, rows, at("08:31")) == 30
            assert outbox.queue(db, rows, at("08:40")) == 0  # the key holds
        barrier = threading.Barrier(2)
        reports: list[Any] = []

        def worker(name: str) -> None:
            with Database(location) as db:
                barrier.wait()
                reports.append(notify.deliver(db, cfg, at("08:31"), runner=name))

        threads = [threading.Thread(target=worker, args=(f"runner-{n}",)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(m["To"] for m in smtp_server.messages) == sorted(r["recipient"] for r in rows)
        assert sum(r.sent for r in reports) == 30
    finally:
        stores.drop(location)


def test_robot_shapes_and_signatures(robots: Any) -> None:
    """WeCom, DingTalk (signed in the URL) and Feishu (signed in the body) as the platforms document them;
    a refusal is read from the JSON; a long text is cut at a line with "+N more"."""
    cfg = config(robots=robots, east=EAST_WECOM,
                 ding={"kind": "dingtalk", "secret": "SECdingtalk-secret-4711", "lang": "en",
                       "url": f"http://127.0.0.1:PORT/dingtalk/robot/send?access_token={DING_TOKEN}"},
                 fei={"kind": "feishu", "secret": "feishu-secret-0815",
                      "url": "http://127.0.0.1:PORT/feishu/hook/0f1e2d3c"})
    for name in ("east", "ding", "fei"):
        notify.send_test(cfg, at("10:00"), robot=name)
    assert [r["kind"] for r in robots.received] == ["wecom", "dingtalk", "feishu"] and robots.problems == []
    assert robots.received[1]["query"]["access_token"] == DING_TOKEN
    assert "Test message" in robots.received[1]["body"]["markdown"]["title"]
    robots.answers.append({"code": 19021, "msg": "sign match fail or timestamp is not within one hour"})
    with pytest.raises(Exception, match="19021") as refused:
        notify.send_test(cfg, at("10:00"), robot="fei")
    assert "feishu-secret" not in str(refused.value)
    long = "\n".join(f"- line {n} " + "x" * 100 for n in range(100))
    cut = fit(long, 4096, "https://rollout.example.cn/portfolio")
    assert len(cut.encode()) <= 4096 and cut.splitlines()[-1].startswith("+") and "portfolio" in cut


def test_rate_limit_twenty_a_minute() -> None:
    clock = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    limiter = RateLimiter(clock=lambda: clock[0], sleep=sleep)
    for _ in range(21):
        limiter.wait("east")
        clock[0] += 0.5
    assert waits == [pytest.approx(50.0)]


def test_smtp_errors_hold_no_password(smtp_server: Any) -> None:
    wrong = config(smtp_server)
    wrong = NotifyConfig(wrong.app_url, wrong.timezone, wrong.lang,
                         type(wrong.smtp)(**{**wrong.smtp.__dict__, "password": "Wrong-Secret-771"}), ())
    with pytest.raises(Exception, match="535") as refused:
        notify.send_test(wrong, at("10:00"), to="hq@example.cn")
    assert "Wrong-Secret-771" not in str(refused.value)
    with pytest.raises(Exception, match="not a usable e-mail address"):
        notify.send_test(config(smtp_server), at("10:00"), to="a@b.cn\nBcc: x@evil.cn")
    notify.send_test(config(smtp_server), at("10:00"), to="hq@example.cn")
    assert [m["To"] for m in smtp_server.messages] == ["hq@example.cn"]


def add_actions(db: Database) -> None:
    """RAID actions around the Monday D = 2026-11-23: branch ones in EAST and WEST, programme-wide ones (no
    branch) owned by a person, an app user, nobody known; the edges due on D, due on D + 3, D + 4, closed on D."""
    with db.transaction() as cur:
        cur.execute("UPDATE raid SET due_date = DATE '2026-11-25', owner = 'LI.NA@example.cn' WHERE raid_code = 'R025'")
        cur.execute("UPDATE people SET email = 'east@example.cn' WHERE person_code = 'P022'")  # B08, WEST
        cur.execute("UPDATE raid SET owner = 'P022' WHERE raid_code = 'R044'")  # B08, overdue since 11-21
        cur.execute("UPDATE people SET email = 'west@example.cn' WHERE person_code = 'P037'")  # B11, WEST
        cur.execute("UPDATE raid SET owner = '员工37' WHERE raid_code = 'R056'")  # B11, overdue since 11-10
        for code, owner, due, closed in (("R900", "hq@example.cn", "2026-11-20", None),
                                         ("R901", "员工11", "2026-11-26", None),
                                         ("R902", "CIO", "2026-11-22", None),
                                         ("R903", "hq@example.cn", "2026-11-27", None),
                                         ("R904", "hq@example.cn", "2026-11-22", "2026-11-23"),
                                         ("R905", "east@example.cn", "2026-11-23", None)):
            cur.execute("INSERT INTO raid (raid_code, kind, branch_code, title, owner, raised_on, due_date, status, "
                        "closed_on) VALUES (?, 'action', NULL, ?, ?, DATE '2026-11-02', ?, ?, ?)",
                        [code, f"programme action {code}", owner, date.fromisoformat(due),
                         "closed" if closed else "open", date.fromisoformat(closed) if closed else None])


@pytest.mark.slow
def test_raid_actions_join_my_items(store: Database, smtp_server: Any) -> None:
    """Actions overdue or due within 3 days reach their owner (person of the branch, else the branch's project
    managers, else unrouted); programme-wide ones a person of any branch or an app user so named; an EAST
    recipient never gets another region's action; each named by branch code and RAID code, linked."""
    add_actions(store)
    due = notify.preview(store, config(), at("08:31"))
    mine = {c.recipient.address: sorted(i["code"] for i in c.facts["items"]) for c in due.contents
            if c.rule == "my_items"}
    assert mine == {"li.na@example.cn": ["B04-04", "R025", "R901"], "pm.b04@example.cn": ["B04-01", "B04-05"],
                    "wang@example.cn": ["PR008"], "west@example.cn": ["R056"], "hq@example.cn": ["R900"],
                    "east@example.cn": ["R905"]}  # not R044 of WEST, though its owner's address
    unrouted = {i["code"] for i in due.unrouted}
    assert {"R001", "R014", "R902"} <= unrouted  # R001: a live branch's action is still chased
    assert not unrouted & {"R025", "R044", "R056", "R900", "R901", "R903", "R904", "R905"}
    kinds = {i["code"]: (i["kind"], i["days"]) for c in due.contents if c.rule == "my_items" for i in c.facts["items"]}
    assert kinds["R025"] == ("action_due_soon", 2) and kinds["R901"] == ("action_due_soon", 3)
    assert kinds["R905"] == ("action_due_soon", 0) and kinds["R900"] == ("action_overdue", 3)

    report = notify.run(store, config(smtp_server), at("08:31"))
    assert report.failed == [] and report.sent == 9
    hq = smtp_server.to("hq@example.cn")
    hq_mail = next(m for m in hq if "R900" in m.get_body(("plain",)).get_content())
    assert hq_mail["Subject"] == "整个推广项目有 1 项逾期事项"
    text = hq_mail.get_body(("plain",)).get_content()
    assert "项目级 R900 programme action R900" in text and "https://rollout.example.cn/raid" in text
    li = smtp_server.to("li.na@example.cn")[0].get_body(("plain",)).get_content()
    assert "B04 R025" in li and "https://rollout.example.cn/branch?branch=B04" in li and "项目级 R901" in li
    east = smtp_server.to("east@example.cn")
    east_mail = next(m for m in east if "R905" in m.get_body(("plain",)).get_content())
    body = east_mail.get_body(("plain",)).get_content() + east_mail.get_body(("html",)).get_content()
    assert "R044" not in body and not [code for code in OTHER_BRANCHES if code in body]
    west = smtp_server.to("west@example.cn")
    west_text = "".join(m.get_body(("plain",)).get_content() for m in west)
    assert "B11 R056" in west_text and "Overdue action items" in west_text  # en, its preference


def test_a_message_without_a_footer_ends_with_its_last_item() -> None:
    """A robot's text has no unsubscribe footer: no signature dash left hanging; an e-mail's keeps it."""
    lines = [Line("{count} branches need attention", {"count": 2}, kind="head"),
             Line("{code}: overdue", {"code": "B01"}, link="http://localhost:8501/branch?branch=B01")]
    robot = as_text(lines, [])
    assert robot.rstrip().endswith("B01: overdue http://localhost:8501/branch?branch=B01") and "--" not in robot
    mail = as_text(lines, [Line("Unsubscribe on Settings", {}, link="http://localhost:8501/settings")])
    assert mail.rstrip().endswith("--\nUnsubscribe on Settings http://localhost:8501/settings")
