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


def test_template_names_fit_each_service_and_default_parameters_follow_the_design():
    from model.architecture import Architecture, Node
    from model.aws.naming import (TEMPLATE_PREFIX_ROOM, default_prefix, default_stage, template_name_part,
                                  template_name_room)

    assert template_name_room(Node("q", "sqs", {})) == 48
    assert template_name_room(Node("api", "api_gateway", {"api_type": "http"})) == 100
    assert len(template_name_part("x" * 300, 48)) == 48 and TEMPLATE_PREFIX_ROOM == 26
    arch = Architecture("Orders & Payments: the long edition", "us-east-1")
    assert default_prefix(arch) == "orders-payments" and default_stage(arch) == "prod"
    arch.add_node(Node("api", "api_gateway", {"stage": "Dev-Stage 2!"}))
    assert default_stage(arch) == "devstage"


def test_deployed_names_know_every_kind_the_deployer_names():
    from model.aws.naming import NAME_LIMITS, deployed_name
    from model.catalogue import SERVICES

    kinds = {resource.kind for spec in SERVICES.values() for resource in spec.aws.resources}
    assert kinds | {"role", "rule"} == set(NAME_LIMITS)
    assert deployed_name("Orders API", "create_order", kind="function") == "stratus-orders-api-create-order"
    long = deployed_name("d" * 100, "node", kind="queue", suffix=".fifo")
    assert len(long) == NAME_LIMITS["queue"] and long.endswith(".fifo")
