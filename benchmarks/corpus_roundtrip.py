"""Real templates round-trip: every CloudFormation/SAM template and Terraform folder of a
corpus imported, validated, exported again and linted. Run by hand:

    .venv/bin/python benchmarks/corpus_roundtrip.py [--limit N] [--only PATTERN] [-v]

A source is *clean* when it imports, its design validates (warnings allowed), it exports
to CloudFormation (and, for a Terraform source, to Terraform too), cfn-lint finds no
error in the export that it does not also find in the source template itself (Terraform
sources have no CloudFormation source to compare with: every error counts), the
Terraform export parses with python-hcl2, and nothing is lost on the way (see `losses`).
A failing source is classified by its first problem, in that order; the table of causes
counts them.

Sources are found the way `importers.import_template` finds them: in each pattern folder
(searched through, without node_modules, build output and vendored dependencies), every
.yaml/.yml/.json/.template file that looks like a template (AWSTemplateFormatVersion,
Resources or Transform at its top level), and every folder holding .tf files that is not
a local module another folder calls. cfn-lint's findings on the source templates never
change, so they are cached (see --cache).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import re
import signal
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

DEFAULT_CORPUS = os.path.join(os.environ.get("STRATUS_CORPUS_DIR") or os.path.join(os.path.dirname(ROOT), "shared",
                                                                                  "corpus"),
                              "serverless-patterns-wide")
DEFAULT_CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "stratus",
                             "corpus-source-lint.json")
SKIPPED_FOLDERS = {"node_modules", "dependencies", ".aws-sam", "cdk.out", ".terraform", "__pycache__", "build",
                   "dist", "target", "venv", ".venv"}
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
# A template's top-level keys (YAML at column 0, JSON indented once at most).
TEMPLATE_HEAD = re.compile(r'^(?:AWSTemplateFormatVersion|Resources|Transform)\s*:'
                           r'|^\s{0,4}"(?:AWSTemplateFormatVersion|Resources|Transform)"\s*:', re.M)
MODULE_SOURCE = re.compile(r'^\s*source\s*=\s*"(\.\.?/[^"]*)"', re.M)
SECONDS_PER_SOURCE = 120  # a source still running after this is reported as a timeout
REGIONS = ["us-east-1"]


# --------------------------------------------------------------------------------------
# Finding the sources


def find_sources(corpus: str) -> list[str]:
    """Every template file and Terraform root folder of the corpus, sorted."""
    found: list[str] = []
    for pattern in sorted(os.listdir(corpus)):
        folder = os.path.join(corpus, pattern)
        if not os.path.isdir(folder):
            continue
        tf_folders, module_folders = [], set()
        for where, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS and not d.startswith("."))
            tf = [f for f in files if f.endswith(".tf")]
            if tf:
                tf_folders.append(where)
                module_folders |= _local_modules(where, tf)
            found += [os.path.join(where, f) for f in sorted(files)
                      if f.endswith(TEMPLATE_SUFFIXES) and f != "example-pattern.json"
                      and _looks_like_template(os.path.join(where, f))]
        found += [f for f in tf_folders if os.path.normpath(f) not in module_folders]
    return sorted(found)


def _local_modules(folder: str, tf_files: list[str]) -> set[str]:
    called = set()
    for name in tf_files:
        with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as handle:
            called |= {os.path.normpath(os.path.join(folder, s)) for s in MODULE_SOURCE.findall(handle.read())}
    return called


def _looks_like_template(path: str) -> bool:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return bool(TEMPLATE_HEAD.search(handle.read(5 * 1024 * 1024)))


def pattern_of(corpus: str, source: str) -> str:
    return os.path.relpath(source, corpus).split(os.sep)[0]


# --------------------------------------------------------------------------------------
# One source


@dataclass
class Outcome:
    source: str  # relative to the corpus
    format: str  # cloudformation | terraform
    cause: str = ""  # "" when clean
    detail: str = ""
    seconds: float = 0.0
    warnings: int = 0  # import report lines that are not info
    nodes: int = 0
    edges: int = 0
    extras: int = 0
    losses: list[str] = field(default_factory=list)

    @property
    def round_trips(self) -> bool:
        """Imported, validated, exported, linted: the issue's first measure."""
        return not self.cause

    @property
    def clean(self) -> bool:
        """Round-trips and loses nothing."""
        return not self.cause and not self.losses

    @property
    def first_problem(self) -> str:
        return self.cause or ("lossy: " + self.losses[0].split(": ", 1)[0] if self.losses else "")


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def run_one(corpus: str, source: str, source_errors: list[list[str]] | None) -> Outcome:
    """Import, validate, export, lint one source; the first problem is its cause."""
    fmt = "terraform" if os.path.isdir(source) else "cloudformation"
    outcome = Outcome(os.path.relpath(source, corpus), fmt)
    start = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS_PER_SOURCE)
    try:
        outcome.cause, outcome.detail = _stages(source, fmt, source_errors, outcome)
    except Timeout:
        outcome.cause, outcome.detail = "timeout", f"still running after {SECONDS_PER_SOURCE} s"
    finally:
        signal.alarm(0)
    outcome.seconds = round(time.perf_counter() - start, 2)
    return outcome


