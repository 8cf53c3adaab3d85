"""Designs built in code for the results views' tests."""

from __future__ import annotations

from model.architecture import Architecture, Edge, Load, Node, Scenario

GAP_X, GAP_Y = 220.0, 80.0  # a tight grid: a badge under a card meets the card below


def shop_design() -> Architecture:
    """An 18-node shop on a tight grid (cards 80 px apart vertically), with a function
    capped low enough to throttle and a queue that backs up: badges that would collide."""
    arch = Architecture("Shop", "us-east-1")
    fn = {"duration_ms": {"dist": "lognormal", "p50": 30, "p99": 200}, "cold_start_ms": 250, "memory_mb": 512}
    nodes = [
        ("storefront", "api_gateway", {"throttle_rate_rps": 2000, "throttle_burst": 1000}, "Storefront API", 0, 3),
        ("list_products", "lambda", fn, "List products", 1, 0),
        ("get_product", "lambda", fn, "Get product", 1, 1),
        ("add_to_cart", "lambda", fn, "Add to cart", 1, 2),
        ("checkout", "lambda", dict(fn, reserved_concurrency=3), "Checkout", 1, 3),
        ("search", "lambda", fn, "Search", 1, 4),
        ("recommend", "lambda", dict(fn, error_rate=0.05), "Recommendations", 1, 5),
        ("catalog", "dynamodb", {}, "Catalog table", 2, 0),
        ("carts", "dynamodb", {}, "Carts table", 2, 2),
        ("orders", "dynamodb", {}, "Orders table", 2, 3),
        ("order_queue", "sqs", {}, "Order queue", 2, 4),
        ("fulfil", "lambda", dict(fn, reserved_concurrency=1, duration_ms=400), "Fulfil order", 3, 4),
        ("shipments", "dynamodb", {}, "Shipments table", 4, 4),
        ("order_events", "sns", {}, "Order events", 2, 5),
        ("email", "lambda", fn, "Send email", 3, 5),
        ("analytics", "lambda", fn, "Analytics", 3, 6),
        ("invoices", "s3", {}, "Invoices bucket", 3, 3),
        ("dead_letters", "sqs", {}, "Dead letters", 3, 2),
    ]
    for node_id, service, config, label, column, row in nodes:
        arch.add_node(Node(node_id, service, dict(config), label=label, at=(column * GAP_X, row * GAP_Y)))
    edges = [
        ("storefront", "list_products", {"calls": 0.3, "routes": ["GET /products"]}),
        ("storefront", "get_product", {"calls": 0.3, "routes": ["GET /products/{id}"]}),
        ("storefront", "add_to_cart", {"calls": 0.15, "routes": ["POST /cart"]}),
        ("storefront", "checkout", {"calls": 0.1, "routes": ["POST /checkout"]}),
        ("storefront", "search", {"calls": 0.1, "routes": ["GET /search"]}),
        ("storefront", "recommend", {"calls": 0.05, "routes": ["GET /recommendations"]}),
        ("list_products", "catalog", {"action": "read"}), ("get_product", "catalog", {"action": "read"}),
        ("add_to_cart", "carts", {"action": "write"}), ("checkout", "orders", {"action": "write"}),
        ("checkout", "order_queue", {}), ("search", "catalog", {"action": "read"}),
        ("recommend", "order_events", {}), ("order_queue", "fulfil", {"batch_size": 1}),
        ("fulfil", "shipments", {"action": "write"}), ("fulfil", "invoices", {"action": "write"}),
        ("order_events", "email", {}), ("order_events", "analytics", {}),
        ("order_queue", "dead_letters", {}),
    ]
    for source, target, config in edges:
        arch.add_edge(Edge(source, target, config))
    arch.add_scenario(Scenario("busy-day", 30, 3, [Load("storefront", "poisson", {"rate_rps": 120})]))
    return arch
