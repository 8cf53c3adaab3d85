"""One Terraform configuration being mapped to a design: its resource instances (walked by
`modules`) and what the mapping passes share and add to as they go (the graph builder, the
roles some edge uses, what each absorbed resource became, provisioned concurrency per
function, the longest integration timeout of each API).

The passes (`nodes`, `wiring`, `api`) are functions of a `TerraformImport`;
`read.import_terraform` runs them in order.
"""

from __future__ import annotations

from importers.terraform.modules import Configuration, Resource


class TerraformImport:
    def __init__(self, configuration: Configuration) -> None:
        self.b = configuration.b
        self.resources: dict[str, Resource] = configuration.resources
        self.providers: list = configuration.providers
        self.used_roles: set[str] = set()
        self.absorbed_as: dict[str, str] = {}  # address -> what it became (for the report)
        self.provisioned: dict[str, list[tuple[str, int]]] = {}  # function node -> (address, count)
        self.api_timeouts: dict[str, tuple[int, Resource]] = {}  # API node -> (longest timeout, source)
        self.websocket: set[str] = set()  # WebSocket APIs and their resources: kept whole
        self.outside_targets: dict[str, str] = {}  # event target -> its target outside the design
        self.rules_with_outside_targets: set[str] = set()
        # A resource that wires something outside the design (an e-mail subscription, an
        # integration with another service): kept whole, with why.
        self.kept_as_written: dict[str, str] = {}