def _stages(source: str, fmt: str, source_errors, outcome: Outcome) -> tuple[str, str]:
    from exporters.cloudformation import template_text
    from importers import import_template
    from model.errors import StratusError
    from model.validation import errors, validate

    try:
        result = import_template(source)
    except StratusError as exc:
        return "import: StratusError", _first_line(exc)
    except Exception as exc:  # a crash is a finding, not a reason to stop the run
        return f"import crash: {type(exc).__name__}", _first_line(exc)
    arch = result.architecture
    outcome.nodes, outcome.edges = len(arch.nodes), len(arch.edges)
    outcome.extras = len(arch.extra.get("extras", []))
    outcome.warnings = sum(1 for n in result.report if n.severity != "info")
    problems = errors(validate(arch))
    if problems:
        return "validation: " + _shape(problems[0].message), problems[0].format()
    try:
        text = template_text(arch)
    except Exception as exc:
        return f"export cloudformation: {type(exc).__name__}", _first_line(exc)
    if fmt == "terraform":
        cause = _terraform_export(arch)
        if cause:
            return cause
    new = _new_lint_errors(text, source_errors or [])
    if new:
        rule, message = new[0]
        return f"cfn-lint {rule}", message
    outcome.losses = losses(result, text, fmt)
    return "", ""


def _terraform_export(arch) -> tuple[str, str] | None:
    import hcl2

    from exporters.terraform import config_files

    try:
        files = config_files(arch)
    except Exception as exc:
        return f"export terraform: {type(exc).__name__}", _first_line(exc)
    for name, text in files.items():
        try:
            hcl2.loads(text)
        except Exception as exc:
            return "hcl2 parse", f"{name}: {_first_line(exc)}"
    return None


def lint_errors(text: str) -> list[list[str]]:
    """cfn-lint's errors (E rules) as [rule id, message] pairs, SAM transformed."""
    from cfnlint.api import ManualArgs, lint

    try:
        matches = lint(text, config=ManualArgs(regions=REGIONS))
    except Exception as exc:  # cfn-lint itself failing on a template
        return [["lint crash", f"{type(exc).__name__}: {_first_line(exc)}"]]
    return [[m.rule.id, m.message] for m in matches if m.rule.id.startswith("E")]


def _new_lint_errors(text: str, source_errors: list[list[str]]) -> list[list[str]]:
    """Errors of the export that the source does not have: same rule and message."""
    known = {(rule, message) for rule, message in source_errors}
    return [e for e in lint_errors(text) if (e[0], e[1]) not in known]


# --------------------------------------------------------------------------------------
# What a round trip may lose


def losses(result, text: str, fmt: str) -> list[str]:
    """What the round trip loses, each as "kind: what": what the import said it could not
    map (its 'unmapped' section), and what the exports do not hold again: a kept resource
    missing from the CloudFormation export (or, for a Terraform source, from the Terraform
    export), a schedule without a scheduled rule or schedule in the export."""
    from exporters.cloudformation.imported import kept_logical_ids
    from exporters.cloudformation.template import FIXED_NAMES
    from importers.cloudformation.intrinsics import load_template

    found = [f"unmapped {_shape(_unnamed(n.message))}: {n.format()}" for n in result.notes("unmapped")]
    arch = result.architecture
    resources = load_template(text, "export").get("Resources") or {}
    types = {r.get("Type") for r in resources.values()}
    written_as = kept_logical_ids(arch, FIXED_NAMES)  # `Stage` is written as `StageResource`
    for extra in arch.extra.get("extras") or []:
        if "logical_id" in extra and written_as.get(extra["logical_id"], extra["logical_id"]) not in resources and not \
                (extra["type"] == "AWS::S3::BucketPolicy" and extra["type"] in types):  # merged into the bucket's
            found.append(f"extra not exported: {extra['logical_id']} ({extra['type']})")
    if fmt == "terraform":
        found += _terraform_extras_lost(arch)
    loads = sum(len(s.load) for s in arch.scenarios if s.name == "imported schedules")
    schedules = sum(1 for r in resources.values() if r.get("Type") == "AWS::Scheduler::Schedule"
                    or "ScheduleExpression" in (r.get("Properties") or {}))
    if fmt == "cloudformation" and schedules < loads:
        found.append(f"schedule not exported: {loads} schedules imported, {schedules} in the export")
    return found


def _terraform_extras_lost(arch) -> list[str]:
    import hcl2

    from exporters.terraform import config_files

    main = hcl2.loads(config_files(arch)["main.tf"])
    written = {f"{t}.{n}".replace('"', "") for block in main.get("resource", []) for t, named in block.items()
               for n in named}
    return [f"extra not exported: {e['address']}" for e in arch.extra.get("extras") or []
            if "tf_type" in e and f"{e['tf_type']}.{str(e['address']).split('.')[-1]}" not in written]


def _unnamed(message: str) -> str:
    """A report message without its ARNs, paths, ids and tokens."""
    words = [w if re.fullmatch(r"[a-z][a-z-]*[,;]?", w) else "…" for w in message.split()]
    return re.sub(r"(… ?)+", "… ", " ".join(words)).strip()


