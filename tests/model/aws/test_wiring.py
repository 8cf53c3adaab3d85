"""model.aws.wiring: the facts every output format shares, in AWS API terms. (That each
service and edge rule has its rows here is checked with everything else a service needs, in
tests/model/test_adding_a_service.py.)"""

from __future__ import annotations

from exporters.terraform.config import arguments
from model.architecture import Architecture, Edge, Node
from model.aws import asl, wiring


def _design() -> tuple[Architecture, Edge, Edge]:
    arch = Architecture("w", "us-east-1")
    for node_id, service in (("q", "sqs"), ("s", "kinesis"), ("f", "lambda")):
        arch.add_node(Node(node_id, service, {}))
    queue = Edge("q", "f", {"batch_size": 7, "max_concurrency": 4}, kind="event_source")
    stream = Edge("s", "f", {"batch_window_s": 3, "starting_position": "TRIM_HORIZON"}, kind="event_source")
    arch.add_edge(queue)
    arch.add_edge(stream)
    return arch, queue, stream


def test_mapping_parameters_use_api_names_and_terraform_arguments_follow():
    arch, queue, stream = _design()
    assert wiring.mapping_parameters(arch, queue) == {
        "BatchSize": 7, "ScalingConfig": {"MaximumConcurrency": 4},
        "FunctionResponseTypes": ["ReportBatchItemFailures"]}
    assert "FunctionResponseTypes" not in wiring.mapping_parameters(arch, queue, fixed=False)
    params = wiring.mapping_parameters(arch, stream)
    assert params["MaximumBatchingWindowInSeconds"] == 3 and params["BisectBatchOnFunctionError"] is False
    # AWS's defaults for a failing stream batch, as simulated: retry until the records expire
    assert params["MaximumRetryAttempts"] == -1 and params["MaximumRecordAgeInSeconds"] == -1
    assert params["StartingPosition"] == "TRIM_HORIZON" and "ScalingConfig" not in params
    body = arguments(wiring.mapping_parameters(arch, queue))
    assert body["batch_size"] == 7 and body["function_response_types"] == ["ReportBatchItemFailures"]
    assert [(b.type, b.body) for b in body["blocks"]] == [("scaling_config", {"maximum_concurrency": 4})]


def _topic_design(publisher: str | None, fifo: bool = False) -> Architecture:
    arch = Architecture("t", "us-east-1")
    arch.add_node(Node("topic", "sns", {"fifo": fifo}))
    arch.add_node(Node("fn", "lambda", {}))
    arch.add_edge(Edge("fn", "topic", {}, kind="publish"))
    if publisher:
        arch.add_node(Node("src", publisher, {}))
        arch.add_edge(Edge("src", "topic", {}, kind="notification" if publisher == "s3" else "rule_target"))
    return arch


def test_topic_settings_leave_topics_that_aws_services_publish_to_unencrypted():
    assert wiring.topic_settings(_topic_design(None), "topic") == wiring.TopicSettings(False, "alias/aws/sns")
    assert wiring.topic_settings(_topic_design(None, fifo=True), "topic").fifo is True
    for publisher in ("s3", "eventbridge"):
        assert wiring.topic_settings(_topic_design(publisher), "topic").kms_key is None, publisher


def test_queue_settings_and_table_streams_follow_their_consumers():
    arch = Architecture("q", "us-east-1")
    arch.add_node(Node("queue", "sqs", {"visibility_timeout_s": 30}))
    arch.add_node(Node("table", "dynamodb", {}))
    arch.add_node(Node("slow", "lambda", {"timeout_s": 90}))
    assert wiring.visibility_timeout(arch, "queue") == 30
    assert wiring.stream_view(arch, "table") is None
    arch.add_edge(Edge("queue", "slow", {}, kind="event_source"))
    arch.add_edge(Edge("table", "slow", {}, kind="event_source"))
    assert wiring.visibility_timeout(arch, "queue") == 90
    assert wiring.stream_view(arch, "table") == "NEW_AND_OLD_IMAGES"


def test_a_function_environment_names_what_it_calls_but_not_its_failure_destination():
    arch = Architecture("e", "us-east-1")
    for node_id, service in (("fn", "lambda"), ("orders", "dynamodb"), ("failed", "sqs")):
        arch.add_node(Node(node_id, service, {}))
    arch.add_edge(Edge("fn", "orders", {}, kind="data_access"))
    arch.add_edge(Edge("fn", "failed", {}, kind="on_failure"))
    assert wiring.environment(arch, "fn") == {"ORDERS": "orders"}


