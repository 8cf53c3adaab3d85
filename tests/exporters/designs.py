"""Designs built in code for the exporter tests: one edge of every kind the catalogue allows."""

from __future__ import annotations

from model.architecture import Architecture, Edge, Node
from model.catalogue import EDGE_RULES

# Config a node needs so that the edge it takes part in is valid.
_NEEDS = {
    ("event_source", "dynamodb"): {"stream": "new_and_old_images"},
}

# Config given to a target so that the exports' optional parts are covered too: a function's
# table is provisioned with auto scaling (scalable targets and policies).
_TARGET_NEEDS = {
    ("lambda", "dynamodb"): {"billing_mode": "provisioned", "auto_scaling": True,
                             "max_read_capacity": 100, "max_write_capacity": 200},
}


def every_edge_design(api_type: str = "rest") -> Architecture:
    """Fresh source and target nodes for each catalogue edge rule (no shared state between rules)."""
    arch = Architecture("Every edge kind", "us-east-1")
    for index, rule in enumerate(EDGE_RULES):
        if api_type == "http" and rule.source == "api_gateway" and rule.target == "dynamodb":
            continue  # HTTP APIs have no DynamoDB integration
        src = f"{rule.source}_{index}_src"
        dst = f"{rule.target}_{index}_dst"
        src_config = dict(_NEEDS.get((rule.kind, rule.source), {}))
        if rule.source == "api_gateway":
            src_config["api_type"] = api_type
        arch.add_node(Node(src, rule.source, src_config))
        arch.add_node(Node(dst, rule.target, dict(_TARGET_NEEDS.get((rule.source, rule.target), {}))))
        edge_config = {"method": "POST", "path": f"/r{index}"} if rule.source == "api_gateway" else {}
        if rule.kind == "task":
            edge_config["order"] = 1
        if rule.field("action") is not None:
            edge_config["action"] = "read_write"
        arch.add_edge(Edge(src, dst, edge_config, kind=rule.kind))
    return arch


def nasty_names_design() -> Architecture:
    """Node ids that collide once turned into CamelCase / snake_case names."""
    arch = Architecture("Names: collide & clash!", "us-east-1")
    for node_id in ("order_queue", "orderQueue", "OrderQueue", "order_queue_policy"):
        arch.add_node(Node(node_id, "sqs", {}))
    for node_id in ("worker", "worker_role", "workerRole"):
        arch.add_node(Node(node_id, "lambda", {}))
    arch.add_edge(Edge("order_queue", "worker", {}, kind="event_source"))
    arch.add_edge(Edge("orderQueue", "worker_role", {}, kind="event_source"))
    arch.add_edge(Edge("OrderQueue", "workerRole", {}, kind="event_source"))
    arch.add_edge(Edge("order_queue", "order_queue_policy", {}, kind="dead_letter"))
    return arch
