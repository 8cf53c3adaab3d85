"""Monthly cost of a design from the usage a simulation measured (DESIGN.md section 4).

`estimate_cost(arch, usage, measured_s)` turns per-node usage counters (totals over the
measured window, filled by the engine) into a monthly bill at the list prices of
`assets/pricing/us-east-1.yaml`:

1. Scale: every counter is multiplied by 730 h x 3600 / measured_s (a 730-hour month).
   Standing charges (provisioned DynamoDB capacity, on-demand Kinesis stream-hours) are
   taken from the node's config for the whole month instead, whatever the load was.
2. Meter: one small function per service turns a node's counters into `_Meter`s
   (a quantity, a price schedule and, where AWS has one, a free-tier allowance).
   `SERVICE_PRICING` declares each service's usage counters: the simulator counts
   exactly those (a behaviour counting any other name fails at once), and a meter
   reading, or a caller passing, a name not declared fails too, rather than pricing $0.
3. Free tier (only when asked): each allowance is account-wide, so it is subtracted
   once from the total of every meter sharing it (e.g. 400,000 Lambda GB-s across all
   functions and both architectures) and the remainder is shared among those meters in
   proportion to their usage.
4. Tiers: AWS applies volume tiers per account per month (Lambda GB-s per architecture,
   API Gateway, SQS, Step Functions Express), so each price schedule is applied to the
   design's account-wide total and the cost is shared among the nodes in proportion to
   their billable usage. (A design is assumed to be the whole account.)

Lines are not rounded: AWS rounds each line of a bill to cents, callers round for display.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from assets import PRICE_FILE
from model.errors import StratusError

SECONDS_PER_HOUR = 3600.0
KB_PER_GB = 1024.0 * 1024.0  # AWS's worked examples divide KB by 1024^2 to get GB

# Free-tier allowances for provisioned capacity are given per unit of capacity
# (25 WCU all month); meters count capacity-hours, so the allowance is multiplied.
_ALLOWANCE_IN_CAPACITY_HOURS = frozenset({"dynamodb.provisioned_wcu", "dynamodb.provisioned_rcu"})

NOT_PRICED = (
    "Not priced: storage (DynamoDB tables, S3 objects, SQS and Kinesis retention), "
    "data transfer (unless a data_transfer_out_gb counter is given), CloudWatch logs and "
    "metrics, X-Ray, KMS, NAT/VPC, API Gateway caching, Lambda ephemeral storage (unless an "
    "ephemeral_storage_gb_s counter is given), Kinesis enhanced fan-out and extended retention, "
    "DynamoDB backups, global tables and Streams reads by non-Lambda consumers.",
    "Free of charge and shown at $0: SNS deliveries to Lambda and SQS, DynamoDB Streams reads "
    "by Lambda triggers; EventBridge rule matching and delivery to targets are not charged "
    "beyond the events published.",
    "SNS publishes, SQS requests (sends, receives, deletes) and EventBridge events are billed "
    "as the simulator counts them: one per 64 KB chunk of payload, as AWS bills them.",
    "Lambda duration is billed per 1 ms as counted by the simulator; the free tier "
    "(when asked) covers requests and on-demand duration, never provisioned concurrency, as in "
    "AWS's provisioned-concurrency example.",
)


# --------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class CostLine:
    """One priced item of one node: quantity is the metered monthly usage (before any free
    tier), usd the monthly charge after the free tier and volume tiers."""

    node_id: str
    item: str
    quantity_per_month: float
    unit: str
    usd_per_month: float
    source: str
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        """Field names as keys, so `CostLine(**line)` reads it back."""
        return {"node_id": self.node_id, "item": self.item, "quantity_per_month": self.quantity_per_month,
                "unit": self.unit, "usd_per_month": self.usd_per_month, "source": self.source,
                "note": self.note}


@dataclass(frozen=True)
class CostBreakdown:
    monthly_usd: float
    by_node: dict[str, float]
    lines: tuple[CostLine, ...]
    assumptions: tuple[str, ...] = ()
    free_tier: bool = False
    prices_as_of: str = ""

    def to_json(self) -> dict[str, Any]:
        """The `cost` object of the result JSON (contract fields first: monthly_usd, by_node)."""
        return {"monthly_usd": self.monthly_usd, "by_node": dict(self.by_node),
                "lines": [line.to_json() for line in self.lines],
                "assumptions": list(self.assumptions), "free_tier": self.free_tier,
                "prices_as_of": self.prices_as_of}


# --------------------------------------------------------------------------------------
# The price file


@lru_cache(maxsize=8)
def _load_prices_cached(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except OSError as exc:
        raise StratusError(f"{path}: cannot read the price file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise StratusError(f"{path}: the price file is not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise StratusError(f"{path}: the price file must be a mapping")
    return data


def load_prices(path: str | Path | None = None) -> dict:
    """The parsed price file (cached: do not mutate the result)."""
    return _load_prices_cached(str(path or PRICE_FILE))


def _lookup(prices: dict, dotted: str) -> Any:
    node: Any = prices
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise StratusError(f"price file: no entry '{dotted}'")
        node = node[part]
    return node


@dataclass(frozen=True)
class _Schedule:
    """A price: (from_units, to_units or None, usd per unit) tiers, applied per account."""

    key: str
    tiers: tuple[tuple[float, float | None, float], ...]
    source: str

    def cost(self, quantity: float) -> float:
        total = 0.0
        for start, end, usd in self.tiers:
            upper = quantity if end is None else min(quantity, end)
            if upper > start:
                total += (upper - start) * usd
        return total


@dataclass(frozen=True)
class _Meter:
    node_id: str
    item: str
    quantity: float  # per month
    unit: str
    schedule: _Schedule
    free_group: str | None = None  # a key of the price file's free_tier section


class _Prices:
    """Schedules read from the price file, by dotted path."""

    def __init__(self, prices: dict) -> None:
        self.data = prices
        self.hours_per_month = float(prices.get("hours_per_month", 730))

    def flat(self, path: str) -> _Schedule:
        leaf = _lookup(self.data, path)
        return _Schedule(path, ((0.0, None, float(leaf["usd"])),), str(leaf.get("source", "")))

    def tiered(self, path: str) -> _Schedule:
        tiers = _lookup(self.data, path)
        bands = tuple((float(t["from_units"]), None if t.get("to_units") is None else float(t["to_units"]),
                       float(t["usd"])) for t in tiers)
        sources = tuple(dict.fromkeys(str(t.get("source", "")) for t in tiers))
        return _Schedule(path, bands, " ".join(sources))

    def allowance(self, group: str) -> float:
        amount = float(_lookup(self.data, f"free_tier.{group}")["amount"])
        return amount * self.hours_per_month if group in _ALLOWANCE_IN_CAPACITY_HOURS else amount


class _Usage:
    """A node's counters scaled to the month; counters not given are zero. Reading a
    counter its service does not declare is an error (a misspelt name would price $0)."""

    def __init__(self, service: str, counters: dict[str, float], factor: float) -> None:
        self.service = service
        self.counters = counters
        self.factor = factor

    def __call__(self, name: str) -> float:
        self._check(name)
        return float(self.counters.get(name, 0.0)) * self.factor

    def has(self, name: str) -> bool:
        self._check(name)
        return name in self.counters

    def _check(self, name: str) -> None:
        if name not in SERVICE_PRICING[self.service].known:
            raise ValueError(f"the {self.service} price model reads '{name}', which is not one "
                             f"of its usage counters ({', '.join(SERVICE_PRICING[self.service].known)})")


def _chunks(size_kb: float, chunk_kb: float) -> int:
    """Billing units per payload: AWS bills each started `chunk_kb` of a message."""
    return max(1, math.ceil(float(size_kb) / chunk_kb - 1e-9))


# --------------------------------------------------------------------------------------
# One function per service: node, its effective config, its monthly usage -> meters

MeterFn = Callable[[str, dict, _Usage, _Prices], list[_Meter]]


def _lambda(node_id: str, cfg: dict, use: _Usage, p: _Prices) -> list[_Meter]:
    arch = cfg.get("architecture", "x86_64")
    pc = "lambda.provisioned_concurrency"
    return [
        _Meter(node_id, "requests", use("requests"), "requests", p.flat("lambda.requests"), "lambda.requests"),
        _Meter(node_id, "duration", use("duration_gb_s"), f"GB-s ({arch})",
               p.tiered(f"lambda.duration_gb_s_tiers.{arch}"), "lambda.duration_gb_s"),
        _Meter(node_id, "provisioned_concurrency", use("provisioned_gb_s"), f"GB-s configured ({arch})",
               p.flat(f"{pc}.concurrency_gb_s.{arch}")),
        _Meter(node_id, "provisioned_duration", use("provisioned_duration_gb_s"), f"GB-s ({arch})",
               p.flat(f"{pc}.duration_gb_s.{arch}")),
        _Meter(node_id, "ephemeral_storage", use("ephemeral_storage_gb_s"), "GB-s above 512 MB",
               p.flat("lambda.ephemeral_storage_gb_s")),
    ]


def _api_gateway(node_id: str, cfg: dict, use: _Usage, p: _Prices) -> list[_Meter]:
    api = cfg.get("api_type", "rest")
    return [
        _Meter(node_id, "requests", use("requests"), f"requests ({api.upper()} API)",
               p.tiered(f"api_gateway.{api}_requests_tiers"), f"api_gateway.{api}_requests"),
        _Meter(node_id, "data_transfer_out", use("data_transfer_out_gb"), "GB",
               p.flat("api_gateway.data_transfer_out_gb")),
    ]


def _dynamodb_on_demand(node_id: str, cfg: dict, use: _Usage, p: _Prices) -> list[_Meter]:
    return [
        _Meter(node_id, "read_request_units", use("read_units"), "RRU", p.flat("dynamodb.on_demand_reads")),
        _Meter(node_id, "write_request_units", use("write_units"), "WRU", p.flat("dynamodb.on_demand_writes")),
    ]


def _dynamodb_provisioned(node_id: str, cfg: dict, use: _Usage, p: _Prices) -> list[_Meter]:
    # Capacity is paid for every hour it is provisioned, used or not: from config, not usage,
    # unless auto scaling moved it (then the capacity-hours the simulation measured).
    hours = p.hours_per_month
    scaled = cfg.get("auto_scaling", False)
    rcu_hours = use("read_capacity_hours") if scaled else float(cfg["read_capacity"]) * hours
    wcu_hours = use("write_capacity_hours") if scaled else float(cfg["write_capacity"]) * hours
    return [
        _Meter(node_id, "provisioned_read_capacity", rcu_hours, "RCU-hours",
               p.flat("dynamodb.provisioned_rcu_hour"), "dynamodb.provisioned_rcu"),
        _Meter(node_id, "provisioned_write_capacity", wcu_hours, "WCU-hours",
               p.flat("dynamodb.provisioned_wcu_hour"), "dynamodb.provisioned_wcu"),
    ]


_DYNAMODB_MODES: dict[str, MeterFn] = {"on_demand": _dynamodb_on_demand, "provisioned": _dynamodb_provisioned}


def _dynamodb(node_id: str, cfg: dict, use: _Usage, p: _Prices) -> list[_Meter]:
    # Stratus's only stream consumers are Lambda event source mappings, whose GetRecords
    # calls AWS does not charge for: shown at $0 so the breakdown says so.
    stream_reads = _Meter(node_id, "stream_read_requests_by_lambda", use("stream_read_requests"),
                          "GetRecords calls", _free(p, "dynamodb.streams_read_request_units"))
    return _DYNAMODB_MODES[cfg.get("billing_mode", "on_demand")](node_id, cfg, use, p) + [stream_reads]


def _free(p: _Prices, path: str) -> _Schedule:
    """A zero price that still cites the page saying so."""
    return _Schedule(f"{path}#free", ((0.0, None, 0.0),), p.flat(path).source)


def _s3(node_id: str, cfg: dict, use: _Usage, p: _Prices) -> list[_Meter]:
    return [
        _Meter(node_id, "put_requests", use("put_requests"), "PUT/COPY/POST/LIST requests",
               p.flat("s3.put_copy_post_list_requests"), "s3.put_requests"),
        _Meter(node_id, "get_requests", use("get_requests"), "GET and other requests",
               p.flat("s3.get_select_other_requests"), "s3.get_requests"),
    ]


def _sqs(node_id: str, cfg: dict, use: _Usage, p: _Prices) -> list[_Meter]:
    queue = "fifo" if cfg.get("fifo") else "standard"
    return [_Meter(node_id, "requests", use("requests"), f"requests ({queue}, 64 KB chunks)",
                   p.tiered(f"sqs.{queue}_requests_tiers"), "sqs.requests")]


def _sns(node_id: str, cfg: dict, use: _Usage, p: _Prices) -> list[_Meter]:
    return [
        _Meter(node_id, "publishes", use("publishes"), "publish requests (64 KB chunks)",
               p.flat("sns.publishes"), "sns.publishes"),
        _Meter(node_id, "deliveries_lambda", use("deliveries_lambda"), "notifications",
               p.flat("sns.delivery_lambda")),
        _Meter(node_id, "deliveries_sqs", use("deliveries_sqs"), "notifications", p.flat("sns.delivery_sqs")),
    ]


def _kinesis_records_in(cfg: dict, use: _Usage, p: _Prices) -> float:
    """Records put this month: counted if the engine says so, otherwise from the PUT
    payload units (exact here: every simulated record has the node's record_kb)."""
    if use.has("records_put"):
        return use("records_put")
    unit_kb = float(p.data["kinesis"]["put_payload_unit_kb"]["amount"])
    return use("put_payload_units") / _chunks(cfg.get("record_kb", 1.0), unit_kb)


def _kinesis_provisioned(node_id: str, cfg: dict, use: _Usage, p: _Prices) -> list[_Meter]:
    shard_hours = use("shard_hours") if use.has("shard_hours") else float(cfg["shards"]) * p.hours_per_month
    return [
        _Meter(node_id, "shard_hours", shard_hours, "shard-hours", p.flat("kinesis.provisioned_shard_hour")),
        _Meter(node_id, "put_payload_units", use("put_payload_units"), "25 KB PUT payload units",
               p.flat("kinesis.provisioned_put_payload_units")),
    ]


def _kinesis_on_demand(node_id: str, cfg: dict, use: _Usage, p: _Prices) -> list[_Meter]:
    record_kb = float(cfg.get("record_kb", 1.0))
    # Ingest is metered with each record rounded up to 1 KB; reads at the record size.
    gb_in = _kinesis_records_in(cfg, use, p) * math.ceil(record_kb - 1e-9) / KB_PER_GB
    gb_out = use("records_read") * record_kb / KB_PER_GB
    return [
        _Meter(node_id, "stream_hours", p.hours_per_month, "stream-hours", p.flat("kinesis.on_demand_stream_hour")),
        _Meter(node_id, "data_in", gb_in, "GB (records rounded up to 1 KB)", p.flat("kinesis.on_demand_data_in_gb")),
        _Meter(node_id, "data_out", gb_out, "GB", p.flat("kinesis.on_demand_data_out_gb")),
    ]


_KINESIS_MODES: dict[str, MeterFn] = {"provisioned": _kinesis_provisioned, "on_demand": _kinesis_on_demand}


def _kinesis(node_id: str, cfg: dict, use: _Usage, p: _Prices) -> list[_Meter]:
    return _KINESIS_MODES[cfg.get("capacity_mode", "provisioned")](node_id, cfg, use, p)


def _eventbridge(node_id: str, cfg: dict, use: _Usage, p: _Prices) -> list[_Meter]:
    return [_Meter(node_id, "custom_events", use("events"), "events (64 KB chunks)",
                   p.flat("eventbridge.custom_events"), "eventbridge.custom_events")]


def _step_functions_standard(node_id: str, cfg: dict, use: _Usage, p: _Prices) -> list[_Meter]:
    return [_Meter(node_id, "state_transitions", use("state_transitions"), "state transitions",
                   p.flat("step_functions.standard_state_transitions"), "step_functions.standard_state_transitions")]


def _step_functions_express(node_id: str, cfg: dict, use: _Usage, p: _Prices) -> list[_Meter]:
    return [
        _Meter(node_id, "express_requests", use("executions"), "executions", p.flat("step_functions.express_requests")),
        _Meter(node_id, "express_duration", use("express_gb_s"), "GB-s",
               p.tiered("step_functions.express_duration_gb_s_tiers")),
    ]


_WORKFLOW_TYPES: dict[str, MeterFn] = {"standard": _step_functions_standard, "express": _step_functions_express}


def _step_functions(node_id: str, cfg: dict, use: _Usage, p: _Prices) -> list[_Meter]:
    return _WORKFLOW_TYPES[cfg.get("workflow_type", "standard")](node_id, cfg, use, p)


@dataclass(frozen=True)
class PriceModel:
    """How one service is priced: its meters, and the usage counters they read."""

    meters: MeterFn
    counters: tuple[str, ...]  # what the simulator counts for every node of the service
    supplied: tuple[str, ...] = ()  # also priced when a caller gives them (never simulated)

    @property
    def known(self) -> tuple[str, ...]:
        return self.counters + self.supplied


SERVICE_PRICING: dict[str, PriceModel] = {
    "lambda": PriceModel(_lambda, ("requests", "duration_gb_s", "provisioned_duration_gb_s", "provisioned_gb_s"),
                         supplied=("ephemeral_storage_gb_s",)),
    "api_gateway": PriceModel(_api_gateway, ("requests",), supplied=("data_transfer_out_gb",)),
    "dynamodb": PriceModel(_dynamodb, ("read_units", "write_units", "stream_read_requests",
                                       "read_capacity_hours", "write_capacity_hours")),
    "s3": PriceModel(_s3, ("put_requests", "get_requests")),
    "sqs": PriceModel(_sqs, ("requests",)),
    "sns": PriceModel(_sns, ("publishes", "deliveries_lambda", "deliveries_sqs")),
    "kinesis": PriceModel(_kinesis, ("put_payload_units", "shard_hours", "records_read"),
                          supplied=("records_put",)),
    # matched deliveries are counted for the record; AWS charges only the events published
    "eventbridge": PriceModel(_eventbridge, ("events", "matched_deliveries")),
    "step_functions": PriceModel(_step_functions, ("executions", "state_transitions", "express_gb_s")),
}


def usage_counters(service: str) -> tuple[str, ...]:
    """The usage counters the simulator keeps for a node of `service`."""
    model = SERVICE_PRICING.get(service)
    return model.counters if model is not None else ()


# --------------------------------------------------------------------------------------
# Pooling: free tier and volume tiers apply to account-wide totals


def _billable_after_free_tier(meters: list[_Meter], p: _Prices) -> tuple[list[float], dict[int, str]]:
    """Billable quantity of each meter once each allowance is shared out, and a note per
    meter whose quantity an allowance reduced."""
    billable = [m.quantity for m in meters]
    notes: dict[int, str] = {}
    groups: dict[str, list[int]] = {}
    for index, meter in enumerate(meters):
        if meter.free_group:
            groups.setdefault(meter.free_group, []).append(index)
    for group, indices in groups.items():
        total = sum(meters[i].quantity for i in indices)
        allowance = p.allowance(group)
        if total <= 0 or allowance <= 0:
            continue
        kept = max(0.0, total - allowance) / total
        for i in indices:
            billable[i] = meters[i].quantity * kept
            notes[i] = (f"free tier {group}: {allowance:,.0f} per month account-wide, "
                        f"{min(allowance, total):,.0f} of {total:,.0f} used")
    return billable, notes


def _price_pools(meters: list[_Meter], billable: list[float]) -> list[float]:
    """Each meter's share of its schedule's cost on the account-wide total."""
    pools: dict[str, list[int]] = {}
    for index, meter in enumerate(meters):
        pools.setdefault(meter.schedule.key, []).append(index)
    usd = [0.0] * len(meters)
    for indices in pools.values():
        total = sum(billable[i] for i in indices)
        if total <= 0:
            continue
        pool_cost = meters[indices[0]].schedule.cost(total)
        for i in indices:
            usd[i] = pool_cost * billable[i] / total
    return usd


# --------------------------------------------------------------------------------------
# Entry point


def estimate_cost(arch, usage: dict[str, dict[str, float]], measured_s: float, free_tier: bool = False,
                  prices: dict | None = None) -> CostBreakdown:
    """Monthly cost of `arch` given `usage[node_id][counter]` totals over `measured_s`
    simulated seconds. Pass the architecture with the scenario's overrides applied (the
    config decides architecture, API type, billing mode...)."""
    if not measured_s or measured_s <= 0:
        raise ValueError(f"measured_s must be positive, got {measured_s!r}")
    p = _Prices(prices if prices is not None else load_prices())
    factor = p.hours_per_month * SECONDS_PER_HOUR / float(measured_s)
    meters: list[_Meter] = []
    unpriced: list[str] = []
    for node_id, node in arch.nodes.items():
        pricing = SERVICE_PRICING.get(node.service)
        if pricing is None:
            unpriced.append(node_id)
            continue
        counters = usage.get(node_id, {})
        _check_counters(node_id, node.service, counters)
        use = _Usage(node.service, counters, factor)
        meters.extend(m for m in pricing.meters(node_id, node.effective_config(), use, p) if m.quantity > 0)
    billable, notes = (_billable_after_free_tier(meters, p) if free_tier
                       else ([m.quantity for m in meters], {}))
    usd = _price_pools(meters, billable)
    lines = tuple(CostLine(m.node_id, m.item, m.quantity, m.unit, cost, m.schedule.source, notes.get(i, ""))
                  for i, (m, cost) in enumerate(zip(meters, usd)))
    by_node = {node_id: 0.0 for node_id in arch.nodes}
    for line in lines:
        by_node[line.node_id] += line.usd_per_month
    assumptions = _assumptions(p, measured_s, factor, free_tier, arch, unpriced,
                               sorted(set(usage) - set(arch.nodes)))
    return CostBreakdown(monthly_usd=sum(by_node.values()), by_node=by_node, lines=lines,
                         assumptions=assumptions, free_tier=free_tier,
                         prices_as_of=str(p.data.get("as_of", "")))


def _check_counters(node_id: str, service: str, counters: dict[str, float]) -> None:
    unknown = [name for name in counters if name not in SERVICE_PRICING[service].known]
    if unknown:
        raise ValueError(f"usage of node '{node_id}': unknown {service} counter(s) "
                         f"{', '.join(map(repr, unknown))} (its counters: "
                         f"{', '.join(SERVICE_PRICING[service].known)})")


def _assumptions(p: _Prices, measured_s: float, factor: float, free_tier: bool, arch,
                 unpriced: Iterable[str], unknown: Iterable[str]) -> tuple[str, ...]:
    region = p.data.get("region", "us-east-1")
    notes = [
        f"Prices: AWS list prices for {region} as of {p.data.get('as_of', '?')} "
        f"(assets/pricing/{region}.yaml), in USD.",
        f"Usage measured over {measured_s:g} simulated seconds, scaled x{factor:,.1f} to a "
        f"{p.hours_per_month:g}-hour month; provisioned capacity is charged for the whole month.",
        ("Free tier applied: monthly allowances are account-wide (this design is taken as the "
         "whole account), subtracted once and shared among nodes in proportion to usage; "
         "12-month new-account offers (API Gateway, S3) included." if free_tier
         else "Free tier not applied (ask for it with --free-tier)."),
        "Volume tiers (Lambda GB-s per architecture, API Gateway, SQS, Step Functions Express) "
        "apply to the account-wide monthly total, as AWS bills them; each node pays its share.",
        *NOT_PRICED,
    ]
    if getattr(arch, "region", region) != region:
        notes.append(f"The design's region is {arch.region}; {region} prices were used.")
    if unpriced:
        notes.append("No price model for: " + ", ".join(unpriced) + ".")
    if unknown:
        notes.append("Usage for unknown nodes ignored: " + ", ".join(unknown) + ".")
    return tuple(notes)
