"""Shared by the exporter tests: export every example, walk policies, lint, run checkov."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Iterator

import yaml

from model.architecture import Architecture
from model.designfile import load_design
from tests.conftest import ROOT, example_paths

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"


def examples() -> list[tuple[str, Architecture]]:
    return [(p.stem, load_design(p)) for p in example_paths()]


def cfn_errors(template_text: str) -> list[str]:
    """cfn-lint's errors (E rules) for a template, SAM included (cfn-lint transforms it)."""
    import cfnlint.api

    return [f"{m.rule.id} {m.message} ({m.path})" for m in cfnlint.api.lint(template_text)
            if m.rule.id.startswith("E")]


def walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


def policy_statements(document: Any) -> list[dict]:
    """Every IAM statement anywhere in a template (roles, queue/topic/bucket policies)."""
    out = []
    for item in walk(document):
        if isinstance(item, dict) and "Statement" in item and "Version" in item:
            statements = item["Statement"]
            out += statements if isinstance(statements, list) else [statements]
    return out


def wildcard_actions(statements: list[dict]) -> list[str]:
    """Actions containing '*' in Allow statements. (A Deny of s3:* on insecure transport is
    the TLS-only guard: it narrows access, so it is not counted.)"""
    bad = []
    for stmt in statements:
        if stmt.get("Effect") != "Allow":
            continue
        actions = stmt.get("Action", [])
        for action in actions if isinstance(actions, list) else [actions]:
            if "*" in str(action):
                bad.append(str(action))
    return bad


def load_yaml(text: str) -> dict:
    return yaml.safe_load(text)


def run_checkov(folder: Path, framework: str) -> dict:
    """checkov over a folder, offline, from its own virtual environment; the parsed JSON report."""
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE", HOME=str(folder.parent))
    proc = subprocess.run(
        [str(CHECKOV), "-d", str(folder), "--framework", framework, "--skip-download", "--quiet",
         "--compact", "-o", "json"],
        capture_output=True, text=True, env=env, timeout=600)
    assert proc.stdout.strip(), f"checkov printed nothing (exit {proc.returncode}): {proc.stderr[-2000:]}"
    report = json.loads(proc.stdout)
    reports = report if isinstance(report, list) else [report]
    return next(r for r in reports if r.get("check_type") == framework)
