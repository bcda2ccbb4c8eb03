"""Lighthouse with its mobile defaults (simulated slow 4G, 4x CPU slowdown) on Debian's Chromium.

`make bench` calls ``audit`` while gunicorn serves the bench's data; the
Lighthouse version is pinned in tests/node/package.json (12.2.3: newer
releases need Node 22).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]
NODE = BASE / "tests/node"
LIGHTHOUSE = NODE / "node_modules/.bin/lighthouse"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
CATEGORIES = ("performance", "accessibility", "best-practices")
TARGETS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0}
METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
)


def available():
    """Install the pinned Lighthouse if npm can; say why not otherwise."""
    if not shutil.which(CHROMIUM):
        return f"no Chromium at {CHROMIUM}"
    if not LIGHTHOUSE.exists():
        if not shutil.which("npm"):
            return "npm is missing"
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=NODE, check=True)
    return None


def audit(base_url: str, pages: list[tuple[str, str, str | None]]) -> list[dict]:
    """Run Lighthouse on each (label, path, session cookie) and return scores and metrics."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as work:
        for label, path, cookie in pages:
            report = Path(work) / "report.json"
            command = [
                str(LIGHTHOUSE),
                base_url + path,
                "--output=json",
                f"--output-path={report}",
                "--quiet",
                f"--chrome-flags={CHROME_FLAGS}",
                f"--only-categories={','.join(CATEGORIES)}",
            ]
            if cookie:
                command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
            subprocess.run(
                command, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=300
            )
            result = json.loads(report.read_text())
            row = {
                "label": label,
                "path": path,
                "scores": {c: result["categories"][c]["score"] for c in CATEGORIES},
                "metrics": {m: result["audits"][m]["displayValue"] for m in METRICS},
                "failed": sorted(
                    audit_id
                    for c in CATEGORIES
                    if c != "performance"
                    for audit_id in (ref["id"] for ref in result["categories"][c]["auditRefs"])
                    if result["audits"][audit_id]["score"] not in (None, 1)
                    and result["audits"][audit_id]["scoreDisplayMode"] == "binary"
                ),
            }
            print(
                f"Lighthouse {label}: "
                + ", ".join(f"{c} {s:.2f}" for c, s in row["scores"].items())
                + " ("
                + ", ".join(f"{m} {v}" for m, v in row["metrics"].items())
                + ")"
                + (f" (failed: {', '.join(row['failed'])})" if row["failed"] else "")
            )
            rows.append(row)
    return rows


def met(row: dict) -> bool:
    return all(row["scores"][c] >= target for c, target in TARGETS.items())


def report_lines(rows: list[dict] | None, skipped: str | None = None) -> list[str]:
    """The benchmark report's section."""
    lines = ["", "## Lighthouse, mobile defaults (Debian's Chromium)", ""]
    if not rows:
        return [*lines, f"Skipped: {skipped}."]
    lines += [
        "Lighthouse 12.2.3 with its default mobile settings (simulated slow 4G and a 4x slower",
        "CPU) against gunicorn serving the bench's data. Targets: performance ≥ 0.95,",
        "accessibility 1.0, best practices 1.0.",
        "",
        "| page | performance | accessibility | best practices | FCP | LCP | TBT | CLS | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        scores, metrics = row["scores"], row["metrics"]
        lines.append(
            f"| {row['label']} | {scores['performance']:.2f} | {scores['accessibility']:.2f} | "
            f"{scores['best-practices']:.2f} | {metrics['first-contentful-paint']} | "
            f"{metrics['largest-contentful-paint']} | {metrics['total-blocking-time']} | "
            f"{metrics['cumulative-layout-shift']} | {'met' if met(row) else 'MISSED'} |"
        )
    return lines


if __name__ == "__main__":
    # Against a server that already runs: python tests/bench/lighthouse.py URL PATH [COOKIE]
    import sys

    reason = available()
    if reason:
        sys.exit(reason)
    base, path, *cookie = sys.argv[1:]
    audit(base, [(path, path, cookie[0] if cookie else None)])
