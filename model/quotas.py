"""AWS limits the simulator enforces, declared once: what they are, their defaults per
region, the AWS page each comes from, and where the simulator enforces them.

Two tables:
- QUOTAS: the regional account quotas a design may override in `account.quotas`
  (DESIGN.md section 3), by key: the default in every region, the regions that differ,
  the unit, the source. `quota_value()` resolves one for a design's region and account.
- LIMITS: every limit that can refuse or delay work in a simulation, by the name the
  results' `limits` list reports (DESIGN.md section 4): its scope, the quotas or node
  fields it reads, its source and where it is enforced. The README's table of limits is
  `limits_table_markdown()` (a test keeps the two equal), the validator reads QUOTAS to
  check `account.quotas`, and the simulator refuses to record a limit not listed here.

Sources were read in December 2026; AWS raises defaults from time to time, so a design
that knows its account's real quotas should say so in `account.quotas`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

# Regions named by the quota pages (codes from the AWS General Reference).
BIG_THREE = ("us-east-1", "us-west-2", "eu-west-1")  # Step Functions' larger quotas
# API Gateway: "For the following Regions, the default throttle quota is 2500 RPS and the
# default burst quota is 1250 RPS": Cape Town, Milan, Jakarta, UAE, Hyderabad, Melbourne,
# Spain, Zurich, Tel Aviv, Calgary, Malaysia, Thailand, Mexico (Central).
API_GATEWAY_SMALL_REGIONS = (
    "af-south-1", "eu-south-1", "ap-southeast-3", "me-central-1", "ap-south-2", "ap-southeast-4",
    "eu-south-2", "eu-central-2", "il-central-1", "ca-west-1", "ap-southeast-5", "ap-southeast-7",
    "mx-central-1",
)

APIGW_LIMITS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html"
APIGW_THROTTLING = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html"
LAMBDA_QUOTAS = "https://docs.aws.amazon.com/lambda/latest/dg/limits.html"
LAMBDA_SCALING = "https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html"
LAMBDA_RESERVED = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html"
SFN_QUOTAS = "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html"
EVENTBRIDGE_QUOTAS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html"
DDB_QUOTAS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html"
DDB_ON_DEMAND = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html"
DDB_BURST = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html"
DDB_PARTITIONS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
DDB_AUTO_SCALING = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html"
KINESIS_LIMITS = "https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html"
S3_PERFORMANCE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html"


@dataclass(frozen=True)
class Quota:
    """One regional account quota a design may override in `account.quotas`."""

    key: str
    help: str
    unit: str
    default: float  # in every region not listed in `regions`
    source: str
    regions: Mapping[str, float] = field(default_factory=dict)
    per_concurrency: float = 0.0  # > 0: the default is this x the account's concurrency_limit

    def default_for(self, region: str, concurrency_limit: float) -> float:
        if self.per_concurrency:
            return self.per_concurrency * float(concurrency_limit)
        return float(self.regions.get(region, self.default))

    def describe_default(self, region: str = "us-east-1") -> str:
        """The default in `region` in words (per_concurrency quotas: the rule)."""
        if self.per_concurrency:
            return f"{_num(self.per_concurrency)} x concurrency_limit {self.unit}"
        return f"{_num(self.default_for(region, 0))} {self.unit}"

    def describe_regions(self, region: str = "us-east-1") -> str:
        """Where the default differs from `region`'s, in words ("" if nowhere)."""
        if self.per_concurrency:
            return ""
        reference = self.default_for(region, 0)
        by_value: dict[float, list[str]] = {}
        for other, value in self.regions.items():
            if value != reference:
                by_value.setdefault(value, []).append(other)
        if self.default != reference:
            by_value.setdefault(self.default, []).append("every other region")
        return "; ".join(f"{_num(v)} in {', '.join(r)}" for v, r in by_value.items())


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


def _everywhere_but(regions: tuple[str, ...], value: float) -> dict[str, float]:
    return dict.fromkeys(regions, value)


