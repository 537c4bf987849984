"""Sign-in: the Authorization header MLflow's own clients send (none, basic, or a bearer token)."""

from __future__ import annotations

from dataclasses import dataclass, field

import urllib3

AUTH_MODES = ("none", "basic", "token")


@dataclass(frozen=True)
class Auth:
    """How requests prove who sends them: as MLflow's own clients do (none, basic, bearer token)."""

    mode: str = "none"  # "none" | "basic" | "token"
    username: str = ""
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if self.mode not in AUTH_MODES:
            raise ValueError(f"unknown authentication {self.mode!r}; expected one of {AUTH_MODES}")

    def header(self) -> dict[str, str]:
        """Return the Authorization header for this authentication, if any."""
        if self.mode == "basic":
            basic = urllib3.make_headers(basic_auth=f"{self.username}:{self.password}")
            return {"Authorization": basic["authorization"]}
        if self.mode == "token":
            return {"Authorization": f"Bearer {self.token}"}
        return {}
