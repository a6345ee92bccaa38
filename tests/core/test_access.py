"""ACCESS.md's rules as a table: role x scope x operation, every cell asserted."""

from __future__ import annotations

import pytest

from rollout.core.access import ADMIN_ONLY, EDITOR_WRITES, LOCAL, OPERATIONS, Caller, cli_caller, regions_from_text
from rollout.core.errors import AccessDeniedError

EAST = frozenset({"EAST"})
CALLERS = {
    "viewer*": Caller("v@x.cn", "viewer", None),
    "viewer-east": Caller("ve@x.cn", "viewer", EAST),
    "editor*": Caller("e@x.cn", "editor", None),
    "editor-east": Caller("ee@x.cn", "editor", EAST),
    "admin-east": Caller("ae@x.cn", "admin", EAST),  # an admin's scope limits what it sees, not what it may do
    "admin*": Caller("a@x.cn", "admin", None),
}


def expected(who: str, operation: str, region: str | None) -> bool:
    """The rule, spelled out independently of Caller.refusal."""
    if who.startswith("admin"):
        return True
    if who.startswith("viewer") or operation in ADMIN_ONLY:
        return False
    if region is None:  # every region at once
        return who == "editor*"
    return who == "editor*" or region == "EAST"


@pytest.mark.parametrize("who", sorted(CALLERS))
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("region", ["EAST", "NORTH", None])
def test_every_role_scope_and_operation(who: str, operation: str, region: str | None) -> None:
    caller = CALLERS[who]
    allowed = expected(who, operation, region)
    assert caller.may(operation, region) is allowed
    if allowed:
        caller.check(operation, region)
    else:
        with pytest.raises(AccessDeniedError, match=caller.email):
            caller.check(operation, region)


def test_the_operation_lists_are_those_of_access_md() -> None:
    assert {"checklist", "staffing", "touchpoints", "lessons", "problems", "plans", "scenarios", "snapshots",
            "decisions", "raid", "deviations"} <= EDITOR_WRITES
    # programme_items: the RAID items of the whole programme are the administrators' (METRICS.md "RAID log")
    assert {"import", "settings", "users", "backup", "restore", "programme_items"} == ADMIN_ONLY
    with pytest.raises(ValueError, match="unknown operation"):
        LOCAL.check("delete_everything")


def test_scope_decides_what_exists() -> None:
    east = CALLERS["viewer-east"]
    assert east.sees("EAST") and not east.sees("NORTH") and not east.sees(None)
    assert CALLERS["viewer*"].sees("NORTH") and CALLERS["viewer*"].everywhere


def test_local_and_cli_are_administrators_of_everything() -> None:
    assert LOCAL.role == "admin" and LOCAL.everywhere and LOCAL.email == "local"
    cli = cli_caller()
    assert cli.email.startswith("cli:") and cli.role == "admin" and cli.everywhere


@pytest.mark.parametrize(("text", "scope"), [("*", None), ("", frozenset()), (None, frozenset()), ("EAST", EAST),
                                             (" EAST , NORTH ", frozenset({"EAST", "NORTH"}))])
def test_stored_scope_text(text: str | None, scope: frozenset[str] | None) -> None:
    assert regions_from_text(text) == scope


def test_an_administrator_has_no_region_and_an_empty_scope_sees_nothing() -> None:
    assert Caller("a@acme.cn", "admin", frozenset({"EAST"})).everywhere  # an old users row cannot narrow an admin
    nowhere = Caller("n@acme.cn", "editor", frozenset())
    assert not nowhere.everywhere and not nowhere.sees("EAST") and not nowhere.may("checklist", "EAST")
    assert not nowhere.may("snapshots")
