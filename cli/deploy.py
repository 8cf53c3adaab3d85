"""`deploy` and `destroy` (the deployment issue fills this in)."""

from __future__ import annotations

from model.errors import StratusError


def _target_options(parser) -> None:
    parser.add_argument("design")
    parser.add_argument("--target", choices=("sandbox", "aws"), default="sandbox")
    parser.add_argument("--endpoint-url", metavar="URL")
    parser.add_argument("--profile", metavar="P")


def register(sub) -> None:
    deploy = sub.add_parser("deploy", help="create the design's resources (local sandbox by default)")
    _target_options(deploy)
    deploy.add_argument("--plan", action="store_true", help="show what would change and stop")
    deploy.set_defaults(func=run)
    destroy = sub.add_parser("destroy", help="remove what deploy created")
    _target_options(destroy)
    destroy.set_defaults(func=run)


def run(args) -> int:
    raise StratusError(f"{args.command} is not available in this build yet")
