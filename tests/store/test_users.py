"""rollout/store/users.py: the users table, bootstrap admins, the last-admin rule, and the audit trail."""

from __future__ import annotations

import pytest

from rollout.core.access import LOCAL, Caller
from rollout.core.errors import AccessDeniedError, NotFoundError, RolloutError
from rollout.store import users

from support import make_db

REGIONS = [{"region_code": "EAST", "region_name": "华东区"}, {"region_code": "NORTH", "region_name": "华北区"}]


@pytest.fixture
def db():
    database = make_db(regions=REGIONS)
    yield database
    database.close()


def audit(db, table: str = "users") -> list[tuple]:
    return db.rows("SELECT actor, action, row_key FROM audit_log WHERE table_name = ? ORDER BY audit_id", [table])


def test_a_user_is_added_with_role_and_scope_and_signs_in_as_such(db) -> None:
    users.add_user(db, LOCAL, " Li.Lei@ACME.cn ", "editor", ["EAST"], name="李雷")
    caller = users.caller_for(db, "li.lei@acme.cn")
    assert caller == Caller("li.lei@acme.cn", "editor", frozenset({"EAST"}))
    assert users.caller_for(db, "LI.LEI@acme.CN") == caller  # the email claim is matched lower-cased
    row = users.list_users(db).iloc[0]
    assert (row["name"], row["regions"], bool(row["active"]), row["created_by"]) == ("李雷", "EAST", True, "local")
    assert audit(db) == [("local", "insert", '{"email": "li.lei@acme.cn"}')]


def test_no_region_means_every_region_and_a_change_is_an_update(db) -> None:
    users.add_user(db, LOCAL, "cio@acme.cn", "viewer")
    assert users.caller_for(db, "cio@acme.cn").everywhere
    users.add_user(db, LOCAL, "cio@acme.cn", "editor", ["NORTH"])
    assert users.caller_for(db, "cio@acme.cn") == Caller("cio@acme.cn", "editor", frozenset({"NORTH"}))
    assert [a[1] for a in audit(db)] == ["insert", "update"]
    with pytest.raises(RolloutError, match="an administrator sees every region"):  # an admin's scope is everything
        users.add_user(db, LOCAL, "cio@acme.cn", "admin", ["NORTH"])
    assert users.caller_for(db, "cio@acme.cn").role == "editor"


@pytest.mark.parametrize(("email", "role", "regions", "message"), [
    ("not-an-email", "viewer", [], "not an email"),
    ("a@x.cn", "owner", [], "not a role"),
    ("a@x.cn", "viewer", ["WEST"], "unknown region WEST"),
])
def test_bad_users_are_refused_and_nothing_is_written(db, email, role, regions, message) -> None:
    with pytest.raises(RolloutError, match=message):
        users.add_user(db, LOCAL, email, role, regions)
    assert users.list_users(db).empty and audit(db) == []


def test_unknown_and_removed_users_have_no_access(db) -> None:
    assert users.caller_for(db, "nobody@acme.cn") is None
    assert users.caller_for(db, "") is None
    users.add_user(db, LOCAL, "a@acme.cn", "admin")
    users.add_user(db, LOCAL, "v@acme.cn", "viewer")
    users.remove_user(db, LOCAL, "v@acme.cn")
    assert users.caller_for(db, "v@acme.cn") is None
    assert len(users.list_users(db)) == 2  # kept, inactive, for the audit trail
    with pytest.raises(NotFoundError):
        users.remove_user(db, LOCAL, "v@acme.cn")


def test_the_last_active_admin_cannot_be_removed_or_demoted(db) -> None:
    users.add_user(db, LOCAL, "a@acme.cn", "admin")
    with pytest.raises(RolloutError, match="last active administrator"):
        users.remove_user(db, LOCAL, "a@acme.cn")
    with pytest.raises(RolloutError, match="last active administrator"):
        users.add_user(db, LOCAL, "a@acme.cn", "viewer")
    users.add_user(db, LOCAL, "b@acme.cn", "admin")
    users.remove_user(db, LOCAL, "a@acme.cn")
    assert users.caller_for(db, "b@acme.cn").role == "admin"


def test_bootstrap_admins_are_admins_of_everything_without_a_row(db) -> None:
    admins = users.bootstrap_admins(" Boss@Acme.cn ,ops@acme.cn,")
    assert admins == {"boss@acme.cn", "ops@acme.cn"}
    assert users.caller_for(db, "BOSS@acme.cn", admins) == Caller("boss@acme.cn", "admin", None)


def test_only_admins_administer_users_and_refusals_are_audited(db) -> None:
    editor = Caller("e@acme.cn", "editor", None)
    with pytest.raises(AccessDeniedError) as refused:
        users.add_user(db, editor, "x@acme.cn", "admin")
    assert users.list_users(db).empty
    rows = db.rows("SELECT actor, action, table_name, new_value FROM audit_log WHERE action = 'refused'")
    assert rows == [("e@acme.cn", "refused", "users", str(refused.value))]
    assert "administrator" in rows[0][3]