def test_the_default_event_bus_is_the_accounts_and_a_named_one_is_ours():
    assert wiring.account_owned(Node("bus", "eventbridge", {}))
    assert not wiring.account_owned(Node("bus", "eventbridge", {"bus_name": "orders"}))
    assert not wiring.account_owned(Node("queue", "sqs", {}))
    assert wiring.handle("sqs") == wiring.URL and wiring.log_group_name("lambda", "f") == "/aws/lambda/f"


def _fifo_producers(groups: int) -> Architecture:
    """A FIFO queue fed by a REST API, an HTTP API, a state machine and an EventBridge rule."""
    arch = Architecture("fifo", "us-east-1")
    arch.add_node(Node("q", "sqs", {"fifo": True, "message_groups": groups, "message_group_field": "customer"}))
    for node_id, service, config in (("rest", "api_gateway", {"api_type": "rest"}),
                                     ("http", "api_gateway", {"api_type": "http"}),
                                     ("flow", "step_functions", {}), ("bus", "eventbridge", {})):
        arch.add_node(Node(node_id, service, config))
        arch.add_edge(Edge(node_id, "q", {}))
    return arch


def test_fifo_group_ids_are_fixed_for_one_group_and_read_from_the_message_for_more():
    for groups, rest, http, task in (
            (1, "MessageGroupId=stratus&", "stratus", {"MessageGroupId": "stratus"}),
            (4, "MessageGroupId=$util.urlEncode($input.path('$.customer'))&", "$request.body.customer",
             {"MessageGroupId.$": "$.customer"})):
        arch = _fifo_producers(groups)
        rest_edge, http_edge = arch.edges[0], arch.edges[1]
        assert rest in wiring.rest_integration(arch, rest_edge, "POST", []).template.text
        assert wiring.http_integration(arch, http_edge).parameters["MessageGroupId"] == http
        workflow, _ = asl.definition(arch, "flow", lambda target: "${Q}", lambda target: None)
        (state,) = workflow["States"].values()
        assert {k: v for k, v in state["Parameters"].items() if k.startswith("MessageGroupId")} == task
        # an EventBridge rule's SqsParameters take only a constant id, whatever the groups
        assert wiring.rule_target_parameters(arch, arch.edges[3]) == {"SqsParameters": {"MessageGroupId": "stratus"}}


def test_a_stream_mapping_sends_discarded_batches_to_the_functions_on_failure_destination():
    arch, queue, stream = _design()
    stream.config.update(bisect_on_error=True, max_record_age_s=3600, max_retry_attempts=5)
    params = wiring.mapping_parameters(arch, stream)
    assert (params["BisectBatchOnFunctionError"], params["MaximumRecordAgeInSeconds"],
            params["MaximumRetryAttempts"]) == (True, 3600, 5)
    assert wiring.mapping_failure_destination(arch, stream) is None
    arch.add_node(Node("dlq", "sqs", {}))
    arch.add_edge(Edge("f", "dlq", {}, kind="on_failure"))
    assert wiring.mapping_failure_destination(arch, stream) == "dlq"
    assert wiring.mapping_failure_destination(arch, queue) is None  # a queue has its dead-letter queue


def test_strongly_consistent_reads_are_asked_for_and_eventual_ones_are_the_default():
    arch = Architecture("reads", "us-east-1")
    for node_id, service in (("api", "api_gateway"), ("flow", "step_functions"), ("t", "dynamodb")):
        arch.add_node(Node(node_id, service, {}))
    route, task = Edge("api", "t", {"action": "read"}), Edge("flow", "t", {"action": "read"})
    arch.add_edge(route)
    arch.add_edge(task)

    def asked() -> tuple[bool, bool]:
        template = wiring.rest_integration(arch, route, "GET", ["id"]).template.text
        workflow, _ = asl.definition(arch, "flow", lambda target: "${T}", lambda target: None)
        (state,) = workflow["States"].values()
        return '"ConsistentRead": true' in template, state["Parameters"].get("ConsistentRead", False)

    assert asked() == (False, False)
    route.config["consistency"] = task.config["consistency"] = "strong"
    assert asked() == (True, True)