_QUOTA_LIST = (
    Quota("api_gateway_rps", "API Gateway requests per second across all APIs of the account and "
          "region (token bucket refill)", "req/s", 10_000, APIGW_LIMITS,
          _everywhere_but(API_GATEWAY_SMALL_REGIONS, 2_500)),
    Quota("api_gateway_burst", "API Gateway token bucket size across all APIs of the account and "
          "region", "requests", 5_000, APIGW_LIMITS, _everywhere_but(API_GATEWAY_SMALL_REGIONS, 1_250)),
    Quota("lambda_invocation_rps", "Lambda synchronous Invoke requests per second across all "
          "unreserved functions (a reserved function: 10 x its reserved_concurrency)", "req/s", 10_000,
          LAMBDA_QUOTAS, per_concurrency=10.0),
    Quota("step_functions_start_rps", "StartExecution refill rate, Standard workflows", "req/s", 150,
          SFN_QUOTAS, _everywhere_but(BIG_THREE, 300)),
    Quota("step_functions_start_burst", "StartExecution bucket size, Standard workflows", "requests",
          800, SFN_QUOTAS, _everywhere_but(BIG_THREE, 1_300)),
    Quota("step_functions_express_start_rps", "StartExecution refill rate, Express workflows", "req/s",
          6_000, SFN_QUOTAS),
    Quota("step_functions_express_start_burst", "StartExecution bucket size, Express workflows",
          "requests", 6_000, SFN_QUOTAS),
    Quota("step_functions_transition_rps", "State transitions refill rate, Standard workflows "
          "(Express: unlimited)", "per s", 500, SFN_QUOTAS, _everywhere_but(BIG_THREE, 1_500)),
    Quota("step_functions_transition_burst", "State transitions bucket size, Standard workflows",
          "transitions", 800, SFN_QUOTAS, _everywhere_but(BIG_THREE, 5_000)),
    Quota("eventbridge_put_events_rps", "PutEvents requests per second for the account and region",
          "req/s", 400, EVENTBRIDGE_QUOTAS, {
              "us-east-1": 10_000, "us-west-2": 10_000, "eu-west-1": 10_000,
              "us-east-2": 2_400, "eu-central-1": 2_400, "eu-south-2": 2_400,
              "us-west-1": 1_200, "ap-northeast-1": 1_200, "ap-southeast-1": 1_200,
              "ap-southeast-2": 1_200, "eu-west-2": 1_200,
              "ap-east-1": 600, "ap-northeast-2": 600, "ap-south-1": 600, "ca-central-1": 600,
              "eu-north-1": 600, "eu-west-3": 600, "sa-east-1": 600}),
    Quota("dynamodb_table_max_rru", "Read units per second one table may use (on-demand: request "
          "units; provisioned: the most RCU it may be given)", "RRU/s", 40_000, DDB_QUOTAS),
    Quota("dynamodb_table_max_wru", "Write units per second one table may use (on-demand: request "
          "units; provisioned: the most WCU it may be given)", "WRU/s", 40_000, DDB_QUOTAS),
)

QUOTAS: Mapping[str, Quota] = MappingProxyType({q.key: q for q in _QUOTA_LIST})


def quota_value(key: str, region: str, account: Mapping[str, Any], concurrency_limit: float) -> float:
    """The quota `key` for a design: its `account.quotas` override, else AWS's default for
    the region (a bad override is the validator's to report; here it falls back)."""
    override = quota_overrides(account).get(key)
    if isinstance(override, (int, float)) and not isinstance(override, bool) and override > 0:
        return float(override)
    return QUOTAS[key].default_for(region, concurrency_limit)


def quota_overrides(account: Mapping[str, Any]) -> Mapping[str, Any]:
    quotas = account.get("quotas") if isinstance(account, Mapping) else None
    return quotas if isinstance(quotas, Mapping) else {}


@dataclass(frozen=True)
class Limit:
    """A limit that can refuse or delay work in a simulation, as the results name it."""

    name: str
    title: str
    scope: str  # "account", "node", or "account or node"
    default: str  # in words; for account quotas, generated from QUOTAS
    source: str
    enforced: str  # where in simulation/
    quotas: tuple[str, ...] = ()  # the account.quotas keys it reads
    effect: str = "refused"  # or "delayed"
    sdk_service: str = ""  # a service whose refused SDK calls are this limit's, unless it names a finer one

    def describe_default(self) -> str:
        """The default in us-east-1, in words."""
        from_quotas = "; ".join(f"`{k}` {QUOTAS[k].describe_default()}" for k in self.quotas)
        return "; ".join(part for part in (self.default, from_quotas) if part)

    def describe_regions(self) -> str:
        """Where the default differs from us-east-1's, in words."""
        parts = [f"`{k}`: {QUOTAS[k].describe_regions()}" for k in self.quotas if QUOTAS[k].describe_regions()]
        return "; ".join(parts) or "the same in every region"