# --------------------------------------------------------------------------------------
# The run


def _shape(message: str) -> str:
    """A message with its names taken out, so that like problems count together."""
    shape = re.sub(r"'[^']*'", "'…'", message)
    shape = re.sub(r"\b\d+(\.\d+)?\b", "N", shape)
    return shape[:90]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:300]


def source_lint(corpus: str, sources: list[str], cache_path: str, workers: int) -> dict[str, list[list[str]]]:
    """cfn-lint's errors on each source template, from the cache when its text is unchanged."""
    import cfnlint.version

    cache: dict = {}
    if os.path.isfile(cache_path):
        with open(cache_path, encoding="utf-8") as handle:
            cache = json.load(handle)
    if cache.get("cfn-lint") != cfnlint.version.__version__:
        cache = {"cfn-lint": cfnlint.version.__version__, "templates": {}}
    digests = {s: _digest(s) for s in sources if os.path.isfile(s)}
    missing = [s for s, d in digests.items() if d not in cache["templates"]]
    if missing:
        print(f"linting {len(missing)} source templates (cached in {cache_path})", file=sys.stderr)
        with multiprocessing.get_context("fork").Pool(workers, maxtasksperchild=40) as pool:
            for source, found in zip(missing, pool.map(_lint_file, missing, chunksize=1)):
                cache["templates"][digests[source]] = found
        os.makedirs(os.path.dirname(cache_path), exist_ok=True)
        with open(cache_path, "w", encoding="utf-8") as handle:
            json.dump(cache, handle)
    return {s: cache["templates"][d] for s, d in digests.items()}


def _lint_file(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return lint_errors(handle.read())


def _digest(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def print_summary(outcomes: list[Outcome], verbose: bool, corpus: str) -> None:
    def share(items: list[Outcome], measure: str) -> str:
        good = sum(getattr(o, measure) for o in items)
        return f"{good}/{len(items)} = {100 * good / len(items):.1f}%" if items else "none"

    print(f"clean (round-trips, loses nothing): {share(outcomes, 'clean')}")
    for fmt in ("cloudformation", "terraform"):
        print(f"  {fmt:15} {share([o for o in outcomes if o.format == fmt], 'clean')}")
    print(f"round-trips (imports, validates, exports, no new lint error): {share(outcomes, 'round_trips')}")
    for fmt in ("cloudformation", "terraform"):
        print(f"  {fmt:15} {share([o for o in outcomes if o.format == fmt], 'round_trips')}")
    causes: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if not o.clean:
            causes[o.first_problem].append(o)
    if causes:
        print(f"\n{'count':>5}  cause (first problem)                                              examples")
        for cause, items in sorted(causes.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            examples = ", ".join(pattern_of(corpus, os.path.join(corpus, o.source)) for o in items[:3])
            print(f"{len(items):>5}  {cause[:66]:66} {examples}")
    if verbose:
        print()
        for o in outcomes:
            if o.cause:
                print(f"{o.source}\n    {o.cause}: {o.detail}")
            elif o.losses:
                print(f"{o.source}\n    " + "\n    ".join(o.losses))
    slowest = sorted(outcomes, key=lambda o: -o.seconds)[:3]
    print("\nslowest: " + ", ".join(f"{o.source} {o.seconds:.1f} s" for o in slowest))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=DEFAULT_CORPUS, help="folder of pattern folders (default: %(default)s)")
    parser.add_argument("--limit", type=int, help="only the first N sources")
    parser.add_argument("--only", help="only sources whose path contains this text (a pattern's name)")
    parser.add_argument("--workers", type=int, default=2, help="processes (default: %(default)s)")
    parser.add_argument("--cache", default=DEFAULT_CACHE, help="cfn-lint findings on the sources (%(default)s)")
    parser.add_argument("--json", help="write each source's outcome to this file")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every failing source with its problem")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.corpus):
        print(f"{args.corpus}: no such folder (set --corpus or STRATUS_CORPUS_DIR)", file=sys.stderr)
        return 2
    corpus = os.path.abspath(args.corpus)
    sources = find_sources(corpus)
    if args.only:
        sources = [s for s in sources if args.only in os.path.relpath(s, corpus)]
    if args.limit:
        sources = sources[:args.limit]
    started = time.perf_counter()
    known = source_lint(corpus, sources, args.cache, args.workers)
    print(f"{len(sources)} sources ({sum(os.path.isdir(s) for s in sources)} Terraform folders) "
          f"from {len({pattern_of(corpus, s) for s in sources})} patterns", file=sys.stderr)
    # Fresh workers now and then: cfn-lint's caches grow with every template it reads.
    with multiprocessing.get_context("fork").Pool(args.workers, maxtasksperchild=40) as pool:
        outcomes = pool.starmap(run_one, [(corpus, s, known.get(s)) for s in sources], chunksize=1)
    print_summary(outcomes, args.verbose, corpus)
    print(f"({time.perf_counter() - started:.0f} s)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump([{**asdict(o), "clean": o.clean, "first_problem": o.first_problem} for o in outcomes], handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
