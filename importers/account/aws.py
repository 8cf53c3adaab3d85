"""Talking to AWS for a scan: credentials, clients, read-only calls, retries, progress.

Every call the scanner makes goes through `AccountReader`:
- Only read calls leave this process. Each client refuses, before anything is signed or
  sent, any operation whose name does not start with Describe, Get, List or Head
  (`READ_ONLY_PREFIXES`), so a bug cannot change an account.
- Throttled calls are retried by botocore in its `standard` retry mode (exponential
  backoff with jitter, at most `MAX_ATTEMPTS` attempts); other transient errors too.
- A call refused for lack of permission (or one the endpoint does not implement) is
  written into the report, named (`lambda GetFunctionConcurrency on my-fn`), with what
  the design misses because of it, and the scan goes on.
- Credentials come from the named profile or the environment (boto3's usual chain) and
  stay in memory: nothing here writes them anywhere.
- `cancel()` is asked before every call: a cancelled scan stops at the next call.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError, ProfileNotFound,
)

from model.errors import StratusError

from .shared import ImportNote

READ_ONLY_PREFIXES = ("Describe", "Get", "List", "Head")
MAX_ATTEMPTS = 6  # botocore standard mode: 1 call + up to 5 retries with backoff
# Percentiles fall back to Average/Maximum, so a failing percentile query is not worth
# the full retry budget (moto's server, for one, answers it with HTTP 500).
FALLBACK_ATTEMPTS = 2

# An endpoint that does not implement an operation (moto's server lacks a few): said once
# per operation, which is then not called again.
UNSUPPORTED_CODES = frozenset({"404", "NotImplemented", "UnknownOperationException", "InvalidAction",
                               "UnsupportedOperation"})
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
                          "AuthorizationError", "Forbidden", "403"})
# Errors that mean the credentials themselves are wrong: nothing else will work either.
CREDENTIAL_CODES = frozenset({"UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken",
                              "ExpiredTokenException", "InvalidAccessKeyId", "SignatureDoesNotMatch"})
# Keys for an AWS-compatible sandbox (moto) when the environment has none: such endpoints
# accept any. Held in memory only, never used without an endpoint URL.
SANDBOX_KEYS = {"aws_access_key_id": "stratus-sandbox", "aws_secret_access_key": "stratus-sandbox"}


class ScanCancelled(StratusError):
    """The scan was asked to stop; nothing was written."""


class NotReadOnly(StratusError):
    """The scanner tried to send an operation that is not a read (a bug: refused)."""


@dataclass(frozen=True)
class ScanProgress:
    step: int  # steps done so far
    total: int  # steps known so far (grows as resources are found)
    message: str


Progress = Callable[[ScanProgress], None]
Cancel = Callable[[], bool]


def session_for(profile: str | None, region: str | None, endpoint_url: str | None) -> tuple[boto3.Session, str]:
    """(session, region) from a named profile or the environment; StratusError when there
    are no credentials or no region to scan."""
    try:
        session = boto3.Session(profile_name=profile, region_name=region) if profile \
            else boto3.Session(region_name=region)
    except ProfileNotFound:
        raise StratusError(f"no AWS profile named {profile!r} (see ~/.aws/config)") from None
    except BotoCoreError as exc:
        raise StratusError(f"AWS profile {profile!r}: {exc}") from None
    region = region or session.region_name or ("us-east-1" if endpoint_url else None)
    if not region:
        raise StratusError("no region to scan: pass --region (or set one in the profile or AWS_REGION)")
    if session.get_credentials() is None:
        if profile or not endpoint_url:
            raise StratusError(f"no AWS credentials {'in profile ' + repr(profile) if profile else 'found'}: "
                               "name a profile with --profile, or set AWS_ACCESS_KEY_ID and "
                               "AWS_SECRET_ACCESS_KEY")
        session = boto3.Session(region_name=region, **SANDBOX_KEYS)
    return session, region


class AccountReader:
    """Read-only, retried, cancellable AWS calls, with a report of those that failed."""

    def __init__(self, session: boto3.Session, region: str, endpoint_url: str | None = None, *,
                 progress: Progress | None = None, cancel: Cancel | None = None) -> None:
        self.session = session
        self.region = region
        self.endpoint_url = endpoint_url
        self._progress = progress or (lambda _p: None)
        self._cancel = cancel or (lambda: False)
        self._clients: dict[tuple[str, int], Any] = {}
        self.problems: list[ImportNote] = []
        self.memo: dict[str, Any] = {}  # answers shared by several resources (a role, the account id)
        self._unsupported: dict[tuple[str, str], ImportNote] = {}  # (service, operation) -> its note
        self.calls = 0
        self.step = 0
        self.total = 0

    # -- progress and cancel -----------------------------------------------------------------

    def plan(self, steps: int) -> None:
        """`steps` more steps are now known to be ahead."""
        self.total += steps

    def advance(self, message: str) -> None:
        self.step += 1
        self.total = max(self.total, self.step)
        self._progress(ScanProgress(self.step, self.total, message))

    def check_cancel(self) -> None:
        if self._cancel():
            raise ScanCancelled(f"scan cancelled after {self.step} of {self.total} steps; nothing was written")

    # -- clients ----------------------------------------------------------------------------

    def client(self, service: str, attempts: int = MAX_ATTEMPTS):
        key = (service, attempts)
        if key not in self._clients:
            client = self.session.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url,
                config=Config(retries={"mode": "standard", "max_attempts": attempts},
                              user_agent_extra="stratus-scan"))
            client.meta.events.register("before-call", _refuse_writes)
            self._clients[key] = client
        return self._clients[key]

    # -- calls ------------------------------------------------------------------------------

    def call(self, service: str, operation: str, subject: str = "", missed: str = "", *,
             absent: tuple[str, ...] = (), attempts: int = MAX_ATTEMPTS, required: bool = False,
             **params) -> dict | None:
        """The response, or None when the call failed (written in the report, naming the
        call, `subject` and what the design `missed`) or the thing is `absent` (error codes
        that mean "there is none", e.g. a function without asynchronous invoke settings).
        required: a failure stops the scan with a StratusError instead."""
        self.check_cancel()
        if (service, operation) in self._unsupported:
            return None
        client = self.client(service, attempts)
        self.calls += 1
        try:
            return getattr(client, operation)(**params)
        except ClientError as exc:
            if _code(exc) in absent:
                return None
            self._failed(service, operation, exc, subject, missed, required)
            return None
        except (EndpointConnectionError, NoCredentialsError, BotoCoreError) as exc:
            raise _fatal(service, exc, self.endpoint_url) from None

    def paginate(self, service: str, operation: str, key: str, subject: str = "", missed: str = "", *,
                 required: bool = False, **params) -> list | None:
        """Every item under `key` across all pages; None when a page failed (reported, or a
        StratusError when `required`)."""
        self.check_cancel()
        if (service, operation) in self._unsupported:
            return None
        client = self.client(service)
        items: list = []
        try:
            if client.can_paginate(operation):
                for page in client.get_paginator(operation).paginate(**params):
                    self.calls += 1
                    self.check_cancel()
                    items += page.get(key) or []
                return items
            token = None
            while True:  # operations botocore has no paginator for: follow NextToken
                self.calls += 1
                page = getattr(client, operation)(**params, **({"NextToken": token} if token else {}))
                items += page.get(key) or []
                token = page.get("NextToken")
                if not token:
                    return items
                self.check_cancel()
        except ClientError as exc:
            self._failed(service, operation, exc, subject, missed, required)
            return None
        except (EndpointConnectionError, NoCredentialsError, BotoCoreError) as exc:
            raise _fatal(service, exc, self.endpoint_url) from None

    def _failed(self, service: str, operation: str, exc: ClientError, subject: str, missed: str,
                required: bool) -> None:
        code = _code(exc)
        if code in CREDENTIAL_CODES:
            raise StratusError(f"AWS refused the credentials ({code}: {_message(exc)}); "
                               "check the profile or the environment") from None
        denied = code in DENIED_CODES or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 403
        on = f" on {subject}" if subject else ""
        if required:
            why = "access denied" if denied else f"{code or 'error'}: {_message(exc)}"
            raise StratusError(f"{service} {exc.operation_name}{on} failed ({why})") from None
        consequence = f"; {missed}" if missed else ""
        if code in UNSUPPORTED_CODES and not required:
            note = ImportNote("warning", self.endpoint_url or service, "",
                              f"the endpoint does not implement {service} {exc.operation_name}{consequence}",
                              "unmapped")
            self._unsupported[(service, operation)] = note
            self.problems.append(note)
            return
        what = "access denied to" if denied else f"could not call ({code or 'error'}: {_message(exc)})"
        self.problems.append(ImportNote("warning", subject or service, "",
                                        f"{what} {service} {exc.operation_name}{on}{consequence}",
                                        "unmapped"))


def _refuse_writes(model, **_kwargs) -> None:
    """botocore `before-call` hook: only operations that read may be sent."""
    if not model.name.startswith(READ_ONLY_PREFIXES):
        raise NotReadOnly(f"internal error: the scanner tried to call {model.name}, which is not a "
                          "read-only operation; it was refused and nothing was sent")


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _message(exc: ClientError) -> str:
    text = str(exc.response.get("Error", {}).get("Message", "")).strip()
    if text.startswith("<"):  # an HTML error page from a proxy or a sandbox
        return "the endpoint answered with an error page"
    return text[:200] or "no message"


def _fatal(service: str, exc: Exception, endpoint_url: str | None) -> StratusError:
    if isinstance(exc, NoCredentialsError):
        return StratusError("no AWS credentials found: name a profile with --profile, or set "
                            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    if isinstance(exc, EndpointConnectionError):
        where = endpoint_url or f"the {service} endpoint"
        return StratusError(f"cannot reach {where}: {exc}")
    return StratusError(f"{service}: {exc}")


def policy_document(value: Any) -> dict:
    """An IAM policy document as a dict: boto3 decodes them, but some endpoints send the
    URL-encoded JSON text IAM uses on the wire."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            return json.loads(urllib.parse.unquote(value))
        except json.JSONDecodeError:
            return {}
    return {}
