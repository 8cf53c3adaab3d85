"""model.aws.naming: collision-free, deterministic names."""

from __future__ import annotations

from model.aws.naming import Namer, camel, fit, kebab, logical_ids, snake, terraform_names


def test_styles():
    assert camel("order_queue") == "OrderQueue"
    assert camel("orderQueue", "Role") == "OrderQueueRole"
    assert snake("orderQueue2") == "order_queue_2"
    assert kebab("HTTPServer_id") == "http-server-id"


def test_colliding_ids_get_distinct_deterministic_names():
    ids = ["order_queue", "orderQueue", "OrderQueue", "create_order_role", "create_order"]
    first, second = logical_ids(ids), logical_ids(ids)
    names = [first.name(i) for i in ids] + [first.name("create_order", "Role")]
    assert len(set(names)) == len(names)
    assert names == [second.name(i) for i in ids] + [second.name("create_order", "Role")]
    # Node ids come first: the node called create_order_role keeps the clean name.
    assert first.name("create_order_role") == "CreateOrderRole"
    assert first.name("create_order", "Role") != "CreateOrderRole"


def test_terraform_names_and_reserved_names():
    names = terraform_names(["a_b", "aB"])
    assert {names.name("a_b"), names.name("aB")} == {"a_b", names.name("aB")} and names.name("aB") != "a_b"
    namer = Namer(camel)
    namer.reserve("Stage")
    assert namer.name("stage") != "Stage"


def test_fit_keeps_names_short_and_unique():
    a, b = fit("x" * 40 + "a", 24), fit("x" * 40 + "b", 24)
    assert len(a) <= 24 and len(b) <= 24 and a != b
    assert fit("short", 24) == "short"
