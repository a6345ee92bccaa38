"""Who may see and change what (ACCESS.md): roles, region scope, and the one check every write makes.

A `Caller` is the person behind a read or a write: a signed-in email, the local user of a laptop, or
the command line's operator. Every rule about roles and scope is decided here, once; the store and
the layers above ask `caller.check(...)` before they write and filter reads by `caller.regions`.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from rollout.core.errors import AccessDeniedError
from rollout.core.i18n import _

ROLES = ("viewer", "editor", "admin")
ALL_REGIONS = "*"

# What an editor may change, for branches in its scope (ACCESS.md "Roles").
EDITOR_WRITES = frozenset({
    "checklist", "staffing", "touchpoints", "lessons", "problems", "plans", "scenarios", "snapshots", "decisions",
    "kickoffs", "consultant_days", "daily_entries", "acceptance", "raid", "deviations",
})
# What only an administrator may do: they act on every branch at once, or on who may do what.
# "programme_items": the RAID items of the whole programme (no branch), the administrators' (METRICS.md "RAID log").
ADMIN_ONLY = frozenset({"import", "settings", "users", "backup", "restore", "programme_items"})
OPERATIONS = EDITOR_WRITES | ADMIN_ONLY


@dataclass(frozen=True)
class Caller:
    """A person and what they may do: role and the regions they see (None: every region)."""

    email: str
    role: str
    regions: frozenset[str] | None = None

    def __post_init__(self) -> None:
        # An administrator's scope is every region (ACCESS.md "Roles"): a region given with the role (an old
        # users row) does not narrow what it reads nor what its saved scenarios and snapshots record.
        if self.role == "admin" and self.regions is not None:
            object.__setattr__(self, "regions", None)

    @property
    def everywhere(self) -> bool:
        return self.regions is None

    def sees(self, region_code: str | None) -> bool:
        """Whether a branch (or executive, person, problem) of this region exists for the caller."""
        return self.regions is None or (region_code is not None and region_code in self.regions)

    def refusal(self, operation: str, region_code: str | None = None) -> str | None:
        """Why the caller may not do this (None: allowed). region_code None means every region at once."""
        if operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}")
        if self.role == "admin":
            return None
        if operation in ADMIN_ONLY:
            return _("only an administrator may change {operation}").format(operation=operation)
        if self.role != "editor":
            return _("a viewer may not change anything")  # the one role left: viewer
        if region_code is None and not self.everywhere:
            return _("{operation} across every region needs a scope of all regions").format(operation=operation)
        if not self.sees(region_code):
            return _("region {region} is outside your scope").format(region=region_code)
        return None

    def may(self, operation: str, region_code: str | None = None) -> bool:
        return self.refusal(operation, region_code) is None

    def check(self, operation: str, region_code: str | None = None) -> None:
        """Raise AccessDeniedError when the caller may not do this."""
        reason = self.refusal(operation, region_code)
        if reason is not None:
            raise AccessDeniedError(f"{self.email}: {reason}")


def regions_from_text(text: str | None) -> frozenset[str] | None:
    """The stored form ('*' or 'EAST,NORTH') as a scope (None: every region). Only '*' means every region:
    an empty or missing scope means no region at all (the user sees nothing), never all. Region codes hold
    neither '*' nor ',' (rollout.core.typed.region_code_refusal), so the text reads back as the set it was."""
    text = (text or "").strip()
    if text == ALL_REGIONS:
        return None
    return frozenset(part.strip() for part in text.split(",") if part.strip())


def regions_to_text(regions: frozenset[str] | None) -> str:
    return ALL_REGIONS if regions is None else ",".join(sorted(regions))


LOCAL = Caller("local", "admin", None)


def cli_caller() -> Caller:
    """The command line runs as the operating-system operator, with admin rights (ACCESS.md)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container, say)
        user = "unknown"
    return Caller(f"cli:{user}", "admin", None)