_LIMIT_LIST = (
    Limit("api_gateway_stage_rps", "API stage throttle", "node",
          "the API's `throttle_rate_rps` (10,000 req/s) and `throttle_burst` (5,000)", APIGW_THROTTLING,
          "api_gateway.py `Api.call`"),
    Limit("api_gateway_account_rps", "API Gateway account throttle, shared by every API", "account", "",
          APIGW_LIMITS, "api_gateway.py `Api.call`", ("api_gateway_rps", "api_gateway_burst")),
    Limit("lambda_concurrency", "Lambda concurrency: the account pool (scope account) or a function's "
          "`reserved_concurrency` (scope node); event source pollers wait for room",
          "account or node", "`account.concurrency_limit` 1,000 less every reservation, or "
          "`reserved_concurrency`", LAMBDA_RESERVED, "lambda_.py `LambdaFunction.run`, "
          "`ConcurrencyPool.wait`", effect="refused or delayed"),
    Limit("lambda_scale_up_rate", "Lambda scaling rate: new execution environments per function",
          "node", "1,000 per 10 s per function (token bucket refilled at 100/s)", LAMBDA_SCALING,
          "lambda_.py `LambdaFunction.run`"),
    Limit("lambda_invocation_rps", "Lambda invocation rate of synchronous Invoke requests (10 per "
          "second per unit of concurrency): unreserved functions share 10 x the account limit (scope "
          "account), a reserved function has 10 x its reservation (scope node); asynchronous "
          "invocations and event source mappings are not limited by it", "account or node",
          "10 x `reserved_concurrency` for a reserved function", LAMBDA_QUOTAS,
          "lambda_.py `LambdaFunction.run`", ("lambda_invocation_rps",)),
    Limit("step_functions_start_execution", "StartExecution, Standard workflows", "account", "",
          SFN_QUOTAS, "step_functions.py `StateMachine.call`",
          ("step_functions_start_rps", "step_functions_start_burst")),
    Limit("step_functions_express_start_execution", "StartExecution, Express workflows", "account", "",
          SFN_QUOTAS, "step_functions.py `StateMachine.call`",
          ("step_functions_express_start_rps", "step_functions_express_start_burst")),
    Limit("step_functions_state_transitions", "State transitions, Standard workflows (a throttled "
          "transition waits for its token)", "account", "", SFN_QUOTAS,
          "step_functions.py `Execution.next`",
          ("step_functions_transition_rps", "step_functions_transition_burst"), "delayed"),
    Limit("eventbridge_put_events", "EventBridge PutEvents", "account", "1 s of burst",
          EVENTBRIDGE_QUOTAS, "fanout.py `EventBus.call`", ("eventbridge_put_events_rps",)),
    Limit("dynamodb_provisioned_rcu", "DynamoDB provisioned read capacity", "node",
          "`read_capacity`, 300 s of unused capacity kept as burst; auto scaling optional", DDB_BURST,
          "dynamodb_capacity.py `ProvisionedCapacity`"),
    Limit("dynamodb_provisioned_wcu", "DynamoDB provisioned write capacity", "node",
          "`write_capacity`, 300 s of unused capacity kept as burst; auto scaling optional", DDB_BURST,
          "dynamodb_capacity.py `ProvisionedCapacity`"),
    Limit("dynamodb_table_max_rru", "DynamoDB per-table read throughput quota (on-demand)", "node", "",
          DDB_QUOTAS, "dynamodb_capacity.py `OnDemandCapacity`", ("dynamodb_table_max_rru",)),
    Limit("dynamodb_table_max_wru", "DynamoDB per-table write throughput quota (on-demand)", "node", "",
          DDB_QUOTAS, "dynamodb_capacity.py `OnDemandCapacity`", ("dynamodb_table_max_wru",)),
    Limit("dynamodb_on_demand_throughput", "DynamoDB on-demand warm throughput: a new table serves "
          "4,000 writes or 12,000 reads per second (or a linear mix), later twice its previous peak",
          "node", "`warm_write_units` 4,000, `warm_read_units` 12,000; doubles the previous peak "
          "30 min after it", DDB_ON_DEMAND, "dynamodb_capacity.py `WarmThroughput`"),
    Limit("dynamodb_partition_throughput", "DynamoDB partition limit on the hot key: 1,000 WCU or "
          "3,000 RCU per partition (or a linear mix)", "node", "hits only a table with `hot_key_share` "
          "> 0", DDB_PARTITIONS, "dynamodb_capacity.py `TableCapacity`"),
    Limit("kinesis_shard_write", "Kinesis shard write limit", "node",
          "1,000 records/s and 1 MB/s per shard (1 s of burst)", KINESIS_LIMITS,
          "streams.py `KinesisStream.admit`", sdk_service="kinesis"),
    Limit("s3_prefix_put_rps", "S3 PUT/COPY/POST/DELETE requests per prefix", "node",
          "3,500 req/s per prefix (1 s of burst)", S3_PERFORMANCE, "s3.py `Bucket.admit`"),
    Limit("s3_prefix_get_rps", "S3 GET/HEAD requests per prefix", "node",
          "5,500 req/s per prefix (1 s of burst)", S3_PERFORMANCE, "s3.py `Bucket.admit`"),
)

LIMITS: Mapping[str, Limit] = MappingProxyType({lim.name: lim for lim in _LIMIT_LIST})
SDK_CALL_LIMITS: Mapping[str, str] = MappingProxyType({lim.sdk_service: lim.name for lim in _LIMIT_LIST
                                                       if lim.sdk_service})


def limits_table_markdown() -> str:
    """The README's table of every limit the simulator enforces (generated: keep in sync)."""
    rows = ["| limit (results name) | what | scope | default (us-east-1) | other regions | AWS page "
            "| enforced in `simulation/behaviours/` |",
            "|---|---|---|---|---|---|---|"]
    for lim in _LIMIT_LIST:
        page = lim.source.rsplit("/", 1)[-1]
        rows.append(f"| `{lim.name}` | {lim.title} ({lim.effect}) | {lim.scope} | {lim.describe_default()} "
                    f"| {lim.describe_regions()} | [{page}]({lim.source}) | {lim.enforced} |")
    return "\n".join(rows)
