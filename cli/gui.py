"""`gui [DESIGN] [--screenshot OUT.png]`: open the designer (the default command)."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    parser = sub.add_parser("gui", help="open the designer (the default)")
    parser.add_argument("design", nargs="?", help="design file to open")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="render the window offscreen at 1400x900, save it and exit")
    parser.add_argument("--select", metavar="NODE|SOURCE->TARGET",
                        help="with --screenshot: select this node, or the edge from SOURCE to "
                             "TARGET (the inspector shows it)")
    parser.add_argument("--simulate", metavar="SCENARIO",
                        help="with --screenshot: run this scenario first and show its results")
    parser.add_argument("--duration", type=float, metavar="S",
                        help="with --simulate: simulated seconds (default: the scenario's)")
    parser.add_argument("--panel", choices=("canvas", "dashboard"), default="canvas",
                        help="with --simulate: give the room to the canvas overlay or the dashboard")
    parser.add_argument("--size", type=_size, metavar="WxH", help="with --screenshot: the window's size (1400x900)")
    parser.add_argument("--presentation", action="store_true",
                        help="with --simulate: in presentation mode (larger fonts and cards, no toolbar)")
    parser.add_argument("--trace", metavar="N|slowest|failed",
                        help="with --simulate: replay to that sampled request and open its timeline")
    parser.set_defaults(func=run)


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit() and 640 <= int(width) <= 4000 and 480 <= int(height) <= 3000):
        raise argparse.ArgumentTypeError(f"'{text}' is not WIDTHxHEIGHT from 640x480 to 4000x3000, e.g. 1280x720")
    return int(width), int(height)


def run(args) -> int:
    from designer.app import run_designer

    return run_designer(args.design, screenshot=args.screenshot, select=getattr(args, "select", None),
                        simulate=getattr(args, "simulate", None), duration=getattr(args, "duration", None),
                        panel=getattr(args, "panel", "canvas"), size=getattr(args, "size", None),
                        presentation=getattr(args, "presentation", False), trace=getattr(args, "trace", None))
