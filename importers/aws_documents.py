"""Readers of the AWS documents that templates embed, shared by both formats: ARNs (which
service and resource they name), IAM policy actions (the edge a grant on a resource means),
and Amazon States Language definitions (their states in execution order, and which Task
parameter names the resource a service integration calls).
"""

from __future__ import annotations

# ARN service prefix -> the service key of its node
AWS_SERVICE_OF_ARN = {
    "dynamodb": "dynamodb", "sqs": "sqs", "sns": "sns", "s3": "s3", "kinesis": "kinesis",
    "events": "eventbridge", "states": "step_functions", "lambda": "lambda",
}


def name_from_arn(text: str) -> tuple[str | None, str]:
    """(service, resource name) of an ARN; (None, text) of a plain name."""
    text = text.strip()
    if not text.startswith("arn:"):
        if text.startswith("https://sqs.") and "/" in text:  # a queue URL
            return "sqs", text.rstrip("/").rsplit("/", 1)[1]
        return None, text
    parts = text.split(":", 5)
    if len(parts) < 6:
        return None, text
    service = AWS_SERVICE_OF_ARN.get(parts[2])
    resource = parts[5]
    if service == "s3":
        return service, resource.split("/", 1)[0]
    if resource.startswith(("function:", "stateMachine:")):
        return service, resource.split(":")[1]
    if "/" in resource:
        return service, resource.split("/")[1]
    return service, resource.split(":")[0]


# --------------------------------------------------------------------------------------
# IAM actions -> edges

# IAM verbs (lower case) that read a table or bucket
_READ_VERBS = ("get", "query", "scan", "batchget", "describe", "list", "head")
# service key -> the prefix of its IAM actions
_ACCESS_ACTIONS = {
    "dynamodb": "dynamodb", "s3": "s3", "sqs": "sqs", "sns": "sns", "kinesis": "kinesis",
    "eventbridge": "events", "step_functions": "states", "lambda": "lambda",
}
# Reading a table's change stream is what its event source mapping needs, not data access.
DYNAMODB_STREAM_VERBS = {"getrecords", "getsharditerator", "describestream", "liststreams"}
# service -> (the verbs that make an edge, its kind); tables and buckets are handled by verb.
_SEND_ACTIONS = {
    "sqs": ({"sendmessage", "sendmessagebatch", "*"}, "send"),
    "sns": ({"publish", "*"}, "publish"),
    "kinesis": ({"putrecord", "putrecords", "*"}, "put_record"),
    "eventbridge": ({"putevents", "*"}, "put_events"),
    "step_functions": ({"startexecution", "startsyncexecution", "*"}, "start_execution"),
    "lambda": ({"invokefunction", "invoke", "*"}, "invoke"),
}


def access_from_actions(service: str, actions: list[str]) -> list[tuple[str, dict]]:
    """The edge (kind, config) a set of IAM actions on a resource of `service` means."""
    prefix = _ACCESS_ACTIONS.get(service)
    verbs = []
    for action in actions:
        svc, _, verb = action.partition(":")
        if action == "*" or svc.lower() == prefix:
            verbs.append("*" if action == "*" else verb.lower())
    if not verbs:
        return []
    if service == "dynamodb":
        verbs = [v for v in verbs if v not in DYNAMODB_STREAM_VERBS]  # the stream trigger's poller
        if not verbs:
            return []
    if service in ("dynamodb", "s3"):
        reads = any(v == "*" or v.startswith(_READ_VERBS) for v in verbs)
        writes = any(v == "*" or v.startswith(("put", "update", "delete", "batchwrite", "write",
                                                "restore", "abortmultipart")) for v in verbs)
        if reads and writes:
            return [("data_access", {"action": "read_write"})]
        if reads or writes:
            return [("data_access", {"action": "read" if reads else "write"})]
        return []
    send = _SEND_ACTIONS.get(service)
    if send and any(v in send[0] for v in verbs):
        return [(send[1], {"_wildcard": all(v == "*" for v in verbs)})]
    return []


# --------------------------------------------------------------------------------------
# State machines

# Service integration (`arn:aws:states:::<service>:<action>`) -> the Task parameter naming its target
TASK_TARGET_PARAMS = {"lambda": "FunctionName", "sqs": "QueueUrl", "sns": "TopicArn",
                      "dynamodb": "TableName"}
DYNAMODB_READ_ACTIONS = {"getitem", "query", "scan", "batchgetitem"}


def walk_states(definition: dict):
    """(name, state) of every state, following StartAt/Next/Default/Choices first so that
    the order is the execution order, then any state not reached that way; nested
    Parallel branches and Map processors are walked where they run."""
    states = definition.get("States")
    if not isinstance(states, dict):
        return
    seen: set[str] = set()
    queue = [definition.get("StartAt")]
    while queue:
        name = queue.pop(0)
        if name in seen or name not in states:
            continue
        seen.add(name)
        state = states[name]
        if not isinstance(state, dict):
            continue
        yield name, state
        for branch in state.get("Branches") or []:
            if isinstance(branch, dict):
                yield from walk_states(branch)
        for nested in (state.get("Iterator"), state.get("ItemProcessor")):
            if isinstance(nested, dict):
                yield from walk_states(nested)
        nexts = [state.get("Next")] + [c.get("Next") for c in state.get("Choices") or [] if isinstance(c, dict)]
        nexts += [state.get("Default")] + [c.get("Next") for c in state.get("Catch") or [] if isinstance(c, dict)]
        queue += [n for n in nexts if isinstance(n, str)]
    for name, state in states.items():
        if name not in seen and isinstance(state, dict):
            seen.add(name)
            yield name, state
