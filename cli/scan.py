"""`scan [--stack NAME | --tag KEY=VALUE] [--region R] [--profile P] [--endpoint-url URL]
[--since HOURS] -o DESIGN`: read a live account into a design calibrated from CloudWatch
(importers.account).

Progress lines go to stderr, the report to stdout as `import` prints it. Exit 0 when a
design was written, 1 when there is nothing to scan, the target cannot be read or the
scan was cancelled (Ctrl-C; nothing is written), 2 for usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys

from cli.common import check_writable, ctrl_c_cancels, plural


def register(sub) -> None:
    parser = sub.add_parser("scan", help="read a live AWS account (a region, a stack or a tag) into a design")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--stack", metavar="NAME", help="only this CloudFormation stack's resources")
    where.add_argument("--tag", metavar="KEY=VALUE", type=_tag, help="only resources carrying this tag")
    parser.add_argument("--region", metavar="R", help="region to scan (default: the profile's or AWS_REGION)")
    parser.add_argument("--profile", metavar="P", help="AWS profile (default: credentials from the environment)")
    parser.add_argument("--endpoint-url", metavar="URL",
                        help="an AWS-compatible endpoint, e.g. the URL `python main.py sandbox` prints")
    parser.add_argument("--since", metavar="HOURS", type=_hours, default=None,
                        help="calibrate from the CloudWatch metrics of the last HOURS (default 168)")
    parser.add_argument("-o", "--output", required=True, metavar="DESIGN")
    parser.set_defaults(func=run)


def _hours(text: str) -> float:
    from importers.account.metrics import MAX_SINCE_HOURS  # kept out of start-up: boto3 comes with it

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of hours, got {text!r}") from None
    if not 0 < value <= MAX_SINCE_HOURS:
        raise argparse.ArgumentTypeError(f"expected hours above 0 and at most {MAX_SINCE_HOURS} "
                                         f"(CloudWatch keeps 455 days), got {text!r}")
    return value


def _tag(text: str) -> str:
    key, sep, _value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return text


def run(args) -> int:
    from importers.account import (
        DEFAULT_SINCE_HOURS, Scope, format_report, save_scan, scan_account, session_for, trace_prefix_for,
    )

    scope = Scope.parse(args.stack, args.tag)
    check_writable(args.output)
    session, region = session_for(args.profile, args.region, args.endpoint_url)
    print(f"Scanning {scope.describe(region)}" + (f" at {args.endpoint_url}" if args.endpoint_url else ""),
          file=sys.stderr, flush=True)
    with ctrl_c_cancels("Cancelling the scan…") as cancel:
        scan = scan_account(session, region, scope=scope, endpoint_url=args.endpoint_url,
                            since_hours=args.since or DEFAULT_SINCE_HOURS,
                            trace_prefix=trace_prefix_for(args.output), progress=_print_progress,
                            cancel=cancel.is_set)
    written = save_scan(scan, args.output)
    arch = scan.architecture
    print(f"Scanned {scope.describe(region)} -> {args.output}: {plural(len(arch.nodes), 'node')}, "
          f"{plural(len(arch.edges), 'edge')}, {plural(len(arch.scenarios), 'scenario')} "
          f"({scan.calls} read calls, {scan.seconds:.1f} s)")
    print(format_report(scan.result))
    if len(written) > 1:
        print(f"Traces ({len(written) - 1}):")
        print("\n".join(f"  {os.path.relpath(path)}" for path in written[:-1]))
    _validation(arch, args.output)
    return 0


def _print_progress(progress) -> None:
    print(f"[{progress.step}/{progress.total}] {progress.message}", file=sys.stderr, flush=True)


def _validation(arch, path: str) -> None:
    from model.validation import validate

    problems = validate(arch, base_dir=os.path.dirname(os.path.abspath(path)))
    if not problems:
        print("Validation: no problems")
        return
    print(f"Validation ({len(problems)}):")
    for problem in problems:
        print(f"  {problem.format(path)}")

