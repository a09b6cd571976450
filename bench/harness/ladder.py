"""The ladder: for every rung N a fresh server, each load shape against the echo and stui_trio.

For every rung N (default 1, 5, 25, 50, 100, 500, 1000 clients) the harness starts a fresh
stui_trio server and reads its baseline RSS, then runs each load shape (paced, saturation)
twice with N simulated clients — against the plain pyzmq echo server (the transport's floor,
one process for the whole run) and against stui_trio — back to back so machine noise hits both
alike. :func:`step_config` is also what the profiled step uses.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from bench.harness.loadgen import StepConfig
from bench.harness.memory import rss_kib
from bench.harness.runner import StepResult, run_step
from bench.harness.servers import ServerHandle, stui_server
from bench.scenarios import Mix
from stui_trio.client import SocketKind

PACED_MAX_SECONDS = 40.0


def paced_seconds(base: float, clients: int, rate: float, min_samples: int) -> float:
    """A paced step's time bound: ``base``, longer at small N so that ~``min_samples`` ops
    are sent (N=1 at 1/s: 40 s), never longer than :data:`PACED_MAX_SECONDS`."""
    return max(base, min(PACED_MAX_SECONDS, min_samples / (clients * rate)))


@attrs.frozen
class LadderPlan:
    """Everything a ladder step needs besides the server: from the CLI's options."""

    clients: tuple[int, ...]
    shapes: tuple[str, ...]
    mix: Mix
    paced_seconds: float
    paced_min_samples: int
    saturation_seconds: float
    max_ops: int
    rate: float
    kind: SocketKind
    request_timeout: float
    seed: int
    processes: int

    def step_config(self, target: str, endpoint: str, clients: int, shape: str) -> StepConfig:
        return StepConfig(
            target=target, endpoint=endpoint, clients=clients, shape=shape, mix=self.mix,
            seconds=paced_seconds(self.paced_seconds, clients, self.rate,
                                  self.paced_min_samples)
            if shape == "paced" else self.saturation_seconds,
            max_ops=self.max_ops, rate=self.rate, kind=self.kind,
            request_timeout=self.request_timeout, seed=self.seed)


def run_ladder(plan: LadderPlan, echo: ServerHandle, endpoint: str | None,
               on_phase: Callable[[str], None], on_step: Callable[[], None]) -> list[StepResult]:
    """Every rung, every shape, echo then stui_trio; ``endpoint``: an external server."""
    steps: list[StepResult] = []
    for clients in plan.clients:
        with stui_server(endpoint, max_clients=max(plan.clients)) as stui:
            base = {"stui_trio": rss_kib(stui.pid)}
            for shape in plan.shapes:
                for target, server in (("echo", echo), ("stui_trio", stui)):
                    def phase(name: str, t: str = target, s: str = shape,
                              n: int = clients) -> None:
                        on_phase(f"N={n:<5} {s:10} {t:9} {name}")
                    steps.append(run_step(
                        plan.step_config(target, server.endpoint, clients, shape),
                        server_pid=server.pid, sessions_dir=server.sessions_dir,
                        rss_base_kib=base.get(target, rss_kib(server.pid)),
                        processes=plan.processes, on_phase=phase))
                    on_step()
    return steps
