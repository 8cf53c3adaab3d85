"""`deploy` and `destroy`: live deployment with boto3 (exporters.deploy).

Targets: the default `--target sandbox` starts moto's server on 127.0.0.1 for this command
only (it forgets everything when the command ends, so its state file is temporary too);
`--endpoint-url URL` uses any AWS-compatible endpoint (e.g. `python main.py sandbox`);
`--target aws --profile P` uses real AWS after a typed confirmation (or `--yes`).
"""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass

from cli.common import ctrl_c_cancels
from model.errors import StratusError

# Ctrl-C stops a deploy or destroy between resources, never inside one: stopping there could
# leave a resource half made and unrecorded.
CANCELLING = "Cancelling after the current resource…"


def _target_options(parser) -> None:
    parser.add_argument("design")
    parser.add_argument("--target", choices=("sandbox", "aws"), default="sandbox",
                        help="sandbox: a moto server started for this command (default); aws: real AWS")
    parser.add_argument("--endpoint-url", metavar="URL",
                        help="any AWS-compatible endpoint, e.g. the URL `python main.py sandbox` prints")
    parser.add_argument("--profile", metavar="P", help="AWS profile (with --target aws)")
    parser.add_argument("--yes", action="store_true", help="skip the confirmation asked before touching AWS")
    parser.add_argument("--state", metavar="PATH",
                        help="state file (default: <design>.stratus-state.json beside the design)")


def register(sub) -> None:
    deploy = sub.add_parser("deploy", help="create the design's resources (local sandbox by default)")
    _target_options(deploy)
    deploy.add_argument("--plan", action="store_true", help="show what would change and stop")
    deploy.set_defaults(func=run)
    destroy = sub.add_parser("destroy", help="remove what deploy created")
    _target_options(destroy)
    destroy.set_defaults(func=run)


@dataclass
class _Target:
    session: object
    endpoint_url: str | None
    state_path: str
    label: str


def run(args) -> int:
    from cli.common import load_valid_design

    arch = load_valid_design(args.design)
    design_dir = os.path.dirname(os.path.abspath(args.design))
    with _target(args, arch) as target:
        print(f"Target: {target.label}")
        if args.command == "destroy":
            return _destroy(arch, target)
        return _deploy(arch, target, design_dir, args.plan)


def _deploy(arch, target: _Target, design_dir: str, plan_only: bool) -> int:
    from exporters.deploy import apply, plan

    the_plan = plan(arch, target.session, state_path=target.state_path,
                    endpoint_url=target.endpoint_url, design_dir=design_dir)
    print(the_plan.format())
    if plan_only:
        return 0
    if the_plan.conflicts:
        raise StratusError(f"{len(the_plan.conflicts)} resource name(s) are taken by resources this "
                           "design did not create; nothing was changed (rename the design or remove them)")
    if not the_plan.changes:
        print("Nothing to do: everything is as designed.")
        return 0
    with ctrl_c_cancels(CANCELLING) as cancel:
        result = apply(arch, target.session, target.state_path, _print_event,
                       endpoint_url=target.endpoint_url, design_dir=design_dir, cancel=cancel.is_set)
    if result.cancelled:
        return 1  # the progress message has said where it stopped and how to finish or undo
    if not result.ok:
        undone = f"; rolled back {len(result.rolled_back)} resource(s) this apply had created" \
            if result.failed_step else ""
        raise StratusError(f"step '{result.failed_step}' failed: {result.error}{undone}"
                           if result.failed_step else result.error)
    print(f"Deployed '{arch.name}' in {result.seconds:.1f} s ({len(result.done)} step(s)); "
          f"state: {target.state_path}")
    return 0


def _destroy(arch, target: _Target) -> int:
    from exporters.deploy import destroy

    with ctrl_c_cancels(CANCELLING) as cancel:
        result = destroy(arch, target.session, target.state_path, _print_event,
                         endpoint_url=target.endpoint_url, cancel=cancel.is_set)
    if result.refused:
        print(f"Left alone (no longer tagged as this design's): {', '.join(result.refused)}", file=sys.stderr)
    if result.cancelled:
        return 1  # said by the progress message, with how to finish
    if not result.ok:
        raise StratusError(f"destroy incomplete: {'; '.join(result.errors) or 'see above'}; "
                           f"{target.state_path} still lists what remains")
    print(f"Destroyed {len(result.deleted)} resource(s) of '{arch.name}' in {result.seconds:.1f} s"
          + (f"; {len(result.already_gone)} were already gone" if result.already_gone else ""))
    return 0


def _print_event(event) -> None:
    from exporters.deploy.events import StepFailed, StepStarted

    if isinstance(event, StepStarted):
        return  # the finished/failed line says it all
    step = getattr(event, "step", None)
    prefix = f"[{step}/{event.total}] " if step else "  "
    print(prefix + event.message, file=sys.stderr if isinstance(event, StepFailed) else sys.stdout,
          flush=True)


@contextmanager
def _target(args, arch):
    from exporters.deploy import sandbox, state_path_for

    state_path = args.state or str(state_path_for(args.design))
    if args.endpoint_url:
        session = _profile_session(args.profile, arch.region) if args.profile else sandbox.session(arch.region)
        yield _Target(session, args.endpoint_url, state_path, f"endpoint {args.endpoint_url}")
    elif args.target == "aws":
        session = _profile_session(args.profile, arch.region)
        label = _confirm_aws(session, arch, args)
        yield _Target(session, None, state_path, label)
    else:
        with sandbox.running() as url, tempfile.TemporaryDirectory(prefix="stratus-sandbox-") as tmp:
            temp_state = args.state or os.path.join(tmp, "sandbox.stratus-state.json")
            yield _Target(sandbox.session(arch.region), url, temp_state,
                          f"local sandbox at {url} (started for this command; it and its state "
                          "are forgotten when the command ends: use `python main.py sandbox` "
                          "and --endpoint-url to keep one)")


def _profile_session(profile: str | None, region: str):
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        return boto3.Session(profile_name=profile, region_name=region)
    except BotoCoreError as exc:
        raise StratusError(f"AWS profile {profile!r}: {exc}") from exc


def _confirm_aws(session, arch, args) -> str:
    """Real AWS only after the user types the design's name (or passed --yes)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        account = session.client("sts").get_caller_identity()["Account"]
    except (BotoCoreError, ClientError) as exc:
        raise StratusError(f"cannot reach AWS with profile {args.profile or '(default)'}: {exc}") from exc
    label = f"AWS account {account}, region {arch.region}, profile {args.profile or '(default)'}"
    if args.yes or getattr(args, "plan", False):
        return label
    if not sys.stdin.isatty():
        raise StratusError(f"{args.command} to real AWS needs confirmation: run it in a terminal "
                           "or pass --yes")
    answer = input(f"This will {args.command} '{arch.name}' in {label}.\n"
                   f"Type the design name ({arch.name}) to continue: ")
    if answer.strip() != arch.name:
        raise StratusError("not confirmed; nothing was changed")
    return label
