"""Fault injection for the crash tests: `NIANBAO_FAULT=<stage>` makes the run kill itself with
SIGKILL when it reaches that point, as an OOM kill, `kill -9` or a power loss would.

Stages: read, build, checks, render, publish (and publish-swap, between the steps of a publish
whose warehouse lives outside the run folder). Unset in normal use: `maybe_die` then does nothing.
"""

from __future__ import annotations

import os
import signal

STAGES = ("read", "build", "checks", "render", "publish", "publish-swap")


def maybe_die(stage: str) -> None:
    """SIGKILL this process (and so leave everything as a crash would) when NIANBAO_FAULT names `stage`."""
    if os.environ.get("NIANBAO_FAULT") == stage:
        os.kill(os.getpid(), signal.SIGKILL)
