"""Readers of property values that several parts of the CloudFormation reader share: an
event source's batching settings (SAM events and event source mappings), an S3
notification's events and key filter (SAM S3 events and bucket notifications), and API
throttling settings (APIs, their stages and usage plans, SAM Globals).
"""

from __future__ import annotations

from typing import Any

from importers.base import as_bool, as_int, as_list


def stream_config(props: dict) -> dict:
    return {"batch_size": as_int(props.get("BatchSize")),
            "parallelization_factor": as_int(props.get("ParallelizationFactor")),
            "batch_window_s": as_int(props.get("MaximumBatchingWindowInSeconds")),
            "starting_position": props.get("StartingPosition") if props.get("StartingPosition") in
            ("LATEST", "TRIM_HORIZON") else None,
            "max_retry_attempts": as_int(props.get("MaximumRetryAttempts")),
            "max_record_age_s": as_int(props.get("MaximumRecordAgeInSeconds")),
            "bisect_on_error": as_bool(props.get("BisectBatchOnFunctionError"))}


def notification_config(events: Any, filter_: Any) -> dict:
    names = [str(e) for e in as_list(events)]
    if names and all("ObjectCreated" in e for e in names):
        kind = "object_created"
    elif names and all("ObjectRemoved" in e for e in names):
        kind = "object_removed"
    else:
        kind = "all"
    config = {"events": kind}
    for rule in ((filter_ or {}).get("S3Key") or {}).get("Rules") or []:
        if isinstance(rule, dict) and str(rule.get("Name", "")).lower() in ("prefix", "suffix"):
            config[str(rule["Name"]).lower()] = str(rule.get("Value", ""))
    return config


def throttle_config(setting: Any) -> dict:
    if not isinstance(setting, dict):
        return {}
    out = {}
    rate, burst = setting.get("ThrottlingRateLimit"), setting.get("ThrottlingBurstLimit")
    if isinstance(rate, (int, float)) and not isinstance(rate, bool):
        out["throttle_rate_rps"] = float(rate)
    if as_int(burst) is not None:
        out["throttle_burst"] = as_int(burst)
    return out
