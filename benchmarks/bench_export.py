"""Export speed: a 500-node design, built in code, in each format. Run by hand:

    .venv/bin/python benchmarks/bench_export.py [--nodes 500] [--repeat 5]

The design is a realistic mix: REST APIs in front of functions, functions writing tables
and buckets, queues and streams feeding functions, topics fanning out, event buses and
state machines. The target is under 1 s per format for 500 nodes.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from exporters.cloudformation import template_text  # noqa: E402
from exporters.terraform import config_files  # noqa: E402
from model.architecture import Architecture, Edge, Node  # noqa: E402

# One "cell" of 10 nodes and 11 edges; the design repeats it.
CELL_NODES = [("api", "api_gateway", {}), ("fn", "lambda", {"memory_mb": 512}), ("table", "dynamodb", {}),
              ("queue", "sqs", {}), ("worker", "lambda", {}), ("topic", "sns", {}), ("stream", "kinesis", {}),
              ("bucket", "s3", {}), ("flow", "step_functions", {}), ("bus", "eventbridge", {})]
CELL_EDGES = [("api", "fn", {"method": "POST", "path": "/items"}), ("fn", "table", {"action": "write"}),
              ("fn", "queue", {}), ("queue", "worker", {"batch_size": 10}), ("worker", "bucket", {"action": "write"}),
              ("worker", "topic", {}), ("fn", "stream", {}), ("flow", "worker", {"order": 1}),
              ("flow", "table", {"order": 2, "action": "read"}), ("bus", "flow", {}), ("fn", "bus", {})]


def design(nodes: int) -> Architecture:
    arch = Architecture(f"Benchmark {nodes}", "us-east-1")
    for cell in range(max(1, nodes // len(CELL_NODES))):
        for name, service, config in CELL_NODES:
            arch.add_node(Node(f"{name}_{cell}", service, dict(config)))
        for source, target, config in CELL_EDGES:
            arch.add_edge(Edge(f"{source}_{cell}", f"{target}_{cell}", dict(config)))
    return arch


FORMATS = {
    "cloudformation": lambda arch: template_text(arch),
    "sam": lambda arch: template_text(arch, sam=True),
    "terraform": lambda arch: "".join(config_files(arch).values()),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    arch = design(args.nodes)
    print(f"design: {len(arch.nodes)} nodes, {len(arch.edges)} edges; best of {args.repeat} runs")
    for fmt, export in FORMATS.items():
        times, cpu, size = [], [], 0
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            size = len(export(arch))
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        # CPU time too: wall time on a shared machine includes other processes' turns.
        print(f"  {fmt:15s} wall best {min(times):6.3f} s  median {sorted(times)[len(times) // 2]:6.3f} s   "
              f"cpu best {min(cpu):6.3f} s   {size / 1e6:5.2f} MB")


if __name__ == "__main__":
    main()
