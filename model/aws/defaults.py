"""Settings every Stratus output writes the same way where the design has no field for them.

The CloudFormation/SAM and Terraform exports (and, where it applies, the live deployer)
read these, so the formats cannot drift apart: how long logs are kept, what a function
without code runs, the alias provisioned concurrency sits on, the access log line.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

DESIGN_TAG = "stratus:design"  # tag key carrying the design's name on every resource
LOG_RETENTION_DAYS = 30
# The retention periods CloudWatch Logs accepts, in days: a node imported with its own log
# group keeps that group's retention (node.extra["cfn"]["log_retention_days"]).
LOG_RETENTION_CHOICES = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                         2922, 3288, 3653)
DEAD_LETTER_RETENTION_S = 1_209_600  # a function's own dead-letter queue keeps messages 14 days, SQS's most

# Functions with provisioned concurrency are published and invoked through this alias
# (provisioned environments serve only qualified invocations).
ALIAS_NAME = "live"


def log_retention_days(node_extra: Mapping[str, Any]) -> int:
    """How long a node's logs are kept: what its imported log group said, else the default."""
    cfn = node_extra.get("cfn")
    kept = cfn.get("log_retention_days") if isinstance(cfn, Mapping) else None
    return kept if kept in LOG_RETENTION_CHOICES else LOG_RETENTION_DAYS


def provisioned(config: Mapping[str, Any]) -> bool:
    """Does a function keep provisioned environments (and so get the alias)?"""
    return bool(config.get("provisioned_concurrency") or 0)


# Runtime family -> (handler, source) of the placeholder an exported function without
# `code` gets. Only these families can be written inline (CloudFormation's ZipFile takes
# Python and Node.js).
PLACEHOLDER_HANDLERS: Mapping[str, tuple[str, str]] = {
    "python": ("index.handler",
               "import json\n\n\ndef handler(event, context):\n"
               "    # Placeholder from Stratus: replace with the real handler.\n"
               "    print(json.dumps(event))\n"
               "    return {\"statusCode\": 200, \"body\": \"ok\"}\n"),
    "nodejs": ("index.handler",
               "exports.handler = async (event) => {\n"
               "  // Placeholder from Stratus: replace with the real handler.\n"
               "  console.log(JSON.stringify(event));\n"
               "  return { statusCode: 200, body: 'ok' };\n};\n"),
}


def placeholder_family(runtime: str) -> str | None:
    """The runtime's family in PLACEHOLDER_HANDLERS, or None (compiled runtimes)."""
    return next((f for f in PLACEHOLDER_HANDLERS if runtime.startswith(f)), None)


# API Gateway's access log line (REST and HTTP APIs alike).
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime", "httpMethod": "$context.httpMethod",
    "routeKey": "$context.routeKey", "status": "$context.status",
    "responseLength": "$context.responseLength"}, sort_keys=True)
