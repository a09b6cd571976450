"""The report's two PNG plots (matplotlib, Agg backend: no display needed).

- latency vs clients: one panel per load shape, p99 of every stui_trio op (solid) and p50 of
  ping (dashed), with the echo baseline's ping p99 as the floor (dotted), log-log.
- memory vs clients: the server's RSS with every client connected, and RSS per client against
  the 256 KiB target.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def _series(data: dict[str, Any], target: str, shape: str, label: str,
            key: str) -> tuple[list[int], list[float]]:
    points = sorted((s["clients"], s["commands"][label][key] / 1000) for s in data["steps"]
                    if s["target"] == target and s["shape"] == shape and label in s["commands"])
    return [p[0] for p in points], [p[1] for p in points]


def latency_plot(data: dict[str, Any], path: Path) -> Path:
    shapes = data["settings"]["shapes"]
    fig, axes = plt.subplots(1, len(shapes), figsize=(6.5 * len(shapes), 4.8), squeeze=False)
    for ax, shape in zip(axes[0], shapes, strict=True):
        labels = sorted({k for s in data["steps"] if s["target"] == "stui_trio"
                         and s["shape"] == shape for k in s["commands"]})
        for label in labels:
            x, y = _series(data, "stui_trio", shape, label, "p99_us")
            ax.plot(x, y, marker="o", label=f"{label} p99")
        x, y = _series(data, "stui_trio", shape, "ping", "p50_us")
        if x:
            ax.plot(x, y, "k--", marker=".", label="ping p50")
        x, y = _series(data, "echo", shape, "ping", "p99_us")
        if x:
            ax.plot(x, y, color="grey", linestyle=":", marker="s", label="echo ping p99 (floor)")
        if shape == "paced":
            ax.axhline(50, color="red", linewidth=0.8, label="50 ms (evaluate p99 target)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("concurrent clients")
        ax.set_ylabel("latency (ms)")
        ax.set_title(f"{shape}: stui_trio latency vs clients")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def memory_plot(data: dict[str, Any], path: Path) -> Path:
    rows = sorted((s["clients"], s["rss_connected_kib"], s["rss_per_client_kib"])
                  for s in data["steps"] if s["target"] == "stui_trio" and s["shape"] ==
                  data["settings"]["shapes"][0] and s["rss_connected_kib"] is not None)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    if rows:
        x = [r[0] for r in rows]
        left.plot(x, [r[1] / 1024 for r in rows], marker="o", label="server RSS, connected")
        left.plot(x, [(r[1] - r[2] * r[0]) / 1024 for r in rows], "k:", marker=".",
                  label="fresh server (baseline)")
        right.plot(x, [r[2] for r in rows], marker="o", label="RSS per connected client")
        right.axhline(256, color="red", linewidth=0.8, label="256 KiB target")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xlabel("concurrent clients (one session each)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    left.set_ylabel("MiB")
    left.set_title("server RSS vs clients")
    right.set_ylabel("KiB per client")
    right.set_title("server RSS per connected client")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
